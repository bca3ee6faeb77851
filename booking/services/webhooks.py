"""Webhooks: events fanned out to customers' endpoints after commit, signed, retried for a day.

Flow: ``events.events_publish`` (called by every writer of Events) registers ``webhooks_fan_out``
with ``transaction.on_commit``; fan-out creates one ``WebhookDelivery`` per matching endpoint, due
at once, and queues ``webhook_deliver`` for each. The sender claims a due delivery with a
conditional UPDATE that leases it (``SEND_LEASE``) before it posts, so a task delivered twice, or
queued again by the beat task, sends once. Every attempt is a ``WebhookAttempt`` row. A failed attempt is retried with exponential backoff
(30 s, 1 min, 2 min, … capped at 6 h) until 24 hours after the event; then the delivery gives
up. An endpoint that answers 410 Gone is disabled. The beat task ``webhooks_deliver_due`` queues
due deliveries again, so a lost task, a dead sender or a broker outage only delays a delivery.

How a request leaves (the URL rule against SSRF, the deadline, the signature) is
``booking.services.webhook_transport``.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import when
from booking.errors import InvalidRequest
from booking.models import Booking, Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booking.signals import webhook_deliveries_due
from customers.models import Customer

from .events import Actor, ForTheWorker, event_record
from .locking import claim_unlocked, lock_customer, lock_webhook_delivery, lock_webhook_endpoint
from .webhook_transport import (
    SIGNATURE_HEADER,
    SendResult,
    _send,
    webhook_signature,
    webhook_url_refusal,
)

logger = logging.getLogger(__name__)

# Verbs customers may subscribe to; anything else (audit-only events) is never sent.
PUBLISHED_VERBS = (
    "booking.*",
    "launch.scheduled",
    "launch.slipped",
    "launch.status_changed",
    "readiness.step_*",
    "standby.*",
)
PING_VERB = "webhook.ping"
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY_GAP = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=1)
# A delivery being sent is leased for this long; if the sender dies the beat task picks it up after.
# Only the sender takes the lease (``webhook_deliver``); queuing a delivery leaves it due.
SEND_LEASE = timedelta(minutes=2)
MAX_ENDPOINTS_PER_CUSTOMER = 20


# --- endpoints ---------------------------------------------------------------------------------


def _validate_endpoint(url: str, event_types: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidRequest(_("%(url)s is not an http(s) URL.") % {"url": f"{url!r}"})
    if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
        raise InvalidRequest(_('event_types is a list of event names or patterns, e.g. ["booking.*"].'))
    for pattern in event_types:
        if not any(fnmatch.fnmatchcase(pattern, p) or _matches(pattern, p) for p in PUBLISHED_VERBS):
            raise InvalidRequest(
                _("%(pattern)s matches no published event; choose from %(published_verbs)s.")
                % {"pattern": f"{pattern!r}", "published_verbs": ", ".join(PUBLISHED_VERBS)}
            )
    refusal = webhook_url_refusal(url)  # last: the only check that may look the host up
    if refusal:
        raise InvalidRequest(refusal)


def _matches(pattern: str, published: str) -> bool:
    """Whether subscribing to ``pattern`` can receive something ``published`` describes."""
    probe = published.replace("*", "x")
    return fnmatch.fnmatchcase(probe, pattern)


def webhook_endpoint_create(
    *, customer: Customer, url: str, actor: Actor, event_types: list[str] | None = None
) -> WebhookEndpoint:
    """Add an endpoint, at most ``MAX_ENDPOINTS_PER_CUSTOMER`` per customer.

    The count is taken under the customer's row lock, so concurrent creates queue there and each
    counts the ones before it.
    """
    event_types = list(event_types or [])
    _validate_endpoint(url, event_types)
    with transaction.atomic():
        lock_customer(customer_id=customer.pk, what=f"the webhook endpoints of {customer}")
        count = WebhookEndpoint.objects.filter(customer=customer).count()
        if count >= MAX_ENDPOINTS_PER_CUSTOMER:
            raise InvalidRequest(
                _("%(customer)s already has %(count)s webhook endpoints, the most allowed.")
                % {"customer": customer, "count": count}
            )
        endpoint = WebhookEndpoint.objects.create(
            customer=customer, url=url, event_types=event_types, secret=secrets.token_hex(32)
        )
        event_record(
            verb="webhook.endpoint_created",
            subject=endpoint,
            actor=actor,
            customer=customer,
            after={"url": url, "event_types": event_types},
            message=f"Webhook endpoint {url} added",
        )
    return endpoint


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: Actor,
    url: str | None = None,
    event_types: list[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint; re-activating one clears the reason it was disabled."""
    # Checked before the row is locked: the check may look the host up. What is not given keeps
    # its stored value, which was checked when it was saved.
    _validate_endpoint(
        endpoint.url if url is None else url,
        endpoint.event_types if event_types is None else list(event_types),
    )
    with transaction.atomic():
        endpoint = lock_webhook_endpoint(endpoint=endpoint)
        before = {"url": endpoint.url, "event_types": endpoint.event_types, "active": endpoint.active}
        endpoint.url = endpoint.url if url is None else url
        endpoint.event_types = endpoint.event_types if event_types is None else list(event_types)
        if active is not None:
            endpoint.active = active
            if active:
                endpoint.disabled_reason = ""
        endpoint.save(update_fields=["url", "event_types", "active", "disabled_reason"])
        event_record(
            verb="webhook.endpoint_updated",
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            before=before,
            after={"url": endpoint.url, "event_types": endpoint.event_types, "active": endpoint.active},
            message=f"Webhook endpoint {endpoint.url} changed",
        )
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookEndpoint:
    """Give ``endpoint`` a new signing secret; deliveries from now on are signed with it.

    The old secret stops at once (no overlap): a receiver that leaked it must not keep accepting
    forged calls. The event says that it changed, never what it is.
    """
    with transaction.atomic():
        endpoint = lock_webhook_endpoint(endpoint=endpoint)
        endpoint.secret = secrets.token_hex(32)
        endpoint.save(update_fields=["secret"])
        event_record(
            verb="webhook.secret_rotated",
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            after={"url": endpoint.url},
            message=f"Webhook endpoint {endpoint.url} has a new signing secret",
        )
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    with transaction.atomic():
        event_record(
            verb="webhook.endpoint_deleted",
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            before={"url": endpoint.url},
            message=f"Webhook endpoint {endpoint.url} removed",
        )
        endpoint.delete()


