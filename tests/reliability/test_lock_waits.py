"""A lock someone else holds is waited for only briefly, then answered "busy, retry" (PostgreSQL).

The webhook sender records each attempt under the delivery's row lock: a second sender (or an
operator's change) holding that row must not keep it waiting for ever.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from booking.errors import Busy
from booking.models import WebhookAttempt, WebhookDelivery
from booking.services import webhooks
from booking.services.events import event_record
from booking.services.webhook_transport import SendResult
from tests.factories import BookingFactory, WebhookEndpointFactory
from tests.reliability.racing import in_background

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _delivery() -> WebhookDelivery:
    booking = BookingFactory.create()
    endpoint = WebhookEndpointFactory.create(
        customer=booking.customer, url="https://93.184.215.14/hooks", event_types=["launch.slipped"]
    )
    event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_recording_an_attempt_on_a_delivery_someone_holds_answers_busy_within_the_lock_wait(settings):
    settings.LAUNCHBOOK_LOCK_TIMEOUT_MS = 300
    delivery = _delivery()
    locked, released = threading.Event(), threading.Event()

    def hold_the_delivery():
        with transaction.atomic():
            list(WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk))
            locked.set()
            released.wait(20)

    holder = in_background(hold_the_delivery, name="holder")
    assert locked.wait(10)
    started = time.monotonic()
    try:
        with pytest.raises(Busy) as busy:
            webhooks._record_attempt(
                delivery=delivery,
                result=SendResult(status_code=500, error="", duration_ms=12),
                now=timezone.now(),
            )
        waited_s = time.monotonic() - started
    finally:
        released.set()
        assert not isinstance(held := holder.outcome(), BaseException), held
    assert waited_s < 5
    assert str(busy.value) == (
        f"webhook delivery {delivery.pk} is being changed by someone else right now; please retry."
    )
    assert not WebhookAttempt.objects.filter(delivery=delivery).exists()
