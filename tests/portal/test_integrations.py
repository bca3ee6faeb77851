"""Integration settings: API tokens, webhook endpoints and deliveries, the calendar address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booking.models import ApiToken, Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_integrations_page_lists_webhook_endpoints_and_deliveries(member_client, world):
    endpoint = WebhookEndpoint.objects.create(
        customer=world["customer"],
        url="https://ops.gomspace.example/hooks",
        secret="s",
        event_types=["booking.*"],
    )
    WebhookEndpoint.objects.create(customer=world["other"], url="https://other.example/hooks", secret="s")
    event = Event.objects.create(
        verb="booking.confirmed",
        actor_label="gom",
        subject_type="booking",
        subject_id=world["booking"].pk,
        customer=world["customer"],
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, status="delivered", attempts=2)
    WebhookAttempt.objects.create(delivery=delivery, number=1, error="connection refused", duration_ms=12)
    WebhookAttempt.objects.create(delivery=delivery, number=2, status_code=204, duration_ms=85)
    text = member_client.get(reverse("portal:integrations")).content.decode()
    assert "https://ops.gomspace.example/hooks" in text
    assert "booking.*" in text
    assert "other.example" not in text
    assert "HTTP 204 · 85 ms" in text
    assert "Delivered" in text


def test_member_creates_a_token_sees_the_key_once_and_revokes_it(member_client, world):
    response = member_client.post(
        reverse("portal:api_token_create"), {"name": "mission control"}, follow=True
    )
    text = response.content.decode()
    token = ApiToken.objects.get(user=world["member"], name="mission control")
    assert "Copy the key now: it is shown only once." in text
    assert f'value="{token.prefix}' in text
    again = member_client.get(reverse("portal:integrations")).content.decode()
    assert "Copy the key now" not in again
    response = member_client.post(reverse("portal:api_token_revoke", args=[token.pk]), follow=True)
    assert "Token mission control revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_member_cannot_revoke_someone_elses_token(client, world):
    from booking.services.tokens import api_token_create

    token, _key = api_token_create(user=world["member"], name="theirs")
    client.force_login(world["outsider"])
    assert client.post(reverse("portal:api_token_revoke", args=[token.pk])).status_code == 404


def test_member_adds_and_removes_a_webhook_endpoint(member_client, world):
    response = member_client.post(
        reverse("portal:webhook_endpoint_create"),
        {"url": "https://ops.gomspace.example/launchbook", "event_types": "booking.*, launch.slipped"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get(customer=world["customer"])
    assert endpoint.event_types == ["booking.*", "launch.slipped"]
    assert "Webhook endpoint https://ops.gomspace.example/launchbook added" in response.content.decode()
    response = member_client.post(reverse("portal:webhook_endpoint_delete", args=[endpoint.pk]), follow=True)
    assert not WebhookEndpoint.objects.exists()
    assert Event.objects.filter(verb="webhook.endpoint_deleted", customer=world["customer"]).exists()


def test_a_refused_webhook_endpoint_says_why_next_to_the_form(member_client, world):
    response = member_client.post(
        reverse("portal:webhook_endpoint_create"), {"url": "https://ops.example/x", "event_types": "nonsense"}
    )
    assert response.status_code == 200
    assert 'class="errorlist nonfield"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_another_customers_endpoint_cannot_be_removed(client, world):
    endpoint = WebhookEndpoint.objects.create(
        customer=world["customer"], url="https://a.example/h", secret="s"
    )
    client.force_login(world["outsider"])
    assert client.post(reverse("portal:webhook_endpoint_delete", args=[endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_calendar_address_is_the_customers_feed_and_it_serves(member_client, client, world):
    text = member_client.get(reverse("portal:integrations")).content.decode()
    path = reverse("api:customer-ics", kwargs={"token": world["customer"].calendar_token})
    assert f'value="http://testserver{path}"' in text
    feed = client.get(path)
    assert feed.status_code == 200
    assert b"BEGIN:VCALENDAR" in feed.content
