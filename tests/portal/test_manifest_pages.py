"""Moves offered, through every front end: the operator asks for a proposal and offers its moves
in the admin (the dashboard shows it), the customer answers in the portal or through the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from booking.admin.dashboard import operator_dashboard
from booking.models import Booking, Event, Launch, ManifestMove, ManifestProposal
from booking.services.manifest import manifest_moves_offer, manifest_propose
from customers.models import Membership
from tests.api.conftest import token_client
from tests.factories import (
    BookingFactory,
    LaunchFactory,
    MembershipFactory,
    PayloadFactory,
    UserFactory,
    engine_world,
)
from vehicles.models import ProviderOperator

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = engine_world()
    w.later = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 later",
        vehicle_model=w.vehicle_model,
        site=w.site,
        window_start=w.now.replace(microsecond=0) + timedelta(days=40),
    )
    payload = PayloadFactory(customer=w.customer, name="GOMX-5B", mass_kg=Decimal("60"))
    w.booking = BookingFactory(
        customer=w.customer,
        payload=payload,
        launch=w.launch,
        contract=w.contract,
        amount_paid=Decimal("50000"),
    )
    Launch.objects.filter(pk=w.launch.pk).update(status=Launch.Status.SCRUBBED)
    w.member = MembershipFactory(
        customer=w.customer, user=UserFactory(username="gom-admin"), role="admin"
    ).user
    w.viewer = MembershipFactory(
        customer=w.customer, user=UserFactory(username="gom-viewer"), role="viewer"
    ).user
    operators = Group.objects.create(name="Operators")
    operators.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["vehicles", "customers", "booking"])
    )
    w.operator = UserFactory(username="expace-ops", is_staff=True)
    w.operator.groups.add(operators)
    ProviderOperator.objects.create(user=w.operator, provider=w.provider)
    return w


def offered(world):
    proposal = manifest_propose(provider=world.provider, actor=world.operator)
    [move] = manifest_moves_offer(proposal=proposal, actor=world.operator)
    return move


def test_the_operator_asks_for_a_proposal_reviews_it_and_offers_its_moves(world):
    client = Client()
    client.force_login(world.operator)
    answer = client.post(reverse("admin:booking_manifestproposal_propose"), {"provider": world.provider.pk})
    proposal = ManifestProposal.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{proposal.pk}/review/")
    page = client.get(answer["Location"]).content.decode()
    assert world.booking.reference in page and world.later.name in page
    assert "the rebooking fee of 5,000.00 USD is waived" in page
    assert [p.pk for p in operator_dashboard(user=world.operator).manifest_proposals] == [proposal.pk]
    assert "Manifest proposals to review" in client.get(reverse("admin:index")).content.decode()
    client.post(answer["Location"], {"all": "yes"})
    assert proposal.moves.get().status == ManifestMove.Status.OFFERED
    assert operator_dashboard(user=world.operator).manifest_proposals == []


def test_a_customer_without_the_operators_hat_cannot_ask_for_a_proposal(world):
    client = Client()
    client.force_login(world.member)
    answer = client.post(reverse("admin:booking_manifestproposal_propose"), {"provider": world.provider.pk})
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    assert not ManifestProposal.objects.exists()


def test_the_customer_accepts_a_move_in_the_portal(world):
    move = offered(world)
    client = Client()
    client.force_login(world.member)
    page = client.get("/portal/moves/").content.decode()
    assert world.booking.reference in page and "Accept the move" in page and move.reason in page
    answer = client.post(f"/portal/moves/{move.pk}/accept/")
    new = Booking.objects.get(pk=world.booking.pk)  # moved in place, its reference kept
    assert answer.status_code == 302 and answer["Location"] == f"/portal/bookings/{new.reference}/"
    assert new.launch == world.later and new.reference == world.booking.reference


def test_a_viewer_sees_the_offer_but_may_not_answer_it(world):
    move = offered(world)
    client = Client()
    client.force_login(world.viewer)
    page = client.get("/portal/moves/").content.decode()
    assert world.booking.reference in page and "Accept the move" not in page
    answer = client.post(f"/portal/moves/{move.pk}/decline/")
    assert answer.status_code == 403
    move.refresh_from_db()
    assert move.status == ManifestMove.Status.OFFERED


def test_the_api_lists_offers_and_declines_one(world):
    move = offered(world)
    client = token_client(world.member)
    listed = client.get("/api/v1/move-offers/").json()
    assert [row["booking"] for row in listed["results"]] == [world.booking.reference]
    assert listed["results"][0]["terms"] == "Price unchanged; the rebooking fee of 5,000.00 USD is waived"
    answer = client.post(f"/api/v1/move-offers/{move.pk}/decline/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "declined"
    again = client.post(f"/api/v1/move-offers/{move.pk}/accept/", {}, format="json")
    assert again.status_code == 409 and "only an open offer can be answered" in again.json()["detail"]


def test_the_api_accepts_an_offer(world):
    move = offered(world)
    answer = token_client(world.member).post(f"/api/v1/move-offers/{move.pk}/accept/", {}, format="json")
    assert answer.status_code == 200
    assert answer.json()["launch"] == world.later.pk and answer.json()["id"] == world.booking.pk


def test_another_organisation_sees_no_offer(world):
    move = offered(world)
    other = MembershipFactory(user=UserFactory(username="other"), role=Membership.Role.ADMIN).user
    client = token_client(other)
    assert client.get("/api/v1/move-offers/").json()["results"] == []
    assert client.post(f"/api/v1/move-offers/{move.pk}/accept/", {}, format="json").status_code == 404


def test_the_customer_says_no_moves_for_one_booking_or_all_and_the_optimiser_leaves_them(world):
    client = Client()
    client.force_login(world.member)
    client.post("/portal/moves/consent/", {"allows": "no", "booking": world.booking.reference})
    world.booking.refresh_from_db()
    assert world.booking.may_move is False
    assert manifest_propose(provider=world.provider, actor=world.operator).moves.count() == 0
    client.post("/portal/moves/consent/", {"allows": "yes", "booking": world.booking.reference})
    client.post("/portal/moves/consent/", {"allows": "no"})
    world.customer.refresh_from_db()
    assert world.customer.allows_moves is False
    assert "You asked for no moves to be offered" in client.get("/portal/moves/").content.decode()
    assert manifest_propose(provider=world.provider, actor=world.operator).moves.count() == 0
    assert Event.objects.filter(verb="customer.move_consent_changed", customer=world.customer).exists()


def test_an_offer_accepted_after_the_customer_withdrew_consent_is_refused(world):
    move = offered(world)
    client = Client()
    client.force_login(world.member)
    client.post("/portal/moves/consent/", {"allows": "no"})
    answer = token_client(world.member).post(f"/api/v1/move-offers/{move.pk}/accept/", {}, format="json")
    assert answer.status_code == 409 and "no longer agrees to moves" in answer.json()["detail"]


def test_the_api_sets_the_organisations_consent_and_a_bookings(world):
    client = token_client(world.member)
    assert client.get("/api/v1/move-offers/consent/").json() == {"allows_moves": True}
    url = f"/api/v1/move-offers/consent/bookings/{world.booking.reference}/"
    answer = client.patch(url, {"may_move": False}, format="json")
    assert answer.status_code == 200 and answer.json() == {
        "booking": world.booking.reference,
        "may_move": False,
    }
    world.booking.refresh_from_db()
    assert world.booking.may_move is False
    assert manifest_propose(provider=world.provider, actor=world.operator).moves.count() == 0
    answer = client.patch("/api/v1/move-offers/consent/", {"allows_moves": False}, format="json")
    assert answer.status_code == 200 and answer.json() == {"allows_moves": False}
    world.customer.refresh_from_db()
    assert world.customer.allows_moves is False
    assert Event.objects.filter(verb="customer.move_consent_changed", actor=world.member).exists()
    bad = client.patch("/api/v1/move-offers/consent/", {"allows_moves": "perhaps"}, format="json")
    assert bad.status_code == 400 and "allows_moves" in bad.json()


def test_a_read_only_member_may_read_the_consent_but_not_set_it(world):
    client = token_client(world.viewer)
    assert client.get("/api/v1/move-offers/consent/").status_code == 200
    assert (
        client.patch("/api/v1/move-offers/consent/", {"allows_moves": False}, format="json").status_code
        == 403
    )
    url = f"/api/v1/move-offers/consent/bookings/{world.booking.reference}/"
    assert client.patch(url, {"may_move": False}, format="json").status_code == 403
    world.customer.refresh_from_db()
    world.booking.refresh_from_db()
    assert world.customer.allows_moves is True and world.booking.may_move is True
