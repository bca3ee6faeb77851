"""Celery tasks: take ids, call one service, nothing else.

Tasks are acks_late with reject_on_worker_lost (settings), so a task cut off by a dying worker is
delivered again; every task here is idempotent, and none waits hours in an ETA. Every task has a
soft and a hard time limit (the settings' defaults, or its own below). Webhook sends run on their
own queue, ``webhooks`` (``CELERY_TASK_ROUTES``), so slow receivers never delay holds, quotes or
readiness checks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from celery import shared_task
from django.db import transaction

from booking.errors import Busy
from booking.services import bookings as booking_services
from booking.services import manifest, notifications, quotes, readiness, standby, webhook_transport, webhooks

logger = logging.getLogger(__name__)


@shared_task(name="booking.bookings_release_expired")
def bookings_release_expired() -> int:
    """Expire held bookings whose 30-minute hold ran out."""
    return booking_services.bookings_release_expired()


@shared_task(name="booking.quotes_expire")
def quotes_expire() -> int:
    """Expire open quotes past their validity."""
    return quotes.quotes_expire()


# --- webhooks ------------------------------------------------------------------------------------


# Above the send's whole-request deadline, with room for the look-ups and the two small writes;
# below the delivery's lease (``webhooks.SEND_LEASE``), so no second sender starts while it runs.
WEBHOOK_SOFT_TIME_LIMIT_SECONDS = int(webhook_transport.REQUEST_DEADLINE.total_seconds()) + 20
WEBHOOK_TIME_LIMIT_SECONDS = WEBHOOK_SOFT_TIME_LIMIT_SECONDS + 15


@shared_task(
    name="booking.tasks.webhook_deliver",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=WEBHOOK_SOFT_TIME_LIMIT_SECONDS,
    time_limit=WEBHOOK_TIME_LIMIT_SECONDS,
)
def webhook_deliver(delivery_id: int) -> None:
    """One attempt at one delivery; failures are rescheduled in the row, not by Celery retries."""
    webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(name="booking.tasks.webhooks_deliver_due", acks_late=True, ignore_result=True)
def webhooks_deliver_due() -> int:
    """Beat, every 30 s: send deliveries whose next attempt is due (and ones whose task was lost)."""
    due = webhooks.webhooks_claim_due()
    for delivery_id in due:
        webhook_deliver.delay(delivery_id)
    return len(due)


def webhooks_queue(*, delivery_ids: Sequence[int], **_signal: Any) -> None:
    """Listens to ``signals.webhook_deliveries_due``: one task per delivery."""
    for delivery_id in delivery_ids:
        try:
            webhook_deliver.delay(delivery_id)
        except Exception:  # broker down: the beat task sends it when the lease runs out
            logger.warning("could not queue webhook delivery %s; the beat task will retry", delivery_id)


# --- readiness -----------------------------------------------------------------------------------
# Beat: {"readiness-reconcile": {"task": "booking.tasks.readiness_reconcile", "schedule": 30.0,
#        "options": {"expires": 25}}}


# A pass over every active launch, and the checks (a forecast service may answer slowly), get more
# than the default limits.
@shared_task(name="booking.tasks.readiness_reconcile", soft_time_limit=120, time_limit=150)
def readiness_reconcile() -> dict:
    """One reconciler pass (beat, every 30 s). Safe to run in parallel: launches are claimed."""
    report = readiness.readiness_reconcile()
    summary = report.as_dict()
    if report.launches_claimed:
        logger.info("Readiness reconciled: %s", summary)
    return summary


@shared_task(
    bind=True, name="booking.tasks.readiness_run_check", max_retries=5, soft_time_limit=120, time_limit=150
)
def readiness_run_check(self, step_id: int, attempt: int) -> str:
    """Run one queued attempt of a step's automatic check; a second delivery does nothing."""
    try:
        run = readiness.step_check_run(step_id=step_id, attempt=attempt)
    except Busy as exc:
        # Someone holds the launch for a moment (often the reconciler itself): try again shortly.
        raise self.retry(exc=exc, countdown=2) from exc
    return run.result if run is not None else "skipped"


def readiness_checks_queue(*, pairs: Sequence[tuple[int, int]], **_signal: Any) -> None:
    """Listens to ``signals.readiness_checks_due``: one task per (step id, attempt)."""
    for step_id, attempt in pairs:
        readiness_run_check.delay(step_id, attempt)


# --- notifications -------------------------------------------------------------------------------


@shared_task(name="booking.tasks.notification_deliver", acks_late=True, ignore_result=True)
def notification_deliver(delivery_id: int) -> None:
    """One attempt at one notification e-mail; failures are rescheduled in the row, not by Celery."""
    notifications.notification_deliver(delivery_id=delivery_id)


@shared_task(name="booking.tasks.notifications_deliver_due", acks_late=True, ignore_result=True)
def notifications_deliver_due() -> int:
    """Beat, every 60 s: send e-mails whose retry is due, and those whose task was lost."""
    due = notifications.notifications_claim_due()
    for delivery_id in due:
        notification_deliver.delay(delivery_id)
    return len(due)


