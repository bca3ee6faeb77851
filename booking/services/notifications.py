"""Notifications: the one writer of ``Notification`` rows, and the e-mails they send.

``notifications_write`` is what every writer calls (readiness, closures, the payment reminders,
and the Events that notify, through ``notifications_on_published``). It saves the new
notifications (a step's reason, or a key, is told once), gives each a ``NotificationDelivery``
per person in its audience (``booking.rules.notifications``) — queued, or skipped when the member
turned the category off or has no e-mail address — and announces the queued ones after commit
(``signals.notification_deliveries_due``; the Celery tasks listen), so a rolled-back change sends
nothing.

Sending (``notification_deliver``) claims a delivery with a conditional update before it sends,
so two tasks for one delivery send one e-mail; a failure is retried with backoff
(``rules.notifications.retry_delay``) and marked failed after ``MAX_ATTEMPTS``. The sweep
(``notifications_claim_due``, beat) queues whatever is due: retries, and deliveries whose task was
lost with a broker or a worker (a sender that dies holds its delivery for ``SEND_LEASE`` only).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from booking.dates import when, when_short
from booking.errors import InvalidRequest
from booking.models import (
    Booking,
    DedicatedRequest,
    Event,
    Launch,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    PlanStep,
    StandbyEntry,
)
from booking.rules.money import fmt_money
from booking.rules.notifications import (
    CATEGORY_HELP,
    CATEGORY_OF,
    SEND_LEASE,
    event_reason,
    gives_up,
    retry_delay,
    subject_for,
)
from booking.selectors.invoices import invoice_of_milestone, invoice_paid
from booking.selectors.notifications import (
    Recipient,
    audience_recipients,
    email_preferences,
    milestone_key,
    milestones_to_remind,
    untold_events,
    wants_email,
)
from booking.services.locking import claim_unlocked
from booking.signals import notification_deliveries_due
from customers.models import Customer, Document, Membership, PaymentMilestone
from customers.selectors import user_language

from .events import Actor, ForTheWorker, event_record, user_or_none

logger = logging.getLogger(__name__)

Status = NotificationDelivery.Status
SKIP_PREFERENCE = "turned off in the member's notification preferences"
SKIP_NO_ADDRESS = "no e-mail address on the account"
SKIP_INACTIVE = "the account is deactivated"


# --- writing -------------------------------------------------------------------------------------


def notifications_write(
    notifications: Sequence[Notification], *, now: datetime | None = None
) -> list[Notification]:
    """Save the notifications not told before and queue their e-mails; answers the new ones.

    Each needs ``reason`` and ``message`` and its audience: ``step`` with ``recipient_role``
    (the step's owners), ``customer`` (its members), or ``launch`` (the customers booked on it).
    A step's notification for a reason, or one with a ``key``, already written is dropped, so
    callers may repeat themselves (the reconciler does). Safe inside the caller's transaction.
    """
    if not notifications:
        return []
    now = now or timezone.now()
    # Inside the caller's transaction no savepoint is needed: a failure here fails the change.
    with transaction.atomic(savepoint=False):
        launches = _fill(notifications)
        fresh = _drop_repeats(notifications)
        if not fresh:
            return []
        # A racing writer of the same step and reason, or key, made it first: theirs stands.
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        saved = _saved(fresh)
        queued = _deliveries_create(saved, launches=launches, now=now)
    if queued:
        transaction.on_commit(lambda: _announce(queued), robust=True)
    return fresh


def _fill(notifications: Sequence[Notification]) -> dict[int, Launch]:
    """Category, launch, subject and details of each notification, in two queries."""
    step_ids = {n.step_id for n in notifications if n.step_id is not None}
    steps = (
        {step.pk: step for step in PlanStep.objects.filter(pk__in=step_ids).select_related("plan__launch")}
        if step_ids
        else {}
    )
    launches = {step.plan.launch_id: step.plan.launch for step in steps.values()}
    for n in notifications:
        if n.step_id is not None and n.launch_id is None:
            n.launch_id = steps[n.step_id].plan.launch_id
        if n.step_id is None and not n.key:
            # Saved rows are found again by step or key (a bulk insert returns no ids): a
            # notification with neither gets a key of its own, so it is never lost.
            n.key = f"one:{uuid4().hex}"
    missing = {n.launch_id for n in notifications if n.launch_id is not None and n.launch_id not in launches}
    if missing:
        launches.update({launch.pk: launch for launch in Launch.objects.filter(pk__in=missing)})
    for n in notifications:
        n.category = CATEGORY_OF[n.reason]
        details = dict(n.details or {})
        launch = launches.get(n.launch_id) if n.launch_id is not None else None
        if launch is not None:
            details.setdefault("launch", launch.name)
            details.setdefault("net", when(launch.net))
            details.setdefault("portal_link", f"/portal/launches/{launch.pk}/")
            details.setdefault("admin_link", f"/admin/booking/launch/{launch.pk}/change/")
        if n.step_id is not None:
            details.setdefault("step", steps[n.step_id].name)
            if launch is not None:
                details["portal_link"] = f"/portal/launches/{launch.pk}/readiness/"
        n.details = details
        n.subject = n.subject or subject_for(n.reason, details)
        n.message = n.message[:300]
    return launches


def _drop_repeats(notifications: Sequence[Notification]) -> list[Notification]:
    step_pairs = {(n.step_id, n.reason) for n in notifications if n.step_id is not None}
    keys = {n.key for n in notifications if n.key}
    told_pairs = (
        set(
            Notification.objects.filter(
                step_id__in={step for step, _ in step_pairs}, reason__in={reason for _, reason in step_pairs}
            ).values_list("step_id", "reason")
        )
        if step_pairs
        else set()
    )
    told_keys = (
        set(Notification.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
    )
    fresh: list[Notification] = []
    for n in notifications:
        if n.step_id is not None and (n.step_id, n.reason) in told_pairs or (n.key and n.key in told_keys):
            continue
        if n.step_id is not None:
            told_pairs.add((n.step_id, n.reason))
        if n.key:
            told_keys.add(n.key)
        fresh.append(n)
    return fresh


def _saved(fresh: Sequence[Notification]) -> list[Notification]:
    """The rows of ``fresh`` as saved (bulk inserts that ignore conflicts return no ids)."""
    pairs = {(n.step_id, n.reason) for n in fresh if n.step_id is not None}
    keys = {n.key for n in fresh if n.key}
    query = Q(pk__in=[])
    if pairs:
        query |= Q(step_id__in={s for s, _ in pairs}, reason__in={r for _, r in pairs})
    if keys:
        query |= Q(key__in=keys)
    rows = Notification.objects.filter(query).order_by("pk")
    return [row for row in rows if (row.step_id, row.reason) in pairs or (row.key and row.key in keys)]


def _deliveries_create(
    saved: Sequence[Notification], *, launches: Mapping[int, Launch], now: datetime
) -> list[int]:
    """One delivery per person reached; answers the ids of those queued for sending."""
    recipients = audience_recipients(
        saved, provider_of_launch={pk: launch.provider_id for pk, launch in launches.items()}
    )
    preferences = email_preferences(
        r.membership_id for people in recipients.values() for r in people if r.membership_id
    )
    rows: list[NotificationDelivery] = []
    for notification in saved:
        seen: set[int] = set()
        for recipient in recipients.get(notification.pk, []):
            if recipient.user_id in seen:  # a member of two booked customers hears it once
                continue
            seen.add(recipient.user_id)
            rows.append(_delivery(notification, recipient, preferences=preferences, now=now))
    if not rows:
        return []
    NotificationDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        NotificationDelivery.objects.filter(
            notification_id__in=[n.pk for n in saved], status=Status.QUEUED
        ).values_list("pk", flat=True)
    )


def _delivery(
    notification: Notification,
    recipient: Recipient,
    *,
    preferences: Mapping[tuple[int, str], bool],
    now: datetime,
) -> NotificationDelivery:
    skipped = ""
    if not recipient.active:
        skipped = SKIP_INACTIVE
    elif not recipient.email:
        skipped = SKIP_NO_ADDRESS
    elif recipient.membership_id and not preferences.get(
        (recipient.membership_id, notification.category), True
    ):
        skipped = SKIP_PREFERENCE
    return NotificationDelivery(
        notification=notification,
        user_id=recipient.user_id,
        customer_id=recipient.customer_id,
        email=recipient.email,
        status=Status.SKIPPED if skipped else Status.QUEUED,
        last_error=skipped,
        next_attempt_at=None if skipped else now,
    )


def _announce(delivery_ids: Sequence[int]) -> None:
    """After commit: the deliveries to send now (the Celery tasks listen)."""
    notification_deliveries_due.send(sender=NotificationDelivery, delivery_ids=list(delivery_ids))


# --- from the audit log --------------------------------------------------------------------------


def notifications_on_published(*, events: Sequence[Event], **_signal: Any) -> ForTheWorker:
    """Listens to ``signals.events_published``: the Events that notify people (a booking held,
    confirmed or cancelled; a launch slipped, scrubbed or launched; a document reviewed) become
    notifications once the change commits, written by the worker (``events.events_publish`` hands
    them over: one task per change, with its webhook deliveries), not in the request that made the
    change; the catch-up (``notifications_catch_up``, beat) writes those whose task was lost."""
    return ForTheWorker([event.pk for event in events if event_reason(event.verb, event.after or {})])


#: How far back the catch-up looks for Events whose notifications were never written.
CATCH_UP_WINDOW = timedelta(days=1)


def notifications_catch_up(*, now: datetime | None = None) -> list[Notification]:
    """The notifications of recent notifying Events that have none yet (their task was lost with a
    broker or a worker). Safe to repeat and to race the tasks: each Event notifies once."""
    now = now or timezone.now()
    untold = list(untold_events(since=now - CATCH_UP_WINDOW).values_list("pk", flat=True))
    return notifications_from_events(event_ids=untold, now=now) if untold else []


def notifications_from_events(*, event_ids: Sequence[int], now: datetime | None = None) -> list[Notification]:
    """The notifications of committed Events. Safe to repeat: each Event notifies once."""
    events = list(Event.objects.filter(pk__in=event_ids).select_related("launch").order_by("pk"))
    bookings = _subjects(events, Booking, "booking")
    documents = _subjects(events, Document, "document")
    entries = _subjects(events, StandbyEntry, "standbyentry")
    rows = []
    for event in events:
        reason = event_reason(event.verb, event.after or {})
        if reason is None:
            continue
        launch_wide = reason in (
            Notification.Reason.LAUNCH_SLIPPED,
            Notification.Reason.LAUNCH_SCRUBBED,
            Notification.Reason.LAUNCH_LAUNCHED,
        )
        rows.append(
            Notification(
                reason=reason,
                event=event,
                key=f"event:{event.pk}",
                customer_id=None if launch_wide else event.customer_id,
                launch_id=event.launch_id,
                message=event.message or event.verb,
                details=_event_details(event, bookings=bookings, documents=documents, entries=entries),
            )
        )
    rows = [row for row in rows if row.customer_id is not None or row.launch_id is not None]
    return notifications_write(rows, now=now)


def _subjects(events: Iterable[Event], model: type[models.Model], subject_type: str) -> dict[int, Any]:
    ids = {event.subject_id for event in events if event.subject_type == subject_type}
    return {row.pk: row for row in model._default_manager.filter(pk__in=ids)} if ids else {}


def _event_details(
    event: Event,
    *,
    bookings: Mapping[int, Booking],
    documents: Mapping[int, Document],
    entries: Mapping[int, StandbyEntry],
) -> dict:
    details: dict[str, str] = {"when": when(event.created_at)}
    booking = bookings.get(event.subject_id) if event.subject_type == "booking" else None
    if booking is not None:
        details["reference"] = booking.reference
        details["portal_link"] = f"/portal/bookings/{booking.reference}/"
        details["price"] = fmt_money(booking.price, booking.currency)
        if event.verb == "booking.move_offered":
            details["portal_link"] = "/portal/moves/"
        if booking.hold_expires_at and event.verb == "booking.held":
            details["hold_expires"] = when(booking.hold_expires_at)
    document = documents.get(event.subject_id) if event.subject_type == "document" else None
    if document is not None:
        details["document"] = document.get_kind_display()
        details["outcome"] = "approved" if event.verb == "document.approved" else "rejected"
        details["note"] = document.review_note
        details["portal_link"] = "/portal/documents/"
    if event.subject_type == "dedicatedrequest":
        details.update(_dedicated_details(event))
        if event.verb == "booking.move_offered":  # a rideshare seat offered for the request
            details["portal_link"] = "/portal/moves/"
    entry = entries.get(event.subject_id) if event.subject_type == "standbyentry" else None
    if entry is not None:
        details |= _standby_details(entry)
    if event.verb == "launch.slipped" and event.after.get("window_start"):
        with contextlib.suppress(ValueError):
            details["window_start"] = when(datetime.fromisoformat(str(event.after["window_start"])))
    if event.launch is not None:
        details["launch"] = event.launch.name
    return details


def _dedicated_details(event: Event) -> dict[str, str]:
    """What a dedicated launch request's e-mail shows: its reference, the answer and the link."""
    after = event.after or {}
    request = DedicatedRequest.objects.filter(pk=event.subject_id).only("reference").first()
    details = {"portal_link": f"/portal/dedicated/{request.reference}/"} if request else {}
    if request is not None:
        details["reference"] = request.reference
    if after.get("decline_reason"):
        details["reason"] = str(after["decline_reason"])
    if after.get("net"):
        with contextlib.suppress(ValueError):
            details["net"] = when(datetime.fromisoformat(str(after["net"])))
    return details


def _standby_details(entry: StandbyEntry) -> dict[str, str]:
    """A standby offer's facts: the payload, the held booking, its price and deadline."""
    details = {"payload": entry.payload.name, "portal_link": "/portal/standby/"}
    booking = entry.offer_booking
    if booking is not None:
        details["reference"] = booking.reference
        details["price"] = fmt_money(booking.price, booking.currency)
    if entry.offer_expires_at is not None:
        details["hold_expires"] = when(entry.offer_expires_at)
    return details


# --- payments ------------------------------------------------------------------------------------


def payment_reminders_notify(*, now: datetime | None = None) -> int:
    """Beat: tell each customer's finance members once when a payment milestone falls due within
    ``LAUNCHBOOK_PAYMENT_REMINDER_DAYS``, and once when it is overdue. Answers how many were told."""
    now = now or timezone.now()
    due_within = timedelta(days=settings.LAUNCHBOOK_PAYMENT_REMINDER_DAYS)
    rows = [
        _milestone_notification(milestone, reason, now=now)
        for milestone, reason in milestones_to_remind(now=now, due_within=due_within)
    ]
    return len(notifications_write(rows, now=now))


def _milestone_notification(milestone: PaymentMilestone, reason: str, *, now: datetime) -> Notification:
    """The reminder of one unpaid milestone: its invoice's number and what is left to pay on it
    (a part payment lowers it), or the milestone's amount when it has no invoice."""
    invoice = invoice_of_milestone(milestone)
    left = milestone.amount - invoice_paid(invoice) if invoice is not None else milestone.amount
    amount = fmt_money(left, milestone.currency)
    overdue = reason == Notification.Reason.PAYMENT_OVERDUE
    what = milestone.label if invoice is None else f"{milestone.label} (invoice {invoice.number})"
    message = (
        f"{what}: {amount} was due {when(milestone.due_at)} and is not paid yet"
        if overdue
        else f"{what}: {amount} is due {when(milestone.due_at)}"
    )
    details = {
        "label": milestone.label,
        "amount": amount,
        "due": when_short(milestone.due_at),
        "contract": milestone.contract.reference,
        "portal_link": "/portal/payments/",
    }
    if invoice is not None:
        details["invoice"] = invoice.number
        details["invoice_link"] = f"/portal/invoices/{invoice.number}/pdf/"
    return Notification(
        reason=reason,
        key=milestone_key(milestone, reason),
        customer=milestone.contract.customer,
        message=message + f" (contract {milestone.contract.reference} with {milestone.contract.provider})",
        details=details,
    )


# --- sending -------------------------------------------------------------------------------------


def notifications_claim_due(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Ids of queued deliveries due a send: retries whose wait is over, and deliveries whose task
    was lost (never run, or its worker died: its lease ran out). Rows being recorded are passed over."""
    now = now or timezone.now()
    with transaction.atomic():
        return list(
            claim_unlocked(NotificationDelivery.objects.filter(status=Status.QUEUED))
            .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )


def notification_deliver(*, delivery_id: int, now: datetime | None = None) -> NotificationDelivery | None:
    """Make one attempt at sending a queued, due delivery, and record it.

    Steps aside, and says so in the log, when the delivery is gone, settled, not due yet or taken
    by another sender (the claim is a conditional UPDATE). A member who turned the category off
    since the notification was written is not mailed.
    """
    now = now or timezone.now()
    delivery = (
        NotificationDelivery.objects.select_related("notification", "user__profile")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != Status.QUEUED:
        logger.info("notification delivery %s is gone or settled; nothing to send", delivery_id)
        return delivery
    claimed = (
        NotificationDelivery.objects.filter(pk=delivery.pk, status=Status.QUEUED)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .update(next_attempt_at=now + SEND_LEASE)
    )
    if not claimed:
        logger.info(
            "notification delivery %s is not due or another sender has it; stepping aside", delivery.pk
        )
        return delivery
    notification = delivery.notification
    if not wants_email(
        user_id=delivery.user_id, customer_id=delivery.customer_id, category=notification.category
    ):
        return _settle(delivery, status=Status.SKIPPED, error=SKIP_PREFERENCE, now=now, attempt=False)
    address = delivery.user.email or delivery.email
    if not address:
        return _settle(delivery, status=Status.SKIPPED, error=SKIP_NO_ADDRESS, now=now, attempt=False)
    try:
        notification_email(delivery, address=address).send(fail_silently=False)
    except Exception as exc:  # any refusal or lost connection is one failed attempt
        logger.warning("notification delivery %s failed: %s", delivery.pk, exc)
        return _failed(delivery, error=f"{type(exc).__name__}: {exc}", now=now)
    Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(sent_at=now)
    return _settle(delivery, status=Status.SENT, error="", now=now, attempt=True)


def _failed(delivery: NotificationDelivery, *, error: str, now: datetime) -> NotificationDelivery:
    attempts = delivery.attempts + 1
    if gives_up(attempts):
        return _settle(delivery, status=Status.FAILED, error=error, now=now, attempt=True)
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts, last_error=error[:300], next_attempt_at=now + retry_delay(attempts)
    )
    delivery.refresh_from_db()
    return delivery


def _settle(
    delivery: NotificationDelivery, *, status: str, error: str, now: datetime, attempt: bool
) -> NotificationDelivery:
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=delivery.attempts + (1 if attempt else 0),
        last_error=error[:300],
        next_attempt_at=None,
        sent_at=now if status == Status.SENT else None,
    )
    delivery.refresh_from_db()
    return delivery


def notification_email(delivery: NotificationDelivery, *, address: str) -> EmailMultiAlternatives:
    """The e-mail of one delivery: plain text with an HTML alternative, from the templates
    ``booking/templates/email/<reason>.txt`` and ``.html``, written in the recipient's language
    (the one chosen on their account; English otherwise)."""
    with translation.override(user_language(delivery.user) or settings.LANGUAGE_CODE):
        return _notification_email(delivery, address=address)


def _notification_email(delivery: NotificationDelivery, *, address: str) -> EmailMultiAlternatives:
    notification = delivery.notification
    details = notification.details or {}
    link = details.get("portal_link") if delivery.customer_id else details.get("admin_link")
    site = settings.LAUNCHBOOK_SITE_URL.rstrip("/")
    context = {
        "notification": notification,
        "details": details,
        "name": delivery.user.get_full_name() or delivery.user.get_username(),
        "link": f"{site}{link}" if link else "",
        "preferences_link": f"{site}/portal/notifications/preferences/" if delivery.customer_id else "",
        "category": notification.get_category_display(),
        "category_help": CATEGORY_HELP[notification.category],
    }
    text = render_to_string(f"email/{notification.reason}.txt", context)
    html = render_to_string(f"email/{notification.reason}.html", context)
    email = EmailMultiAlternatives(
        subject=f"[Launchbook] {notification.subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Launchbook-Notification": str(notification.pk)},
    )
    email.attach_alternative(html, "text/html")
    return email


# --- the member's side ---------------------------------------------------------------------------


def notification_mark_read(
    *, delivery: NotificationDelivery, now: datetime | None = None
) -> NotificationDelivery:
    """Mark one of a member's notifications read. Caller fetched it with ``get_notifications_for``.

    Reading is not a change to the business, so it writes no Event.
    """
    if delivery.read_at is None:
        delivery.read_at = now or timezone.now()
        NotificationDelivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(
            read_at=delivery.read_at
        )
    return delivery


def notifications_mark_all_read(*, user: Any, customer: Customer, now: datetime | None = None) -> int:
    return NotificationDelivery.objects.filter(user=user, customer=customer, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notification_preferences_set(
    *, membership: Membership, email_by_category: Mapping[str, bool], actor: Actor
) -> dict[str, bool]:
    """Set which categories a member receives by e-mail. Caller checked the actor is that member."""
    unknown = set(email_by_category) - set(Notification.Category.values)
    if unknown:
        raise InvalidRequest(
            f"Unknown notification categories: {', '.join(sorted(unknown))}; choose from "
            + ", ".join(str(label) for label in Notification.Category.labels)
        )
    with transaction.atomic():
        before = {p.category: p.email for p in NotificationPreference.objects.filter(membership=membership)}
        for category, email in email_by_category.items():
            NotificationPreference.objects.update_or_create(
                membership=membership, category=category, defaults={"email": bool(email)}
            )
        after = {category: before.get(category, True) for category in Notification.Category.values}
        after.update({category: bool(email) for category, email in email_by_category.items()})
        off = [Notification.Category(c).label.lower() for c, on in after.items() if not on]
        event_record(
            verb="account.notification_preferences_changed",
            subject=membership,
            actor=actor,
            before=before,
            after=after,
            message=f"{user_or_none(actor) or membership.user} receives "
            + (
                f"every notification by e-mail but {', '.join(off)}"
                if off
                else "every notification by e-mail"
            ),
            customer=membership.customer,
        )
    return after
