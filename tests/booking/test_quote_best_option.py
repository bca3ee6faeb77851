"""A quote that names no launch and no vehicle model: the best option for the payload, by the one
stated rule (the earliest, then cheapest, rideshare launch that takes it, else the cheapest
dedicated launch), and the response says which and why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from booking.errors import Conflict
from booking.models import Event, Quote
from booking.selectors.offers import best_option
from booking.services.quotes import quote_create
from customers.models import Membership
from tests.factories import (
    BookingFactory,
    DedicatedPriceFactory,
    LaunchFactory,
    MembershipFactory,
    PayloadFactory,
    ProviderFactory,
    RideshareRateFactory,
    VehicleModelFactory,
    engine_world,
)

from ..api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return engine_world()


def test_a_quote_without_a_launch_takes_the_rideshare_seat_that_fits(world):
    quote = quote_create(customer=world.customer, payload=world.payload, actor=world.user)
    assert quote.kind == Quote.Kind.RIDESHARE
    assert quote.launch == world.launch and quote.vehicle_model == world.vehicle_model
    assert quote.total == Decimal("1000000.00")  # (95 + 5) kg at 10,000 USD/kg
    assert quote.chosen_because.startswith("the earliest rideshare launch that takes the payload")
    assert "KZ1A-Y7" in quote.chosen_because
    event = Event.objects.get(verb="booking.quoted")
    assert event.after["chosen_because"] == quote.chosen_because


def test_the_earliest_fitting_launch_wins_then_the_cheapest(world):
    later = LaunchFactory(
        name="Later rideshare",
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.launch.window_start + timedelta(days=5),
    )
    assert best_option(payload=world.payload).launch == world.launch
    # Another provider at the same NET, cheaper per kg: the same NET, so the cheaper one.
    cheap = ProviderFactory(name="Cheap Rockets", short_name="Cheap", slug="cheap")
    RideshareRateFactory(provider=cheap, orbit_family="SSO", price_per_kg=Decimal("5000.00"))
    cheap_model = VehicleModelFactory(provider=cheap, name="Cheap-1", slug="cheap-1")
    cheap_launch = LaunchFactory(
        name="Cheap rideshare",
        vehicle_model=cheap_model,
        site=world.site,
        window_start=world.launch.window_start,
    )
    chosen = best_option(payload=world.payload)
    assert chosen.launch == cheap_launch and chosen.option.price == Decimal("500000.00")
    assert later != chosen.launch


def test_without_a_rideshare_seat_the_quote_is_for_the_cheapest_dedicated_launch(world):
    BookingFactory(launch=world.launch, mass_kg=Decimal("250.0"))  # 50 kg left: 100 kg does not fit
    quote = quote_create(customer=world.customer, payload=world.payload, actor=world.user)
    assert quote.kind == Quote.Kind.DEDICATED and quote.launch is None
    assert quote.vehicle_model == world.vehicle_model and quote.total == Decimal("6000000.00")
    assert quote.chosen_because.startswith("no rideshare launch takes the payload, so the cheapest dedicated")


def test_the_cheapest_dedicated_model_is_chosen(world):
    BookingFactory(launch=world.launch, mass_kg=Decimal("250.0"))
    cheaper = VehicleModelFactory(provider=world.provider, name="Kuaizhou-1", slug="kuaizhou-1")
    DedicatedPriceFactory(vehicle_model=cheaper, price=Decimal("4000000.00"))
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None)
    assert quote.vehicle_model == cheaper and quote.total == Decimal("4000000.00")


def test_a_quote_without_a_launch_when_nothing_fits_says_why(world):
    heavy = PayloadFactory(customer=world.customer, name="Too heavy", mass_kg=Decimal("900.0"))
    with pytest.raises(Conflict, match="^no launch takes Too heavy: .*exceeds") as refused:
        quote_create(customer=world.customer, payload=heavy, actor=None)
    assert refused.value.reasons
    assert not Quote.objects.exists()


def test_a_named_launch_is_still_priced_as_asked(world):
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    assert quote.chosen_because == ""


# --- the API ------------------------------------------------------------------------------------


@pytest.fixture
def api(world):
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.MISSION)
    return token_client(world.user)


def test_the_api_prices_a_payload_without_a_launch_and_says_which_option(api, world):
    answer = api.post("/api/v1/quotes/", {"payload": world.payload.pk}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "rideshare" and body["launch"] == world.launch.pk
    assert body["vehicle_model"] == world.vehicle_model.pk
    assert body["chosen_because"].startswith("the earliest rideshare launch")
    assert body["total"] == {"amount": "1000000.00", "currency": "USD"}
    again = api.get(f"/api/v1/quotes/{body['id']}/").json()
    assert again["chosen_because"] == body["chosen_because"]


def test_the_api_answers_409_with_the_reasons_when_nothing_fits(api, world):
    heavy = PayloadFactory(customer=world.customer, name="Too heavy", mass_kg=Decimal("900.0"))
    answer = api.post("/api/v1/quotes/", {"payload": heavy.pk}, format="json")
    assert answer.status_code == 409
    assert "no launch takes Too heavy" in str(answer.json())


def test_the_api_refuses_an_add_on_the_launchs_provider_does_not_sell(api, world):
    other = ProviderFactory(name="Landspace", short_name="Landspace", slug="landspace")
    other_model = VehicleModelFactory(provider=other, name="Zhuque-2", slug="zhuque-2")
    RideshareRateFactory(provider=other, orbit_family="SSO")
    theirs = LaunchFactory(name="Zhuque-2 rideshare", vehicle_model=other_model, site=world.site)
    answer = api.post(
        "/api/v1/quotes/",
        {"payload": world.payload.pk, "launch": theirs.pk, "options": ["mission_control"]},
        format="json",
    )
    assert answer.status_code == 400
    assert "does not sell mission control" in str(answer.json())
