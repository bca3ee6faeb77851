"""Through the API: rotate a webhook secret and the calendar address; viewers can do neither and
never read a webhook secret; answers that carry a secret are not cached."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from booking.models import WebhookEndpoint
from booking.services.webhooks import webhook_endpoint_create
from customers.models import Membership
from tests.factories import MembershipFactory, UserFactory

from .conftest import make_tenant, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def gom():
    return make_tenant("Gomspace")


@pytest.fixture
def endpoint(gom):
    return webhook_endpoint_create(
        customer=gom.customer, url="https://ops.gomspace.example/hooks", actor=gom.user
    )


@pytest.fixture
def viewer(gom):
    user = UserFactory(username="gom-viewer")
    MembershipFactory(user=user, customer=gom.customer, role=Membership.Role.VIEWER)
    return token_client(user)


def test_an_admin_rotates_a_webhook_secret_and_the_answer_is_not_cached(gom, endpoint):
    answer = gom.client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/")
    assert answer.status_code == 200
    endpoint.refresh_from_db()
    assert answer.json() == {"id": endpoint.pk, "url": endpoint.url, "secret": endpoint.secret}
    assert "no-store" in answer["Cache-Control"]
    read = gom.client.get(f"/api/v1/webhooks/{endpoint.pk}/")
    assert read.json()["secret"] == endpoint.secret and "no-store" in read["Cache-Control"]


def test_an_admin_rotates_the_calendar_address(gom):
    old = gom.customer.calendar_token
    answer = gom.client.post("/api/v1/calendar/rotate/")
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    gom.customer.refresh_from_db()
    assert answer.json()["calendar_url"].endswith(f"/api/v1/calendar/{gom.customer.calendar_token}.ics")
    assert APIClient().get(f"/api/v1/calendar/{old}.ics").status_code == 404


def test_a_viewer_reads_endpoints_without_their_secret_and_cannot_rotate(viewer, endpoint, gom):
    listed = viewer.get("/api/v1/webhooks/").json()["results"]
    assert [item["id"] for item in listed] == [endpoint.pk]
    assert listed[0]["secret"] is None
    assert viewer.get(f"/api/v1/webhooks/{endpoint.pk}/").json()["secret"] is None
    refused = viewer.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/")
    assert refused.status_code == 403 and "(not viewers)" in refused.json()["detail"]
    assert viewer.post("/api/v1/calendar/rotate/").status_code == 403
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


def test_another_customer_cannot_rotate_an_endpoint(endpoint):
    other = make_tenant("Other Sat")
    assert other.client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 404
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


def test_a_new_api_key_is_not_cached():
    UserFactory(username="gom")
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": "gom", "password": "launchbook-test"}, format="json"
    )
    assert answer.status_code == 201 and "no-store" in answer["Cache-Control"]
    assert "no-store" not in APIClient().get("/api/v1/launches.ics").get("Cache-Control", "")
