"""Booking through the portal: options, live price, quote, hold, confirm, cancel and rebook."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking.models import AddOnService, Booking, Quote, RideshareRate
from booking.services.bookings import payment_milestone_mark_paid
from tests.factories import (
    BookingFactory,
    ContractFactory,
    LaunchFactory,
    MembershipFactory,
    RideshareRateFactory,
    engine_world,
)
from vehicles.models import CancellationTier

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    world = engine_world()
    MembershipFactory(user=world.user, customer=world.customer)
    return world


def add_on(world, kind):
    """The portal sends the add-on itself (its pk), one value per provider's service."""
    return AddOnService.objects.get(provider=world.provider, kind=kind).pk


@pytest.fixture
def c(client, w):
    client.force_login(w.user)
    return client


def test_book_page_lists_the_options_for_a_payload(c, w):
    text = c.get(reverse("portal:book"), {"payload": w.payload.pk}).content.decode()
    assert "Kuaizhou-1A · SSO 500 rideshare" in text
    assert f'value="launch-{w.launch.pk}"' in text
    assert "Dedicated Kuaizhou-1A from Jiuquan" in text
    assert "Launch insurance" in text and "5.00% of the declared value" in text


def test_price_updates_as_options_change_without_storing_a_quote(c, w):
    url = reverse("portal:book_price")
    base = {"payload": w.payload.pk, "option": f"launch-{w.launch.pk}", "currency": "USD"}
    usd = c.get(url, base, HTTP_HX_REQUEST="true").content.decode()
    assert "1,000,000.00 USD" in usd  # (95 + 5) kg at 10,000 USD/kg
    assert "100 kg (95 kg payload + 5 kg Kuaizhou-1A adapter) counted and billed" in usd
    cny = c.get(url, {**base, "currency": "CNY"}, HTTP_HX_REQUEST="true").content.decode()
    assert "6,480,000.00 CNY" in cny
    insured = c.get(
        url,
        {**base, "add_ons": [add_on(w, "insurance")], "declared_value": "2000000"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "1,100,000.00 USD" in insured
    assert Quote.objects.count() == 0


def test_the_live_price_writes_nothing(c, w):
    """A keystroke prices the options without a write (no lock taken, no event recorded)."""
    base = {"payload": w.payload.pk, "option": f"launch-{w.launch.pk}", "currency": "EUR"}
    with CaptureQueriesContext(connection) as ctx:
        text = c.get(reverse("portal:book_price"), base, HTTP_HX_REQUEST="true").content.decode()
    assert "EUR" in text and "Rideshare" in text
    statements = [q["sql"].split(None, 1)[0].upper() for q in ctx.captured_queries]
    assert statements and set(statements) <= {"SELECT", "SAVEPOINT", "RELEASE"}, statements


def test_price_preview_shows_the_engines_refusal(c, w):
    response = c.get(
        reverse("portal:book_price"),
        {
            "payload": w.payload.pk,
            "option": f"launch-{w.launch.pk}",
            "currency": "USD",
            "add_ons": [add_on(w, "insurance")],
        },
    )
    assert "declared value" in response.content.decode()


def test_customer_quotes_holds_and_confirms_under_a_contract(c, w):
    response = c.post(
        reverse("portal:book"),
        {
            "payload": w.payload.pk,
            "option": f"launch-{w.launch.pk}",
            "currency": "USD",
            "add_ons": [add_on(w, "mission_control")],
        },
    )
    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:quote_detail", args=[quote.reference]
    )
    text = c.get(response["Location"]).content.decode()
    assert "1,100,000.00 USD" in text and "Accept and hold" in text

    response = c.post(reverse("portal:quote_detail", args=[quote.reference]), follow=True)
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.HELD
    text = response.content.decode()
    assert f"{booking.reference}: the seat is held for you until" in text
    assert f'href="{reverse("portal:booking_confirm", args=[booking.reference])}"' in text

    confirm_page = c.get(reverse("portal:booking_confirm", args=[booking.reference])).content.decode()
    assert "GOM-EXP-2018" in confirm_page
    response = c.post(
        reverse("portal:booking_confirm", args=[booking.reference]), {"contract": w.contract.pk}, follow=True
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.contract == w.contract
    assert f"{booking.reference} confirmed." in response.content.decode()
    contracts = c.get(reverse("portal:contracts")).content.decode()
    assert '<span class="n">1</span><span class="l">used</span>' in contracts
    assert booking.reference in contracts


def test_another_customer_cannot_hold_my_quote(client, c, w):
    c.post(
        reverse("portal:book"),
        {"payload": w.payload.pk, "option": f"launch-{w.launch.pk}", "currency": "USD"},
    )
    quote = Quote.objects.get()
    stranger = MembershipFactory().user
    client.force_login(stranger)
    assert client.post(reverse("portal:quote_detail", args=[quote.reference])).status_code == 404
    assert not Booking.objects.exists()


def _confirmed_booking(c, w) -> Booking:
    c.post(
        reverse("portal:book"),
        {"payload": w.payload.pk, "option": f"launch-{w.launch.pk}", "currency": "USD"},
    )
    c.post(reverse("portal:quote_detail", args=[Quote.objects.get().reference]))
    booking = Booking.objects.get()
    c.post(reverse("portal:booking_confirm", args=[booking.reference]), {"contract": w.contract.pk})
    booking.refresh_from_db()
    return booking


def _terms_token(page: str, name: str = "terms") -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([0-9a-f]+)"', page)
    assert found, f"no {name} token on the page"
    return found.group(1)


def test_customer_cancels_a_booking(c, w):
    booking = _confirmed_booking(c, w)
    CancellationTier.objects.create(provider=w.provider, days_before_launch=0, fee_percent=Decimal("100.00"))
    page = c.get(reverse("portal:booking_cancel", args=[booking.reference])).content.decode()
    # The fee, the refund and what is still owed are on the page before the button.
    assert "Cancellation fee" in page and f"{booking.price:,.2f} USD" in page and "Still to pay" in page
    assert page.index("data-fee") < page.index("Agree and cancel the booking")
    response = c.post(
        reverse("portal:booking_cancel", args=[booking.reference]),
        {"reason": "satellite late", "terms": _terms_token(page)},
        follow=True,
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.fees_charged == booking.price
    assert f"{booking.reference} cancelled." in response.content.decode()


def test_a_cancel_without_the_terms_shown_changes_nothing(c, w):
    booking = _confirmed_booking(c, w)
    response = c.post(reverse("portal:booking_cancel", args=[booking.reference]), {"reason": "late"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert "changed since they were shown" in response.content.decode()


def test_customer_rebooks_and_sees_the_carry_over(c, w):
    booking = _confirmed_booking(c, w)
    deposit = booking.contract.milestones.filter(reference=booking.reference).order_by("due_at").first()
    payment_milestone_mark_paid(milestone=deposit, actor=None)
    later = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 second rideshare",
        vehicle_model=w.vehicle_model,
        site=w.site,
        window_start=w.launch.window_start + timedelta(days=20),
    )
    page = c.get(reverse("portal:booking_rebook", args=[booking.reference])).content.decode()
    assert "Kuaizhou-1A · SSO 500 second rideshare" in page and "10.00%" in page
    response = c.post(
        reverse("portal:booking_rebook", args=[booking.reference]),
        {"launch": later.pk, f"terms-{later.pk}": _terms_token(page, f"terms-{later.pk}")},
        follow=True,
    )
    moved = Booking.objects.get(pk=booking.pk)
    assert moved.reference == booking.reference and moved.launch == later
    expected = (deposit.amount * Decimal("0.9")).quantize(Decimal("0.01"))
    assert moved.credit_carried_over == expected
    text = response.content.decode()
    assert f"{expected:,.2f} USD carried over" in text
    assert "Carried over" in text and booking.reference in text


def test_rebooking_offers_only_the_same_providers_launches(c, w):
    """A booking moves only between one provider's launches: others are not listed to be refused."""
    booking = _confirmed_booking(c, w)
    LaunchFactory(
        name="Kuaizhou-1A · SSO 500 second rideshare",
        vehicle_model=w.vehicle_model,
        site=w.site,
        window_start=w.launch.window_start + timedelta(days=20),
    )
    rival = LaunchFactory(
        name="Rival rideshare to SSO",
        site=w.site,
        window_start=w.launch.window_start + timedelta(days=10),
    )
    RideshareRateFactory(provider=rival.provider, orbit_family="SSO")
    from booking.selectors.availability import availability_search

    assert any(o.launch == rival for o in availability_search(payload=booking.payload).options)
    page = c.get(reverse("portal:booking_rebook", args=[booking.reference])).content.decode()
    assert "Kuaizhou-1A · SSO 500 second rideshare" in page
    assert "Rival rideshare to SSO" not in page


def test_the_confirm_page_offers_only_contracts_with_launches_left(c, w):
    c.post(
        reverse("portal:book"),
        {"payload": w.payload.pk, "option": f"launch-{w.launch.pk}", "currency": "USD"},
    )
    c.post(reverse("portal:quote_detail", args=[Quote.objects.get().reference]))
    booking = Booking.objects.get()
    used_up = ContractFactory(
        customer=w.customer, provider=w.launch.provider, reference="USED-UP", launches_committed=1
    )
    BookingFactory(
        customer=w.customer,
        contract=used_up,
        status=Booking.Status.CONFIRMED,
        launch=LaunchFactory(vehicle_model=w.vehicle_model, site=w.site, name="Earlier flight"),
    )
    page = c.get(reverse("portal:booking_confirm", args=[booking.reference])).content.decode()
    assert w.contract.reference in page
    assert "USED-UP" not in page


def test_the_moved_booking_costs_what_the_move_page_showed(c, w):
    booking = _confirmed_booking(c, w)
    later = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 second rideshare",
        vehicle_model=w.vehicle_model,
        site=w.site,
        window_start=w.launch.window_start + timedelta(days=20),
    )
    # The provider's rate changed since the booking was made: the move page prices the seat now.
    RideshareRate.objects.filter(provider=w.provider).update(price_per_kg=F("price_per_kg") * 2)
    page = c.get(reverse("portal:booking_rebook", args=[booking.reference])).content.decode()
    shown = re.search(r"data-new-price>([0-9,.]+) USD<", page)
    assert shown, "no new price on the move page"
    c.post(
        reverse("portal:booking_rebook", args=[booking.reference]),
        {"launch": later.pk, f"terms-{later.pk}": _terms_token(page, f"terms-{later.pk}")},
    )
    moved = Booking.objects.get(pk=booking.pk)
    assert moved.launch == later and moved.reference == booking.reference
    assert f"{moved.price:,.2f}" == shown.group(1) and moved.price == booking.price * 2
