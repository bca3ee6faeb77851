"""The manifest as a CP-SAT model: pure, no Django, no rule of its own.

The booking engine decides which launch may take which payload (``manifest.demands`` asks its fit
rules); this module only sees the result: for each demand its options (launch, counted mass in
grams, the port kind it takes, the points it earns there), and for each launch the capacity, port
slots and return mass left for the demands. It chooses at most one option per demand to maximise
the points, under:

- capacity, port slots and return mass per launch (the final manifest);
- contracts: the launches a contract's bookings sit on now or are proposed for, together, stay
  within the launches it has left;
- groups: at most so many of some demands on one launch (one customer's unconfirmed holds), or
  placed at all (a customer's new holds within the provider's limit; one payload flies once);
- a demand that must fly (a booking whose launch still takes it) keeps an option;
- a launch either gives payloads away or takes them in, never both in one proposal. With the
  union rule for contracts this makes every subset of the proposed moves, carried out in any
  order, fit at each step: a taking launch only fills up towards the proposed manifest, a giving
  launch only empties. Customers answer offers in their own order, so this is what makes each
  accepted move go through.

The objective's points come from the caller (mass, revenue, date preference, each weighted by
settings); a move costs ``move_penalty`` points so nothing moves for no gain.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Option:
    """One launch a demand may ride: what it weighs there, the port kind it takes (``None``: a
    launch without ports) and the points it earns there."""

    launch: str
    mass_g: int
    points: int
    port_kind: str | None = None


@dataclass(frozen=True)
class DemandSpec:
    """A payload that wants to fly. ``current`` is the launch it is booked on (``None``: it has no
    seat yet); ``must_fly``: it is booked and its launch still takes it, so it keeps a seat."""

    key: str
    options: tuple[Option, ...]
    current: str | None = None
    must_fly: bool = False
    return_g: int = 0
    contract: str | None = None


@dataclass(frozen=True)
class LaunchSpec:
    """What a launch has left for the demands: after every booking that is not a demand."""

    key: str
    capacity_g: int
    port_slots: Mapping[str, int] = field(default_factory=dict)
    return_g: int | None = None  # None: no return capsule


@dataclass(frozen=True)
class ContractSpec:
    """A contract's launches left for its demands, and the launches its other bookings already use."""

    key: str
    launches_left: int
    used_launches: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Group:
    """At most ``at_most`` of ``demands`` on ``launch`` (``None``: placed on any launch)."""

    launch: str | None
    demands: tuple[str, ...]
    at_most: int


@dataclass(frozen=True)
class Problem:
    demands: tuple[DemandSpec, ...]
    launches: tuple[LaunchSpec, ...]
    contracts: tuple[ContractSpec, ...] = ()
    groups: tuple[Group, ...] = ()
    move_penalty: int = 0


Assignment = dict[str, str | None]


@dataclass(frozen=True)
class Solution:
    """The chosen launch per demand (``None``: it does not fly), the objective, CP-SAT's best
    bound and the relative gap between them (0 when proved optimal)."""

    assignment: Assignment
    objective: int
    best_bound: int
    gap: float
    status: str
    seconds: float

    @property
    def optimal(self) -> bool:
        return self.status == "OPTIMAL"


#: The objective's weights (``settings.LAUNCHBOOK_MANIFEST_WEIGHTS`` overrides any of them):
#: points per kg flown, per 1,000 US dollars of booked price, per day a launch leaves before the
#: payload's latest acceptable date (up to ``dates_cap_days``), and the cost of one move.
DEFAULT_WEIGHTS: dict[str, float] = {"mass": 100, "revenue": 1, "dates": 2, "dates_cap_days": 90, "move": 200}


def weights_with(overrides: Mapping[str, float] | None) -> dict[str, float]:
    unknown = set(overrides or {}) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(
            f"unknown manifest weights: {', '.join(sorted(unknown))}; known: {', '.join(DEFAULT_WEIGHTS)}"
        )
    return {**DEFAULT_WEIGHTS, **(overrides or {})}


