"""Customers register payloads: a mass and a target orbit the catalog can actually reach."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from customers.models import Customer, Payload
from vehicles.models import CapacityPoint, LaunchSite, OrbitFamily
from vehicles.orbits import OrbitError, lowest_reachable_inclination, sun_synchronous_inclination

from .errors import InvalidRequest
from .events import Actor, event_record

# How far a requested sun-synchronous inclination may stray from the one the altitude implies.
SSO_INCLINATION_TOLERANCE_DEG = Decimal("0.5")


def payload_orbit_problems(
    *, orbit_family: str, altitude_km: int, inclination_deg: Decimal | None
) -> dict[str, str]:
    """Why the catalog cannot fly to this orbit, per field (empty when it can).

    An orbit is reachable when some active vehicle model has capacity points for the family that
    span the altitude, some launch site reaches the inclination by direct ascent and, for SSO,
    the inclination is the sun-synchronous one for the altitude.
    """
    problems: dict[str, str] = {}
    if orbit_family not in OrbitFamily.values:
        return {"family": f"{orbit_family!r} is not an orbit family ({', '.join(OrbitFamily.values)})."}
    if orbit_family == OrbitFamily.SSO:
        try:
            sso = Decimal(f"{sun_synchronous_inclination(altitude_km):.2f}")
        except OrbitError as exc:
            return {"altitude_km": f"{exc}."}
        if inclination_deg is not None and abs(inclination_deg - sso) > SSO_INCLINATION_TOLERANCE_DEG:
            problems["inclination_deg"] = (
                f"A sun-synchronous orbit at {altitude_km} km is inclined {sso}°, not {inclination_deg}°; "
                "leave the inclination empty to use it."
            )
    spans = [(min(alts), max(alts)) for alts in _altitudes_by_model(orbit_family).values() if alts]
    if not spans:
        problems["family"] = f"No vehicle in the catalog flies to {orbit_family}."
    elif not any(low <= altitude_km <= high for low, high in spans):
        low = min(s[0] for s in spans)
        high = max(s[1] for s in spans)
        problems["altitude_km"] = (
            f"No vehicle in the catalog reaches {orbit_family} {altitude_km} km: "
            f"capacities are known from {low} to {high} km."
        )
    if inclination_deg is not None and "inclination_deg" not in problems and orbit_family != OrbitFamily.SSO:
        latitudes = dict(LaunchSite.objects.values_list("name", "latitude"))
        if latitudes:
            site, lowest = lowest_reachable_inclination(latitudes)
            if inclination_deg < Decimal(f"{lowest:.2f}"):
                problems["inclination_deg"] = (
                    f"No launch site reaches {inclination_deg}°: the lowest reachable inclination is "
                    f"{lowest:.2f}° from {site}."
                )
    return problems


def _altitudes_by_model(orbit_family: str) -> dict[int, list[int]]:
    by_model: dict[int, list[int]] = {}
    rows = CapacityPoint.objects.filter(orbit_family=orbit_family, vehicle_model__active=True).values_list(
        "vehicle_model_id", "altitude_km"
    )
    for model_id, altitude in rows:
        by_model.setdefault(model_id, []).append(altitude)
    return by_model


def payload_create(
    *,
    customer: Customer,
    actor: Actor,
    name: str,
    mass_kg: Decimal,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | None = None,
    returnable: bool = False,
) -> Payload:
    """Register a payload of ``customer``. Refuses an orbit no vehicle and site can reach."""
    name = (name or "").strip()
    if not name:
        raise InvalidRequest("A payload needs a name.")
    if mass_kg <= 0:
        raise InvalidRequest(f"A payload's mass must be above 0 kg, not {mass_kg} kg.")
    problems = payload_orbit_problems(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg
    )
    if problems:
        messages = list(problems.values())
        raise InvalidRequest(messages[0], reasons=messages)
    try:
        with transaction.atomic():
            payload = Payload.objects.create(
                customer=customer,
                name=name,
                mass_kg=mass_kg,
                orbit_family=orbit_family,
                altitude_km=altitude_km,
                inclination_deg=inclination_deg,
                returnable=returnable,
            )
            event_record(
                verb="payload.created",
                subject=payload,
                actor=actor,
                customer=customer,
                after={
                    "name": name,
                    "mass_kg": mass_kg,
                    "orbit": f"{orbit_family} {altitude_km} km",
                    "returnable": returnable,
                },
                message=f"Payload {name} ({mass_kg} kg to {orbit_family} {altitude_km} km) registered",
            )
    except IntegrityError as exc:
        raise InvalidRequest(f"{customer} already has a payload named {name!r}.") from exc
    return payload
