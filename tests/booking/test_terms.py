"""Terms up front: the cancellation fee by time before launch, the rebooking fee and its waiver,
a moved booking keeping its reference and the price its move page showed, and a write that
refuses terms changed since they were shown."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, Event, Launch, RideshareRate
from booking.rules.money import FeeTier, cancellation_fee_percent, cancellation_terms, whole_days_before
from booking.selectors.capacity import launch_remaining_capacity_kg
from booking.selectors.contracts import booking_milestones
from booking.selectors.terms import booking_cancel_terms, booking_rebook_terms
from booking.services import locking
from booking.services.bookings import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_rebook,
    payment_milestone_mark_paid,
)
from booking.services.events import event_record
from booking.services.quotes import quote_create
from booking.services.scheduling import launch_scrub
from tests.factories import LaunchFactory, engine_world
from tests.reliability.racing import in_background
from vehicles.models import CancellationTier

pytestmark = pytest.mark.django_db

EXPACE_TIERS = [(180, "10.00"), (90, "30.00"), (30, "60.00"), (0, "100.00")]


@pytest.fixture
def world():
    w = engine_world()
    for days, percent in EXPACE_TIERS:
        CancellationTier.objects.create(
            provider=w.provider, days_before_launch=days, fee_percent=Decimal(percent)
        )
    with time_machine.travel(w.now, tick=False):
        yield w


@pytest.fixture
def later_launch(world):
    return LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Kuaizhou-1A · SSO 500 rideshare 2",
        window_start=world.launch.window_start + timedelta(days=20),
    )


def held(world, launch=None):
    quote = quote_create(
        customer=world.customer, payload=world.payload, actor=world.user, launch=launch or world.launch
    )
    return booking_hold(quote=quote, actor=world.user)


def confirmed(world, launch=None):
    return booking_confirm(booking=held(world, launch), actor=world.user)


def pay_deposit(booking):
    payment_milestone_mark_paid(milestone=booking_milestones(booking).order_by("due_at").first(), actor=None)
    booking.refresh_from_db()
    return booking


def far_launch(world, days):
    return LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name=f"Kuaizhou-1A · {days} days out",
        window_start=world.now + timedelta(days=days),
    )


# --- the rule: tiers at their boundaries -------------------------------------------------------

TIERS = [FeeTier(days, Decimal(percent)) for days, percent in EXPACE_TIERS]


@pytest.mark.parametrize(
    ("days", "percent"),
    [
        (400, "10.00"),
        (180, "10.00"),
        (179, "30.00"),
        (90, "30.00"),
        (89, "60.00"),
        (30, "60.00"),
        (29, "100.00"),
        (0, "100.00"),
    ],
)
def test_a_tier_applies_from_exactly_its_days_before_launch(days, percent):
    assert cancellation_fee_percent(tiers=TIERS, days_before_launch=days) == Decimal(percent)


def test_days_before_launch_are_whole_days_rounded_down(world):
    net = world.now + timedelta(days=180)
    assert whole_days_before(launch_net=net, now=world.now) == 180
    assert whole_days_before(launch_net=net, now=world.now + timedelta(seconds=1)) == 179
    assert whole_days_before(launch_net=net, now=net + timedelta(days=2)) == 0


def test_no_tier_on_file_costs_nothing_and_a_hold_costs_nothing():
    assert cancellation_fee_percent(tiers=[], days_before_launch=3) == Decimal("0.00")
    terms = cancellation_terms(
        price=Decimal("1000"),
        amount_paid=Decimal("0"),
        currency="USD",
        days_before_launch=3,
        tiers=TIERS,
        no_fee_because="held",
    )
    assert (terms.fee, terms.refund, terms.owed) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


# --- cancelling --------------------------------------------------------------------------------


def test_cancel_terms_are_shown_before_and_charged_as_shown(world):
    launch = far_launch(world, 100)  # 100 days out: the 90-day tier, 30 %
    booking = pay_deposit(confirmed(world, launch))  # 1,000,000 USD price, 300,000 paid
    terms = booking_cancel_terms(booking=booking)
    assert (terms.days_before_launch, terms.fee_percent) == (100, Decimal("30.00"))
    assert (
        terms.fee == Decimal("300000.00")
        and terms.refund == Decimal("0.00")
        and terms.owed == Decimal("0.00")
    )
    cancelled = booking_cancel(booking=booking, actor=world.user, expected_terms=terms.token)
    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.fees_charged == Decimal("300000.00") and cancelled.refund_due == Decimal("0.00")
    event = Event.objects.get(verb="booking.cancelled")
    assert (
        event.after["cancellation_fee"] == "300000.00" and event.after["cancellation_fee_percent"] == "30.00"
    )


def test_cancelling_early_refunds_what_was_paid_beyond_the_fee(world):
    launch = far_launch(world, 200)  # 10 % of 1,000,000 = 100,000; 300,000 paid
    booking = pay_deposit(confirmed(world, launch))
    cancelled = booking_cancel(
        booking=booking, actor=world.user, expected_terms=booking_cancel_terms(booking=booking).token
    )
    assert cancelled.fees_charged == Decimal("100000.00")
    assert cancelled.refund_due == Decimal("200000.00")


def test_cancelling_with_nothing_paid_leaves_the_fee_due_as_a_milestone(world):
    booking = confirmed(world)  # NET in 10 days: the last tier, 100 %
    terms = booking_cancel_terms(booking=booking)
    assert terms.fee == Decimal("1000000.00") and terms.owed == Decimal("1000000.00") and terms.refund == 0
    booking_cancel(booking=booking, actor=world.user, expected_terms=terms.token)
    due = list(booking_milestones(booking).values_list("label", "amount", "paid_at"))
    assert due == [(f"Cancellation fee {booking.reference}", Decimal("1000000.00"), None)]


def test_releasing_a_hold_costs_nothing(world):
    booking = held(world)
    terms = booking_cancel_terms(booking=booking)
    assert terms.fee == 0 and terms.no_fee_because == "held"
    assert booking_cancel(booking=booking, actor=world.user).fees_charged == 0


def test_cancel_refuses_terms_changed_since_they_were_shown(world):
    launch = far_launch(world, 100)
    booking = confirmed(world, launch)
    shown = booking_cancel_terms(booking=booking)
    pay_deposit(booking)  # a payment lands between the preview and the cancel: the refund changes
    with pytest.raises(Conflict, match=f"^the terms of cancelling booking {booking.reference} changed since"):
        booking_cancel(booking=booking, actor=world.user, expected_terms=shown.token)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.fees_charged == 0


def test_cancelling_after_a_weather_scrub_costs_nothing(world):
    booking = pay_deposit(confirmed(world))
    launch_scrub(launch=world.launch, actor=None, reason="Upper-level winds", cause="weather")
    terms = booking_cancel_terms(booking=Booking.objects.get(pk=booking.pk))
    assert terms.fee == 0 and terms.no_fee_because == "weather" and terms.refund == Decimal("300000.00")


# --- moving ------------------------------------------------------------------------------------


def test_a_moved_booking_keeps_its_reference_and_row(world, later_launch):
    booking = pay_deposit(confirmed(world))
    moved = booking_rebook(booking=booking, launch=later_launch, actor=world.user)
    assert moved.pk == booking.pk and moved.reference == booking.reference
    assert Booking.objects.count() == 1
    moved.refresh_from_db()
    assert moved.launch == later_launch and moved.status == Booking.Status.CONFIRMED
    assert moved.credit_carried_over == Decimal("270000.00") and moved.amount_paid == Decimal("270000.00")
    assert moved.fees_charged == Decimal("30000.00")
    # The earlier launch's seat is free; the new one taken; the paid deposit stays on record.
    assert launch_remaining_capacity_kg(launch=world.launch) == Decimal("300.0")
    assert launch_remaining_capacity_kg(launch=later_launch) == Decimal("200.0")
    amounts = list(booking_milestones(moved).filter(paid_at__isnull=True).values_list("amount", flat=True))
    assert sum(amounts) == moved.price - moved.amount_paid
    event = Event.objects.get(verb="booking.rebooked")
    assert event.subject_id == booking.pk and event.before["launch"] == world.launch.pk
    assert event.after["launch"] == later_launch.pk and event.after["rebooking_fee"] == "30000.00"
    assert not Event.objects.filter(verb="booking.cancelled").exists()


def test_the_moved_booking_costs_the_price_the_move_page_showed(world, later_launch):
    booking = confirmed(world)
    # The provider's rate rose since the booking was made: the move prices the seat at today's rate.
    RideshareRate.objects.filter(provider=world.provider).update(price_per_kg=Decimal("12000.00"))
    shown = booking_rebook_terms(booking=booking, launch=later_launch)
    assert shown.new_price == Decimal("1200000.00")
    moved = booking_rebook(booking=booking, launch=later_launch, actor=world.user, expected_terms=shown.token)
    moved.refresh_from_db()
    assert moved.price == shown.new_price


def test_overpaid_after_a_move_to_a_cheaper_seat_is_refunded(world, later_launch):
    booking = pay_deposit(confirmed(world))  # 300,000 paid
    RideshareRate.objects.filter(provider=world.provider).update(
        price_per_kg=Decimal("2000.00"), minimum_charge=0
    )
    terms = booking_rebook_terms(booking=booking, launch=later_launch)
    assert terms.new_price == Decimal("200000.00") and terms.credit == Decimal("270000.00")
    assert terms.refund == Decimal("70000.00") and terms.balance_due == 0
    moved = booking_rebook(booking=booking, launch=later_launch, actor=world.user, expected_terms=terms.token)
    moved.refresh_from_db()
    assert moved.amount_paid == Decimal("200000.00") and moved.refund_due == Decimal("70000.00")
    assert not booking_milestones(moved).filter(paid_at__isnull=True).exists()


def test_moving_with_nothing_paid_costs_no_fee(world, later_launch):
    terms = booking_rebook_terms(booking=confirmed(world), launch=later_launch)
    assert (terms.fee, terms.credit, terms.balance_due) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1000000.00"),
    )


def test_rebook_refuses_terms_changed_since_they_were_shown(world, later_launch):
    booking = confirmed(world)
    shown = booking_rebook_terms(booking=booking, launch=later_launch)
    RideshareRate.objects.filter(provider=world.provider).update(price_per_kg=Decimal("11000.00"))
    with pytest.raises(Conflict, match="changed since they were shown: now price 1,100,000.00 USD"):
        booking_rebook(booking=booking, launch=later_launch, actor=world.user, expected_terms=shown.token)
    booking.refresh_from_db()
    assert booking.launch == world.launch and booking.price == Decimal("1000000.00")


# --- the waiver --------------------------------------------------------------------------------


def _slip_event(world, cause):
    """A slip of the booking's launch as ``launch_slip`` records it (its event, with the cause)."""
    event_record(
        verb="launch.slipped",
        subject=world.launch,
        actor=None,
        before={},
        after={"cause": cause},
        message=f"{world.launch.name} slipped",
        provider=world.provider,
        launch=world.launch,
    )


