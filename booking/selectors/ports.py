"""Where a payload rides and whether it fits there: ports, adapters and envelopes.

The rules, in one place (quotes, holds, rebooking, confirmation, payload changes and the portal
all ask these):

- A launch **with ports** carries each payload on one slot of a port kind the customer chooses;
  a launch **without ports** carries payloads on its vehicle's standard adapter, limited by mass
  alone, as before ports existed.
- The adapter rides with the payload and its mass is counted (``fit.counted_mass``): the one
  chosen with the port, else the lightest catalog adapter that fits the port kind, else the
  vehicle's standard adapter.
- A payload whose length, width and height are known must fit the vehicle's fairing envelope
  and, on a port, the port's envelope and mass limit. Sizes may be given after a hold; a booking
  is confirmed only with all three (``booking_envelope_problem``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, Launch, LaunchPort
from booking.rules.envelope import Box, box_or_none, fairing_fit_problem, port_fit_problem
from booking.selectors.capacity import LaunchTaken, launch_ports, launch_ports_free, launch_ports_taken
from booking.selectors.catalog import kept_catalog
from booking.selectors.fit import fmt_kg, launch_label
from customers.models import Payload
from vehicles.models import Adapter, PortKind, Provider, VehicleModel


@dataclass(frozen=True)
class Seat:
    """The port slot (none on a launch without ports) and the adapter (none: the vehicle's own)."""

    port: LaunchPort | None
    adapter: Adapter | None


def port_label(kind: str) -> str:
    return str(PortKind(kind).label) if kind in PortKind.values else kind


def _kinds_text(ports: list[LaunchPort]) -> str:
    return ", ".join(f"{port.kind} ({port_label(port.kind)})" for port in ports)


def adapters_for(*, provider: Provider, port_kind: str | None = None) -> list[Adapter]:
    """Active catalog adapters offered on ``provider``'s launches (its own and global ones), lightest first."""
    catalog = kept_catalog()
    if catalog is not None:
        adapters: Iterable[Adapter] = (a for a in catalog.adapters if a.provider_id in (None, provider.pk))
    else:
        adapters = Adapter.objects.filter(
            Q(provider__isnull=True) | Q(provider=provider), active=True
        ).order_by("mass_kg", "name")
    return [a for a in adapters if port_kind is None or port_kind in a.port_kinds]


def _check_adapter(*, adapter: Adapter, provider: Provider, port_kind: str | None) -> None:
    if not adapter.active or (adapter.provider_id is not None and adapter.provider_id != provider.pk):
        raise InvalidRequest(
            _("%(name)s is not offered on %(provider)s's launches")
            % {"name": adapter.name, "provider": provider}
        )
    if port_kind is not None and port_kind not in adapter.port_kinds:
        fits = ", ".join(port_label(kind) for kind in adapter.port_kinds)
        raise InvalidRequest(
            _("%(name)s fits %(fits)s, not a %(port_kind)s")
            % {"name": adapter.name, "fits": fits, "port_kind": port_label(port_kind)}
        )


def choose_seat(*, launch: Launch, port_kind: str | None, adapter: Adapter | None) -> Seat:
    """The customer's choice of port kind and adapter on ``launch``, checked; ``InvalidRequest`` if wrong."""
    ports = launch_ports(launch)
    if not ports:
        if port_kind:
            raise InvalidRequest(
                _(
                    "%(name)s has no ports to choose from: payloads ride on the %(vehicle_model)s adapter; "
                    "send no port"
                )
                % {"name": launch.name, "vehicle_model": launch.vehicle_model}
            )
        if adapter is not None:
            _check_adapter(adapter=adapter, provider=launch.provider, port_kind=None)
        return Seat(port=None, adapter=adapter)
    if not port_kind:
        raise InvalidRequest(
            _("%(name)s carries payloads on ports: choose one of %(ports)s")
            % {"name": launch.name, "ports": _kinds_text(ports)}
        )
    port = next((p for p in ports if p.kind == port_kind), None)
    if port is None:
        raise InvalidRequest(
            _("%(name)s has no %(port_kind)s: choose one of %(ports)s")
            % {"name": launch.name, "port_kind": port_label(port_kind), "ports": _kinds_text(ports)}
        )
    if adapter is None:
        fitting = adapters_for(provider=launch.provider, port_kind=port.kind)
        return Seat(port=port, adapter=fitting[0] if fitting else None)
    _check_adapter(adapter=adapter, provider=launch.provider, port_kind=port.kind)
    return Seat(port=port, adapter=adapter)


def payload_box(payload: Payload) -> Box | None:
    return box_or_none(payload.length_m, payload.width_m, payload.height_m)


def port_envelope(port: LaunchPort) -> Box:
    return Box(port.envelope_length_m, port.envelope_width_m, port.envelope_height_m)


def envelope_problem(*, vehicle_model: VehicleModel, port: LaunchPort | None, payload: Payload) -> str | None:
    """Why the payload does not fit the fairing or the port, or ``None`` (also while sizes are unknown).

    The port's mass limit is the payload's own mass, without its adapter.
    """
    if port is not None and payload.mass_kg > port.max_mass_kg:
        return (
            f"payload {payload.name} weighs {fmt_kg(payload.mass_kg)} kg, more than the "
            f"{fmt_kg(port.max_mass_kg)} kg a {port_label(port.kind)} takes"
        )
    box = payload_box(payload)
    if box is None:
        return None
    if vehicle_model.envelope_diameter_m is not None and vehicle_model.envelope_height_m is not None:
        problem = fairing_fit_problem(
            box=box,
            diameter_m=vehicle_model.envelope_diameter_m,
            height_m=vehicle_model.envelope_height_m,
            vehicle=str(vehicle_model),
        )
        if problem:
            return problem
    if port is not None:
        return port_fit_problem(box=box, envelope=port_envelope(port), port=port_label(port.kind))
    return None


def port_full_refusal(
    *, launch: Launch, port: LaunchPort, now: datetime, taken: LaunchTaken | None = None
) -> str | None:
    """Why the port has no slot left at ``now``, naming the ports that still have one; ``None`` if free.

    Caller holds the launch row lock when it is about to take the slot. ``taken``: what
    ``capacity.launch_taken`` answered for this launch at this ``now``, if the caller has it.
    """
    free = launch_ports_free(launch=launch, now=now, taken=taken)
    left = {p.pk: n for p, n in free}
    if left.get(port.pk, 0) > 0:
        return None
    others = [
        f"{n} {port_label(p.kind)}{'s' if n != 1 else ''}" for p, n in free if n > 0 and p.pk != port.pk
    ]
    return (
        f"all {port.count} {port_label(port.kind)}{'s' if port.count != 1 else ''} on {launch_label(launch)} "
        "are taken" + (f"; still free: {', '.join(others)}" if others else "; no port on it is free")
    )


def _slots(n: int, kind: str) -> str:
    return f"{n} {port_label(kind)}{'s' if n != 1 else ''}"


def port_change_refusal(
    *, port: LaunchPort, kind: str, count: int | None, launch_name: str, now: datetime
) -> str | None:
    """Why a stored port cannot become ``count`` slots of ``kind`` (``count=None``: be removed), or
    ``None``. The slots taken (``capacity.launch_ports_taken``) are the floor of its count; a port
    that bookings or quotes name keeps its kind and stays. Writers call it holding the launch lock.
    """
    if port.pk is None:
        return None
    stored = LaunchPort.objects.get(pk=port.pk)
    taken = launch_ports_taken(launch=stored.launch, now=now).get(stored.pk, 0)
    what = f"{stored.count} {port_label(stored.kind)}{'s' if stored.count != 1 else ''} on {launch_name}"
    if count is not None and count < taken and kind == stored.kind:
        return f"{taken} of the {what} are taken: the count cannot go below {taken}"
    if count is None and taken:
        return f"{taken} of the {what} are taken: the port cannot be removed while they are booked"
    if count is not None and kind == stored.kind:
        return None
    bookings, quotes = stored.bookings.count(), stored.quotes.count()
    if bookings or quotes:
        change = "cannot be removed" if count is None else f"cannot become {_slots(count, kind)}"
        named = " and ".join(
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((bookings, "booking"), (quotes, "quote"))
            if n
        )
        return f"{named} name the {what}: it {change}; add a port of the new kind instead"
    return None


def seat_of(booking: Booking) -> Seat:
    return Seat(port=booking.launch_port, adapter=booking.adapter)


def booking_envelope_problem(*, booking: Booking, payload: Payload) -> str | None:
    """Why ``payload`` (the booking's, perhaps with new sizes) cannot be confirmed on the booking's seat.

    Sizes are required here: a booking is confirmed only once length, width and height are known.
    """
    if payload_box(payload) is None:
        missing = [
            label
            for label, value in (
                ("length", payload.length_m),
                ("width", payload.width_m),
                ("height", payload.height_m),
            )
            if value is None
        ]
        return (
            f"payload {payload.name} has no {', '.join(missing)} yet: give its length, width and height "
            f"(metres) so the launch can check it fits, then confirm"
        )
    return envelope_problem(
        vehicle_model=booking.launch.vehicle_model, port=booking.launch_port, payload=payload
    )


def check_seat(
    *, launch: Launch, seat: Seat, payload: Payload, now: datetime, taken: LaunchTaken | None = None
) -> None:
    """Refuse a seat the payload cannot take now: the envelope, and a slot of its port left
    (``taken``: what ``capacity.launch_taken`` answered for this launch at this ``now``, if known)."""
    if seat.port is None and launch_ports(launch):
        raise Conflict(
            _("%(name)s now carries payloads on ports (%(kinds_text)s): ask for a new quote with a port")
            % {"name": launch.name, "kinds_text": _kinds_text(launch_ports(launch))}
        )
    problem = envelope_problem(vehicle_model=launch.vehicle_model, port=seat.port, payload=payload)
    if problem:
        raise Conflict(problem)
    if seat.port is not None:
        refusal = port_full_refusal(launch=launch, port=seat.port, now=now, taken=taken)
        if refusal:
            raise Conflict(refusal)


def search_seat(*, launch: Launch, payload: Payload, now: datetime, port_kind: str | None = None) -> Seat:
    """For availability: the first port of the launch the payload fits with a slot free (its lightest
    adapter), or no port on a launch without ports; ``Conflict`` saying why nothing fits. With
    ``port_kind`` (a booking moving on its port), only ports of that kind are tried."""
    ports = launch_ports(launch)
    if port_kind is not None:
        ports = [port for port in ports if port.kind == port_kind]
        if not ports:
            raise Conflict(
                f"{launch_label(launch)} has no {port_label(port_kind)}s for payload {payload.name}"
            )
    if not ports:
        problem = envelope_problem(vehicle_model=launch.vehicle_model, port=None, payload=payload)
        if problem:
            raise Conflict(problem)
        return Seat(port=None, adapter=None)
    misses = []
    for port in ports:
        problem = envelope_problem(vehicle_model=launch.vehicle_model, port=port, payload=payload)
        problem = problem or port_full_refusal(launch=launch, port=port, now=now)
        if problem is None:
            return choose_seat(launch=launch, port_kind=port.kind, adapter=None)
        misses.append(problem)
    raise Conflict(f"no port on {launch_label(launch)} takes payload {payload.name}: " + "; ".join(misses))


def rebook_seat(*, booking: Booking, target: Launch) -> Seat:
    """Where a booking rides when it moves to ``target``: the same kind of port (and the same
    adapter) there; on a launch without ports, the target vehicle's standard adapter, unless the
    booking brought an adapter of its own. ``Conflict`` when the target has no such port."""
    kind = booking.launch_port.kind if booking.launch_port is not None else None
    if not launch_ports(target):
        return Seat(port=None, adapter=booking.adapter if kind is None else None)
    try:
        return choose_seat(launch=target, port_kind=kind, adapter=booking.adapter)
    except InvalidRequest as exc:
        raise Conflict(
            _("booking %(reference)s cannot move to %(launch)s: %(why)s")
            % {"reference": booking.reference, "launch": target.name, "why": exc.message}
        ) from exc
