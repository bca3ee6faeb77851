"""Changing a vehicle model's capacity curve without leaving a launch over capacity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import day_month
from booking.errors import Conflict
from booking.models import Launch
from booking.rules import orbit as orbit_rule
from booking.selectors.capacity import launch_booked_mass_kg
from booking.selectors.catalog import catalog_changed
from booking.selectors.fit import fmt_kg, launch_label
from vehicles.models import CapacityPoint, VehicleModel

from . import locking
from .events import Actor, event_record

# Launches whose payloads are still to fly: their bookings must keep fitting the curve.
UNFLOWN = (Launch.Status.PLANNED, Launch.Status.SCHEDULED, Launch.Status.HOLD, Launch.Status.GO)

#: (orbit_family, altitude_km, capacity_kg) or, with the inclination it was measured at,
#: (orbit_family, altitude_km, capacity_kg, inclination_deg or None).
CurvePoint = tuple[str, int, Decimal] | tuple[str, int, Decimal, Decimal | None]


def _rows(points: Iterable[CurvePoint]) -> list[orbit_rule.CapacityRow]:
    rows: list[orbit_rule.CapacityRow] = []
    for point in points:
        inclination = point[3] if len(point) > 3 else None  # type: ignore[misc]
        rows.append(
            (
                point[0],
                int(point[1]),
                None if inclination is None else Decimal(inclination),
                Decimal(point[2]),
            )
        )
    return rows


def _curve_capacity_kg(rows: list[orbit_rule.CapacityRow], launch: Launch) -> Decimal:
    try:
        return orbit_rule.capacity_kg(
            model_name=launch.vehicle_model.name,
            rows=rows,
            orbit_family=launch.orbit_family,
            altitude_km=launch.altitude_km,
            inclination_deg=Decimal(launch.inclination_deg),
        )
    except orbit_rule.CapacityUnknown:
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
    rows = _rows(points)
    problems = []
    launches = (
        Launch.objects.filter(vehicle_model=vehicle_model, status__in=UNFLOWN)
        .select_related("vehicle__vehicle_model", "vehicle_model")
        .order_by("window_start", "pk")
    )
    for launch in launches:
        booked_kg = launch_booked_mass_kg(launch=launch, now=now)
        if booked_kg <= 0:
            continue
        capacity_kg = _curve_capacity_kg(rows, launch)
        if booked_kg > capacity_kg:
            day = launch.window_start
            problems.append(
                _(
                    "%(launch)s · %(orbit_family)s %(altitude_km)s km on %(day)s carries %(booked_kg)s kg; "
                    "this curve would give it %(capacity_kg)s kg"
                )
                % {
                    "launch": launch_label(launch),
                    "orbit_family": launch.orbit_family,
                    "altitude_km": launch.altitude_km,
                    "day": day_month(day),
                    "booked_kg": fmt_kg(booked_kg),
                    "capacity_kg": fmt_kg(capacity_kg),
                }
            )
    if not problems:
        return None
    return "; ".join(problems) + ". Cancel or rebook those bookings first, or keep the curve above them."


def rows_as_points(rows: Iterable[orbit_rule.CapacityRow]) -> list[CurvePoint]:
    return [(orbit, altitude, kg, inclination) for orbit, altitude, inclination, kg in rows]


def _described(orbit: str, altitude: int, kg: Decimal, inclination: Decimal | None) -> list[object]:
    """A point as the audit log keeps it: [family, km, "kg"] and, when measured, "at N°"."""
    described: list[object] = [orbit, altitude, str(Decimal(kg).quantize(Decimal("0.1")))]
    if inclination is not None:
        described.append(f"at {Decimal(inclination).quantize(Decimal('0.01'))}°")
    return described


@transaction.atomic
def capacity_curve_replace(
    *, vehicle_model: VehicleModel, points: Iterable[CurvePoint], actor: Actor
) -> list[CapacityPoint]:
    """Make ``points`` the whole capacity curve of ``vehicle_model`` and record the change.

    The model's unflown launches are locked first (the lock a hold takes), so no booking slips in
    between the check and the new curve; ``Conflict`` when a launch would be left over capacity.
    """
    rows = _rows(points)
    locking.lock_launches(list(Launch.objects.filter(vehicle_model=vehicle_model, status__in=UNFLOWN)))
    refusal = capacity_curve_refusal(vehicle_model=vehicle_model, points=rows_as_points(rows))
    if refusal:
        raise Conflict(refusal)
    existing = list(CapacityPoint.objects.filter(vehicle_model=vehicle_model))
    before = sorted(
        _described(p.orbit_family, p.altitude_km, p.capacity_kg, p.inclination_deg) for p in existing
    )
    after = sorted(_described(orbit, altitude, kg, inclination) for orbit, altitude, inclination, kg in rows)
    if before == after:
        return existing
    CapacityPoint.objects.filter(vehicle_model=vehicle_model).delete()
    catalog_changed()  # bulk_create sends no signals
    created = CapacityPoint.objects.bulk_create(
        CapacityPoint(
            vehicle_model=vehicle_model,
            orbit_family=orbit,
            altitude_km=altitude,
            capacity_kg=kg,
            inclination_deg=inclination,
        )
        for orbit, altitude, inclination, kg in rows
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
