"""Lists cost a fixed number of queries, however many rows they show."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Quote, QuoteLine, WebhookAttempt, WebhookDelivery
from booking.services.events import event_record
from tests.factories import BookingFactory, LaunchFactory, PayloadFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def count(client, url):
    client.get(url)  # the token's first use of the minute writes last_used_at
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def add_rows(tenant, endpoint, n):
    for _ in range(n):
        launch = LaunchFactory()
        payload = PayloadFactory(customer=tenant.customer)
        booking = BookingFactory(customer=tenant.customer, payload=payload, launch=launch)
        quote = Quote.objects.create(
            reference=f"Q-{booking.pk}",
            customer=tenant.customer,
            payload=payload,
            kind=Quote.Kind.RIDESHARE,
            launch=launch,
            vehicle_model=launch.vehicle_model,
            provider=launch.provider,
            mass_kg=Decimal("8.0"),
            total=Decimal("10.00"),
            currency="USD",
            valid_until=timezone.now() + timedelta(days=3),
        )
        QuoteLine.objects.create(
            quote=quote, position=1, kind="launch", description="seat", amount=Decimal("10")
        )
        event = event_record(verb="booking.held", subject=booking, actor=None, customer=tenant.customer)
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event)
        WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=500)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/bookings/", "/api/v1/quotes/", "/api/v1/events/", "/api/v1/payloads/", "/api/v1/launches/"],
)
def test_list_queries_do_not_grow_with_rows(tenant_a, url):
    endpoint = WebhookEndpointFactory(customer=tenant_a.customer)
    add_rows(tenant_a, endpoint, 2)
    few = count(tenant_a.client, url)
    add_rows(tenant_a, endpoint, 10)
    assert count(tenant_a.client, url) == few


def test_delivery_list_queries_do_not_grow_with_rows(tenant_a):
    endpoint = WebhookEndpointFactory(customer=tenant_a.customer)
    url = f"/api/v1/webhooks/{endpoint.pk}/deliveries/"
    add_rows(tenant_a, endpoint, 2)
    few = count(tenant_a.client, url)
    add_rows(tenant_a, endpoint, 10)
    assert count(tenant_a.client, url) == few
