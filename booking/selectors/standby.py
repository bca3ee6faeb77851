"""Standby lists, read: who waits for what, in which order, and whether a payload is ready.

The order of a list is the order entries joined (``created_at``, then pk). An entry on one launch
waits with the other entries on that launch; an orbit entry with the other orbit entries of its
family. Whether a payload fits a launch is the booking engine's rule (``selectors.guards``);
what an orbit entry adds (family, inclination band, dates) is ``booking.rules.standby``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import Booking, Launch, StandbyEntry
from booking.rules.standby import LaunchShape, OrbitTarget, target_admits
from booking.selectors.capacity import BOOKED_STATUSES, capacity_taking_q
from booking.selectors.fit import launches_selling_q
from customers.models import Customer, Document, Payload
from vehicles.models import Provider

Status = StandbyEntry.Status


def payload_readiness_refusal(*, payload: Payload, customer: Customer) -> str | None:
    """Why ``payload`` is not ready to be offered a seat, or ``None`` when it is.

    THE rule of a ready payload: its customer's export screening is cleared and at least one of
    the payload's documents is approved. Offers go to ready payloads only, so an offer can be
    confirmed as soon as it is made.
    """
    if customer.export_screening != Customer.ExportScreening.CLEARED:
        return _("%(customer)s's export screening is %(state)s: offers wait until it is cleared") % {
            "customer": customer.name,
            "state": customer.get_export_screening_display().lower(),
        }
    if not Document.objects.filter(payload_id=payload.pk, status=Document.Status.APPROVED).exists():
        return _("%(payload)s has no approved document yet: upload one and have it reviewed") % {
            "payload": payload.name
        }
    return None


def payload_has_live_booking(*, payload_id: int, now: datetime, exclude_id: int | None = None) -> bool:
    """Whether the payload already rides a launch (a booking that takes capacity at ``now``)."""
    rows = Booking.objects.filter(capacity_taking_q(now=now), payload_id=payload_id)
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return rows.exists()


def orbit_target(entry: StandbyEntry) -> OrbitTarget:
    return OrbitTarget(
        orbit_family=entry.orbit_family,
        inclination_min_deg=entry.inclination_min_deg,
        inclination_max_deg=entry.inclination_max_deg,
        earliest_date=entry.earliest_date,
        latest_date=entry.latest_date,
    )


def launch_shape(launch: Launch) -> LaunchShape:
    return LaunchShape(
        orbit_family=launch.orbit_family,
        inclination_deg=launch.inclination_deg,
        net_date=launch.net.astimezone(UTC).date(),
    )


def entry_targets_launch(entry: StandbyEntry, launch: Launch) -> bool:
    """Whether ``launch`` is what the entry waits for (the payload's fit aside)."""
    if entry.launch_id is not None:
        return entry.launch_id == launch.pk
    return target_admits(orbit_target(entry), launch_shape(launch))


def standby_candidates(*, launch: Launch) -> list[StandbyEntry]:
    """The waiting entries ``launch`` could serve, in list order (the payload's fit aside)."""
    rows = (
        StandbyEntry.objects.filter(status=Status.WAITING)
        .filter(Q(launch_id=launch.pk) | Q(launch__isnull=True, orbit_family=launch.orbit_family))
        .select_related("payload", "customer")
        .order_by("created_at", "pk")
    )
    return [entry for entry in rows if entry_targets_launch(entry, launch)]


def waiting_standby(*, provider: Provider | None = None) -> QuerySet[StandbyEntry]:
    """Entries waiting for a seat, in list order: with ``provider``, those on its launches and
    every orbit entry of a family its selling launches fly (an orbit entry rides any provider)."""
    rows = StandbyEntry.objects.filter(status=Status.WAITING).select_related("payload", "customer", "launch")
    if provider is not None:
        families = Launch.objects.filter(provider=provider, status__in=Launch.ACTIVE_STATUSES).values(
            "orbit_family"
        )
        rows = rows.filter(Q(launch__provider=provider) | Q(launch__isnull=True, orbit_family__in=families))
    return rows.order_by("created_at", "pk")


def standby_position(entry: StandbyEntry) -> int | None:
    """1 for the next entry of its list to be offered a seat; ``None`` once it is not waiting."""
    if entry.status != Status.WAITING:
        return None
    same_list = (
        Q(launch_id=entry.launch_id)
        if entry.launch_id is not None
        else Q(launch__isnull=True, orbit_family=entry.orbit_family)
    )
    ahead = StandbyEntry.objects.filter(same_list, status=Status.WAITING).filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk)
    )
    return ahead.count() + 1


def get_standby_entries_for(customer: Customer) -> QuerySet[StandbyEntry]:
    """The customer's entries, newest first."""
    return (
        StandbyEntry.objects.filter(customer=customer)
        .select_related("payload", "launch", "offer_booking__launch")
        .order_by("-created_at", "-pk")
    )


def get_standby_entry_for(customer: Customer, pk: int) -> StandbyEntry | None:
    return get_standby_entries_for(customer).filter(pk=pk).first()


def standby_launch_ids_due(*, now: datetime | None = None) -> list[int]:
    """Launches a sweep should pass over: those with an offer to settle (its hold ran out or its
    booking moved on) and the selling launches some waiting entry could ride."""
    now = now or timezone.now()
    settle = set(
        StandbyEntry.objects.filter(status=Status.OFFERED)
        .filter(
            Q(offer_expires_at__lte=now)
            | ~Q(offer_booking__status=Booking.Status.HELD)
            | Q(offer_booking__isnull=True)
        )
        .values_list("offer_booking__launch_id", flat=True)
    )
    waiting = StandbyEntry.objects.filter(status=Status.WAITING)
    selling = Launch.objects.filter(launches_selling_q(now=now))
    on_launches = set(selling.filter(pk__in=waiting.values("launch_id")).values_list("pk", flat=True))
    families = set(waiting.filter(launch__isnull=True).values_list("orbit_family", flat=True))
    for_orbits = set(selling.filter(orbit_family__in=families).values_list("pk", flat=True))
    return sorted(pk for pk in settle | on_launches | for_orbits if pk is not None)


def offers_to_settle(*, launch: Launch, now: datetime) -> QuerySet[StandbyEntry]:
    """Offered entries on ``launch`` whose booking is no longer a live hold: accepted (confirmed),
    lapsed (the hold ran out) or gone (cancelled, moved)."""
    return (
        StandbyEntry.objects.filter(status=Status.OFFERED, offer_booking__launch_id=launch.pk)
        .filter(
            Q(offer_expires_at__lte=now)
            | ~Q(offer_booking__status=Booking.Status.HELD)
            | Q(offer_booking__hold_expires_at__lte=now)
        )
        .select_related("offer_booking", "payload", "customer")
        .order_by("pk")
    )


def booked_for_good(booking: Booking) -> bool:
    return booking.status in BOOKED_STATUSES
