"""Pricing and quotes: a customer with a payload gets a priced, expiring quote in seconds."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.errors import Conflict, InvalidRequest
from booking.models import Event, ExchangeRate, Launch, Quote, RideshareRate
from booking.rules.money import money
from booking.selectors.prices import price_convert
from booking.services.quotes import quote_create, quotes_expire
from customers.models import Customer
from tests.factories import (
    BookingFactory,
    CustomerFactory,
    DedicatedPriceFactory,
    LaunchFactory,
    PayloadFactory,
    RideshareRateFactory,
    VehicleModelFactory,
    engine_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return engine_world()


def test_money_rounds_half_up_to_cents():
    assert money(Decimal("1.005")) == Decimal("1.01")
    assert money(Decimal("1.004")) == Decimal("1.00")
    assert money(Decimal("2.675")) == Decimal("2.68")


def test_price_convert_uses_the_rates_table(world):
    assert price_convert(amount=Decimal("100"), from_currency="USD", to_currency="CNY") == Decimal("648.00")
    assert price_convert(amount=Decimal("648"), from_currency="CNY", to_currency="USD") == Decimal("100.00")
    # CNY to EUR goes through the dollar: 1000 / 6.48 * 0.92 = 141.975... -> 141.98
    assert price_convert(amount=Decimal("1000"), from_currency="CNY", to_currency="EUR") == Decimal("141.98")
    assert price_convert(amount=Decimal("12.345"), from_currency="EUR", to_currency="EUR") == Decimal("12.35")


def test_price_convert_follows_an_operator_edit(world):
    ExchangeRate.objects.filter(currency="CNY").update(units_per_usd=Decimal("7.10"))
    assert price_convert(amount=Decimal("100"), from_currency="USD", to_currency="CNY") == Decimal("710.00")


def test_price_convert_refuses_floats_unknown_currencies_and_missing_rates(world):
    with pytest.raises(InvalidRequest, match="amounts are Decimal, not float"):
        price_convert(amount=1.5, from_currency="USD", to_currency="CNY")
    with pytest.raises(InvalidRequest, match="unknown currency 'GBP': choose one of CNY, USD, EUR"):
        price_convert(amount=Decimal("1"), from_currency="GBP", to_currency="USD")
    ExchangeRate.objects.filter(currency="EUR").delete()
    with pytest.raises(InvalidRequest, match="no exchange rate is set for EUR: an operator must enter one"):
        price_convert(amount=Decimal("1"), from_currency="USD", to_currency="EUR")


def test_usd_needs_no_row(world):
    ExchangeRate.objects.all().delete()
    assert price_convert(amount=Decimal("5"), from_currency="USD", to_currency="USD") == Decimal("5.00")


def test_rideshare_quote_prices_per_kg_and_stores_its_lines(world):
    quote = quote_create(
        customer=world.customer, payload=world.payload, actor=world.user, launch=world.launch
    )
    assert re.fullmatch(r"Q-[A-Z2-9]{6}", quote.reference)
    assert quote.kind == Quote.Kind.RIDESHARE
    assert quote.status == Quote.Status.OPEN
    assert quote.mass_kg == Decimal("100.0")  # 95 kg plus the 5 kg adapter
    assert quote.total == Decimal("1000000.00")  # billed on the 100 kg it counts
    assert quote.provider == world.provider
    assert quote.vehicle_model == world.vehicle_model
    lines = list(quote.lines.values_list("position", "kind", "description", "amount"))
    assert lines == [
        (
            1,
            "launch",
            "Rideshare seat to SSO: 100 kg (95 kg payload + 5 kg Kuaizhou-1A adapter) × 10,000.00 USD/kg",
            Decimal("1000000.00"),
        ),
    ]


def test_a_small_payload_pays_the_minimum_charge(world):
    world.vehicle_model.adapter_mass_kg = Decimal("1.0")
    world.vehicle_model.save()
    small = PayloadFactory(customer=world.customer, name="GOMX-5B", mass_kg=Decimal("3.2"))
    quote = quote_create(customer=world.customer, payload=small, actor=None, launch=world.launch)
    assert quote.total == Decimal("50000.00")
    line = quote.lines.get()
    assert line.kind == "minimum"
    assert line.description == (
        "Rideshare seat to SSO: minimum charge 50,000.00 USD "
        "(4.2 kg (3.2 kg payload + 1 kg Kuaizhou-1A adapter) × 10,000.00 USD/kg is less)"
    )


def test_quote_in_another_currency_converts_each_line(world):
    quote = quote_create(
        customer=world.customer, payload=world.payload, actor=None, launch=world.launch, currency="CNY"
    )
    assert quote.currency == "CNY"
    assert quote.total == Decimal("6480000.00")  # 1,000,000 USD × 6.48


def test_rates_in_yuan_are_converted_to_the_quote_currency(world):
    RideshareRate.objects.filter(provider=world.provider).update(
        price_per_kg=Decimal("64800.00"), minimum_charge=Decimal("0"), currency="CNY"
    )
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    assert quote.total == Decimal("1000000.00")


def test_dedicated_quote_uses_the_vehicle_price(world):
    quote = quote_create(
        customer=world.customer, payload=world.payload, actor=None, vehicle_model=world.vehicle_model
    )
    assert quote.kind == Quote.Kind.DEDICATED
    assert quote.launch is None
    assert quote.total == Decimal("6000000.00")
    assert quote.lines.get().description == "Dedicated Kuaizhou-1A launch (6,000,000.00 USD)"


def test_a_launch_that_sells_no_seats_is_priced_as_a_dedicated_launch(world):
    dedicated = LaunchFactory(
        vehicle_model=world.vehicle_model, site=world.site, rideshare=False, name="Express Kuaizhou-1A"
    )
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=dedicated)
    assert quote.kind == Quote.Kind.DEDICATED
    assert quote.launch == dedicated
    assert quote.total == Decimal("6000000.00")


def test_a_dedicated_launch_already_booked_is_refused(world):
    dedicated = LaunchFactory(
        vehicle_model=world.vehicle_model, site=world.site, rideshare=False, name="Express Kuaizhou-1A"
    )
    BookingFactory(launch=dedicated, payload__mass_kg=Decimal("10.0"))
    with pytest.raises(Conflict, match="^Express Kuaizhou-1A is a dedicated launch and is already booked$"):
        quote_create(customer=world.customer, payload=world.payload, actor=None, launch=dedicated)


def test_express_premium_is_a_share_of_the_launch_price(world):
    quote = quote_create(
        customer=world.customer,
        payload=world.payload,
        actor=None,
        vehicle_model=world.vehicle_model,
        service_level="express",
    )
    lines = list(quote.lines.values_list("kind", "description", "amount"))
    assert lines[1] == (
        "express",
        "Express (24-hour) premium: 50.00% of the launch price",
        Decimal("3000000.00"),
    )
    assert quote.total == Decimal("9000000.00")
    assert quote.service_level == Launch.ServiceLevel.EXPRESS


def test_add_ons_insurance_on_declared_value_and_flat_services(world):
    quote = quote_create(
        customer=world.customer,
        payload=world.payload,
        actor=None,
        launch=world.launch,
        options=["insurance", "mission_control", "it_support", "insurance"],
        declared_value=Decimal("2000000.00"),
    )
    lines = list(quote.lines.values_list("kind", "description", "amount"))
    assert lines[1:] == [
        ("add_on", "Launch insurance: 5.00% of the declared value 2,000,000.00 USD", Decimal("100000.00")),
        ("add_on", "Mission control (100,000.00 USD)", Decimal("100000.00")),
        ("add_on", "IT support (64,800.00 CNY)", Decimal("10000.00")),
    ]
    assert quote.options == ["insurance", "mission_control", "it_support"]
    assert quote.declared_value == Decimal("2000000.00")
    assert quote.total == Decimal("1210000.00")
    assert quote.total == sum(quote.lines.values_list("amount", flat=True))


def test_insurance_without_a_declared_value_is_refused(world):
    with pytest.raises(
        InvalidRequest,
        match=r"^Launch insurance is priced at 5.00% of the payload's declared value: give a declared value$",
    ):
        quote_create(
            customer=world.customer,
            payload=world.payload,
            actor=None,
            launch=world.launch,
            options=["insurance"],
        )
    assert not Quote.objects.exists()


def test_an_add_on_the_provider_does_not_sell_is_refused(world):
    other = LaunchFactory(name="Ceres-1 rideshare")
    RideshareRateFactory(provider=other.provider)
    with pytest.raises(InvalidRequest, match=f"^{other.provider} does not sell it support$"):
        quote_create(
            customer=world.customer, payload=world.payload, actor=None, launch=other, options=["it_support"]
        )


def test_unknown_option_is_refused(world):
    with pytest.raises(
        InvalidRequest,
        match="^unknown option 'catering': choose from insurance, mission_control, it_support$",
    ):
        quote_create(
            customer=world.customer,
            payload=world.payload,
            actor=None,
            launch=world.launch,
            options=["catering"],
        )


def test_negative_or_float_declared_value_is_refused(world):
    with pytest.raises(InvalidRequest, match="^the declared value cannot be negative$"):
        quote_create(
            customer=world.customer,
            payload=world.payload,
            actor=None,
            launch=world.launch,
            declared_value=Decimal("-1"),
        )
    with pytest.raises(InvalidRequest, match="^the declared value is a Decimal amount, not float$"):
        quote_create(
            customer=world.customer,
            payload=world.payload,
            actor=None,
            launch=world.launch,
            declared_value=1.0,
        )


def test_quote_takes_a_launch_or_a_vehicle_model_not_both(world):
    # Neither is the best option for the payload: tests/booking/test_quote_best_option.py.
    with pytest.raises(InvalidRequest, match="dedicated launch, not both$"):
        quote_create(
            customer=world.customer,
            payload=world.payload,
            actor=None,
            launch=world.launch,
            vehicle_model=world.vehicle_model,
        )


def test_quote_refuses_another_customers_payload(world):
    stranger = CustomerFactory(name="InterSpace Explore", slug="interspace")
    with pytest.raises(InvalidRequest, match="^payload GOMX-5A belongs to another customer$"):
        quote_create(customer=stranger, payload=world.payload, actor=None, launch=world.launch)


def test_quote_refuses_a_customer_refused_by_export_screening(world):
    Customer.objects.filter(pk=world.customer.pk).update(export_screening=Customer.ExportScreening.REFUSED)
    world.customer.refresh_from_db()
    with pytest.raises(Conflict, match="^Gomspace did not pass export screening: no quote can be given$"):
        quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)


def test_quote_refuses_unknown_currency_and_service_level(world):
    with pytest.raises(InvalidRequest, match="^unknown currency 'JPY'"):
        quote_create(
            customer=world.customer, payload=world.payload, actor=None, launch=world.launch, currency="JPY"
        )
    with pytest.raises(
        InvalidRequest, match="^unknown service level 'overnight': choose one of standard, express$"
    ):
        quote_create(
            customer=world.customer,
            payload=world.payload,
            actor=None,
            launch=world.launch,
            service_level="overnight",
        )


def test_quote_refuses_a_provider_without_a_rideshare_rate(world):
    RideshareRate.objects.all().delete()
    with pytest.raises(Conflict, match="^ExPace sells no rideshare seats to SSO: no price per kg is set$"):
        quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)


def test_quote_refuses_a_vehicle_without_a_dedicated_price(world):
    other = VehicleModelFactory(provider=world.provider, name="Kuaizhou-11", slug="kuaizhou-11")
    with pytest.raises(Conflict, match="^no dedicated launch price is set for Kuaizhou-11$"):
        quote_create(customer=world.customer, payload=world.payload, actor=None, vehicle_model=other)


def test_quote_refuses_a_mismatched_orbit(world):
    leo = PayloadFactory(
        customer=world.customer, name="Zengzhang-1", orbit_family="LEO", inclination_deg=Decimal("41")
    )
    with pytest.raises(Conflict, match="^Kuaizhou-1A KZ1A-Y7 goes to SSO; the payload needs LEO$"):
        quote_create(customer=world.customer, payload=leo, actor=None, launch=world.launch)
    high = PayloadFactory(customer=world.customer, name="GOMX-700", altitude_km=700)
    with pytest.raises(
        Conflict,
        match=r"^Kuaizhou-1A KZ1A-Y7 goes to 500 km, 200 km from the payload's 700 km \(tolerance ±50 km\)$",
    ):
        quote_create(customer=world.customer, payload=high, actor=None, launch=world.launch)
    tilted = PayloadFactory(customer=world.customer, name="GOMX-tilt", inclination_deg=Decimal("95.00"))
    with pytest.raises(
        Conflict,
        match=r"^Kuaizhou-1A KZ1A-Y7 goes to 97.4°, 2.4° from the payload's 95° \(tolerance ±0.5°\)$",
    ):
        quote_create(customer=world.customer, payload=tilted, actor=None, launch=world.launch)


def test_quote_refuses_a_payload_heavier_than_what_is_left(world):
    BookingFactory(launch=world.launch, payload__mass_kg=Decimal("195.0"))  # 200 kg taken, 100 left
    heavy = PayloadFactory(customer=world.customer, name="Jilin-1", mass_kg=Decimal("100.0"))
    with pytest.raises(
        Conflict, match="^payload 105 kg exceeds the 100 kg left to SSO 500 km on Kuaizhou-1A KZ1A-Y7$"
    ):
        quote_create(customer=world.customer, payload=heavy, actor=None, launch=world.launch)


def test_quote_refuses_a_launch_that_no_longer_sells(world):
    Launch.objects.filter(pk=world.launch.pk).update(status=Launch.Status.GO)
    world.launch.refresh_from_db()
    with pytest.raises(
        Conflict, match="^Kuaizhou-1A · SSO 500 rideshare is go for launch: it can no longer be booked$"
    ):
        quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)


def test_quote_refuses_a_launch_past_its_net(world):
    later = world.launch.net + timedelta(hours=1)
    with pytest.raises(Conflict, match="had its NET at .* UTC: it can no longer be booked$"):
        quote_create(
            customer=world.customer, payload=world.payload, actor=None, launch=world.launch, now=later
        )


def test_dedicated_quote_refuses_a_payload_the_vehicle_cannot_lift(world):
    heavy = PayloadFactory(customer=world.customer, name="Big", mass_kg=Decimal("520.0"))
    with pytest.raises(
        Conflict,
        match="^payload 525 kg \\(with its 5 kg adapter\\) exceeds the 300 kg Kuaizhou-1A lifts to SSO 500 km at 97.4°$",
    ):
        quote_create(customer=world.customer, payload=heavy, actor=None, vehicle_model=world.vehicle_model)


def test_dedicated_quote_refuses_an_orbit_outside_the_curve(world):
    far = PayloadFactory(customer=world.customer, name="Far", altitude_km=900)
    with pytest.raises(
        Conflict,
        match="^The catalog has no figure for Kuaizhou-1A to SSO 900 km: its SSO figures cover 400–700 km$",
    ):
        quote_create(customer=world.customer, payload=far, actor=None, vehicle_model=world.vehicle_model)
    geo = PayloadFactory(customer=world.customer, name="Geo", orbit_family="GTO", altitude_km=35786)
    with pytest.raises(Conflict, match="^The catalog has no figure for Kuaizhou-1A to GTO$"):
        quote_create(customer=world.customer, payload=geo, actor=None, vehicle_model=world.vehicle_model)


def test_dedicated_quote_refuses_an_inclination_no_site_reaches(world):
    # The world's only site is Jiuquan (40.96° N).
    low = PayloadFactory(
        customer=world.customer, name="Equatorial", orbit_family="SSO", inclination_deg=Decimal("10.00")
    )
    with pytest.raises(Conflict, match="^No launch site reaches 10°: the nearest is 41° from Jiuquan.$"):
        quote_create(customer=world.customer, payload=low, actor=None, vehicle_model=world.vehicle_model)


def test_dedicated_quote_refuses_an_inactive_vehicle(world):
    retired = VehicleModelFactory(
        provider=world.provider, name="Kaituozhe-1", slug="kaituozhe-1", active=False
    )
    DedicatedPriceFactory(vehicle_model=retired)
    with pytest.raises(
        Conflict, match="^Kaituozhe-1 is retired: it is no longer scheduled, quoted or offered$"
    ):
        quote_create(customer=world.customer, payload=world.payload, actor=None, vehicle_model=retired)


def test_quote_expires_after_72_hours_and_the_task_marks_it(world):
    with time_machine.travel(world.now, tick=False):
        quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    assert quote.valid_until == world.now + timedelta(hours=72)
    assert quotes_expire(now=quote.valid_until - timedelta(seconds=1)) == 0
    assert quotes_expire(now=quote.valid_until) == 1
    quote.refresh_from_db()
    assert quote.status == Quote.Status.EXPIRED
    event = Event.objects.get(verb="quote.expired")
    assert event.subject_id == quote.pk
    assert event.actor_label == "quote expiry"
    assert event.before == {"status": "open"} and event.after == {"status": "expired"}
    assert quotes_expire(now=quote.valid_until + timedelta(days=1)) == 0


def test_quote_valid_until_follows_the_setting(world, settings):
    settings.LAUNCHBOOK_QUOTE_TTL = timedelta(hours=1)
    with time_machine.travel(world.now, tick=False):
        quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    assert quote.valid_until == world.now + timedelta(hours=1)


def test_quote_writes_a_quoted_event(world):
    quote = quote_create(
        customer=world.customer, payload=world.payload, actor=world.user, launch=world.launch
    )
    event = Event.objects.get(verb="booking.quoted")
    assert event.subject_type == "quote" and event.subject_id == quote.pk
    assert event.actor == world.user
    assert (
        event.customer == world.customer and event.provider == world.provider and event.launch == world.launch
    )
    assert event.after["reference"] == quote.reference
    assert event.after["total"] == "1000000.00"
    assert event.message == f"Quote {quote.reference}: GOMX-5A on Kuaizhou-1A KZ1A-Y7, 1,000,000.00 USD"


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_quotes_expire_costs_the_same_per_quote_whatever_it_reads(world):
    def expire_quotes(count):
        for _ in range(count):
            quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
        later = world.now + timedelta(days=4)
        return queries(lambda: quotes_expire(now=later)), Quote.objects.filter(status="expired").count()

    one, _ = expire_quotes(1)
    three, expired = expire_quotes(3)
    assert expired == 4
    assert three - one == 2 * 2  # per quote: its UPDATE and its Event, nothing read