# --- fan-out -----------------------------------------------------------------------------------


def is_published(verb: str) -> bool:
    return any(fnmatch.fnmatchcase(verb, pattern) for pattern in PUBLISHED_VERBS)


def endpoint_wants(endpoint: WebhookEndpoint, verb: str) -> bool:
    return not endpoint.event_types or any(fnmatch.fnmatchcase(verb, p) for p in endpoint.event_types)


def webhooks_on_published(*, events: Sequence[Event], **_signal: Any) -> ForTheWorker:
    """Listens to ``signals.events_published``: the published ones are fanned out by the worker
    once the transaction commits (``events.events_publish`` hands them over: one task per change,
    with its notifications), not in the request that made the change; ``webhooks_catch_up``
    (beat) fans out those whose task was lost."""
    return ForTheWorker([event.pk for event in events if is_published(event.verb)])


#: How far back the catch-up looks for published Events whose fan-out task was lost, and how long it
#: leaves the newest to their own task.
CATCH_UP_WINDOW = timedelta(minutes=15)
CATCH_UP_GRACE = timedelta(seconds=30)


def webhooks_catch_up(*, now: datetime | None = None) -> list[WebhookDelivery]:
    """The deliveries of recent published Events that never had their fan-out (the task was lost
    with a broker or a worker): every Event of the window is fanned out again, which creates only
    the deliveries that do not exist yet. Safe to repeat and to race the tasks."""
    now = now or timezone.now()
    recent = Event.objects.filter(
        created_at__gte=now - CATCH_UP_WINDOW, created_at__lt=now - CATCH_UP_GRACE
    ).only("pk", "verb", "customer_id", "launch_id")  # what the fan-out reads of an Event
    return webhooks_fan_out_events(events=recent.order_by("pk"), now=now)


