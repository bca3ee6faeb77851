"""Celery tasks: take ids, call one service, nothing else."""

from __future__ import annotations

from celery import shared_task

from booking.services import webhooks

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
