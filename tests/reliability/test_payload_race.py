"""Customers hold seats for payloads while someone changes those payloads' mass at the same instant:
a booking always carries the mass of its payload.

Runs on PostgreSQL with real concurrent transactions (one connection per thread). Each payload has
its own launch, so the holds do not queue on one launch row: only the payload lock orders a hold
and a mass change. The negative control replaces the hold's lock statement
(``booking.services.locking.lock_quote_customer_and_payload``, the documented seam) with one that
locks the quote and the customer but leaves the payload row unlocked: then a mass change slips
between the hold's fit check and its insert, and a booking keeps the old mass.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal

import pytest

from booking.errors import Busy
from booking.models import Booking, Quote
from booking.selectors.fit import payload_mass_with_adapter_kg
from booking.services import bookings as booking_services
from booking.services import locking
from booking.services.payloads import payload_update
from booking.services.quotes import quote_create
from customers.models import Payload
from tests.factories import CustomerFactory, LaunchFactory, PayloadFactory, engine_world
from tests.reliability.racing import race, sort_outcomes

PAIRS = 12


def _build_race(seed: int):
    """Twelve payloads of 10–40 kg, each quoted on a launch of its own, and the new mass of each."""
    world = engine_world()
    rng = random.Random(seed)
    quotes, new_masses = [], []
    for i in range(PAIRS):
        customer = CustomerFactory.create(name=f"Mass {i:02d} Space")
        payload = PayloadFactory.create(
            customer=customer, name=f"Mass {i:02d}", mass_kg=Decimal(rng.randint(10, 40))
        )
        launch = LaunchFactory.create(
            name=f"Kuaizhou-1A · SSO 500 rideshare {i:02d}",
            vehicle_model=world.vehicle_model,
            site=world.site,
            window_start=world.launch.window_start + timedelta(days=i + 1),
        )
        quotes.append(quote_create(customer=customer, payload=payload, actor=None, launch=launch))
        new_masses.append(payload.mass_kg + Decimal(rng.randint(1, 9)))
    return world, quotes, new_masses


def _slow_fit(monkeypatch):
    """Sleep after the hold's fit check: widens the window between the check and the insert."""
    real = booking_services.check_launch_fit

    def slow(**kwargs):
        needed = real(**kwargs)
        time.sleep(0.15)
        return needed

    monkeypatch.setattr(booking_services, "check_launch_fit", slow)


#: Every third pair, the hold starts this much later, long after its change began: whatever the
#: machine's load, some changes come first (and their holds are refused), so both orders are tried.
CHANGE_FIRST_S = 0.3


def _race(quotes, new_masses, seed: int):
    """Hold each quote and change its payload's mass at once (the change starts a little later,
    except in every third pair, where the hold does)."""
    rng = random.Random(seed)

    def hold(quote, delay):
        def run():
            time.sleep(delay)
            return booking_services.booking_hold(quote=quote, actor=None)

        return run

    def change(payload_id, mass_kg, delay):
        def run():
            time.sleep(delay)
            payload = Payload.objects.get(pk=payload_id)
            return payload_update(payload=payload, actor=None, mass_kg=mass_kg)

        return run

    attempts = []
    for n, (quote, mass_kg) in enumerate(zip(quotes, new_masses, strict=True)):
        hold_delay = CHANGE_FIRST_S if n % 3 == 0 else 0.0
        attempts += [hold(quote, hold_delay), change(quote.payload_id, mass_kg, rng.uniform(0.0, 0.12))]
    outcomes = race(attempts)
    # A booked payload's mass cannot change: a state conflict, refused like a hold.
    holds, changes = sort_outcomes(outcomes[0::2]), sort_outcomes(outcomes[1::2])
    return {
        "held": holds.done,
        "hold_refused": holds.refused,
        "changed": changes.done,
        "change_refused": changes.refused,
        "failed": holds.failed + changes.failed,
    }


def _mismatched_bookings() -> list[str]:
    """Bookings whose mass is not their payload's mass with the adapter, as the rows are now."""
    wrong = []
    for booking in Booking.objects.select_related("payload", "launch__vehicle_model"):
        expected = payload_mass_with_adapter_kg(booking.payload, booking.launch.vehicle_model)
        if booking.mass_kg != expected:
            wrong.append(f"{booking.reference}: {booking.mass_kg} kg booked, payload now takes {expected} kg")
    return wrong


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_mass_change_never_slips_between_the_fit_check_and_the_hold(monkeypatch):
    world, quotes, new_masses = _build_race(seed=5)
    _slow_fit(monkeypatch)

    outcomes = _race(quotes, new_masses, seed=5)

    assert outcomes["failed"] == [], f"unexpected errors: {outcomes['failed']!r}"
    assert _mismatched_bookings() == []
    assert len(outcomes["held"]) + len(outcomes["hold_refused"]) == PAIRS
    assert len(outcomes["changed"]) + len(outcomes["change_refused"]) == PAIRS
    # Each pair ends one way or the other: the hold came first and froze the mass, or the change
    # came first and the hold no longer matches its quote.
    assert outcomes["held"] and outcomes["changed"], "the race should both hold and change"
    for exc in outcomes["change_refused"]:
        assert isinstance(exc, Busy) or "its mass and orbit cannot change while booked" in str(exc)
    for exc in outcomes["hold_refused"]:
        assert isinstance(exc, Busy) or "ask for a new quote" in str(exc)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_payload_lock_a_booking_keeps_a_stale_mass(monkeypatch):
    world, quotes, new_masses = _build_race(seed=5)
    _slow_fit(monkeypatch)

    def payload_unlocked(quote_id):
        return (
            Quote.objects.select_for_update(of=("self", "customer"), no_key=True)
            .select_related("customer", "payload")
            .get(pk=quote_id)
        )

    monkeypatch.setattr(locking, "lock_quote_customer_and_payload", payload_unlocked)

    outcomes = _race(quotes, new_masses, seed=5)

    assert outcomes["failed"] == [], f"unexpected errors: {outcomes['failed']!r}"
    assert _mismatched_bookings(), "without the payload lock a mass change should slip past a hold"
