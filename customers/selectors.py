"""Read queries of the demand side."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from vehicles import orbits
from vehicles.models import LaunchSite, OrbitFamily
from vehicles.selectors import capacity_curve, vehicle_models_with_curves

# Geostationary payloads reach 0° after the transfer orbit (the plane change is made at apogee),
# so the launch site's latitude does not bound the final inclination.
_FAMILIES_WITHOUT_SITE_BOUND = {OrbitFamily.GEO}
# Families for which an empty inclination is fine: SSO follows from the altitude, GEO is 0°.
_INCLINATION_OPTIONAL = {OrbitFamily.SSO, OrbitFamily.GEO}


def _deg(value: float | Decimal) -> str:
    return f"{float(value):.1f}°"


def _kg(value: Decimal) -> str:
    return f"{value:,.1f} kg".replace(".0 kg", " kg")


@dataclass
class OrbitAssessment:
    """What the catalog says about a target orbit, for a person filling in a payload form.

    ``errors`` make the orbit impossible (the form refuses it, keyed by field name); ``notes``
    explain what was computed or which sites and rockets fit; ``warnings`` do not block saving.
    """

    inclination_deg: Decimal | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def orbit_assessment(
    *,
    orbit_family: str,
    altitude_km: int | None,
    inclination_deg: Decimal | None,
    mass_kg: Decimal | None = None,
) -> OrbitAssessment:
    """Can any site in the catalog reach this orbit, and can any active rocket lift the mass there?

    Reads every launch site and active vehicle model; pure arithmetic comes from
    :mod:`vehicles.orbits`. The booking engine makes the binding decision for a given launch;
    this answers the general question early, while a payload is being described.
    """
    result = OrbitAssessment(inclination_deg=inclination_deg)
    if altitude_km is None:
        return result
    label = f"{orbit_family} {altitude_km} km"

    if orbit_family == OrbitFamily.SSO:
        try:
            sso = Decimal(f"{orbits.sun_synchronous_inclination(altitude_km):.2f}")
        except orbits.OrbitError as exc:
            result.errors["altitude_km"] = str(exc)
            return result
        if inclination_deg is None:
            result.notes.append(
                f"A sun-synchronous orbit at {altitude_km} km has an inclination of {_deg(sso)}, "
                "computed from the altitude."
            )
        elif abs(inclination_deg - sso) > Decimal("0.5"):
            result.errors["inclination_deg"] = (
                f"a sun-synchronous orbit at {altitude_km} km has an inclination of {_deg(sso)}, "
                f"not {_deg(inclination_deg)}: leave the inclination empty or choose another orbit family"
            )
            return result
        result.inclination_deg = sso
    elif inclination_deg is None and orbit_family not in _INCLINATION_OPTIONAL:
        result.errors["inclination_deg"] = f"give the inclination of the {orbit_family} orbit"
        return result

    inclination = result.inclination_deg
    sites = list(LaunchSite.objects.order_by("latitude", "name"))
    if inclination is not None and sites and orbit_family not in _FAMILIES_WITHOUT_SITE_BOUND:
        reaching = [
            site.name for site in sites if orbits.is_inclination_reachable(site.latitude, inclination)
        ]
        if reaching:
            result.notes.append(f"{_deg(inclination)} is reachable from {', '.join(reaching)}.")
        else:
            name, lowest = orbits.lowest_reachable_inclination({s.name: s.latitude for s in sites})
            if inclination < Decimal(str(lowest)):
                result.errors["inclination_deg"] = (
                    f"no site reaches {_deg(inclination)}: the lowest reachable inclination is "
                    f"{_deg(lowest)} from {name}"
                )
            else:
                result.errors["inclination_deg"] = (
                    f"no site reaches {_deg(inclination)}: the highest reachable inclination is "
                    f"{_deg(180 - lowest)} from {name}"
                )
            return result

    best: tuple[Decimal, str] | None = None
    for model in vehicle_models_with_curves().filter(active=True):
        points = capacity_curve(model, orbit_family)
        if not points:
            continue
        try:
            capacity = orbits.capacity_at_altitude(points, altitude_km)
        except orbits.OrbitError:
            continue
        if best is None or capacity > best[0]:
            best = (capacity, model.name)
    if best is None:
        result.warnings.append(f"No rocket in the catalog has a known capacity to {label}.")
    elif mass_kg is not None and mass_kg > best[0]:
        result.warnings.append(
            f"No rocket in the catalog lifts {_kg(mass_kg)} to {label}: "
            f"the most is {_kg(best[0])} on {best[1]}."
        )
    else:
        result.notes.append(f"The largest rocket to {label} lifts {_kg(best[0])} ({best[1]}).")
    return result