def points(
    *, mass_kg: float, revenue_usd: float, days_to_spare: int | None, weights: Mapping[str, float]
) -> int:
    """What flying one payload on one launch is worth: mass first, then revenue, then the date
    preference (the earlier within the payload's dates, the better; ``None``: it states no latest)."""
    spare = 0 if days_to_spare is None else max(0, min(days_to_spare, int(weights["dates_cap_days"])))
    return round(
        weights["mass"] * mass_kg + weights["revenue"] * revenue_usd / 1000 + weights["dates"] * spare
    )


def option_on(demand: DemandSpec, launch: str | None) -> Option | None:
    return next((o for o in demand.options if o.launch == launch), None) if launch is not None else None


def option_points(problem: Problem, demand: DemandSpec, option: Option) -> int:
    """The points of riding ``option``: its own, less the move penalty when it is a move."""
    moved = demand.current is not None and option.launch != demand.current
    return option.points - (problem.move_penalty if moved else 0)


def objective_of(problem: Problem, assignment: Mapping[str, str | None]) -> int:
    total = 0
    for demand in problem.demands:
        option = option_on(demand, assignment.get(demand.key))
        if option is not None:
            total += option_points(problem, demand, option)
    return total


@dataclass
class _Tally:
    """What an assignment puts on each launch."""

    mass: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    back: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ports: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    gives: set[str] = field(default_factory=set)
    takes: set[str] = field(default_factory=set)
    contract_launches: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, demand: DemandSpec, option: Option) -> None:
        chosen = option.launch
        self.mass[chosen] += option.mass_g
        self.back[chosen] += demand.return_g
        if option.port_kind is not None:
            self.ports[(chosen, option.port_kind)] += 1
        if demand.current != chosen:
            self.takes.add(chosen)
            if demand.current is not None:
                self.gives.add(demand.current)
        if demand.contract is not None:
            self.contract_launches[demand.contract].add(chosen)


def violations(problem: Problem, assignment: Mapping[str, str | None], *, partial: bool = False) -> list[str]:
    """Every rule of the model the assignment breaks, in words (empty: it is feasible).

    ``partial``: an assignment still being built, where a demand that must fly may wait its turn."""
    wrong: list[str] = []
    tally = _Tally()
    for demand in problem.demands:
        chosen = assignment.get(demand.key)
        if demand.contract is not None and demand.current is not None:
            tally.contract_launches[demand.contract].add(demand.current)
        option = option_on(demand, chosen)
        if chosen is None:
            if demand.must_fly and not partial:
                wrong.append(f"{demand.key} must fly")
        elif option is None:
            wrong.append(f"{demand.key} cannot ride {chosen}")
        else:
            tally.add(demand, option)
    return wrong + _launch_violations(problem, tally) + _shared_violations(problem, tally, assignment)


def _launch_violations(problem: Problem, tally: _Tally) -> list[str]:
    wrong = []
    launches = {launch.key: launch for launch in problem.launches}
    for key, load in tally.mass.items():
        if load > launches[key].capacity_g:
            wrong.append(f"{key} carries {load} g of {launches[key].capacity_g} g")
    for key, load in tally.back.items():
        limit = launches[key].return_g
        if load and (limit is None or load > limit):
            wrong.append(f"{key} brings back {load} g of {limit} g")
    for (key, kind), count in tally.ports.items():
        if count > launches[key].port_slots.get(kind, 0):
            wrong.append(f"{key} fills {count} {kind} slots")
    wrong += [
        f"{key} takes payloads while one stays on it unplaced"
        for key in sorted(tally.takes & _blocked(problem))
    ]
    return wrong + [f"{key} both gives and takes payloads" for key in sorted(tally.gives & tally.takes)]


def _blocked(problem: Problem) -> set[str]:
    """Launches a booked demand sits on that no longer take it: it may find no other seat and
    stay, so its mass is still there and the launch takes nothing in (treated as giving)."""
    return {d.current for d in problem.demands if d.current is not None and option_on(d, d.current) is None}


