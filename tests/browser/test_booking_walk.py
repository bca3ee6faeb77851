"""The first walk: a customer signs in, describes a payload, books it onto a launch and confirms."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from booking.models import Booking
from customers.models import Contract, Payload

from .conftest import screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_describes_a_payload_books_it_and_confirms(page):
    demo_world(with_booking=False)
    sign_in(page, "gomspace")

    page.get_by_role("link", name="Payloads").click()
    page.get_by_role("link", name="Describe a payload").first.click()
    page.get_by_label("Name").fill("GOMX-6")
    page.get_by_label("Mass (kg)").fill("6.0")
    # A booking is confirmed only once the payload's sizes are known: a 3U CubeSat.
    page.get_by_label("Length (m)").fill("0.10")
    page.get_by_label("Width (m)").fill("0.10")
    page.get_by_label("Height (m)").fill("0.34")
    page.get_by_label("Orbit family").select_option("SSO")
    page.get_by_label("Altitude (km)").fill("500")
    expect(page.locator("#orbit-check")).to_contain_text("inclination of 97.4°, computed from the altitude")
    page.get_by_role("button", name="Save payload").click()
    expect(page.get_by_text("Payload GOMX-6 saved.")).to_be_visible()

    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_label("Payload", exact=True).select_option(str(Payload.objects.get(name="GOMX-6").pk))
    option = page.locator("label.option", has_text="Kuaizhou-1A · SSO 500 rideshare")
    expect(option).to_be_visible()
    option.click()
    price = page.locator("#price [data-price-total]")
    expect(price).to_contain_text("USD")
    usd = price.inner_text()
    page.get_by_label("Currency").select_option("CNY")
    expect(price).to_contain_text("CNY")
    page.get_by_label("Currency").select_option("USD")
    expect(price).to_have_text(usd)
    page.get_by_label(re.compile("Mission control")).check()
    expect(price).not_to_have_text(usd)  # the add-on is priced in, live
    screenshot(page, "booking_flow_price")

    page.get_by_role("button", name="Get a quote").click()
    expect(page.get_by_role("heading", name=re.compile("^Quote "))).to_be_visible()
    page.get_by_role("button", name="Accept and hold").click()
    expect(page.get_by_text("the seat is held for you until")).to_be_visible()
    booking = Booking.objects.get(payload__name="GOMX-6")
    assert booking.status == Booking.Status.HELD
    screenshot(page, "booking_flow_held")

    page.get_by_role("link", name="Confirm", exact=True).click()
    page.get_by_label("Contract").select_option(str(Contract.objects.get(reference="GOM-EXP-2018").pk))
    page.get_by_role("button", name="Confirm the booking").click()
    expect(page.get_by_text(f"{booking.reference} confirmed.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Confirmed")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.contract.reference == "GOM-EXP-2018"
    screenshot(page, "booking_flow_confirmed")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator(".hero")).to_contain_text("Kuaizhou-1A · SSO 500 rideshare")
