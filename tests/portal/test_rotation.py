"""Secrets can be replaced from the portal: a webhook endpoint's signing secret and the calendar
address. Only administrators may; the pages showing secrets are never cached."""

from __future__ import annotations

import pytest
from django.test import Client

from booking.models import Event, WebhookEndpoint
from booking.services.webhooks import webhook_endpoint_create
from customers.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(world):
    return webhook_endpoint_create(
        customer=world["customer"], url="https://ops.gomspace.example/hooks", actor=world["member"]
    )


@pytest.fixture
def viewer_client(world):
    viewer = MembershipFactory(
        user=UserFactory(username="gom-viewer"), customer=world["customer"], role=Membership.Role.VIEWER
    ).user
    client = Client()
    client.force_login(viewer)
    return client


def test_a_member_gives_a_webhook_endpoint_a_new_secret_and_sees_it_once(member_client, endpoint):
    old = endpoint.secret
    answer = member_client.post(f"/portal/integrations/webhooks/{endpoint.pk}/rotate-secret/", follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and len(endpoint.secret) == 64
    page = answer.content.decode()
    assert endpoint.secret in page and old not in page
    assert "no-store" in answer["Cache-Control"]
    event = Event.objects.get(verb="webhook.secret_rotated")
    assert endpoint.secret not in str(event.after) and endpoint.secret not in event.message


def test_a_member_gives_the_calendar_a_new_address_and_the_old_one_stops(member_client, client, world):
    customer = world["customer"]
    old = customer.calendar_token
    assert client.get(f"/api/v1/calendar/{old}.ics").status_code == 200
    answer = member_client.post("/portal/integrations/calendar/rotate/", follow=True)
    customer.refresh_from_db()
    assert customer.calendar_token != old
    assert customer.calendar_token in answer.content.decode()
    assert client.get(f"/api/v1/calendar/{old}.ics").status_code == 404
    assert client.get(f"/api/v1/calendar/{customer.calendar_token}.ics").status_code == 200
    assert Event.objects.filter(verb="customer.calendar_token_rotated").count() == 1


def test_a_viewer_cannot_rotate_secrets_in_the_portal(viewer_client, endpoint, world):
    old_secret, old_token = endpoint.secret, world["customer"].calendar_token
    refused = viewer_client.post(f"/portal/integrations/webhooks/{endpoint.pk}/rotate-secret/")
    assert refused.status_code == 403 and "(not viewers)" in refused.content.decode()
    assert viewer_client.post("/portal/integrations/calendar/rotate/").status_code == 403
    endpoint.refresh_from_db()
    world["customer"].refresh_from_db()
    assert endpoint.secret == old_secret and world["customer"].calendar_token == old_token
    assert "New secret" not in viewer_client.get("/portal/integrations/").content.decode()


def test_another_customers_endpoint_cannot_be_rotated(client, world, endpoint):
    client.force_login(world["outsider"])
    assert client.post(f"/portal/integrations/webhooks/{endpoint.pk}/rotate-secret/").status_code == 404
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


def test_the_integrations_page_with_a_new_api_key_is_not_cached_and_has_no_inline_handlers(member_client):
    member_client.post("/portal/integrations/tokens/", {"name": "ground station"})
    answer = member_client.get("/portal/integrations/")
    assert "Copy the key now" in answer.content.decode()
    assert "no-store" in answer["Cache-Control"]
    assert "onfocus=" not in answer.content.decode()
    assert "script-src 'self'" in answer["Content-Security-Policy"]