def _shared_violations(problem: Problem, tally: _Tally, assignment: Mapping[str, str | None]) -> list[str]:
    wrong = []
    for contract in problem.contracts:
        extra = tally.contract_launches[contract.key] - contract.used_launches
        if len(extra) > contract.launches_left:
            wrong.append(f"{contract.key} uses {len(extra)} launches of {contract.launches_left}")
    for group in problem.groups:
        count = sum(1 for key in group.demands if _in_group(group, assignment.get(key)))
        if count > group.at_most:
            wrong.append(f"{count} of a group on {group.launch or 'any launch'}, at most {group.at_most}")
    return wrong


def _in_group(group: Group, chosen: str | None) -> bool:
    return chosen is not None and (group.launch is None or chosen == group.launch)


Rider = tuple[DemandSpec, Option, cp_model.IntVar]


def solve(problem: Problem, *, time_limit_seconds: float = 4.0, workers: int = 2, seed: int = 1) -> Solution:
    """The best assignment CP-SAT finds within the time limit, with its bound and gap.

    Staying put (every booked demand on its current launch, when that is one of its options) is
    given as the starting hint, so the answer is never worse than changing nothing.
    """
    started = time.perf_counter()
    model = cp_model.CpModel()
    launches = {launch.key: launch for launch in problem.launches}
    x, terms = _choices(model, problem, launches)
    by_launch: dict[str, list[Rider]] = defaultdict(list)
    for demand in problem.demands:
        for option in demand.options:
            if (demand.key, option.launch) in x:
                by_launch[option.launch].append((demand, option, x[(demand.key, option.launch)]))
    for key, riders in by_launch.items():
        _launch_limits(model, launches[key], riders)
    _give_or_take(model, by_launch, blocked=_blocked(problem))
    _contracts(model, problem, x)
    by_demand: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (demand_key, _launch), var in x.items():
        by_demand[demand_key].append(var)
    for group in problem.groups:
        if group.launch is not None:
            members = [x[(key, group.launch)] for key in group.demands if (key, group.launch) in x]
        else:
            members = [var for key in group.demands for var in by_demand.get(key, [])]
        if len(members) > group.at_most:
            model.add(sum(members) <= group.at_most)
    model.maximize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = max(workers, 1)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    name = solver.status_name(status)
    assignment: Assignment = dict.fromkeys(d.key for d in problem.demands)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution(assignment, 0, 0, 1.0, name, time.perf_counter() - started)
    for (demand_key, launch_key), var in x.items():
        if solver.value(var):
            assignment[demand_key] = launch_key
    objective = round(solver.objective_value)
    bound = round(solver.best_objective_bound)
    gap = 0.0 if status == cp_model.OPTIMAL else (bound - objective) / max(abs(bound), 1)
    return Solution(assignment, objective, bound, max(gap, 0.0), name, time.perf_counter() - started)


def _choices(
    model: cp_model.CpModel, problem: Problem, launches: Mapping[str, LaunchSpec]
) -> tuple[dict[tuple[str, str], cp_model.IntVar], list]:
    """One yes/no per (demand, option), at most one per demand (exactly one if it must fly)."""
    x: dict[tuple[str, str], cp_model.IntVar] = {}
    terms = []
    for demand in problem.demands:
        chosen = []
        for option in demand.options:
            if option.launch not in launches:
                continue
            var = model.new_bool_var(f"x[{demand.key},{option.launch}]")
            x[(demand.key, option.launch)] = var
            chosen.append(var)
            terms.append(option_points(problem, demand, option) * var)
            model.add_hint(var, demand.current == option.launch)
        if demand.must_fly:
            model.add_exactly_one(chosen)
        elif chosen:
            model.add_at_most_one(chosen)
    return x, terms


def _launch_limits(model: cp_model.CpModel, launch: LaunchSpec, riders: list[Rider]) -> None:
    model.add(sum(option.mass_g * var for _, option, var in riders) <= launch.capacity_g)
    returning = [(demand.return_g, var) for demand, _, var in riders if demand.return_g]
    if returning:
        model.add(sum(g * var for g, var in returning) <= (launch.return_g or 0))
    kinds: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for _, option, var in riders:
        if option.port_kind is not None:
            kinds[option.port_kind].append(var)
    for kind, vars_ in kinds.items():
        model.add(sum(vars_) <= launch.port_slots.get(kind, 0))


