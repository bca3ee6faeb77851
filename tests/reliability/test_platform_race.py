"""Many operators reserve the same mobile platform at the same moment: exactly one wins per slot.

Runs on PostgreSQL with real threads and real connections (committed data). Three runs:

1. The real service: each thread locks the platform row, re-reads its chain and checks it. Exactly
   one thread per slot wins; the others get a Conflict.
2. Control A, the database backstop: the service's lock and check are bypassed (the check still
   computes the spans, then waits at a barrier so every thread writes at once). The exclusion
   constraint alone still lets exactly one thread per slot win, and the losers get a Conflict
   (the ExclusionViolation turned into words), not a 500.
3. Control B, proof that the test can see a double booking: the same bypass with the exclusion
   constraint dropped inside the test database. Now several threads win the same slot, and the
   overlap check below reports it. Without this control, "exactly one winner" in runs 1 and 2
   could be an artefact of the test (e.g. threads that never really overlapped). The constraint
   is put back afterwards.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from booking.errors import Conflict
from booking.models import Reservation
from booking.services import scheduling
from booking.services.scheduling import launch_schedule
from tests.factories import VehicleFactory, schedule_world
from tests.reliability.racing import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2030, 3, 1, tzinfo=UTC)
THREADS_PER_SLOT = 4
SLOTS = [NOW + timedelta(days=10), NOW + timedelta(days=20)]  # far apart: independent


def platform_race(world):
    """Every thread tries to reserve TEL-01 for its slot, windows 30 min apart (all overlapping)."""
    rockets = [
        VehicleFactory(vehicle_model=world.model, serial=f"RACE-{n}", storage_site=world.jiuquan)
        for n in range(THREADS_PER_SLOT * len(SLOTS))
    ]

    def attempt(n: int):
        start = SLOTS[n // THREADS_PER_SLOT] + timedelta(minutes=30 * (n % THREADS_PER_SLOT))
        return lambda: launch_schedule(
            provider=world.provider,
            vehicle_model=world.model,
            site=world.jiuquan,
            orbit_family="SSO",
            altitude_km=500,
            inclination_deg=Decimal("97.40"),
            window_start=start,
            window_end=start + timedelta(hours=2),
            actor=None,
            vehicle=rockets[n],
            platform=world.tel1,
            name=f"Race {n}",
            now=NOW,
        )

    results = race([attempt(n) for n in range(len(rockets))])
    return {
        slot: results[slot * THREADS_PER_SLOT : (slot + 1) * THREADS_PER_SLOT] for slot in range(len(SLOTS))
    }


def overlapping_pairs() -> int:
    spans = list(
        Reservation.objects.filter(platform__name="TEL-01", released_at__isnull=True)
        .order_by("occupied_from")
        .values_list("occupied_from", "occupied_until")
    )
    return sum(1 for i, a in enumerate(spans) for b in spans[i + 1 :] if b[0] < a[1])


def winners(outcomes) -> dict[int, int]:
    return {
        slot: sum(1 for r in results if not isinstance(r, Exception)) for slot, results in outcomes.items()
    }


def unexpected(outcomes) -> list[Exception]:
    return [
        r
        for results in outcomes.values()
        for r in results
        if isinstance(r, Exception) and not isinstance(r, Conflict)
    ]


def bypass_lock_and_check(monkeypatch, barrier: threading.Barrier) -> None:
    evaluate = scheduling._chain_evaluate

    def spans_then_wait(*args, **kwargs):
        evaluate(*args, **kwargs)  # compute the spans to write, ignore what the check says
        barrier.wait(timeout=10)  # every thread has "checked" before any writes
        return []

    monkeypatch.setattr(scheduling, "_lock", lambda resource: None)
    monkeypatch.setattr(scheduling, "_chain_evaluate", spans_then_wait)
    # The range is the platform's site's: its lock and check would serialise these threads too
    # (tests/reliability/test_range_race.py races the range itself).
    monkeypatch.setattr(scheduling, "_lock_range", lambda site: None)
    monkeypatch.setattr(scheduling, "_range_problems", lambda **kwargs: [])


def test_exactly_one_reservation_wins_per_slot():
    world = schedule_world()
    outcomes = platform_race(world)
    assert unexpected(outcomes) == []
    assert winners(outcomes) == {0: 1, 1: 1}
    assert overlapping_pairs() == 0
    losers = [r for results in outcomes.values() for r in results if isinstance(r, Conflict)]
    assert len(losers) == 2 * (THREADS_PER_SLOT - 1)
    assert all("TEL-01" in str(loser) for loser in losers)


def test_control_the_exclusion_constraint_alone_still_lets_one_win(monkeypatch):
    world = schedule_world()
    bypass_lock_and_check(monkeypatch, threading.Barrier(THREADS_PER_SLOT * len(SLOTS)))
    outcomes = platform_race(world)
    assert unexpected(outcomes) == []
    assert winners(outcomes) == {0: 1, 1: 1}
    assert overlapping_pairs() == 0
    messages = {str(r) for results in outcomes.values() for r in results if isinstance(r, Conflict)}
    assert messages == {
        "TEL-01 was reserved for an overlapping time by someone else a moment ago; please plan again."
    }


def test_control_without_lock_check_or_constraint_the_test_sees_double_bookings(monkeypatch):
    world = schedule_world()
    bypass_lock_and_check(monkeypatch, threading.Barrier(THREADS_PER_SLOT * len(SLOTS)))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE booking_reservation DROP CONSTRAINT reservation_no_overlap_platform")
        cursor.execute("ALTER TABLE booking_reservation DROP CONSTRAINT reservation_no_overlap_range_site")
    try:
        outcomes = platform_race(world)
        assert unexpected(outcomes) == []
        assert all(count > 1 for count in winners(outcomes).values())
        assert overlapping_pairs() > 0
    finally:
        Reservation.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_overlap_platform EXCLUDE USING gist "
                "(platform_id WITH =, tstzrange(occupied_from, occupied_until, '[)') WITH &&) "
                "WHERE (released_at IS NULL AND platform_id IS NOT NULL)"
            )
            cursor.execute(
                "ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_overlap_range_site EXCLUDE USING gist "
                "(range_site_id WITH =, tstzrange(occupied_from, occupied_until, '[)') WITH &&) "
                "WHERE (released_at IS NULL AND range_site_id IS NOT NULL)"
            )
