"""Capacity, computed from rows, never kept in a counter: a launch carries the mass of its active
bookings (confirmed, manifested) and of its held bookings whose hold has not expired. The one
definition of "takes capacity" is ``capacity_taking_q``. On a launch with ports a booking also takes
one slot of its port for exactly as long (``launch_ports_taken``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import (
    Booking,
    Launch,
    LaunchPort,
)
from booking.selectors.fit import launch_target_capacity_kg
from booking.selectors.kept_reads import KeptReads
from vehicles.models import CapacityPoint

ZERO_KG = Decimal("0.0")

#: The booking flow's counts and its launch's ports, compiled once per shape
#: (``selectors.kept_reads``): each quote and hold asks them.
_KEPT_COUNTS = KeptReads(size=32)


#: Booked for good: these take capacity whatever the time (and fly at lift-off).
BOOKED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.MANIFESTED)


def capacity_taking_q(*, now: datetime, prefix: str = "") -> Q:
    """Bookings that take capacity at ``now``; ``prefix`` is e.g. ``"bookings__"`` from a launch.

    Confirmed and manifested bookings, and held ones whose hold has not run out at ``now``. The
    one definition of "takes capacity" (and of a live booking): ``takes_capacity`` is its twin
    for a row in memory.
    """
    return Q(**{f"{prefix}status__in": list(BOOKED_STATUSES)}) | Q(
        **{f"{prefix}status": Booking.Status.HELD, f"{prefix}hold_expires_at__gt": now}
    )


def launch_has_live_booking(*, launch: Launch, now: datetime) -> bool:
    """Some booking takes capacity on ``launch`` at ``now`` (``capacity_taking_q``)."""
    return Booking.objects.filter(capacity_taking_q(now=now), launch=launch).exists()


def express_launches_unclaimed(*, now: datetime) -> QuerySet[Launch]:
    """Active launches scheduled for an express quote (``Quote.launch_made_for_it``) whose booking
    was never confirmed (its hold lapsed, or it was cancelled or moved while held) and on which no
    live booking rides: the launches the hold expiry sweep releases."""
    never_confirmed = Booking.objects.filter(
        launch=OuterRef("pk"),
        quote__launch=OuterRef("pk"),
        quote__launch_made_for_it=True,
        hold_expires_at__isnull=False,  # a confirm clears it
    )
    live = Booking.objects.filter(capacity_taking_q(now=now), launch=OuterRef("pk"))
    return (
        Launch.objects.filter(status__in=Launch.ACTIVE_STATUSES)
        .filter(Exists(never_confirmed))
        .exclude(Exists(live))
        .order_by("pk")
    )


def takes_capacity(booking: Booking, *, now: datetime) -> bool:
    """``capacity_taking_q`` for one booking already loaded."""
    if booking.status in BOOKED_STATUSES:
        return True
    return (
        booking.status == Booking.Status.HELD
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > now
    )


def _open_holds(*, provider_id: int, now: datetime) -> QuerySet[Booking]:
    """Unconfirmed holds on one provider's launches that still take capacity at ``now``."""
    return Booking.objects.filter(
        capacity_taking_q(now=now), launch__provider_id=provider_id, status=Booking.Status.HELD
    )


def customer_open_holds(*, customer_id: int, provider_id: int, now: datetime) -> QuerySet[Booking]:
    """A customer's unconfirmed holds on one provider's launches that still take capacity at ``now``."""
    return _open_holds(provider_id=provider_id, now=now).filter(customer_id=customer_id)


def _open_hold_masses(customer_id: int, provider_id: int, now: datetime) -> QuerySet:
    return customer_open_holds(customer_id=customer_id, provider_id=provider_id, now=now).values_list(
        "launch_id", "mass_kg"
    )


def customer_open_hold_masses(
    *, customer_id: int, provider_id: int, now: datetime
) -> list[tuple[int, Decimal]]:
    """(launch id, mass) of each of ``customer_open_holds``: what the hold limits count, read on
    every hold (kept)."""
    return _KEPT_COUNTS.rows("open hold masses", _open_hold_masses, (customer_id, provider_id, now))


def open_hold_counts(*, customer_ids: Iterable[int], provider_id: int, now: datetime) -> dict[int, int]:
    """``customer_open_holds(...).count()`` for several customers in one query (absent: none)."""
    rows = (
        _open_holds(provider_id=provider_id, now=now)
        .filter(customer_id__in=list(customer_ids))
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values_list("customer_id", "n")
    )
    return dict(rows)


@dataclass(frozen=True)
class LaunchTaken:
    """What a launch's bookings take at one moment: their mass and each port's slots."""

    mass_kg: Decimal
    #: Slots taken on each port, by ``LaunchPort`` pk.
    port_slots: dict[int, int]


def _taken_rows(launch_id: int, now: datetime) -> QuerySet:
    return (
        Booking.objects.filter(capacity_taking_q(now=now), launch_id=launch_id)
        .values("launch_port_id")
        .annotate(taken=Count("pk"), mass_kg=Sum("mass_kg"))
        .order_by()
    )


def launch_taken(*, launch: Launch, now: datetime) -> LaunchTaken:
    """The mass and the port slots taken on the launch at ``now``, in one query (the fit check asks
    both; ``launch_booked_mass_kg`` and ``launch_ports_taken`` each ask one). Caller holds the launch
    row lock when it is about to add to them."""
    rows = _KEPT_COUNTS.rows("launch taken", _taken_rows, (launch.pk, now))
    mass_kg, port_slots = ZERO_KG, {}
    for row in rows:
        mass_kg += Decimal(row["mass_kg"])
        if row["launch_port_id"] is not None:
            port_slots[row["launch_port_id"]] = row["taken"]
    return LaunchTaken(mass_kg=mass_kg, port_slots=port_slots)


