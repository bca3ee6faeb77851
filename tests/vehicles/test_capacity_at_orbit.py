"""Capacity at an altitude and an inclination: the pure functions under the catalog's capacity."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vehicles.orbits import (
    OrbitError,
    capacity_at_orbit,
    curve_sensitivity_kg_per_mps,
    hohmann_delta_v_mps,
    rotation_gain_for_inclination_mps,
)


def test_hohmann_delta_v_between_circular_orbits():
    # 500 → 700 km: v1 = 7,612.6 m/s, v2 = 7,503.9 m/s; the two burns add to 108.3 m/s.
    assert hohmann_delta_v_mps(500, 700) == pytest.approx(108.32, abs=0.01)
    assert hohmann_delta_v_mps(700, 500) == pytest.approx(hohmann_delta_v_mps(500, 700))
    assert hohmann_delta_v_mps(400, 400) == 0.0
    with pytest.raises(OrbitError):
        hohmann_delta_v_mps(0, 500)


def test_a_curve_says_how_the_vehicle_trades_speed_for_mass():
    # 300 kg at 500 km, 230 kg at 700 km: 70 kg for 108.3 m/s.
    k = curve_sensitivity_kg_per_mps([(500, 300), (700, 230)], 600)
    assert k == pytest.approx(70 / 108.316, rel=1e-4)
    # Outside the curve, the nearest pair; one altitude (or a rising curve) says nothing.
    assert curve_sensitivity_kg_per_mps([(200, 400), (500, 330), (700, 230)], 800) == pytest.approx(
        100 / hohmann_delta_v_mps(500, 700)
    )
    assert curve_sensitivity_kg_per_mps([(500, 300)], 500) is None
    assert curve_sensitivity_kg_per_mps([(500, 300), (700, 310)], 600) is None


def test_an_easterly_orbit_lifts_more_than_a_polar_one_and_a_polar_one_more_than_a_retrograde_one():
    points = [(200, 41, 300), (500, 41, 260)]
    k = curve_sensitivity_kg_per_mps([(200, 300), (500, 260)], 400)
    easterly = capacity_at_orbit(points, 400, 41, sensitivity_kg_per_mps=k)
    polar = capacity_at_orbit(points, 400, 97, sensitivity_kg_per_mps=k)
    retrograde = capacity_at_orbit(points, 400, 139, sensitivity_kg_per_mps=k)
    assert easterly == Decimal("273.3")  # measured inclination: the altitude curve alone
    assert easterly > polar > retrograde
    # The correction is k times the rotation gain lost: 465.1 (cos 41° − cos 97°) m/s.
    lost = rotation_gain_for_inclination_mps(41) - rotation_gain_for_inclination_mps(97)
    assert float(easterly - polar) == pytest.approx(k * lost, abs=0.1)


def test_each_altitude_is_carried_at_its_own_measured_inclination():
    # SSO figures are measured at each altitude's own sun-synchronous inclination.
    points = [(500, 97.40, 300), (700, 98.19, 230)]
    at_measured = capacity_at_orbit(points, 700, 98.19, sensitivity_kg_per_mps=0.6)
    assert at_measured == Decimal("230.0")
    # At 97.40° the 700 km figure gains 0.6 kg per m/s of the 6.4 m/s more rotation.
    gain = rotation_gain_for_inclination_mps(97.40) - rotation_gain_for_inclination_mps(98.19)
    assert capacity_at_orbit(points, 700, 97.40, sensitivity_kg_per_mps=0.6) == Decimal(
        f"{230 + 0.6 * gain:.1f}"
    )


def test_two_measured_inclinations_interpolate_without_a_sensitivity():
    points = [(400, 41, 480), (400, 97, 380)]
    between = capacity_at_orbit(points, 400, 60)
    assert Decimal(380) < between < Decimal(480)


def test_what_the_data_cannot_say_is_refused():
    with pytest.raises(OrbitError, match="outside the curve of 200–500 km"):
        capacity_at_orbit([(200, 41, 300), (500, 41, 260)], 600, 41)
    with pytest.raises(OrbitError, match="needs a second measured inclination or a sensitivity"):
        capacity_at_orbit([(200, 41, 300), (500, 41, 260)], 400, 97)
    with pytest.raises(OrbitError, match="no points"):
        capacity_at_orbit([], 400, 97)
