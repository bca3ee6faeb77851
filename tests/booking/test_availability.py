"""Availability search: seats and dedicated launches that fit, each with why; or why nothing fits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import DedicatedPrice, Launch
from booking.selectors.availability import availability_search
from tests.factories import (
    BookingFactory,
    DedicatedPriceFactory,
    LaunchFactory,
    LaunchSiteFactory,
    PadFactory,
    PayloadFactory,
    RideshareRateFactory,
    VehicleModelFactory,
    engine_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = engine_world()
    LaunchSiteFactory(name="Wenchang", code="WSLC", latitude=Decimal("19.61"), longitude=Decimal("110.95"))
    return w


def test_rideshare_and_dedicated_options_sorted_by_net_then_price(world):
    later = LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Later rideshare",
        window_start=world.now.replace(microsecond=0) + timedelta(days=20),
        altitude_km=520,
        inclination_deg=Decimal("97.00"),
    )
    result = availability_search(payload=world.payload, now=world.now)
    kinds = [(o.kind, o.launch) for o in result.options]
    assert kinds == [("rideshare", world.launch), ("rideshare", later), ("dedicated", None)]
    seat = result.options[0]
    assert seat.price == Decimal("1000000.00") and seat.currency == "USD"
    assert seat.remaining_capacity_kg == Decimal("300.0")
    assert seat.site == world.site and seat.vehicle_model == world.vehicle_model
    assert seat.why == (
        "rideshare on Kuaizhou-1A KZ1A-Y7 to SSO 500 km, 97.4°: 100 kg (95 kg payload + 5 kg Kuaizhou-1A adapter) needed of the 300 kg left "
        "(capacity 300 kg)"
    )
    dedicated = result.options[2]
    assert dedicated.net == world.now + timedelta(days=30)
    assert dedicated.price == Decimal("6000000.00")
    assert dedicated.site == world.site  # Jiuquan is the site closest to the SSO plane
    assert dedicated.why == (
        "dedicated Kuaizhou-1A: lifts 300 kg to SSO 500 km, 100 kg needed; reaches 97.4° directly from Jiuquan; "
        "earliest possible after a 30-day campaign"
    )


def test_price_breaks_a_tie_on_net(world):
    cheaper_provider_launch = LaunchFactory(window_start=world.launch.window_start, name="Cheaper seat")
    RideshareRateFactory(provider=cheaper_provider_launch.provider, price_per_kg=Decimal("5000.00"))
    result = availability_search(payload=world.payload, now=world.now, currency="CNY")
    assert [o.launch for o in result.options[:2]] == [cheaper_provider_launch, world.launch]
    assert result.options[0].price == Decimal("3240000.00")  # (95 + 5) kg × 5,000 USD × 6.48
    assert result.options[0].currency == "CNY"


def test_a_full_launch_says_how_much_is_left(world):
    BookingFactory(launch=world.launch, payload__mass_kg=Decimal("215.0"))  # 220 kg taken
    result = availability_search(payload=world.payload, now=world.now)
    assert [o.kind for o in result.options] == ["dedicated"]
    assert result.reasons == ["payload 100 kg exceeds the 80 kg left to SSO 500 km on Kuaizhou-1A KZ1A-Y7"]


def test_expired_holds_do_not_count(world):
    from booking.models import Booking

    BookingFactory(
        launch=world.launch,
        status=Booking.Status.HELD,
        hold_expires_at=world.now - timedelta(seconds=1),
        payload__mass_kg=Decimal("295.0"),
    )
    result = availability_search(payload=world.payload, now=world.now)
    assert result.options[0].launch == world.launch


def test_orbit_tolerances(world):
    LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name="Too high", altitude_km=560)
    LaunchFactory(
        vehicle_model=world.vehicle_model, site=world.site, name="Tilted", inclination_deg=Decimal("95.00")
    )
    LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Edge",
        altitude_km=550,
        inclination_deg=Decimal("97.90"),
    )
    # 0.9° away: within the old rideshare tolerance of 1°, beyond the one orbit tolerance of 0.5°.
    LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Beyond",
        altitude_km=550,
        inclination_deg=Decimal("98.30"),
    )
    result = availability_search(payload=world.payload, now=world.now)
    names = [o.launch.name for o in result.options if o.launch]
    assert "Too high" not in names and "Tilted" not in names and "Beyond" not in names
    assert "Edge" in names
    assert "Tilted goes to 95°, 2.4° from the payload's 97.4° (tolerance ±0.5°)" in result.reasons
    assert "Beyond goes to 98.3°, 0.9° from the payload's 97.4° (tolerance ±0.5°)" in result.reasons


def test_only_selling_launches_in_the_date_range(world):
    LaunchFactory(
        vehicle_model=world.vehicle_model, site=world.site, name="Scrubbed", status=Launch.Status.SCRUBBED
    )
    LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name="Dedicated", rideshare=False)
    result = availability_search(
        payload=world.payload,
        now=world.now,
        earliest=world.now + timedelta(days=11),
        latest=world.now + timedelta(days=40),
    )
    assert [o.kind for o in result.options] == ["dedicated"]
    assert result.reasons[0].startswith("no rideshare launch goes to SSO 500 km (±50 km) between ")


def test_nothing_fits_says_why(world):
    equatorial = PayloadFactory(
        customer=world.customer,
        name="Equatorial",
        orbit_family="LEO",
        altitude_km=500,
        inclination_deg=Decimal("10.00"),
    )
    result = availability_search(payload=equatorial, now=world.now)
    assert result.options == []
    assert result.reasons == [
        "no rideshare launch goes to LEO 500 km (±50 km) after " + f"{world.now:%Y-%m-%d}",
        "The catalog has no figure for Kuaizhou-1A to LEO",
    ]
    leo_model = VehicleModelFactory(
        provider=world.provider,
        name="Kuaizhou-11",
        slug="kuaizhou-11",
        curve={"LEO": [(200, 1600), (500, 1400)]},
    )
    DedicatedPriceFactory(vehicle_model=leo_model)
    result = availability_search(payload=equatorial, now=world.now)
    assert result.options == []
    assert "No launch site reaches 10°: the nearest is 19.6° from Wenchang." in result.reasons


def test_a_payload_too_heavy_for_every_vehicle(world):
    heavy = PayloadFactory(customer=world.customer, name="Heavy", mass_kg=Decimal("520.0"))
    result = availability_search(payload=heavy, now=world.now)
    assert result.options == []
    assert result.reasons == [
        "payload 525 kg exceeds the 300 kg left to SSO 500 km on Kuaizhou-1A KZ1A-Y7",
        "payload 525 kg (with its 5 kg adapter) exceeds the 300 kg Kuaizhou-1A lifts to SSO 500 km at 97.4°",
    ]


def test_dedicated_needs_the_campaign_lead_time(world):
    result = availability_search(payload=world.payload, now=world.now, latest=world.now + timedelta(days=20))
    assert [o.kind for o in result.options] == ["rideshare"]
    assert result.reasons == [
        f"a dedicated launch needs a 30-day campaign: the earliest is {world.now + timedelta(days=30):%Y-%m-%d}, "
        f"after the latest date asked for ({world.now + timedelta(days=20):%Y-%m-%d})"
    ]


def test_a_fixed_pad_vehicle_flies_only_from_sites_with_pads(world):
    ceres = VehicleModelFactory(name="Ceres-1", slug="ceres-1", mobile_launch=False)
    DedicatedPriceFactory(vehicle_model=ceres, price=Decimal("5000000.00"))
    result = availability_search(payload=world.payload, now=world.now)
    assert "Ceres-1 has no launch site it can fly from" in result.reasons
    PadFactory(site=world.site, name="LC-43/95")
    result = availability_search(payload=world.payload, now=world.now)
    ceres_option = next(o for o in result.options if o.vehicle_model == ceres)
    assert ceres_option.site == world.site
    # same earliest NET as the Kuaizhou-1A option: the cheaper one first
    dedicated = [o.vehicle_model.name for o in result.options if o.kind == "dedicated"]
    assert dedicated == ["Ceres-1", "Kuaizhou-1A"]


def test_unpriced_vehicles_and_seats_are_explained(world):
    DedicatedPrice.objects.all().delete()
    result = availability_search(payload=world.payload, now=world.now)
    assert [o.kind for o in result.options] == ["rideshare"]
    assert result.reasons == ["no dedicated launch price is set for Kuaizhou-1A"]


def test_latest_before_earliest(world):
    result = availability_search(
        payload=world.payload, now=world.now, earliest=world.now + timedelta(days=5), latest=world.now
    )
    assert result.options == []
    assert result.reasons == [
        f"the latest date {world.now:%Y-%m-%d} is before the earliest {world.now + timedelta(days=5):%Y-%m-%d}"
    ]


def test_search_query_count_does_not_grow_with_launches(world, django_assert_max_num_queries):
    for i in range(5):
        launch = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name=f"Seat {i}")
        BookingFactory(launch=launch, payload__mass_kg=Decimal("10.0"))
    with django_assert_max_num_queries(12):
        result = availability_search(payload=world.payload, now=world.now)
    assert len(result.options) == 7


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_availability_search_query_count_does_not_grow_with_the_fleet(world, django_assert_max_num_queries):
    LaunchSiteFactory(name="Wenchang", code="WSLC", latitude=Decimal("19.61"), longitude=Decimal("110.95"))

    def grow(index):
        model = VehicleModelFactory(provider=world.provider, name=f"Model {index}", slug=f"model-{index}")
        DedicatedPriceFactory(vehicle_model=model, currency="CNY")
        LaunchFactory(
            vehicle_model=world.vehicle_model,
            site=world.site,
            name=f"Rideshare {index}",
            window_start=world.launch.window_start + timedelta(days=index),
        )

    grow(1)
    small = queries(lambda: availability_search(payload=world.payload, now=world.now, currency="EUR"))
    for index in range(2, 7):
        grow(index)
    with django_assert_max_num_queries(small):
        result = availability_search(payload=world.payload, now=world.now, currency="EUR")
    assert len([o for o in result.options if o.kind == "dedicated"]) == 7
    assert len([o for o in result.options if o.kind == "rideshare"]) == 7
    # launches; their capacity points and ports; rates and models; sites with pads and launch
    # corridors; the dedicated models and their capacity points (and the exchange rate).
    assert small <= 11
