"""The manifest optimiser's input, read from the database: what wants to fly with a provider, on
which of its launches each may ride, and what each launch has left.

``manifest_demands`` is the one list of demands, from three sources: bookings (confirmed and held)
that may move, standby entries waiting for a seat, and open dedicated launch requests whose
payload would fit a rideshare. Which launch may take which demand is the booking engine's own
rules (``fit``, ``ports``, ``capacity``, ``local_time`` through ``orbit_mismatch``), asked pair by
pair in ``option_refusal``, plus the payload's dates and readiness; the solver only sees the
answers.

A standby entry or a dedicated request has no seat yet: placed on a launch, it becomes a new
hold there (a standby offer, or the seat offered for the request), so it follows the rules of a
new hold as well: the payload is ready (``selectors.standby.payload_readiness_refusal``, the rule
of every offer of a seat), the customer holds nothing else unconfirmed on that launch, and the
customer's new holds stay within the provider's limit of holds at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from booking.errors import Conflict
from booking.models import Booking, DedicatedRequest, Launch, StandbyEntry
from booking.rules.launch_status import LIFTED_OFF_STATUSES
from booking.selectors.capacity import (
    capacity_taking_q,
    launch_ports,
    launches_with_capacity,
    open_hold_counts,
)
from booking.selectors.contracts import CONTRACT_USING_STATUSES
from booking.selectors.dedicated import open_dedicated_requests
from booking.selectors.fit import (
    launch_label,
    launch_selling_refusal,
    launch_target_capacity_kg,
    launches_selling_q,
    orbit_mismatch,
    payload_mass_with_adapter_kg,
)
from booking.selectors.ports import (
    Seat,
    choose_seat,
    envelope_problem,
    rebook_seat,
    seat_of,
)
from booking.selectors.prices import exchange_rates, units_per_usd
from booking.selectors.standby import entry_targets_launch, payload_readiness_refusal, waiting_standby
from customers.models import Contract, Customer, Document, Payload
from vehicles.models import Provider

from .solver import ContractSpec, DemandSpec, Group, LaunchSpec, Option, Problem, points, weights_with


@dataclass(frozen=True)
class Demand:
    """One payload that wants to fly with the provider: a booking (``current`` the launch it is
    booked on), a standby entry (``entry``) or a dedicated request (``request``); the last two
    ride no launch yet."""

    key: str
    source: str
    payload: Payload
    customer: Customer
    booking: Booking | None
    current: Launch | None
    revenue_usd: Decimal
    entry: StandbyEntry | None = None
    request: DedicatedRequest | None = None
    #: Whether the customer has an active contract with the provider (accepting a standby offer
    #: confirms its hold, so a standby entry needs one).
    under_contract: bool = True

    @property
    def new_hold(self) -> bool:
        """Placed on a launch, it becomes a new hold there (it has no booking yet)."""
        return self.booking is None


def _booking_key(booking: Booking) -> str:
    return f"booking:{booking.pk}"


def launch_key(launch: Launch) -> str:
    return f"launch:{launch.pk}"


def movable_bookings_q(*, provider: Provider, now: datetime) -> Q:
    """Bookings the optimiser may propose to move: confirmed, or held with the hold still running,
    on the provider's launches that have not lifted off, whose customer agrees to moves (the
    booking's ``may_move`` and the customer's ``allows_moves``). Manifested bookings stay."""
    taking = capacity_taking_q(now=now) & ~Q(status=Booking.Status.MANIFESTED)
    return (
        taking
        & Q(launch__provider=provider, may_move=True, customer__allows_moves=True)
        & ~Q(launch__status__in=LIFTED_OFF_STATUSES)
    )


def manifest_demands(*, provider: Provider, now: datetime) -> list[Demand]:
    """Every demand on the provider, in a stable order: its movable bookings (oldest first), the
    standby entries waiting (in list order), then the open dedicated requests that name a payload
    (earliest date first). A payload that already rides a launch is no standby or request demand:
    the standby list and the request wait for nothing more."""
    rates = exchange_rates()
    bookings = (
        Booking.objects.filter(movable_bookings_q(provider=provider, now=now))
        .select_related("payload", "customer", "launch", "launch_port", "adapter", "contract")
        .order_by("created_at", "pk")
    )
    demands = [
        Demand(
            key=_booking_key(booking),
            source="booking",
            payload=booking.payload,
            customer=booking.customer,
            booking=booking,
            current=booking.launch,
            revenue_usd=booking.price / units_per_usd(booking.currency, rates=rates),
        )
        for booking in bookings
    ]
    entries = list(waiting_standby(provider=provider))
    requests = [r for r in open_dedicated_requests(provider=provider) if r.payload_id is not None]
    wanted = {e.payload_id for e in entries} | {r.payload_id for r in requests if r.payload_id is not None}
    flying = set(
        Booking.objects.filter(capacity_taking_q(now=now), payload_id__in=wanted).values_list(
            "payload_id", flat=True
        )
    )
    contracted = set(
        Contract.objects.filter(
            provider=provider,
            status=Contract.Status.ACTIVE,
            customer_id__in={e.customer_id for e in entries} | {r.customer_id for r in requests},
        ).values_list("customer_id", flat=True)
    )
    demands += [
        Demand(
            key=f"standby:{entry.pk}",
            source="standby",
            payload=entry.payload,
            customer=entry.customer,
            booking=None,
            current=None,
            revenue_usd=Decimal(0),
            entry=entry,
            under_contract=entry.customer_id in contracted,
        )
        for entry in entries
        if entry.payload_id not in flying
    ]
    demands += [
        Demand(
            key=f"dedicated:{request.pk}",
            source="dedicated",
            payload=request.payload,
            customer=request.customer,
            booking=None,
            current=None,
            revenue_usd=Decimal(0),
            request=request,
            under_contract=request.customer_id in contracted,
        )
        for request in requests
        if request.payload is not None and request.payload_id not in flying
    ]
    return demands


# --- which launch takes which demand ------------------------------------------------------------


def date_refusal(*, payload: Payload, launch: Launch) -> str | None:
    """Why the launch's NET falls outside the payload's acceptable dates, or ``None``."""
    day = launch.net.astimezone(UTC).date()
    if payload.earliest_launch is not None and day < payload.earliest_launch:
        return _("%(launch)s flies on %(day)s, before %(payload)s's earliest date %(earliest)s") % {
            "launch": launch_label(launch),
            "day": day.isoformat(),
            "payload": payload.name,
            "earliest": payload.earliest_launch.isoformat(),
        }
    if payload.latest_launch is not None and day > payload.latest_launch:
        return _("%(launch)s flies on %(day)s, after %(payload)s's latest date %(latest)s") % {
            "launch": launch_label(launch),
            "day": day.isoformat(),
            "payload": payload.name,
            "latest": payload.latest_launch.isoformat(),
        }
    return None


def readiness_refusal(*, demand: Demand, launch: Launch, ready: bool, now: datetime) -> str | None:
    """A payload not ready yet (export screening not cleared, or no approved document) rides only a
    launch at least ``LAUNCHBOOK_MANIFEST_READINESS_DAYS`` away: time to clear them."""
    if ready:
        return None
    lead_days = settings.LAUNCHBOOK_MANIFEST_READINESS_DAYS
    if (launch.net - now).days >= lead_days:
        return None
    return _(
        "%(payload)s is not ready yet (export screening cleared and an approved document are needed) "
        "and %(launch)s flies within %(days)d days"
    ) % {"payload": demand.payload.name, "launch": launch_label(launch), "days": lead_days}


@dataclass(frozen=True)
class Fit:
    """A launch that takes a demand: where it rides and what it weighs there."""

    seat: Seat
    mass_kg: Decimal


def option_refusal(
    *, demand: Demand, launch: Launch, now: datetime, ready: bool, other_holds: bool = False
) -> Fit | str:
    """Whether ``launch`` may take ``demand`` at all (capacity left aside: the solver shares it):
    the seat and mass it takes there, or why not, in the booking engine's own words."""
    booking = demand.booking
    staying = demand.current is not None and launch.pk == demand.current.pk
    refusal = launch_selling_refusal(launch=launch, now=now)
    if refusal is None and not launch.rideshare:
        refusal = _("%(launch)s is a dedicated launch") % {"launch": launch.name}
    refusal = refusal or orbit_mismatch(launch=launch, payload=demand.payload)
    refusal = refusal or date_refusal(payload=demand.payload, launch=launch)
    refusal = refusal or target_refusal(demand=demand, launch=launch)
    if refusal:
        return refusal
    try:
        seat = seat_of(booking) if staying and booking is not None else _seat(demand=demand, launch=launch)
    except Conflict as exc:
        return exc.message
    problem = envelope_problem(vehicle_model=launch.vehicle_model, port=seat.port, payload=demand.payload)
    if problem:
        return problem
    if staying and booking is not None:
        mass_kg = Decimal(booking.mass_kg)
    else:
        mass_kg = payload_mass_with_adapter_kg(demand.payload, launch.vehicle_model, seat.adapter)
    if mass_kg > launch_target_capacity_kg(launch):
        return _("%(launch)s lifts less than %(payload)s's %(kg)s kg") % {
            "launch": launch_label(launch),
            "payload": demand.payload.name,
            "kg": mass_kg,
        }
    if demand.payload.returnable and launch.vehicle_model.return_capsule_kg is None:
        return _("%(launch)s flies no return capsule") % {"launch": launch_label(launch)}
    if not staying:  # where it is, its readiness is the launch's readiness plan's business
        if booking is not None:
            refusal = _move_refusal(booking=booking, launch=launch, other_holds=other_holds)
        else:
            refusal = _new_hold_refusal(demand=demand, launch=launch, ready=ready, other_holds=other_holds)
        refusal = refusal or readiness_refusal(demand=demand, launch=launch, ready=ready, now=now)
    return refusal or Fit(seat=seat, mass_kg=mass_kg)


