"""Tests for vehicles.orbits: capacity curves, inclinations and geography."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vehicles.orbits import (
    EARTH_MEAN_RADIUS_KM,
    EARTH_RADIUS_KM,
    Number,
    OrbitError,
    capacity_at_altitude,
    great_circle_distance_km,
    is_inclination_reachable,
    lowest_reachable_inclination,
    reachable_inclination_range,
    road_transit_hours,
    sun_synchronous_inclination,
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
