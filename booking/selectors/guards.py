"""Refusals read from rows: the payload fits the launch now (callers that write hold the launch lock)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from booking.errors import Conflict
from booking.models import Launch
from booking.selectors.capacity import launch_capacity_kg, launch_remaining_capacity_kg, launch_taken
from booking.selectors.fit import (
    best_site_for_inclination,
    capacity_shortfall_message,
    launch_label,
    launch_selling_refusal,
    model_fits_payload,
    orbit_mismatch,
    payload_inclination_deg,
    payload_mass_with_adapter_kg,
)
from booking.selectors.ports import Seat, check_seat, envelope_problem
from booking.selectors.returns import return_capsule_refusal
from customers.models import Payload
from vehicles.compatibility import model_in_service_problem
from vehicles.models import LaunchSite, VehicleModel


def check_launch_fit(
    *,
    launch: Launch,
    payload: Payload,
    now: datetime,
    seat: Seat | None = None,
    capacity_kg: Decimal | None = None,
) -> Decimal:
    """Refuse a launch that cannot take the payload now; answers the mass it takes on it.

    Seats are sold on launches still selling, before their NET, to a matching orbit, while the
    payload fits the vehicle's envelope and its port (``selectors.ports``), a slot of that port is
    free, the payload with its adapter fits the capacity left, and a returnable payload's return
    mass fits what the launch's return capsule still brings back. A dedicated launch
    (``rideshare`` off) takes one booking only. Inside ``booking_hold`` the caller holds the launch
    row lock. ``seat`` defaults to no port and the vehicle's standard adapter. ``capacity_kg``, when
    given, is what the launch lifts as the caller read it (under that lock): its curve is not read
    again.
    """
    refusal = launch_selling_refusal(launch=launch, now=now)
    if refusal:
        raise Conflict(refusal)
    mismatch = orbit_mismatch(launch=launch, payload=payload)
    if mismatch:
        raise Conflict(mismatch)
    seat = seat or Seat(port=None, adapter=None)
    # The mass and the port slots taken, in one query (under the hold's launch lock: one statement
    # fewer while it is held).
    taken = launch_taken(launch=launch, now=now)
    check_seat(launch=launch, seat=seat, payload=payload, now=now, taken=taken)
    needed = payload_mass_with_adapter_kg(payload, launch.vehicle_model, seat.adapter)
    capacity_kg = capacity_kg if capacity_kg is not None else launch_capacity_kg(launch=launch)
    remaining = launch_remaining_capacity_kg(launch=launch, now=now, taken=taken, capacity_kg=capacity_kg)
    if not launch.rideshare and remaining < capacity_kg:
        raise Conflict(_("%(name)s is a dedicated launch and is already booked") % {"name": launch.name})
    if needed > remaining:
        raise Conflict(capacity_shortfall_message(launch=launch, needed_kg=needed, remaining_kg=remaining))
    refusal = return_capsule_refusal(launch=launch, payload=payload, now=now, label=launch_label(launch))
    if refusal:
        raise Conflict(refusal)
    return needed


def check_dedicated_fit(*, vehicle_model: VehicleModel, payload: Payload) -> LaunchSite:
    """Refuse a dedicated launch the vehicle cannot fly for the payload; answers the best site."""
    retired = model_in_service_problem(model_name=vehicle_model.name, active=vehicle_model.active)
    if retired:
        raise Conflict(retired)
    model_fits_payload(vehicle_model=vehicle_model, payload=payload)
    problem = envelope_problem(vehicle_model=vehicle_model, port=None, payload=payload)
    if problem:
        raise Conflict(problem)
    sites = LaunchSite.objects.prefetch_related("pads", "corridors")
    return best_site_for_inclination(
        vehicle_model=vehicle_model, inclination_deg=payload_inclination_deg(payload), sites=sites
    )
