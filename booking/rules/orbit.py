"""The one orbit rule: what a target orbit must be, what a site's corridors reach and what a
vehicle lifts there. Pure: figures in, answers out; ``booking.selectors.orbit`` reads the rows.

Payload registration, rideshare matching, quoting, the planner and launch scheduling all ask
this module, so a payload's orbit and a launch's orbit are judged by the same words:

- the family must be one the catalog knows and the altitude one it sells;
- a sun-synchronous orbit's altitude must be at most ``SSO_MAX_ALTITUDE_KM`` and its inclination
  within ``INCLINATION_TOLERANCE_DEG`` of the one the altitude implies;
- two orbits match (a payload and a rideshare launch) when their inclinations are within the
  same ``INCLINATION_TOLERANCE_DEG``;
- a site reaches an inclination when one of its corridors flies it by direct ascent;
- capacity is read from points measured at their own inclination (or the family's reference
  inclination, ``REFERENCE_INCLINATION_DEG``) and carried to the target by Earth's rotation
  (``vehicles.orbits.capacity_at_orbit``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from vehicles.orbits import (
    SSO_INCLINATION_TOLERANCE_DEG,
    SSO_MAX_ALTITUDE_KM,
    AzimuthCorridor,
    CorridorReach,
    Number,
    OrbitError,
    altitude_problem,
    capacity_at_orbit,
    corridor_reach,
    curve_sensitivity_kg_per_mps,
    sun_synchronous_inclination,
)

#: The one inclination tolerance: a sun-synchronous inclination against its altitude, and a
#: payload's inclination against a rideshare launch's. 0.5° off at 500 km drifts the node by
#: about 1.6 hours a year (docs/orbits.md).
INCLINATION_TOLERANCE_DEG: Decimal = SSO_INCLINATION_TOLERANCE_DEG

ORBIT_FAMILIES = ("LEO", "SSO", "MEO", "GTO", "GEO", "HEO")

#: The inclination a capacity figure is taken to be measured at when its point states none.
#: SSO: the sun-synchronous inclination of the point's altitude (an SSO figure is measured
#: there by definition). The others are the inclinations such figures are quoted for: LEO due
#: east from Jiuquan, where the catalog's solid launchers fly (41°); MEO the navigation
#: satellites' 55°; GTO due east from Xichang (28.5°); GEO 0°; HEO the Molniya 63.4°.
REFERENCE_INCLINATION_DEG: dict[str, Decimal] = {
    "LEO": Decimal("41.00"),
    "MEO": Decimal("55.00"),
    "GTO": Decimal("28.50"),
    "GEO": Decimal("0.00"),
    "HEO": Decimal("63.40"),
}

#: A site with no corridor row flies every azimuth of a direct ascent.
UNRESTRICTED: tuple[AzimuthCorridor, ...] = ((0, 360),)

_HUNDREDTH = Decimal("0.01")
_TENTH = Decimal("0.1")


def fmt_deg(value: Number) -> str:
    """97.4 for 97.40, 41 for 41.00: degrees to one decimal, as people write them."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = f"{number.quantize(_TENTH, rounding=ROUND_HALF_UP).normalize():f}"
    return "0" if text == "-0" else text


def fmt_kg(value: Number) -> str:
    """1,080 for 1080.0, 273.3 for 273.30: kilograms with thousands separators."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(_TENTH, rounding=ROUND_HALF_UP)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.1f}"


def names_text(names: Sequence[str]) -> str:
    """ "Xichang", "Xichang and Wenchang", "Jiuquan, Xichang and Wenchang"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def sso_inclination_deg(altitude_km: Number) -> Decimal:
    """The sun-synchronous inclination at ``altitude_km``, to 0.01°; ``OrbitError`` above 5,974 km."""
    return Decimal(repr(sun_synchronous_inclination(altitude_km))).quantize(_HUNDREDTH, ROUND_HALF_UP)


def orbit_text(orbit_family: str, altitude_km: int, inclination_deg: Number | None = None) -> str:
    """ "SSO 700 km", "LEO 400 km at 97°"."""
    label = f"{orbit_family} {altitude_km:,} km"
    return f"{label} at {fmt_deg(inclination_deg)}°" if inclination_deg is not None else label


# --------------------------------------------------------------------------
# The target orbit
# --------------------------------------------------------------------------


