"""A customer asks for an express quote, sees the price, launch, contract and time left, confirms it
and sees the 24-hour timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from booking.models import Booking
from customers.models import Payload

from .conftest import screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_sees_an_express_quote_confirms_it_and_sees_the_24_hour_timeline(page):
    demo_world(with_booking=False)
    sign_in(page, "gomspace")
    page.get_by_role("link", name="Express order").click()
    page.get_by_label("Payload").select_option(str(Payload.objects.get(name="GOMX-5B").pk))
    page.get_by_label("Currency").select_option("USD")
    page.get_by_role("button", name="See the price of a launch within 24 hours").click()

    # The priced quote: nothing is booked until the customer confirms.
    expect(page.get_by_role("heading", name=re.compile(r"^Express quote LB-"))).to_be_visible()
    booking = Booking.objects.get(payload__name="GOMX-5B")
    assert booking.status == Booking.Status.HELD
    expect(page.locator("#express-total")).to_contain_text("USD")
    expect(page.locator("#express-lines tr")).to_have_count(2)
    expect(page.locator("#express-lines")).to_contain_text("Express (24-hour) premium")
    expect(page.locator("#express-contract")).to_contain_text(booking.contract.reference)
    expect(page.locator("#express-facts")).to_contain_text(booking.launch.name)
    expect(page.locator("#express-time-left")).to_contain_text("Held for you until")
    screenshot(page, "express_quote")

    page.get_by_role("button", name="Confirm and book").click()
    expect(page.get_by_role("heading", name="24-hour timeline")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    expect(page.get_by_text(f"Your booking is {booking.reference}")).to_be_visible()
    hours = (booking.launch.net - booking.created_at).total_seconds() / 3600
    assert hours <= 24.5, f"the launch is {hours:.1f} hours after the order"
    # The platform's day: departure, arrival, set-up, window.
    expect(page.locator("#express-moves li")).to_have_count(4)
    expect(page.locator("#readiness tbody tr").first).to_be_visible()
    expect(page.locator(".hero .countdown")).to_contain_text(re.compile(r"T− \d"))
    screenshot(page, "express_timeline")