def target_refusal(*, demand: Demand, launch: Launch) -> str | None:
    """What a standby entry or a dedicated request asks of the launch beyond the payload's own
    orbit and dates: the entry's target (its launch, or its orbit band and dates); the request's
    span of dates and the vehicle model it names."""
    entry, request = demand.entry, demand.request
    if entry is not None and not entry_targets_launch(entry, launch):
        return _("%(launch)s is not what standby entry %(entry)d of %(payload)s waits for") % {
            "launch": launch_label(launch),
            "entry": entry.pk,
            "payload": demand.payload.name,
        }
    if request is not None:
        if not request.earliest <= launch.net <= request.latest:
            return _("%(launch)s flies outside the dates of request %(reference)s") % {
                "launch": launch_label(launch),
                "reference": request.reference,
            }
        if request.vehicle_model_id is not None and request.vehicle_model_id != launch.vehicle_model_id:
            return _("request %(reference)s asks for a %(asked)s, not a %(model)s") % {
                "reference": request.reference,
                "asked": request.vehicle_model,
                "model": launch.vehicle_model,
            }
    return None


def new_seat(*, launch: Launch, payload: Payload) -> Seat:
    """Where a payload with no booking yet rides on ``launch``: the first port whose envelope it
    fits (with that port's first adapter), or no port on a launch without ports. Which slots are
    free is the solver's business (it shares them out), so fullness is not asked here; the offer
    asks for a slot of this kind (``search_seat(port_kind=...)``). ``Conflict`` when none fits."""
    ports = launch_ports(launch)
    if not ports:
        return Seat(port=None, adapter=None)
    for port in ports:
        if envelope_problem(vehicle_model=launch.vehicle_model, port=port, payload=payload) is None:
            return choose_seat(launch=launch, port_kind=port.kind, adapter=None)
    raise Conflict(
        _("no port on %(launch)s takes payload %(payload)s")
        % {"launch": launch_label(launch), "payload": payload.name}
    )


