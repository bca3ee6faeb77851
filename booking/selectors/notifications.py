"""Reads for notifications: who is in an audience, their e-mail preferences, a member's inbox, and
the payment milestones to remind people of."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from booking.models import Booking, Event, Notification, NotificationDelivery, NotificationPreference
from booking.rules.notifications import LIFT_OFF_STATUS, VERB_REASONS, Audience, audience
from customers.models import Customer, Membership, PaymentMilestone
from vehicles.models import ProviderOperator

#: Bookings whose customers hear about their launch: all but the cancelled and lapsed ones.
NOT_ON_LAUNCH = (Booking.Status.CANCELLED, Booking.Status.EXPIRED)


def untold_events(*, since: datetime) -> QuerySet[Event]:
    """Events since ``since`` that notify people (``rules.notifications.event_reason``) and have no
    notification written yet."""
    notifying = Q(verb__in=VERB_REASONS) | Q(verb="launch.status_changed", after__status=LIFT_OFF_STATUS)
    told = Notification.objects.filter(event=OuterRef("pk"))
    return Event.objects.filter(notifying, created_at__gte=since).filter(~Exists(told)).order_by("pk")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    active: bool
    customer_id: int | None = None  # the organisation it reaches the user as; None: an operator
    membership_id: int | None = None


def notification_audience(notification: Notification) -> Audience:
    return audience(
        category=notification.category,
        recipient_role=notification.recipient_role,
        has_customer=notification.customer_id is not None,
    )


def _booked_customers(launch_ids: set[int]) -> dict[int, set[int]]:
    booked: dict[int, set[int]] = defaultdict(set)
    if launch_ids:
        rows = (
            Booking.objects.filter(launch_id__in=launch_ids)
            .exclude(status__in=NOT_ON_LAUNCH)
            .values_list("launch_id", "customer_id")
            .distinct()
        )
        for launch_id, customer_id in rows:
            booked[launch_id].add(customer_id)
    return booked


def _members(customer_ids: set[int]) -> dict[int, list[tuple[str, Recipient]]]:
    members: dict[int, list[tuple[str, Recipient]]] = defaultdict(list)
    if customer_ids:
        rows = Membership.objects.filter(customer_id__in=customer_ids).values_list(
            "pk", "customer_id", "role", "user_id", "user__email", "user__is_active"
        )
        for pk, customer_id, role, user_id, email, active in rows.order_by("pk"):
            members[customer_id].append(
                (role, Recipient(user_id, email or "", active, customer_id=customer_id, membership_id=pk))
            )
    return members


def _operators(provider_ids: set[int]) -> dict[int, list[Recipient]]:
    operators: dict[int, list[Recipient]] = defaultdict(list)
    if provider_ids:
        rows = ProviderOperator.objects.filter(provider_id__in=provider_ids).values_list(
            "provider_id", "user_id", "user__email", "user__is_active"
        )
        for provider_id, user_id, email, active in rows.order_by("pk"):
            operators[provider_id].append(Recipient(user_id, email or "", active))
    return operators


def audience_recipients(
    notifications: Sequence[Notification], *, provider_of_launch: dict[int, int]
) -> dict[int, list[Recipient]]:
    """The people each saved notification reaches, by its pk, in a fixed number of queries.

    ``provider_of_launch`` maps each notification's launch to its provider.
    """
    audiences = {n.pk: notification_audience(n) for n in notifications}
    launch_wide = {
        n.launch_id for n in notifications if not audiences[n.pk].customer_wide and n.launch_id is not None
    }
    booked = _booked_customers({launch_id for launch_id in launch_wide if launch_id is not None})
    customer_ids = {n.customer_id for n in notifications if n.customer_id is not None}
    customer_ids |= set().union(*booked.values()) if booked else set()
    members = _members(customer_ids)
    operators = _operators(
        {provider_of_launch[n.launch_id] for n in notifications if audiences[n.pk].operators and n.launch_id}
    )
    result: dict[int, list[Recipient]] = {}
    for n in notifications:
        wanted = audiences[n.pk]
        if wanted.operators:
            result[n.pk] = operators.get(provider_of_launch.get(n.launch_id or 0, 0), [])
            continue
        reached = {n.customer_id} if wanted.customer_wide else booked.get(n.launch_id or 0, set())
        result[n.pk] = [
            recipient
            for customer_id in sorted(c for c in reached if c is not None)
            for role, recipient in members.get(customer_id, [])
            if role in wanted.member_roles
        ]
    return result


def email_preferences(membership_ids: Iterable[int]) -> dict[tuple[int, str], bool]:
    """(membership, category) → whether they receive it by e-mail; absent pairs mean yes."""
    ids = set(membership_ids)
    if not ids:
        return {}
    rows = NotificationPreference.objects.filter(membership_id__in=ids).values_list(
        "membership_id", "category", "email"
    )
    return {(membership_id, category): email for membership_id, category, email in rows}


def member_preferences(membership: Membership) -> dict[str, bool]:
    """Every category with whether this member receives it by e-mail."""
    chosen = email_preferences([membership.pk])
    return {category: chosen.get((membership.pk, category), True) for category in Notification.Category}


def wants_email(*, user_id: int, customer_id: int | None, category: str) -> bool:
    """Asked again at send time: a member who turned the category off since is not mailed."""
    if customer_id is None:
        return True
    return not NotificationPreference.objects.filter(
        membership__user_id=user_id, membership__customer_id=customer_id, category=category, email=False
    ).exists()


def get_notifications_for(user: User, *, customer: Customer) -> QuerySet[NotificationDelivery]:
    """A member's own notifications as a member of ``customer``, newest first."""
    return NotificationDelivery.objects.filter(user=user, customer=customer).select_related("notification")


def unread_count(user: User, *, customer: Customer) -> int:
    return get_notifications_for(user, customer=customer).filter(read_at__isnull=True).count()


# --- payments ----------------------------------------------------------------------------------

#: How far back an unpaid milestone is still told about as newly overdue (a sweep that was off
#: for longer does not send a backlog of stale reminders).
OVERDUE_LOOKBACK = timedelta(days=30)


def milestones_to_remind(*, now: datetime, due_within: timedelta) -> list[tuple[PaymentMilestone, str]]:
    """Unpaid milestones due within ``due_within`` (reason ``payment_due``) or past due
    (``payment_overdue``) that nobody was told about yet as such."""
    candidates = list(
        PaymentMilestone.objects.filter(
            paid_at__isnull=True, due_at__gte=now - OVERDUE_LOOKBACK, due_at__lte=now + due_within
        )
        .select_related("contract__customer", "contract__provider")
        .order_by("due_at", "pk")
    )
    wanted = [
        (
            milestone,
            Notification.Reason.PAYMENT_OVERDUE
            if milestone.due_at <= now
            else Notification.Reason.PAYMENT_DUE,
        )
        for milestone in candidates
    ]
    keys = {milestone_key(milestone, reason) for milestone, reason in wanted}
    told = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    return [
        (milestone, reason) for milestone, reason in wanted if milestone_key(milestone, reason) not in told
    ]


def milestone_key(milestone: PaymentMilestone, reason: str) -> str:
    return f"milestone:{milestone.pk}:{reason}"
