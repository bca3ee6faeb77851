"""What is on offer before a launch is chosen: the best option for a payload (a quote that names
no launch and no vehicle model), the schedule of launches still selling seats, a price for a mass
and an orbit before a payload is described, and the add-ons of a launch's provider.

Every answer is ``availability.availability_search``'s: the fit, capacity and price rules are
there and in ``fit`` and ``prices``; this module only picks from what it finds.

THE rule for the best option: the first rideshare option of the availability ranking (the
earliest NET, then the lowest price) when a rideshare launch takes the payload; otherwise the first
dedicated option (every dedicated launch has the same earliest possible NET, so the cheapest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import AddOnService, Booking, Launch
from booking.selectors.availability import Availability, Option, availability_search
from booking.selectors.capacity import capacity_taking_q, launch_remaining_capacity_kg, launches_with_capacity
from booking.selectors.fit import launches_selling_q
from booking.selectors.ports import port_label
from customers.models import Customer, Payload
from vehicles.models import LaunchSite, Provider


@dataclass(frozen=True)
class BestOption:
    """The option a quote without a launch or vehicle model is priced for, and why it was chosen."""

    option: Option
    why: str

    @property
    def launch(self) -> Launch | None:
        return self.option.launch


def best_option(*, payload: Payload, now: datetime | None = None, currency: str = "USD") -> BestOption:
    """The best option for ``payload`` by the module's rule; ``Conflict`` (with the search's
    reasons) when nothing takes it."""
    found = availability_search(payload=payload, now=now, currency=currency)
    rideshare = [option for option in found.options if option.kind == "rideshare"]
    if rideshare:
        chosen = rideshare[0]  # the ranking is NET, then price
        return BestOption(
            chosen,
            _(
                "the earliest rideshare launch that takes the payload (the cheapest of those with "
                "the same NET): %(why)s"
            )
            % {"why": chosen.why},
        )
    dedicated = [option for option in found.options if option.kind == "dedicated"]
    if dedicated:
        chosen = dedicated[0]
        return BestOption(
            chosen,
            _("no rideshare launch takes the payload, so the cheapest dedicated launch: %(why)s")
            % {"why": chosen.why},
        )
    raise Conflict(
        _("no launch takes %(payload)s: %(reasons)s")
        % {"payload": payload.name or _("the payload"), "reasons": "; ".join(found.reasons) or "-"},
        reasons=found.reasons,
    )


def payload_sketch(
    *,
    customer: Customer,
    mass_kg: Decimal,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | None = None,
) -> Payload:
    """A payload described by its mass and orbit only, never saved: what a price before a payload
    is described is searched for."""
    return Payload(
        customer=customer,
        name="",
        mass_kg=mass_kg,
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_deg=inclination_deg,
    )


def price_by_mass_and_orbit(
    *,
    customer: Customer,
    mass_kg: Decimal,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | None = None,
    currency: str = "USD",
    now: datetime | None = None,
) -> Availability:
    """The options and standard prices for a payload of ``mass_kg`` to the orbit (its size
    unknown: the fairing and port envelopes are not checked until the payload is described)."""
    if mass_kg <= 0:
        raise InvalidRequest(_("the mass must be more than 0 kg"))
    sketch = payload_sketch(
        customer=customer,
        mass_kg=mass_kg,
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_deg=inclination_deg,
    )
    return availability_search(payload=sketch, now=now, currency=currency)


@dataclass(frozen=True)
class ScheduledLaunch:
    """A launch still selling seats, as the schedule shows it."""

    launch: Launch
    remaining_capacity_kg: Decimal
    ports_free: list[tuple[str, int]]  # (port label, slots free), empty on a launch without ports

    @property
    def site(self) -> LaunchSite:
        return self.launch.site

    @property
    def provider(self) -> Provider:
        return self.launch.provider


def open_launch_schedule(*, now: datetime | None = None) -> list[ScheduledLaunch]:
    """Rideshare launches still selling seats (``fit.launches_selling_q``), soonest first, with the
    mass and the port slots left. Shows no customer's bookings, only what is left."""
    now = now or timezone.now()
    launches = list(
        launches_with_capacity(
            Launch.objects.filter(launches_selling_q(now=now), rideshare=True), now=now
        ).order_by("net", "pk")
    )
    # The slots taken on every listed launch's ports in one query (``launch_ports_taken`` per launch).
    taken = dict(
        Booking.objects.filter(
            capacity_taking_q(now=now),
            launch__in=[launch.pk for launch in launches],
            launch_port__isnull=False,
        )
        .values("launch_port_id")
        .annotate(taken=Count("pk"))
        .values_list("launch_port_id", "taken")
    )
    return [
        ScheduledLaunch(
            launch=launch,
            remaining_capacity_kg=launch_remaining_capacity_kg(launch=launch),
            ports_free=[
                (port_label(port.kind), max(port.count - taken.get(port.pk, 0), 0))
                for port in launch.ports.all()
            ],
        )
        for launch in launches
    ]


def add_ons_by_provider(*, provider_ids: Iterable[int]) -> dict[int, list[AddOnService]]:
    """The active add-ons each provider sells, by provider pk, in the order of their kind."""
    found: dict[int, list[AddOnService]] = {}
    for service in AddOnService.objects.filter(provider_id__in=list(provider_ids), active=True).order_by(
        "provider_id", "kind"
    ):
        found.setdefault(service.provider_id, []).append(service)
    return found


def add_on_kinds_for(*, provider: Provider, add_on_ids: Iterable[int]) -> list[str]:
    """The kinds of the chosen add-ons (``AddOnService`` pks), all of them ``provider``'s;
    ``InvalidRequest`` naming the add-on sold by another provider (or no longer sold)."""
    wanted = list(dict.fromkeys(add_on_ids))
    services = {s.pk: s for s in AddOnService.objects.select_related("provider").filter(pk__in=wanted)}
    kinds = []
    for pk in wanted:
        service = services.get(pk)
        if service is None or not service.active:
            raise InvalidRequest(_("that add-on service is no longer sold: choose one of those listed"))
        if service.provider_id != provider.pk:
            raise InvalidRequest(
                _(
                    "%(add_on)s is sold by %(other)s, not by %(provider)s: choose one of %(provider)s's add-ons"
                )
                % {"add_on": service.name, "other": service.provider, "provider": provider}
            )
        kinds.append(service.kind)
    return kinds
