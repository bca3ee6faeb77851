"""Two launches cannot take one range slot or one rocket at once.

PostgreSQL, real threads and connections (committed data), as tests/reliability/test_platform_race.py:

1. The range, real service: operators schedule launches at Jiuquan on different trucks with
   different rockets, windows 30 minutes apart (all inside one launch separation). Exactly one
   wins per slot; the others are told the range is busy.
2. Control A: the range lock and check bypassed (threads wait at a barrier, then write at once).
   The exclusion constraint on the range alone still lets one win per slot, with a Conflict, not a 500.
3. Control B: the same bypass with that constraint dropped: several win one slot, and the
   overlap check sees it, so runs 1 and 2 are not an artefact of the test.
4. The rocket: threads schedule one serial on different trucks at different sites at the same
   time; one wins. The database backstop: two live overlapping claims on one rocket are refused
   by the constraint, and accepted once it is dropped (the negative control).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from booking.errors import Conflict
from booking.models import Launch, Reservation
from booking.services import scheduling
from booking.services.scheduling import launch_schedule
from tests.factories import (
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    VehicleFactory,
    schedule_world,
)
from tests.reliability.racing import race
from vehicles.models import Route

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2030, 3, 1, tzinfo=UTC)
THREADS_PER_SLOT = 4
SLOTS = [NOW + timedelta(days=10), NOW + timedelta(days=20)]

RANGE_DDL = (
    "ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_overlap_range_site EXCLUDE USING gist "
    "(range_site_id WITH =, tstzrange(occupied_from, occupied_until, '[)') WITH &&) "
    "WHERE (released_at IS NULL AND range_site_id IS NOT NULL)"
)
VEHICLE_DDL = (
    "ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_overlap_vehicle EXCLUDE USING gist "
    "(vehicle_id WITH =, tstzrange(occupied_from, occupied_until, '[)') WITH &&) "
    "WHERE (released_at IS NULL AND vehicle_id IS NOT NULL)"
)


def range_race(world):
    n_total = THREADS_PER_SLOT * len(SLOTS)
    tels = [
        MobilePlatformFactory(provider=world.provider, name=f"RACE-TEL-{n}", home_site=world.jiuquan)
        for n in range(n_total)
    ]
    rockets = [
        VehicleFactory(vehicle_model=world.model, serial=f"RACE-{n}", storage_site=world.jiuquan)
        for n in range(n_total)
    ]

    def attempt(n):
        start = SLOTS[n // THREADS_PER_SLOT] + timedelta(minutes=30 * (n % THREADS_PER_SLOT))
        return lambda: launch_schedule(
            provider=world.provider,
            vehicle_model=world.model,
            site=world.jiuquan,
            orbit_family="SSO",
            altitude_km=500,
            inclination_deg=Decimal("97.40"),
            window_start=start,
            window_end=start + timedelta(hours=1),
            actor=None,
            vehicle=rockets[n],
            platform=tels[n],
            name=f"Range race {n}",
            now=NOW,
        )

    outcomes = race([attempt(n) for n in range(n_total)])
    return [outcomes[i : i + THREADS_PER_SLOT] for i in range(0, n_total, THREADS_PER_SLOT)]


def wins(slots):
    return [sum(1 for r in slot if isinstance(r, Launch)) for slot in slots]


def unexpected(slots):
    return [r for slot in slots for r in slot if isinstance(r, Exception) and not isinstance(r, Conflict)]


def overlapping_range_pairs():
    spans = list(
        Reservation.objects.filter(range_site__isnull=False, released_at__isnull=True)
        .order_by("occupied_from")
        .values_list("occupied_from", "occupied_until")
    )
    return sum(1 for i, a in enumerate(spans) for b in spans[i + 1 :] if b[0] < a[1])


def bypass_range_lock_and_check(monkeypatch):
    barrier = threading.Barrier(THREADS_PER_SLOT * len(SLOTS))

    def checked_then_wait(**kwargs):
        barrier.wait(timeout=10)  # every thread has "checked" before any writes
        return []

    monkeypatch.setattr(scheduling, "_lock_range", lambda site: None)
    monkeypatch.setattr(scheduling, "_range_problems", checked_then_wait)


def test_one_launch_per_range_slot():
    world = schedule_world()
    slots = range_race(world)
    assert unexpected(slots) == []
    assert wins(slots) == [1, 1]
    assert overlapping_range_pairs() == 0
    losers = [r for slot in slots for r in slot if isinstance(r, Conflict)]
    assert losers and all("Jiuquan range busy with Range race" in str(r) for r in losers)


def test_control_the_range_constraint_alone_lets_one_win(monkeypatch):
    world = schedule_world()
    bypass_range_lock_and_check(monkeypatch)
    slots = range_race(world)
    assert unexpected(slots) == []
    assert wins(slots) == [1, 1]
    assert overlapping_range_pairs() == 0
    assert {str(r) for slot in slots for r in slot if isinstance(r, Conflict)} == {
        "The range was booked for an overlapping time by someone else a moment ago; please plan again."
    }


def test_control_without_lock_check_or_constraint_the_test_sees_two_launches_on_one_range(monkeypatch):
    world = schedule_world()
    bypass_range_lock_and_check(monkeypatch)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE booking_reservation DROP CONSTRAINT reservation_no_overlap_range_site")
    try:
        slots = range_race(world)
        assert unexpected(slots) == []
        assert all(count > 1 for count in wins(slots))
        assert overlapping_range_pairs() > 0
    finally:
        Reservation.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(RANGE_DDL)


def test_one_rocket_flies_one_launch():
    world = schedule_world()
    wenchang_tel = MobilePlatformFactory(provider=world.provider, name="TEL-W", home_site=world.wenchang)
    Route.objects.create(
        origin=world.jiuquan, destination=world.wenchang, mode="rail", transit_hours=Decimal("100")
    )
    rocket = world.rockets[0]
    start = NOW + timedelta(days=10)

    def attempt(platform, site, n):
        return lambda: launch_schedule(
            provider=world.provider,
            vehicle_model=world.model,
            site=site,
            orbit_family="SSO",
            altitude_km=500,
            inclination_deg=Decimal("97.40"),
            window_start=start,
            window_end=start + timedelta(hours=1),
            actor=None,
            vehicle=rocket,
            platform=platform,
            name=f"Rocket race {n}",
            now=NOW,
        )

    outcomes = race([attempt(world.tel1, world.jiuquan, 1), attempt(wenchang_tel, world.wenchang, 2)])
    assert [type(r) for r in outcomes].count(Launch) == 1
    assert all(isinstance(r, (Launch, Conflict)) for r in outcomes)
    assert Reservation.objects.filter(vehicle=rocket, released_at__isnull=True).count() == 1


def _claim(launch, rocket, site, start):
    return Reservation(
        launch=launch,
        vehicle=rocket,
        site=site,
        occupied_from=start,
        ready_at=start,
        occupied_until=start + timedelta(days=2),
    )


def test_the_database_refuses_a_rocket_in_two_places_and_the_control_sees_it():
    world = schedule_world()
    other_site = LaunchSiteFactory(name="Elsewhere", code="ELSW")
    rocket = world.rockets[0]
    first = LaunchFactory(site=world.jiuquan, vehicle_model=world.model)
    second = LaunchFactory(site=other_site, vehicle_model=world.model)
    start = NOW + timedelta(days=10)
    _claim(first, rocket, world.jiuquan, start).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _claim(second, rocket, other_site, start + timedelta(days=1)).save()

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE booking_reservation DROP CONSTRAINT reservation_no_overlap_vehicle")
    try:
        _claim(second, rocket, other_site, start + timedelta(days=1)).save()
        assert Reservation.objects.filter(vehicle=rocket, released_at__isnull=True).count() == 2
    finally:
        Reservation.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(VEHICLE_DDL)
