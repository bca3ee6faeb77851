"""The planner: ranked feasible plans with their timelines, reasons when nothing fits, and a fixed
number of queries whatever the size of the fleet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.selectors.planner import plan_launch
from booking.selectors.planner_fleet import readiness_chain_minutes
from booking.services.scheduling import launch_schedule
from tests.factories import (
    LaunchSiteFactory,
    MobilePlatformFactory,
    SiteClosureFactory,
    VehicleFactory,
    range_launch_point,
    schedule_world,
)
from vehicles.models import Route, Vehicle

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)
H = timedelta(hours=1)

#: models, their capacity curves for the orbit family, the readiness template's minimum chain,
#: sites, the route table (road legs included), platforms with their location, pads,
#: reservations, the models each truck carries and each pad serves, closures, other launches'
#: range claims, ready rockets with their places, chosen vehicles; one more names the launches in
#: the reasons; the sites' launch corridors.
PLAN_QUERIES = 15


@pytest.fixture
def world():
    # A TEL drives only on its own range: beside Jiuquan, a second launch point on the Jiuquan
    # range 80 km away (2.5 h of TEL road each way, the rockets' journey too).
    world = schedule_world()
    range_launch_point(world)
    return world


def plan(**overrides):
    kwargs = {
        "orbit_family": "SSO",
        "altitude_km": 500,
        "inclination_deg": None,
        "earliest": NOW + 10 * DAY,
        "latest": NOW + 12 * DAY,
        "service_level": "standard",
        "mass_kg": Decimal("100"),
        "now": NOW,
    }
    kwargs.update(overrides)
    return plan_launch(**kwargs)


def fly(world, platform, site, window_start, *, vehicle, now):
    """Schedule a two-hour launch of ``world``'s Kuaizhou-1A on ``platform`` at ``site``."""
    return launch_schedule(
        provider=world.provider,
        vehicle_model=world.model,
        site=site,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        window_start=window_start,
        window_end=window_start + 2 * H,
        actor=None,
        vehicle=vehicle,
        platform=platform,
        now=now,
    )


def test_plans_are_ranked_by_window_then_road_time_and_carry_their_timeline(world):
    result = plan()

    assert result.plans
    best = result.plans[0]
    # Both TELs are at home in Jiuquan: launching there needs no transit and can open at once.
    assert best.site == world.jiuquan and best.window_start == NOW + 10 * DAY
    assert best.transit_hours == 0 and best.platform.name == "TEL-01"
    assert best.vehicle.serial == "KZ1A-Y7"  # the one longest in ready storage
    assert [phase for phase, _, _ in best.timeline] == ["transit", "set-up", "launch window", "tear-down"]
    assert best.timeline[1] == ("set-up", NOW + 10 * DAY - 6 * H, NOW + 10 * DAY)
    assert best.timeline[3] == ("tear-down", NOW + 10 * DAY + 2 * H, NOW + 10 * DAY + 6 * H)
    keys = [(p.window_start, p.transit_hours, p.site.code, p.resource_label) for p in result.plans]
    assert keys == sorted(keys)
    # The pad-launched model flies from Taiyuan's pad.
    assert any(p.pad == world.pad and p.vehicle_model == world.pad_model for p in result.plans)


def test_the_same_input_gives_the_same_plans(world):
    first = plan(limit=20)
    second = plan(limit=20)
    assert [p.describe() for p in first.plans] == [p.describe() for p in second.plans]
    assert first.reasons == second.reasons


def test_a_busy_platform_is_planned_around(world):
    fly(world, world.tel1, world.jiuquan, NOW + 10 * DAY, vehicle=world.rockets[0], now=NOW)
    result = plan(limit=50)
    tel1_jiuquan = [p for p in result.plans if p.platform == world.tel1 and p.site == world.jiuquan]
    # Torn down at +6 h, set up again by +12 h.
    assert tel1_jiuquan[0].window_start == NOW + 10 * DAY + 12 * H
    # Jiuquan's range flies that launch: TEL-02 takes the same slot at the range's other launch
    # point, or Jiuquan once the range is free, 240 min after the window's end. (The same slot on
    # Taiyuan's pad, with no road at all, ranks above it.)
    on_trucks = [p for p in result.plans if p.platform is not None]
    assert on_trucks[0].platform == world.tel2 and on_trucks[0].site == world.north
    assert on_trucks[0].window_start == NOW + 10 * DAY
    assert on_trucks[0].vehicle.serial == "KZ1A-Y8"
    tel2_jiuquan = [p for p in result.plans if p.platform == world.tel2 and p.site == world.jiuquan]
    assert tel2_jiuquan[0].window_start == NOW + 10 * DAY + 6 * H


