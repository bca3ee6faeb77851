"""The manifest optimiser on a real database: a proposal changes nothing until applied, applied
moves are offers the customer answers, an accepted move is carried out by the rebooking service,
a stale move is refused with its reason, and every move proposed is accepted by the booking
services in any order (a property over random worlds)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail as django_mail
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.errors import Conflict
from booking.models import Booking, Event, Launch, ManifestMove, ManifestProposal, Notification
from booking.selectors.capacity import launch_remaining_capacity_kg
from booking.selectors.manifest.demands import manifest_demands, manifest_world
from booking.services.manifest import (
    manifest_move_accept,
    manifest_move_decline,
    manifest_moves_offer,
    manifest_offers_lapse,
    manifest_propose,
    manifest_propose_after_launch_change,
)
from booking.services.scheduling import launch_scrub
from customers.models import Customer, Document
from tests.factories import (
    BookingFactory,
    DocumentFactory,
    LaunchFactory,
    MembershipFactory,
    PayloadFactory,
    UserFactory,
    engine_world,
)
from tests.reliability.racing import race

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@pytest.fixture
def world():
    w = engine_world()
    w.contract.launches_committed = 10
    w.contract.save()
    w.later = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 later",
        vehicle_model=w.vehicle_model,
        site=w.site,
        window_start=w.now.replace(microsecond=0) + timedelta(days=40),
    )
    return w


def booked(world, name, kg, *, launch=None, status=Booking.Status.CONFIRMED, **payload):
    payload = PayloadFactory(customer=world.customer, name=name, mass_kg=Decimal(kg), **payload)
    return BookingFactory(
        customer=world.customer,
        payload=payload,
        launch=launch or world.launch,
        contract=world.contract,
        status=status,
        hold_expires_at=world.now + timedelta(minutes=30) if status == Booking.Status.HELD else None,
    )


def scrub(launch):
    Launch.objects.filter(pk=launch.pk).update(status=Launch.Status.SCRUBBED)


def test_a_scrubbed_launchs_payloads_are_proposed_for_the_next_launch_that_takes_them(world):
    booking = booked(world, "GOMX-5B", "60")
    scrub(world.launch)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    move = proposal.moves.get()
    assert (move.booking, move.from_launch, move.to_launch) == (booking, world.launch, world.later)
    assert move.status == ManifestMove.Status.PROPOSED
    assert "scrubbed" in move.reason and world.later.name in move.reason
    assert move.mass_kg == Decimal("65.0")
    assert proposal.solver_status == "OPTIMAL" and proposal.gap == 0
    assert proposal.mass_before_kg == 0 and proposal.mass_after_kg == Decimal("65.0")
    assert Event.objects.filter(verb="manifest.proposed", subject_id=proposal.pk).exists()


def test_a_proposal_changes_nothing_until_applied(world):
    booking = booked(world, "GOMX-5B", "60")
    scrub(world.launch)
    before = list(Booking.objects.values_list("pk", "launch_id", "status", "mass_kg", "amount_paid"))
    later_room = launch_remaining_capacity_kg(launch=world.later)
    manifest_propose(provider=world.provider, actor=world.user)
    assert list(Booking.objects.values_list("pk", "launch_id", "status", "mass_kg", "amount_paid")) == before
    assert launch_remaining_capacity_kg(launch=world.later) == later_room
    assert not Event.objects.filter(verb__startswith="booking.", subject_id=booking.pk).exists()


def test_an_offered_move_is_carried_out_when_the_customer_accepts(world, django_capture_on_commit_callbacks):
    booking = booked(world, "GOMX-5B", "60")
    MembershipFactory(
        customer=world.customer, user=UserFactory(username="gom-ops", email="ops@gomspace.example")
    )
    scrub(world.launch)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    with django_capture_on_commit_callbacks(execute=True):
        [move] = manifest_moves_offer(proposal=proposal, actor=world.user)
    assert move.status == ManifestMove.Status.OFFERED and move.offer_expires_at is not None
    offered = Event.objects.get(verb="booking.move_offered")
    assert offered.customer == world.customer and offered.after["to_launch"] == world.later.pk
    assert Notification.objects.filter(
        reason=Notification.Reason.MOVE_OFFERED, customer=world.customer
    ).exists()
    [mail] = [m for m in django_mail.outbox if "a move to another launch is offered" in m.subject]
    assert booking.reference in mail.subject and "/portal/moves/" in mail.body
    assert "Nothing changes unless you accept" in mail.body and mail.to == ["ops@gomspace.example"]
    moved = manifest_move_accept(move=move, actor=world.user, customer=world.customer)
    # Moved in place: the same booking, its reference kept, on the new launch, no rebooking fee.
    assert moved.pk == booking.pk and moved.reference == booking.reference
    booking.refresh_from_db()
    move.refresh_from_db()
    assert booking.launch == world.later and booking.status == Booking.Status.CONFIRMED
    assert booking.fees_charged == 0
    assert move.status == ManifestMove.Status.ACCEPTED and move.new_booking == booking
    new = booking
    assert Event.objects.filter(verb="booking.move_accepted", subject_id=new.pk).exists()


def test_a_declined_or_lapsed_offer_leaves_the_booking_where_it_was(world):
    first = booked(world, "GOMX-5B", "60")
    second = booked(world, "GOMX-5C", "40")
    scrub(world.launch)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    declined, lapsing = manifest_moves_offer(proposal=proposal, actor=world.user)
    manifest_move_decline(move=declined, actor=world.user, customer=world.customer)
    assert manifest_offers_lapse(now=world.now + timedelta(hours=73)) == 1
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.launch == world.launch and booking.status == Booking.Status.CONFIRMED
    lapsing.refresh_from_db()
    assert lapsing.status == ManifestMove.Status.LAPSED
    with pytest.raises(Conflict, match="only an open offer can be answered"):
        manifest_move_accept(move=lapsing, actor=world.user, customer=world.customer)


def test_a_move_whose_booking_changed_is_refused_with_the_reason(world):
    booking = booked(world, "GOMX-5B", "60")
    scrub(world.launch)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    [move] = manifest_moves_offer(proposal=proposal, actor=world.user)
    Booking.objects.filter(pk=booking.pk).update(mass_kg=Decimal("80.0"))
    with pytest.raises(Conflict, match=r"stays where it is: booking LB-\w+ now counts 80 kg, not the 65 kg"):
        manifest_move_accept(move=move, actor=world.user, customer=world.customer)
    move.refresh_from_db()
    booking.refresh_from_db()
    assert move.status == ManifestMove.Status.REFUSED and "80 kg" in move.refusal
    assert booking.launch == world.launch and booking.status == Booking.Status.CONFIRMED


def test_a_move_proposed_for_a_booking_that_moved_meanwhile_is_refused_when_offered(world):
    booking = booked(world, "GOMX-5B", "60")
    scrub(world.launch)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    [move] = manifest_moves_offer(proposal=proposal, actor=world.user)
    assert move.status == ManifestMove.Status.REFUSED
    assert (
        move.refusal
        == f"booking {booking.reference} is cancelled now, not confirmed as when this move was proposed"
    )


def test_what_must_not_move_stays(world):
    manifested = booked(world, "GOMX-M", "60", status=Booking.Status.MANIFESTED)
    declined = booked(world, "GOMX-D", "60")
    declined.may_move = False
    declined.save()
    world.customer.allows_moves = True
    world.customer.save()
    assert {d.booking for d in manifest_demands(provider=world.provider, now=world.now)} == set()
    assert manifested.status == Booking.Status.MANIFESTED


def test_payload_dates_decide_where_it_may_go(world):
    late = booked(world, "GOMX-L", "60", latest_launch=(world.now + timedelta(days=20)).date())
    early = booked(world, "GOMX-E", "60", earliest_launch=(world.now + timedelta(days=20)).date())
    found = manifest_world(provider=world.provider, now=world.now)
    assert set(found.options[f"booking:{late.pk}"]) == {f"launch:{world.launch.pk}"}
    assert set(found.options[f"booking:{early.pk}"]) == {f"launch:{world.later.pk}"}
    assert "before GOMX-E's earliest date" in found.stuck[f"booking:{early.pk}"]


def test_a_payload_not_ready_moves_only_to_a_launch_far_enough_out(world, settings):
    settings.LAUNCHBOOK_MANIFEST_READINESS_DAYS = 60
    booking = booked(world, "GOMX-R", "60")
    key, later = f"booking:{booking.pk}", f"launch:{world.later.pk}"
    assert later not in manifest_world(provider=world.provider, now=world.now).options[key]
    DocumentFactory(customer=world.customer, payload=booking.payload, status=Document.Status.APPROVED)
    world.customer.export_screening = Customer.ExportScreening.CLEARED
    world.customer.save()
    assert later in manifest_world(provider=world.provider, now=world.now).options[key]


def test_a_slip_past_a_payloads_latest_date_proposes_a_move(world):
    booking = booked(world, "GOMX-5B", "60", latest_launch=(world.now + timedelta(days=50)).date())
    slipped = world.now.replace(microsecond=0) + timedelta(days=60)
    Launch.objects.filter(pk=world.launch.pk).update(
        window_start=slipped, window_end=slipped + timedelta(hours=2), net=slipped
    )
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    move = proposal.moves.get()
    assert move.booking == booking and move.to_launch == world.later
    assert "after GOMX-5B's latest date" in move.reason


# --- the property: every proposed move is accepted by the booking services --------------------


worlds = st.fixed_dictionaries(
    {
        "payloads": st.lists(
            st.tuples(st.integers(10, 140), st.integers(0, 2), st.booleans(), st.booleans()),
            min_size=1,
            max_size=7,
        ),
        "scrubbed": st.integers(-1, 2),
        "committed": st.integers(1, 3),
        "order": st.randoms(use_true_random=False),
        "answer_all": st.booleans(),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=worlds)
def test_every_proposed_move_is_accepted_by_the_booking_services(world, spec):
    try:
        with transaction.atomic():
            _accept_in_any_order(world, spec)
            raise Rollback
    except Rollback:
        pass


def _accept_in_any_order(world, spec):
    third = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 third",
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.now.replace(microsecond=0) + timedelta(days=70),
    )
    launches = [world.launch, world.later, third]
    world.contract.launches_committed = spec["committed"]
    world.contract.save()
    room = {launch.pk: Decimal(300) for launch in launches}
    used: set[int] = set()
    for n, (kg, where, held, late) in enumerate(spec["payloads"]):
        launch = launches[where]
        mass = Decimal(kg) + 5
        if mass > room[launch.pk]:
            continue  # today's manifest fits its launches
        if not held and launch.pk not in used and len(used) >= spec["committed"]:
            held = True  # and keeps to its contract
        room[launch.pk] -= mass
        if not held:
            used.add(launch.pk)
        # A late payload's launch has slipped past its latest date: it must go, if anywhere.
        latest = (launch.net - timedelta(days=1)).date() if late else None
        status = Booking.Status.HELD if held else Booking.Status.CONFIRMED
        booked(world, f"P-{n}", kg, launch=launch, status=status, latest_launch=latest)
    if spec["scrubbed"] >= 0:
        scrub(launches[spec["scrubbed"]])
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    offered = manifest_moves_offer(proposal=proposal, actor=world.user)
    assert all(move.status == ManifestMove.Status.OFFERED for move in offered)
    chosen = offered if spec["answer_all"] else offered[: len(offered) // 2 + 1]
    spec["order"].shuffle(chosen)
    for move in chosen:
        new = manifest_move_accept(move=move, actor=world.user, customer=world.customer)
        assert new.launch_id == move.to_launch_id
    for launch in launches:
        assert launch_remaining_capacity_kg(launch=launch) >= 0
    assert ManifestProposal.objects.count() == 1


def test_a_scrub_queues_a_proposal_after_it_commits(world, django_capture_on_commit_callbacks):
    booking = booked(world, "GOMX-5B", "60")
    with django_capture_on_commit_callbacks(execute=True):
        launch_scrub(launch=world.launch, actor=world.user, reason="second-stage anomaly", cause="provider")
    proposal = ManifestProposal.objects.get()
    assert proposal.trigger == ManifestProposal.Trigger.SCRUB and proposal.trigger_launch == world.launch
    assert proposal.moves.get().booking == booking


def test_a_slip_within_every_payloads_dates_proposes_nothing(world):
    booked(world, "GOMX-5B", "60")
    assert manifest_propose_after_launch_change(launch_id=world.launch.pk) is None
    assert not ManifestProposal.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_answers_to_one_offer_at_once_carry_out_one_move():
    """Accept on the portal, accept through the API and a decline, all at the same instant: the
    move's conditional update lets one through; the booking moves at most once."""
    w = engine_world()
    later = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 later",
        vehicle_model=w.vehicle_model,
        site=w.site,
        window_start=w.now.replace(microsecond=0) + timedelta(days=40),
    )
    booking = booked(w, "GOMX-5B", "60")
    scrub(w.launch)
    [move] = manifest_moves_offer(proposal=manifest_propose(provider=w.provider, actor=w.user), actor=w.user)

    def accept():
        return manifest_move_accept(
            move=ManifestMove.objects.get(pk=move.pk), actor=None, customer=w.customer
        )

    def decline():
        return manifest_move_decline(
            move=ManifestMove.objects.get(pk=move.pk), actor=None, customer=w.customer
        )

    outcomes = race([accept, accept, decline])
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, BaseException)), outcomes
    # A move is carried out in place: the booking keeps its reference and changes launch, once.
    move.refresh_from_db()
    booking.refresh_from_db()
    assert Booking.objects.filter(payload=booking.payload).count() == 1
    moved_events = Event.objects.filter(
        verb="booking.rebooked", subject_type="booking", subject_id=booking.pk
    )
    if move.status == ManifestMove.Status.ACCEPTED:
        assert booking.launch == later and moved_events.count() == 1
    else:
        assert move.status == ManifestMove.Status.DECLINED
        assert booking.launch == w.launch and not moved_events.exists()
