"""The planner's loading: capable rocket models, the sites that reach the orbit, the platforms
and pads with their live reservations in the planning span, and the site closures, as floats
(epoch seconds) for speed. A fixed number of queries whatever the size of the fleet.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from booking.models import Reservation, TemplateStep
from booking.readiness_templates import (
    CARGO_SLUG,
    EXPRESS_RETURNABLE_SLUG,
    EXPRESS_SLUG,
    SHIPPED_TEMPLATES,
    STANDARD_SLUG,
    minimum_chain_minutes,
)
from booking.rules.chain import ROAD_FACTOR
from booking.rules.fleet import RocketPlace
from booking.rules.orbit import CapacityRow, CapacityUnknown, capacity_kg
from booking.selectors.catalog import KeptCatalog
from booking.selectors.orbit import site_orbit_refusal, sites_with_corridors
from vehicles.compatibility import express_terms_problem
from vehicles.logistics import ROAD, RouteLeg, journey_hours_by_origin, journey_text, rocket_journey
from vehicles.models import (
    CapacityPoint,
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    Route,
    SiteClosure,
    Vehicle,
    VehicleModel,
)
from vehicles.orbits import great_circle_distance_km, road_transit_hours

#: A pad's lead from the order to the window is no longer a constant of the planner: the
#: readiness template's minimum chain and the rocket's journey and pad campaign set it, in
#: ``booking.rules.fleet``, for the planner and ``launch_schedule`` alike.
PAD_LEAD_HOURS = 0.0

#: (closeness, key, text): a reason a candidate misses, the closest first.
Reason = tuple[float, str, str]
#: Per site: closure starts, the running maximum of their ends, rows (start, end, pk, kind, reason).
ClosureIndex = dict[int, tuple[list[float], list[float], list[tuple[float, float, int, str, str]]]]
ModelCapacity = tuple[VehicleModel, Decimal | None]


@dataclass(slots=True)
class PlanRecord:
    """A platform or pad as the planner sees it: floats (epoch seconds) for speed."""

    platform: MobilePlatform | None = None
    pad: Pad | None = None
    label: str = ""
    anchor_site_id: int = 0
    anchor_until: float = -math.inf
    setup_s: float = 0.0
    teardown_s: float = 0.0
    lead_s: float = 0.0
    speed: Decimal = Decimal(1)
    recs: list[tuple[float, float, float, int, int]] = field(
        default_factory=list
    )  # ready, arrive, until, site id, launch id
    models: list[ModelCapacity] = field(default_factory=list)
    # The gap it is in at ``earliest``: index of the next reservation, and where it is before it.
    i0: int = 0
    prev_site: int = 0
    prev_until: float = -math.inf
    prev_launch: int | None = None
    floor_s: float = 0.0  # no window opens before this, wherever the platform comes from
    next_lb: float = math.inf  # no window in a later gap opens before this
    order: list[tuple[float, str, LaunchSite]] = field(default_factory=list)  # sites, nearest first


@dataclass
class Fleet:
    """What the search walks: the records and the span of time their reservations were read for."""

    records: list[PlanRecord]
    platforms: list[MobilePlatform]
    pads: list[Pad]
    hi: datetime
    carried: dict[int, set[int]] = field(default_factory=dict)  # platform id -> model ids it carries
    served: dict[int, set[int]] = field(default_factory=dict)  # pad id -> model ids it lists


def road_routes(legs: list[RouteLeg] | None = None) -> dict[tuple[int, int], float]:
    """Every operator-set TEL road leg between two sites: (origin id, destination id) -> hours;
    read from ``legs`` (the whole route table, ``route_legs``) when given, else 1 query."""
    if legs is not None:
        return {
            (leg.origin_id, leg.destination_id): float(leg.hours)
            for leg in legs
            if leg.mode == ROAD and leg.origin_id != leg.destination_id
        }
    return {
        (origin_id, destination_id): float(hours)
        for origin_id, destination_id, hours in Route.objects.filter(mode=ROAD)
        .exclude(origin_id=F("destination_id"))
        .values_list("origin_id", "destination_id", "transit_hours")
    }


def capable_models(
    *,
    orbit_family: str,
    altitude_km: int,
    mass_kg: Decimal | None,
    provider: Provider | None,
    reasons: list[Reason],
    express: bool = False,
    inclination_deg: float | None = None,
    provider_ids: Collection[int] | None = None,
    catalog: KeptCatalog | None = None,
) -> list[ModelCapacity]:
    """2 queries (1 with ``catalog``, the kept one: the curves come from it): active models
    that lift the payload there and have a rocket in ready storage, each with its capacity (and its
    oldest ready vehicle as ``first_ready_id``); the curves are read as plain values for the orbit
    family only."""
    first_ready = Vehicle.objects.filter(
        vehicle_model=OuterRef("pk"), status=Vehicle.Status.READY_STORAGE
    ).order_by("ready_since", "serial")
    models_qs = (
        VehicleModel.objects.filter(active=True)
        .select_related("provider")
        .annotate(first_ready_id=Subquery(first_ready.values("pk")[:1]))
        .order_by("name")
    )
    if provider is not None:
        models_qs = models_qs.filter(provider=provider)
    if provider_ids is not None:
        models_qs = models_qs.filter(provider_id__in=list(provider_ids))
    found_models: list[VehicleModel] = list(models_qs)
    curves: dict[int, list[CapacityRow]] = {vm.pk: [] for vm in found_models}
    if catalog is not None and all(pk in catalog.by_pk for pk in curves):
        for model_id, rows in curves.items():
            rows.extend(
                (point.orbit_family, point.altitude_km, point.inclination_deg, point.capacity_kg)
                for point in catalog.by_pk[model_id].capacity_points.all()
                if point.orbit_family == orbit_family
            )
    elif curves:
        for model_id, family, altitude, inclination, capacity in CapacityPoint.objects.filter(
            vehicle_model_id__in=list(curves), orbit_family=orbit_family
        ).values_list("vehicle_model_id", "orbit_family", "altitude_km", "inclination_deg", "capacity_kg"):
            curves[model_id].append((family, altitude, inclination, capacity))
    target_inclination = None if inclination_deg is None else Decimal(str(inclination_deg))
    candidates: list[ModelCapacity] = []
    for vm in found_models:
        try:
            model_capacity = capacity_kg(
                model_name=vm.name,
                rows=curves[vm.pk],
                orbit_family=orbit_family,
                altitude_km=altitude_km,
                inclination_deg=target_inclination,
            )
        except CapacityUnknown as exc:
            reasons.append((math.inf, vm.name, str(exc)))
            continue
        if mass_kg is not None and Decimal(mass_kg) + vm.adapter_mass_kg > model_capacity:
            reasons.append(
                (
                    math.inf,
                    vm.name,
                    f"{vm.name} lifts {model_capacity} kg to {orbit_family} {altitude_km} km, "
                    f"less than {Decimal(mass_kg) + vm.adapter_mass_kg} kg with adapter",
                )
            )
            continue
        if express:
            problem = express_terms_problem(
                model_name=vm.name,
                express_capable=vm.express_capable,
                mobile_launch=vm.mobile_launch,
                propellant=vm.propellant,
            )
            if problem:
                reasons.append((math.inf, vm.name, problem))
                continue
        if vm.first_ready_id is None:  # type: ignore[attr-defined]
            reasons.append((math.inf, vm.name, f"no {vm.name} in ready storage"))
            continue
        candidates.append((vm, model_capacity))
    return candidates


def sites_reaching(
    inclination: float, reasons: list[Reason], *, catalog: KeptCatalog | None = None
) -> tuple[dict[int, LaunchSite], dict[int, LaunchSite]]:
    """1 query (none with ``catalog``, the kept one): every site by pk, and those that reach the
    inclination directly."""
    found = (
        sorted(catalog.sites, key=lambda site: site.code)
        if catalog is not None
        else sites_with_corridors(LaunchSite.objects.order_by("code"))
    )
    sites = {s.pk: s for s in found}
    site_ok: dict[int, LaunchSite] = {}
    for site in sites.values():
        problem = site_orbit_refusal(site=site, inclination_deg=inclination, others=sites.values())
        if problem:
            reasons.append((math.inf, site.code, problem))
        else:
            site_ok[site.pk] = site
    return sites, site_ok


def _platforms(*, providers: list[int], earliest: datetime) -> list[MobilePlatform]:
    """1: platforms, each with where it is when the planning span starts: the site of its last
    reservation torn down by ``earliest`` (a correlated subquery on the platform index). Any
    later reservation is loaded with the span, so this is the chain's true predecessor."""
    anchor_q = Reservation.objects.filter(
        platform=OuterRef("pk"),
        released_at__isnull=True,
        occupied_from__lt=earliest,
        occupied_until__lte=earliest,
    ).order_by("-occupied_from")
    postgres = connection.vendor == "postgresql"
    return list(
        MobilePlatform.objects.filter(provider_id__in=providers, status=MobilePlatform.Status.AVAILABLE)
        .annotate(
            anchor_site=Subquery(anchor_q.values("site_id")[:1]),
            anchor_until=Subquery(
                anchor_q.annotate(until=epoch("occupied_until") if postgres else F("occupied_until")).values(
                    "until"
                )[:1]
            ),
        )
        .order_by("name")
    )


