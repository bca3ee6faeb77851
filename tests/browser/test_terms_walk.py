"""A customer sees what cancelling costs before agreeing, and is charged exactly that."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from booking.models import Booking
from booking.rules.money import fmt_money
from booking.selectors.terms import booking_cancel_terms
from tests.factories import LaunchFactory

from .conftest import screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_sees_the_cancellation_fee_and_refund_then_cancels(page):
    world = demo_world()
    booking = world["booking"]
    terms = booking_cancel_terms(booking=booking)  # the demo's ExPace tiers, by the days to its NET
    assert terms.fee > 0
    sign_in(page, "gomspace")

    page.goto(f"/portal/bookings/{booking.reference}/")
    page.get_by_role("link", name="Cancel", exact=True).click()
    shown = page.locator("[data-terms=cancel]")
    expect(shown.locator("[data-fee]")).to_contain_text(fmt_money(terms.fee, "USD"))
    expect(shown.locator("[data-fee]")).to_contain_text(f"{terms.fee_percent}% of the price")
    expect(shown.locator("[data-refund]")).to_contain_text(fmt_money(terms.refund, "USD"))
    # The terms come before the button that agrees to them.
    button = page.get_by_role("button", name="Agree and cancel the booking")
    assert shown.bounding_box()["y"] < button.bounding_box()["y"]
    screenshot(page, "cancel_terms")

    page.get_by_label("Reason").fill("Satellite not ready")
    button.click()
    expect(page.get_by_text(f"{booking.reference} cancelled.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Cancelled")
    screenshot(page, "cancel_done")
    booking = Booking.objects.get(pk=booking.pk)
    assert booking.status == Booking.Status.CANCELLED
    assert booking.fees_charged == terms.fee and booking.refund_due == terms.refund


def test_customer_sees_the_terms_of_each_launch_then_moves_keeping_the_reference(page):
    world = demo_world()
    booking = world["booking"]
    kz1a = world["kz1a"]
    LaunchFactory(
        name="Kuaizhou-1A · SSO 500 second rideshare",
        vehicle_model=kz1a.vehicle_model,
        site=kz1a.site,
        window_start=kz1a.window_start + timedelta(days=30),
    )
    sign_in(page, "gomspace")

    page.goto(f"/portal/bookings/{booking.reference}/")
    page.get_by_role("link", name="Move to another launch").click()
    option = page.locator("label.option").first
    expect(option.locator("[data-fee]")).to_contain_text("USD")
    expect(option.locator("[data-credit]")).to_contain_text("USD")
    shown_price = option.locator("[data-new-price]").inner_text()
    screenshot(page, "rebook_terms")

    option.click()
    page.get_by_role("button", name="Agree and move the booking").click()
    expect(page.get_by_text(f"{booking.reference} moved to")).to_be_visible()
    screenshot(page, "rebook_done")
    moved = Booking.objects.get(pk=booking.pk)
    assert moved.reference == booking.reference and moved.launch != world["kz1a"]
    assert fmt_money(moved.price, moved.currency) == shown_price
