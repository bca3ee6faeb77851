"""What comes back: the return mass booked on a launch against its capsule's limit, and waste.

The capsule's limit is the vehicle model's ``return_capsule_kg`` (empty: it flies no capsule). The
return mass of a booking is its payload's ``return_mass_kg``, not its whole mass. Booking
(``guards.check_launch_fit``) and the readiness check "return mass within the capsule's limit" both
ask ``return_capsule_refusal`` / ``launch_return_mass_kg``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from booking.models import Booking, Launch
from booking.rules.cargo import WASTE, ManifestLine, ProgrammeLimits, kg, manifest_totals
from booking.selectors.capacity import capacity_taking_q
from customers.models import CargoItem, CargoProgramme, Payload


def programme_limits(programme: CargoProgramme | None) -> ProgrammeLimits | None:
    if programme is None:
        return None
    return ProgrammeLimits(
        name=programme.name,
        up_min_kg=programme.up_mass_min_kg,
        up_max_kg=programme.up_mass_max_kg,
        return_min_kg=programme.return_mass_min_kg,
        return_max_kg=programme.return_mass_max_kg,
    )


def payload_manifest_lines(payload: Payload) -> list[ManifestLine]:
    """The manifest's lines (uses prefetched ``cargo_items`` when present)."""
    return [ManifestLine(item.direction, item.mass_kg) for item in payload.cargo_items.all()]


def payload_manifest_totals(payload: Payload) -> dict[str, Decimal]:
    """kg up, down and waste on the payload's manifest: ``{"up": ..., "down": ..., "waste": ...}``."""
    return manifest_totals(payload_manifest_lines(payload))


def launch_return_mass_kg(*, launch: Launch, now: datetime, exclude_payload_id: int | None = None) -> Decimal:
    """The return mass of the returnable payloads riding the launch (bookings that take capacity)."""
    bookings = Booking.objects.filter(capacity_taking_q(now=now), launch=launch, payload__returnable=True)
    if exclude_payload_id is not None:
        bookings = bookings.exclude(payload_id=exclude_payload_id)
    total = bookings.aggregate(total=Sum("payload__return_mass_kg"))["total"]
    return Decimal(total or 0)


def launch_waste_kg(*, launch: Launch, now: datetime) -> tuple[Decimal, int]:
    """Station waste manifested for deorbit on the launch's cargo missions: kg and lines."""
    payload_ids = Booking.objects.filter(capacity_taking_q(now=now), launch=launch).values("payload_id")
    items = CargoItem.objects.filter(payload_id__in=payload_ids, direction=WASTE)
    summary = items.aggregate(total=Sum("mass_kg"))
    return Decimal(summary["total"] or 0), items.count()


def return_capsule_refusal(*, launch: Launch, payload: Payload, now: datetime, label: str) -> str | None:
    """Why the launch cannot bring the payload back, or ``None``. Callers that write hold the launch lock."""
    if not payload.returnable:
        return None
    returning = Decimal(payload.return_mass_kg or 0)
    limit = launch.vehicle_model.return_capsule_kg
    if limit is None:
        return f"{label} flies no return capsule; {payload.name} brings {kg(returning)} back to Earth"
    booked = launch_return_mass_kg(launch=launch, now=now, exclude_payload_id=payload.pk)
    if booked + returning > limit:
        already = f" with the {kg(booked)} already booked to come back" if booked else ""
        return (
            f"return mass {kg(returning)}{already} exceeds the {kg(limit)} the return capsule on {label} "
            f"brings back ({kg(max(limit - booked, Decimal(0)))} left)"
        )
    return None
