"""Publishing many events at once (a reconciler pass) costs a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Event, WebhookDelivery
from booking.services import webhooks
from tests.factories import BookingFactory, LaunchFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def launch_events(count: int) -> list[int]:
    ids = []
    for _ in range(count):
        booking = BookingFactory.create(launch=LaunchFactory.create())
        WebhookEndpointFactory.create(customer=booking.customer)
        event = Event.objects.create(
            verb="launch.status_changed",
            actor_label="system",
            subject_type="launch",
            subject_id=booking.launch_id,
            launch=booking.launch,
            provider=booking.launch.provider,
        )
        ids.append(event.pk)
    return ids


def queries_to_fan_out(event_ids: list[int], monkeypatch) -> int:
    monkeypatch.setattr(webhooks, "_queue", lambda deliveries: None)  # sending is not measured here
    with CaptureQueriesContext(connection) as queries:
        deliveries = webhooks.webhooks_fan_out_many(event_ids=event_ids)
    assert len(deliveries) == len(event_ids)
    return len(queries)


def test_fan_out_costs_the_same_queries_for_5_or_40_launch_wide_events(monkeypatch):
    few = queries_to_fan_out(launch_events(5), monkeypatch)
    many = queries_to_fan_out(launch_events(40), monkeypatch)
    assert many == few
    assert few <= 6


def test_fan_out_twice_creates_nothing_more(monkeypatch):
    ids = launch_events(3)
    monkeypatch.setattr(webhooks, "_queue", lambda deliveries: None)
    assert len(webhooks.webhooks_fan_out_many(event_ids=ids)) == 3
    assert webhooks.webhooks_fan_out_many(event_ids=ids) == []
    assert WebhookDelivery.objects.count() == 3
