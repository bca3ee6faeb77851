"""The hold expiry sweep releases the launch made for a lapsed express quote, but never one that
somebody booked a seat on while the sweep was deciding.

Runs on PostgreSQL with real connections (committed data). The competing change is injected
mid-call: right after the sweep has read which launches nobody rides, another customer holds a
seat on one of them, on its own connection, and commits. The scrub then re-reads the bookings
under the launch lock and leaves that launch alone; without that re-check it would be scrubbed
under the new booking (the control below shows the sweep's list still names it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from booking.models import Booking, Launch, Reservation
from booking.services import bookings
from booking.services.bookings import booking_hold, express_launches_release
from booking.services.quotes import quote_create
from booking.workflows.express import express_quote_create
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    DedicatedPriceFactory,
    ExchangeRateFactory,
    PayloadFactory,
    RideshareRateFactory,
    UserFactory,
    schedule_world,
)
from tests.reliability.racing import in_background

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def offer():
    with time_machine.travel(NOW, tick=False):
        world = schedule_world()
        customer = CustomerFactory(name="Gomspace", slug="gomspace")
        payload = PayloadFactory(customer=customer, name="GOMX-5A", mass_kg=Decimal("3.2"))
        ContractFactory(customer=customer, provider=world.provider)
        ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
        RideshareRateFactory(provider=world.provider, orbit_family="SSO")
        DedicatedPriceFactory(vehicle_model=world.model)
        yield express_quote_create(customer=customer, payload=payload, actor=UserFactory(), now=NOW)


def _someone_else_holds_a_seat(launch, *, now):
    spire = CustomerFactory(name="Spire", slug="spire")
    payload = PayloadFactory(customer=spire, name="LEMUR-9", mass_kg=Decimal("15.0"))
    quote = quote_create(customer=spire, payload=payload, actor=None, launch=launch, now=now)
    return booking_hold(quote=quote, actor=None, now=now)


def test_a_seat_held_while_the_sweep_decides_keeps_the_launch(offer, monkeypatch):
    expires = offer.booking.hold_expires_at
    assert expires is not None
    read = bookings.express_launches_unclaimed
    seen: list[list[int]] = []

    def unclaimed_then_someone_books(*, now):
        found = list(read(now=now))
        seen.append([launch.pk for launch in found])
        held = in_background(lambda: _someone_else_holds_a_seat(offer.launch, now=now)).outcome()
        assert isinstance(held, Booking), held
        return found

    monkeypatch.setattr(bookings, "express_launches_unclaimed", unclaimed_then_someone_books)
    with time_machine.travel(expires, tick=False):
        released = express_launches_release(now=expires)

    assert seen == [[offer.launch.pk]]  # the sweep had decided to release it
    assert released == 0
    launch = Launch.objects.get(pk=offer.launch.pk)
    assert launch.status == Launch.Status.SCHEDULED
    assert Reservation.objects.filter(launch=launch, released_at__isnull=True).exists()
    assert Booking.objects.get(customer__slug="spire").status == Booking.Status.HELD


def test_without_a_competitor_the_lapsed_launch_is_released(offer):
    expires = offer.booking.hold_expires_at
    with time_machine.travel(expires, tick=False):
        assert express_launches_release(now=expires) == 1
    assert Launch.objects.get(pk=offer.launch.pk).status == Launch.Status.SCRUBBED
    assert not Reservation.objects.filter(launch=offer.launch, released_at__isnull=True).exists()
