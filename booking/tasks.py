"""Celery tasks of the booking domain: each calls one service and nothing else.

Beat runs the periodic ones (see CELERY_BEAT_SCHEDULE in settings); ``acks_late`` and
``task_reject_on_worker_lost`` are global, and every task here is idempotent.
"""

from __future__ import annotations

from celery import shared_task

from booking.services import bookings as booking_services
from booking.services import pricing as pricing_services
from booking.services import webhooks


@shared_task(name="booking.bookings_release_expired")
def bookings_release_expired() -> int:
    """Expire held bookings whose 30-minute hold ran out."""
    return booking_services.bookings_release_expired()


@shared_task(name="booking.quotes_expire")
def quotes_expire() -> int:
    """Expire open quotes past their validity."""
    return pricing_services.quotes_expire()


# --- webhooks (api) ------------------------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliver(delivery_id: int) -> None:
    """One attempt at one delivery; failures are rescheduled in the row, not by Celery retries."""
    webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def webhooks_deliver_due() -> int:
    """Beat, every 30 s: send deliveries whose next attempt is due (and ones whose task was lost)."""
    due = webhooks.webhooks_claim_due()
    for delivery_id in due:
        webhook_deliver.delay(delivery_id)
    return len(due)


# --- end webhooks (api) --------------------------------------------------------------------------
