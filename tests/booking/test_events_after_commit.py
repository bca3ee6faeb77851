"""What a committed change's Events set off, done by the worker: one task per change writes their
notifications and their webhook deliveries; a task lost with the broker is caught up, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking import tasks
from booking.models import Event, Notification, WebhookDelivery
from booking.services import webhooks
from booking.services.bookings import booking_hold
from booking.services.quotes import quote_create
from tests.booking.test_notifications import hold
from tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The broker: the tasks the changes queue, kept here for the test to run as the worker."""
    tasks_queued: list[list[int]] = []
    monkeypatch.setattr(tasks.events_after_commit, "delay", tasks_queued.append)
    monkeypatch.setattr(tasks.webhook_deliver, "delay", lambda delivery_id: None)  # nothing is sent
    return tasks_queued


def test_a_hold_hands_its_event_to_the_worker_in_one_task_for_its_notification_and_its_webhook(
    world, committed, queued
):
    endpoint = WebhookEndpointFactory(customer=world.customer, event_types=["booking.*"])
    quote = committed(
        quote_create, customer=world.customer, payload=world.payload, actor=world.user, launch=world.launch
    )
    with CaptureQueriesContext(connection) as ctx:
        booking = committed(booking_hold, quote=quote, actor=world.members["mission"].user)
    held = Event.objects.get(verb="booking.held", subject_id=booking.pk)
    quoted = Event.objects.get(verb="booking.quoted")
    # One task per change: the quote's (published, notifies nobody) and the hold's (both).
    assert queued == [[quoted.pk], [held.pk]]
    # The request itself wrote neither, nor asked for the endpoints.
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if '"booking_webhookendpoint"' in q or 'INTO "booking_notification' in q]
    assert not WebhookDelivery.objects.exists() and not Notification.objects.exists()

    for event_ids in queued:  # the worker's turn
        committed(tasks.events_after_commit, event_ids)
    assert sorted(WebhookDelivery.objects.values_list("event__verb", flat=True)) == [
        "booking.held",
        "booking.quoted",
    ]
    assert set(WebhookDelivery.objects.values_list("endpoint", flat=True)) == {endpoint.pk}
    assert list(Notification.objects.values_list("reason", flat=True)) == ["booking_held"]
    # A task delivered twice (acks_late after a worker died) makes nothing twice.
    for event_ids in queued:
        committed(tasks.events_after_commit, event_ids)
    assert WebhookDelivery.objects.count() == 2 and Notification.objects.count() == 1


def test_a_change_rolled_back_hands_nothing_to_the_worker(world, committed, queued):
    def hold_then_fail():
        with transaction.atomic():
            hold(world)
            raise RuntimeError("the transaction failed after the hold")

    with pytest.raises(RuntimeError):
        committed(hold_then_fail)
    assert queued == []


def test_a_change_whose_task_was_lost_has_its_deliveries_caught_up_once(world, committed, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.events_after_commit, "delay", broker_down)
    monkeypatch.setattr(tasks.webhook_deliver, "delay", lambda delivery_id: None)
    WebhookEndpointFactory(customer=world.customer, event_types=["booking.held"])
    booking = committed(hold, world)  # the hold stands; its task never left
    assert booking.pk is not None and not WebhookDelivery.objects.exists()

    # The newest Events are left to their own task for a grace period.
    assert committed(webhooks.webhooks_catch_up) == []
    later = world.now + webhooks.CATCH_UP_GRACE + timedelta(seconds=1)
    made = committed(webhooks.webhooks_catch_up, now=later)
    assert [delivery.event.verb for delivery in made] == ["booking.held"]
    assert committed(webhooks.webhooks_catch_up, now=later) == []  # once only
    # An Event older than the window is left alone.
    WebhookDelivery.objects.all().delete()
    too_late = world.now + webhooks.CATCH_UP_WINDOW + timedelta(minutes=1)
    assert committed(webhooks.webhooks_catch_up, now=too_late) == []
