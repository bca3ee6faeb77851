"""A user acts for one organisation at a time through the API: a token is issued for one
membership and acts with that membership's role and customer only; a session acts for the
organisation chosen in the portal. Tokens may expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import ApiToken, Booking, WebhookEndpoint
from booking.services.tokens import api_token_create
from customers.models import Membership, Payload
from tests.factories import BookingFactory, MembershipFactory, UserFactory, WebhookEndpointFactory

from .conftest import make_tenant


def _client(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def two_hats(db):
    """One user: administrator of Gomspace, viewer of Jilin; each organisation with a confirmed booking."""
    first = make_tenant("Gomspace")
    second = make_tenant("Jilin")
    user = first.user
    viewer_membership = MembershipFactory(user=user, customer=second.customer, role=Membership.Role.VIEWER)
    ours = BookingFactory(customer=first.customer, status=Booking.Status.CONFIRMED)
    theirs = BookingFactory(customer=second.customer, status=Booking.Status.CONFIRMED)
    hook = WebhookEndpointFactory(customer=second.customer)
    return user, first, second, viewer_membership, ours, theirs, hook


def test_an_admin_token_cannot_reach_the_users_other_organisation(two_hats):
    user, first, second, _, ours, theirs, hook = two_hats
    _, key = api_token_create(user=user, name="gomspace")  # the first membership: admin of Gomspace
    client = _client(key)
    assert client.post(f"/api/v1/bookings/{theirs.pk}/cancel/", {}, format="json").status_code == 404
    assert client.delete(f"/api/v1/webhooks/{hook.pk}/").status_code == 404
    assert [b["id"] for b in client.get("/api/v1/bookings/").json()["results"]] == [ours.pk]
    theirs.refresh_from_db()
    assert theirs.status == Booking.Status.CONFIRMED and WebhookEndpoint.objects.filter(pk=hook.pk).exists()


def test_a_viewer_token_acts_as_a_viewer_even_for_a_user_who_is_admin_elsewhere(two_hats):
    user, first, second, viewer_membership, ours, theirs, hook = two_hats
    _, key = api_token_create(user=user, name="jilin", membership=viewer_membership)
    client = _client(key)
    refused = client.post(f"/api/v1/bookings/{theirs.pk}/cancel/", {}, format="json")
    assert refused.status_code == 403 and "not viewers" in refused.json()["detail"]
    assert client.delete(f"/api/v1/webhooks/{hook.pk}/").status_code == 403
    # The admin organisation's rows are not in reach of this token at all.
    assert client.get(f"/api/v1/bookings/{ours.pk}/").status_code == 404
    assert [b["id"] for b in client.get("/api/v1/bookings/").json()["results"]] == [theirs.pk]
    theirs.refresh_from_db()
    assert theirs.status == Booking.Status.CONFIRMED


def test_logging_in_names_the_organisation_the_token_acts_for(two_hats):
    user, first, second, *_ = two_hats
    user.set_password("launchbook-test")
    user.save()
    answer = APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "launchbook-test", "customer": second.customer.pk},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["customer"] == second.customer.pk and answer.json()["role"] == "viewer"
    stranger = make_tenant("Elsewhere")
    refused = APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "launchbook-test", "customer": stranger.customer.pk},
        format="json",
    )
    assert refused.status_code == 400 and "not a member" in refused.json()["customer"][0]


def test_a_token_lists_only_the_tokens_of_its_organisation(two_hats):
    user, first, second, viewer_membership, *_ = two_hats
    _, key = api_token_create(user=user, name="jilin", membership=viewer_membership)
    names = {t["name"] for t in _client(key).get("/api/v1/auth/tokens/").json()["results"]}
    assert names == {"jilin"}


def test_a_session_acts_for_the_organisation_chosen_in_the_portal(two_hats, client):
    user, first, second, _, ours, theirs, hook = two_hats
    client.force_login(user)
    client.post(reverse("portal:switch_customer"), {"customer": str(second.customer.pk)})
    api = APIClient()
    api.force_authenticate(user=None)
    api.cookies = client.cookies
    refused = api.post(f"/api/v1/bookings/{theirs.pk}/cancel/", {}, format="json")
    assert refused.status_code == 403 and "not viewers" in refused.json()["detail"]
    assert api.get(f"/api/v1/bookings/{ours.pk}/").status_code == 404
    assert [b["id"] for b in api.get("/api/v1/bookings/").json()["results"]] == [theirs.pk]
    # Switched back to the organisation they administer: that booking can be cancelled, Jilin's is gone.
    client.post(reverse("portal:switch_customer"), {"customer": str(first.customer.pk)})
    api.cookies = client.cookies
    assert api.post(f"/api/v1/bookings/{theirs.pk}/cancel/", {}, format="json").status_code == 404


def test_existing_tokens_get_their_users_first_membership(db):
    """What migration 0012 does for tokens issued before: the membership every request acted through."""
    from importlib import import_module

    from django.apps import apps

    user = UserFactory()
    first = MembershipFactory(user=user)
    MembershipFactory(user=user, role=Membership.Role.VIEWER)
    token, _ = api_token_create(user=user, name="old")
    ApiToken.objects.filter(pk=token.pk).update(membership=None)
    migration = import_module("booking.migrations.0012_api_token_membership_expiry")
    migration.bind_tokens_to_first_membership(apps, None)
    token.refresh_from_db()
    assert token.membership_id == first.pk


def test_tokens_never_expire_unless_a_lifetime_is_set(db):
    user = make_tenant("Gomspace").user
    token, _ = api_token_create(user=user, name="forever")
    assert token.expires_at is None
    with override_settings(LAUNCHBOOK_API_TOKEN_DAYS=30):
        token, _ = api_token_create(user=user, name="a month")
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_an_expired_token_is_refused_with_a_clear_401(db):
    tenant = make_tenant("Gomspace")
    ApiToken.objects.filter(user=tenant.user).update(expires_at=timezone.now() - timedelta(minutes=1))
    answer = tenant.client.get("/api/v1/bookings/")
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"] and "auth/token" in answer.json()["detail"]


@override_settings(LAUNCHBOOK_API_TOKEN_DAYS=90)
def test_the_portal_issues_tokens_for_the_organisation_acted_for_and_shows_their_expiry(two_hats, client):
    user, first, second, viewer_membership, *_ = two_hats
    client.force_login(user)
    client.post(reverse("portal:switch_customer"), {"customer": str(second.customer.pk)})
    client.post(reverse("portal:api_token_create"), {"name": "jilin dashboard"})
    token = ApiToken.objects.get(name="jilin dashboard")
    assert token.membership == viewer_membership and token.expires_at is not None
    page = client.get(reverse("portal:integrations")).content.decode()
    assert "jilin dashboard" in page and "expire after 90 days" in page
    assert token.expires_at.strftime("%-d %b %Y") in page
    assert "tests" not in page.split("API tokens", 1)[1].split("Calendar", 1)[0]  # Gomspace's token


def test_an_idempotency_key_names_a_request_of_one_organisation(two_hats):
    user, first, second, viewer_membership, *_ = two_hats
    Membership.objects.filter(pk=viewer_membership.pk).update(role=Membership.Role.MISSION)
    _, gomspace_key = api_token_create(user=user, name="gomspace")
    _, jilin_key = api_token_create(user=user, name="jilin", membership=viewer_membership)
    body = {"name": "GOMX-5", "mass_kg": "3.0", "orbit": {"family": "SSO", "altitude_km": 500}}
    created = _client(gomspace_key).post("/api/v1/payloads/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert created.status_code == 201 and created.json()["customer"] == first.customer.pk
    # The same key and body for the user's other organisation is another request: refused, and
    # Gomspace's answer is not replayed to Jilin.
    again = _client(jilin_key).post("/api/v1/payloads/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 422 and "Idempotent-Replayed" not in again
    assert str(first.customer.pk) not in again.content.decode().replace(" ", "")
    assert not Payload.objects.filter(customer=second.customer, name="GOMX-5").exists()