@pytest.mark.parametrize(
    ("cause", "fee"),
    [("provider", "0.00"), ("weather", "0.00"), ("range", "30000.00"), ("customer", "30000.00")],
)
def test_the_rebooking_fee_is_waived_when_the_provider_or_the_weather_slipped_the_launch(
    world, later_launch, cause, fee
):
    booking = pay_deposit(confirmed(world))
    _slip_event(world, cause)
    terms = booking_rebook_terms(booking=booking, launch=later_launch)
    assert terms.fee == Decimal(fee)
    assert terms.waived_because == (cause if fee == "0.00" else "")


def test_a_slip_before_the_booking_came_onto_the_launch_waives_nothing(world, later_launch):
    with time_machine.travel(world.now - timedelta(days=1), tick=False):
        _slip_event(world, "weather")
    booking = pay_deposit(confirmed(world))
    assert booking_rebook_terms(booking=booking, launch=later_launch).fee == Decimal("30000.00")


def test_a_provider_scrub_waives_the_fee_of_the_move(world, later_launch):
    booking = pay_deposit(confirmed(world))
    launch_scrub(launch=world.launch, actor=None, reason="Second stage anomaly", cause="provider")
    assert Launch.objects.get(pk=world.launch.pk).status == Launch.Status.SCRUBBED
    moved = booking_rebook(booking=Booking.objects.get(pk=booking.pk), launch=later_launch, actor=None)
    moved.refresh_from_db()
    assert moved.fees_charged == 0 and moved.amount_paid == Decimal("300000.00")
    assert Event.objects.get(verb="booking.rebooked").after["fee_waived_because"] == "provider"


