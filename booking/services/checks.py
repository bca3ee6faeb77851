"""Automatic readiness checks.

Each check is a function ``(*, launch, step, now) -> (passed, detail)``: it only reads, and its
detail says in plain words what it found. ``step_check_run`` (readiness.py) runs them in a Celery
task and records the result; a check that has not passed is tried again later, and a blocking
step whose check still has not passed when its grace runs out is late and holds the launch.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q, QuerySet
from django.utils.module_loading import import_string

from booking.dates import day_text, hour_key, hour_text, when_short
from booking.models import Booking, Launch, PlanStep, Reservation
from booking.rules.orbit import CapacityUnknown, fmt_deg
from booking.rules.readiness import go_blockers
from booking.rules.text import closure_text
from booking.selectors.capacity import capacity_taking_q, launch_booked_mass_kg
from booking.selectors.orbit import vehicle_capacity_kg
from booking.selectors.returns import launch_return_mass_kg, launch_waste_kg
from customers.models import Customer, Document, PaymentMilestone
from vehicles.models import LaunchSite, SiteClosure, Vehicle, VehicleModel

logger = logging.getLogger(__name__)

CheckResult = tuple[bool, str]
Check = Callable[..., CheckResult]


def _kg(value: Decimal) -> str:
    return f"{value:,.1f} kg"


def live_bookings(*, launch: Launch, now: datetime) -> QuerySet[Booking]:
    """Bookings that ride the launch: confirmed, manifested, or held and not yet expired."""
    return Booking.objects.filter(capacity_taking_q(now=now), launch=launch)


def check_payment_paid(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """Every payment milestone of the launch's bookings due by the step's due time is paid."""
    references = list(live_bookings(launch=launch, now=now).values_list("reference", flat=True))
    due = PaymentMilestone.objects.filter(reference__in=references, due_at__lte=step.due_at)
    unpaid = list(due.filter(Q(paid_at__isnull=True) | Q(paid_at__gt=now)).order_by("due_at", "pk"))
    if unpaid:
        first = unpaid[0]
        more = f" and {len(unpaid) - 1} more" if len(unpaid) > 1 else ""
        return False, (
            f"unpaid: {first.reference} {first.label} {first.amount:,.2f} {first.currency} "
            f"due {day_text(first.due_at)}{more}"
        )
    count = due.count()
    if count == 0:
        return True, "no payment milestone is due yet"
    return True, f"{count} payment milestone{'s' if count != 1 else ''} paid"


def _documents_check(*, launch: Launch, now: datetime, kind: str | None, what: str) -> CheckResult:
    payloads = {
        booking.payload_id: booking.payload.name
        for booking in live_bookings(launch=launch, now=now).select_related("payload")
    }
    if not payloads:
        return True, "no payload is booked on this launch"
    documents = Document.objects.filter(payload_id__in=list(payloads))
    if kind:
        documents = documents.filter(kind=kind)
    statuses: dict[int, list[str]] = {payload_id: [] for payload_id in payloads}
    for payload_id, status in documents.values_list("payload_id", "status"):
        statuses[payload_id].append(status)
    missing = []
    for payload_id, found in statuses.items():
        if Document.Status.APPROVED in found:
            continue
        submitted = found.count(Document.Status.SUBMITTED)
        rejected = found.count(Document.Status.REJECTED)
        state = ", ".join(
            part
            for part in (
                f"{submitted} awaiting review" if submitted else "",
                f"{rejected} rejected" if rejected else "",
            )
            if part
        )
        missing.append(f"{payloads[payload_id]}: no approved {what}" + (f" ({state})" if state else ""))
    if missing:
        return False, "; ".join(missing)
    return True, f"{what} approved for {len(payloads)} payload{'s' if len(payloads) != 1 else ''}"


def check_documents_approved(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """Every booked payload has an approved document."""
    return _documents_check(launch=launch, now=now, kind=None, what="document")


def check_icd_approved(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """Every booked payload has an approved interface control document."""
    return _documents_check(launch=launch, now=now, kind=Document.Kind.ICD, what="interface control document")


def check_export_cleared(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """Every customer on the launch has cleared export screening."""
    customer_ids = live_bookings(launch=launch, now=now).values("customer_id")
    not_cleared = list(
        Customer.objects.filter(pk__in=customer_ids)
        .exclude(export_screening=Customer.ExportScreening.CLEARED)
        .order_by("name")
    )
    if not_cleared:
        return False, "; ".join(
            f"{customer.name}: export screening {customer.get_export_screening_display().lower()}"
            for customer in not_cleared
        )
    return True, "export screening cleared for every customer on board"


def check_platform_on_site(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """The mobile platform has arrived at the site (its reservation's arrival time has passed)."""
    if launch.platform_id is None:
        return True, "launches from a fixed pad: nothing to transport"
    reservation = (
        Reservation.objects.filter(launch=launch, platform_id=launch.platform_id, released_at__isnull=True)
        .select_related("platform")
        .order_by("-occupied_from")
        .first()
    )
    if reservation is None:
        return False, f"{launch.platform} has no reservation for {launch.name}"
    if reservation.arrive_at is None:
        return False, f"{reservation.platform}'s arrival time at {launch.site} is not known"
    if reservation.arrive_at > now:
        return (
            False,
            f"{reservation.platform} arrives at {launch.site} at {when_short(reservation.arrive_at)}",
        )
    return True, f"{reservation.platform} arrived at {launch.site} at {when_short(reservation.arrive_at)}"


def check_vehicle_assigned(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """A vehicle is assigned to the launch and is in the assigned state."""
    if launch.vehicle_id is None:
        return False, f"no vehicle is assigned to {launch.name}"
    vehicle = Vehicle.objects.select_related("vehicle_model").get(pk=launch.vehicle_id)
    if vehicle.status != Vehicle.Status.ASSIGNED:
        return False, f"{vehicle} is {vehicle.get_status_display().lower()}, not assigned"
    return True, f"{vehicle} assigned"


def simulated_weather(*, site: LaunchSite, at: datetime) -> CheckResult:
    """A deterministic stand-in for a forecast: the same site and hour always give the same answer.

    About one hour in eight is no-go (wind over 20 m/s, or lightning within 10 km).
    """
    digest = hashlib.sha256(f"{site.code}|{hour_key(at)}".encode()).digest()
    wind_ms = digest[0] % 24
    lightning = digest[1] % 40 == 0
    if lightning:
        return False, f"lightning within 10 km of {site.name} at {hour_text(at)}"
    if wind_ms > 20:
        return False, f"wind {wind_ms} m/s at {site.name} at {hour_text(at)} (limit 20 m/s)"
    return True, f"wind {wind_ms} m/s, no lightning at {site.name} at {hour_text(at)}"


def weather_source() -> Check:
    return import_string(settings.LAUNCHBOOK_WEATHER_SOURCE)


def check_weather_range(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """The range is open over the launch window and the forecast for lift-off is go."""
    closure = (
        SiteClosure.objects.filter(
            site_id=launch.site_id, starts_at__lt=launch.window_end, ends_at__gt=launch.window_start
        )
        .order_by("starts_at")
        .first()
    )
    if closure is not None:
        return False, closure_text(closure, brief=True)
    site = LaunchSite.objects.get(pk=launch.site_id)
    go, detail = weather_source()(site=site, at=launch.net)
    return go, ("range open; " if go else "weather no-go: ") + detail


def check_mass_within_capacity(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """The booked mass still fits the vehicle's capacity to the launch's orbit."""
    booked = launch_booked_mass_kg(launch=launch, now=now)
    vehicle_model = VehicleModel.objects.prefetch_related("capacity_points").get(pk=launch.vehicle_model_id)
    orbit = f"{launch.orbit_family} {launch.altitude_km} km at {fmt_deg(launch.inclination_deg)}°"
    try:
        capacity = vehicle_capacity_kg(
            vehicle_model=vehicle_model,
            orbit_family=launch.orbit_family,
            altitude_km=launch.altitude_km,
            inclination_deg=launch.inclination_deg,
        )
    except CapacityUnknown as exc:
        return False, str(exc)
    if booked > capacity:
        return False, f"booked mass {_kg(booked)} exceeds the {_kg(capacity)} capacity to {orbit}"
    return True, f"{_kg(booked)} booked of {_kg(capacity)} to {orbit}"


def check_return_mass_within_limit(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """The returnable payloads' return mass (not their up-mass) fits the vehicle's return capsule."""
    returning = launch_return_mass_kg(launch=launch, now=now)
    limit = launch.vehicle_model.return_capsule_kg
    if limit is None:
        return (
            False,
            f"{launch.vehicle_model.name} flies no return capsule; {_kg(returning)} is booked to come back",
        )
    if returning > limit:
        return False, f"return mass {_kg(returning)} exceeds the capsule's {_kg(limit)}"
    return True, f"return mass {_kg(returning)} of {_kg(limit)}"


def check_waste_manifested(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """The cargo missions on the launch have their station waste manifested for deorbit, with its mass."""
    waste_kg, lines = launch_waste_kg(launch=launch, now=now)
    if not lines:
        return False, "no station waste is manifested for deorbit yet"
    return (
        True,
        f"{_kg(waste_kg)} of station waste in {lines} item{'s' if lines != 1 else ''} manifested for deorbit",
    )


def check_go_no_go(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """The poll passes when the launch is not on hold and every earlier blocking step is closed."""

    if launch.status == Launch.Status.HOLD:
        return False, f"{launch.name} is on hold"
    if launch.status not in (Launch.Status.SCHEDULED, Launch.Status.GO):
        return False, f"{launch.name} is {launch.get_status_display().lower()}"
    blockers = go_blockers(list(PlanStep.objects.filter(plan_id=step.plan_id)), step)
    if blockers:
        names = ", ".join(f"“{blocker.name}”" for blocker in blockers)
        return False, f"waiting for {names}"
    return True, "every earlier blocking step is done or waived: go"


def check_orbit_confirmed(*, launch: Launch, step: PlanStep, now: datetime) -> CheckResult:
    """After lift-off: the flight reached orbit (launched, or recorded as a success)."""
    if launch.status in (Launch.Status.LAUNCHED, Launch.Status.SUCCESS, Launch.Status.PARTIAL_FAILURE):
        return True, f"{launch.name} reached {launch.orbit_family} {launch.altitude_km} km"
    if launch.status == Launch.Status.FAILURE:
        return False, f"{launch.name} failed"
    return False, f"{launch.name} has not lifted off yet ({launch.get_status_display().lower()})"


CHECKS: dict[str, Check] = {
    "payment_paid": check_payment_paid,
    "documents_approved": check_documents_approved,
    "icd_approved": check_icd_approved,
    "export_cleared": check_export_cleared,
    "platform_on_site": check_platform_on_site,
    "vehicle_assigned": check_vehicle_assigned,
    "weather_range": check_weather_range,
    "mass_within_capacity": check_mass_within_capacity,
    "return_mass_within_limit": check_return_mass_within_limit,
    "waste_manifested": check_waste_manifested,
    "go_no_go": check_go_no_go,
    "orbit_confirmed": check_orbit_confirmed,
}


def check_run(*, step: PlanStep, launch: Launch, now: datetime) -> CheckResult:
    """Run the step's check. A check that breaks reports it as not passed; database errors propagate."""
    check = CHECKS.get(step.check_name)
    if check is None:
        return False, f"there is no automatic check called “{step.check_name}”"
    try:
        passed, detail = check(launch=launch, step=step, now=now)
    except DatabaseError:
        raise
    except Exception as exc:  # a broken source (weather feed) must not stop the other checks
        logger.exception("Readiness check %s failed to run for step %s", step.check_name, step.pk)
        return False, f"the check could not run: {exc}"[:300]
    return bool(passed), detail[:300]
