"""Availability search: where can this payload fly, when, and for how much?

Two kinds of option, in order of earliest NET then price:

- a rideshare seat on a launch still selling seats, whose target orbit matches the payload (same
  family, altitude within ±50 km, inclination within ±1°: see ``booking.selectors.fit``) and with
  enough capacity left for the payload and its adapter, the payload inside the vehicle's fairing
  envelope and, on a launch with ports, a port it fits with a slot free (``selectors.ports``);
- a dedicated launch on an active vehicle model that lifts the payload to its orbit (its capacity
  curve, no extrapolation), from a site that reaches the inclination by direct ascent. Its NET is
  the earliest possible: the search time plus a standard campaign lead time of
  ``DEDICATED_LEAD_TIME`` (30 days); the scheduling planner finds the real slot.

Each option says why it fits; when nothing fits, ``reasons`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import day_iso
from booking.errors import Conflict, ServiceError
from booking.models import Booking, Launch
from booking.selectors.capacity import (
    launch_capacity_kg,
    launch_remaining_capacity_kg,
    launches_with_capacity,
)
from booking.selectors.fit import (
    ALTITUDE_TOLERANCE_KM,
    DEDICATED_LEAD_TIME,
    best_site_for_inclination,
    capacity_shortfall_message,
    counted_mass,
    fmt_deg,
    fmt_kg,
    launch_label,
    launches_selling_q,
    model_fits_payload,
    orbit_label,
    orbit_mismatch,
    payload_inclination_deg,
    payload_mass_with_adapter_kg,
)
from booking.selectors.ports import envelope_problem, port_label, search_seat
from booking.selectors.prices import (
    dedicated_launch_lines,
    exchange_rates,
    port_lines,
    rideshare_launch_lines,
)
from customers.models import Payload
from vehicles.models import LaunchSite, Provider, VehicleModel
from vehicles.selectors import vehicle_models_with_curves


@dataclass(frozen=True)
class Option:
    kind: str  # "rideshare" or "dedicated"
    provider: Provider
    vehicle_model: VehicleModel
    site: LaunchSite
    net: datetime
    price: Decimal
    currency: str
    remaining_capacity_kg: Decimal
    why: str
    launch: Launch | None = None
    port: str | None = None  # the port kind the price is for, on a launch with ports


@dataclass
class Availability:
    options: list[Option] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _when(moment: datetime) -> str:
    return day_iso(moment)  # the date as it was asked for


def availability_search(
    *,
    payload: Payload,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    now: datetime | None = None,
    currency: str = "USD",
) -> Availability:
    """Rideshare seats and dedicated launches for ``payload`` with a NET in [earliest, latest].

    Prices are the standard launch price (no options, no express) in ``currency``. Options come
    sorted by NET, then price.
    """
    now = now or timezone.now()
    earliest = max(earliest or now, now)
    result = Availability()
    if latest is not None and latest < earliest:
        result.reasons.append(f"the latest date {_when(latest)} is before the earliest {_when(earliest)}")
        return result
    # One read of the rates table per search, however many launches and vehicle models it prices.
    rates = exchange_rates()
    _rideshare_options(
        payload=payload,
        earliest=earliest,
        latest=latest,
        now=now,
        currency=currency,
        rates=rates,
        into=result,
    )
    _dedicated_options(
        payload=payload,
        earliest=earliest,
        latest=latest,
        now=now,
        currency=currency,
        rates=rates,
        into=result,
    )
    result.options.sort(key=lambda option: (option.net, option.price, option.kind))
    return result


def _rideshare_options(
    *,
    payload: Payload,
    earliest: datetime,
    latest: datetime | None,
    now: datetime,
    currency: str,
    rates: dict[str, Decimal],
    into: Availability,
) -> None:
    launches = Launch.objects.filter(
        launches_selling_q(now=now),  # the rule check_launch_fit applies to a single launch
        rideshare=True,
        orbit_family=payload.orbit_family,
        altitude_km__gte=payload.altitude_km - ALTITUDE_TOLERANCE_KM,
        altitude_km__lte=payload.altitude_km + ALTITUDE_TOLERANCE_KM,
        net__gte=earliest,
    )
    if latest is not None:
        launches = launches.filter(net__lte=latest)
    candidates = list(launches_with_capacity(launches, now=now).order_by("net", "pk"))
    window = f"between {_when(earliest)} and {_when(latest)}" if latest else f"after {_when(earliest)}"
    if not candidates:
        into.reasons.append(
            f"no rideshare launch goes to {orbit_label(payload.orbit_family, payload.altitude_km)} "
            f"(±{ALTITUDE_TOLERANCE_KM} km) {window}"
        )
        return
    wanted_inclination = payload_inclination_deg(payload)
    prices: dict[tuple[int, str, Decimal, int | None], Decimal | ServiceError] = {}
    for launch in candidates:
        mismatch = orbit_mismatch(launch=launch, payload=payload)
        if mismatch:
            into.reasons.append(mismatch)
            continue
        try:
            seat = search_seat(launch=launch, payload=payload, now=now)
        except ServiceError as exc:
            into.reasons.append(exc.message)
            continue
        mass = counted_mass(payload, launch.vehicle_model, seat.adapter)
        needed = mass.total_kg
        remaining = launch_remaining_capacity_kg(launch=launch)
        if needed > remaining:
            into.reasons.append(
                capacity_shortfall_message(launch=launch, needed_kg=needed, remaining_kg=remaining)
            )
            continue
        key = (launch.provider_id, launch.orbit_family, needed, seat.port.pk if seat.port else None)
        if key not in prices:  # one price per provider, orbit family and seat, however many launches
            try:
                lines = rideshare_launch_lines(
                    provider=launch.provider,
                    orbit_family=launch.orbit_family,
                    mass=mass,
                    currency=currency,
                    rates=rates,
                )
                lines += port_lines(port=seat.port, currency=currency, rates=rates)
                prices[key] = sum((line.amount for line in lines), Decimal("0.00"))
            except ServiceError as exc:
                prices[key] = exc
        price = prices[key]
        if isinstance(price, ServiceError):
            if price.message not in into.reasons:
                into.reasons.append(price.message)
            continue
        inclination = f", {fmt_deg(launch.inclination_deg)}°" if wanted_inclination is not None else ""
        into.options.append(
            Option(
                kind="rideshare",
                provider=launch.provider,
                vehicle_model=launch.vehicle_model,
                site=launch.site,
                net=launch.net,
                price=price,
                currency=currency,
                remaining_capacity_kg=remaining,
                launch=launch,
                port=seat.port.kind if seat.port else None,
                why=(
                    f"rideshare on {launch_label(launch)} to "
                    f"{orbit_label(launch.orbit_family, launch.altitude_km)}{inclination}"
                    f"{' on a ' + port_label(seat.port.kind) if seat.port else ''}: "
                    f"{mass.describe()} needed of the {fmt_kg(remaining)} kg left "
                    f"(capacity {fmt_kg(launch_capacity_kg(launch=launch))} kg)"
                ),
            )
        )


def _dedicated_options(
    *,
    payload: Payload,
    earliest: datetime,
    latest: datetime | None,
    now: datetime,
    currency: str,
    rates: dict[str, Decimal],
    into: Availability,
) -> None:
    net = max(earliest, now + DEDICATED_LEAD_TIME)
    if latest is not None and net > latest:
        into.reasons.append(
            f"a dedicated launch needs a {DEDICATED_LEAD_TIME.days}-day campaign: the earliest is "
            f"{_when(now + DEDICATED_LEAD_TIME)}, after the latest date asked for ({_when(latest)})"
        )
        return
    sites = list(LaunchSite.objects.prefetch_related("pads", "corridors"))
    inclination = payload_inclination_deg(payload)
    models = vehicle_models_with_curves().select_related("dedicated_price").filter(active=True)
    for vehicle_model in models:
        try:
            capacity = model_fits_payload(vehicle_model=vehicle_model, payload=payload)
            problem = envelope_problem(vehicle_model=vehicle_model, port=None, payload=payload)
            if problem:
                raise Conflict(problem)
            site = best_site_for_inclination(
                vehicle_model=vehicle_model, inclination_deg=inclination, sites=sites
            )
            lines = dedicated_launch_lines(vehicle_model=vehicle_model, currency=currency, rates=rates)
        except ServiceError as exc:
            if exc.message not in into.reasons:
                into.reasons.append(exc.message)
            continue
        reach = (
            f" reaches {fmt_deg(inclination)}° directly from {site}"
            if inclination is not None
            else f" flies from {site}"
        )
        needed = payload_mass_with_adapter_kg(payload, vehicle_model)
        into.options.append(
            Option(
                kind="dedicated",
                provider=vehicle_model.provider,
                vehicle_model=vehicle_model,
                site=site,
                net=net,
                price=sum((line.amount for line in lines), Decimal("0.00")),
                currency=currency,
                remaining_capacity_kg=capacity,
                why=(
                    f"dedicated {vehicle_model}: lifts {fmt_kg(capacity)} kg to "
                    f"{orbit_label(payload.orbit_family, payload.altitude_km)}, {fmt_kg(needed)} kg needed;"
                    f"{reach}; earliest possible after a {DEDICATED_LEAD_TIME.days}-day campaign"
                ),
            )
        )


def _lacks_port_kind(*, launch: Launch, kind: str | None) -> bool:
    """A booking on a port moves only to a launch with ports of its kind (``booking_rebook``)."""
    return kind is not None and all(port.kind != kind for port in launch.ports.all())


def rebook_options(*, booking: Booking, now: datetime | None = None) -> Availability:
    """Where ``booking`` can move (``bookings.booking_rebook``): seats on the other launches of
    its launch's provider that take its payload, and, for a booking on a port, have ports of its
    kind; the other options are not offered."""
    found = availability_search(payload=booking.payload, now=now, currency=booking.currency)
    provider_id, launch_id = booking.launch.provider_id, booking.launch_id
    kind = booking.launch_port.kind if booking.launch_port is not None else None
    options, reasons = [], list(found.reasons)
    for option in found.options:
        if option.launch is None or option.launch.pk == launch_id or option.provider.pk != provider_id:
            continue
        if _lacks_port_kind(launch=option.launch, kind=kind):
            reasons.append(
                _("%(name)s has no %(port_label)ss for booking %(reference)s")
                % {
                    "name": option.launch.name,
                    "port_label": port_label(kind or ""),
                    "reference": booking.reference,
                }
            )
            continue
        options.append(option)
    return Availability(options=options, reasons=reasons)
