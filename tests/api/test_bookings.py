"""Availability, quotes and bookings through the API: every call goes to the booking engine."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from booking.models import Booking, Quote
from customers.models import Membership
from tests.factories import LaunchFactory, MembershipFactory, PayloadFactory, engine_world
from vehicles.models import CancellationTier

from .conftest import make_tenant, token_client
from .test_idempotency import run_concurrently


@pytest.fixture
def world(db):
    world = engine_world()
    MembershipFactory(
        user=world.user, customer=world.customer, role=Membership.Role.ADMIN
    )  # holds, confirms, cancels
    world.client = token_client(world.user)
    return world


def quote_for(world, **extra):
    body = {"payload": world.payload.pk, "launch": world.launch.pk, **extra}
    answer = world.client.post("/api/v1/quotes/", body, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_availability_ranks_the_engines_options(world):
    answer = world.client.get(f"/api/v1/availability/?payload={world.payload.pk}")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["payload"] == world.payload.pk
    first = body["options"][0]
    assert first["rank"] == 1 and first["kind"] == "rideshare" and first["launch"] == world.launch.pk
    assert first["price"] == "1000000.00" and first["currency"] == "USD"  # (95 + 5) kg × 10,000 USD/kg
    assert [o["rank"] for o in body["options"]] == list(range(1, len(body["options"]) + 1))
    assert isinstance(body["reasons"], list)


def test_availability_needs_one_of_your_payloads(world):
    other = make_tenant("InterSpace Explore")
    theirs = PayloadFactory(customer=other.customer)
    answer = world.client.get(f"/api/v1/availability/?payload={theirs.pk}")
    assert answer.status_code == 400
    assert answer.json() == {"payload": [f"No payload of yours has id {theirs.pk}."]}
    assert world.client.get("/api/v1/availability/").status_code == 400
    assert (
        world.client.get(f"/api/v1/availability/?payload={world.payload.pk}&currency=XXX").status_code == 400
    )


def test_a_quote_lists_its_lines_and_total(world):
    quote = quote_for(world, currency="USD", options=["insurance"], declared_value="200000.00")
    assert quote["customer"] == world.customer.pk and quote["kind"] == "rideshare"
    assert quote["total"] == {"amount": "1010000.00", "currency": "USD"}
    assert [(line["kind"], line["amount"]) for line in quote["lines"]] == [
        ("launch", "1000000.00"),
        ("add_on", "10000.00"),
    ]
    assert quote["valid_until"] and quote["status"] == "open"
    assert Quote.objects.get(pk=quote["id"]).created_by == world.user


def test_quoting_another_customers_payload_is_refused(world):
    other = make_tenant("InterSpace Explore")
    answer = other.client.post(
        "/api/v1/quotes/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {"payload": [f"No payload of yours has id {world.payload.pk}."]}


def test_a_payload_too_heavy_for_the_launch_is_409_with_the_reason(world):
    heavy = PayloadFactory(customer=world.customer, name="Heavy", mass_kg=Decimal("400.0"))
    answer = world.client.post(
        "/api/v1/quotes/", {"payload": heavy.pk, "launch": world.launch.pk}, format="json"
    )
    assert answer.status_code == 409
    assert "kg" in answer.json()["detail"]


def test_hold_confirm_rebook_and_cancel(world):
    quote = quote_for(world)
    held = world.client.post(
        "/api/v1/bookings/", {"quote": quote["id"], "status": "confirmed", "price": "1.00"}, format="json"
    )
    assert held.status_code == 201, held.json()
    booking = held.json()
    assert booking["status"] == "held" and booking["price"] == "1000000.00"  # server-owned fields
    assert booking["hold_expires_at"] and booking["launch"] == world.launch.pk

    confirmed = world.client.post(f"/api/v1/bookings/{booking['id']}/confirm/", {}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["contract"] == world.contract.pk

    again = world.client.post(f"/api/v1/bookings/{booking['id']}/confirm/", {}, format="json")
    assert again.status_code == 409
    assert "only a held booking can be confirmed" in again.json()["detail"]

    later = LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.launch.window_start + timedelta(days=7),
    )
    moved = world.client.post(
        f"/api/v1/bookings/{booking['id']}/rebook/", {"launch": later.pk}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["launch"] == later.pk

    cancelled = world.client.post(
        f"/api/v1/bookings/{moved.json()['id']}/cancel/", {"reason": "Satellite not ready"}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    listed = world.client.get("/api/v1/bookings/").json()
    assert {b["status"] for b in listed["results"]} >= {"cancelled"}


def test_another_customers_booking_cannot_be_touched(world):
    booking = world.client.post("/api/v1/bookings/", {"quote": quote_for(world)["id"]}, format="json").json()
    other = make_tenant("InterSpace Explore")
    for action in ("confirm", "cancel", "rebook"):
        answer = other.client.post(
            f"/api/v1/bookings/{booking['id']}/{action}/", {"launch": 1}, format="json"
        )
        assert answer.status_code == 404
    assert (
        other.client.post("/api/v1/bookings/", {"quote": booking["quote"]}, format="json").status_code == 400
    )
    assert Booking.objects.get(pk=booking["id"]).status == "held"


def test_holding_a_used_quote_again_is_409(world):
    quote = quote_for(world)
    assert world.client.post("/api/v1/bookings/", {"quote": quote["id"]}, format="json").status_code == 201
    again = world.client.post("/api/v1/bookings/", {"quote": quote["id"]}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["same-idempotency-key", "no-key"])
def test_twenty_concurrent_identical_hold_requests_create_one_booking(same_key):
    world = engine_world()
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.MISSION)
    client = token_client(world.user)
    quote = client.post(
        "/api/v1/quotes/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    )
    key = client._credentials["HTTP_AUTHORIZATION"]

    def hold():
        headers = {"HTTP_IDEMPOTENCY_KEY": "hold-1"} if same_key else {}
        answer = APIClient(HTTP_AUTHORIZATION=key).post(
            "/api/v1/bookings/", {"quote": quote.json()["id"]}, format="json", **headers
        )
        return answer.status_code, answer.json()

    results = run_concurrently(20, hold)
    assert Booking.objects.count() == 1
    codes = [code for code, _ in results]
    assert 500 not in codes and set(codes) <= {201, 409}, results
    created = [body for code, body in results if code == 201]
    assert created and all(body["id"] == created[0]["id"] for body in created)
    assert all(body["detail"] for code, body in results if code == 409)


def test_availability_refuses_empty_or_repeated_parameters(world):
    url = f"/api/v1/availability/?payload={world.payload.pk}"
    assert world.client.get(url + "&latest=").json() == {
        "latest": ["Send a value, or leave the parameter out."]
    }
    assert world.client.get(url + "&currency=USD&currency=EUR").status_code == 400
    assert world.client.get(url + "&latest=2001-01-01T00:00:00Z").json()["options"] == []


def test_rebooking_onto_the_launch_it_is_on_is_a_conflict(world):
    """The booking's state is in the way, not the input: 409, as the API guide says."""
    quote = quote_for(world)
    booking = world.client.post("/api/v1/bookings/", {"quote": quote["id"]}, format="json").json()
    same = world.client.post(
        f"/api/v1/bookings/{booking['id']}/rebook/", {"launch": world.launch.pk}, format="json"
    )
    assert same.status_code == 409
    assert same.json()["detail"] == f"booking {booking['reference']} is already on {world.launch.name}"