def _give_or_take(
    model: cp_model.CpModel, by_launch: Mapping[str, list[Rider]], *, blocked: set[str]
) -> None:
    """A launch that gives a payload away takes none in (see the module's docstring); a blocked
    launch (``_blocked``) takes none in at all."""
    gives: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    takes: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for key, riders in by_launch.items():
        for demand, _, var in riders:
            if demand.current != key:
                takes[key].append(var)
                if demand.current is not None:
                    gives[demand.current].append(var)
    for key in blocked & set(takes):
        for var in takes[key]:
            model.add(var == 0)
    for key in (set(gives) & set(takes)) - blocked:
        giving = model.new_bool_var(f"gives[{key}]")
        for var in gives[key]:
            model.add_implication(var, giving)
        for var in takes[key]:
            model.add_implication(var, giving.Not())


def _contracts(
    model: cp_model.CpModel, problem: Problem, x: Mapping[tuple[str, str], cp_model.IntVar]
) -> None:
    """Per contract: the launches its demands sit on now or are proposed for (the union, so any
    order of carrying the moves out fits), beyond those it already uses, within what it has left."""
    members: dict[str, list[DemandSpec]] = defaultdict(list)
    for demand in problem.demands:
        if demand.contract is not None:
            members[demand.contract].append(demand)
    for contract in problem.contracts:
        uses: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        fixed: set[str] = set()
        for demand in members[contract.key]:
            if demand.current is not None:
                fixed.add(demand.current)
            for option in demand.options:
                if (demand.key, option.launch) in x:
                    uses[option.launch].append(x[(demand.key, option.launch)])
        fixed -= contract.used_launches
        counted = []
        for key, vars_ in uses.items():
            if key in fixed or key in contract.used_launches:
                continue
            used = model.new_bool_var(f"uses[{contract.key},{key}]")
            for var in vars_:
                model.add_implication(var, used)
            counted.append(used)
        model.add(len(fixed) + sum(counted) <= contract.launches_left)


# --- the baselines the optimiser is measured against ------------------------------------------


def place_one_at_a_time(
    problem: Problem,
    order: Sequence[str],
    choose: Callable[[DemandSpec, list[Option], Mapping[str, int]], Option],
) -> Assignment:
    """Place demands one by one in ``order``, each on the option ``choose`` picks among those that
    still fit (given the capacity left per launch), never moving one placed before: how bookings
    are taken today. A demand nothing fits stays unplaced."""
    demands = {demand.key: demand for demand in problem.demands}
    launches = {launch.key: launch for launch in problem.launches}
    assignment: Assignment = dict.fromkeys(demands)
    left = {key: launch.capacity_g for key, launch in launches.items()}
    for key in order:
        demand = demands[key]
        fitting = []
        for option in demand.options:
            if option.launch not in launches or option.mass_g > left[option.launch]:
                continue
            assignment[key] = option.launch
            if not violations(problem, assignment, partial=True):
                fitting.append(option)
            assignment[key] = None
        if fitting:
            option = choose(demand, fitting, left)
            assignment[key] = option.launch
            left[option.launch] -= option.mass_g
    return assignment


def first_come_first_served(
    problem: Problem, *, arrival: Sequence[str], launch_order: Iterable[str]
) -> Assignment:
    """Today's placement: in arrival order, each payload on the first launch (by date) that fits."""
    rank = {key: i for i, key in enumerate(launch_order)}
    return place_one_at_a_time(
        problem, arrival, lambda d, fitting, left: min(fitting, key=lambda o: rank[o.launch])
    )


def greedy_best_fit(problem: Problem, *, launch_order: Iterable[str]) -> Assignment:
    """Heaviest first, each on the fitting launch with the least capacity left after it (best fit)."""
    rank = {key: i for i, key in enumerate(launch_order)}
    heaviest = sorted(problem.demands, key=lambda d: (-max((o.mass_g for o in d.options), default=0), d.key))
    return place_one_at_a_time(
        problem,
        [d.key for d in heaviest],
        lambda d, fitting, left: min(fitting, key=lambda o: (left[o.launch] - o.mass_g, rank[o.launch])),
    )
