"""Celery tasks of the booking domain: each calls one service and nothing else.

Beat runs the periodic ones (see CELERY_BEAT_SCHEDULE in settings); ``acks_late`` and
``task_reject_on_worker_lost`` are global, and every task here is idempotent.
"""

from __future__ import annotations

from celery import shared_task

from booking.services import bookings as booking_services
from booking.services import pricing as pricing_services


@shared_task(name="booking.bookings_release_expired")
def bookings_release_expired() -> int:
    """Expire held bookings whose 30-minute hold ran out."""
    return booking_services.bookings_release_expired()


@shared_task(name="booking.quotes_expire")
def quotes_expire() -> int:
    """Expire open quotes past their validity."""
    return pricing_services.quotes_expire()