def target_orbit_problems(
    *, orbit_family: str, altitude_km: int, inclination_deg: Decimal | None
) -> dict[str, str]:
    """Why a target orbit is not one a booking can ask for, per field (empty when it is).

    The same words for a payload and a launch: an unknown family, an altitude outside what the
    catalog sells, a sun-synchronous orbit above the highest one, a sun-synchronous inclination
    more than the tolerance away from the altitude's, an inclination outside 0°–180°.
    """
    if orbit_family not in ORBIT_FAMILIES:
        return {"family": f"{orbit_family!r} is not an orbit family ({', '.join(ORBIT_FAMILIES)})."}
    ceiling = altitude_problem(altitude_km)
    if ceiling:
        return {"altitude_km": ceiling}
    if inclination_deg is not None and not 0 <= inclination_deg <= 180:
        return {"inclination_deg": f"An inclination is between 0° and 180°, not {fmt_deg(inclination_deg)}°."}
    if orbit_family != "SSO":
        return {}
    if altitude_km > SSO_MAX_ALTITUDE_KM:
        return {
            "altitude_km": f"No sun-synchronous orbit exists at {altitude_km:,} km: the highest is "
            f"{SSO_MAX_ALTITUDE_KM:,.0f} km."
        }
    sso = sso_inclination_deg(altitude_km)
    if inclination_deg is not None and abs(Decimal(inclination_deg) - sso) > INCLINATION_TOLERANCE_DEG:
        return {
            "inclination_deg": f"A sun-synchronous orbit at {altitude_km:,} km is inclined {sso}°, not "
            f"{inclination_deg}° (tolerance ±{fmt_deg(INCLINATION_TOLERANCE_DEG)}°); leave the "
            "inclination empty to use it."
        }
    return {}


def target_inclination_deg(
    *, orbit_family: str, altitude_km: int, inclination_deg: Decimal | None
) -> Decimal | None:
    """The inclination an orbit is flown at: the one given, else the SSO one; None when any will do."""
    if inclination_deg is not None:
        return Decimal(inclination_deg)
    if orbit_family == "SSO" and altitude_km <= SSO_MAX_ALTITUDE_KM:
        return sso_inclination_deg(altitude_km)
    return None


def inclination_mismatch(*, offered_deg: Number, wanted_deg: Number) -> Decimal | None:
    """How far an offered inclination is from the wanted one, when beyond the tolerance; else None."""
    gap = abs(Decimal(offered_deg) - Decimal(wanted_deg))
    return gap if gap > INCLINATION_TOLERANCE_DEG else None


# --------------------------------------------------------------------------
# Sites and their corridors
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteCorridors:
    """A launch site as the orbit rule sees it: a name, a latitude and its azimuth corridors."""

    name: str
    latitude_deg: Decimal
    corridors: tuple[AzimuthCorridor, ...]


def site_reach(site: SiteCorridors, inclination_deg: Number) -> CorridorReach:
    """Whether the site's corridors (every azimuth when it has none) fly ``inclination_deg``."""
    return corridor_reach(float(site.latitude_deg), site.corridors or UNRESTRICTED, float(inclination_deg))


def site_reach_refusal(
    site: SiteCorridors, inclination_deg: Number, others: Iterable[SiteCorridors] = ()
) -> str | None:
    """Why ``site`` cannot fly ``inclination_deg``, naming the sites that can; None when it can.

    "Jiuquan's corridors do not reach 30°; Xichang and Wenchang do", or, when no other site does
    either, the nearest inclination the site reaches.
    """
    reach = site_reach(site, inclination_deg)
    if reach.reachable:
        return None
    which = "corridors" if site.corridors else "direct ascents"
    refusal = f"{site.name}'s {which} do not reach {fmt_deg(inclination_deg)}°"
    # North to south, as the map reads.
    ordered = sorted(others, key=lambda other: (-other.latitude_deg, other.name))
    reaching = [
        other.name
        for other in ordered
        if other.name != site.name and site_reach(other, inclination_deg).reachable
    ]
    if reaching:
        return f"{refusal}; {names_text(reaching)} {'does' if len(reaching) == 1 else 'do'}"
    nearest = " or ".join(f"{fmt_deg(degrees)}°" for degrees in reach.nearest_deg)
    return f"{refusal} (the nearest it reaches is {nearest}), and no other site does" if nearest else refusal


