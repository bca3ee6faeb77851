"""The catalog that nearly every request reads: launch sites with their corridors, vehicle models
with their providers and capacity points, the route table, the adapters, the exchange rates and
the providers' rideshare rates.

A payload registration, the portal's live orbit check and a quote each read the same tables (a few
dozen rows that change when operators edit the catalog, not per booking). ``kept_catalog`` keeps
them per process (per thread) and checks, per call, one version token in the shared cache (Redis in
production): every committed change of a site, corridor, vehicle model, capacity point, provider,
adapter or exchange rate sets a new token (``catalog_changed``, from the models' save and delete
signals and from services that write in bulk), so every process reads the catalog again on its
next call; a rideshare rate saved or deleted does the same. The route table (rocket journeys, TEL
road legs) changes the same way: a route saved or deleted sets a new token too.

Within one request the version is asked once (``catalog_request_started`` and
``catalog_request_finished``, connected to Django's request signals): a quote consults the catalog
three times and would otherwise ask the shared cache three times. A change the request itself
commits forgets the request's version, so the request reads its own change.

Only reads outside a transaction use it (``None`` inside one): a transaction may see catalog changes
of its own not yet committed, and what is checked under a lock (capacity at hold and confirm) is
always read from the rows. Callers fall back to their own queries when it answers ``None``. A
caller that reads it before opening a transaction that writes no catalog row may hand it down into
that transaction (the express order's ``launch_schedule``): it sees what a query there would have
seen a few milliseconds earlier, and no catalog row is locked by either.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import uuid4

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Prefetch

from booking.models import ExchangeRate, RideshareRate
from vehicles.logistics import RouteLeg
from vehicles.models import Adapter, CapacityPoint, LaunchCorridor, LaunchSite, Route, VehicleModel

#: The shared cache key whose value names the catalog's current version.
VERSION_KEY = "launchbook:catalog-version"


@dataclass(frozen=True)
class KeptCatalog:
    version: str
    #: By name, each with its corridors prefetched (azimuth order).
    sites: tuple[LaunchSite, ...]
    #: Every model (active or not), by name, each with its provider and capacity points prefetched.
    models: tuple[VehicleModel, ...]
    #: Active adapters, lightest first.
    adapters: tuple[Adapter, ...]
    #: Units of each currency per US dollar.
    rates: dict[str, Decimal]
    by_pk: dict[int, VehicleModel] = field(default_factory=dict)
    #: The whole route table (every mode), in pk order, as ``selectors.planner_fleet.route_legs``.
    routes: tuple[RouteLeg, ...] = ()
    #: Each provider's price per kg for a rideshare seat, by (provider pk, orbit family).
    rideshare_rates: dict[tuple[int, str], RideshareRate] = field(default_factory=dict)
    #: What the catalog can do for an orbit whatever the mass (``orbit.catalog_orbit_review``), by
    #: (family, altitude, inclination asked), filled as payloads are registered.
    orbit_reach: dict[tuple[str, int, str | None], Any] = field(default_factory=dict)

    @property
    def active_models(self) -> list[VehicleModel]:
        return [model for model in self.models if model.active]

    @property
    def site_names(self) -> dict[int, str]:
        return {site.pk: site.name for site in self.sites}


#: Per thread: whether a request is running and the version it asked for.
_kept = threading.local()
#: Per process, shared by its threads: the catalog of the latest versions asked for, by version.
#: Two are kept: a request that began before a change goes on with the version it started with
#: while the next requests read the new one, and neither reloads the other's.
_shared: dict[str, KeptCatalog] = {}
_shared_lock = threading.Lock()
_SHARED_VERSIONS = 2


def _load(version: str) -> KeptCatalog:
    sites = LaunchSite.objects.order_by("name").prefetch_related(
        Prefetch("corridors", queryset=LaunchCorridor.objects.order_by("azimuth_from", "pk"))
    )
    models = (
        VehicleModel.objects.select_related("provider")
        .prefetch_related(
            Prefetch(
                "capacity_points", queryset=CapacityPoint.objects.order_by("orbit_family", "altitude_km")
            )
        )
        .order_by("name")
    )
    loaded = tuple(models)
    return KeptCatalog(
        version=version,
        sites=tuple(sites),
        models=loaded,
        adapters=tuple(Adapter.objects.filter(active=True).order_by("mass_kg", "name")),
        rates={
            currency: Decimal(rate)
            for currency, rate in ExchangeRate.objects.values_list("currency", "units_per_usd")
        },
        by_pk={model.pk: model for model in loaded},
        rideshare_rates={(rate.provider_id, rate.orbit_family): rate for rate in RideshareRate.objects.all()},
        routes=tuple(
            RouteLeg(origin_id, destination_id, mode, hours)
            for origin_id, destination_id, mode, hours in Route.objects.order_by("pk").values_list(
                "origin_id", "destination_id", "mode", "transit_hours"
            )
        ),
    )


def _current_version() -> str:
    version = getattr(_kept, "request_version", None)
    if version is not None:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:  # never set, or evicted: start a version (a racing process may win)
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or "unknown"
    if getattr(_kept, "in_request", False):
        _kept.request_version = str(version)
    return str(version)


def catalog_request_started(**_signal: object) -> None:
    """A request begins on this thread: it asks the shared version once, on first use."""
    _kept.in_request, _kept.request_version = True, None


def catalog_request_finished(**_signal: object) -> None:
    """The request is over: the next use (a task, a command, the next request) asks again."""
    _kept.in_request, _kept.request_version = False, None


def kept_catalog() -> KeptCatalog | None:
    """The catalog as of its current version, read once per process and version (its threads share
    it: nothing writes to the rows it holds); ``None`` inside a transaction (read the rows there)."""
    if connection.in_atomic_block:
        return None
    version = _current_version()
    kept = _shared.get(version)
    if kept is None:
        with _shared_lock:  # one thread loads a version; the others wait for it, then share it
            kept = _shared.get(version)
            if kept is None:
                kept = _load(version)
                _shared[version] = kept
                for stale in list(_shared)[:-_SHARED_VERSIONS]:
                    del _shared[stale]
    return kept


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)
    _kept.request_version = None  # this request reads its own change


def catalog_changed(**_signal: object) -> None:
    """A catalog row changed: every process reads the catalog again once this change commits.
    Connected to the catalog models' (and the routes') ``post_save`` and ``post_delete``; services that write the
    catalog in bulk (no signals) call it themselves."""
    transaction.on_commit(_new_version)


def catalog_forget() -> None:
    """Drop the process's kept catalog (tests, between cases)."""
    with _shared_lock:
        _shared.clear()
    catalog_request_finished()
