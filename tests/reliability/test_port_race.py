"""Twenty customers hold CubeSat slots on one launch at the same instant: never more than it has.

Runs on PostgreSQL with real concurrent transactions (one connection per thread). Mass is no limit
here (twenty 3 kg payloads on a 300 kg launch): the four 3U slots are. The negative control
replaces the launch lock (``booking.services.locking.lock_launches``) with an unlocked read and
widens the window between counting the slots and the insert: then the same race takes more slots
than the launch has, which shows the test would catch a missing lock.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from booking.errors import Busy, Conflict
from booking.models import Booking, Launch
from booking.services import bookings as booking_services
from booking.services import locking
from booking.services.quotes import quote_create
from tests.factories import CustomerFactory, PayloadFactory, cubesat_3u_port, engine_world

THREADS = 20
SLOTS = 4


def _build_race():
    world = engine_world()
    port = cubesat_3u_port(world.launch, count=SLOTS)
    quotes = []
    for i in range(THREADS):
        customer = CustomerFactory.create(name=f"Cube racer {i:02d}")
        payload = PayloadFactory.create(
            customer=customer,
            name=f"Cube racer {i:02d}",
            mass_kg=Decimal("3.0"),
            length_m=Decimal("0.10"),
            width_m=Decimal("0.10"),
            height_m=Decimal("0.34"),
        )
        quotes.append(
            quote_create(
                customer=customer, payload=payload, actor=None, launch=world.launch, port="cubesat_3u"
            )
        )
    return world, port, quotes


def _race(quotes):
    barrier = threading.Barrier(len(quotes))
    booked, refused, failed = [], [], []
    lock = threading.Lock()

    def hold(quote):
        try:
            barrier.wait(timeout=30)
            booking = booking_services.booking_hold(quote=quote, actor=None)
            with lock:
                booked.append(booking)
        except (Conflict, Busy) as exc:
            with lock:
                refused.append(exc)
        except BaseException as exc:  # anything else is a bug the test reports
            with lock:
                failed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hold, args=(quote,)) for quote in quotes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a hold thread hung"
    return booked, refused, failed


def _slow_slot_count(monkeypatch):
    """Sleep after counting the slots taken: widens the window between the count and the insert."""
    from booking.selectors import capacity, ports

    real = capacity.launch_ports_free

    def slow(**kwargs):
        free = real(**kwargs)
        time.sleep(0.02)
        return free

    monkeypatch.setattr(ports, "launch_ports_free", slow)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_holds_never_take_more_slots_than_the_launch_has(monkeypatch):
    world, port, quotes = _build_race()
    _slow_slot_count(monkeypatch)

    booked, refused, failed = _race(quotes)

    assert failed == [], f"unexpected errors: {failed!r}"
    assert len(booked) == SLOTS and len(refused) == THREADS - SLOTS
    assert Booking.objects.filter(launch=world.launch, launch_port=port).count() == SLOTS
    for exc in refused:
        if isinstance(exc, Busy):
            assert str(exc).endswith("is being changed by someone else right now; please retry.")
        else:
            assert str(exc).startswith(
                f"all {SLOTS} 3U CubeSat dispenser slots on Kuaizhou-1A KZ1A-Y7 are taken"
            )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_the_race_takes_too_many_slots(monkeypatch):
    world, port, quotes = _build_race()
    _slow_slot_count(monkeypatch)

    def unlocked(launches, **_options):
        rows = Launch.objects.select_related("vehicle_model", "vehicle__vehicle_model", "provider")
        return {launch.pk: launch for launch in rows.filter(pk__in=[launch.pk for launch in launches])}

    monkeypatch.setattr(locking, "lock_launches", unlocked)

    booked, refused, failed = _race(quotes)

    assert failed == [], f"unexpected errors: {failed!r}"
    taken = Booking.objects.filter(launch=world.launch, launch_port=port).count()
    assert taken > SLOTS, "without the lock the race should take more slots than the launch has"