@shared_task(name="booking.tasks.payment_reminders_notify", acks_late=True, ignore_result=True)
def payment_reminders_notify() -> int:
    """Beat, every 15 minutes: payments due soon and overdue, each told once."""
    return notifications.payment_reminders_notify()


@shared_task(name="booking.tasks.events_after_commit", acks_late=True, ignore_result=True)
def events_after_commit(event_ids: list[int]) -> None:
    """What one committed change's Events set off: their notifications (and e-mails) and their
    webhook deliveries. Safe to repeat: each Event notifies once, and a delivery is made once."""
    notifications.notifications_from_events(event_ids=event_ids)
    webhooks.webhooks_fan_out_many(event_ids=event_ids)


@shared_task(name="booking.tasks.notifications_catch_up", acks_late=True, ignore_result=True)
def notifications_catch_up() -> int:
    """Beat, every 60 s: the notifications of recent Events whose task was lost."""
    return len(notifications.notifications_catch_up())


@shared_task(name="booking.tasks.webhooks_catch_up", acks_late=True, ignore_result=True)
def webhooks_catch_up() -> int:
    """Beat, every 60 s: the webhook deliveries of recent published Events whose task was lost."""
    return len(webhooks.webhooks_catch_up())


def events_committed_queue(*, event_ids: Sequence[int], **_signal: Any) -> None:
    """Listens to ``signals.events_committed``: one task per committed change."""
    try:
        events_after_commit.delay(list(event_ids))
    except Exception:  # broker down: the catch-ups write them
        logger.warning("could not queue the work after events %s; the catch-ups will", list(event_ids))


def notifications_queue(*, delivery_ids: Sequence[int], **_signal: Any) -> None:
    """Listens to ``signals.notification_deliveries_due``: one task per delivery."""
    for delivery_id in delivery_ids:
        try:
            notification_deliver.delay(delivery_id)
        except Exception:  # broker down: the sweep sends it
            logger.warning("could not queue notification delivery %s; the sweep will send it", delivery_id)


# --- standby lists -------------------------------------------------------------------------------


@shared_task(bind=True, name="booking.tasks.standby_offers_make", acks_late=True, max_retries=5)
def standby_offers_make(self, launch_id: int) -> int:
    """One pass over a launch's standby list (after a seat freed up); answers the offers made."""
    try:
        return len(standby.standby_offers_make(launch_id=launch_id))
    except Busy as exc:
        # Someone holds the launch for a moment: try again shortly (the sweep catches up anyway).
        raise self.retry(exc=exc, countdown=2) from exc


@shared_task(name="booking.tasks.standby_sweep", acks_late=True, ignore_result=True)
def standby_sweep() -> int:
    """Beat, every 5 minutes: a pass over every launch with an offer to settle or a list to serve,
    so an offer lapses and the next entry hears even when a task was lost."""
    launch_ids = standby.standby_launches_due()
    for launch_id in launch_ids:
        standby_offers_make.delay(launch_id)
    return len(launch_ids)


def standby_passes_queue(*, launch_ids: Sequence[int], **_signal: Any) -> None:
    """Listens to ``signals.standby_passes_due``: one task per launch."""
    for launch_id in launch_ids:
        try:
            standby_offers_make.delay(launch_id)
        except Exception:  # broker down: the sweep passes over it
            logger.warning("could not queue the standby pass of launch %s; the sweep will", launch_id)


# --- the manifest optimiser ----------------------------------------------------------------------

#: The launch changes after which the optimiser proposes where the launch's payloads go.
MANIFEST_TRIGGER_VERBS = ("launch.slipped", "launch.scrubbed")


@shared_task(name="booking.tasks.manifest_propose_after_change", acks_late=True, ignore_result=True)
def manifest_propose_after_change(launch_id: int) -> int | None:
    """A launch slipped or scrubbed: propose where its payloads go (when any must); the proposal's id."""
    proposal = manifest.manifest_propose_after_launch_change(launch_id=launch_id)
    return proposal.pk if proposal is not None else None


@shared_task(name="booking.tasks.manifest_offers_lapse", acks_late=True, ignore_result=True)
def manifest_offers_lapse() -> int:
    """Beat, every 5 minutes: offers of moves past their answer-by time lapse."""
    return manifest.manifest_offers_lapse()


def manifest_on_published(*, events: Sequence[Any], **_signal: Any) -> None:
    """Listens to ``signals.events_published``: a slip or a scrub queues a proposal, after commit."""
    launch_ids = sorted({e.launch_id for e in events if e.verb in MANIFEST_TRIGGER_VERBS and e.launch_id})
    for launch_id in launch_ids:
        transaction.on_commit(partial(_queue_proposal, launch_id), robust=True)


def _queue_proposal(launch_id: int) -> None:
    try:
        manifest_propose_after_change.delay(launch_id)
    except Exception:  # broker down: the operator asks for a proposal from the admin
        logger.warning("could not queue the manifest proposal after a change of launch %s", launch_id)
