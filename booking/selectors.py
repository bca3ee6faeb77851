"""Read queries of the booking domain, with their select_related / prefetch_related.

Capacity is computed from rows, never kept in a counter: a launch carries the mass of its
active bookings (confirmed, manifested) and of its held bookings whose hold has not expired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import (
    Booking,
    Event,
    Launch,
    PlanStep,
    Quote,
    ReadinessPlan,
    WebhookDelivery,
    WebhookEndpoint,
)
from booking.services.fit import launch_target_capacity_kg
from customers.models import Contract, Customer, Payload, PaymentMilestone
from customers.selectors import customer_ids_for
from vehicles.models import CapacityPoint
from vehicles.selectors import operator_provider_ids

User = AbstractBaseUser | AnonymousUser

ZERO_KG = Decimal("0.0")

#: Bookings that have flown, or still may, under a contract: each distinct launch uses one.
CONTRACT_USING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.MANIFESTED, Booking.Status.FLOWN)


def capacity_taking_q(*, now: datetime, prefix: str = "") -> Q:
    """Bookings that take capacity at ``now``; ``prefix`` is e.g. ``"bookings__"`` from a launch."""
    return Q(**{f"{prefix}status__in": [Booking.Status.CONFIRMED, Booking.Status.MANIFESTED]}) | Q(
        **{f"{prefix}status": Booking.Status.HELD, f"{prefix}hold_expires_at__gt": now}
    )


def customer_open_holds(*, customer_id: int, provider_id: int, now: datetime) -> QuerySet[Booking]:
    """A customer's unconfirmed holds on one provider's launches that still take capacity at ``now``."""
    return Booking.objects.filter(
        customer_id=customer_id,
        launch__provider_id=provider_id,
        status=Booking.Status.HELD,
        hold_expires_at__gt=now,
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


def contracts_for_launch(*, customer_id: int, launch: Launch) -> QuerySet[Contract]:
    """The customer's active contracts with the launch's provider, oldest first: the ones a
    booking on it may be confirmed under."""
    return Contract.objects.filter(
        customer_id=customer_id, provider_id=launch.provider_id, status=Contract.Status.ACTIVE
    ).order_by("signed_on", "pk")


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


# --- api: calendars and permission-checked fetchers ---------------------------------------------


def launches_for_calendar(*, customer: Customer | None = None) -> QuerySet[Launch]:
    """Launches for an iCalendar feed, with the number of slips (the event's SEQUENCE).

    With ``customer``: only launches the customer has a live or flown booking on.
    """
    qs = Launch.objects.select_related("provider", "vehicle_model", "site").annotate(
        slip_count=Count("events", filter=Q(events__verb="launch.slipped"))
    )
    if customer is not None:
        qs = qs.filter(
            Exists(
                Booking.objects.filter(launch=OuterRef("pk"), customer=customer).exclude(
                    status__in=[Booking.Status.CANCELLED, Booking.Status.EXPIRED]
                )
            )
        )
    return qs.order_by("net", "pk")


# --- permission-checked fetchers ----------------------------------------------------------------
# Customers see their own organisation's rows; provider operators see their providers' rows;
# staff with every provider see everything. Views build on these and nothing else.


def _tenant_q(user: User, *, customer_path: str | None, provider_path: str | None) -> Q | None:
    """The filter for ``user``; ``None`` means no filter at all (staff with every provider)."""
    provider_ids = operator_provider_ids(user)
    if provider_ids is None:
        return None
    q = Q(pk__in=[])
    customer_ids = customer_ids_for(user) if customer_path else set()
    if customer_ids:
        q |= Q(**{f"{customer_path}__in": customer_ids})
    if provider_ids and provider_path:
        q |= Q(**{f"{provider_path}__in": provider_ids})
    return q


def _scoped(qs: QuerySet, user: User, *, customer_path: str | None, provider_path: str | None) -> QuerySet:
    q = _tenant_q(user, customer_path=customer_path, provider_path=provider_path)
    return qs if q is None else qs.filter(q)


def get_payloads_for(user: User) -> QuerySet[Payload]:
    qs = Payload.objects.select_related("customer")
    return _scoped(qs, user, customer_path="customer_id", provider_path=None)


def get_contracts_for(user: User) -> QuerySet[Contract]:
    qs = Contract.objects.select_related("customer", "provider")
    return _scoped(qs, user, customer_path="customer_id", provider_path="provider_id")


def get_bookings_for(user: User) -> QuerySet[Booking]:
    qs = Booking.objects.select_related("customer", "payload", "launch", "launch__provider", "contract")
    return _scoped(qs, user, customer_path="customer_id", provider_path="launch__provider_id")


def get_quotes_for(user: User) -> QuerySet[Quote]:
    qs = Quote.objects.select_related("customer", "payload", "launch", "vehicle_model", "provider")
    qs = qs.prefetch_related("lines")
    return _scoped(qs, user, customer_path="customer_id", provider_path="provider_id")


def get_events_for(user: User) -> QuerySet[Event]:
    return _scoped(Event.objects.all(), user, customer_path="customer_id", provider_path="provider_id")


def get_webhook_endpoints_for(user: User) -> QuerySet[WebhookEndpoint]:
    qs = WebhookEndpoint.objects.select_related("customer")
    return _scoped(qs, user, customer_path="customer_id", provider_path=None)


def get_webhook_deliveries_for(user: User, *, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """Deliveries of one endpoint the caller may see (fetch the endpoint with the function above)."""
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
    return qs.prefetch_related("attempt_log").order_by("-created_at", "-pk")


def get_launches_for_operator(user: User) -> QuerySet[Launch]:
    """Launches a provider operator may change: their providers' (all of them for full staff)."""
    provider_ids = operator_provider_ids(user)
    qs = Launch.objects.select_related("provider", "vehicle_model", "site", "platform", "pad")
    return qs if provider_ids is None else qs.filter(provider_id__in=provider_ids)


def get_readiness_plan_for(user: User, *, launch: Launch) -> ReadinessPlan | None:
    """The launch's readiness plan if ``user`` may see it, steps prefetched; else ``None``.

    The provider's operators (and staff with every provider) see it in any state; customers see
    it as ``plan_for_customer`` decides (a live booking on the launch, the plan not cancelled).
    """
    if get_launches_for_operator(user).filter(pk=launch.pk).exists():
        return (
            ReadinessPlan.objects.filter(launch=launch)
            .prefetch_related(Prefetch("steps", queryset=PlanStep.objects.order_by("position")))
            .first()
        )
    for customer in Customer.objects.filter(pk__in=customer_ids_for(user)).order_by("pk"):
        plan = plan_for_customer(customer, launch)
        if plan is not None:
            return plan
    return None


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
