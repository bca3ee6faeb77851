"""Tests for vehicles.orbits: capacity curves, inclinations, corridors, Earth's rotation,
sun-synchronous orbits, local time of the node and geography.

Reference values and their sources are listed in docs/orbits.md.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from vehicles.orbits import (
    EARTH_EQUATORIAL_ROTATION_SPEED_MPS,
    EARTH_MEAN_RADIUS_KM,
    EARTH_RADIUS_KM,
    SSO_INCLINATION_TOLERANCE_DEG,
    SSO_MAX_ALTITUDE_KM,
    Number,
    OrbitError,
    capacity_at_altitude,
    capacity_at_inclination,
    circular_orbit_speed_mps,
    corridor_inclination_ranges,
    corridor_reach,
    great_circle_distance_km,
    ground_relative_azimuth,
    inclination_from_azimuth,
    is_inclination_reachable,
    is_sun_synchronous,
    last_stage_sensitivity_kg_per_mps,
    launch_azimuths,
    local_time_gap_minutes,
    local_times_match,
    lowest_reachable_inclination,
    ltan_from_ltdn,
    ltdn_from_ltan,
    reachable_inclination_range,
    road_transit_hours,
    rotation_gain_for_inclination_mps,
    rotation_gain_mps,
    sso_launch_time_utc,
    sso_ltan_from_launch,
    sso_node_drift_hours_per_year,
    sun_synchronous_inclination,
    surface_rotation_speed_mps,
)

CERES_1_SSO = [(200, 300), (500, 230)]

SITE_LATITUDES = {
    "Jiuquan": 40.96,
    "Taiyuan": 38.85,
    "Xichang": 28.25,
    "Wenchang": 19.61,
}


# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------


def test_radii_constants() -> None:
    assert EARTH_RADIUS_KM == 6378.137
    assert EARTH_MEAN_RADIUS_KM == 6371.0088


def test_orbit_error_is_a_value_error() -> None:
    assert issubclass(OrbitError, ValueError)


# --------------------------------------------------------------------------
# capacity_at_altitude
# --------------------------------------------------------------------------


def test_capacity_interpolates_at_midpoint() -> None:
    assert capacity_at_altitude(CERES_1_SSO, 350) == Decimal("265.0")


def test_capacity_interpolates_off_midpoint() -> None:
    # 300 + (230 - 300) * (260 - 200) / 300 = 286.0
    assert capacity_at_altitude(CERES_1_SSO, 260) == Decimal("286.0")


def test_capacity_exactly_at_known_points() -> None:
    assert capacity_at_altitude(CERES_1_SSO, 200) == Decimal("300.0")
    assert capacity_at_altitude(CERES_1_SSO, 500) == Decimal("230.0")


def test_capacity_exactly_at_an_inner_point() -> None:
    points = [(200, 1000), (400, 800), (600, 500)]
    assert capacity_at_altitude(points, 400) == Decimal("800.0")
    assert capacity_at_altitude(points, 500) == Decimal("650.0")


def test_capacity_refuses_altitude_below_curve() -> None:
    with pytest.raises(OrbitError) as excinfo:
        capacity_at_altitude([(200, 300), (700, 200)], 150)
    assert str(excinfo.value) == "150 km is outside the curve of 200–700 km"


def test_capacity_refuses_altitude_above_curve() -> None:
    with pytest.raises(OrbitError) as excinfo:
        capacity_at_altitude([(200, 300), (500, 230)], 500.5)
    assert str(excinfo.value) == "500.5 km is outside the curve of 200–500 km"


def test_capacity_refuses_empty_curve() -> None:
    with pytest.raises(OrbitError, match="no points"):
        capacity_at_altitude([], 500)


def test_capacity_single_point_answers_only_its_altitude() -> None:
    assert capacity_at_altitude([(500, 230)], 500) == Decimal("230.0")
    with pytest.raises(OrbitError) as excinfo:
        capacity_at_altitude([(500, 230)], 501)
    assert "501 km is outside the curve" in str(excinfo.value)
    assert "500 km" in str(excinfo.value)


def test_capacity_accepts_unsorted_points() -> None:
    points = [(600, 500), (200, 1000), (400, 800)]
    assert capacity_at_altitude(points, 300) == Decimal("900.0")
    assert capacity_at_altitude(points, 550) == Decimal("575.0")


def test_capacity_refuses_duplicate_altitudes() -> None:
    with pytest.raises(OrbitError, match="more than one point at 500 km"):
        capacity_at_altitude([(200, 300), (500, 230), (500, 240)], 300)


def test_capacity_refuses_duplicate_altitudes_of_mixed_types() -> None:
    with pytest.raises(OrbitError, match="more than one point at 500 km"):
        capacity_at_altitude([(500, 230), (Decimal("500.0"), 240.0)], 500)


@pytest.mark.parametrize(
    ("points", "altitude"),
    [
        (CERES_1_SSO, 350),
        ([(200.0, 300.0), (500.0, 230.0)], 350.0),
        ([(Decimal("200"), Decimal("300")), (Decimal("500"), Decimal("230"))], Decimal("350")),
    ],
    ids=["int", "float", "decimal"],
)
def test_capacity_returns_decimal_for_every_input_type(
    points: list[tuple[Number, Number]], altitude: Number
) -> None:
    result = capacity_at_altitude(points, altitude)
    assert type(result) is Decimal
    assert result == Decimal("265.0")


def test_capacity_rounds_half_up_to_one_decimal() -> None:
    # 100 + (101 - 100) * 0.25 = 100.25 -> 100.3 (half up, not banker's)
    assert capacity_at_altitude([(0, 100), (100, 101)], 25) == Decimal("100.3")
    # 100 + 1 * (1/3) = 100.333... -> 100.3
    assert capacity_at_altitude([(0, 100), (3, 101)], 1) == Decimal("100.3")
    assert str(capacity_at_altitude([(0, 100), (100, 101)], 25)) == "100.3"


def test_capacity_handles_float_points_without_binary_noise() -> None:
    points = [(200.1, 300.1), (500.1, 230.1)]
    assert capacity_at_altitude(points, 350.1) == Decimal("265.1")


@given(
    st.lists(
        st.integers(min_value=100, max_value=40_000),
        min_size=2,
        max_size=8,
        unique=True,
    ),
    st.lists(st.integers(min_value=0, max_value=30_000), min_size=8, max_size=8),
    st.data(),
)
def test_capacity_lies_between_neighbouring_points(
    altitudes: list[int], capacities: list[int], data: st.DataObject
) -> None:
    points = list(zip(altitudes, capacities, strict=False))
    ordered = sorted(points)
    query = data.draw(
        st.decimals(
            min_value=ordered[0][0],
            max_value=ordered[-1][0],
            places=2,
            allow_nan=False,
            allow_infinity=False,
        )
    )
    result = capacity_at_altitude(points, query)

    below = max(point for point in ordered if point[0] <= query)
    above = min(point for point in ordered if point[0] >= query)
    assert type(result) is Decimal
    assert min(below[1], above[1]) <= result <= max(below[1], above[1])


# --------------------------------------------------------------------------
# Reachable inclinations
# --------------------------------------------------------------------------


def test_reachable_range_from_jiuquan() -> None:
    low, high = reachable_inclination_range(40.96)
    assert low == pytest.approx(40.96)
    assert high == pytest.approx(139.04)


def test_reachable_range_from_wenchang() -> None:
    low, high = reachable_inclination_range(19.61)
    assert low == pytest.approx(19.61)
    assert high == pytest.approx(160.39)


def test_reachable_range_from_southern_latitude() -> None:
    # Mahia, New Zealand
    low, high = reachable_inclination_range(-39.26)
    assert low == pytest.approx(39.26)
    assert high == pytest.approx(140.74)


def test_reachable_range_from_equator_and_pole() -> None:
    assert reachable_inclination_range(0) == (0.0, 180.0)
    assert reachable_inclination_range(90) == (90.0, 90.0)


@pytest.mark.parametrize("latitude", [-90.01, 90.5, 180, float("nan")])
def test_reachable_range_refuses_invalid_latitude(latitude: float) -> None:
    with pytest.raises(OrbitError):
        reachable_inclination_range(latitude)


def test_is_inclination_reachable() -> None:
    assert is_inclination_reachable(40.96, 97.4)
    assert is_inclination_reachable(40.96, 40.96)
    assert is_inclination_reachable(40.96, 139.04)
    assert not is_inclination_reachable(40.96, 35.0)
    assert not is_inclination_reachable(40.96, 140.0)
    assert is_inclination_reachable(19.61, 19.61)
    assert not is_inclination_reachable(19.61, 10.0)


def test_is_inclination_reachable_with_tolerance() -> None:
    assert not is_inclination_reachable(28.25, 28.0)
    assert is_inclination_reachable(28.25, 28.0, tolerance_deg=0.5)
    assert not is_inclination_reachable(28.25, 27.0, tolerance_deg=0.5)


def test_is_inclination_reachable_from_southern_site() -> None:
    assert is_inclination_reachable(-39.26, 45.0)
    assert not is_inclination_reachable(-39.26, 30.0)


def test_is_inclination_reachable_refuses_bad_arguments() -> None:
    with pytest.raises(OrbitError):
        is_inclination_reachable(40.96, 181.0)
    with pytest.raises(OrbitError):
        is_inclination_reachable(40.96, 97.4, tolerance_deg=-1.0)


def test_lowest_reachable_inclination_across_chinese_sites() -> None:
    name, inclination = lowest_reachable_inclination(SITE_LATITUDES)
    assert name == "Wenchang"
    assert inclination == pytest.approx(19.61)


def test_lowest_reachable_inclination_uses_absolute_latitude() -> None:
    assert lowest_reachable_inclination({"North": 30.0, "South": -5.2}) == (
        "South",
        5.2,
    )


def test_lowest_reachable_inclination_refuses_empty_input() -> None:
    with pytest.raises(OrbitError):
        lowest_reachable_inclination({})


# --------------------------------------------------------------------------
# Sun-synchronous orbits
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("altitude_km", "expected_deg"),
    [(400, 97.0), (500, 97.4), (700, 98.2)],
)
def test_sun_synchronous_inclination_matches_domain(altitude_km: int, expected_deg: float) -> None:
    assert sun_synchronous_inclination(altitude_km) == pytest.approx(expected_deg, abs=0.1)


def test_sun_synchronous_inclination_follows_formula() -> None:
    expected = math.degrees(math.acos(-(((6378 + 550) / 12352) ** 3.5)))
    assert sun_synchronous_inclination(550) == pytest.approx(expected)
    assert sun_synchronous_inclination(Decimal("550")) == pytest.approx(expected)


def test_sun_synchronous_inclination_rises_with_altitude() -> None:
    assert (
        sun_synchronous_inclination(300)
        < sun_synchronous_inclination(800)
        < sun_synchronous_inclination(5000)
    )


def test_sun_synchronous_inclination_at_ceiling_is_180() -> None:
    assert sun_synchronous_inclination(12352 - 6378) == pytest.approx(180.0)


@pytest.mark.parametrize("altitude_km", [6000, 36_000])
def test_sun_synchronous_inclination_refuses_huge_altitude(altitude_km: int) -> None:
    with pytest.raises(OrbitError, match="no sun-synchronous orbit"):
        sun_synchronous_inclination(altitude_km)


@pytest.mark.parametrize("altitude_km", [0, -100])
def test_sun_synchronous_inclination_refuses_non_positive_altitude(
    altitude_km: int,
) -> None:
    with pytest.raises(OrbitError):
        sun_synchronous_inclination(altitude_km)


# --------------------------------------------------------------------------
# Corridor geometry: azimuth and inclination
# --------------------------------------------------------------------------

JIUQUAN_LAT, JIUQUAN_LON = 40.96, 100.29


def test_due_east_launch_reaches_the_site_latitude() -> None:
    assert inclination_from_azimuth(28.5, 90) == pytest.approx(28.5, abs=1e-9)
    assert launch_azimuths(28.5, 28.5) == pytest.approx((90.0, 90.0), abs=1e-6)


def test_due_west_north_and_south_launches() -> None:
    assert inclination_from_azimuth(40.96, 270) == pytest.approx(139.04, abs=1e-9)
    assert inclination_from_azimuth(40.96, 0) == pytest.approx(90.0)
    assert inclination_from_azimuth(40.96, 180) == pytest.approx(90.0)
    assert inclination_from_azimuth(-39.26, 90) == pytest.approx(39.26)


def test_inclination_from_azimuth_camden_county_example() -> None:
    # Space Exploration Stack Exchange worked answer: 30.56° N, azimuth 123° -> 43.77°.
    assert inclination_from_azimuth(30.56, 123) == pytest.approx(43.77, abs=0.01)


def test_launch_azimuths_vandenberg_sso_curtis_example() -> None:
    # Curtis, Orbital Mechanics for Engineering Students, example 6.10:
    # 34.5° N into 98.43°: 190.2° (south) or 349.8° (north).
    north, south = launch_azimuths(34.5, 98.43)
    assert north == pytest.approx(349.8, abs=0.05)
    assert south == pytest.approx(190.2, abs=0.05)


def test_launch_azimuths_jiuquan_sso_500_km() -> None:
    # sin Az = cos 97.4° / cos 40.96° = -0.1705: south, about 10° west of due south.
    north, south = launch_azimuths(JIUQUAN_LAT, 97.4)
    assert south == pytest.approx(189.82, abs=0.01)
    assert north == pytest.approx(350.18, abs=0.01)


def test_launch_azimuths_refuse_an_inclination_below_the_latitude() -> None:
    with pytest.raises(OrbitError) as excinfo:
        launch_azimuths(JIUQUAN_LAT, 30)
    assert str(excinfo.value) == (
        "a direct ascent from latitude 40.96° cannot reach 30°: it reaches 40.96°–139.04°"
    )
    with pytest.raises(OrbitError):
        launch_azimuths(JIUQUAN_LAT, 140)


@pytest.mark.parametrize("latitude", [90, -90])
def test_azimuth_has_no_meaning_at_a_pole(latitude: float) -> None:
    with pytest.raises(OrbitError, match="pole"):
        inclination_from_azimuth(latitude, 90)


def test_ground_relative_azimuth_matches_molczan_sohae_figures() -> None:
    # Ted Molczan (SeeSat-L, April 2012), Sohae 39.66° N: SSO 500 km (97.42°) needs about
    # 192.3°, SSO 140 km (96.13°) about 190.6°, over the rotating Earth.
    assert sun_synchronous_inclination(140) == pytest.approx(96.13, abs=0.01)
    assert sun_synchronous_inclination(500) == pytest.approx(97.42, abs=0.05)
    for altitude_km, expected in [(140, 190.6), (500, 192.3)]:
        _, inertial = launch_azimuths(39.66, sun_synchronous_inclination(altitude_km))
        speed = circular_orbit_speed_mps(altitude_km)
        assert ground_relative_azimuth(39.66, inertial, speed) == pytest.approx(expected, abs=0.1)


def test_ground_relative_azimuth_of_a_due_north_launch_leans_west() -> None:
    heading = ground_relative_azimuth(0, 0, 7800)
    assert heading == pytest.approx(360 - math.degrees(math.atan(465.1 / 7800)), abs=0.01)
    with pytest.raises(OrbitError):
        ground_relative_azimuth(0, 0, 400)


@given(
    st.floats(min_value=-89.0, max_value=89.0),
    st.floats(min_value=0.0, max_value=360.0, exclude_max=True),
)
def test_azimuth_inclination_azimuth_round_trip(latitude: float, azimuth: float) -> None:
    inclination = inclination_from_azimuth(latitude, azimuth)
    low, high = reachable_inclination_range(latitude)
    assert low - 1e-9 <= inclination <= high + 1e-9
    north, south = launch_azimuths(latitude, min(max(inclination, low), high))
    # The azimuth is one of the two branches (near due east or west the two meet and
    # acos/asin lose precision, hence the tolerance in degrees).
    gaps = [abs((azimuth - branch + 180) % 360 - 180) for branch in (north, south)]
    assert min(gaps) < 1e-3 or abs(math.sin(math.radians(azimuth))) > 0.999999


@given(
    st.floats(min_value=-89.0, max_value=89.0),
    st.floats(min_value=0.0, max_value=180.0),
)
def test_inclination_azimuth_inclination_round_trip(latitude: float, inclination: float) -> None:
    low, high = reachable_inclination_range(latitude)
    if not low - 1e-6 <= inclination <= high + 1e-6:
        with pytest.raises(OrbitError):
            launch_azimuths(latitude, inclination)
        return
    assume(low <= inclination <= high)  # within 1e-6° of the edge float round-off decides
    for azimuth in launch_azimuths(latitude, inclination):
        assert 0.0 <= azimuth < 360.0
        assert inclination_from_azimuth(latitude, azimuth) == pytest.approx(inclination, abs=1e-5)


# Illustrative corridors (not a range's published ones): south-east over land and a narrow
# southern corridor for sun-synchronous launches.
JIUQUAN_LIKE_CORRIDORS = [(135, 160), (185, 195)]


def test_corridor_inclination_ranges() -> None:
    ranges = corridor_inclination_ranges(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS)
    assert len(ranges) == 2
    assert ranges[0] == pytest.approx((inclination_from_azimuth(JIUQUAN_LAT, 135), 75.03), abs=0.01)
    assert ranges[0][0] == pytest.approx(57.72, abs=0.01)
    assert ranges[1] == pytest.approx((93.77, 101.27), abs=0.01)


def test_corridor_through_due_east_reaches_the_latitude() -> None:
    ((low, high),) = corridor_inclination_ranges(28.5, [(80, 100)])
    assert low == pytest.approx(28.5)
    assert high == pytest.approx(inclination_from_azimuth(28.5, 80))


def test_corridor_wrapping_through_north_and_the_full_circle() -> None:
    ((low, high),) = corridor_inclination_ranges(JIUQUAN_LAT, [(350, 10)])
    assert low == pytest.approx(inclination_from_azimuth(JIUQUAN_LAT, 10))
    assert high == pytest.approx(inclination_from_azimuth(JIUQUAN_LAT, 350))
    assert corridor_inclination_ranges(JIUQUAN_LAT, [(0, 360)]) == [
        pytest.approx(reachable_inclination_range(JIUQUAN_LAT))
    ]


def test_overlapping_corridors_merge() -> None:
    assert corridor_inclination_ranges(JIUQUAN_LAT, [(150, 180), (180, 200)]) == [
        pytest.approx(
            (inclination_from_azimuth(JIUQUAN_LAT, 150), inclination_from_azimuth(JIUQUAN_LAT, 200))
        )
    ]
    assert corridor_inclination_ranges(JIUQUAN_LAT, []) == []


def test_corridor_reach_sso_from_jiuquan() -> None:
    reach = corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, 97.4)
    assert reach.reachable
    assert reach.azimuths_deg == pytest.approx((189.82,), abs=0.01)
    assert reach.nearest_deg == ()


def test_corridor_reach_names_the_nearest_inclinations() -> None:
    # 30° is below Jiuquan's latitude; 85° falls between the two corridors.
    low = corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, 30)
    assert not low.reachable
    assert low.nearest_below_deg is None
    assert low.nearest_above_deg == pytest.approx(57.72, abs=0.01)
    assert low.nearest_deg == pytest.approx((57.72,), abs=0.01)

    between = corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, 85)
    assert not between.reachable
    assert between.nearest_below_deg == pytest.approx(75.03, abs=0.01)
    assert between.nearest_above_deg == pytest.approx(93.77, abs=0.01)
    assert between.nearest_deg == pytest.approx((93.77,), abs=0.01)


def test_corridor_reach_retrograde_is_refused_when_no_corridor_goes_west() -> None:
    # The whole direct-ascent range allows 139°, the corridors do not.
    assert is_inclination_reachable(JIUQUAN_LAT, 139)
    reach = corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, 139)
    assert not reach.reachable
    assert reach.nearest_deg == pytest.approx((101.27,), abs=0.01)


def test_corridor_reach_with_tolerance_flies_the_edge() -> None:
    edge = corridor_inclination_ranges(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS)[1][1]
    assert not corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, edge + 0.3).reachable
    reach = corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, edge + 0.3, tolerance_deg=0.5)
    assert reach.reachable
    assert reach.azimuths_deg == pytest.approx((195.0,), abs=1e-6)


def test_corridor_reach_both_branches_inside_one_corridor() -> None:
    reach = corridor_reach(0, [(0, 360)], 60)
    assert reach.azimuths_deg == pytest.approx((30.0, 150.0))


def test_corridor_reach_tie_gives_both_nearest() -> None:
    # From the equator i = acos(sin Az): corridor 0°–10° reaches 80°..90°, 30°–40° reaches 50°..60°.
    corridors = [(0, 10), (30, 40)]
    assert corridor_inclination_ranges(0, corridors) == [
        pytest.approx((50.0, 60.0)),
        pytest.approx((80.0, 90.0)),
    ]
    assert corridor_reach(0, corridors, 55).reachable
    closer = corridor_reach(0, corridors, 65)
    assert not closer.reachable
    assert closer.nearest_deg == pytest.approx((60.0,))
    tie = corridor_reach(0, corridors, 70)
    assert tie.nearest_deg == pytest.approx((60.0, 80.0))


def test_corridor_reach_refuses_bad_corridors_and_tolerance() -> None:
    with pytest.raises(OrbitError):
        corridor_reach(JIUQUAN_LAT, [(135,)], 97.4)  # type: ignore[list-item]
    with pytest.raises(OrbitError):
        corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, 97.4, tolerance_deg=-1)
    with pytest.raises(OrbitError):
        corridor_reach(JIUQUAN_LAT, JIUQUAN_LIKE_CORRIDORS, 181)


# --------------------------------------------------------------------------
# Earth's rotation and capacity by inclination
# --------------------------------------------------------------------------


def test_equatorial_rotation_speed() -> None:
    # WGS 84: 7.292115e-5 rad/s x 6,378,137 m.
    assert pytest.approx(465.1, abs=0.01) == EARTH_EQUATORIAL_ROTATION_SPEED_MPS
    assert surface_rotation_speed_mps(0) == pytest.approx(465.1, abs=0.01)
    assert surface_rotation_speed_mps(60) == pytest.approx(232.55, abs=0.01)
    assert surface_rotation_speed_mps(-60) == pytest.approx(232.55, abs=0.01)


@pytest.mark.parametrize(
    ("inclination", "expected_mps"),
    [(41, 351), (97.4, -60), (139, -351), (90, 0)],
)
def test_rotation_gain_for_inclination_matches_domain(inclination: float, expected_mps: float) -> None:
    assert rotation_gain_for_inclination_mps(inclination) == pytest.approx(expected_mps, abs=0.5)


@given(
    st.floats(min_value=-89.0, max_value=89.0),
    st.floats(min_value=0.0, max_value=360.0),
)
def test_rotation_gain_depends_only_on_the_inclination(latitude: float, azimuth: float) -> None:
    inclination = inclination_from_azimuth(latitude, azimuth)
    assert rotation_gain_mps(latitude, azimuth) == pytest.approx(
        rotation_gain_for_inclination_mps(inclination), abs=1e-6
    )


def test_last_stage_sensitivity_follows_the_rocket_equation() -> None:
    sensitivity = last_stage_sensitivity_kg_per_mps(
        payload_kg=350, stage_dry_mass_kg=300, stage_propellant_kg=1500, exhaust_velocity_mps=2850
    )
    # m0 * mf / (ve * mp) = 2150 * 650 / (2850 * 1500)
    assert sensitivity == pytest.approx(0.3269, abs=1e-4)

    # Check against the rocket equation itself: 1 m/s less needed buys about that much payload.
    def delta_v(payload: float) -> float:
        return 2850 * math.log((300 + 1500 + payload) / (300 + payload))

    assert delta_v(350 + sensitivity) == pytest.approx(delta_v(350) - 1, abs=0.01)


def test_last_stage_sensitivity_refuses_nonsense() -> None:
    with pytest.raises(OrbitError):
        last_stage_sensitivity_kg_per_mps(
            payload_kg=350, stage_dry_mass_kg=300, stage_propellant_kg=0, exhaust_velocity_mps=2850
        )
    with pytest.raises(OrbitError):
        last_stage_sensitivity_kg_per_mps(
            payload_kg=-1, stage_dry_mass_kg=300, stage_propellant_kg=10, exhaust_velocity_mps=2850
        )


def test_capacity_at_inclination_one_point_with_a_sensitivity() -> None:
    # 353 kg at 41°; 139° costs 351 - (-351) = 702 m/s: 353 - 0.3 * 702 = 142.4 kg.
    assert capacity_at_inclination([(41, 353)], 139, sensitivity_kg_per_mps=0.3) == Decimal("142.4")
    assert capacity_at_inclination([(41, 353)], 41) == Decimal("353.0")


def test_capacity_at_inclination_is_monotonic_easterly_polar_retrograde() -> None:
    points = [(41, 353)]
    easterly = capacity_at_inclination(points, 41, sensitivity_kg_per_mps=0.3)
    polar = capacity_at_inclination(points, 90, sensitivity_kg_per_mps=0.3)
    sso = capacity_at_inclination(points, 97.4, sensitivity_kg_per_mps=0.3)
    retrograde = capacity_at_inclination(points, 139, sensitivity_kg_per_mps=0.3)
    assert easterly > polar > sso > retrograde
    assert polar == Decimal("247.7")  # 353 - 0.3 * 351.0


def test_capacity_at_inclination_interpolates_in_rotation_gain() -> None:
    points = [(41, 353), (97.4, 260)]
    g41 = rotation_gain_for_inclination_mps(41)
    g97 = rotation_gain_for_inclination_mps(97.4)
    g60 = rotation_gain_for_inclination_mps(60)
    expected = 260 + (353 - 260) * (g60 - g97) / (g41 - g97)
    assert capacity_at_inclination(points, 60) == Decimal(f"{expected:.1f}")
    assert capacity_at_inclination(points, 97.4) == Decimal("260.0")


def test_capacity_at_inclination_extrapolates_with_the_nearest_slope_or_the_sensitivity() -> None:
    points = [(41, 353), (97.4, 260)]
    slope = 93 / (rotation_gain_for_inclination_mps(41) - rotation_gain_for_inclination_mps(97.4))
    beyond = 260 + slope * (rotation_gain_for_inclination_mps(139) - rotation_gain_for_inclination_mps(97.4))
    assert capacity_at_inclination(points, 139) == Decimal(f"{beyond:.1f}")
    with_sensitivity = 260 + 0.1 * (-351.0162 + 59.9030)
    assert capacity_at_inclination(points, 139, sensitivity_kg_per_mps=0.1) == Decimal(
        f"{with_sensitivity:.1f}"
    )


def test_capacity_at_inclination_never_goes_below_zero() -> None:
    assert capacity_at_inclination([(41, 100)], 139, sensitivity_kg_per_mps=1) == Decimal("0.0")


def test_capacity_at_inclination_refusals() -> None:
    with pytest.raises(OrbitError, match="needs a second measured inclination or a sensitivity"):
        capacity_at_inclination([(41, 353)], 97.4)
    with pytest.raises(OrbitError, match="no measured points"):
        capacity_at_inclination([], 97.4)
    with pytest.raises(OrbitError, match="more than one capacity was measured at 41°"):
        capacity_at_inclination([(41, 353), (41.0, 350)], 60)
    with pytest.raises(OrbitError, match="lifts less, not more"):
        capacity_at_inclination([(41, 300), (97.4, 320)], 60)
    with pytest.raises(OrbitError):
        capacity_at_inclination([(41, 353)], 97.4, sensitivity_kg_per_mps=-0.1)
    with pytest.raises(OrbitError):
        capacity_at_inclination([(41, -1)], 41)


@given(
    st.floats(min_value=0.0, max_value=180.0),
    st.floats(min_value=0.0, max_value=180.0),
    st.floats(min_value=0.0, max_value=2.0),
)
def test_capacity_at_inclination_never_rises_away_from_due_east(
    first: float, second: float, sensitivity: float
) -> None:
    points = [(50, 1000), (98, 800)]
    a = capacity_at_inclination(points, first, sensitivity_kg_per_mps=sensitivity)
    b = capacity_at_inclination(points, second, sensitivity_kg_per_mps=sensitivity)
    if first <= second:
        assert a >= b - Decimal("0.1")
    else:
        assert b >= a - Decimal("0.1")


# --------------------------------------------------------------------------
# Sun-synchronous ceiling, tolerance and node drift
# --------------------------------------------------------------------------


def test_sun_synchronous_inclination_wikipedia_examples() -> None:
    # Wikipedia, "Sun-synchronous orbit": about 98.6° at 800 km, 96° at a = 6554 km.
    assert sun_synchronous_inclination(800) == pytest.approx(98.6, abs=0.05)
    assert sun_synchronous_inclination(6554 - 6378) == pytest.approx(96.2, abs=0.1)


def test_highest_sun_synchronous_altitude() -> None:
    assert pytest.approx(5974.0) == SSO_MAX_ALTITUDE_KM
    assert sun_synchronous_inclination(SSO_MAX_ALTITUDE_KM) == pytest.approx(180.0)
    with pytest.raises(OrbitError, match="the highest possible altitude is 5974 km"):
        sun_synchronous_inclination(SSO_MAX_ALTITUDE_KM + 1)


def test_one_sso_tolerance() -> None:
    assert Decimal("0.5") == SSO_INCLINATION_TOLERANCE_DEG
    sso = sun_synchronous_inclination(500)
    assert is_sun_synchronous(500, sso)
    assert is_sun_synchronous(500, sso + 0.5)
    assert is_sun_synchronous(500, Decimal(str(round(sso - 0.49, 2))))
    assert not is_sun_synchronous(500, sso + 0.6)
    assert not is_sun_synchronous(500, 60)
    assert is_sun_synchronous(500, sso + 0.9, tolerance_deg=1)


def test_no_sso_above_the_ceiling() -> None:
    assert not is_sun_synchronous(7000, 180)
    assert is_sun_synchronous(SSO_MAX_ALTITUDE_KM, 180)
    with pytest.raises(OrbitError):
        is_sun_synchronous(0, 97)


def test_sso_node_drift_matches_domain() -> None:
    # DOMAIN.md: 1° off in inclination drifts the node by about 3 hours a year.
    sso = sun_synchronous_inclination(500)
    assert sso_node_drift_hours_per_year(500, sso) == pytest.approx(0.0, abs=1e-9)
    assert sso_node_drift_hours_per_year(500, sso + 1) == pytest.approx(3.2, abs=0.1)
    assert sso_node_drift_hours_per_year(500, sso - 1) == pytest.approx(-3.2, abs=0.1)
    half = sso_node_drift_hours_per_year(500, sso + float(SSO_INCLINATION_TOLERANCE_DEG))
    assert half == pytest.approx(1.6, abs=0.05)


# --------------------------------------------------------------------------
# Local time of the node and the launch time of day
# --------------------------------------------------------------------------


def test_ltan_and_ltdn_are_twelve_hours_apart() -> None:
    assert ltdn_from_ltan(time(22, 30)) == time(10, 30)
    assert ltan_from_ltdn(time(10, 30)) == time(22, 30)
    assert ltan_from_ltdn(time(6, 0)) == time(18, 0)
    assert ltdn_from_ltan(time(0, 0)) == time(12, 0)


def test_local_times_match_across_midnight() -> None:
    assert local_time_gap_minutes(time(23, 50), time(0, 10)) == pytest.approx(20)
    assert local_times_match(time(23, 50), time(0, 10), 20)
    assert not local_times_match(time(23, 50), time(0, 10), 19)
    assert local_times_match(time(10, 30), time(10, 45), 15)
    assert local_time_gap_minutes(time(6, 0), time(18, 0)) == pytest.approx(720)
    with pytest.raises(OrbitError):
        local_times_match(time(10, 30), time(10, 45), -1)
    with pytest.raises(OrbitError, match="time zone"):
        local_time_gap_minutes(time(10, 30, tzinfo=UTC), time(10, 45))


_TIMES = st.times()


@given(_TIMES)
def test_ltan_ltdn_round_trip(ltan: time) -> None:
    assert ltan_from_ltdn(ltdn_from_ltan(ltan)) == ltan
    assert local_time_gap_minutes(ltan, ltdn_from_ltan(ltan)) == pytest.approx(720)


@given(_TIMES, _TIMES, st.integers(min_value=-3, max_value=3))
def test_local_time_gap_wraps_and_is_symmetric(first: time, second: time, days: int) -> None:
    gap = local_time_gap_minutes(first, second)
    assert 0 <= gap <= 720
    assert gap == pytest.approx(local_time_gap_minutes(second, first))
    shifted = (datetime.combine(date(2025, 1, 10), second) + timedelta(days=days)).time()
    assert local_time_gap_minutes(first, shifted) == pytest.approx(gap)


def test_launch_time_from_the_equator_is_the_node_time() -> None:
    # On the equator the site is at the node: ascending at LTAN, descending at LTDN, less
    # longitude / 15° hours. Kourou-like longitude -52.77° (3 h 31 min 4.8 s west).
    ascending = sso_launch_time_utc(
        launch_date=date(2025, 6, 1),
        ltan=time(22, 30),
        latitude_deg=0,
        longitude_deg=-52.77,
        inclination_deg=98.0,
        launch_pass="ascending",
    )
    assert ascending == datetime(2025, 6, 1, 2, 1, 5, tzinfo=UTC)
    descending = sso_launch_time_utc(
        launch_date=date(2025, 6, 1),
        ltan=time(22, 30),
        latitude_deg=0,
        longitude_deg=-52.77,
        inclination_deg=98.0,
        launch_pass="descending",
    )
    assert descending == datetime(2025, 6, 1, 14, 1, 5, tzinfo=UTC)


def test_launch_time_jiuquan_hand_computation() -> None:
    # docs/orbits.md: Jiuquan (40.96° N, 100.29° E), SSO 97.4°, LTDN 10:30, southward.
    # Δα = asin(tan 40.96° / tan 97.4°) = -6.48°; local mean time 10:30 + 25.9 min = 10:55.9;
    # UTC = 10:55.9 - 6 h 41.2 min = 04:14.7.
    launch = sso_launch_time_utc(
        launch_date=date(2025, 3, 1),
        ltan=ltan_from_ltdn(time(10, 30)),
        latitude_deg=JIUQUAN_LAT,
        longitude_deg=JIUQUAN_LON,
        inclination_deg=97.4,
        launch_pass="descending",
    )
    assert launch.tzinfo is UTC
    assert launch.date() == date(2025, 3, 1)
    assert launch.replace(tzinfo=None) == pytest.approx(
        datetime(2025, 3, 1, 4, 14, 44), abs=timedelta(seconds=30)
    )


def test_launch_time_gaofen_1() -> None:
    # Gaofen-1: Long March 2D from Jiuquan, 26 April 2013 at 12:13 Beijing time (04:13 UTC),
    # SSO 645 km at 98.05°, LTDN 10:30 (eoPortal). The model gives 04:17 UTC.
    launch = sso_launch_time_utc(
        launch_date=date(2013, 4, 26),
        ltan=ltan_from_ltdn(time(10, 30)),
        latitude_deg=JIUQUAN_LAT,
        longitude_deg=JIUQUAN_LON,
        inclination_deg=98.05,
        launch_pass="descending",
    )
    actual = datetime(2013, 4, 26, 4, 13, tzinfo=UTC)
    assert abs(launch - actual) <= timedelta(minutes=10)


def test_launch_time_is_the_same_every_day() -> None:
    days = [
        sso_launch_time_utc(
            launch_date=date(2025, 1, 1) + timedelta(days=offset),
            ltan=time(22, 30),
            latitude_deg=JIUQUAN_LAT,
            longitude_deg=JIUQUAN_LON,
            inclination_deg=97.4,
            launch_pass="descending",
        )
        for offset in (0, 90, 180)
    ]
    assert len({launch.time() for launch in days}) == 1


def test_launch_time_refusals() -> None:
    kwargs = {
        "launch_date": date(2025, 1, 1),
        "ltan": time(22, 30),
        "latitude_deg": JIUQUAN_LAT,
        "longitude_deg": JIUQUAN_LON,
        "launch_pass": "descending",
    }
    with pytest.raises(OrbitError, match="cannot reach 30°"):
        sso_launch_time_utc(inclination_deg=30, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(OrbitError, match="no node"):
        sso_launch_time_utc(**{**kwargs, "latitude_deg": 0, "inclination_deg": 0})  # type: ignore[arg-type]
    with pytest.raises(OrbitError, match="pass"):
        sso_launch_time_utc(**{**kwargs, "launch_pass": "north", "inclination_deg": 97.4})  # type: ignore[arg-type]
    with pytest.raises(OrbitError, match="aware"):
        sso_ltan_from_launch(
            datetime(2025, 1, 1, 4, 0),
            latitude_deg=JIUQUAN_LAT,
            longitude_deg=JIUQUAN_LON,
            inclination_deg=97.4,
            launch_pass="descending",
        )


@given(
    _TIMES,
    st.floats(min_value=-60.0, max_value=60.0),
    st.floats(min_value=-180.0, max_value=180.0),
    st.floats(min_value=96.0, max_value=100.0),
    st.sampled_from(["ascending", "descending"]),
)
def test_ltan_launch_time_round_trip(
    ltan: time, latitude: float, longitude: float, inclination: float, launch_pass: str
) -> None:
    launch = sso_launch_time_utc(
        launch_date=date(2025, 6, 21),
        ltan=ltan,
        latitude_deg=latitude,
        longitude_deg=longitude,
        inclination_deg=inclination,
        launch_pass=launch_pass,  # type: ignore[arg-type]
    )
    assert launch.date() == date(2025, 6, 21)
    back = sso_ltan_from_launch(
        launch,
        latitude_deg=latitude,
        longitude_deg=longitude,
        inclination_deg=inclination,
        launch_pass=launch_pass,  # type: ignore[arg-type]
    )
    # The launch time is rounded to the second.
    assert local_time_gap_minutes(back, ltan) <= 0.5 / 60 + 1e-9


# --------------------------------------------------------------------------
# Great-circle distance and road transit
# --------------------------------------------------------------------------


def _spherical_law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Independent reference distance (km) using the spherical law of cosines."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    cos_c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(cos_c)


def test_great_circle_distance_jiuquan_to_taiyuan() -> None:
    expected = _spherical_law_of_cosines_km(40.96, 100.29, 38.85, 111.61)
    assert expected == pytest.approx(992.9, abs=0.1)
    distance = great_circle_distance_km(40.96, 100.29, 38.85, 111.61)
    assert distance == pytest.approx(expected, rel=0.01)
    assert distance == pytest.approx(990, rel=0.01)


def test_great_circle_distance_is_symmetric() -> None:
    forward = great_circle_distance_km(40.96, 100.29, 19.61, 110.95)
    backward = great_circle_distance_km(19.61, 110.95, 40.96, 100.29)
    assert forward == pytest.approx(backward)


def test_great_circle_distance_zero_for_same_point() -> None:
    assert great_circle_distance_km(28.25, 102.03, 28.25, 102.03) == 0.0


def test_great_circle_distance_antipodal() -> None:
    distance = great_circle_distance_km(10.0, 20.0, -10.0, -160.0)
    assert distance == pytest.approx(20015.1, rel=1e-4)
    assert distance == pytest.approx(math.pi * 6371.0088)


def test_great_circle_distance_refuses_invalid_latitude() -> None:
    with pytest.raises(OrbitError):
        great_circle_distance_km(91.0, 0.0, 0.0, 0.0)


def test_road_transit_hours_uses_default_road_factor() -> None:
    # 1000 km * 1.3 / 50 km/h
    assert road_transit_hours(1000, 50) == pytest.approx(26.0)


def test_road_transit_hours_with_custom_factor() -> None:
    assert road_transit_hours(600, 60, road_factor=1.0) == pytest.approx(10.0)
    assert road_transit_hours(0, 60) == 0.0


@pytest.mark.parametrize("speed", [0, -40])
def test_road_transit_hours_refuses_non_positive_speed(speed: int) -> None:
    with pytest.raises(OrbitError, match="road speed"):
        road_transit_hours(1000, speed)


def test_road_transit_hours_refuses_negative_distance() -> None:
    with pytest.raises(OrbitError):
        road_transit_hours(-1, 50)