def _seat(*, demand: Demand, launch: Launch) -> Seat:
    if demand.booking is not None:
        return rebook_seat(booking=demand.booking, target=launch)
    return new_seat(launch=launch, payload=demand.payload)


def _new_hold_refusal(*, demand: Demand, launch: Launch, ready: bool, other_holds: bool) -> str | None:
    """A seat offered to a payload with no booking is a new hold: the payload is ready (as for
    every offer of a seat), its customer has a contract to confirm it under (taking the seat
    confirms it, for a standby entry and a dedicated request alike), and the
    customer holds nothing else unconfirmed on the launch."""
    if not ready:
        return payload_readiness_refusal(payload=demand.payload, customer=demand.customer)
    if not demand.under_contract:
        return _(
            "accepting an offered seat confirms it, and %(customer)s has no active contract with %(provider)s"
        ) % {"customer": demand.customer.name, "provider": launch.provider}
    if other_holds:
        return _("%(customer)s already holds another unconfirmed seat on %(launch)s: confirm it first") % {
            "customer": demand.customer.name,
            "launch": launch_label(launch),
        }
    return None


def _move_refusal(*, booking: Booking, launch: Launch, other_holds: bool) -> str | None:
    if booking.status == Booking.Status.HELD and other_holds:
        return _("%(customer)s already holds another unconfirmed seat on %(launch)s: confirm it first") % {
            "customer": booking.customer.name,
            "launch": launch_label(launch),
        }
    if booking.status == Booking.Status.CONFIRMED:
        contract = booking.contract
        if contract is None or contract.status != Contract.Status.ACTIVE:
            return _("booking %(reference)s has no active contract to fly under") % {
                "reference": booking.reference
            }
    return None


