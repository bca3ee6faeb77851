"""/api/v1/standby/: join a full launch's list, see the place, accept or decline the seat offered."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from booking.models import Booking, StandbyEntry
from booking.services.bookings import booking_cancel
from booking.services.standby import standby_offers_make
from customers.models import Membership
from tests.api.conftest import make_tenant, token_client
from tests.factories import BookingFactory, DocumentFactory, MembershipFactory, UserFactory, engine_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = engine_world()
    with time_machine.travel(w.now, tick=False):
        DocumentFactory(customer=w.customer, payload=w.payload)
        w.big = BookingFactory(launch=w.launch, mass_kg=Decimal("250.0"))
        w.tenant = make_tenant("Gomspace")  # the world's customer, an administrator
        yield w


def test_join_list_retrieve_and_withdraw(world):
    client = world.tenant.client
    answer = client.post(
        "/api/v1/standby/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "waiting" and body["position"] == 1 and body["launch"] == world.launch.pk

    again = client.post(
        "/api/v1/standby/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    )
    assert again.status_code == 409 and "already on this standby list" in again.json()["detail"]

    listed = client.get("/api/v1/standby/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert client.get(f"/api/v1/standby/{body['id']}/").json()["payload"] == world.payload.pk

    withdrawn = client.post(f"/api/v1/standby/{body['id']}/withdraw/", {}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_an_orbit_entry_with_a_bad_band_is_a_400(world):
    answer = world.tenant.client.post(
        "/api/v1/standby/",
        {"payload": world.payload.pk, "inclination_min_deg": "98", "inclination_max_deg": "97"},
        format="json",
    )
    assert answer.status_code == 400
    assert "lowest inclination is above the highest" in str(answer.json())


def test_the_offer_is_accepted_through_the_api(world):
    client = world.tenant.client
    entry_id = client.post(
        "/api/v1/standby/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    ).json()["id"]
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)

    shown = client.get(f"/api/v1/standby/{entry_id}/").json()
    assert shown["status"] == "offered" and shown["offer_launch"] == world.launch.pk
    assert shown["offer_booking"].startswith("LB-") and shown["offer_expires_at"]

    accepted = client.post(f"/api/v1/standby/{entry_id}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    assert Booking.objects.get(reference=shown["offer_booking"]).status == Booking.Status.CONFIRMED


def test_a_mission_engineer_declines_but_may_not_accept(world):
    engineer = MembershipFactory(
        customer=world.customer, user=UserFactory(username="gom-mission"), role=Membership.Role.MISSION
    )
    client = token_client(engineer.user)
    entry_id = client.post(
        "/api/v1/standby/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    ).json()["id"]
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)

    refused = client.post(f"/api/v1/standby/{entry_id}/accept/", {}, format="json")
    assert refused.status_code == 403 and "finance members and administrators" in refused.json()["detail"]

    declined = client.post(f"/api/v1/standby/{entry_id}/decline/", {}, format="json")
    assert declined.status_code == 200 and declined.json()["status"] == "withdrawn"
    assert StandbyEntry.objects.get(pk=entry_id).offer_booking.status == Booking.Status.CANCELLED


def test_another_organisations_entry_is_a_404(world):
    entry_id = world.tenant.client.post(
        "/api/v1/standby/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    ).json()["id"]
    other = make_tenant("InterSpace Explore")
    assert other.client.get(f"/api/v1/standby/{entry_id}/").status_code == 404
    assert other.client.post(f"/api/v1/standby/{entry_id}/withdraw/", {}, format="json").status_code == 404


def test_answering_an_entry_with_no_offer_is_a_409_with_the_reason(world):
    client = world.tenant.client
    entry_id = client.post(
        "/api/v1/standby/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    ).json()["id"]
    for step in ("accept", "decline"):
        refused = client.post(f"/api/v1/standby/{entry_id}/{step}/", {}, format="json")
        assert refused.status_code == 409
        assert "there is no open offer to answer" in refused.json()["detail"]
    assert StandbyEntry.objects.get(pk=entry_id).status == StandbyEntry.Status.WAITING


def test_another_organisations_entry_is_a_404_before_its_input_is_read(world):
    entry_id = world.tenant.client.post(
        "/api/v1/standby/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    ).json()["id"]
    other = make_tenant("InterSpace Explore")
    answer = other.client.post(f"/api/v1/standby/{entry_id}/accept/", {"contract": "x"}, format="json")
    assert answer.status_code == 404
