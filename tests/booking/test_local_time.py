"""Sun-synchronous local time: a launch's LTAN fixes its daily window, and a rideshare payload asking
for an LTAN rides only a launch whose plane keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from booking.errors import Conflict, InvalidRequest
from booking.rules.local_time import launch_pass_for, local_time_parse
from booking.selectors.fit import orbit_mismatch
from booking.selectors.local_time import launch_daily_window, launch_window_text
from booking.services.payloads import payload_create
from booking.services.scheduling import launch_schedule, launch_slip
from tests.factories import (
    CustomerFactory,
    LaunchFactory,
    LaunchSiteFactory,
    PayloadFactory,
    range_launch_point,
    schedule_world,
)
from vehicles.models import CapacityPoint

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Jiuquan (40.96° N, 100.29° E), SSO 500 km (97.40°), LTAN 22:30 (LTDN 10:30), launching south:
# 04:14:44 UTC every day (docs/orbits.md section 4, the hand computation gives 04:14.7).
DAILY = time(4, 14, 44)


# --- how people write it -------------------------------------------------------------------------


def test_a_local_time_is_written_hh_mm():
    assert local_time_parse("10:30") == time(10, 30)
    assert local_time_parse(" 7:05 ") == time(7, 5)
    assert local_time_parse("") is None and local_time_parse(None) is None
    assert local_time_parse(time(22, 30, 40)) == time(22, 30)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("10.30", "is written HH:MM, e.g. 10:30, not '10.30'"),
        ("25:00", "25:00 is not a time of day: hours run 00-23"),
        ("10:75", "10:75 is not a time of day"),
        ("half past ten", "is written HH:MM"),
    ],
)
def test_a_local_time_that_is_not_a_time_of_day_is_refused_with_the_figure(text, words):
    with pytest.raises(ValueError, match=words):
        local_time_parse(text)


def test_northern_sites_fly_the_descending_pass():
    assert launch_pass_for(40.96) == "descending"
    assert launch_pass_for(-7.4) == "ascending"


# --- scheduling ---------------------------------------------------------------------------------


@pytest.fixture
def world():
    world = schedule_world()
    range_launch_point(world)
    return world


def schedule(world, *, start, hours=2, ltan=None, orbit_family="SSO", inclination=Decimal("97.40"), **extra):
    return launch_schedule(
        provider=world.provider,
        vehicle_model=world.model,
        site=world.jiuquan,
        orbit_family=orbit_family,
        altitude_km=500,
        inclination_deg=inclination,
        window_start=start,
        window_end=start + timedelta(hours=hours),
        actor=None,
        vehicle=world.rockets[0],
        platform=world.tel1,
        now=NOW,
        ltan=ltan,
        **extra,
    )


def test_an_sso_launch_with_an_ltan_opens_its_window_at_the_daily_launch_time(world):
    start = datetime(2030, 3, 11, 3, 0, tzinfo=UTC)
    launch = schedule(world, start=start, ltan=time(22, 30))
    assert launch.ltan == time(22, 30)
    assert launch.window_start == datetime.combine(start.date(), DAILY, tzinfo=UTC)
    assert launch.net == launch.window_start
    assert launch.window_end == start + timedelta(hours=2)
    assert launch_window_text(launch) == "window 04:14 UTC daily, LTAN 22:30"
    assert launch.reservations.get(platform=world.tel1).ready_at == launch.window_start


def test_a_window_without_the_daily_launch_time_is_refused_with_the_time_that_works(world):
    start = datetime(2030, 3, 11, 1, 0, tzinfo=UTC)  # 01:00-03:00 misses 04:14
    with pytest.raises(InvalidRequest) as refused:
        schedule(world, start=start, ltan=time(22, 30))
    assert refused.value.message == (
        "The window 2030-03-11 01:00 UTC to 2030-03-11 03:00 UTC does not contain the daily launch time "
        "04:14 UTC for LTAN 22:30 from Jiuquan: open it at 2030-03-11 04:14 UTC."
    )


def test_a_window_after_the_days_launch_time_opens_the_next_day(world):
    start = datetime(2030, 3, 11, 5, 0, tzinfo=UTC)
    launch = schedule(world, start=start, hours=24, ltan=time(22, 30))
    assert launch.window_start == datetime.combine(start.date() + DAY, DAILY, tzinfo=UTC)


def test_an_ltan_belongs_to_sun_synchronous_launches_only(world):
    with pytest.raises(InvalidRequest, match="belongs to a sun-synchronous launch, not to LEO"):
        schedule(
            world,
            start=datetime(2030, 3, 11, 3, 0, tzinfo=UTC),
            ltan=time(22, 30),
            orbit_family="LEO",
            inclination=Decimal("41.00"),
        )


def test_an_sso_launch_without_an_ltan_keeps_the_window_it_was_given(world):
    start = datetime(2030, 3, 11, 3, 0, tzinfo=UTC)
    launch = schedule(world, start=start)
    assert launch.ltan is None and launch.window_start == start
    assert launch_daily_window(launch) is None and launch_window_text(launch) == ""


def test_a_slip_keeps_the_daily_launch_time(world):
    launch = schedule(world, start=datetime(2030, 3, 11, 3, 0, tzinfo=UTC), ltan=time(22, 30))
    # The window keeps its length (04:14:44 to 05:00) and opens at the daily launch time.
    result = launch_slip(
        launch=launch,
        window_start=datetime(2030, 3, 14, 4, 0, tzinfo=UTC),
        actor=None,
        cause="provider",
        now=NOW,
    )
    assert result.launch.window_start == datetime(2030, 3, 14, 4, 14, 44, tzinfo=UTC)
    with pytest.raises(InvalidRequest, match="open it at 2030-03-16 04:14 UTC"):
        launch_slip(
            launch=launch,
            window_start=datetime(2030, 3, 15, 4, 30, tzinfo=UTC),
            window_end=datetime(2030, 3, 15, 5, 0, tzinfo=UTC),
            actor=None,
            cause="provider",
            now=NOW,
        )


# --- rideshare matching -------------------------------------------------------------------------


@pytest.fixture
def rideshare():
    site = LaunchSiteFactory(
        name="Jiuquan", code="JSLC", latitude=Decimal("40.96"), longitude=Decimal("100.29")
    )
    return LaunchFactory(name="KZ1A SSO 500", site=site, ltan=time(22, 30))


@pytest.mark.parametrize("ltan", [None, time(22, 30), time(22, 59), time(22, 0)])
def test_a_payload_within_the_ltan_tolerance_matches(rideshare, ltan):
    assert orbit_mismatch(launch=rideshare, payload=PayloadFactory(ltan=ltan)) is None


def test_a_payload_outside_the_ltan_tolerance_is_refused_with_the_figures(rideshare):
    payload = PayloadFactory(ltan=time(23, 15))
    assert orbit_mismatch(launch=rideshare, payload=payload) == (
        "KZ1A SSO 500 flies LTAN 22:30, 45 min from the payload's 23:15 (tolerance ±30 min)"
    )


def test_the_ltan_gap_is_measured_across_midnight(rideshare):
    rideshare.ltan = time(23, 50)
    assert orbit_mismatch(launch=rideshare, payload=PayloadFactory(ltan=time(0, 10))) is None


@override_settings(LAUNCHBOOK_LTAN_TOLERANCE_MINUTES=60)
def test_the_ltan_tolerance_is_a_setting(rideshare):
    assert orbit_mismatch(launch=rideshare, payload=PayloadFactory(ltan=time(23, 15))) is None


def test_a_launch_without_an_ltan_does_not_promise_a_payloads_local_time(rideshare):
    rideshare.ltan = None
    assert orbit_mismatch(launch=rideshare, payload=PayloadFactory(ltan=time(10, 30))) == (
        "KZ1A SSO 500 has no local time of the ascending node set; the payload needs LTAN 10:30"
    )


def test_booking_refuses_a_payload_whose_ltan_the_launch_does_not_keep(rideshare):
    from booking.selectors.guards import check_launch_fit

    with pytest.raises(Conflict, match="45 min from the payload's 23:15"):
        check_launch_fit(launch=rideshare, payload=PayloadFactory(ltan=time(23, 15)), now=timezone.now())


# --- payloads -----------------------------------------------------------------------------------


def test_only_a_sun_synchronous_payload_asks_for_an_ltan():
    model = LaunchFactory().vehicle_model
    CapacityPoint.objects.create(
        vehicle_model=model, orbit_family="LEO", altitude_km=500, capacity_kg=Decimal("300")
    )
    LaunchSiteFactory(latitude=Decimal("28.25"))
    customer = CustomerFactory()
    with pytest.raises(InvalidRequest, match=r"LTAN 10:30\) belongs to a sun-synchronous orbit, not to LEO"):
        payload_create(
            customer=customer,
            actor=None,
            name="Wrong plane",
            mass_kg=Decimal("10"),
            orbit_family="LEO",
            altitude_km=500,
            inclination_deg=Decimal("41.00"),
            ltan=time(10, 30),
        )
