"""The manifest optimiser's three sources: movable bookings, waiting standby entries and open
dedicated requests. A small world with a known optimum, solved exactly; a proposal changes
nothing until applied; an applied standby move is the standby offer on its launch; an applied
dedicated move is a seat offered, taken through the booking services (the request met) or left
(the request open); a stale entry or request is refused with its reason; and every move proposed,
from every source, is accepted by the booking services in any order (a property)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.errors import Conflict
from booking.models import (
    Booking,
    DedicatedRequest,
    Event,
    Launch,
    ManifestMove,
    ManifestProposal,
    Notification,
    StandbyEntry,
)
from booking.selectors.capacity import customer_open_holds, launch_remaining_capacity_kg, open_hold_counts
from booking.selectors.manifest.demands import manifest_world
from booking.selectors.manifest.solver import objective_of, solve, violations
from booking.services.dedicated import dedicated_request_create, dedicated_request_withdraw
from booking.services.manifest import (
    manifest_move_accept,
    manifest_move_decline,
    manifest_moves_offer,
    manifest_offers_lapse,
    manifest_propose,
)
from booking.services.notifications import notifications_from_events
from booking.services.standby import standby_offer_accept, standby_withdraw
from tests.api.conftest import token_client
from tests.factories import (
    BookingFactory,
    ContractFactory,
    CustomerFactory,
    DocumentFactory,
    LaunchFactory,
    MembershipFactory,
    PayloadFactory,
    UserFactory,
    engine_world,
)

pytestmark = pytest.mark.django_db
Source = ManifestMove.Source
Status = ManifestMove.Status


class Rollback(Exception):
    pass


@pytest.fixture
def world():
    w = engine_world()
    with time_machine.travel(w.now, tick=False):
        w.contract.launches_committed = 10
        w.contract.save()
        w.later = _launch(w, "later", days=40)
        w.third = _launch(w, "third", days=70)
        yield w


def _launch(world, name, *, days):
    return LaunchFactory(
        name=f"Kuaizhou-1A · SSO 500 {name}",
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.now.replace(microsecond=0) + timedelta(days=days),
    )


def ready_payload(world, name, kg, *, customer=None, **dates):
    """A payload ready to be offered a seat: of a customer of its own with a contract, or of
    ``customer``."""
    if customer is None:
        customer = CustomerFactory(name=f"{name} Space")
        ContractFactory(
            customer=customer, provider=world.provider, reference=f"{name}-C", launches_committed=5
        )
    payload = PayloadFactory(customer=customer, name=name, mass_kg=Decimal(kg), **dates)
    DocumentFactory(customer=customer, payload=payload)
    return payload


def booked(world, name, kg, *, launch, held=False, **dates):
    payload = PayloadFactory(customer=world.customer, name=name, mass_kg=Decimal(kg), **dates)
    if held:
        return BookingFactory(
            customer=world.customer,
            payload=payload,
            launch=launch,
            status=Booking.Status.HELD,
            hold_expires_at=world.now + timedelta(hours=2),
        )
    return BookingFactory(customer=world.customer, payload=payload, launch=launch, contract=world.contract)


def waiting(world, name, kg, *, launch=None, customer=None, **dates):
    """A standby entry: on one launch, or (no launch) on any SSO launch."""
    payload = ready_payload(world, name, kg, customer=customer, **dates)
    target = {"launch": launch} if launch is not None else {"orbit_family": "SSO"}
    return StandbyEntry.objects.create(customer=payload.customer, payload=payload, **target)


def requested(world, name, kg, *, customer=None, **dates):
    payload = ready_payload(world, name, kg, customer=customer, **dates)
    return dedicated_request_create(
        customer=payload.customer,
        actor=None,
        payload=payload,
        earliest=world.now,
        latest=world.now + timedelta(days=100),
        now=world.now,
    )


def brute_force(problem) -> int:
    """The best objective over every assignment (each demand on one of its options, or none)."""
    choices = [[None, *(o.launch for o in d.options)] for d in problem.demands]
    best = None
    for combo in itertools.product(*choices):
        assignment = {d.key: launch for d, launch in zip(problem.demands, combo, strict=True)}
        if not violations(problem, assignment):
            value = objective_of(problem, assignment)
            best = value if best is None else max(best, value)
    assert best is not None
    return best


def mixed_world(world):
    """Three launches of 300 kg. A booking of 205 kg on the later launch (95 kg left there); a
    standby entry of 145 kg (with its adapter) for any SSO launch; a dedicated request of 245 kg
    whose payload must fly by the first launch's date. Taken in arrival order the entry would sit
    on the first launch and leave the request nothing; the optimum flies all three: the request on
    the first launch, the entry on the third, the booking where it is."""
    booking = booked(world, "GOMX-6", "200", launch=world.later)
    entry = waiting(world, "Tianqi-7", "140")
    request = requested(world, "Zengzhang-2", "240", latest_launch=world.launch.net.date())
    return booking, entry, request


def test_a_world_of_three_sources_is_solved_to_its_known_optimum(world):
    booking, entry, request = mixed_world(world)
    built = manifest_world(provider=world.provider, now=world.now)
    assert set(built.demands) == {f"booking:{booking.pk}", f"standby:{entry.pk}", f"dedicated:{request.pk}"}
    solution = solve(built.problem)
    assert solution.optimal and solution.objective == brute_force(built.problem)
    assert solution.assignment == {
        f"booking:{booking.pk}": f"launch:{world.later.pk}",
        f"standby:{entry.pk}": f"launch:{world.third.pk}",
        f"dedicated:{request.pk}": f"launch:{world.launch.pk}",
    }


def test_a_proposal_changes_nothing_until_applied(world):
    booking, entry, request = mixed_world(world)
    bookings_before = Booking.objects.count()
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    moves = {m.source: m for m in proposal.moves.all()}
    assert set(moves) == {Source.STANDBY, Source.DEDICATED}
    assert moves[Source.STANDBY].to_launch == world.third and moves[Source.STANDBY].from_launch is None
    assert moves[Source.DEDICATED].to_launch == world.launch
    assert "asked for a dedicated launch" in moves[Source.DEDICATED].reason
    assert Booking.objects.count() == bookings_before
    entry.refresh_from_db()
    request.refresh_from_db()
    assert entry.status == StandbyEntry.Status.WAITING and request.status == DedicatedRequest.Status.REQUESTED


def test_an_applied_standby_move_is_the_standby_offer_on_its_launch(world):
    _, entry, _ = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    move = proposal.moves.get(source=Source.STANDBY)
    manifest_moves_offer(proposal=proposal, actor=world.user, moves=[move])
    entry.refresh_from_db()
    move.refresh_from_db()
    assert entry.status == StandbyEntry.Status.OFFERED and move.status == Status.OFFERED
    offer = entry.offer_booking
    assert offer.launch == world.third and offer.status == Booking.Status.HELD
    assert move.new_booking == offer and move.offer_expires_at == entry.offer_expires_at
    assert Event.objects.filter(verb="standby.offered", subject_id=entry.pk, actor=world.user).exists()
    confirmed = manifest_move_accept(move=move, actor=world.user, customer=entry.customer)
    assert confirmed.pk == offer.pk and confirmed.status == Booking.Status.CONFIRMED
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.ACCEPTED


def test_a_standby_move_answered_on_the_standby_pages_is_accepted_not_lapsed(world):
    _, entry, _ = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="standby")]
    )
    entry.refresh_from_db()
    standby_offer_accept(entry=entry, actor=None, now=world.now)
    assert manifest_offers_lapse(now=move.offer_expires_at + timedelta(minutes=1)) == 0
    move.refresh_from_db()
    assert move.status == Status.ACCEPTED


def test_a_declined_standby_move_cancels_its_offer_and_the_entry_leaves_the_list(world):
    _, entry, _ = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="standby")]
    )
    manifest_move_decline(move=move, actor=world.user, customer=entry.customer)
    entry.refresh_from_db()
    assert move.status == Status.DECLINED and entry.status == StandbyEntry.Status.WITHDRAWN
    assert entry.offer_booking.status == Booking.Status.CANCELLED


def test_an_accepted_dedicated_move_books_the_seat_and_meets_the_request(
    world, django_capture_on_commit_callbacks
):
    _, _, request = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    move = proposal.moves.get(source=Source.DEDICATED)
    manifest_moves_offer(proposal=proposal, actor=world.user, moves=[move])
    move.refresh_from_db()
    assert move.status == Status.OFFERED and move.offer_expires_at is not None
    offered = Event.objects.get(verb="booking.move_offered", subject_type="dedicatedrequest")
    assert offered.customer == request.customer and request.reference in offered.message
    notifications_from_events(event_ids=[offered.pk])
    notification = Notification.objects.get(reason=Notification.Reason.MOVE_OFFERED)
    assert notification.customer_id == request.customer_id
    assert notification.details["portal_link"] == "/portal/moves/"
    booking = manifest_move_accept(move=move, actor=world.user, customer=request.customer)
    # The customer's contract has launches left: the seat is confirmed at once.
    assert booking.launch == world.launch and booking.status == Booking.Status.CONFIRMED
    assert booking.payload == request.payload and booking.quote.launch == world.launch
    request.refresh_from_db()
    move.refresh_from_db()
    assert request.status == DedicatedRequest.Status.MET and move.new_booking == booking
    assert Event.objects.filter(verb="dedicated.met", subject_id=request.pk).exists()


def test_the_portal_and_the_api_show_a_seat_offered_for_a_request_and_take_it(world):
    _, _, request = mixed_world(world)
    member = MembershipFactory(
        customer=request.customer, user=UserFactory(username="zz-admin"), role="admin"
    ).user
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="dedicated")]
    )
    listed = token_client(member).get("/api/v1/move-offers/").json()["results"]
    assert [(row["source"], row["dedicated_request"], row["payload"], row["booking"]) for row in listed] == [
        ("dedicated", request.reference, "Zengzhang-2", None)
    ]
    client = Client()
    client.force_login(member)
    page = client.get("/portal/moves/").content.decode()
    assert "Zengzhang-2" in page and f"Dedicated launch request {request.reference}" in page
    answer = client.post(f"/portal/moves/{move.pk}/accept/")
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == DedicatedRequest.Status.MET


def test_a_request_without_a_contract_to_confirm_under_is_not_placed(world):
    request = requested(world, "Zengzhang-5", "40")
    request.customer.contracts.update(status="terminated")
    built = manifest_world(provider=world.provider, now=world.now)
    assert built.options[f"dedicated:{request.pk}"] == {}


def test_a_seat_that_cannot_be_confirmed_any_more_is_refused_whole_and_the_request_stays_open(world):
    """Taking an offered seat confirms it: with the contract ended after the offer, the acceptance
    is refused, no hold is left behind and the request waits as before (met means flying)."""
    _, _, request = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="dedicated")]
    )
    request.customer.contracts.update(status="terminated")
    with pytest.raises(Conflict):
        manifest_move_accept(move=move, actor=world.user, customer=request.customer)
    move.refresh_from_db()
    request.refresh_from_db()
    assert move.status == Status.REFUSED and "contract" in move.refusal
    assert request.status == DedicatedRequest.Status.REQUESTED
    assert not Booking.objects.filter(payload=request.payload).exists()


def test_a_declined_or_lapsed_dedicated_move_leaves_the_request_open(world):
    _, _, request = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="dedicated")]
    )
    manifest_move_decline(move=move, actor=world.user, customer=request.customer)
    request.refresh_from_db()
    assert move.status == Status.DECLINED and request.status == DedicatedRequest.Status.REQUESTED
    second = manifest_propose(provider=world.provider, actor=world.user)
    (again,) = manifest_moves_offer(
        proposal=second, actor=world.user, moves=[second.moves.get(source="dedicated")]
    )
    assert manifest_offers_lapse(now=again.offer_expires_at + timedelta(minutes=1)) == 1
    again.refresh_from_db()
    request.refresh_from_db()
    assert again.status == Status.LAPSED and request.status == DedicatedRequest.Status.REQUESTED
    assert not Booking.objects.filter(payload=request.payload).exists()


def test_a_standby_entry_withdrawn_since_the_proposal_is_refused_with_the_reason(world):
    _, entry, _ = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    standby_withdraw(entry=entry, actor=None)
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="standby")]
    )
    assert move.status == Status.REFUSED
    assert move.refusal == f"standby entry {entry.pk} of Tianqi-7 is withdrawn now, no longer waiting"
    assert not Booking.objects.filter(payload=entry.payload).exists()


def test_a_request_withdrawn_while_its_seat_is_offered_is_refused_with_the_reason(world):
    _, _, request = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="dedicated")]
    )
    dedicated_request_withdraw(request=request, actor=None)
    with pytest.raises(Conflict) as refused:
        manifest_move_accept(move=move, actor=world.user, customer=request.customer)
    assert (
        f"request {request.reference} is withdrawn now, no longer waiting for a launch"
        in refused.value.message
    )
    move.refresh_from_db()
    assert move.status == Status.REFUSED and "withdrawn" in move.refusal
    assert not Booking.objects.filter(payload=request.payload).exists()


def test_a_payload_that_gained_mass_since_the_proposal_is_refused_with_the_reason(world):
    _, _, request = mixed_world(world)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    type(request.payload).objects.filter(pk=request.payload_id).update(mass_kg=Decimal("290"))
    (move,) = manifest_moves_offer(
        proposal=proposal, actor=world.user, moves=[proposal.moves.get(source="dedicated")]
    )
    assert move.status == Status.REFUSED
    assert move.refusal == "Zengzhang-2 now weighs 290 kg, not the 240 kg this move was proposed for"


def test_a_payload_not_ready_is_not_offered_a_new_seat(world):
    entry = waiting(world, "Tianqi-8", "40")
    entry.payload.documents.all().delete()
    built = manifest_world(provider=world.provider, now=world.now)
    assert built.options[f"standby:{entry.pk}"] == {}


def test_a_standby_entry_without_a_contract_to_confirm_under_is_not_placed(world):
    entry = waiting(world, "Tianqi-10", "40")
    entry.customer.contracts.update(status="terminated")
    built = manifest_world(provider=world.provider, now=world.now)
    assert built.options[f"standby:{entry.pk}"] == {}


def test_a_payload_waiting_twice_flies_once(world):
    entry = waiting(world, "Tianqi-9", "40")
    StandbyEntry.objects.create(customer=entry.customer, payload=entry.payload, launch=world.later)
    DedicatedRequest.objects.filter(payload=entry.payload).delete()
    solution = solve(manifest_world(provider=world.provider, now=world.now).problem)
    assert sum(1 for launch in solution.assignment.values() if launch is not None) == 1


# --- the property: every proposed move, from every source, is accepted by the services ----------


worlds = st.fixed_dictionaries(
    {
        "bookings": st.lists(st.tuples(st.integers(20, 140), st.integers(0, 2), st.booleans()), max_size=4),
        "entries": st.lists(st.tuples(st.integers(10, 140), st.integers(-1, 2)), max_size=3),
        "requests": st.lists(st.tuples(st.integers(10, 200), st.integers(0, 2)), max_size=2),
        "scrubbed": st.integers(-1, 2),
        "one_customer": st.booleans(),
        "order": st.randoms(use_true_random=False),
        "answer_all": st.booleans(),
    }
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=worlds)
def test_every_proposed_move_from_every_source_is_accepted_by_the_services(world, spec):
    try:
        with transaction.atomic():
            _accept_in_any_order(world, spec)
            raise Rollback
    except Rollback:
        pass


def _accept_in_any_order(world, spec):
    launches = [world.launch, world.later, world.third]
    room = {launch.pk: Decimal(300) for launch in launches}
    for n, (kg, where, held) in enumerate(spec["bookings"]):
        launch = launches[where]
        if Decimal(kg) + 5 <= room[launch.pk]:
            room[launch.pk] -= Decimal(kg) + 5
            booked(world, f"B-{n}", kg, launch=launch, held=held)
    # One customer's entries and requests (with its held seats) meet the limits on unconfirmed holds.
    customer = world.customer if spec["one_customer"] else None
    for n, (kg, where) in enumerate(spec["entries"]):
        waiting(world, f"S-{n}", kg, launch=launches[where] if where >= 0 else None, customer=customer)
    for n, (kg, by) in enumerate(spec["requests"]):
        requested(world, f"D-{n}", kg, latest_launch=launches[by].net.date(), customer=customer)
    if spec["scrubbed"] >= 0:
        Launch.objects.filter(pk=launches[spec["scrubbed"]].pk).update(status=Launch.Status.SCRUBBED)
    proposal = manifest_propose(provider=world.provider, actor=world.user)
    offered = manifest_moves_offer(proposal=proposal, actor=world.user)
    assert [m.refusal for m in offered if m.status != Status.OFFERED] == []
    chosen = offered if spec["answer_all"] else offered[: len(offered) // 2 + 1]
    spec["order"].shuffle(chosen)
    for move in chosen:
        new = manifest_move_accept(move=move, actor=world.user, customer=move.customer)
        assert new.launch_id == move.to_launch_id
    for launch in launches:
        assert launch_remaining_capacity_kg(launch=launch) >= 0
    assert ManifestProposal.objects.count() == 1


def test_the_hold_counts_of_several_customers_agree_with_each_customers_holds(world):
    """The optimiser's hold budgets count every customer's open holds in one query, by the rule
    the hold limit itself counts them with."""
    booked(world, "GOMX-8", "10", launch=world.launch, held=True)
    booked(world, "GOMX-9", "10", launch=world.later, held=True)
    booked(world, "GOMX-10", "10", launch=world.later)  # confirmed: not a hold
    other = ready_payload(world, "Tianqi-12", "10").customer
    customers = [world.customer.pk, other.pk]
    counts = open_hold_counts(customer_ids=customers, provider_id=world.provider.pk, now=world.now)
    assert counts == {world.customer.pk: 2}
    for pk in customers:
        one = customer_open_holds(customer_id=pk, provider_id=world.provider.pk, now=world.now).count()
        assert counts.get(pk, 0) == one
