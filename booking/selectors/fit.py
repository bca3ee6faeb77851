"""Does a payload fit a launch or a vehicle? The orbit and capacity rules shared by pricing,
availability and bookings, so each rule lives in exactly one place.

Tolerances are stated here and quoted in every answer:

- a rideshare launch matches a payload when it goes to the same orbit family, its altitude is
  within ``ALTITUDE_TOLERANCE_KM`` of the payload's and, when the payload states an inclination
  (or is sun-synchronous, whose inclination follows from the altitude), its inclination is within
  ``INCLINATION_TOLERANCE_DEG``, the one tolerance of ``booking.rules.orbit``; a payload asking for a local time of the
  ascending node rides only a launch whose LTAN is within
  ``settings.LAUNCHBOOK_LTAN_TOLERANCE_MINUTES`` of it (``selectors.local_time.ltan_mismatch``);
- a dedicated launch must reach the inclination by direct ascent within the corridors of a site
  the vehicle can fly from (mobile vehicles: sites that accept mobile platforms; fixed ones: sites
  with an active pad);
- capacity is the vehicle's figure carried to the orbit's inclination
  (``booking.selectors.orbit.vehicle_capacity_kg``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from booking.dates import when
from booking.errors import Conflict
from booking.models import Launch
from booking.rules import orbit as orbit_rule
from booking.rules.orbit import INCLINATION_TOLERANCE_DEG, CapacityUnknown
from booking.selectors.local_time import ltan_mismatch
from booking.selectors.orbit import (
    site_corridors,
    sites_reaching,
    vehicle_capacity_kg,
    vehicle_capacity_or_zero_kg,
)
from customers.models import Payload
from vehicles.compatibility import model_in_service_problem, vehicle_in_service_problem
from vehicles.models import Adapter, LaunchSite, Vehicle, VehicleModel

ALTITUDE_TOLERANCE_KM = 50
#: A dedicated launch is offered no earlier than this after the search: a standard campaign
#: (contract, interface documents, payload delivery, integration). The scheduling planner gives
#: the real dates; this is the honest "earliest possible" for a quote.
DEDICATED_LEAD_TIME = timedelta(days=30)
#: Launch states in which seats are still sold (a launch on a short hold keeps selling).
SELLING_STATUSES = (Launch.Status.PLANNED, Launch.Status.SCHEDULED, Launch.Status.HOLD)


def launch_selling_refusal(*, launch: Launch, now: datetime) -> str | None:
    """Why seats on ``launch`` can no longer be sold or confirmed, or ``None`` while it sells.

    A launch sells while its status is one of ``SELLING_STATUSES`` and its NET is still ahead.
    ``launches_selling_q`` is the same rule as a query filter; keep the two side by side.
    """
    if launch.status not in SELLING_STATUSES:
        return f"{launch.name} is {launch.get_status_display().lower()}: it can no longer be booked"
    if launch.net <= now:
        return f"{launch.name} had its NET at {when(launch.net)}: it can no longer be booked"
    return launch_in_service_problem(launch=launch)


def launch_in_service_problem(*, launch: Launch) -> str | None:
    """Why ``launch`` will not fly on what it names: its vehicle model is retired ("Zhuque-1 is
    retired: ...") or its rocket has flown its last. The words are ``vehicles.compatibility``'s."""
    model = launch.vehicle_model
    retired = model_in_service_problem(model_name=model.name, active=model.active)
    if retired:
        return retired
    if launch.vehicle_id is None:
        return None
    vehicle = launch.vehicle
    assert vehicle is not None
    gone = vehicle_in_service_problem(
        serial=vehicle.serial, status=vehicle.status, model_name=model.name, model_active=model.active
    )
    return f"{launch.name} can no longer be booked: {gone}" if gone else None


def launches_selling_q(*, now: datetime) -> Q:
    """``launch_selling_refusal`` as a filter: the launches that still sell seats at ``now``
    (their model in service and their rocket, when one is assigned, not gone)."""
    return Q(status__in=SELLING_STATUSES, net__gt=now, vehicle_model__active=True) & (
        Q(vehicle__isnull=True) | ~Q(vehicle__status__in=Vehicle.GONE)
    )


def fmt_number(value: Decimal | float | int) -> str:
    """520 for Decimal("520.0"), 19.6 for 19.61 rounded to one place: numbers as people write them."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = f"{number.normalize():f}"
    return "0" if text == "-0" else text


def fmt_kg(value: Decimal | float | int) -> str:
    return fmt_number(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def fmt_deg(value: Decimal | float | int) -> str:
    return fmt_number(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def orbit_label(orbit_family: str, altitude_km: int) -> str:
    return f"{orbit_family} {altitude_km} km"


def launch_label(launch: Launch) -> str:
    """'Kuaizhou-1A KZ1A-Y7' when a serial is assigned, else the launch's name."""
    if launch.vehicle_id is not None:
        return str(launch.vehicle)
    return launch.name


def payload_inclination_deg(payload: Payload) -> Decimal | None:
    """The inclination the payload needs: its own, or the sun-synchronous one for its altitude.

    ``None`` for a non-SSO payload that states no inclination (any inclination will do).
    """
    return orbit_rule.target_inclination_deg(
        orbit_family=payload.orbit_family,
        altitude_km=payload.altitude_km,
        inclination_deg=None if payload.inclination_deg is None else Decimal(payload.inclination_deg),
    )


@dataclass(frozen=True)
class CountedMass:
    """What a payload takes on a launch and is billed for: its own mass plus its adapter's."""

    payload_kg: Decimal
    adapter_kg: Decimal
    adapter_name: str

    @property
    def total_kg(self) -> Decimal:
        return self.payload_kg + self.adapter_kg

    def describe(self) -> str:
        """'8 kg (3 kg payload + 5 kg Kuaizhou-1A adapter)': the words every price and panel uses."""
        return (
            f"{fmt_kg(self.total_kg)} kg ({fmt_kg(self.payload_kg)} kg payload + "
            f"{fmt_kg(self.adapter_kg)} kg {self.adapter_name})"
        )


def counted_mass(
    payload: Payload, vehicle_model: VehicleModel, adapter: Adapter | None = None
) -> CountedMass:
    """THE counted mass: the payload plus the chosen adapter, or the vehicle's standard adapter."""
    if adapter is not None:
        return CountedMass(Decimal(payload.mass_kg), Decimal(adapter.mass_kg), adapter.name)
    return CountedMass(
        Decimal(payload.mass_kg), Decimal(vehicle_model.adapter_mass_kg), f"{vehicle_model} adapter"
    )


def payload_mass_with_adapter_kg(
    payload: Payload, vehicle_model: VehicleModel, adapter: Adapter | None = None
) -> Decimal:
    """The mass a payload takes on a launch: ``counted_mass(...).total_kg``."""
    return counted_mass(payload, vehicle_model, adapter).total_kg


def orbit_mismatch(*, launch: Launch, payload: Payload) -> str | None:
    """Why the launch's target orbit does not suit the payload, or ``None`` when it does."""
    label = launch_label(launch)
    if launch.orbit_family != payload.orbit_family:
        return f"{label} goes to {launch.orbit_family}; the payload needs {payload.orbit_family}"
    altitude_gap = abs(launch.altitude_km - payload.altitude_km)
    if altitude_gap > ALTITUDE_TOLERANCE_KM:
        return (
            f"{label} goes to {launch.altitude_km} km, {altitude_gap} km from the payload's "
            f"{payload.altitude_km} km (tolerance ±{ALTITUDE_TOLERANCE_KM} km)"
        )
    wanted = payload_inclination_deg(payload)
    if wanted is not None:
        gap = orbit_rule.inclination_mismatch(offered_deg=launch.inclination_deg, wanted_deg=wanted)
        if gap is not None:
            return (
                f"{label} goes to {fmt_deg(launch.inclination_deg)}°, {fmt_deg(gap)}° from the "
                f"payload's {fmt_deg(wanted)}° (tolerance ±{fmt_deg(INCLINATION_TOLERANCE_DEG)}°)"
            )
    return ltan_mismatch(launch=launch, payload=payload, label=label)


def launch_target_capacity_kg(launch: Launch) -> Decimal:
    """The vehicle's capacity at the launch's target orbit; 0 when its curve does not reach it.

    Uses prefetched capacity points when the launch's vehicle model has them.
    """
    return vehicle_capacity_or_zero_kg(
        vehicle_model=launch.vehicle_model,
        orbit_family=launch.orbit_family,
        altitude_km=launch.altitude_km,
        inclination_deg=launch.inclination_deg,
    )


def capacity_shortfall_message(*, launch: Launch, needed_kg: Decimal, remaining_kg: Decimal) -> str:
    return (
        f"payload {fmt_kg(needed_kg)} kg exceeds the {fmt_kg(max(remaining_kg, Decimal(0)))} kg left to "
        f"{orbit_label(launch.orbit_family, launch.altitude_km)} on {launch_label(launch)}"
    )


def model_capacity_kg(
    *,
    vehicle_model: VehicleModel,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | None = None,
) -> Decimal:
    """What the vehicle lifts to the orbit at the inclination (the family's reference when None);
    ``Conflict`` when the catalog has no figure for it, worded as missing data."""
    try:
        return vehicle_capacity_kg(
            vehicle_model=vehicle_model,
            orbit_family=orbit_family,
            altitude_km=altitude_km,
            inclination_deg=inclination_deg,
        )
    except CapacityUnknown as exc:
        raise Conflict(str(exc)[0].upper() + str(exc)[1:]) from exc


def model_fits_payload(*, vehicle_model: VehicleModel, payload: Payload) -> Decimal:
    """The vehicle's capacity to the payload's orbit; ``Conflict`` when the payload is too heavy."""
    inclination = payload_inclination_deg(payload)
    capacity = model_capacity_kg(
        vehicle_model=vehicle_model,
        orbit_family=payload.orbit_family,
        altitude_km=payload.altitude_km,
        inclination_deg=inclination,
    )
    needed = payload_mass_with_adapter_kg(payload, vehicle_model)
    if needed > capacity:
        raise Conflict(
            f"payload {fmt_kg(needed)} kg (with its {fmt_kg(vehicle_model.adapter_mass_kg)} kg adapter) "
            f"exceeds the {fmt_kg(capacity)} kg {vehicle_model} lifts to "
            f"{orbit_label(payload.orbit_family, payload.altitude_km)}"
            + (f" at {fmt_deg(inclination)}°" if inclination is not None else "")
        )
    return capacity


def sites_for_model(vehicle_model: VehicleModel, sites: Iterable[LaunchSite]) -> list[LaunchSite]:
    """Sites the vehicle flies from: mobile-platform sites for mobile vehicles, pads otherwise.

    Uses prefetched ``pads`` when present.
    """
    if vehicle_model.mobile_launch:
        return [site for site in sites if site.accepts_mobile_platforms]
    return [site for site in sites if any(pad.active for pad in site.pads.all())]


def best_site_for_inclination(
    *, vehicle_model: VehicleModel, inclination_deg: Decimal | None, sites: Iterable[LaunchSite]
) -> LaunchSite:
    """The site reaching the inclination directly with the least out-of-plane azimuth.

    Among the sites the vehicle flies from that reach the inclination, the one whose latitude is
    closest to it (launching nearest due east or west). ``Conflict`` when none reaches it, naming
    the lowest reachable inclination and its site.
    """
    candidates = sites_for_model(vehicle_model, sites)
    if not candidates:
        raise Conflict(
            _("%(vehicle_model)s has no launch site it can fly from") % {"vehicle_model": vehicle_model}
        )
    if inclination_deg is None:
        return min(candidates, key=lambda site: (abs(site.latitude), site.name))
    reaching = sites_reaching(inclination_deg, candidates)
    if not reaching:
        raise Conflict(unreachable_inclination_message(inclination_deg, candidates))
    folded = min(inclination_deg, 180 - inclination_deg)
    return min(reaching, key=lambda site: (abs(folded - abs(site.latitude)), site.name))


def unreachable_inclination_message(inclination_deg: Decimal, sites: Iterable[LaunchSite]) -> str:
    """No site's corridors reach the inclination: the nearest one that can be flown, and where."""
    return orbit_rule.no_site_refusal(inclination_deg, [site_corridors(site) for site in sites])
