"""Contracts: which a booking can go under, how many launches each has used, milestones."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from booking.models import (
    Booking,
    Launch,
)
from customers.models import Contract, PaymentMilestone

#: Bookings that have flown, or still may, under a contract: each distinct launch uses one.
CONTRACT_USING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.MANIFESTED, Booking.Status.FLOWN)


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


def contracts_for_launch(*, customer_id: int, launch: Launch) -> QuerySet[Contract]:
    """The customer's active contracts with the launch's provider, oldest first: the ones a
    booking on it may be confirmed under."""
    return Contract.objects.filter(
        customer_id=customer_id, provider_id=launch.provider_id, status=Contract.Status.ACTIVE
    ).order_by("signed_on", "pk")


def contracts_with_new_launch_room(*, customer_id: int) -> dict[int, list[Contract]]:
    """One query: the customer's active contracts with a launch left to use (a new launch fits
    in), oldest first, by provider id: the providers whose new launch the customer can confirm."""
    used = Count(
        "bookings__launch",
        filter=Q(bookings__status__in=CONTRACT_USING_STATUSES),
        distinct=True,
    )
    rows = (
        Contract.objects.filter(customer_id=customer_id, status=Contract.Status.ACTIVE)
        .select_related("provider")
        .annotate(launches_used=used)
        .filter(launches_used__lt=F("launches_committed"))
        .order_by("signed_on", "pk")
    )
    by_provider: dict[int, list[Contract]] = {}
    for contract in rows:
        by_provider.setdefault(contract.provider_id, []).append(contract)
    return by_provider


def contract_has_room(*, contract: Contract, launch: Launch) -> bool:
    """The launch is one of the contract's committed launches, or one more still fits."""
    return (
        contract_launches_used(contract=contract, exclude_launch_id=launch.pk) < contract.launches_committed
    )


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
