"""Dedicated launch requests through the API: create (from a payload, an orbit or a quote), list,
retrieve and withdraw; a viewer may not request, another customer sees nothing of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.models import DedicatedRequest
from booking.services import quotes
from customers.models import Customer, Membership, Payload
from tests.factories import MembershipFactory, UserFactory
from vehicles.models import VehicleModel

from .conftest import token_client


@pytest.fixture
def demo(demo_catalog, db):
    return demo_catalog


def _client_of(slug: str, role: str = Membership.Role.MISSION):
    user = UserFactory(username=f"{slug}-{role}-api")
    MembershipFactory(user=user, customer=Customer.objects.get(slug=slug), role=role)
    return token_client(user)


def _dates(days_from: int = 80, days_to: int = 200) -> dict:
    now = timezone.now()
    return {
        "earliest": (now + timedelta(days=days_from)).isoformat(),
        "latest": (now + timedelta(days=days_to)).isoformat(),
    }


def test_a_mission_engineer_requests_lists_retrieves_and_withdraws(demo):
    client = _client_of("gomspace")
    payload = Payload.objects.get(name="GOMX-5A")
    ceres = VehicleModel.objects.get(name="Ceres-1")
    answer = client.post(
        "/api/v1/dedicated-requests/",
        {"payload": payload.pk, "vehicle_model": ceres.pk, "note": "Our own plane.", **_dates()},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "requested" and body["payload"] == payload.pk and body["orbit_family"] == "SSO"
    assert body["providers"] == [ceres.provider_id] and body["launch"] is None
    listed = client.get("/api/v1/dedicated-requests/").json()
    assert [row["reference"] for row in listed["results"]] == [body["reference"]]
    assert client.get(f"/api/v1/dedicated-requests/{body['id']}/").json()["note"] == "Our own plane."
    withdrawn = client.post(f"/api/v1/dedicated-requests/{body['id']}/withdraw/", format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"/api/v1/dedicated-requests/{body['id']}/withdraw/", format="json")
    assert again.status_code == 409 and "withdrawn" in again.json()["detail"]


def test_an_orbit_without_a_payload_and_any_vehicle(demo):
    client = _client_of("jilin")
    answer = client.post(
        "/api/v1/dedicated-requests/",
        {"orbit_family": "SSO", "altitude_km": 500, "ltan": "22:30", **_dates()},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["vehicle_model"] is None and body["ltan"] == "22:30" and body["inclination_deg"] == "97.40"
    assert len(body["providers"]) == 3


def test_a_dedicated_quote_becomes_a_request(demo):
    client = _client_of("gomspace")
    gomspace = Customer.objects.get(slug="gomspace")
    quote = quotes.quote_create(
        customer=gomspace,
        payload=Payload.objects.get(name="GOMX-5B"),
        actor=None,
        vehicle_model=VehicleModel.objects.get(name="Kuaizhou-1A"),
    )
    answer = client.post("/api/v1/dedicated-requests/", {"quote": quote.pk}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["quote"] == quote.pk and answer.json()["vehicle_model"] == quote.vehicle_model_id


def test_refusals_are_400_and_409_with_reasons(demo):
    client = _client_of("cmsa")
    missing = client.post("/api/v1/dedicated-requests/", {"note": "?"}, format="json")
    assert missing.status_code == 400 and {"earliest", "latest", "payload"} <= set(missing.json()), (
        missing.json()
    )
    cargo = Payload.objects.get(name="Station cargo capsule")
    too_heavy = client.post(
        "/api/v1/dedicated-requests/",
        {"payload": cargo.pk, "vehicle_model": VehicleModel.objects.get(name="Ceres-1").pk, **_dates()},
        format="json",
    )
    assert too_heavy.status_code == 409 and "Ceres-1 lifts" in too_heavy.json()["detail"]


def test_a_viewer_may_not_request_and_another_customer_sees_nothing(demo):
    viewer = _client_of("gomspace", Membership.Role.VIEWER)
    payload = Payload.objects.get(name="GOMX-5A")
    refused = viewer.post("/api/v1/dedicated-requests/", {"payload": payload.pk, **_dates()}, format="json")
    assert refused.status_code == 403
    assert not DedicatedRequest.objects.filter(payload=payload).exists()

    theirs = DedicatedRequest.objects.get(reference="DR-DEMO-ZZ1")  # InterSpace's
    other = _client_of("gomspace")
    assert other.get(f"/api/v1/dedicated-requests/{theirs.pk}/").status_code == 404
    assert theirs.reference not in str(other.get("/api/v1/dedicated-requests/").json())
    assert other.post(f"/api/v1/dedicated-requests/{theirs.pk}/withdraw/", format="json").status_code == 404
    mine = _client_of("interspace")
    assert mine.get(f"/api/v1/dedicated-requests/{theirs.pk}/").json()["status"] == "scheduled"