def webhooks_fan_out(*, event_id: int, now: datetime | None = None) -> list[WebhookDelivery]:
    """Create the deliveries of one committed event and queue their sending. Safe to repeat."""
    return webhooks_fan_out_many(event_ids=[event_id], now=now)


def webhooks_fan_out_many(*, event_ids: Sequence[int], now: datetime | None = None) -> list[WebhookDelivery]:
    """Create the deliveries of committed events and queue their sending, in a fixed number of
    queries however many events (a reconciler pass publishes hundreds at once). Safe to repeat:
    a delivery that exists already is neither created nor queued again."""
    return webhooks_fan_out_events(events=Event.objects.filter(pk__in=event_ids).order_by("pk"), now=now)


def webhooks_fan_out_events(*, events: Iterable[Event], now: datetime | None = None) -> list[WebhookDelivery]:
    """``webhooks_fan_out_many`` for committed Event rows already in memory (their verb, customer
    and launch are read): one query for the endpoints when no endpoint wants them."""
    events = [event for event in events if is_published(event.verb)]
    launch_wide = {
        event.launch_id
        for event in events
        if event.customer_id is None and event.launch_id is not None and not event.verb.startswith("booking.")
    }
    customers_on_launch: dict[int, set[int]] = defaultdict(set)
    if launch_wide:
        rows = (
            Booking.objects.filter(launch_id__in=launch_wide)
            .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.EXPIRED])
            .values_list("launch_id", "customer_id")
            .distinct()
        )
        for launch_id, customer_id in rows:
            customers_on_launch[launch_id].add(customer_id)
    recipients = {
        event.pk: {event.customer_id}
        if event.customer_id is not None
        else (customers_on_launch.get(event.launch_id, set()) if event.launch_id in launch_wide else set())
        for event in events
    }
    customer_ids = set().union(*recipients.values()) if recipients else set()
    if not customer_ids:
        return []
    endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in WebhookEndpoint.objects.filter(customer_id__in=customer_ids, active=True).order_by("pk"):
        endpoints[endpoint.customer_id].append(endpoint)
    wanted = [
        (endpoint, event)
        for event in events
        for customer_id in sorted(recipients[event.pk])
        for endpoint in endpoints[customer_id]
        if endpoint_wants(endpoint, event.verb)
    ]
    if not wanted:
        return []
    existing = set(
        WebhookDelivery.objects.filter(event_id__in=[event.pk for event in events]).values_list(
            "endpoint_id", "event_id"
        )
    )
    now = now or timezone.now()
    new_pairs = {(endpoint.pk, event.pk) for endpoint, event in wanted} - existing
    if not new_pairs:
        return []
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
            for endpoint, event in wanted
            if (endpoint.pk, event.pk) in new_pairs
        ],
        ignore_conflicts=True,  # a concurrent fan-out of the same event made it first: it queues it
    )
    deliveries = [
        delivery
        for delivery in WebhookDelivery.objects.filter(event_id__in={pair[1] for pair in new_pairs}).order_by(
            "pk"
        )
        if (delivery.endpoint_id, delivery.event_id) in new_pairs
    ]
    _queue(deliveries)
    return deliveries


