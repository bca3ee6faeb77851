"""The standby walk: a customer joins the standby list of a full launch, a cancellation frees the
seat, the offer appears on the Standby page and the customer accepts it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from booking.models import Booking, LaunchPort, StandbyEntry
from booking.services.bookings import booking_cancel
from customers.models import Payload
from tests.factories import BookingFactory, DocumentFactory

from .conftest import screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_join_standby_on_a_full_launch_then_accept_the_seat_offered(page):
    world = demo_world(with_booking=False)
    launch = world["kz1a"]
    video = Payload.objects.get(name="Jilin-1 Video 09")
    DocumentFactory(customer=video.customer, payload=video)  # a ready payload: its ICD approved
    # Another customer's satellite takes the launch's only 24-inch ring port: the video satellite
    # (95 kg, on a ring) has no seat left on it.
    ring = LaunchPort.objects.get(launch=launch, kind="ring_24in")
    blocker = BookingFactory(launch=launch, launch_port=ring, mass_kg=Decimal("150.0"))
    sign_in(page, "jilin")

    page.get_by_role("link", name="Standby").click()
    page.get_by_label("Payload", exact=True).select_option(str(video.pk))
    page.get_by_label("Launch (optional)").select_option(str(launch.pk))
    screenshot(page, "standby_join")
    page.get_by_role("button", name="Join the standby list").click()
    expect(page.get_by_text("is on the standby list for")).to_be_visible()
    row = page.locator("#standby-entries tr", has_text="Jilin-1 Video 09")
    expect(row).to_contain_text("Waiting")
    expect(row).to_contain_text("number 1")

    # The other customer cancels: after commit the standby pass offers the seat (the Celery task,
    # eager in tests).
    booking_cancel(booking=blocker, actor=None, reason="Satellite not ready")
    entry = StandbyEntry.objects.get(payload=video)
    assert entry.status == StandbyEntry.Status.OFFERED

    page.reload()
    row = page.locator("#standby-entries tr", has_text="Jilin-1 Video 09")
    expect(row).to_contain_text("Offered a seat")
    expect(row).to_contain_text(entry.offer_booking.reference)
    screenshot(page, "standby_offer")
    row.get_by_role("button", name="Accept and confirm").click()
    expect(page.get_by_text("The seat is yours")).to_be_visible()
    expect(page.locator("#standby-entries tr", has_text="Jilin-1 Video 09")).to_contain_text("Accepted")
    screenshot(page, "standby_accepted")
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.ACCEPTED
    assert Booking.objects.get(pk=entry.offer_booking_id).status == Booking.Status.CONFIRMED
