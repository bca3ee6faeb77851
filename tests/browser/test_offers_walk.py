"""A prospect's walk: the schedule, a price for a mass and an orbit before any payload is described,
then a booking page whose add-ons follow the chosen launch's provider, and the quotes list that
keeps the quote once its page is left."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from booking.models import AddOnService, Quote
from customers.models import Payload
from vehicles.models import Provider

from .conftest import screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_sees_the_schedule_and_prices_a_launch_without_a_payload(page):
    demo_world(with_booking=False)
    sign_in(page, "gomspace")

    page.get_by_role("link", name="Schedule", exact=True).click()
    schedule = page.locator("[data-schedule]")
    expect(schedule).to_contain_text("Kuaizhou-1A · SSO 500 rideshare")
    expect(schedule).to_contain_text("ExPace")
    expect(schedule.locator("thead")).to_contain_text("Mass left")
    screenshot(page, "offers_schedule")

    page.get_by_role("link", name="Price a launch").click()
    page.get_by_label("Mass (kg)").fill("6")
    page.get_by_label("Orbit family").select_option("SSO")
    page.get_by_label("Altitude (km)").fill("500")
    page.get_by_role("button", name="Show prices").click()
    options = page.locator("[data-price-options]")
    expect(options).to_contain_text("Kuaizhou-1A · SSO 500 rideshare")
    expect(options).to_contain_text("Dedicated")
    expect(options).to_contain_text("USD")
    screenshot(page, "offers_price_a_launch")
    assert not Quote.objects.exists()


def test_add_ons_follow_the_chosen_launch_and_the_quote_stays_listed(page):
    demo_world(with_booking=False)
    galactic = Provider.objects.get(short_name="Galactic Energy")
    AddOnService.objects.create(
        provider=galactic,
        kind=AddOnService.Kind.INSURANCE,
        name="Launch and in-orbit insurance",
        percent_of_declared_value=Decimal("6.00"),
        currency="USD",
    )
    sign_in(page, "gomspace")
    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_label("Payload", exact=True).select_option(
        str(Payload.objects.get(customer__slug="gomspace", name="GOMX-5A").pk)
    )
    expexpace = page.locator("label.option", has_text="Kuaizhou-1A · SSO 500 rideshare")
    ceres = page.locator("label.option", has_text="Ceres-1 · SSO 500 rideshare")
    expace_insurance = page.get_by_label(re.compile(r"Launch insurance \("))
    galactic_insurance = page.get_by_label(re.compile("Launch and in-orbit insurance"))

    expexpace.click()
    expect(expace_insurance).to_be_visible()
    expect(galactic_insurance).to_be_hidden()
    page.get_by_label("Declared payload value").fill("100000")
    expace_insurance.check()
    price = page.locator("#price [data-price-total]")
    expect(page.locator("#price")).to_contain_text("Launch insurance")
    expect(price).to_contain_text("USD")

    ceres.click()  # another provider: its own add-ons, and the price stays
    expect(galactic_insurance).to_be_visible()
    expect(expace_insurance).to_be_hidden()
    expect(price).to_contain_text("USD")
    galactic_insurance.check()
    expect(page.locator("#price")).to_contain_text("Launch and in-orbit insurance")
    expect(page.locator("#price .notice")).to_have_count(0)
    expect(expace_insurance).to_be_checked()  # a box of its own: ticking one leaves the other be
    screenshot(page, "offers_add_ons_per_provider")

    page.get_by_role("button", name="Get a quote").click()
    expect(page.get_by_role("heading", name=re.compile("^Quote "))).to_be_visible()
    quote = Quote.objects.get()
    assert quote.provider == galactic and quote.options == ["insurance"]

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Quotes", exact=True).click()
    listed = page.locator("[data-quotes]")
    expect(listed).to_contain_text(quote.reference)
    expect(listed).to_contain_text("Ceres-1 · SSO 500 rideshare")
    expect(listed).to_contain_text("Open")
    screenshot(page, "offers_quotes_list")
    listed.get_by_role("link", name=quote.reference).click()
    expect(page.get_by_role("heading", name=re.compile(f"^Quote {quote.reference}"))).to_be_visible()
