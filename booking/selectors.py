"""Read queries of the booking domain, with their select_related / prefetch_related.

Capacity is computed from rows, never kept in a counter: a launch carries the mass of its
active bookings (confirmed, manifested) and of its held bookings whose hold has not expired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import Booking, Launch, PlanStep, ReadinessPlan
from booking.services.fit import launch_target_capacity_kg
from customers.models import Contract, Customer, PaymentMilestone
from vehicles.models import CapacityPoint

ZERO_KG = Decimal("0.0")

#: Bookings that have flown, or still may, under a contract: each distinct launch uses one.
CONTRACT_USING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.MANIFESTED, Booking.Status.FLOWN)


def capacity_taking_q(*, now: datetime, prefix: str = "") -> Q:
    """Bookings that take capacity at ``now``; ``prefix`` is e.g. ``"bookings__"`` from a launch."""
    return Q(**{f"{prefix}status__in": [Booking.Status.CONFIRMED, Booking.Status.MANIFESTED]}) | Q(
        **{f"{prefix}status": Booking.Status.HELD, f"{prefix}hold_expires_at__gt": now}
    )


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


def launch_remaining_capacity_kg(*, launch: Launch, now: datetime | None = None) -> Decimal:
    """Capacity left on the launch at ``now`` (never below 0).

    On a launch from :func:`launches_with_capacity` (and ``now`` not given) this uses the
    ``booked_mass_kg`` annotation and the prefetched curve: no query at all.
    """
    booked = getattr(launch, "booked_mass_kg", None)
    if booked is None or now is not None:
        booked = launch_booked_mass_kg(launch=launch, now=now)
    return max(launch_capacity_kg(launch=launch) - Decimal(booked), ZERO_KG)


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
            )
        )
    )


# --- contracts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractUsage:
    contract: Contract
    launches_committed: int
    launches_used: int
    launches_remaining: int
    value: Decimal
    currency: str
    milestones: list[PaymentMilestone]
    amount_paid: Decimal
    amount_due: Decimal


def contract_launches_used(*, contract: Contract, exclude_launch_id: int | None = None) -> int:
    """Distinct launches with a confirmed, manifested or flown booking under the contract."""
    qs = Booking.objects.filter(contract=contract, status__in=CONTRACT_USING_STATUSES)
    if exclude_launch_id is not None:
        qs = qs.exclude(launch_id=exclude_launch_id)
    return qs.values("launch_id").distinct().count()


def contract_usage(contract: Contract) -> ContractUsage:
    """Launches used and remaining, value, currency and milestones (due dates, paid or not)."""
    used = contract_launches_used(contract=contract)
    milestones = list(contract.milestones.order_by("due_at", "pk"))
    paid = sum((m.amount for m in milestones if m.paid_at is not None), Decimal("0.00"))
    due = sum((m.amount for m in milestones if m.paid_at is None), Decimal("0.00"))
    return ContractUsage(
        contract=contract,
        launches_committed=contract.launches_committed,
        launches_used=used,
        launches_remaining=max(contract.launches_committed - used, 0),
        value=contract.value,
        currency=contract.currency,
        milestones=milestones,
        amount_paid=paid,
        amount_due=due,
    )


def booking_milestones(booking: Booking) -> QuerySet[PaymentMilestone]:
    """The payment milestones created for a booking (they carry its reference)."""
    return PaymentMilestone.objects.filter(reference=booking.reference).order_by("due_at", "pk")


# --- readiness -------------------------------------------------------------------------------


def plan_for_customer(customer: Customer, launch: Launch) -> ReadinessPlan | None:
    """The launch's readiness plan as the customer may see it, with its steps in order.

    ``None`` when the customer has no booking on the launch (their bookings only) or the launch
    has no plan. Read-only: the portal and the API show it, nothing here changes it.
    """
    if (
        not Booking.objects.filter(customer=customer, launch=launch)
        .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.EXPIRED])
        .exists()
    ):
        return None
    return (
        ReadinessPlan.objects.filter(launch=launch)
        .exclude(status=ReadinessPlan.Status.CANCELLED)
        .select_related("template", "launch__site")
        .prefetch_related(Prefetch("steps", queryset=PlanStep.objects.order_by("position")))
        .first()
    )


def readiness_board_plans(*, provider_ids: Iterable[int] | None = None) -> list[ReadinessPlan]:
    """Active plans for the operators' readiness board, soonest launch first, steps prefetched.

    ``provider_ids`` limits the board to those providers' launches (``None``: every provider).
    """
    plans = (
        ReadinessPlan.objects.filter(status=ReadinessPlan.Status.ACTIVE)
        .select_related("template", "launch__provider", "launch__site")
        .prefetch_related(Prefetch("steps", queryset=PlanStep.objects.order_by("position")))
        .order_by("launch__window_start", "pk")
    )
    if provider_ids is not None:
        plans = plans.filter(launch__provider_id__in=list(provider_ids))
    return list(plans)


# --- end readiness ---------------------------------------------------------------------------