def test_cancel_terms_preview_then_cancel_on_those_terms(world):
    CancellationTier.objects.create(
        provider=world.provider, days_before_launch=0, fee_percent=Decimal("60.00")
    )
    booking = world.client.post("/api/v1/bookings/", {"quote": quote_for(world)["id"]}, format="json").json()
    world.client.post(f"/api/v1/bookings/{booking['id']}/confirm/", {}, format="json")
    terms = world.client.get(f"/api/v1/bookings/{booking['id']}/cancel-terms/")
    assert terms.status_code == 200, terms.json()
    body = terms.json()
    assert (body["fee_percent"], body["fee"], body["refund"], body["owed"]) == (
        "60.00",
        "600000.00",
        "0.00",
        "600000.00",
    )
    assert Booking.objects.get(pk=booking["id"]).status == "confirmed"  # a preview changes nothing
    stale = world.client.post(
        f"/api/v1/bookings/{booking['id']}/cancel/", {"terms": "0000000000000000"}, format="json"
    )
    assert stale.status_code == 409 and "changed since they were shown" in stale.json()["detail"]
    done = world.client.post(
        f"/api/v1/bookings/{booking['id']}/cancel/", {"terms": body["token"]}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "cancelled" and done.json()["fees_charged"] == "600000.00"


def test_rebook_terms_preview_then_rebook_keeps_the_reference(world):
    booking = world.client.post("/api/v1/bookings/", {"quote": quote_for(world)["id"]}, format="json").json()
    later = LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.launch.window_start + timedelta(days=7),
    )
    assert world.client.get(f"/api/v1/bookings/{booking['id']}/rebook-terms/").status_code == 400
    terms = world.client.get(f"/api/v1/bookings/{booking['id']}/rebook-terms/?launch={later.pk}")
    assert terms.status_code == 200, terms.json()
    body = terms.json()
    assert body["launch"] == later.pk and body["new_price"] == "1000000.00" and body["fee"] == "0.00"
    moved = world.client.post(
        f"/api/v1/bookings/{booking['id']}/rebook/",
        {"launch": later.pk, "terms": body["token"]},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["id"] == booking["id"] and moved.json()["reference"] == booking["reference"]
    assert moved.json()["launch"] == later.pk and moved.json()["price"] == body["new_price"]