def test_plans_drive_from_where_the_platform_will_be(world):
    # 2.5 h of road and 6 h of set-up to the range's other launch point: a window from 5 h on
    # cannot be met, so the truck leaves at once and the first window opens at +8.5 h.
    result = plan(earliest=NOW + 5 * H, latest=NOW + 4 * DAY, limit=50)
    north = [p for p in result.plans if p.site == world.north]
    assert north, result.reasons
    first = north[0]
    assert first.origin == world.jiuquan and first.depart == NOW  # leaves at once
    assert first.transit_hours == 2.5 and first.window_start == NOW + 8 * H + 30 * timedelta(minutes=1)
    assert first.arrive - first.depart == timedelta(hours=first.transit_hours)


def test_reasons_per_candidate_when_nothing_fits(world):
    world.tel2.delete()
    Vehicle.objects.filter(vehicle_model=world.pad_model).update(status=Vehicle.Status.ASSIGNED)
    SiteClosureFactory(
        site=world.jiuquan, kind="airspace", starts_at=NOW + 2 * H, ends_at=NOW + 30 * H, reason="Exercise"
    )
    SiteClosureFactory(site=world.taiyuan, kind="range", starts_at=NOW, ends_at=NOW + 2 * DAY, reason="")

    # The range's other launch point is 2.5 h of road and 6 h of set-up away: no window there
    # before +8.5 h, so the search ends at +8 h.
    result = plan(earliest=NOW, latest=NOW + 8 * H, service_level="express")

    assert result.plans == []
    # A pad-launched model is refused on express terms before its rockets are looked for; on
    # standard terms the reason is that none is in ready storage.
    assert "Long March 6 cannot be launched on express terms: it flies from a fixed pad" in result.reasons
    standard = plan(earliest=NOW, latest=NOW + 8 * H)
    assert "no Long March 6 in ready storage" in standard.reasons, standard.reasons
    assert any(
        r.startswith("TEL-01 cannot reach Jiuquan North before 2030-03-01 08:30 UTC")
        and "2.5 h of road transit from Jiuquan" in r
        for r in result.reasons
    ), result.reasons
    assert (
        "TEL-01 at Jiuquan: Jiuquan closed for airspace 2030-03-01 02:00 – 2030-03-02 06:00 UTC: Exercise"
        in (result.reasons)
    )
    assert result.earliest_beyond_latest is not None


def test_unreachable_inclinations_and_too_heavy_payloads_are_explained(world):
    result = plan(orbit_family="LEO", altitude_km=500, inclination_deg=Decimal("25"))
    assert "Jiuquan's direct ascents do not reach 25°; Wenchang does" in result.reasons
    assert all(p.site == world.wenchang for p in result.plans)

    heavy = plan(mass_kg=Decimal("2000"))
    assert heavy.plans == []
    assert "Kuaizhou-1A lifts 300.0 kg to SSO 500 km, less than 2005.0 kg with adapter" in heavy.reasons


def test_plan_launch_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    with django_assert_num_queries(PLAN_QUERIES):
        small = plan()
    # Grow the fleet: many more platforms, sites, rockets and reservations; same query count.
    more_sites = [
        LaunchSiteFactory(
            name=f"Extra {n}", code=f"X{n}", latitude=Decimal(30 + n), longitude=Decimal(100 + n)
        )
        for n in range(5)
    ]
    tels = [
        MobilePlatformFactory(provider=world.provider, name=f"TEL-X{n}", home_site=more_sites[n % 5])
        for n in range(10)
    ]
    for n, tel in enumerate(tels):
        rocket = VehicleFactory(vehicle_model=world.model, serial=f"KZ1A-X{n}", storage_site=tel.home_site)
        fly(
            world, tel, tel.home_site, NOW + 10 * DAY + n * 8 * H, vehicle=rocket, now=NOW
        )  # one range slot each
        SiteClosureFactory(site=more_sites[n % 5], starts_at=NOW + 11 * DAY, ends_at=NOW + 11 * DAY + 3 * H)
    with django_assert_num_queries(PLAN_QUERIES):
        large = plan()
    assert large.candidates > small.candidates


def test_a_platform_on_its_way_is_planned_where_it_is_going(world, django_assert_max_num_queries):
    """TEL-01 left Jiuquan hours ago for a launch at the range's other launch point, 2.5 h of road
    from Jiuquan; once torn down there it can fly again from that point within the express day."""
    launch = fly(world, world.tel1, world.north, NOW + 2 * H, vehicle=world.rockets[0], now=NOW - 5 * DAY)
    result = plan(earliest=NOW, latest=NOW + 24 * H, service_level="express", limit=50)
    at_north = [p for p in result.plans if p.platform == world.tel1 and p.site == world.north]
    assert at_north, result.reasons
    # Torn down at +8 h, set up again by +14 h; no road.
    assert at_north[0].window_start == NOW + 14 * H
    assert at_north[0].transit_hours == 0 and at_north[0].origin == world.north
    # Asked for only a few plans, the search still finds it among the first: from where TEL-01
    # was, that point is hours of road away, but the gap after its launch there opens at +14 h.
    week = {"earliest": NOW, "latest": NOW + 5 * DAY}
    full = [p.describe() for p in plan(limit=50, **week).plans]
    assert any(text.startswith("Kuaizhou-1A KZ1A-Y8 from Jiuquan North on TEL-01") for text in full[:4]), full
    for limit in (1, 2, 3, 4):
        assert [p.describe() for p in plan(limit=limit, **week).plans] == full[:limit]
    # Nothing within five hours: the reasons name the launch in the way (one more query).
    with django_assert_max_num_queries(PLAN_QUERIES + 1):
        none = plan(earliest=NOW, latest=NOW + 5 * H, service_level="express")
    assert none.plans == []
    assert any(r.startswith("TEL-01") and launch.name in r for r in none.reasons), none.reasons