def no_site_refusal(inclination_deg: Number, sites: Sequence[SiteCorridors]) -> str:
    """Why no site among ``sites`` reaches the inclination, naming the closest one can fly."""
    best: tuple[float, str, float] | None = None
    for site in sites:
        for nearest in site_reach(site, inclination_deg).nearest_deg:
            gap = abs(nearest - float(inclination_deg))
            if best is None or gap < best[0]:
                best = (gap, site.name, nearest)
    refusal = f"No launch site reaches {fmt_deg(inclination_deg)}°"
    if best is None:
        return refusal + "."
    return f"{refusal}: the nearest is {fmt_deg(best[2])}° from {best[1]}."


# --------------------------------------------------------------------------
# Capacity at the target orbit
# --------------------------------------------------------------------------

#: ``(orbit_family, altitude_km, inclination_deg or None, capacity_kg)``: one capacity point.
CapacityRow = tuple[str, int, Decimal | None, Decimal]


class CapacityUnknown(OrbitError):
    """The catalog holds no figure for a vehicle to an orbit: missing data, not physics."""


def measured_inclination_deg(orbit_family: str, altitude_km: int, inclination_deg: Number | None) -> Decimal:
    """The inclination a capacity point was measured at: its own, else the family's reference."""
    if inclination_deg is not None:
        return Decimal(inclination_deg)
    if orbit_family == "SSO":
        return sso_inclination_deg(min(altitude_km, int(SSO_MAX_ALTITUDE_KM)))
    return REFERENCE_INCLINATION_DEG[orbit_family]


def _sensitivity(rows: Sequence[CapacityRow], orbit_family: str, altitude_km: int) -> float | None:
    """kg per m/s from the family's own altitude curve, else from the model's other families."""
    same = [(alt, kg) for family, alt, _, kg in rows if family == orbit_family]
    found = curve_sensitivity_kg_per_mps(same, altitude_km)
    for family in ORBIT_FAMILIES:
        if found is not None:
            break
        if family != orbit_family:
            found = curve_sensitivity_kg_per_mps(
                [(alt, kg) for fam, alt, _, kg in rows if fam == family], altitude_km
            )
    return found


def capacity_kg(
    *,
    model_name: str,
    rows: Sequence[CapacityRow],
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Number | None,
) -> Decimal:
    """What the vehicle lifts to the orbit, from its capacity points (all families).

    The family's points, each at its measured inclination, are carried to ``inclination_deg``
    (the family's reference when None) by the rotation correction, with the kg-per-m/s
    sensitivity the vehicle's own altitude curve shows, then interpolated in altitude.
    ``CapacityUnknown`` when the catalog has no figure that answers, worded as missing data.
    """
    points = [
        (alt, measured_inclination_deg(family, alt, inc), kg)
        for family, alt, inc, kg in rows
        if family == orbit_family
    ]
    if not points:
        raise CapacityUnknown(f"the catalog has no figure for {model_name} to {orbit_family}")
    altitudes = sorted({alt for alt, _, _ in points})
    if not altitudes[0] <= altitude_km <= altitudes[-1]:
        span = f"{altitudes[0]:,} km" if len(altitudes) == 1 else f"{altitudes[0]:,}–{altitudes[-1]:,} km"
        raise CapacityUnknown(
            f"the catalog has no figure for {model_name} to {orbit_family} {altitude_km:,} km: "
            f"its {orbit_family} figures cover {span}"
        )
    target = (
        Decimal(inclination_deg)
        if inclination_deg is not None
        else measured_inclination_deg(orbit_family, altitude_km, None)
    )
    try:
        return capacity_at_orbit(
            points, altitude_km, target, sensitivity_kg_per_mps=_sensitivity(rows, orbit_family, altitude_km)
        )
    except OrbitError as exc:
        measured = names_text(sorted({f"{fmt_deg(inc)}°" for _, inc, _ in points}))
        raise CapacityUnknown(
            f"the catalog has no figure for {model_name} to {orbit_text(orbit_family, altitude_km, target)}: "
            f"its {orbit_family} figures are measured at {measured}, and it has no second altitude to "
            "say how it trades speed for mass"
        ) from exc