def test_a_move_on_the_providers_initiative_costs_no_fee(world, later_launch):
    booking = pay_deposit(confirmed(world))
    moved = booking_rebook(booking=booking, launch=later_launch, actor=None, provider_initiated=True)
    moved.refresh_from_db()
    assert moved.fees_charged == 0 and moved.credit_carried_over == Decimal("300000.00")
    assert Event.objects.get(verb="booking.rebooked").after["fee_waived_because"] == "provider_initiative"


def test_slips_and_scrubs_must_say_their_cause(world):
    with pytest.raises(InvalidRequest, match="Say what caused it"):
        launch_scrub(launch=world.launch, actor=None, reason="anomaly", cause="")
    launch_scrub(launch=world.launch, actor=None, reason="anomaly", cause="range")
    assert Event.objects.get(verb="launch.scrubbed").after["cause"] == "range"


# --- under the lock ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_landing_while_the_cancel_waits_for_the_booking_changes_the_terms(monkeypatch):
    """The customer saw the terms with nothing paid; a payment holds the booking row and commits
    while the cancel waits for it. The cancel recomputes under the lock, sees the payment and
    refuses: it never charges terms the customer did not see."""
    w = engine_world()
    CancellationTier.objects.create(provider=w.provider, days_before_launch=0, fee_percent=Decimal("50.00"))
    quote = quote_create(customer=w.customer, payload=w.payload, actor=w.user, launch=w.launch)
    booking = booking_confirm(booking=booking_hold(quote=quote, actor=w.user), actor=w.user)
    shown = booking_cancel_terms(booking=booking)
    assert shown.refund == 0 and shown.owed == Decimal("500000.00")
    deposit = booking_milestones(booking).order_by("due_at").first()
    payment_locked, cancel_started = threading.Event(), threading.Event()
    real_lock = locking.lock_milestone_with_booking

    def lock_then_let_the_cancel_queue(**kwargs):
        held = real_lock(**kwargs)
        payment_locked.set()
        assert cancel_started.wait(timeout=10)
        threading.Event().wait(0.5)  # the cancel is now waiting on the booking row
        return held

    monkeypatch.setattr(locking, "lock_milestone_with_booking", lock_then_let_the_cancel_queue)
    payment = in_background(lambda: payment_milestone_mark_paid(milestone=deposit, actor=None), name="pay")
    assert payment_locked.wait(timeout=10)
    cancel_started.set()
    with pytest.raises(Conflict, match="changed since they were shown: now a 50.00% fee of 500,000.00 USD"):
        booking_cancel(booking=booking, actor=None, expected_terms=shown.token)
    assert not isinstance(payment.outcome(timeout_s=20), BaseException)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.amount_paid == Decimal("300000.00")


def test_a_cancelled_booking_has_no_cancel_terms(world):
    booking = booking_cancel(booking=held(world), actor=None)
    with pytest.raises(
        Conflict, match=f"^booking {booking.reference} is cancelled: there is nothing to cancel$"
    ):
        booking_cancel_terms(booking=booking)
