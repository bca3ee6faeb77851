"""A rocket's journey to a launch site, route-table sanity and range separation: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from vehicles.logistics import (
    RAIL,
    ROAD,
    SEA,
    Journey,
    NoRoute,
    RouteLeg,
    duration_text,
    journey_arrival,
    journey_text,
    range_busy_text,
    range_span,
    rocket_journey,
    route_problem,
)

JIUQUAN, TAIYUAN, XICHANG, WENCHANG = 1, 2, 3, 4
NAMES = {JIUQUAN: "Jiuquan", TAIYUAN: "Taiyuan", XICHANG: "Xichang", WENCHANG: "Wenchang"}
ROUTES = [
    (JIUQUAN, JIUQUAN, ROAD, Decimal("3.0")),
    (TAIYUAN, TAIYUAN, ROAD, Decimal("2.0")),
    (TAIYUAN, JIUQUAN, RAIL, Decimal("72.0")),
    (JIUQUAN, TAIYUAN, RAIL, Decimal("72.0")),
    (TAIYUAN, XICHANG, RAIL, Decimal("60.0")),
    (XICHANG, WENCHANG, SEA, Decimal("120.0")),
    (TAIYUAN, WENCHANG, SEA, Decimal("168.0")),
]


def test_a_rocket_at_the_launch_site_takes_only_the_tel_drive():
    journey = rocket_journey(origin_id=JIUQUAN, destination_id=JIUQUAN, routes=ROUTES, site_names=NAMES)
    assert isinstance(journey, Journey)
    assert journey.modes == (ROAD,) and journey.hours == Decimal("3.0")
    assert journey_text(serial="KZ1A-Y7", journey=journey, site_names=NAMES) == (
        "KZ1A-Y7 is at Jiuquan: 3 h by TEL road to the launch point"
    )


def test_a_rocket_at_a_site_without_an_on_range_drive_is_already_there():
    journey = rocket_journey(origin_id=WENCHANG, destination_id=WENCHANG, routes=ROUTES, site_names=NAMES)
    assert isinstance(journey, Journey) and journey.legs == () and journey.hours == 0


def test_between_centres_the_rocket_goes_by_rail_then_the_tel_drives_it_out():
    journey = rocket_journey(origin_id=TAIYUAN, destination_id=JIUQUAN, routes=ROUTES, site_names=NAMES)
    assert isinstance(journey, Journey)
    assert journey.modes == (RAIL, ROAD)
    assert journey.hours == Decimal("75.0")
    assert journey_text(serial="KZ11-Y3", journey=journey, site_names=NAMES) == (
        "KZ11-Y3 is at Taiyuan: 3 days by rail to Jiuquan, then 3 h by TEL road to the launch point"
    )


def test_the_quickest_chain_of_legs_wins():
    # Taiyuan → Wenchang: direct by sea 168 h beats rail to Xichang then sea (60 + 120 h).
    journey = rocket_journey(origin_id=TAIYUAN, destination_id=WENCHANG, routes=ROUTES, site_names=NAMES)
    assert isinstance(journey, Journey) and journey.modes == (SEA,) and journey.hours == 168
    faster = [*ROUTES, (XICHANG, WENCHANG, SEA, Decimal("90.0"))]
    journey = rocket_journey(origin_id=TAIYUAN, destination_id=WENCHANG, routes=faster, site_names=NAMES)
    assert isinstance(journey, Journey) and journey.modes == (RAIL, SEA) and journey.hours == 150


def test_legs_run_one_way_and_an_unjoined_site_has_no_known_route():
    journey = rocket_journey(origin_id=WENCHANG, destination_id=JIUQUAN, routes=ROUTES, site_names=NAMES)
    assert isinstance(journey, NoRoute)
    assert journey.reason == (
        "no known route from Wenchang to Jiuquan: add a rail or sea leg to the route table"
    )
    assert journey_text(serial="CZ6-Y5", journey=journey, site_names=NAMES).startswith(
        "CZ6-Y5 is at Wenchang: no known route"
    )


def test_route_legs_may_be_given_as_rows():
    legs = [RouteLeg(JIUQUAN, TAIYUAN, RAIL, 72, "rail between launch centres")]
    journey = rocket_journey(origin_id=JIUQUAN, destination_id=TAIYUAN, routes=legs, site_names=NAMES)
    assert isinstance(journey, Journey) and journey.legs[0].note == "rail between launch centres"


def test_arrival_adds_the_journey_to_the_departure():
    journey = rocket_journey(origin_id=TAIYUAN, destination_id=JIUQUAN, routes=ROUTES, site_names=NAMES)
    assert isinstance(journey, Journey)
    leave = datetime(2030, 12, 1, 3, 0, tzinfo=UTC)
    assert journey_arrival(available_from=leave, journey=journey) == datetime(2030, 12, 4, 6, 0, tzinfo=UTC)


def test_durations_read_in_hours_then_days():
    assert duration_text(Decimal("2.5")) == "2.5 h"
    assert duration_text(47) == "47 h"
    assert duration_text(72) == "3 days"
    assert duration_text(Decimal("60.0")) == "2.5 days"


JSLC = (40.96, 100.29)
WSLC = (19.61, 110.95)


def test_a_tel_road_leg_between_launch_centres_is_refused():
    problem = route_problem(
        mode=ROAD,
        origin_name="Jiuquan",
        destination_name="Wenchang",
        origin_latlon=JSLC,
        destination_latlon=WSLC,
    )
    assert problem is not None
    assert problem.startswith(
        "a TEL drives on the range, not between launch centres: Jiuquan → Wenchang is 2,"
    )
    assert "use rail or sea" in problem


def test_a_tel_road_leg_on_the_range_or_close_by_is_fine():
    assert (
        route_problem(
            mode=ROAD,
            origin_name="Jiuquan",
            destination_name="Jiuquan",
            origin_latlon=JSLC,
            destination_latlon=JSLC,
        )
        is None
    )
    near = (41.20, 100.50)  # about 32 km away
    assert (
        route_problem(
            mode=ROAD,
            origin_name="Jiuquan",
            destination_name="Jiuquan north",
            origin_latlon=JSLC,
            destination_latlon=near,
        )
        is None
    )


def test_rail_and_sea_legs_join_two_sites_and_modes_are_known():
    assert (
        route_problem(
            mode=SEA,
            origin_name="Jiuquan",
            destination_name="Wenchang",
            origin_latlon=JSLC,
            destination_latlon=WSLC,
        )
        is None
    )
    assert (
        route_problem(
            mode=RAIL,
            origin_name="Jiuquan",
            destination_name="Jiuquan",
            origin_latlon=JSLC,
            destination_latlon=JSLC,
        )
        == "a rail leg joins two sites, not Jiuquan to itself"
    )
    assert "unknown transport mode 'air'" in route_problem(
        mode="air", origin_name="A", destination_name="B", origin_latlon=JSLC, destination_latlon=WSLC
    )


def test_a_range_is_held_from_the_window_start_through_the_separation():
    start = datetime(2030, 12, 1, 12, 0, tzinfo=UTC)
    first = range_span(window_start=start, window_end=start + timedelta(hours=1), separation_minutes=240)
    assert first == (start, start + timedelta(hours=5))
    # The next launch may open its window when the separation has run: the spans are half-open.
    second = range_span(
        window_start=first[1], window_end=first[1] + timedelta(hours=1), separation_minutes=240
    )
    assert second[0] == first[1]
    with pytest.raises(ValueError):
        range_span(window_start=start, window_end=start - timedelta(minutes=1), separation_minutes=0)
    with pytest.raises(ValueError):
        range_span(window_start=start, window_end=start, separation_minutes=-1)


def test_a_busy_range_says_with_what_and_until_when():
    free_at = datetime(2030, 12, 1, 21, 0, tzinfo=UTC)
    assert range_busy_text(site_name="Jiuquan", launch_name="Kuaizhou-1A · SSO 500", free_at=free_at) == (
        "Jiuquan range busy with Kuaizhou-1A · SSO 500 until 21:00"
    )


def test_journey_hours_from_agrees_with_rocket_journey_on_random_route_tables():
    import random

    from vehicles.logistics import Journey, journey_hours_from, rocket_journey

    for seed in range(30):
        rnd = random.Random(seed)
        legs = [
            (rnd.randint(1, 6), rnd.randint(1, 6), rnd.choice(["rail", "sea", "road"]), rnd.randint(1, 90))
            for _ in range(rnd.randint(0, 14))
        ]
        legs = [leg for leg in legs if leg[0] != leg[1] or leg[2] == "road"]
        for origin in range(1, 7):
            hours = journey_hours_from(origin_id=origin, routes=legs)
            for destination in range(1, 7):
                journey = rocket_journey(
                    origin_id=origin, destination_id=destination, routes=legs, site_names={}
                )
                if isinstance(journey, Journey):
                    assert hours[destination] == journey.hours
                else:
                    assert destination not in hours