def _max_transit_s(
    platforms: list[MobilePlatform],
    sites: dict[int, LaunchSite],
    site_ok: dict[int, LaunchSite],
    routes: dict[tuple[int, int], float],
) -> float:
    """Upper bound of any drive between the sites involved, to size the look-behind."""
    slowest = min(float(p.road_speed_kmh) for p in platforms)
    coords = list(site_ok.values()) + [sites[p.home_site_id] for p in platforms if p.home_site_id in sites]
    lats = [float(s.latitude) for s in coords]
    lons = [float(s.longitude) for s in coords]
    span_km = great_circle_distance_km(min(lats), min(lons), max(lats), max(lons))
    return max(
        [
            road_transit_hours(span_km, slowest, ROAD_FACTOR) * 3600.0 + 60,
            *(h * 3600.0 for h in routes.values()),
        ]
    )


def fleet_load(
    *,
    candidates: list[ModelCapacity],
    sites: dict[int, LaunchSite],
    site_ok: dict[int, LaunchSite],
    routes: dict[tuple[int, int], float],
    earliest: datetime,
    latest_s: float,
    window_s: float,
) -> Fleet:
    """Platforms (1 query) and pads (1 query) that can fly the candidates from a site that
    reaches the orbit, with their live reservations that can touch a window between
    ``earliest`` and ``latest`` plus the travel on each side (1 query), and the models each
    carries or serves (1 query each)."""
    mobile_providers = sorted({vm.provider_id for vm, _ in candidates if vm.mobile_launch})
    want_pads = any(not vm.mobile_launch for vm, _ in candidates)
    lo_s = earliest.timestamp()
    max_transit_s = 0.0
    platforms: list[MobilePlatform] = []
    if mobile_providers and site_ok:
        platforms = _platforms(providers=mobile_providers, earliest=earliest)
        if platforms:
            max_transit_s = _max_transit_s(platforms, sites, site_ok, routes)
            max_setup_s = max(float(p.setup_hours) for p in platforms) * 3600.0
            lo_s = earliest.timestamp() - max_transit_s - max_setup_s
    lo = datetime.fromtimestamp(lo_s, tz=UTC)
    pads: list[Pad] = []
    if want_pads and site_ok:
        pads = list(Pad.objects.filter(active=True, site_id__in=list(site_ok)).order_by("site__code", "name"))
    # A reservation whose span starts after ``hi`` cannot constrain a window opening by ``latest``.
    after_window_s = max(
        [float(p.teardown_hours) * 3600.0 + max_transit_s for p in platforms]
        + [float(pad.turnaround_hours) * 3600.0 for pad in pads]
        + [0.0]
    )
    hi = datetime.fromtimestamp(latest_s + window_s + after_window_s + 60, tz=UTC)
    by_platform = {p.pk: _platform_record(p) for p in platforms}
    by_pad = {pad.pk: _pad_record(pad) for pad in pads}
    records = [*by_platform.values(), *by_pad.values()]
    if records:
        _reservations_load(by_platform, by_pad, lo=lo, hi=hi)
    carried, served = compatibility_load(platforms=platforms, pads=pads)
    return Fleet(records=records, platforms=platforms, pads=pads, hi=hi, carried=carried, served=served)