def test_the_best_plans_are_the_head_of_the_full_ranking(world):
    """The search stops once nothing left can rank: asking for fewer plans gives the head of the
    ranking that walking every candidate gives, over random fleets, chains and closures."""
    import random

    from booking.errors import Conflict

    rng = random.Random(7)
    # Trucks drive on their own range only: the random launch points lie within 75 km of Jiuquan
    # (the trucks' drives between them are estimated from the distance), and each has a TEL road
    # leg from Jiuquan, where the rockets are stored, of a random few hours.
    launch_points = [
        LaunchSiteFactory(
            name=f"Mobile {n}",
            code=f"M{n}",
            latitude=Decimal(f"{40.96 + rng.uniform(-0.45, 0.45):.2f}"),
            longitude=Decimal(f"{100.29 + rng.uniform(-0.55, 0.55):.2f}"),
        )
        for n in range(5)
    ]
    for point in launch_points:
        Route.objects.create(
            origin=world.jiuquan,
            destination=point,
            mode=Route.Mode.ROAD,
            transit_hours=Decimal(rng.choice(["1.5", "2.0", "3.5"])),
        )
    sites = [world.jiuquan, world.north, *launch_points]
    tels = [world.tel1, world.tel2] + [
        MobilePlatformFactory(
            provider=world.provider,
            name=f"TEL-R{n}",
            home_site=rng.choice(sites),
            road_speed_kmh=Decimal(rng.choice(["40.0", "60.0"])),
        )
        for n in range(6)
    ]
    scheduled = 0
    for n, tel in enumerate(tels):
        start = NOW + rng.randrange(0, 48) * H
        for k in range(6):
            rocket = VehicleFactory(
                vehicle_model=world.model, serial=f"KZ1A-R{n}-{k}", storage_site=world.jiuquan
            )
            try:
                fly(world, tel, rng.choice(sites), start, vehicle=rocket, now=NOW - 10 * DAY)
            except Conflict:  # the chain would not fit: that is the scheduler's business
                pass
            else:
                scheduled += 1
            finally:
                start += rng.randrange(20, 90) * H
    assert scheduled >= 30
    for site in sites[2:]:
        opens = NOW + rng.randrange(0, 200) * H
        SiteClosureFactory(site=site, starts_at=opens, ends_at=opens + rng.randrange(2, 30) * H)

    queries = [
        {"earliest": NOW + 2 * DAY, "latest": NOW + 5 * DAY},
        {"earliest": NOW + 6 * DAY, "latest": NOW + 30 * DAY},
        {"earliest": NOW + 30 * H, "latest": NOW + 31 * H},
    ] + [  # express days all along the chains, some starting while platforms are on the road
        {"earliest": NOW + k * 11 * H, "latest": NOW + k * 11 * H + 24 * H, "service_level": "express"}
        for k in range(12)
    ]
    compared = walked_full = walked_first = 0
    for query in queries:
        full = plan(limit=10_000, **query)
        walked_full += full.walked
        for limit in (1, 3, 8):
            head = plan(limit=limit, **query)
            assert [p.describe() for p in head.plans] == [p.describe() for p in full.plans[:limit]], query
            assert head.walked <= full.walked
            compared += len(head.plans)
            walked_first += head.walked if limit == 1 else 0
    assert compared > 20  # the scenarios do produce plans to compare
    assert walked_first < walked_full / 2  # and the search does stop early


def test_an_earliest_time_in_the_past_plans_from_where_platforms_are_now(world):
    """TEL-01 went to the range's other launch point last week and stays there: asked from a month
    ago, the planner still starts from there, not from where TEL-01 was a month ago."""
    fly(world, world.tel1, world.north, NOW - 7 * DAY, vehicle=world.rockets[0], now=NOW - 12 * DAY)
    result = plan(earliest=NOW - 30 * DAY, latest=NOW + 24 * H, service_level="express", limit=50)
    tel1 = [p for p in result.plans if p.platform == world.tel1]
    assert tel1, result.reasons
    assert tel1[0].site == world.north and tel1[0].transit_hours == 0
    # Set-up only, no road: it is already there. The express order's readiness work (the
    # template's minimum chain from now) is the longer of the two and sets the window.
    chain = timedelta(minutes=readiness_chain_minutes(service_level="express", returnable=False))
    assert tel1[0].window_start == max(NOW + 6 * H, NOW + chain)