def launch_ports_taken(*, launch: Launch, now: datetime) -> dict[int, int]:
    """Slots taken at ``now`` on each of the launch's ports (by ``LaunchPort`` pk), from booking rows.

    A booking takes its port exactly while it takes capacity (``capacity_taking_q``). Writers
    call this holding the launch row lock, so two holds never both take the last slot.
    """
    rows = (
        Booking.objects.filter(capacity_taking_q(now=now), launch_id=launch.pk, launch_port__isnull=False)
        .values("launch_port_id")
        .annotate(taken=Count("pk"))
    )
    return {row["launch_port_id"]: row["taken"] for row in rows}


def launch_ports_free(
    *, launch: Launch, now: datetime, taken: LaunchTaken | None = None
) -> list[tuple[LaunchPort, int]]:
    """Each port of the launch with the slots still free at ``now`` (never below 0); ``taken``, when
    given, is what ``launch_taken`` answered for this launch at this ``now``."""
    slots = taken.port_slots if taken is not None else launch_ports_taken(launch=launch, now=now)
    return [(port, max(port.count - slots.get(port.pk, 0), 0)) for port in launch_ports(launch)]


def _ports_of(launch_id: int) -> QuerySet[LaunchPort]:
    return LaunchPort.objects.filter(launch_id=launch_id)


def _ports_prefetched(launch: Launch) -> bool:
    return "ports" in getattr(launch, "_prefetched_objects_cache", {})  # Django's prefetch cache


def launch_ports_prefetch(launch: Launch) -> None:
    """Read the launch's ports once (kept) and keep them on it as ``prefetch_related_objects(
    [launch], "ports")`` does: ``launch.ports.all()`` then answers them without a query, each port
    naming this launch. Nothing is read when they are already there."""
    if _ports_prefetched(launch):
        return
    ports = _KEPT_COUNTS.rows("launch ports", _ports_of, launch.pk)
    launch_field = LaunchPort._meta.get_field("launch")
    for port in ports:
        launch_field.set_cached_value(port, launch)
    queryset = launch.ports.get_queryset()
    queryset._result_cache = ports  # what Django's prefetch stores, in the same place
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    launch.__dict__.setdefault("_prefetched_objects_cache", {})["ports"] = queryset


def launch_ports(launch: Launch) -> list[LaunchPort]:
    """The launch's ports: the prefetched ``ports`` when the launch was read with them, else read
    now (kept: the hold reads them under its launch lock)."""
    if _ports_prefetched(launch):
        return list(launch.ports.all())
    return _KEPT_COUNTS.rows("launch ports", _ports_of, launch.pk)


def launch_capacity_kg(*, launch: Launch) -> Decimal:
    """What the launch's vehicle lifts to its target orbit (0 if its curve does not reach it)."""
    return launch_target_capacity_kg(launch)


def launch_booked_mass_kg(*, launch: Launch, now: datetime | None = None) -> Decimal:
    """Mass (payloads plus adapters) taken on the launch at ``now``, summed from booking rows."""
    now = now or timezone.now()
    total = Booking.objects.filter(capacity_taking_q(now=now), launch_id=launch.pk).aggregate(
        total=Sum("mass_kg")
    )["total"]
    return Decimal(total) if total is not None else ZERO_KG


def launch_remaining_capacity_kg(
    *,
    launch: Launch,
    now: datetime | None = None,
    taken: LaunchTaken | None = None,
    capacity_kg: Decimal | None = None,
) -> Decimal:
    """Capacity left on the launch at ``now`` (never below 0).

    On a launch from :func:`launches_with_capacity` (and ``now`` not given) this uses the
    ``booked_mass_kg`` annotation and the prefetched curve: no query at all. ``taken``, when given,
    is what ``launch_taken`` answered for this launch at this ``now``; ``capacity_kg``, what
    ``launch_capacity_kg`` answered for it.
    """
    booked = taken.mass_kg if taken is not None else getattr(launch, "booked_mass_kg", None)
    if booked is None or (now is not None and taken is None):
        booked = launch_booked_mass_kg(launch=launch, now=now)
    capacity = capacity_kg if capacity_kg is not None else launch_capacity_kg(launch=launch)
    return max(capacity - Decimal(booked), ZERO_KG)


def launches_with_capacity(
    queryset: QuerySet[Launch] | None = None, *, now: datetime | None = None
) -> QuerySet[Launch]:
    """Launches annotated with ``booked_mass_kg`` at ``now`` and ready for capacity figures.

    For lists: ``launch_remaining_capacity_kg(launch=obj)`` on each row then costs no query.
    """
    now = now or timezone.now()
    queryset = queryset if queryset is not None else Launch.objects.all()
    return (
        queryset.select_related("vehicle_model", "vehicle", "provider", "site")
        .annotate(
            booked_mass_kg=Coalesce(
                Sum("bookings__mass_kg", filter=capacity_taking_q(now=now, prefix="bookings__")),
                Value(ZERO_KG),
                output_field=DecimalField(max_digits=12, decimal_places=1),
            )
        )
        .prefetch_related(
            Prefetch(
                "vehicle_model__capacity_points",
                queryset=CapacityPoint.objects.order_by("orbit_family", "altitude_km"),
            ),
            "ports",
        )
    )
