"""Changing a vehicle model's capacity curve without leaving a launch over capacity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from booking.dates import day_month
from booking.errors import Conflict
from booking.models import Launch
from booking.selectors.capacity import launch_booked_mass_kg
from booking.selectors.fit import fmt_kg, launch_label
from vehicles.models import CapacityPoint, VehicleModel
from vehicles.orbits import OrbitError, capacity_at_altitude

from . import locking
from .events import Actor, event_record

# Launches whose payloads are still to fly: their bookings must keep fitting the curve.
UNFLOWN = (Launch.Status.PLANNED, Launch.Status.SCHEDULED, Launch.Status.HOLD, Launch.Status.GO)

CurvePoint = tuple[str, int, Decimal]  # (orbit_family, altitude_km, capacity_kg)


def _curves(points: Iterable[CurvePoint]) -> dict[str, list[tuple[int, Decimal]]]:
    curves: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for orbit_family, altitude_km, capacity_kg in points:
        curves[orbit_family].append((altitude_km, Decimal(capacity_kg)))
    return curves


def _curve_capacity_kg(curves: dict[str, list[tuple[int, Decimal]]], launch: Launch) -> Decimal:
    try:
        return capacity_at_altitude(curves.get(launch.orbit_family, []), launch.altitude_km)
    except OrbitError:
        return Decimal("0.0")


def capacity_curve_refusal(
    *, vehicle_model: VehicleModel, points: Iterable[CurvePoint], now: datetime | None = None
) -> str | None:
    """Why ``points`` cannot become ``vehicle_model``'s curve, or ``None`` when they can.

    A curve is refused when it would give an unflown launch of the model less capacity than its
    bookings already take: "Kuaizhou-1A KZ1A-Y7 · SSO 500 km on 4 Dec carries 45.0 kg; this curve
    would give it 10.0 kg".
    """
    now = now or timezone.now()
    curves = _curves(points)
    problems = []
    launches = (
        Launch.objects.filter(vehicle_model=vehicle_model, status__in=UNFLOWN)
        .select_related("vehicle__vehicle_model")
        .order_by("window_start", "pk")
    )
    for launch in launches:
        booked_kg = launch_booked_mass_kg(launch=launch, now=now)
        if booked_kg <= 0:
            continue
        capacity_kg = _curve_capacity_kg(curves, launch)
        if booked_kg > capacity_kg:
            day = launch.window_start
            problems.append(
                f"{launch_label(launch)} · {launch.orbit_family} {launch.altitude_km} km on "
                f"{day_month(day)} carries {fmt_kg(booked_kg)} kg; this curve would give it "
                f"{fmt_kg(capacity_kg)} kg"
            )
    if not problems:
        return None
    return "; ".join(problems) + ". Cancel or rebook those bookings first, or keep the curve above them."


@transaction.atomic
def capacity_curve_replace(
    *, vehicle_model: VehicleModel, points: Iterable[CurvePoint], actor: Actor
) -> list[CapacityPoint]:
    """Make ``points`` the whole capacity curve of ``vehicle_model`` and record the change.

    The model's unflown launches are locked first (the lock a hold takes), so no booking slips in
    between the check and the new curve; ``Conflict`` when a launch would be left over capacity.
    """
    points = [(orbit, int(altitude), Decimal(capacity)) for orbit, altitude, capacity in points]
    locking.lock_launches(list(Launch.objects.filter(vehicle_model=vehicle_model, status__in=UNFLOWN)))
    refusal = capacity_curve_refusal(vehicle_model=vehicle_model, points=points)
    if refusal:
        raise Conflict(refusal)
    existing = list(CapacityPoint.objects.filter(vehicle_model=vehicle_model))
    before = sorted((p.orbit_family, p.altitude_km, str(p.capacity_kg)) for p in existing)
    after = sorted((orbit, altitude, str(capacity)) for orbit, altitude, capacity in points)
    if before == after:
        return existing
    CapacityPoint.objects.filter(vehicle_model=vehicle_model).delete()
    created = CapacityPoint.objects.bulk_create(
        CapacityPoint(vehicle_model=vehicle_model, orbit_family=orbit, altitude_km=altitude, capacity_kg=kg)
        for orbit, altitude, kg in points
    )
    event_record(
        verb="vehicle_model.capacity_changed",
        subject=vehicle_model,
        actor=actor,
        before={"capacity_points": before},
        after={"capacity_points": after},
        message=f"Capacity curve of {vehicle_model} changed ({len(before)} → {len(after)} points).",
        provider=vehicle_model.provider,
    )
    return created
