"""Idempotency-Key: replay the first answer, 422 for another body, 409 while in progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import IdempotencyKey
from customers.models import Payload
from tests.factories import VehicleModelFactory
from tests.reliability.racing import race

BODY = {"name": "GOMX-5", "mass_kg": "3.0", "orbit": {"family": "SSO", "altitude_km": 500}}


def post(client, body=BODY, key="key-1"):
    return client.post("/api/v1/payloads/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_the_same_key_and_body_replays_the_first_answer(tenant_a):
    VehicleModelFactory()
    first = post(tenant_a.client)
    assert first.status_code == 201
    again = post(
        tenant_a.client, body={**BODY, "orbit": {"altitude_km": 500, "family": "SSO"}}
    )  # same meaning
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Payload.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_error_is_the_same_error(tenant_a):
    VehicleModelFactory()
    bad = {**BODY, "orbit": {"family": "SSO", "altitude_km": 5000}}
    first = post(tenant_a.client, body=bad)
    assert first.status_code == 400
    again = post(tenant_a.client, body=bad)
    assert (again.status_code, again.json()) == (400, first.json())


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(tenant_a):
    VehicleModelFactory()
    assert post(tenant_a.client).status_code == 201
    other = post(tenant_a.client, body={**BODY, "name": "GOMX-6"})
    assert other.status_code == 422
    assert other.json() == {"detail": "This Idempotency-Key was already used with a different request."}
    assert Payload.objects.count() == 1


@pytest.mark.django_db
def test_a_key_still_in_progress_is_409(tenant_a):
    VehicleModelFactory()
    assert post(tenant_a.client, key="k").status_code == 201
    IdempotencyKey.objects.filter(key="k").update(state=IdempotencyKey.State.IN_PROGRESS)
    answer = post(tenant_a.client, key="k")
    assert answer.status_code == 409
    assert "still being processed" in answer.json()["detail"]


@pytest.mark.django_db
def test_keys_are_per_user_and_expire_after_a_day(tenant_a, tenant_b):
    VehicleModelFactory()
    assert post(tenant_a.client).status_code == 201
    assert post(tenant_b.client).status_code == 201  # same key, another user: independent
    assert Payload.objects.count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    renamed = post(tenant_a.client, body={**BODY, "name": "GOMX-7"})
    assert renamed.status_code == 201 and "Idempotent-Replayed" not in renamed


@pytest.mark.django_db
def test_a_crashed_claim_lapses_and_the_key_works_again(tenant_a):
    VehicleModelFactory()
    IdempotencyKey.objects.create(
        user=tenant_a.user, key="key-1", method="POST", path="/api/v1/payloads/", request_digest="x"
    )
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    assert post(tenant_a.client).status_code == 201


@pytest.mark.django_db
def test_an_invalid_key_is_400(tenant_a):
    answer = post(tenant_a.client, key="x" * 201)
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()


@pytest.mark.django_db
def test_posts_without_a_key_are_not_recorded(tenant_a):
    VehicleModelFactory()
    assert tenant_a.client.post("/api/v1/payloads/", BODY, format="json").status_code == 201
    assert not IdempotencyKey.objects.exists()


def run_concurrently(n, fn):
    """``fn`` ``n`` times at once; what each returned (the first exception raised is re-raised)."""
    outcomes = race([fn] * n)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_identical_requests_create_one_payload(tenant_a):
    VehicleModelFactory()
    key = tenant_a.key

    def one_request():
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        answer = post(client, key="concurrent-1")
        return answer.status_code, answer.json()

    results = run_concurrently(20, one_request)
    assert Payload.objects.count() == 1
    created = [body for code, body in results if code == 201]
    assert created, results
    assert all(body == created[0] for body in created)  # replays carry the same body
    assert {code for code, _ in results} <= {201, 409}
    in_progress = [body for code, body in results if code == 409]
    assert all("still being processed" in body["detail"] for body in in_progress)
