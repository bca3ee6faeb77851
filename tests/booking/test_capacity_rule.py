""" "Takes capacity" has one definition: confirmed and manifested bookings, and holds that have not
run out. The queryset filter and its in-memory twin agree, and every reader uses them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.models import Booking
from booking.selectors.capacity import capacity_taking_q, takes_capacity
from booking.services.payloads import payload_update
from tests.factories import BookingFactory, PayloadFactory

pytestmark = pytest.mark.django_db


def _bookings(now):
    made = {}
    for status in Booking.Status.values:
        made[status] = BookingFactory(
            status=status,
            hold_expires_at=now + timedelta(minutes=10) if status == Booking.Status.HELD else None,
        )
    made["lapsed"] = BookingFactory(status=Booking.Status.HELD, hold_expires_at=now - timedelta(minutes=1))
    return made


def test_the_filter_and_its_twin_agree_on_every_status_and_a_lapsed_hold():
    now = timezone.now()
    made = _bookings(now)
    taking = set(Booking.objects.filter(capacity_taking_q(now=now)).values_list("pk", flat=True))
    assert taking == {made[s].pk for s in ("held", "confirmed", "manifested")}
    for booking in Booking.objects.all():
        assert takes_capacity(booking, now=now) == (booking.pk in taking)


def test_a_hold_that_has_run_out_no_longer_freezes_its_payloads_mass():
    now = timezone.now()
    payload = PayloadFactory(mass_kg=Decimal("20.0"))
    BookingFactory(
        customer=payload.customer,
        payload=payload,
        status=Booking.Status.HELD,
        hold_expires_at=now - timedelta(minutes=1),
    )
    changed = payload_update(payload=payload, actor=None, mass_kg=Decimal("25.0"))
    assert changed.mass_kg == Decimal("25.0")