# --- the world: demands, launches and the problem -----------------------------------------------


@dataclass
class World:
    """The problem for the solver and what its keys stand for."""

    provider: Provider
    now: datetime
    problem: Problem
    demands: dict[str, Demand]
    launches: dict[str, Launch]
    options: dict[str, dict[str, Fit]]
    #: Why a booked demand's own launch no longer takes it (a slip past its dates, a scrub).
    stuck: dict[str, str] = field(default_factory=dict)


def candidate_launches(*, provider: Provider, now: datetime, also: Sequence[int] = ()) -> list[Launch]:
    """The provider's rideshare launches still selling, and the demands' own launches (scrubbed or
    slipped ones among them), NET order, ready for capacity figures."""
    selling = Q(provider=provider, rideshare=True) & launches_selling_q(now=now)
    queryset = Launch.objects.filter(selling | Q(pk__in=list(also)))
    return list(
        launches_with_capacity(queryset, now=now)
        .select_related("vehicle_model")
        .prefetch_related("ports")
        .order_by("net", "pk")
    )


def ready_payload_ids(*, demands: Sequence[Demand]) -> set[int]:
    """Payloads whose customer's export screening is cleared and that have an approved document."""
    ids = [d.payload.pk for d in demands]
    approved = set(
        Document.objects.filter(payload_id__in=ids, status=Document.Status.APPROVED).values_list(
            "payload_id", flat=True
        )
    )
    return {
        d.payload.pk
        for d in demands
        if d.payload.pk in approved and d.customer.export_screening == Customer.ExportScreening.CLEARED
    }


