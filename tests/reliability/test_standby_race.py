"""Six bookings on a full launch are cancelled at the same instant while standby passes run: the
freed capacity is offered to the standby list, never beyond what fits.

Runs on PostgreSQL with real concurrent transactions (one connection per thread). Each cancel runs
its own standby pass after commit (the Celery task, eager in tests) and six more passes are started
directly, as a sweep and lost tasks would: twelve passes race for 300 kg freed, which five 51 kg
payloads of the list could take (a sixth would need 306 kg); a cancel that waits too long for the
launch answers "busy, retry" and frees nothing. The negative control replaces the launch lock
(``booking.services.locking.lock_launches``, the documented seam) with an unlocked read and widens
the window between the capacity check and the hold: then the same race offers more than fits,
which shows the test would catch a missing lock.
"""

from __future__ import annotations

import time
from decimal import Decimal
from functools import partial

import pytest

from booking.errors import Busy
from booking.models import Booking, Launch, StandbyEntry
from booking.selectors import capacity
from booking.selectors.capacity import launch_booked_mass_kg, launch_capacity_kg
from booking.services import locking
from booking.services.bookings import booking_cancel
from booking.services.standby import standby_join, standby_offers_make
from tests.factories import (
    BookingFactory,
    ContractFactory,
    CustomerFactory,
    DocumentFactory,
    PayloadFactory,
    engine_world,
)
from tests.reliability.racing import race, sort_outcomes

LIST_LENGTH = 12
FILLERS = 6


def _build_race():
    """A 300 kg launch filled by six 50 kg bookings, and twelve ready 46 kg payloads waiting for it."""
    world = engine_world()
    fillers = [BookingFactory(launch=world.launch, mass_kg=Decimal("50.0")) for _ in range(FILLERS)]
    for i in range(LIST_LENGTH):
        customer = CustomerFactory(name=f"Waiting {i:02d} Space")
        payload = PayloadFactory(customer=customer, name=f"Waiting {i:02d}", mass_kg=Decimal("46.0"))
        DocumentFactory(customer=customer, payload=payload)
        ContractFactory(customer=customer, provider=world.provider, reference=f"WAIT-{i:02d}")
        standby_join(customer=customer, payload=payload, actor=None, launch=world.launch)
    return world, fillers


def _slow_booked_mass(monkeypatch):
    """Sleep after reading the booked mass: widens the window between check and hold.

    The fit check reads the mass with the port slots (``launch_taken``, looked up by the guard);
    other callers read it alone (``launch_booked_mass_kg``): both are slowed."""
    real_mass, real_taken = capacity.launch_booked_mass_kg, capacity.launch_taken

    def slow_mass(**kwargs):
        total = real_mass(**kwargs)
        time.sleep(0.02)
        return total

    def slow_taken(**kwargs):
        taken = real_taken(**kwargs)
        time.sleep(0.02)
        return taken

    monkeypatch.setattr("booking.selectors.capacity.launch_booked_mass_kg", slow_mass)
    monkeypatch.setattr("booking.selectors.guards.launch_taken", slow_taken)


def _race(world, fillers):
    attempts = [partial(booking_cancel, booking=b, actor=None) for b in fillers]
    attempts += [partial(standby_offers_make, launch_id=world.launch.pk) for _ in range(FILLERS)]
    return sort_outcomes(race(attempts))


def _offered_mass_kg(world) -> Decimal:
    held = Booking.objects.filter(launch=world.launch, status=Booking.Status.HELD)
    return sum((b.mass_kg for b in held), Decimal(0))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_never_offer_more_than_fits(monkeypatch):
    world, fillers = _build_race()
    _slow_booked_mass(monkeypatch)

    outcomes = _race(world, fillers)

    assert outcomes.failed == [], f"unexpected errors: {outcomes.failed!r}"
    assert all(isinstance(exc, Busy) for exc in outcomes.refused), outcomes.refused
    cancelled = [b for b in outcomes.done if isinstance(b, Booking)]
    assert cancelled, "the race should cancel bookings (others may answer busy, retry)"
    # A pass that answered "busy" is caught up by the sweep: run one, as the beat would.
    standby_offers_make(launch_id=world.launch.pk)
    offered = list(StandbyEntry.objects.filter(status=StandbyEntry.Status.OFFERED))
    capacity_kg = launch_capacity_kg(launch=world.launch)
    booked_kg = launch_booked_mass_kg(launch=world.launch)
    freed_kg = Decimal("50.0") * len(cancelled)
    assert booked_kg <= capacity_kg
    assert offered and _offered_mass_kg(world) == Decimal("51.0") * len(offered) <= freed_kg
    assert capacity_kg - booked_kg < Decimal("51.0"), "a payload of the list still fits: an offer is missing"
    # In the order they joined, and one held booking per offer.
    waiting = StandbyEntry.objects.filter(status=StandbyEntry.Status.WAITING)
    assert min(e.created_at for e in waiting) >= max(e.created_at for e in offered)
    assert sorted(e.offer_booking_id for e in offered) == sorted(
        Booking.objects.filter(launch=world.launch, status=Booking.Status.HELD).values_list("pk", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_the_offers_overbook(monkeypatch):
    world, fillers = _build_race()
    # Every booking cancelled first: the race is the passes alone, each reading 300 kg free.
    for booking in fillers:
        booking_cancel(booking=booking, actor=None)
    StandbyEntry.objects.update(status=StandbyEntry.Status.WAITING, offer_booking=None, offer_expires_at=None)
    Booking.objects.filter(launch=world.launch, status=Booking.Status.HELD).update(
        status=Booking.Status.CANCELLED
    )
    _slow_booked_mass(monkeypatch)

    def unlocked(launches, **_options):
        rows = Launch.objects.select_related("vehicle_model", "vehicle__vehicle_model", "provider")
        return {launch.pk: launch for launch in rows.filter(pk__in=[launch.pk for launch in launches])}

    monkeypatch.setattr(locking, "lock_launches", unlocked)

    outcomes = sort_outcomes(
        race([partial(standby_offers_make, launch_id=world.launch.pk) for _ in range(6)])
    )

    assert outcomes.failed == [], f"unexpected errors: {outcomes.failed!r}"
    assert launch_booked_mass_kg(launch=world.launch) > launch_capacity_kg(launch=world.launch), (
        "without the lock the passes should offer more than fits"
    )