def webhook_ping(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookDelivery:
    """Send a ``webhook.ping`` event to one endpoint, to check it receives and verifies."""
    if not endpoint.active:
        raise InvalidRequest(
            _("The endpoint %(url)s is disabled (%(endpoint)s); re-activate it first.")
            % {"url": endpoint.url, "endpoint": endpoint.disabled_reason or "by its owner"}
        )
    with transaction.atomic():
        event = event_record(
            verb=PING_VERB,
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            message=f"Test ping to {endpoint.url}",
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, next_attempt_at=timezone.now()
        )
        transaction.on_commit(lambda: _queue([delivery]), robust=True)
    return delivery


def _queue(deliveries: list[WebhookDelivery]) -> None:
    """Announce the deliveries to send now (``signals.webhook_deliveries_due``; the Celery tasks
    listen). Runs after commit."""
    webhook_deliveries_due.send(sender=WebhookDelivery, delivery_ids=[delivery.pk for delivery in deliveries])


# --- sending -----------------------------------------------------------------------------------


def webhook_event_body(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "type": event.verb,
        "created_at": event.created_at,
        "data": {
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "customer": event.customer_id,
            "launch": event.launch_id,
            "message": event.message,
            "before": event.before,
            "after": event.after,
        },
    }


def webhook_retry_delay(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min, … ≤ 6 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY_GAP)


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make one attempt at a pending, due delivery and record it.

    Steps aside if the delivery is settled, not due, or claimed by another sender: the claim is
    a conditional UPDATE, so of two runs for one delivery (a task delivered twice, or queued by
    fan-out and by the beat task) exactly one posts.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        logger.info("webhook delivery %s is gone or settled; nothing to send", delivery_id)
        return delivery
    endpoint = delivery.endpoint
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.GAVE_UP, next_attempt_at=None
        )
        logger.info("webhook endpoint %s is disabled; delivery %s dropped", endpoint.pk, delivery.pk)
        return delivery
    claimed_at = now or timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__lte=claimed_at) | Q(next_attempt_at__isnull=True))
        .update(next_attempt_at=claimed_at + SEND_LEASE)
    )
    if not claimed:
        logger.info("webhook delivery %s is not due or another sender has it; stepping aside", delivery.pk)
        return delivery
    body = json.dumps(webhook_event_body(delivery.event), cls=DjangoJSONEncoder).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Launchbook-Webhooks/1",
        SIGNATURE_HEADER: webhook_signature(secret=endpoint.secret, timestamp=timestamp, body=body),
        "Launchbook-Event": delivery.event.verb,
        "Launchbook-Delivery": str(delivery.pk),
    }
    result = _send(endpoint.url, body, headers)
    return _record_attempt(delivery=delivery, result=result, now=now or timezone.now())


def _record_attempt(*, delivery: WebhookDelivery, result: SendResult, now: datetime) -> WebhookDelivery:
    with transaction.atomic():
        delivery = lock_webhook_delivery(delivery=delivery)
        number = delivery.attempts + 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
        )
        delivery.attempts = number
        code = result.status_code
        if result.error:  # no complete answer (cut off at the deadline, or refused): not delivered
            code = None
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, None
        elif code == 410:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
            _endpoint_disable(delivery.endpoint, reason=f"Answered 410 Gone on {when(now)}.")
        else:
            next_at = now + webhook_retry_delay(number)
            if next_at > delivery.created_at + GIVE_UP_AFTER:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
            else:
                delivery.next_attempt_at = next_at
        delivery.save(update_fields=["attempts", "status", "next_attempt_at"])
    return delivery


def _endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_reason=reason[:200])
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.GAVE_UP, next_attempt_at=None
    )
    event_record(
        verb="webhook.endpoint_disabled",
        subject=endpoint,
        actor=None,
        customer=endpoint.customer,
        after={"active": False, "reason": reason},
        message=f"Webhook endpoint {endpoint.url} disabled: {reason}",
        system="webhooks",
    )


def webhooks_claim_due(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """The ids of due deliveries, to queue; rows a sender is recording (locked) are passed over.

    Nothing is leased here: the sender claims each delivery itself (``webhook_deliver``), so a
    delivery queued twice (its first task still waiting in the broker) is still sent once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        return list(
            claim_unlocked(WebhookDelivery.objects.all())
            .filter(status=WebhookDelivery.Status.PENDING)
            .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