def _platform_record(p: MobilePlatform) -> PlanRecord:
    rec = PlanRecord(platform=p, label=p.name)
    site_id, until = p.anchor_site, p.anchor_until  # type: ignore[attr-defined]
    rec.anchor_site_id = site_id or p.home_site_id
    rec.anchor_until = seconds(until) if until is not None else -math.inf
    rec.setup_s, rec.teardown_s, rec.speed = (
        float(p.setup_hours) * 3600,
        float(p.teardown_hours) * 3600,
        p.road_speed_kmh,
    )
    return rec


def _pad_record(pad: Pad) -> PlanRecord:
    rec = PlanRecord(pad=pad, label=f"pad {pad.name}")
    rec.anchor_site_id, rec.anchor_until = pad.site_id, -math.inf
    rec.setup_s, rec.teardown_s, rec.speed = 0.0, float(pad.turnaround_hours) * 3600, Decimal(1)
    rec.lead_s = PAD_LEAD_HOURS * 3600.0
    return rec


def _overlapping(lo: datetime, hi: datetime) -> Q:
    """Claims whose [occupied_from, occupied_until) meets [lo, hi): on PostgreSQL as a range
    overlap, which the exclusion constraints' GiST indexes answer without scanning the past."""
    if connection.vendor == "postgresql":
        return Q(
            RawSQL(
                "tstzrange(occupied_from, occupied_until, '[)') && tstzrange(%s, %s, '[)')",
                (lo, hi),
                output_field=BooleanField(),
            )
        )
    return Q(occupied_until__gt=lo, occupied_from__lt=hi)


