"""Dedicated launch requests: what a request asks for, who can fly it, and who sees it.

A request names an orbit (a payload's, or one given: family, altitude, inclination, optional
LTAN) and a vehicle model or any. A model can fly it when its capacity curve reaches the orbit
(with the payload's mass and adapter, when a payload is named) and a site it flies from reaches
the inclination by direct ascent: the same tests a dedicated quote makes (``selectors.fit``).
The providers whose operators see a request are written on it when it is made
(``DedicatedRequest.providers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from booking.errors import Conflict, ServiceError
from booking.models import DedicatedRequest, Launch
from booking.rules import orbit as orbit_rule
from booking.selectors.fit import (
    best_site_for_inclination,
    fmt_kg,
    model_capacity_kg,
    orbit_label,
    payload_mass_with_adapter_kg,
)
from booking.selectors.ports import envelope_problem
from customers.models import Customer, Payload
from vehicles.models import LaunchSite, Provider, VehicleModel
from vehicles.selectors import vehicle_models_with_curves


@dataclass(frozen=True)
class RequestedOrbit:
    """The orbit a request asks for; ``inclination_deg`` is the one flown (SSO: from the altitude)."""

    orbit_family: str
    altitude_km: int
    inclination_deg: Decimal | None
    ltan: time | None

    @property
    def label(self) -> str:
        return orbit_label(self.orbit_family, self.altitude_km)


def requested_orbit(
    *,
    payload: Payload | None,
    orbit_family: str | None = None,
    altitude_km: int | None = None,
    inclination_deg: Decimal | None = None,
    ltan: time | None = None,
) -> RequestedOrbit:
    """The payload's orbit when a payload is named, else the orbit given."""
    if payload is not None:
        orbit_family, altitude_km = payload.orbit_family, payload.altitude_km
        inclination_deg, ltan = payload.inclination_deg, payload.ltan
    assert orbit_family is not None and altitude_km is not None
    inclination = orbit_rule.target_inclination_deg(
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_deg=None if inclination_deg is None else Decimal(inclination_deg),
    )
    return RequestedOrbit(orbit_family, altitude_km, inclination, ltan)


def model_flies_problem(
    *,
    vehicle_model: VehicleModel,
    orbit: RequestedOrbit,
    payload: Payload | None,
    sites: list[LaunchSite] | None = None,
) -> str | None:
    """Why ``vehicle_model`` cannot fly the dedicated launch asked for, or ``None`` when it can."""
    if not vehicle_model.active:
        return _("%(model)s is retired: it flies no more launches.") % {"model": vehicle_model}
    try:
        capacity = model_capacity_kg(
            vehicle_model=vehicle_model,
            orbit_family=orbit.orbit_family,
            altitude_km=orbit.altitude_km,
            inclination_deg=orbit.inclination_deg,
        )
        if payload is not None:
            needed = payload_mass_with_adapter_kg(payload, vehicle_model)
            if needed > capacity:
                return _(
                    "%(payload)s needs %(needed)s kg with its adapter; %(model)s lifts %(capacity)s kg to %(orbit)s."
                ) % {
                    "payload": payload.name,
                    "needed": fmt_kg(needed),
                    "model": vehicle_model,
                    "capacity": fmt_kg(capacity),
                    "orbit": orbit.label,
                }
            problem = envelope_problem(vehicle_model=vehicle_model, port=None, payload=payload)
            if problem:
                return problem
        if sites is None:
            sites = list(LaunchSite.objects.prefetch_related("pads", "corridors"))
        best_site_for_inclination(
            vehicle_model=vehicle_model, inclination_deg=orbit.inclination_deg, sites=sites
        )
    except ServiceError as exc:
        return exc.message
    return None


def able_models(
    *, orbit: RequestedOrbit, payload: Payload | None, vehicle_model: VehicleModel | None
) -> tuple[list[VehicleModel], list[str]]:
    """The vehicle models that can fly the request (the one named, or any active one), and why
    the others cannot."""
    sites = list(LaunchSite.objects.prefetch_related("pads", "corridors"))
    if vehicle_model is not None:
        candidates = [vehicle_model]
    else:
        candidates = list(vehicle_models_with_curves().filter(active=True).select_related("provider"))
    able, reasons = [], []
    for model in candidates:
        problem = model_flies_problem(vehicle_model=model, orbit=orbit, payload=payload, sites=sites)
        if problem is None:
            able.append(model)
        elif problem not in reasons:
            reasons.append(problem)
    return able, reasons


def open_dedicated_requests(*, provider: Provider | None = None) -> QuerySet[DedicatedRequest]:
    """Requests waiting for an operator (``requested``), earliest date first; with ``provider``,
    the ones its operators see (the model's provider, or any model it has that can fly them)."""
    qs = DedicatedRequest.objects.filter(status=DedicatedRequest.Status.REQUESTED)
    if provider is not None:
        qs = qs.filter(providers=provider)
    return qs.select_related("customer", "payload", "vehicle_model").order_by("earliest", "pk")


def dedicated_requests_for_providers(provider_ids: set[int] | None) -> QuerySet[DedicatedRequest]:
    """Every request the operators of ``provider_ids`` see (``None``: every provider)."""
    qs = DedicatedRequest.objects.select_related("customer", "payload", "vehicle_model", "launch")
    if provider_ids is None:
        return qs
    return qs.filter(providers__in=provider_ids).distinct()


def dedicated_launch_refusal(*, launch: Launch, customer: Customer) -> str | None:
    """A dedicated launch sold to one customer takes bookings from that customer only."""
    if launch.dedicated_customer_id is not None and launch.dedicated_customer_id != customer.pk:
        return _(
            "%(launch)s is a dedicated launch sold to another customer: it takes no other bookings. "
            "Request a dedicated launch of your own, or choose a rideshare launch."
        ) % {"launch": launch.name}
    return None


def refuse_dedicated_launch(*, launch: Launch, customer: Customer) -> None:
    refusal = dedicated_launch_refusal(launch=launch, customer=customer)
    if refusal:
        raise Conflict(refusal)
