"""A customer uses the portal in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from booking.services.readiness import step_complete
from customers.models import Payload

from .conftest import screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_sees_the_dashboard_with_a_live_countdown(page):
    demo_world()
    sign_in(page, "gomspace")
    expect(page.get_by_role("heading", name="Gomspace")).to_be_visible()
    countdown = page.locator(".hero .countdown")
    expect(countdown).to_contain_text("T−")
    first = countdown.inner_text()
    page.wait_for_timeout(1200)
    assert countdown.inner_text() != first, "the countdown does not tick"
    expect(page.get_by_text("Kuaizhou-1A · SSO 500 rideshare").first).to_be_visible()
    expect(page.get_by_text("84,000.00 USD")).to_be_visible()
    screenshot(page, "dashboard")


def test_customer_follows_the_readiness_timeline_without_reloading(page, monkeypatch):
    from booking.portal.views import bookings

    monkeypatch.setattr(bookings, "READINESS_POLL_SECONDS", 1)  # the page polls every second here
    world = demo_world(late_step=True)
    sign_in(page, "gomspace")
    page.get_by_role("link", name="LB-24A7K").first.click()
    expect(page.get_by_role("heading", name=re.compile("Booking LB-24A7K"))).to_be_visible()
    timeline = page.locator("#readiness")
    expect(timeline.locator("tr.late")).to_have_count(1)
    expect(page.get_by_text("Not uploaded").first).to_be_visible()
    screenshot(page, "readiness_timeline")

    # Operations sign off the late step; the page picks it up on its next poll, without a reload.
    page.evaluate("window.__marker = 'same page'")
    step_complete(step=world["plan"].steps.get(status="late"), actor=None, note="kick-off held")
    expect(page.locator("#readiness tr.late")).to_have_count(0)
    assert page.evaluate("window.__marker") == "same page"


def test_payload_form_explains_an_unreachable_orbit_before_submitting(page):
    demo_world(with_booking=False)
    sign_in(page, "gomspace")
    page.get_by_role("link", name="Payloads").click()
    page.get_by_role("link", name="Describe a payload").first.click()
    page.get_by_label("Name").fill("GOMX-6 equatorial")
    page.get_by_label("Mass (kg)").fill("12.5")
    page.get_by_label("Orbit family").select_option("LEO")
    page.get_by_label("Altitude (km)").fill("450")
    page.get_by_label("Inclination (°)").fill("10")
    unreachable = page.locator("#orbit-check [data-orbit=unreachable]")
    expect(unreachable).to_contain_text("No launch site reaches 10°: the nearest is 19.6° from Wenchang.")
    screenshot(page, "payload_unreachable_orbit")
    assert not Payload.objects.filter(name="GOMX-6 equatorial").exists()

    page.get_by_label("Inclination (°)").fill("42")
    expect(page.locator("#orbit-check [data-orbit=reachable]")).to_contain_text(
        "42.0° is reachable from Jiuquan, Xichang and Wenchang."
    )
    page.get_by_role("button", name="Save payload").click()
    expect(page.get_by_text("Payload GOMX-6 equatorial saved.")).to_be_visible()
    assert Payload.objects.get(name="GOMX-6 equatorial").inclination_deg == 42


def test_customer_cannot_open_another_customers_booking(page):
    world = demo_world()
    sign_in(page, "interspace")
    response = page.goto(f"/portal/bookings/{world['booking'].reference}/")
    assert response.status == 404
    expect(page.get_by_text("LB-24A7K")).to_have_count(0)


def test_staff_without_membership_is_told_the_portal_is_for_members(page):
    demo_world(with_booking=False)
    sign_in(page, "operator")
    expect(page.get_by_role("heading", name="This portal is for customer members")).to_be_visible()
    page.get_by_role("link", name="operator admin").click()
    expect(page).to_have_url(re.compile("/admin/$"))


def test_the_portal_works_on_a_phone(phone):
    demo_world()
    sign_in(phone, "gomspace")
    nav = phone.locator("#site-nav")
    expect(nav).to_be_hidden()
    phone.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
    screenshot(phone, "phone_menu", full_page=False)
    phone.get_by_role("button", name="Menu").click()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width}px wide on a 390px screen"
    screenshot(phone, "phone_dashboard")
    phone.goto("/portal/bookings/LB-24A7K/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "phone_booking")


def test_keyboard_user_signs_in_and_reaches_every_section(page):
    demo_world(with_booking=False)
    page.goto("/portal/login/")
    assert page.evaluate("document.activeElement.name") == "username"  # autofocus
    page.keyboard.type("gomspace")
    page.keyboard.press("Tab")
    page.keyboard.type("launchbook-test")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Gomspace")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    # Tab through the navigation to Payloads and follow it with Enter.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Payloads":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Payloads", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).boxShadow") != "none", "no focus ring"
