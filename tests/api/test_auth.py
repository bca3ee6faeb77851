"""Tokens: issued for a password, stored as a digest, revocable, throttled."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from booking.models import ApiToken, Event
from booking.services.tokens import api_token_create, api_token_digest, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_password_buys_a_token_that_authenticates_and_only_its_digest_is_stored():
    UserFactory(username="mission")
    client = APIClient()
    answer = client.post(
        "/api/v1/auth/token/",
        {"username": "mission", "password": "launchbook-test", "name": "ops"},
        format="json",
    )
    assert answer.status_code == 201
    key = answer.json()["token"]
    token = ApiToken.objects.get()
    assert token.key_digest == api_token_digest(key) and key not in token.key_digest
    assert token.prefix == key[:8] and token.name == "ops"

    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/providers/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_wrong_password_is_refused_with_a_message():
    UserFactory(username="mission")
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": "mission", "password": "nope"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {"detail": "The username or password is wrong."}
    assert not ApiToken.objects.exists()


def test_missing_or_bad_credentials_are_401_with_a_challenge():
    anonymous = APIClient().get("/api/v1/launches/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    bad = APIClient(HTTP_AUTHORIZATION="Token not-a-real-key").get("/api/v1/launches/")
    assert bad.status_code == 401
    assert bad.json()["detail"] == "The token is not valid or has been revoked."
    malformed = APIClient(HTTP_AUTHORIZATION="Token a b").get("/api/v1/launches/")
    assert malformed.status_code == 401


def test_a_revoked_token_stops_working_and_revoking_is_logged():
    user = UserFactory()
    token, key = api_token_create(user=user, name="ci")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/sites/").status_code == 200
    api_token_revoke(token=token, actor=user)
    assert client.get("/api/v1/sites/").status_code == 401
    assert Event.objects.filter(verb="api_token.revoked", subject_id=token.pk).exists()
    api_token_revoke(token=token, actor=user)  # twice is harmless
    assert Event.objects.filter(verb="api_token.revoked").count() == 1


def test_tokens_are_listed_without_keys_and_revoked_through_the_api():
    user = UserFactory()
    _, key = api_token_create(user=user, name="first")
    other, _ = api_token_create(user=user, name="second")
    stranger, _ = api_token_create(user=UserFactory(), name="someone else's")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    listed = client.get("/api/v1/auth/tokens/").json()
    assert {t["name"] for t in listed["results"]} == {"first", "second"}
    assert all("token" not in t and "key_digest" not in t for t in listed["results"])
    assert client.delete(f"/api/v1/auth/tokens/{stranger.pk}/").status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{other.pk}/").status_code == 204
    other.refresh_from_db()
    assert other.revoked_at is not None


def test_token_names_are_required_by_the_service():
    from booking.errors import InvalidRequest

    with pytest.raises(InvalidRequest, match="A token needs a name"):
        api_token_create(user=UserFactory(), name="  ")


def test_password_guessing_is_throttled_with_retry_after(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "3/minute"},
    }
    client = APIClient()
    codes = [
        client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    answer = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
    assert int(answer["Retry-After"]) > 0
