"""50 customers book the same launch at the same instant: it is never overbooked.

Runs on PostgreSQL with real concurrent transactions (one connection per thread). The negative
control replaces the launch lock (``booking.services.locking.lock_launches``, the documented
seam) with an unlocked read and widens the window between the capacity check and the insert:
then the same race overbooks, which shows the test would catch a missing lock.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from functools import partial

import pytest

from booking.errors import Busy
from booking.models import Booking, Launch
from booking.selectors import capacity
from booking.selectors.capacity import launch_booked_mass_kg, launch_capacity_kg
from booking.services import bookings as booking_services
from booking.services import locking
from booking.services.quotes import quote_create
from tests.factories import CustomerFactory, PayloadFactory, engine_world
from tests.reliability.racing import race, sort_outcomes

THREADS = 50


def _build_race(seed: int):
    """A 300 kg launch and 50 open quotes of 10–60 kg payloads (about 1,900 kg of demand), one per customer."""
    world = engine_world()
    rng = random.Random(seed)
    quotes = []
    for i in range(THREADS):
        customer = CustomerFactory.create(name=f"Racer {i:02d} Space")
        payload = PayloadFactory.create(
            customer=customer, name=f"Racer {i:02d}", mass_kg=Decimal(rng.randint(50, 550)) / 10
        )
        quotes.append(quote_create(customer=customer, payload=payload, actor=None, launch=world.launch))
    return world, quotes


def _race(quotes) -> tuple[list[Booking], list[Exception], list[BaseException]]:
    """Every quote held at the same instant: the bookings, the refusals and anything else raised."""
    outcomes = sort_outcomes(
        race([partial(booking_services.booking_hold, quote=quote, actor=None) for quote in quotes])
    )
    booked = [booking for booking in outcomes.done if isinstance(booking, Booking)]
    return booked, outcomes.refused, outcomes.failed


def _slow_booked_mass(monkeypatch):
    """Sleep after reading the booked mass: widens the window between check and insert.

    The fit check reads the mass with the port slots (``launch_taken``, looked up by the guard);
    other callers read it alone (``launch_booked_mass_kg``): both are slowed."""
    real_mass, real_taken = capacity.launch_booked_mass_kg, capacity.launch_taken

    def slow_mass(**kwargs):
        total = real_mass(**kwargs)
        time.sleep(0.01)
        return total

    def slow_taken(**kwargs):
        taken = real_taken(**kwargs)
        time.sleep(0.01)
        return taken

    monkeypatch.setattr("booking.selectors.capacity.launch_booked_mass_kg", slow_mass)
    monkeypatch.setattr("booking.selectors.guards.launch_taken", slow_taken)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_holds_never_overbook(monkeypatch):
    world, quotes = _build_race(seed=3)
    _slow_booked_mass(monkeypatch)

    booked, refused, failed = _race(quotes)

    assert failed == [], f"unexpected errors: {failed!r}"
    capacity = launch_capacity_kg(launch=world.launch)
    total = launch_booked_mass_kg(launch=world.launch)
    assert capacity == Decimal("300.0")
    assert total <= capacity
    assert len(booked) + len(refused) == THREADS
    assert booked and refused, "the race should both book and refuse"
    assert Booking.objects.filter(launch=world.launch).count() == len(booked)
    assert total == sum(b.mass_kg for b in booked)
    for exc in refused:
        if isinstance(exc, Busy):
            assert str(exc).endswith("is being changed by someone else right now; please retry.")
        else:
            assert str(exc).startswith("payload ") and "kg left to SSO 500 km on Kuaizhou-1A KZ1A-Y7" in str(
                exc
            )
    # Nothing fits any more: what is left is smaller than every refused payload that was checked.
    assert capacity - total < max(Decimal(q.mass_kg) for q in quotes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_the_race_overbooks(monkeypatch):
    world, quotes = _build_race(seed=3)
    _slow_booked_mass(monkeypatch)

    def unlocked(launches, **_options):
        rows = Launch.objects.select_related("vehicle_model", "vehicle__vehicle_model", "provider")
        return {launch.pk: launch for launch in rows.filter(pk__in=[launch.pk for launch in launches])}

    monkeypatch.setattr(locking, "lock_launches", unlocked)

    booked, refused, failed = _race(quotes)

    assert failed == [], f"unexpected errors: {failed!r}"
    total = launch_booked_mass_kg(launch=world.launch)
    assert total > launch_capacity_kg(launch=world.launch), "without the lock the race should overbook"
