"""A dedicated launch from both sides, in a real browser: a customer requests one, an ExPace
operator schedules it from the dashboard and the planner's plan, the customer quotes the launch,
holds it and confirms it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Booking, DedicatedRequest
from customers.models import Payload
from vehicles.models import VehicleModel

from .conftest import admin_sign_in, screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _day(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).date().isoformat()


def test_a_dedicated_launch_is_requested_scheduled_held_and_confirmed(page, new_page):
    demo_world(with_booking=False)
    payload = Payload.objects.get(name="GOMX-5B")

    # The customer asks for a dedicated Kuaizhou-1A.
    sign_in(page, "gomspace")
    page.get_by_role("link", name="Dedicated launches").click()
    page.get_by_role("link", name="Request a dedicated launch").click()
    page.get_by_label("Vehicle").select_option(str(VehicleModel.objects.get(name="Kuaizhou-1A").pk))
    page.get_by_label("Payload").select_option(str(payload.pk))
    page.get_by_label("Earliest").fill(_day(80))
    page.get_by_label("Latest").fill(_day(200))
    page.get_by_label("Note").fill("GOMX-5B on a plane of its own.")
    screenshot(page, "dedicated_request_form")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Waiting for an operator")).to_be_visible()
    asked = DedicatedRequest.objects.get(payload=payload)
    screenshot(page, "dedicated_request_sent")

    # ExPace's operator sees it on the dashboard and schedules it from the planner.
    ops = new_page()
    admin_sign_in(ops, "expace-ops")
    panel = ops.locator("#dash-dedicated")
    expect(panel).to_contain_text(asked.reference)
    screenshot(ops, "dedicated_dashboard_panel")
    panel.locator("tr", has_text=asked.reference).get_by_role(
        "link", name="Schedule from the planner"
    ).click()
    expect(ops.locator("#dedicated-request")).to_contain_text(asked.reference)
    expect(ops.get_by_role("link", name="Use this plan").first).to_be_visible()
    screenshot(ops, "dedicated_schedule_form_plans")
    ops.get_by_role("link", name="Use this plan").first.click()
    expect(ops.locator("#dedicated-request")).to_contain_text(asked.reference)
    ops.locator("#schedule-form input[type=submit]").click()
    expect(ops.get_by_text(f"scheduled for {asked.reference}")).to_be_visible()
    asked.refresh_from_db()
    assert asked.status == "scheduled" and asked.launch.dedicated_customer.slug == "gomspace"
    screenshot(ops, "dedicated_scheduled_launch")

    # The customer quotes the launch, holds it and confirms it.
    page.goto(f"/portal/dedicated/{asked.reference}/")
    expect(page.get_by_text(asked.launch.name)).to_be_visible()
    page.get_by_role("button", name="Get the dedicated quote").click()
    expect(page.get_by_role("heading", name=re.compile("^Quote "))).to_be_visible()
    expect(page.get_by_text("Dedicated Kuaizhou-1A launch")).to_be_visible()
    screenshot(page, "dedicated_quote")
    page.get_by_role("button", name="Accept and hold").click()
    expect(page.get_by_text("the seat is held for you until")).to_be_visible()
    booking = Booking.objects.get(payload=payload)
    page.goto(f"/portal/bookings/{booking.reference}/confirm/")
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_text(f"{booking.reference} confirmed.")).to_be_visible()
    booking.refresh_from_db()
    asked.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and asked.status == "booked"
    page.goto("/portal/dedicated/")
    expect(page.locator("tr", has_text=asked.reference)).to_contain_text("Booked")
    screenshot(page, "dedicated_booked")