def _reservations_load(
    by_platform: dict[int, PlanRecord], by_pad: dict[int, PlanRecord], *, lo: datetime, hi: datetime
) -> None:
    """1 query: every live reservation of these platforms and pads in the span, sorted."""
    # The exclusion constraints' GiST indexes (platform or pad, occupied range) find the rows
    # overlapping the span directly: a UNION of the two lookups.
    live = Reservation.objects.filter(_overlapping(lo, hi), released_at__isnull=True)
    parts = []
    if by_platform:
        parts.append(live.filter(platform_id__isnull=False, platform_id__in=list(by_platform)))
    if by_pad:
        parts.append(live.filter(pad_id__isnull=False, pad_id__in=list(by_pad)))
    for platform_id, pad_id, site_id, launch_id, ready_s, arrive_s, until_s in epoch_rows(
        parts,
        ["platform_id", "pad_id", "site_id", "launch_id"],
        [
            Coalesce("ready_at", "occupied_from"),
            Coalesce("arrive_at", "occupied_from"),
            F("occupied_until"),
        ],
    ):
        rec = by_platform[platform_id] if platform_id else by_pad[pad_id]
        rec.recs.append((ready_s, arrive_s, until_s, site_id, launch_id))
    for rec in [*by_platform.values(), *by_pad.values()]:
        rec.recs.sort()


#: The closure-row kind of another launch's range claim (its pk is that launch's id, its reason
#: the launch's name).
RANGE_KIND = "range-claim"  # never a SiteClosure.Kind value


def closure_index_load(
    *, site_ids: list[int], earliest: datetime, hi: datetime, separations: dict[int, int] | None = None
) -> ClosureIndex:
    """2 queries. Per site: closure starts and the running maximum of their ends, so "does
    [t, t + window) touch a closure" is one bisect; other launches' range claims count as
    closures (``RANGE_KIND``) widened by the site's launch separation."""
    separations = separations or {}
    closure_index: ClosureIndex = {}
    closure_rows = [
        (site_id, start, end, pk, kind, reason)
        for site_id, pk, kind, reason, start, end in epoch_rows(
            [SiteClosure.objects.filter(site_id__in=site_ids, starts_at__lt=hi, ends_at__gt=earliest)],
            ["site_id", "pk", "kind", "reason"],
            [F("starts_at"), F("ends_at")],
        )
    ]
    # A range claim [s, e) of another launch blocks every window start t whose own claim
    # [t, t + window + separation) would overlap it: as a closure from s - separation to e.
    separation_s = {pk: minutes * 60.0 for pk, minutes in separations.items()}
    closure_rows += [
        (site_id, start - separation_s.get(site_id, 0.0), end, launch_id, RANGE_KIND, "")
        for site_id, launch_id, start, end in epoch_rows(
            [
                Reservation.objects.filter(
                    _overlapping(earliest, hi + timedelta(minutes=max(separations.values(), default=0))),
                    range_site_id__in=site_ids,
                    released_at__isnull=True,
                )
            ],
            ["range_site_id", "launch_id"],  # names only for the reasons (planner_words)
            [F("occupied_from"), F("occupied_until")],
        )
    ]
    closure_rows.sort()
    for site_id, start, end, pk, kind, reason in closure_rows:
        starts, max_ends, rows = closure_index.setdefault(site_id, ([], [], []))
        starts.append(start)
        max_ends.append(max(end, max_ends[-1]) if max_ends else end)
        rows.append((start, end, pk, kind, reason))
    return closure_index


