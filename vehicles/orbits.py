"""Orbital and geographic calculations for launch booking.

Pure functions with no Django dependency. Units are stated in every
docstring: altitudes and distances in kilometres, payload capacities in
kilograms, angles in degrees, speeds in km/h and durations in hours.
Refusals are raised as :class:`OrbitError` with a human-readable message
that can be shown to a customer or operator as is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

__all__ = [
    "DEFAULT_ROAD_FACTOR",
    "EARTH_MEAN_RADIUS_KM",
    "EARTH_RADIUS_KM",
    "SSO_EARTH_RADIUS_KM",
    "SSO_REFERENCE_RADIUS_KM",
    "Number",
    "OrbitError",
    "capacity_at_altitude",
    "great_circle_distance_km",
    "is_inclination_reachable",
    "lowest_reachable_inclination",
    "reachable_inclination_range",
    "road_transit_hours",
    "sun_synchronous_inclination",
]

Number = float | int | Decimal

#: Equatorial Earth radius (WGS 84) in km, used for orbital geometry.
EARTH_RADIUS_KM: float = 6378.137

#: Mean Earth radius (IUGG) in km, used for great-circle distances.
EARTH_MEAN_RADIUS_KM: float = 6371.0088

#: Earth radius in km used by the sun-synchronous formula (per DOMAIN.md).
SSO_EARTH_RADIUS_KM: float = 6378.0

#: Semi-major axis in km at which a sun-synchronous orbit is retrograde
#: polar (cos i = -1); no sun-synchronous orbit exists beyond it.
SSO_REFERENCE_RADIUS_KM: float = 12352.0

#: Default ratio of road distance to great-circle distance.
DEFAULT_ROAD_FACTOR: float = 1.3

_CAPACITY_STEP = Decimal("0.1")


class OrbitError(ValueError):
    """A calculation was refused; the message is meant for humans."""


# --------------------------------------------------------------------------
# Internal helpers
# --------------------------------------------------------------------------


def _to_decimal(value: Number, what: str) -> Decimal:
    """Convert an int, float or Decimal to a finite Decimal.

    Floats go through their shortest ``repr`` so that ``0.1`` becomes
    ``Decimal("0.1")`` rather than its binary expansion.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise OrbitError(f"{what} must be a number, got {value!r}")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise OrbitError(f"{what} must be a finite number, got {value!r}")
    return result


def _to_float(value: Number, what: str) -> float:
    """Convert an int, float or Decimal to a finite float."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise OrbitError(f"{what} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise OrbitError(f"{what} must be a finite number, got {value!r}")
    return result


def _fmt(value: Decimal | float) -> str:
    """Format a number for messages without superfluous trailing zeros."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text


def _validate_latitude(latitude_deg: Number, what: str = "latitude") -> float:
    """Return the latitude in degrees as a float, refusing values outside ±90°."""
    latitude = _to_float(latitude_deg, what)
    if not -90.0 <= latitude <= 90.0:
        raise OrbitError(f"{what} {_fmt(latitude)}° is outside the range -90° to 90°")
    return latitude


# --------------------------------------------------------------------------
# Payload capacity curves
# --------------------------------------------------------------------------


