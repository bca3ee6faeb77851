"""Permission-scoped fetchers (``get_*_for``): what a user may see, by the organisations they
belong to or the providers they operate.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from booking.models import (
    Booking,
    DedicatedRequest,
    Event,
    Invoice,
    Launch,
    ManifestMove,
    Payment,
    PlanStep,
    Quote,
    ReadinessPlan,
    StandbyEntry,
    WebhookDelivery,
    WebhookEndpoint,
)
from booking.selectors.readiness import plan_for_customer
from customers.models import Contract, Customer, Payload
from customers.selectors import customer_ids_for
from vehicles.selectors import operator_provider_ids

User = AbstractBaseUser | AnonymousUser


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


def get_standby_entries_for(user: User) -> QuerySet[StandbyEntry]:
    """Standby entries of the user's organisations, and those on the launches of providers they operate."""
    qs = StandbyEntry.objects.select_related(
        "customer", "payload", "launch", "launch__provider", "offer_booking", "offer_booking__launch"
    )
    return _scoped(qs, user, customer_path="customer_id", provider_path="launch__provider_id")


def get_contracts_for(user: User) -> QuerySet[Contract]:
    qs = Contract.objects.select_related("customer", "provider")
    return _scoped(qs, user, customer_path="customer_id", provider_path="provider_id")


def get_bookings_for(user: User) -> QuerySet[Booking]:
    qs = Booking.objects.select_related(
        "customer", "payload", "launch", "launch__provider", "contract", "launch_port"
    )
    return _scoped(qs, user, customer_path="customer_id", provider_path="launch__provider_id")


def get_move_offers_for(user: User) -> QuerySet[ManifestMove]:
    """Moves offered (or answered): a customer's own, an operator's providers'; never ones only proposed."""
    qs = ManifestMove.objects.select_related(
        "booking", "customer", "from_launch", "to_launch", "new_booking", "payload", "dedicated_request"
    )
    qs = qs.exclude(status=ManifestMove.Status.PROPOSED)
    return _scoped(qs, user, customer_path="customer_id", provider_path="proposal__provider_id")


def get_quotes_for(user: User) -> QuerySet[Quote]:
    qs = Quote.objects.select_related(
        "customer", "payload", "launch", "vehicle_model", "provider", "launch_port"
    )
    qs = qs.prefetch_related("lines")
    return _scoped(qs, user, customer_path="customer_id", provider_path="provider_id")


def get_dedicated_requests_for(user: User) -> QuerySet[DedicatedRequest]:
    """The organisation's own requests, and those the operator's providers can fly."""
    qs = DedicatedRequest.objects.select_related("customer", "payload", "vehicle_model", "launch")
    provider_ids = operator_provider_ids(user)
    if provider_ids is None:
        return qs
    q = Q(customer_id__in=customer_ids_for(user))
    if provider_ids:
        q |= Q(pk__in=DedicatedRequest.objects.filter(providers__in=provider_ids).values("pk"))
    return qs.filter(q)


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


def get_invoices_for(user: User) -> QuerySet[Invoice]:
    """Invoices of the organisations ``user`` belongs to and of the providers they operate.

    Whether the person may see payments at all is the permission rule's (``payment_view``).
    """
    qs = Invoice.objects.select_related("provider", "customer", "contract", "booking")
    return _scoped(qs, user, customer_path="customer_id", provider_path="provider_id")


def get_payments_for(user: User) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("invoice", "invoice__provider", "invoice__customer")
    return _scoped(qs, user, customer_path="invoice__customer_id", provider_path="invoice__provider_id")