def manifest_world(*, provider: Provider, now: datetime, weights: Mapping[str, float] | None = None) -> World:
    """The provider's manifest as a problem: each demand's options, each launch's room."""
    weights = weights_with(weights if weights is not None else settings.LAUNCHBOOK_MANIFEST_WEIGHTS)
    demands = manifest_demands(provider=provider, now=now)
    launches = candidate_launches(
        provider=provider, now=now, also=[d.current.pk for d in demands if d.current is not None]
    )
    by_key = {launch_key(launch): launch for launch in launches}
    ready = ready_payload_ids(demands=demands)
    holds = _live_holds(launches=launches, now=now)
    world = World(
        provider=provider, now=now, problem=Problem((), ()), demands={}, launches=by_key, options={}
    )
    specs = []
    for demand in demands:
        world.demands[demand.key] = demand
        fits: dict[str, Fit] = {}
        for key, launch in by_key.items():
            others = holds.get((demand.customer.pk, launch.pk), set()) - {
                demand.booking.pk if demand.booking else 0
            }
            answer = option_refusal(
                demand=demand,
                launch=launch,
                now=now,
                ready=demand.payload.pk in ready,
                other_holds=bool(others),
            )
            if isinstance(answer, Fit):
                fits[key] = answer
            elif demand.current is not None and launch.pk == demand.current.pk:
                world.stuck[demand.key] = answer
        world.options[demand.key] = fits
        specs.append(_demand_spec(demand=demand, fits=fits, launches=by_key, weights=weights))
    launch_specs = _launch_specs(launches=launches, demands=demands, now=now)
    world.problem = Problem(
        demands=tuple(specs),
        launches=launch_specs,
        contracts=_contract_specs(demands=demands),
        groups=_hold_groups(demands=demands, launches=by_key)
        + _new_hold_budgets(demands=demands, provider=provider, now=now)
        + _one_seat_per_payload(demands=demands),
        move_penalty=round(weights["move"]),
    )
    return world


def _grams(kg: Decimal | float) -> int:
    return round(Decimal(str(kg)) * 1000)


def _demand_spec(
    *, demand: Demand, fits: Mapping[str, Fit], launches: Mapping[str, Launch], weights: Mapping[str, float]
) -> DemandSpec:
    latest: date | None = demand.payload.latest_launch
    options = []
    for key, fit in fits.items():
        net_day = launches[key].net.astimezone(UTC).date()
        options.append(
            Option(
                launch=key,
                mass_g=_grams(fit.mass_kg),
                port_kind=fit.seat.port.kind if fit.seat.port is not None else None,
                points=points(
                    mass_kg=float(demand.payload.mass_kg),
                    revenue_usd=float(demand.revenue_usd),
                    days_to_spare=None if latest is None else (latest - net_day).days,
                    weights=weights,
                ),
            )
        )
    current = launch_key(demand.current) if demand.current is not None else None
    booking = demand.booking
    confirmed = booking is not None and booking.status == Booking.Status.CONFIRMED
    return DemandSpec(
        key=demand.key,
        options=tuple(options),
        current=current,
        must_fly=current is not None and current in fits,
        return_g=_grams(demand.payload.return_mass_kg or 0) if demand.payload.returnable else 0,
        contract=f"contract:{booking.contract_id}" if confirmed and booking and booking.contract_id else None,
    )


def _live_holds(*, launches: Sequence[Launch], now: datetime) -> dict[tuple[int, int], set[int]]:
    """Unconfirmed holds still running, by (customer, launch)."""
    rows = Booking.objects.filter(
        capacity_taking_q(now=now), status=Booking.Status.HELD, launch__in=list(launches)
    ).values_list("customer_id", "launch_id", "pk")
    holds: dict[tuple[int, int], set[int]] = defaultdict(set)
    for customer_id, launch_id, pk in rows:
        holds[(customer_id, launch_id)].add(pk)
    return holds


def _launch_specs(
    *, launches: Sequence[Launch], demands: Sequence[Demand], now: datetime
) -> tuple[LaunchSpec, ...]:
    """Each launch's room for the demands: its capacity, ports and return capsule less what the
    bookings that are not demands (manifested, not to be moved) take."""
    demand_bookings = {d.booking.pk for d in demands if d.booking is not None}
    fixed = list(
        Booking.objects.filter(capacity_taking_q(now=now), launch__in=list(launches))
        .exclude(pk__in=demand_bookings)
        .values_list(
            "launch_id", "mass_kg", "launch_port_id", "payload__returnable", "payload__return_mass_kg"
        )
    )
    mass: dict[int, Decimal] = defaultdict(Decimal)
    back: dict[int, Decimal] = defaultdict(Decimal)
    ports_taken: dict[int, int] = defaultdict(int)
    for launch_id, kg, port_id, returnable, return_kg in fixed:
        mass[launch_id] += Decimal(kg)
        if returnable:
            back[launch_id] += Decimal(return_kg or 0)
        if port_id is not None:
            ports_taken[port_id] += 1
    specs = []
    for launch in launches:
        slots: dict[str, int] = {}
        for port in launch_ports(launch):  # a seat of a kind is on its first port (ports.choose_seat)
            slots.setdefault(port.kind, max(port.count - ports_taken[port.pk], 0))
        capsule = launch.vehicle_model.return_capsule_kg
        specs.append(
            LaunchSpec(
                key=launch_key(launch),
                capacity_g=max(_grams(launch_target_capacity_kg(launch) - mass[launch.pk]), 0),
                port_slots=slots,
                return_g=None if capsule is None else max(_grams(Decimal(capsule) - back[launch.pk]), 0),
            )
        )
    return tuple(specs)


