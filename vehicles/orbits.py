"""Orbital and geographic calculations for launch booking.

Pure functions with no Django dependency. Units are stated in every
docstring: altitudes and distances in kilometres, payload capacities in
kilograms, angles in degrees, ground speeds in km/h, orbital and rotation
speeds in m/s, durations in hours and local times of day as
:class:`datetime.time`. Azimuths are measured clockwise from true north
(0°..360°). Sources and worked examples are in ``docs/orbits.md``.
Refusals are raised as :class:`OrbitError` with a human-readable message
that can be shown to a customer or operator as is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Literal

__all__ = [
    "DEFAULT_ROAD_FACTOR",
    "EARTH_EQUATORIAL_ROTATION_SPEED_MPS",
    "EARTH_GM_KM3_S2",
    "EARTH_MEAN_RADIUS_KM",
    "EARTH_RADIUS_KM",
    "EARTH_ROTATION_RATE_RAD_S",
    "MEAN_SUN_RATE_DEG_PER_DAY",
    "SSO_EARTH_RADIUS_KM",
    "SSO_INCLINATION_TOLERANCE_DEG",
    "MAX_ALTITUDE_KM",
    "MIN_ALTITUDE_KM",
    "SSO_MAX_ALTITUDE_KM",
    "SSO_REFERENCE_RADIUS_KM",
    "AzimuthCorridor",
    "CorridorReach",
    "Number",
    "OrbitError",
    "Pass",
    "altitude_problem",
    "capacity_at_altitude",
    "capacity_at_inclination",
    "capacity_at_orbit",
    "curve_sensitivity_kg_per_mps",
    "hohmann_delta_v_mps",
    "circular_orbit_speed_mps",
    "corridor_inclination_ranges",
    "corridor_reach",
    "great_circle_distance_km",
    "ground_relative_azimuth",
    "inclination_from_azimuth",
    "is_inclination_reachable",
    "is_sun_synchronous",
    "last_stage_sensitivity_kg_per_mps",
    "launch_azimuths",
    "local_time_gap_minutes",
    "local_times_match",
    "lowest_reachable_inclination",
    "ltan_from_ltdn",
    "ltdn_from_ltan",
    "reachable_inclination_range",
    "road_transit_hours",
    "rotation_gain_for_inclination_mps",
    "rotation_gain_mps",
    "sso_launch_time_utc",
    "sso_ltan_from_launch",
    "sso_node_drift_hours_per_year",
    "sun_synchronous_inclination",
    "surface_rotation_speed_mps",
]

Number = float | int | Decimal

#: An allowed range of launch azimuths in degrees, ``(from, to)`` clockwise
#: from north: ``(350, 10)`` is the 20° arc through north.
AzimuthCorridor = tuple[Number, Number]

#: Which equator crossing of an orbit a launch flies into: a launch going
#: north joins the ascending half of the orbit, one going south the
#: descending half.
Pass = Literal["ascending", "descending"]

#: Equatorial Earth radius (WGS 84) in km, used for orbital geometry.
EARTH_RADIUS_KM: float = 6378.137

#: Mean Earth radius (IUGG) in km, used for great-circle distances.
EARTH_MEAN_RADIUS_KM: float = 6371.0088

#: The altitudes the catalog sells, in km: above the edge of space and at most 40,000 km (beyond
#: geostationary). The one ceiling of payload forms, API serializers and services.
MIN_ALTITUDE_KM: int = 100
MAX_ALTITUDE_KM: int = 40_000


def altitude_problem(altitude_km: Number) -> str | None:
    """Why ``altitude_km`` is not an altitude the catalog sells, or None when it is."""
    if altitude_km < MIN_ALTITUDE_KM:
        return f"The target altitude must be at least {MIN_ALTITUDE_KM} km."
    if altitude_km > MAX_ALTITUDE_KM:
        return f"The target altitude must be at most {MAX_ALTITUDE_KM:,} km."
    return None


#: Earth radius in km used by the sun-synchronous formula (per DOMAIN.md).
SSO_EARTH_RADIUS_KM: float = 6378.0

#: Semi-major axis in km at which a sun-synchronous orbit is retrograde
#: polar (cos i = -1); no sun-synchronous orbit exists beyond it.
SSO_REFERENCE_RADIUS_KM: float = 12352.0

#: Highest circular sun-synchronous altitude in km: where ``cos i = -1`` in
#: :func:`sun_synchronous_inclination`, i.e. ``a = 12352 km`` (5974 km).
SSO_MAX_ALTITUDE_KM: float = SSO_REFERENCE_RADIUS_KM - SSO_EARTH_RADIUS_KM

#: How far (degrees) an orbit's inclination may differ from the
#: sun-synchronous inclination of its altitude and still be called
#: sun-synchronous. The one tolerance for payload registration, rideshare
#: matching and scheduling. 0.5° off at 500 km drifts the node by about 1.6
#: hours a year (:func:`sso_node_drift_hours_per_year`); 1° would be over 3.
SSO_INCLINATION_TOLERANCE_DEG: Decimal = Decimal("0.5")

#: Earth's rotation rate in rad/s (WGS 84 defining constant).
EARTH_ROTATION_RATE_RAD_S: float = 7.292115e-5

#: Eastward speed of the equator in m/s: rotation rate times the equatorial
#: radius (about 465.1 m/s).
EARTH_EQUATORIAL_ROTATION_SPEED_MPS: float = EARTH_ROTATION_RATE_RAD_S * EARTH_RADIUS_KM * 1000.0

#: Earth's gravitational parameter in km^3/s^2 (WGS 84, EGM96).
EARTH_GM_KM3_S2: float = 398600.4418

#: Mean motion of the mean sun in right ascension, degrees per day
#: (360° per tropical year of 365.2422 days); a sun-synchronous node moves
#: east at this rate.
MEAN_SUN_RATE_DEG_PER_DAY: float = 360.0 / 365.2422

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
# Corridor geometry: launch azimuth and inclination
# --------------------------------------------------------------------------

#: Slack in degrees for float round-off when testing whether an azimuth
#: lies in a corridor or an inclination on a range boundary.
_ANGLE_EPSILON_DEG = 1e-9


def _validate_inclination(inclination_deg: Number) -> float:
    """Return the inclination in degrees as a float, refusing values outside 0°..180°."""
    inclination = _to_float(inclination_deg, "inclination")
    if not 0.0 <= inclination <= 180.0:
        raise OrbitError(f"inclination {_fmt(inclination)}° is outside the range 0° to 180°")
    return inclination


def _validate_tolerance(tolerance: Number, unit: str) -> float:
    """Return a tolerance as a float, refusing negative values."""
    value = _to_float(tolerance, "tolerance")
    if value < 0.0:
        raise OrbitError(f"tolerance {_fmt(value)}{unit} must not be negative")
    return value


def _site_cos_latitude(latitude_deg: Number) -> float:
    """cos φ of a launch site, refusing the poles (where azimuth has no meaning)."""
    latitude = _validate_latitude(latitude_deg)
    if abs(latitude) == 90.0:
        raise OrbitError("a launch azimuth has no meaning at a pole")
    return math.cos(math.radians(latitude))


def inclination_from_azimuth(latitude_deg: Number, azimuth_deg: Number) -> float:
    """Inclination in degrees (0°..180°) of a direct ascent from latitude φ at azimuth Az.

    Spherical trigonometry of the orbit plane through the site:
    ``cos i = cos φ · sin Az``. ``latitude_deg`` is in degrees (-90° exclusive
    to 90° exclusive); ``azimuth_deg`` is the inertial launch azimuth in
    degrees clockwise from north (any finite value, taken modulo 360°). Due
    east (90°) gives ``i = |φ|``, due west (270°) ``i = 180° - |φ|``, due
    north or south a polar orbit (90°).

    Raises :class:`OrbitError` for an invalid latitude (or a pole) or azimuth.
    """
    cos_latitude = _site_cos_latitude(latitude_deg)
    azimuth = math.radians(_to_float(azimuth_deg, "azimuth"))
    cos_i = max(-1.0, min(1.0, cos_latitude * math.sin(azimuth)))
    return math.degrees(math.acos(cos_i))


def launch_azimuths(latitude_deg: Number, inclination_deg: Number) -> tuple[float, float]:
    """The two inertial launch azimuths (degrees) of a direct ascent into an inclination.

    Solves ``sin Az = cos i / cos φ`` (``latitude_deg`` φ and
    ``inclination_deg`` i in degrees) and returns ``(northbound, southbound)``,
    each in 0°..360° clockwise from north: the northbound launch joins the
    orbit's ascending half, the southbound one its descending half. The two
    are equal (90° or 270°) when the inclination is exactly ``|φ|`` or
    ``180° - |φ|``. For example from 28.5° into 28.5°: ``(90, 90)``; from
    Jiuquan (40.96°) into SSO 97.4°: about ``(350.2, 189.8)``.

    Raises :class:`OrbitError` when the inclination is outside the direct
    ascent range ``|φ| ≤ i ≤ 180° - |φ|`` (the message gives the range), or
    for an invalid latitude, pole or inclination.
    """
    cos_latitude = _site_cos_latitude(latitude_deg)
    inclination = _validate_inclination(inclination_deg)
    lowest, highest = reachable_inclination_range(latitude_deg)
    sin_azimuth = math.cos(math.radians(inclination)) / cos_latitude
    if not lowest - _ANGLE_EPSILON_DEG <= inclination <= highest + _ANGLE_EPSILON_DEG:
        raise OrbitError(
            f"a direct ascent from latitude {_fmt(float(latitude_deg))}° cannot reach "
            f"{_fmt(inclination)}°: it reaches {_fmt(round(lowest, 2))}°–{_fmt(round(highest, 2))}°"
        )
    east_of_north = math.degrees(math.asin(max(-1.0, min(1.0, sin_azimuth))))
    return east_of_north % 360.0, (180.0 - east_of_north) % 360.0


def _corridor_arc(corridor: AzimuthCorridor) -> tuple[float, float]:
    """``(start, span)`` of a corridor in degrees: start in 0°..360°, span in 0°..360°."""
    if len(corridor) != 2:
        raise OrbitError(f"a corridor is a pair of azimuths (from, to), got {corridor!r}")
    start = _to_float(corridor[0], "corridor azimuth")
    end = _to_float(corridor[1], "corridor azimuth")
    extent = end - start
    span = 360.0 if extent != 0.0 and extent % 360.0 == 0.0 else extent % 360.0
    return start % 360.0, span


def _arc_contains(start: float, span: float, azimuth_deg: float) -> bool:
    """Whether an azimuth (degrees) lies on the clockwise arc ``start``..``start + span``."""
    offset = (azimuth_deg - start) % 360.0
    return offset <= span + _ANGLE_EPSILON_DEG or offset >= 360.0 - _ANGLE_EPSILON_DEG


def corridor_inclination_ranges(
    latitude_deg: Number, corridors: Sequence[AzimuthCorridor]
) -> list[tuple[float, float]]:
    """Inclinations in degrees reachable by direct ascent within azimuth corridors.

    Each corridor ``(from, to)`` is a clockwise arc of inertial launch
    azimuths in degrees (``(350, 10)`` crosses north; ``(0, 360)`` is every
    direction). Along an arc the inclination ``acos(cos φ · sin Az)`` is
    extreme at its ends, at 90° (``i = |φ|``) and at 270° (``i = 180° - |φ|``),
    so each corridor yields one closed range. Returns the ranges as sorted,
    merged ``(lowest, highest)`` pairs in degrees; empty for no corridors.

    Raises :class:`OrbitError` for an invalid latitude (or a pole) or corridor.
    """
    latitude = abs(_validate_latitude(latitude_deg))
    ranges: list[tuple[float, float]] = []
    for corridor in corridors:
        start, span = _corridor_arc(corridor)
        values = [
            inclination_from_azimuth(latitude_deg, start),
            inclination_from_azimuth(latitude_deg, start + span),
        ]
        if _arc_contains(start, span, 90.0):
            values.append(latitude)
        if _arc_contains(start, span, 270.0):
            values.append(180.0 - latitude)
        ranges.append((min(values), max(values)))
    ranges.sort()
    merged: list[tuple[float, float]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + _ANGLE_EPSILON_DEG:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


@dataclass(frozen=True)
class CorridorReach:
    """Whether a site's corridors reach an inclination, and what they reach instead.

    ``inclination_deg`` is the inclination asked for (degrees). ``reachable``
    says whether a corridor reaches it (within the tolerance asked for).
    ``azimuths_deg`` are the corridor azimuths (degrees, ascending order) that
    fly it, or, when it is reached only thanks to the tolerance, those that
    fly the nearest inclination on the corridors' edge; empty when
    unreachable. ``nearest_below_deg`` and ``nearest_above_deg`` are the
    closest reachable inclinations below and above it when it is unreachable
    (``None`` where there is none, and both ``None`` when it is reachable).
    """

    inclination_deg: float
    reachable: bool
    azimuths_deg: tuple[float, ...]
    nearest_below_deg: float | None
    nearest_above_deg: float | None

    @property
    def nearest_deg(self) -> tuple[float, ...]:
        """The nearest reachable inclination(s) in degrees: one, two on a tie, none if reachable."""
        candidates = [c for c in (self.nearest_below_deg, self.nearest_above_deg) if c is not None]
        if not candidates:
            return ()
        best = min(abs(c - self.inclination_deg) for c in candidates)
        return tuple(c for c in candidates if abs(c - self.inclination_deg) - best <= _ANGLE_EPSILON_DEG)


def corridor_reach(
    latitude_deg: Number,
    corridors: Sequence[AzimuthCorridor],
    inclination_deg: Number,
    tolerance_deg: Number = 0.0,
) -> CorridorReach:
    """Whether a site's corridors reach ``inclination_deg`` by direct ascent; if not, what does.

    ``latitude_deg`` is the site's latitude, ``corridors`` its allowed
    inertial azimuth arcs (see :func:`corridor_inclination_ranges`),
    ``inclination_deg`` the orbit's inclination and ``tolerance_deg`` how far
    outside a reachable range still counts (all in degrees). Lower
    inclinations than ``|φ|`` need a dog-leg, which this does not model.

    Raises :class:`OrbitError` for an invalid latitude (or a pole),
    inclination, corridor or a negative tolerance.
    """
    inclination = _validate_inclination(inclination_deg)
    tolerance = _validate_tolerance(tolerance_deg, "°")
    ranges = corridor_inclination_ranges(latitude_deg, corridors)
    containing = [(low, high) for low, high in ranges if low - tolerance <= inclination <= high + tolerance]
    if not containing:
        below = [high for _, high in ranges if high < inclination]
        above = [low for low, _ in ranges if low > inclination]
        return CorridorReach(
            inclination_deg=inclination,
            reachable=False,
            azimuths_deg=(),
            nearest_below_deg=max(below) if below else None,
            nearest_above_deg=min(above) if above else None,
        )
    # Prefer a range that holds the inclination itself over one reached by the tolerance.
    low, high = min(containing, key=lambda r: max(r[0] - inclination, inclination - r[1], 0.0))
    flown = min(max(inclination, low), high)
    arcs = [_corridor_arc(corridor) for corridor in corridors]
    azimuths = sorted(
        {
            azimuth
            for azimuth in launch_azimuths(latitude_deg, flown)
            if any(_arc_contains(start, span, azimuth) for start, span in arcs)
        }
    )
    return CorridorReach(
        inclination_deg=inclination,
        reachable=True,
        azimuths_deg=tuple(azimuths),
        nearest_below_deg=None,
        nearest_above_deg=None,
    )


# --------------------------------------------------------------------------
# Earth's rotation and capacity by inclination
# --------------------------------------------------------------------------


def surface_rotation_speed_mps(latitude_deg: Number) -> float:
    """Eastward speed in m/s of the ground at ``latitude_deg`` (degrees): 465.1 m/s · cos φ."""
    latitude = _validate_latitude(latitude_deg)
    return EARTH_EQUATORIAL_ROTATION_SPEED_MPS * math.cos(math.radians(latitude))


def rotation_gain_mps(latitude_deg: Number, azimuth_deg: Number) -> float:
    """Velocity in m/s that Earth's rotation lends a launch at ``azimuth_deg`` from ``latitude_deg``.

    The site's eastward speed (:func:`surface_rotation_speed_mps`) projected on
    the inertial launch azimuth (degrees clockwise from north):
    ``465.1 · cos φ · sin Az``. Positive for easterly launches, negative
    (a loss the vehicle must make up) for westerly ones.

    Raises :class:`OrbitError` for an invalid latitude or azimuth.
    """
    azimuth = math.radians(_to_float(azimuth_deg, "azimuth"))
    return surface_rotation_speed_mps(latitude_deg) * math.sin(azimuth)


def rotation_gain_for_inclination_mps(inclination_deg: Number) -> float:
    """Velocity in m/s Earth's rotation lends a direct ascent into ``inclination_deg`` (degrees).

    Since ``cos i = cos φ · sin Az``, the gain ``465.1 · cos φ · sin Az`` is
    ``465.1 · cos i`` whatever the site: +351 m/s at 41°, -60 m/s at 97.4°,
    -351 m/s at 139°.

    Raises :class:`OrbitError` for an inclination outside 0°..180°.
    """
    inclination = _validate_inclination(inclination_deg)
    return EARTH_EQUATORIAL_ROTATION_SPEED_MPS * math.cos(math.radians(inclination))


def circular_orbit_speed_mps(altitude_km: Number) -> float:
    """Inertial speed in m/s of a circular orbit at ``altitude_km`` (km above the equatorial radius).

    ``sqrt(GM / (6378.137 km + h))``. Raises :class:`OrbitError` for an
    altitude that is not positive.
    """
    altitude = _to_float(altitude_km, "altitude")
    if altitude <= 0.0:
        raise OrbitError(f"altitude {_fmt(altitude)} km must be above 0 km")
    return math.sqrt(EARTH_GM_KM3_S2 / (EARTH_RADIUS_KM + altitude)) * 1000.0


def ground_relative_azimuth(latitude_deg: Number, azimuth_deg: Number, orbital_speed_mps: Number) -> float:
    """Heading over the ground in degrees (0°..360°) of an inertial launch azimuth.

    Range documents and NOTAMs give the heading over the rotating Earth; the
    inclination formula uses the inertial azimuth. At insertion speed ``v``
    (m/s, e.g. :func:`circular_orbit_speed_mps`) the ground-relative velocity
    is ``(v cos Az, v sin Az - 465.1 cos φ)`` (north, east), whose heading is
    returned. A southward SSO launch heads further west over the ground than
    its inertial azimuth.

    Raises :class:`OrbitError` for an invalid latitude or azimuth, or a speed
    not above the ground's own rotation speed there.
    """
    speed = _to_float(orbital_speed_mps, "orbital speed")
    ground_speed = surface_rotation_speed_mps(latitude_deg)
    if speed <= ground_speed:
        raise OrbitError(f"orbital speed {_fmt(speed)} m/s must exceed the ground's {ground_speed:.1f} m/s")
    azimuth = math.radians(_to_float(azimuth_deg, "azimuth"))
    north = speed * math.cos(azimuth)
    east = speed * math.sin(azimuth) - ground_speed
    return math.degrees(math.atan2(east, north)) % 360.0


def last_stage_sensitivity_kg_per_mps(
    *,
    payload_kg: Number,
    stage_dry_mass_kg: Number,
    stage_propellant_kg: Number,
    exhaust_velocity_mps: Number,
) -> float:
    """Payload in kg gained per m/s of delta-v the final stage no longer has to give.

    From the rocket equation ``Δv = v_e · ln(m0 / mf)`` of the last stage with
    its propellant fixed (``m0 = dry + propellant + payload``,
    ``mf = dry + payload``): ``dm_payload / dΔv = m0 · mf / (v_e · m_prop)``.
    Assumes the whole change in delta-v is taken by the last stage; the lower
    stages also lose a little delta-v when they carry more mass, so the true
    sensitivity is somewhat smaller (this figure is an upper bound).
    Masses in kg, exhaust velocity in m/s (specific impulse in s times
    9.80665 m/s²).

    Raises :class:`OrbitError` for a negative payload or dry mass, or a
    propellant mass or exhaust velocity that is not positive.
    """
    payload = _to_float(payload_kg, "payload mass")
    dry = _to_float(stage_dry_mass_kg, "stage dry mass")
    propellant = _to_float(stage_propellant_kg, "stage propellant mass")
    exhaust = _to_float(exhaust_velocity_mps, "exhaust velocity")
    if payload < 0.0 or dry < 0.0:
        raise OrbitError("payload and stage dry masses must not be negative")
    if propellant <= 0.0 or exhaust <= 0.0:
        raise OrbitError("stage propellant mass and exhaust velocity must be above 0")
    burnout = dry + payload
    if burnout <= 0.0:
        raise OrbitError("the stage's burnout mass (dry mass plus payload) must be above 0 kg")
    return (burnout + propellant) * burnout / (exhaust * propellant)


def _measured_by_rotation_gain(
    points: Sequence[tuple[Number, Number]],
) -> list[tuple[float, float, Decimal]]:
    """``(gain m/s, inclination °, capacity kg)`` of each measured point, by rising gain.

    Raises :class:`OrbitError` for an invalid inclination, a negative capacity, two points at
    one inclination, or a higher inclination that lifts more.
    """
    measured: list[tuple[float, float, Decimal]] = []
    for point_inclination, point_capacity in points:
        inc = _validate_inclination(point_inclination)
        cap = _to_decimal(point_capacity, "measured capacity")
        if cap < 0:
            raise OrbitError(f"capacity {_fmt(cap)} kg at {_fmt(inc)}° must not be negative")
        measured.append((rotation_gain_for_inclination_mps(inc), inc, cap))
    measured.sort(key=lambda point: point[0])
    for (_, inc_a, cap_a), (_, inc_b, cap_b) in pairwise(measured):
        if inc_a == inc_b:
            raise OrbitError(f"more than one capacity was measured at {_fmt(inc_a)}°")
        if cap_b < cap_a:
            raise OrbitError(
                f"the measured capacities say {_fmt(cap_b)} kg at {_fmt(inc_b)}° but {_fmt(cap_a)} kg "
                f"at {_fmt(inc_a)}°: a direct ascent lifts less, not more, the further the "
                "inclination is from due east"
            )
    return measured


def _extrapolated_capacity_kg(
    measured: list[tuple[float, float, Decimal]],
    gain: float,
    inclination: float,
    sensitivity: float | None,
) -> float:
    """Capacity in kg at a rotation ``gain`` outside the measured points (unrounded, may be < 0).

    From the nearest point: with ``sensitivity`` (kg per m/s) as the slope, else the slope of
    the two nearest points. Raises :class:`OrbitError` for one point and no sensitivity.
    """
    lowest, highest = measured[0], measured[-1]
    end, inner = (lowest, measured[1] if len(measured) > 1 else None)
    if gain > highest[0]:
        end, inner = (highest, measured[-2] if len(measured) > 1 else None)
    if sensitivity is not None:
        slope = sensitivity
    elif inner is not None:
        slope = (float(end[2]) - float(inner[2])) / (end[0] - inner[0])
    else:
        raise OrbitError(
            f"a capacity is known only at {_fmt(end[1])}°: carrying it to {_fmt(inclination)}° "
            "needs a second measured inclination or a sensitivity in kg per m/s"
        )
    return float(end[2]) + slope * (gain - end[0])


def capacity_at_inclination(
    points: Sequence[tuple[Number, Number]],
    inclination_deg: Number,
    *,
    sensitivity_kg_per_mps: Number | None = None,
) -> Decimal:
    """Payload capacity in kg at ``inclination_deg`` from capacities measured at other inclinations.

    ``points`` are ``(inclination_deg, capacity_kg)`` pairs measured for one
    vehicle model, orbit family and altitude, by direct ascent. Each
    inclination is placed on the axis of the velocity Earth's rotation lends
    it, ``g = 465.1 · cos i`` m/s (:func:`rotation_gain_for_inclination_mps`),
    and capacity is taken as linear in ``g``:

    - between two measured points, linear interpolation in ``g`` (exactly at
      a point, its own capacity);
    - outside them, the nearest point plus ``sensitivity_kg_per_mps`` (kg
      per m/s of delta-v, e.g. from :func:`last_stage_sensitivity_kg_per_mps`)
      times the difference in ``g``; without a sensitivity, the slope of the
      two nearest measured points is extended.

    So an easterly orbit lifts more than a polar one, and a polar one more
    than a retrograde one. A result below zero is returned as 0.0 kg (the
    vehicle cannot fly there). Returns a :class:`~decimal.Decimal` rounded
    to 0.1 kg (ROUND_HALF_UP).

    Raises :class:`OrbitError` for no points, two points at one inclination,
    a negative capacity, points in which a higher inclination lifts more
    (Earth's rotation says otherwise), a negative sensitivity, an inclination
    outside 0°..180°, or a single point with no sensitivity to carry it to
    another inclination.
    """
    inclination = _validate_inclination(inclination_deg)
    if not points:
        raise OrbitError(f"no capacity is known at {_fmt(inclination)}°: no measured points were given")
    sensitivity: float | None = None
    if sensitivity_kg_per_mps is not None:
        sensitivity = _to_float(sensitivity_kg_per_mps, "sensitivity")
        if sensitivity < 0.0:
            raise OrbitError(f"sensitivity {_fmt(sensitivity)} kg per m/s must not be negative")

    measured = _measured_by_rotation_gain(points)
    gain = rotation_gain_for_inclination_mps(inclination)
    for _, point_inclination, point_capacity in measured:
        if point_inclination == inclination:
            return point_capacity.quantize(_CAPACITY_STEP, rounding=ROUND_HALF_UP)

    capacity: float
    lowest, highest = measured[0], measured[-1]
    if lowest[0] < gain < highest[0]:
        for (gain_a, _, cap_a), (gain_b, _, cap_b) in pairwise(measured):
            if gain_a <= gain <= gain_b:
                fraction = (gain - gain_a) / (gain_b - gain_a)
                capacity = float(cap_a) + (float(cap_b) - float(cap_a)) * fraction
                break
    else:
        capacity = _extrapolated_capacity_kg(measured, gain, inclination, sensitivity)

    result = Decimal(repr(max(0.0, capacity)))
    return result.quantize(_CAPACITY_STEP, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------
# Capacity at an altitude and an inclination
# --------------------------------------------------------------------------


def hohmann_delta_v_mps(from_altitude_km: Number, to_altitude_km: Number) -> float:
    """Delta-v in m/s of a Hohmann transfer between two circular orbits (altitudes in km).

    The sum of the two burns, ``|v_t1 - v1| + |v2 - v_t2|``, with radii measured from the
    equatorial radius (6,378.137 km) and Earth's GM: about 55 m/s from 500 to 600 km, 108 m/s
    from 500 to 700 km. Zero for equal altitudes; symmetric.

    Raises :class:`OrbitError` for an altitude that is not positive.
    """
    low = _to_float(from_altitude_km, "altitude")
    high = _to_float(to_altitude_km, "altitude")
    if low <= 0.0 or high <= 0.0:
        raise OrbitError("altitudes must be above 0 km")
    r1, r2 = EARTH_RADIUS_KM + min(low, high), EARTH_RADIUS_KM + max(low, high)
    v1 = math.sqrt(EARTH_GM_KM3_S2 / r1)
    v2 = math.sqrt(EARTH_GM_KM3_S2 / r2)
    transfer = 2.0 * r2 / (r1 + r2)
    burn_1 = v1 * (math.sqrt(transfer) - 1.0)
    burn_2 = v2 * (1.0 - math.sqrt(2.0 * r1 / (r1 + r2)))
    return (burn_1 + burn_2) * 1000.0


def curve_sensitivity_kg_per_mps(
    points: Sequence[tuple[Number, Number]], altitude_km: Number
) -> float | None:
    """kg of payload per m/s of delta-v, read from a vehicle's own capacity-by-altitude curve.

    ``points`` are ``(altitude_km, capacity_kg)``. A curve says how much payload the vehicle
    trades for the delta-v of going higher: between two neighbouring altitudes that is the
    capacity lost divided by :func:`hohmann_delta_v_mps` between them. The pair of points that
    brackets ``altitude_km`` is used, else the nearest pair. ``None`` when the curve has fewer
    than two altitudes, or its nearest pair does not lose capacity with altitude.
    """
    altitude = _to_float(altitude_km, "altitude")
    best: dict[float, float] = {}
    for point_altitude, point_capacity in points:
        alt = _to_float(point_altitude, "curve altitude")
        best[alt] = max(best.get(alt, 0.0), _to_float(point_capacity, "curve capacity"))
    curve = sorted(best.items())
    if len(curve) < 2:
        return None

    def distance(pair: tuple[tuple[float, float], tuple[float, float]]) -> float:
        (low, _), (high, _) = pair
        return 0.0 if low <= altitude <= high else min(abs(altitude - low), abs(altitude - high))

    (low, low_kg), (high, high_kg) = min(pairwise(curve), key=distance)
    lost_kg = low_kg - high_kg
    if lost_kg <= 0.0:
        return None
    return lost_kg / hohmann_delta_v_mps(low, high)


def capacity_at_orbit(
    points: Sequence[tuple[Number, Number, Number]],
    altitude_km: Number,
    inclination_deg: Number,
    *,
    sensitivity_kg_per_mps: Number | None = None,
) -> Decimal:
    """Payload capacity in kg at an altitude and an inclination, from measured points.

    ``points`` are ``(altitude_km, inclination_deg, capacity_kg)`` of one vehicle model and
    orbit family, each measured at its own inclination. First every measured altitude is carried
    to ``inclination_deg`` by :func:`capacity_at_inclination` (the rotation correction, with
    ``sensitivity_kg_per_mps`` beyond the measured inclinations), then the corrected curve is
    interpolated in altitude by :func:`capacity_at_altitude`. Returns kg rounded to 0.1 kg.

    Raises :class:`OrbitError` when the altitude is outside the curve, or when a figure measured
    at one inclination only must be carried to another and no sensitivity is given.
    """
    by_altitude: dict[Decimal, list[tuple[Number, Number]]] = {}
    for point_altitude, point_inclination, point_capacity in points:
        altitude = _to_decimal(point_altitude, "curve altitude")
        by_altitude.setdefault(altitude, []).append((point_inclination, point_capacity))
    target = _to_decimal(altitude_km, "altitude")
    below = [alt for alt in by_altitude if alt <= target]
    above = [alt for alt in by_altitude if alt >= target]
    if not below or not above:
        # Outside the curve (or no curve): capacity_at_altitude words the refusal.
        return capacity_at_altitude([(altitude, 0) for altitude in by_altitude], target)
    # Only the altitudes the interpolation reads are carried (and so need a sensitivity).
    corrected = [
        (
            altitude,
            capacity_at_inclination(
                by_altitude[altitude], inclination_deg, sensitivity_kg_per_mps=sensitivity_kg_per_mps
            ),
        )
        for altitude in sorted({max(below), min(above)})
    ]
    return capacity_at_altitude(corrected, target)


# --------------------------------------------------------------------------
# Sun-synchronous orbits: tolerance and node drift
# --------------------------------------------------------------------------


def is_sun_synchronous(
    altitude_km: Number,
    inclination_deg: Number,
    tolerance_deg: Number = SSO_INCLINATION_TOLERANCE_DEG,
) -> bool:
    """Whether a circular orbit at ``altitude_km`` (km) and ``inclination_deg`` (degrees) is SSO.

    True when the inclination is within ``tolerance_deg`` (degrees, default
    :data:`SSO_INCLINATION_TOLERANCE_DEG`) of
    :func:`sun_synchronous_inclination` for the altitude; False above
    :data:`SSO_MAX_ALTITUDE_KM`, where no sun-synchronous orbit exists.

    Raises :class:`OrbitError` for an altitude that is not positive, an
    inclination outside 0°..180° or a negative tolerance.
    """
    inclination = _validate_inclination(inclination_deg)
    tolerance = _validate_tolerance(tolerance_deg, "°")
    altitude = _to_float(altitude_km, "altitude")
    if altitude > SSO_MAX_ALTITUDE_KM:
        return False
    return abs(inclination - sun_synchronous_inclination(altitude)) <= tolerance + _ANGLE_EPSILON_DEG


def sso_node_drift_hours_per_year(altitude_km: Number, inclination_deg: Number) -> float:
    """How fast the local time of the node drifts, in hours per year, off the SSO inclination.

    The J2 nodal precession of a circular orbit at a given altitude is
    proportional to ``cos i``; at the sun-synchronous inclination it equals
    the mean sun's 0.9856°/day. At another inclination the node gains
    ``0.9856 · (cos i / cos i_sso - 1)`` degrees a day on the sun, i.e. that
    times 365.2422 / 15 hours of local time a year. Positive: the local
    time of the node grows later. About ±3 hours a year for 1° at 500 km.

    Raises :class:`OrbitError` for an altitude with no sun-synchronous orbit
    or an inclination outside 0°..180°.
    """
    inclination = _validate_inclination(inclination_deg)
    sso = sun_synchronous_inclination(altitude_km)
    ratio = math.cos(math.radians(inclination)) / math.cos(math.radians(sso))
    degrees_per_day = MEAN_SUN_RATE_DEG_PER_DAY * (ratio - 1.0)
    return degrees_per_day * 365.2422 / 15.0


# --------------------------------------------------------------------------
# Local time of the node and the launch time of day
# --------------------------------------------------------------------------

_MINUTES_PER_DAY = 24 * 60


def _minutes_of_day(value: time, what: str) -> float:
    """Minutes after midnight of a naive local time of day."""
    if not isinstance(value, time):
        raise OrbitError(f"{what} must be a time of day, got {value!r}")
    if value.tzinfo is not None:
        raise OrbitError(f"{what} is a local solar time and takes no time zone")
    return value.hour * 60 + value.minute + value.second / 60 + value.microsecond / 60_000_000


def _time_of_day(minutes: float) -> time:
    """The naive time of day ``minutes`` after midnight, wrapped into one day, to the microsecond."""
    microseconds = round(minutes * 60_000_000) % (_MINUTES_PER_DAY * 60_000_000)
    seconds, micro = divmod(microseconds, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    return time(hours, rest // 60, rest % 60, micro)


def ltdn_from_ltan(ltan: time) -> time:
    """Local time of the descending node from that of the ascending node: 12 hours apart.

    Both are naive local mean solar times of day; 10:30 LTDN is 22:30 LTAN.
    """
    return _time_of_day(_minutes_of_day(ltan, "LTAN") + 720)


def ltan_from_ltdn(ltdn: time) -> time:
    """Local time of the ascending node from that of the descending node: 12 hours apart."""
    return _time_of_day(_minutes_of_day(ltdn, "LTDN") + 720)


def local_time_gap_minutes(first: time, second: time) -> float:
    """Shortest gap in minutes (0..720) between two local times of day, across midnight.

    23:50 and 00:10 are 20 minutes apart.
    """
    gap = abs(_minutes_of_day(first, "local time") - _minutes_of_day(second, "local time")) % _MINUTES_PER_DAY
    return min(gap, _MINUTES_PER_DAY - gap)


def local_times_match(first: time, second: time, tolerance_minutes: Number) -> bool:
    """Whether two local times of the node (e.g. LTANs) agree within ``tolerance_minutes``.

    Uses :func:`local_time_gap_minutes`, so 23:50 and 00:10 match within 20
    minutes. Raises :class:`OrbitError` for a negative tolerance.
    """
    tolerance = _validate_tolerance(tolerance_minutes, " minutes")
    return local_time_gap_minutes(first, second) <= tolerance + 1e-9


def _node_offset_deg(latitude_deg: Number, inclination_deg: Number, launch_pass: Pass) -> float:
    """Right ascension of the site at launch minus that of the ascending node, in degrees.

    On the orbit, the point at latitude φ lies ``Δα = asin(tan φ / tan i)``
    east of the ascending node on the ascending half, ``180° - Δα`` on the
    descending half.
    """
    latitude = _validate_latitude(latitude_deg)
    inclination = _validate_inclination(inclination_deg)
    if launch_pass not in ("ascending", "descending"):
        raise OrbitError(f"the pass must be 'ascending' or 'descending', got {launch_pass!r}")
    if abs(latitude) == 90.0:
        raise OrbitError("a launch time of day has no meaning at a pole")
    if math.sin(math.radians(inclination)) < 1e-9:
        raise OrbitError(f"an orbit inclined {_fmt(inclination)}° has no node to keep a local time")
    if not is_inclination_reachable(latitude, inclination):
        lowest, highest = reachable_inclination_range(latitude)
        raise OrbitError(
            f"a direct ascent from latitude {_fmt(latitude)}° cannot reach {_fmt(inclination)}°: "
            f"it reaches {_fmt(round(lowest, 2))}°–{_fmt(round(highest, 2))}°"
        )
    ratio = math.tan(math.radians(latitude)) * math.cos(math.radians(inclination))
    ratio /= math.sin(math.radians(inclination))
    offset = math.degrees(math.asin(max(-1.0, min(1.0, ratio))))
    return offset if launch_pass == "ascending" else 180.0 - offset


def sso_launch_time_utc(
    *,
    launch_date: date,
    ltan: time,
    latitude_deg: Number,
    longitude_deg: Number,
    inclination_deg: Number,
    launch_pass: Pass,
) -> datetime:
    """UTC instant on ``launch_date`` of the instantaneous daily window into an orbit plane.

    The site (``latitude_deg``, ``longitude_deg`` east positive, degrees)
    passes through the plane of an orbit inclined ``inclination_deg``
    (degrees) with local time of the ascending node ``ltan`` (a naive local
    *mean* solar time) twice a day; ``launch_pass`` says which: "ascending"
    for a launch going north, "descending" for one going south (the usual
    SSO launch from Jiuquan or Taiyuan). The site's right ascension at
    launch is ``Δα`` east of the node (:func:`_node_offset_deg`), so its
    local mean time is ``LTAN + Δα / 15°`` hours and the UTC time is that
    minus ``longitude / 15°`` hours. The node of a sun-synchronous orbit
    keeps pace with the mean sun, so the window opens at the same UTC time
    every day. Returns an aware UTC datetime on ``launch_date`` (a UTC
    date), to the second.

    Uses the mean sun; the equation of time is not applied. An LTAN meant as
    *apparent* solar time would move the window by the equation of time (up
    to about 16 minutes, depending on the date). UT1 - UTC (under 1 s) and
    the ascent's own yaw steering are ignored.

    Raises :class:`OrbitError` for an inclination the site cannot reach by
    direct ascent, an equatorial orbit, a pole, an invalid coordinate or an
    unknown pass.
    """
    if not isinstance(launch_date, date) or isinstance(launch_date, datetime):
        raise OrbitError(f"the launch date must be a date, got {launch_date!r}")
    longitude = _to_float(longitude_deg, "longitude")
    offset = _node_offset_deg(latitude_deg, inclination_deg, launch_pass)
    local_mean_minutes = _minutes_of_day(ltan, "LTAN") + offset * 4.0
    utc_minutes = (local_mean_minutes - longitude * 4.0) % _MINUTES_PER_DAY
    midnight = datetime.combine(launch_date, time(0, 0), tzinfo=UTC)
    return midnight + timedelta(seconds=round(utc_minutes * 60.0))


def sso_ltan_from_launch(
    launch_utc: datetime,
    *,
    latitude_deg: Number,
    longitude_deg: Number,
    inclination_deg: Number,
    launch_pass: Pass,
) -> time:
    """Local time of the ascending node of the plane a launch at ``launch_utc`` flies into.

    The inverse of :func:`sso_launch_time_utc` (same model, mean sun):
    ``LTAN = UTC + longitude / 15° - Δα / 15°`` hours. ``launch_utc`` must be
    an aware datetime; coordinates and inclination in degrees. Returns a
    naive local mean solar time of day, to the microsecond.

    Raises :class:`OrbitError` as :func:`sso_launch_time_utc` does, or for a
    naive datetime.
    """
    if not isinstance(launch_utc, datetime) or launch_utc.utcoffset() is None:
        raise OrbitError(f"the launch time must be an aware datetime, got {launch_utc!r}")
    longitude = _to_float(longitude_deg, "longitude")
    offset = _node_offset_deg(latitude_deg, inclination_deg, launch_pass)
    utc = launch_utc.astimezone(UTC)
    utc_minutes = utc.hour * 60 + utc.minute + utc.second / 60 + utc.microsecond / 60_000_000
    return _time_of_day(utc_minutes + longitude * 4.0 - offset * 4.0)


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
