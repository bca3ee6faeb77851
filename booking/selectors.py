"""Read queries of the booking domain, with their select_related / prefetch_related."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Contract, Customer, Payload
from customers.selectors import customer_ids_for
from vehicles.models import CapacityPoint
from vehicles.orbits import OrbitError, capacity_at_altitude
from vehicles.selectors import capacity_curve, operator_provider_ids

from .models import Booking, Event, Launch, PlanStep, Quote, WebhookDelivery, WebhookEndpoint

User = AbstractBaseUser | AnonymousUser

# --- launch capacity ---------------------------------------------------------------------------
# Capacity is computed from rows: the vehicle's curve at the launch's orbit, less the mass of the
# bookings that take capacity (held ones only until their hold expires).

_ZERO_KG = Decimal("0.0")


def _capacity_taking_bookings_q(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": [Booking.Status.CONFIRMED, Booking.Status.MANIFESTED]}) | Q(
        **{f"{prefix}status": Booking.Status.HELD, f"{prefix}hold_expires_at__gt": now}
    )


def launch_capacity_kg(*, launch: Launch) -> Decimal:
    """The vehicle's capacity at the launch's orbit; 0 when its curve does not reach that orbit.

    Uses prefetched ``vehicle_model.capacity_points`` when present.
    """
    points = capacity_curve(launch.vehicle_model, launch.orbit_family)
    try:
        return capacity_at_altitude(points, launch.altitude_km)
    except OrbitError:
        return _ZERO_KG


def launch_booked_mass_kg(*, launch: Launch, now: datetime | None = None) -> Decimal:
    """Mass counted against the launch; uses the ``booked_mass_kg`` annotation when present."""
    annotated = getattr(launch, "booked_mass_kg", None)
    if annotated is not None:
        return Decimal(annotated)
    now = now or timezone.now()
    total = launch.bookings.filter(_capacity_taking_bookings_q(now)).aggregate(total=Sum("mass_kg"))["total"]
    return total or _ZERO_KG


def launch_remaining_capacity_kg(*, launch: Launch, now: datetime | None = None) -> Decimal:
    remaining = launch_capacity_kg(launch=launch) - launch_booked_mass_kg(launch=launch, now=now)
    return max(remaining, _ZERO_KG)


def launches_with_capacity(now: datetime | None = None) -> QuerySet[Launch]:
    """Launches with what a schedule shows, in a fixed number of queries however many there are."""
    now = now or timezone.now()
    return (
        Launch.objects.select_related("provider", "vehicle_model", "site", "platform", "pad")
        .prefetch_related(
            Prefetch(
                "vehicle_model__capacity_points",
                queryset=CapacityPoint.objects.order_by("orbit_family", "altitude_km"),
            )
        )
        .annotate(
            booked_mass_kg=Coalesce(
                Sum("bookings__mass_kg", filter=_capacity_taking_bookings_q(now, "bookings__")),
                Value(_ZERO_KG),
                output_field=DecimalField(max_digits=12, decimal_places=1),
            )
        )
    )


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


def get_launches_with_readiness_for(user: User) -> QuerySet[Launch]:
    """Launches whose readiness plan ``user`` may read: their provider's, or ones they booked."""
    provider_ids = operator_provider_ids(user)
    if provider_ids is None:
        return Launch.objects.all()
    customer_ids = customer_ids_for(user)
    q = Q(pk__in=[])
    if provider_ids:
        q |= Q(provider_id__in=provider_ids)
    if customer_ids:
        q |= Exists(Booking.objects.filter(launch=OuterRef("pk"), customer_id__in=customer_ids))
    return Launch.objects.filter(q)


def readiness_steps(*, launch: Launch) -> QuerySet[PlanStep]:
    return PlanStep.objects.filter(plan__launch=launch).order_by("position")