def _contract_specs(*, demands: Sequence[Demand]) -> tuple[ContractSpec, ...]:
    """Each confirmed demand's contract: launches left beyond those its other bookings use."""
    contracts = {
        d.booking.contract_id: d.booking.contract
        for d in demands
        if d.booking is not None and d.booking.status == Booking.Status.CONFIRMED and d.booking.contract_id
    }
    demand_bookings = [d.booking.pk for d in demands if d.booking is not None]
    used: dict[int, set[int]] = defaultdict(set)
    rows = (
        Booking.objects.filter(contract_id__in=list(contracts), status__in=CONTRACT_USING_STATUSES)
        .exclude(pk__in=demand_bookings)
        .values_list("contract_id", "launch_id")
    )
    for contract_id, launch_id in rows:
        used[contract_id].add(launch_id)
    return tuple(
        ContractSpec(
            key=f"contract:{pk}",
            launches_left=max(contract.launches_committed - len(used[pk]), 0),
            used_launches=frozenset(f"launch:{launch_id}" for launch_id in used[pk]),
        )
        for pk, contract in contracts.items()
        if contract is not None
    )


def _hold_groups(*, demands: Sequence[Demand], launches: Mapping[str, Launch]) -> tuple[Group, ...]:
    """One customer's unconfirmed holds move onto a launch one at a time at most: a second would
    count against the share of a launch one customer may hold unconfirmed."""
    held: dict[int, list[Demand]] = defaultdict(list)
    for demand in demands:
        if demand.new_hold or (demand.booking is not None and demand.booking.status == Booking.Status.HELD):
            held[demand.customer.pk].append(demand)
    groups = []
    for members in held.values():
        if len(members) < 2:
            continue
        for key, launch in launches.items():
            movers = tuple(d.key for d in members if d.current is None or d.current.pk != launch.pk)
            if len(movers) > 1:
                groups.append(Group(launch=key, demands=movers, at_most=1))
    return tuple(groups)


def _new_hold_budgets(*, demands: Sequence[Demand], provider: Provider, now: datetime) -> tuple[Group, ...]:
    """A customer's new holds (standby entries, dedicated requests placed) stay within the
    provider's limit of unconfirmed holds at once, less the holds the customer has now."""
    new: dict[int, list[Demand]] = defaultdict(list)
    for demand in demands:
        if demand.new_hold:
            new[demand.customer.pk].append(demand)
    held_now = open_hold_counts(customer_ids=list(new), provider_id=provider.pk, now=now)
    groups = []
    for customer_id, members in new.items():
        held = held_now.get(customer_id, 0)
        budget = max(provider.hold_limit_per_customer - held, 0)
        if len(members) > budget:
            groups.append(Group(launch=None, demands=tuple(d.key for d in members), at_most=budget))
    return tuple(groups)


def _one_seat_per_payload(*, demands: Sequence[Demand]) -> tuple[Group, ...]:
    """A payload waiting on several standby lists, or also asking for a dedicated launch, flies
    once: at most one of its demands is placed."""
    by_payload: dict[int, list[Demand]] = defaultdict(list)
    for demand in demands:
        if demand.new_hold:
            by_payload[demand.payload.pk].append(demand)
    return tuple(
        Group(launch=None, demands=tuple(d.key for d in members), at_most=1)
        for members in by_payload.values()
        if len(members) > 1
    )