def epoch_rows(
    querysets: Sequence[Any], fields: Sequence[str], times: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """Rows of ``fields`` then ``times`` (datetime expressions) as float epoch seconds, the
    querysets one after the other (UNION ALL).

    On PostgreSQL the database converts and the rows come straight from the cursor: no datetime
    objects and no per-row converters, which counts for thousands of rows. Elsewhere Python
    converts.
    """
    postgres = connection.vendor == "postgresql"
    names = [f"epoch_{n}" for n in range(len(times))]
    selected = [
        qs.order_by()
        .annotate(
            **{name: epoch(expr) if postgres else expr for name, expr in zip(names, times, strict=True)}
        )
        .values_list(*fields, *names)
        for qs in querysets
    ]
    rows = selected[0].union(*selected[1:], all=True) if len(selected) > 1 else selected[0]
    if postgres:
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    n = len(fields)
    return [row[:n] + tuple(None if value is None else seconds(value) for value in row[n:]) for row in rows]


def seconds(value: datetime | float) -> float:
    """Epoch seconds of a datetime, or the value itself when the database already converted it."""
    return value.timestamp() if isinstance(value, datetime) else value


def epoch(expression: Any) -> Func:
    """PostgreSQL: a timestamptz as float seconds since the epoch."""
    if isinstance(expression, str):
        expression = F(expression)
    return Func(expression, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", output_field=FloatField())


def dt(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def route_legs(catalog: KeptCatalog | None = None) -> list[RouteLeg]:
    """The whole route table (every mode) as legs for ``vehicles.logistics``: ``catalog``'s (the
    kept one), else 1 query."""
    if catalog is not None:
        return list(catalog.routes)
    return [
        RouteLeg(origin_id, destination_id, mode, hours)
        for origin_id, destination_id, mode, hours in Route.objects.order_by("pk").values_list(
            "origin_id", "destination_id", "mode", "transit_hours"
        )
    ]


def rocket_place(vehicle: Vehicle) -> RocketPlace | None:
    """Where ``vehicle`` is for its journey: the site it is bound for (free when it arrives) or
    the site it is stored at (free now). ``None``: at no site yet."""
    if vehicle.in_transit_to_id is not None:
        return RocketPlace(vehicle.serial, vehicle.in_transit_to_id, vehicle.transit_arrives_at)  # type: ignore[arg-type]
    if vehicle.storage_site_id is not None:
        return RocketPlace(vehicle.serial, vehicle.storage_site_id, datetime.min.replace(tzinfo=UTC))
    return None


@dataclass
class RocketFloors:
    """Per (model id, site id): the earliest window start the model's best-placed ready rocket
    allows (journey plus pad campaign) and that rocket; its journey in words on demand."""

    floor_s: dict[tuple[int, int], float] = field(default_factory=dict)
    vehicle_id: dict[tuple[int, int], int] = field(default_factory=dict)
    place: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)  # (serial, site id)
    routes: list[RouteLeg] = field(default_factory=list)
    site_names: dict[int, str] = field(default_factory=dict)

    def text(self, model_id: int, site_id: int) -> str:
        """ "KZ11-Y3 is at Taiyuan: 3 days by rail to Jiuquan" (for the reasons only)."""
        found = self.place.get((model_id, site_id))
        if found is None:
            return "no ready rocket can get there"
        serial, origin_id = found
        journey = rocket_journey(
            origin_id=origin_id, destination_id=site_id, routes=self.routes, site_names=self.site_names
        )
        return journey_text(serial=serial, journey=journey, site_names=self.site_names)


def rocket_floors_load(
    *,
    candidates: list[ModelCapacity],
    site_ids: list[int],
    sites: dict[int, LaunchSite],
    routes: list[RouteLeg],
    now_s: float,
) -> RocketFloors:
    """1 query: every ready rocket of the candidate models, where it is; then per model and site
    the quickest to arrive (one search of the route table per place rockets are at, so 2,000
    rockets cost little)."""
    floors = RocketFloors(routes=routes, site_names={pk: site.name for pk, site in sites.items()})
    models = {vm.pk: vm for vm, _ in candidates}
    if not models or not site_ids:
        return floors
    # The earliest-free rocket per (model, place): the others at the same place cannot do better.
    best_at: dict[tuple[int, int], tuple[float, str, int]] = {}
    for vehicle_id, model_id, serial, stored_id, bound_id, arrives_s in epoch_rows(
        [Vehicle.objects.filter(vehicle_model_id__in=list(models), status=Vehicle.Status.READY_STORAGE)],
        ["pk", "vehicle_model_id", "serial", "storage_site_id", "in_transit_to_id"],
        [F("transit_arrives_at")],
    ):
        place = bound_id or stored_id
        if place is None:
            continue
        free_s = max(arrives_s if bound_id and arrives_s is not None else now_s, now_s)
        key = (model_id, place)
        if key not in best_at or (free_s, serial) < best_at[key][:2]:
            best_at[key] = (free_s, serial, vehicle_id)
    reach = journey_hours_by_origin(origin_ids=sorted({place for _, place in best_at}), routes=routes)
    for (model_id, place), (free_s, serial, vehicle_id) in sorted(best_at.items()):
        campaign_s = float(models[model_id].min_pad_campaign_hours) * 3600.0
        hours_to = reach[place]
        for site_id in site_ids:
            key = (model_id, site_id)
            hours = hours_to.get(site_id)
            if hours is None:
                if key not in floors.place:  # no route: say so for the first rocket met
                    floors.floor_s.setdefault(key, math.inf)
                    floors.place[key] = (serial, place)
                continue
            floor = free_s + float(hours) * 3600.0 + campaign_s
            if floor < floors.floor_s.get(key, math.inf):
                floors.floor_s[key] = floor
                floors.vehicle_id[key] = vehicle_id
                floors.place[key] = (serial, place)
    return floors


def compatibility_load(
    *, platforms: list[MobilePlatform], pads: list[Pad]
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """2 queries: the models each truck carries and each pad lists (families are on the pad row)."""
    carried: dict[int, set[int]] = {p.pk: set() for p in platforms}
    served: dict[int, set[int]] = {pad.pk: set() for pad in pads}
    if platforms:
        through = MobilePlatform.vehicle_models.through
        for platform_id, model_id in through.objects.filter(mobileplatform_id__in=list(carried)).values_list(
            "mobileplatform_id", "vehiclemodel_id"
        ):
            carried[platform_id].add(model_id)
    if pads:
        through = Pad.vehicle_models.through
        for pad_id, model_id in through.objects.filter(pad_id__in=list(served)).values_list(
            "pad_id", "vehiclemodel_id"
        ):
            served[pad_id].add(model_id)
    return carried, served


def readiness_chain_minutes(*, service_level: str, returnable: bool) -> int:
    """1 query: the minimum chain of the readiness template a launch of this kind follows (the
    shipped template's when the row is missing, as ``readiness.template_for`` would install it)."""
    if service_level == "express":
        slug = EXPRESS_RETURNABLE_SLUG if returnable else EXPRESS_SLUG
    else:
        slug = CARGO_SLUG if returnable else STANDARD_SLUG
    rows = list(
        TemplateStep.objects.filter(template__slug=slug).values_list(
            "code", "offset_minutes", "min_duration_minutes"
        )
    )
    if rows:
        return minimum_chain_minutes([_ChainRow(code, offset, minimum) for code, offset, minimum in rows])
    shipped = next(spec for spec in SHIPPED_TEMPLATES if spec.slug == slug)
    return minimum_chain_minutes(shipped.steps)


@dataclass(frozen=True)
class _ChainRow:
    code: str
    offset_minutes: int
    min_duration_minutes: int