def capacity_at_altitude(points: Sequence[tuple[Number, Number]], altitude_km: Number) -> Decimal:
    """Payload capacity in kg at ``altitude_km`` (km) on a capacity curve.

    ``points`` are ``(altitude_km, capacity_kg)`` pairs for one orbit family
    of one vehicle model, in any order. The capacity is linearly
    interpolated between the two neighbouring points; exactly at a point
    the point's own capacity is returned. A single point answers only for
    its own altitude.

    Returns the capacity in kg as a :class:`~decimal.Decimal` rounded to
    0.1 kg (ROUND_HALF_UP). Inputs may be ``int``, ``float`` or ``Decimal``.

    Raises :class:`OrbitError` when the curve is empty, has two points at
    the same altitude, has a negative capacity, or when ``altitude_km`` is
    outside the altitudes the curve covers (no extrapolation).
    """
    altitude = _to_decimal(altitude_km, "altitude")
    if not points:
        raise OrbitError(f"no capacity is known at {_fmt(altitude)} km: the curve has no points")

    curve: list[tuple[Decimal, Decimal]] = []
    for point_altitude, point_capacity in points:
        alt = _to_decimal(point_altitude, "curve altitude")
        cap = _to_decimal(point_capacity, "curve capacity")
        if cap < 0:
            raise OrbitError(f"capacity {_fmt(cap)} kg at {_fmt(alt)} km must not be negative")
        curve.append((alt, cap))
    curve.sort(key=lambda point: point[0])

    for (alt_a, _), (alt_b, _) in pairwise(curve):
        if alt_a == alt_b:
            raise OrbitError(f"the curve has more than one point at {_fmt(alt_a)} km")

    lowest, highest = curve[0][0], curve[-1][0]
    if altitude < lowest or altitude > highest:
        if len(curve) == 1:
            raise OrbitError(
                f"{_fmt(altitude)} km is outside the curve, which only has a point at {_fmt(lowest)} km"
            )
        raise OrbitError(f"{_fmt(altitude)} km is outside the curve of {_fmt(lowest)}–{_fmt(highest)} km")

    capacity = curve[-1][1]
    for (alt_a, cap_a), (alt_b, cap_b) in pairwise(curve):
        if altitude == alt_a:
            capacity = cap_a
            break
        if alt_a < altitude < alt_b:
            fraction = (altitude - alt_a) / (alt_b - alt_a)
            capacity = cap_a + (cap_b - cap_a) * fraction
            break

    return capacity.quantize(_CAPACITY_STEP, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------
# Inclinations
# --------------------------------------------------------------------------


def reachable_inclination_range(latitude_deg: Number) -> tuple[float, float]:
    """Inclinations in degrees reachable by direct ascent from a launch site.

    From a site at geodetic latitude φ (degrees, -90 to 90) a vehicle can
    reach inclinations ``|φ| ≤ i ≤ 180 - |φ|`` without a dog-leg or plane
    change. Returns ``(lowest, highest)`` in degrees.

    Raises :class:`OrbitError` for a latitude outside -90°..90°.
    """
    latitude = abs(_validate_latitude(latitude_deg))
    return latitude, 180.0 - latitude


def is_inclination_reachable(
    latitude_deg: Number,
    inclination_deg: Number,
    tolerance_deg: Number = 0.0,
) -> bool:
    """Whether ``inclination_deg`` (degrees) is reachable from ``latitude_deg``.

    The inclination (0°..180°) must lie within the direct-ascent range of
    :func:`reachable_inclination_range`, widened on both sides by
    ``tolerance_deg`` (degrees, not negative).

    Raises :class:`OrbitError` for an invalid latitude, inclination or
    tolerance.
    """
    lowest, highest = reachable_inclination_range(latitude_deg)
    inclination = _to_float(inclination_deg, "inclination")
    if not 0.0 <= inclination <= 180.0:
        raise OrbitError(f"inclination {_fmt(inclination)}° is outside the range 0° to 180°")
    tolerance = _to_float(tolerance_deg, "tolerance")
    if tolerance < 0.0:
        raise OrbitError(f"tolerance {_fmt(tolerance)}° must not be negative")
    return lowest - tolerance <= inclination <= highest + tolerance


def lowest_reachable_inclination(latitudes: Mapping[str, Number]) -> tuple[str, float]:
    """The site that reaches the lowest inclination, and that inclination.

    ``latitudes`` maps site names to latitudes in degrees. The lowest
    reachable inclination (degrees) from a site equals ``|latitude|``, so
    the site closest to the equator wins; on a tie the first site in the
    mapping's order is returned. Useful for messages such as "no site
    reaches 10°: the lowest reachable inclination is 19.61° from Wenchang".

    Raises :class:`OrbitError` when ``latitudes`` is empty or holds an
    invalid latitude.
    """
    if not latitudes:
        raise OrbitError("no launch sites were given")
    best: tuple[str, float] | None = None
    for name, latitude_deg in latitudes.items():
        lowest, _ = reachable_inclination_range(latitude_deg)
        if best is None or lowest < best[1]:
            best = (name, lowest)
    assert best is not None
    return best


def sun_synchronous_inclination(altitude_km: Number) -> float:
    """Inclination in degrees of a circular sun-synchronous orbit.

    Uses ``cos i = -(a / 12352 km)^3.5`` with semi-major axis
    ``a = 6378 km + altitude_km`` (altitude in km above the equator).
    For example ≈97.0° at 400 km, ≈97.4° at 500 km and ≈98.2° at 700 km.

    Raises :class:`OrbitError` for an altitude that is not positive, or so
    high that ``a`` exceeds 12352 km and no sun-synchronous orbit exists.
    """
    altitude = _to_float(altitude_km, "altitude")
    if altitude <= 0.0:
        raise OrbitError(f"altitude {_fmt(altitude)} km must be above 0 km")
    semi_major_axis = SSO_EARTH_RADIUS_KM + altitude
    if semi_major_axis > SSO_REFERENCE_RADIUS_KM:
        ceiling = SSO_REFERENCE_RADIUS_KM - SSO_EARTH_RADIUS_KM
        raise OrbitError(
            f"no sun-synchronous orbit exists at {_fmt(altitude)} km: "
            f"the highest possible altitude is {_fmt(ceiling)} km"
        )
    cos_i = -((semi_major_axis / SSO_REFERENCE_RADIUS_KM) ** 3.5)
    return math.degrees(math.acos(max(-1.0, cos_i)))


# --------------------------------------------------------------------------
# Ground geography
# --------------------------------------------------------------------------


def great_circle_distance_km(lat1: Number, lon1: Number, lat2: Number, lon2: Number) -> float:
    """Great-circle distance in km between two points given in degrees.

    Uses the haversine formula on a sphere of the mean Earth radius
    (6371.0088 km). Latitudes must be within -90°..90°; longitudes may be
    any finite number of degrees.

    Raises :class:`OrbitError` for an invalid coordinate.
    """
    phi1 = math.radians(_validate_latitude(lat1, "latitude 1"))
    phi2 = math.radians(_validate_latitude(lat2, "latitude 2"))
    lambda1 = math.radians(_to_float(lon1, "longitude 1"))
    lambda2 = math.radians(_to_float(lon2, "longitude 2"))

    haversine = (
        math.sin((phi2 - phi1) / 2.0) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin((lambda2 - lambda1) / 2.0) ** 2
    )
    haversine = min(1.0, max(0.0, haversine))
    central_angle = 2.0 * math.asin(math.sqrt(haversine))
    return EARTH_MEAN_RADIUS_KM * central_angle


def road_transit_hours(
    distance_km: Number,
    road_speed_kmh: Number,
    road_factor: Number = DEFAULT_ROAD_FACTOR,
) -> float:
    """Hours needed to move cargo ``distance_km`` (km) by road.

    The great-circle ``distance_km`` is multiplied by ``road_factor``
    (dimensionless, at least 1) to approximate the road distance, then
    divided by ``road_speed_kmh`` (km/h).

    Raises :class:`OrbitError` for a negative distance, a speed that is not
    positive or a road factor below 1.
    """
    distance = _to_float(distance_km, "distance")
    speed = _to_float(road_speed_kmh, "road speed")
    factor = _to_float(road_factor, "road factor")
    if distance < 0.0:
        raise OrbitError(f"distance {_fmt(distance)} km must not be negative")
    if speed <= 0.0:
        raise OrbitError(f"road speed {_fmt(speed)} km/h must be above 0 km/h")
    if factor < 1.0:
        raise OrbitError(f"road factor {_fmt(factor)} must be at least 1")
    return distance * factor / speed
