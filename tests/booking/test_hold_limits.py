"""Capacity cannot be hoarded: who may hold, how many holds, what share of a launch, for how long.

One customer with no contract and export screening still pending could hold every seat of every
launch, and keep them by rebooking between launches. A hold now needs cleared screening (or an
operator's allowance), the provider caps a customer's unconfirmed holds in number and in share of
one launch, a move keeps the hold's deadline, and confirming re-checks the quote.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
import time_machine

from booking.errors import Busy, Conflict
from booking.models import Booking, Quote
from booking.services import bookings as booking_services
from booking.services import locking
from booking.services.bookings import booking_confirm, booking_hold, booking_rebook
from booking.services.quotes import quote_create
from customers.models import Customer
from tests.factories import LaunchFactory, PayloadFactory, engine_world
from tests.reliability.racing import race, sort_outcomes


@pytest.fixture
def world(db):
    w = engine_world()
    with time_machine.travel(w.now, tick=False):
        yield w


def _quote(world, *, mass_kg="10.0", launch=None, name=None):
    payload = PayloadFactory(
        customer=world.customer,
        name=name or f"Sat {PayloadFactory._meta.model.objects.count()}",
        mass_kg=Decimal(mass_kg),
    )
    return quote_create(customer=world.customer, payload=payload, actor=None, launch=launch or world.launch)


def _launches(world, count):
    return [
        LaunchFactory(
            vehicle_model=world.vehicle_model,
            site=world.site,
            name=f"Kuaizhou-1A · SSO 500 rideshare {i + 2}",
            window_start=world.launch.window_start + timedelta(days=20 * (i + 1)),
        )
        for i in range(count)
    ]


def test_pending_export_screening_holds_nothing_until_an_operator_allows_it(world):
    Customer.objects.filter(pk=world.customer.pk).update(export_screening=Customer.ExportScreening.PENDING)
    quote = _quote(world)
    with pytest.raises(Conflict) as refused:
        booking_hold(quote=quote, actor=None)
    assert str(refused.value) == (
        "Gomspace's export screening is still pending: seats can be held once it is cleared, "
        "or earlier if an operator of ExPace allows holds before screening"
    )
    assert not Booking.objects.exists()
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.OPEN

    Customer.objects.filter(pk=world.customer.pk).update(holds_before_screening=True)
    booking = booking_hold(quote=quote, actor=None)
    assert booking.status == Booking.Status.HELD
    with pytest.raises(
        Conflict, match="export screening is pending: a booking is confirmed once it is cleared"
    ):
        booking_confirm(booking=booking, actor=None)


def test_a_refused_screening_holds_nothing_even_with_the_allowance(world):
    Customer.objects.filter(pk=world.customer.pk).update(
        export_screening=Customer.ExportScreening.REFUSED, holds_before_screening=True
    )
    with pytest.raises(Conflict, match="did not pass export screening"):
        booking_hold(quote=_quote(world), actor=None)


def test_a_customer_holds_at_most_the_providers_number_of_seats_at_once(world):
    launches = [world.launch, *_launches(world, 3)]
    for launch in launches[:3]:
        booking_hold(quote=_quote(world, launch=launch), actor=None)
    fourth = _quote(world, launch=launches[3])
    with pytest.raises(Conflict) as refused:
        booking_hold(quote=fourth, actor=None)
    assert str(refused.value) == (
        "Gomspace already has 3 unconfirmed holds on ExPace's launches, the most ExPace allows at once (3): "
        "confirm or release one first, or ask ExPace to raise the limit"
    )
    # Confirming one frees a place under the limit.
    booking_confirm(booking=Booking.objects.filter(status=Booking.Status.HELD).first(), actor=None)
    assert booking_hold(quote=fourth, actor=None).status == Booking.Status.HELD


def test_expired_holds_and_other_providers_do_not_count(world):
    launches = [world.launch, *_launches(world, 3)]
    for launch in launches[:3]:
        booking_hold(quote=_quote(world, launch=launch), actor=None)
    with time_machine.travel(world.now + timedelta(minutes=31), tick=False):
        assert booking_hold(quote=_quote(world, launch=launches[3]), actor=None).status == Booking.Status.HELD


def test_the_limit_is_the_providers_setting(world):
    world.provider.hold_limit_per_customer = 1
    world.provider.save()
    booking_hold(quote=_quote(world), actor=None)
    with pytest.raises(Conflict, match=r"the most ExPace allows at once \(1\)"):
        booking_hold(quote=_quote(world, launch=_launches(world, 1)[0]), actor=None)


def test_holds_of_one_customer_take_at_most_the_share_of_a_launch(world):
    # 300 kg to SSO 500 km; payloads carry a 5 kg adapter. 145 + 5 = 150 kg is exactly 50 %.
    booking_hold(quote=_quote(world, mass_kg="95.0"), actor=None)  # 100 kg
    booking_hold(quote=_quote(world, mass_kg="45.0"), actor=None)  # 150 kg in all: at the share
    third = _quote(world, mass_kg="0.5")
    with pytest.raises(Conflict) as refused:
        booking_hold(quote=third, actor=None)
    assert str(refused.value) == (
        "Gomspace's unconfirmed holds on Kuaizhou-1A KZ1A-Y7 would take 155.5 kg of its 300.0 kg, "
        "more than the 50.00% one customer may hold unconfirmed: confirm the held bookings first, "
        "or ask ExPace to raise the share"
    )
    assert Booking.objects.count() == 2


def test_one_payload_of_any_size_can_be_held(world):
    booking = booking_hold(quote=_quote(world, mass_kg="250.0"), actor=None)  # 255 kg of 300
    assert booking.status == Booking.Status.HELD


def test_moving_a_hold_keeps_its_deadline_so_rebooking_buys_no_time(world):
    other = _launches(world, 1)[0]
    booking = booking_hold(quote=_quote(world), actor=None)
    deadline = booking.hold_expires_at
    with time_machine.travel(world.now + timedelta(minutes=20), tick=False):
        moved = booking_rebook(booking=booking, launch=other, actor=None)
    with time_machine.travel(world.now + timedelta(minutes=25), tick=False):
        back = booking_rebook(booking=moved, launch=world.launch, actor=None)
    assert moved.hold_expires_at == back.hold_expires_at == deadline
    with (
        time_machine.travel(deadline + timedelta(seconds=1), tick=False),
        pytest.raises(Conflict, match="expired"),
    ):
        booking_rebook(booking=back, launch=other, actor=None)


def test_moving_a_hold_respects_the_share_on_the_target(world):
    other = _launches(world, 1)[0]
    booking_hold(quote=_quote(world, mass_kg="140.0", launch=other), actor=None)  # 145 kg there
    small = booking_hold(quote=_quote(world, mass_kg="10.0"), actor=None)
    with pytest.raises(Conflict, match="more than the 50.00% one customer may hold unconfirmed"):
        booking_rebook(booking=small, launch=other, actor=None)
    assert Booking.objects.get(pk=small.pk).status == Booking.Status.HELD


def test_confirming_rechecks_that_the_quote_is_still_valid(world):
    quote = _quote(world)
    Quote.objects.filter(pk=quote.pk).update(valid_until=world.now + timedelta(minutes=10))
    booking = booking_hold(quote=Quote.objects.get(pk=quote.pk), actor=None)
    with (
        time_machine.travel(world.now + timedelta(minutes=15), tick=False),
        pytest.raises(Conflict) as refused,
    ):
        booking_confirm(booking=booking, actor=None)
    assert str(refused.value).startswith(
        f"quote {quote.reference} for booking {booking.reference} expired at "
    )
    assert str(refused.value).endswith(": ask for a new quote and hold the seat again")
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.HELD


# --- concurrent holds against the limit (PostgreSQL) ----------------------------------------------

THREADS = 12


def _race(quotes):
    """Every quote held at the same instant: the bookings, the refusals and anything else raised."""
    outcomes = sort_outcomes(
        race([partial(booking_services.booking_hold, quote=quote, actor=None) for quote in quotes])
    )
    return outcomes.done, outcomes.refused, outcomes.failed


def _race_world(monkeypatch):
    world = engine_world()
    launches = [world.launch, *_launches(world, THREADS - 1)]
    quotes = [_quote(world, launch=launch, name=f"Racer {i:02d}") for i, launch in enumerate(launches)]
    # Widen the window between counting the customer's holds and inserting the new one.
    real = booking_services.customer_open_holds

    def slow(**kwargs):
        rows = real(**kwargs)
        list(rows)
        time.sleep(0.02)
        return rows

    monkeypatch.setattr(booking_services, "customer_open_holds", slow)
    return world, quotes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_holds_on_many_launches_never_pass_the_limit(monkeypatch):
    world, quotes = _race_world(monkeypatch)
    booked, refused, failed = _race(quotes)
    assert failed == [], f"unexpected errors: {failed!r}"
    assert len(booked) == 3 == Booking.objects.filter(customer=world.customer, status="held").count()
    assert len(refused) == THREADS - 3
    assert all("the most ExPace allows at once (3)" in str(exc) or isinstance(exc, Busy) for exc in refused)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_customer_lock_the_limit_is_passed(monkeypatch):
    world, quotes = _race_world(monkeypatch)

    def unlocked(quote_id):
        return Quote.objects.select_related("customer", "payload").get(pk=quote_id)

    monkeypatch.setattr(locking, "lock_quote_customer_and_payload", unlocked)
    # Without the lock nothing orders the holds: let every thread count before any inserts, so
    # the race does not depend on how the machine schedules the threads.
    everyone_counted = threading.Barrier(len(quotes))
    counted = booking_services.customer_open_holds

    def count_then_wait(**kwargs):
        rows = counted(**kwargs)
        list(rows)
        with contextlib.suppress(threading.BrokenBarrierError):
            everyone_counted.wait(timeout=10)
        return rows

    monkeypatch.setattr(booking_services, "customer_open_holds", count_then_wait)
    booked, refused, failed = _race(quotes)
    assert failed == [], f"unexpected errors: {failed!r}"
    assert Booking.objects.filter(customer=world.customer, status="held").count() > 3, (
        "without the customer lock concurrent holds should pass the limit"
    )
