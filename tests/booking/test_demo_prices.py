"""The demo catalog carries prices: a demo customer can search, quote and book straight away."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booking.demo import load_catalog
from booking.models import AddOnService, DedicatedPrice, ExchangeRate, Launch, RideshareRate
from booking.selectors.availability import availability_search
from booking.selectors.prices import price_convert
from booking.services.bookings import booking_confirm, booking_hold
from booking.services.quotes import quote_create
from customers.models import Payload

pytestmark = pytest.mark.django_db


def test_demo_prices_load_idempotently():
    first = load_catalog()
    second = load_catalog()
    assert first == second
    assert first["exchange rates"] == 3
    assert first["rideshare rates"] == 8
    assert first["dedicated prices"] == 6
    assert first["add-on services"] == 5
    assert ExchangeRate.objects.get(currency="CNY").units_per_usd == Decimal("6.48")
    assert price_convert(amount=Decimal("6.48"), from_currency="CNY", to_currency="USD") == Decimal("1.00")
    assert set(AddOnService.objects.filter(provider__slug="landspace").values_list("kind", flat=True)) == {
        "insurance",
        "it_support",
        "mission_control",
    }
    assert set(AddOnService.objects.filter(provider__slug="expace").values_list("kind", flat=True)) == {
        "insurance",
        "mission_control",
    }
    assert RideshareRate.objects.filter(provider__slug="expace", orbit_family="SSO").exists()
    assert DedicatedPrice.objects.get(vehicle_model__name="Kuaizhou-1A").currency == "CNY"


def test_a_demo_customer_searches_quotes_holds_and_confirms():
    load_catalog()
    payload = Payload.objects.get(name="Jilin-1 Video 09")
    result = availability_search(payload=payload)
    first = result.options[0]
    assert first.kind == "rideshare"
    assert first.launch == Launch.objects.get(name="Kuaizhou-1A · SSO 500 rideshare")
    # On the launch's 24-inch ring port with its 7.5 kg clamp band:
    # 102.5 kg × 64,800 CNY/kg = 6,642,000 CNY = 1,025,000 USD
    assert first.port == "ring_24in"
    assert first.price == Decimal("1025000.00")
    quote = quote_create(
        customer=payload.customer,
        payload=payload,
        actor=None,
        launch=first.launch,
        currency="CNY",
        options=["insurance", "mission_control"],
        declared_value=Decimal("20000000.00"),
        port=first.port,
    )
    assert quote.total == Decimal("6642000.00") + Decimal("1400000.00") + Decimal("650000.00")
    booking = booking_confirm(booking=booking_hold(quote=quote, actor=None), actor=None)
    assert booking.contract.reference == "JL-EXP-KZ10"
