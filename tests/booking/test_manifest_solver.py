"""The manifest solver against brute force: small worlds whose optimum is known by trying every
assignment are solved exactly, and what it proposes breaks no rule of the model."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from booking.selectors.manifest.solver import (
    ContractSpec,
    DemandSpec,
    Group,
    LaunchSpec,
    Option,
    Problem,
    first_come_first_served,
    greedy_best_fit,
    objective_of,
    solve,
    violations,
)


def brute_force(problem: Problem) -> int:
    choices = [[None, *[o.launch for o in d.options]] for d in problem.demands]
    best = None
    for combo in itertools.product(*choices):
        assignment = {d.key: launch for d, launch in zip(problem.demands, combo, strict=True)}
        if violations(problem, assignment):
            continue
        value = objective_of(problem, assignment)
        best = value if best is None else max(best, value)
    assert best is not None, "the world has no feasible assignment at all"
    return best


def random_world(seed: int) -> Problem:
    rng = random.Random(seed)
    launches = tuple(
        LaunchSpec(
            key=f"L{i}",
            capacity_g=rng.choice([60, 100, 150]) * 1000,
            port_slots={"A": rng.randint(1, 2), "B": rng.randint(0, 2)},
            return_g=rng.choice([None, 20_000]),
        )
        for i in range(3)
    )
    demands = []
    for i in range(6):
        mass = rng.randint(10, 70) * 1000
        kind = rng.choice(["A", "B", None])
        reachable = rng.sample([launch.key for launch in launches], rng.randint(1, 3))
        options = tuple(
            Option(
                launch=key,
                mass_g=mass + rng.choice([0, 2000]),
                points=mass // 100 + rng.randint(0, 50),
                port_kind=kind,
            )
            for key in reachable
        )
        current = rng.choice([None, None, "L0", *reachable])  # on L0 and not reaching it: stuck there
        demands.append(
            DemandSpec(
                key=f"d{i}",
                options=options,
                current=current,
                must_fly=current in reachable and rng.random() < 0.5,
                return_g=rng.choice([0, 0, 0, 8000]),
                contract=rng.choice([None, "c1", "c2"]) if current else None,
            )
        )

    def on(contract: str, used: set[str]) -> int:  # today's manifest keeps to its contracts
        return len({d.current for d in demands if d.contract == contract} - used)

    contracts = (
        ContractSpec("c1", launches_left=max(1, on("c1", set()))),
        ContractSpec("c2", launches_left=max(1, on("c2", {"L0"})), used_launches=frozenset({"L0"})),
    )
    groups = (Group(launch="L1", demands=("d0", "d1", "d2"), at_most=1),)
    problem = Problem(tuple(demands), launches, contracts, groups, move_penalty=rng.choice([0, 30]))
    # Today's manifest is feasible: the bookings that must fly, staying, break no rule.
    while violations(problem, {d.key: d.current for d in problem.demands if d.must_fly}):
        last = max(i for i, d in enumerate(problem.demands) if d.must_fly)
        changed = list(problem.demands)
        changed[last] = replace(changed[last], must_fly=False)
        problem = replace(problem, demands=tuple(changed))
    return problem


@pytest.mark.parametrize("seed", range(25))
def test_small_worlds_are_solved_to_their_known_optimum(seed):
    problem = random_world(seed)
    solution = solve(problem, time_limit_seconds=10, workers=1)
    assert solution.optimal
    assert solution.gap == 0
    assert violations(problem, solution.assignment) == []
    assert solution.objective == objective_of(problem, solution.assignment) == brute_force(problem)


def test_a_booking_that_must_fly_keeps_a_seat_even_when_another_is_worth_more():
    launch = LaunchSpec("L", capacity_g=100_000)
    booked = DemandSpec("booked", (Option("L", 60_000, 600),), current="L", must_fly=True)
    richer = DemandSpec("richer", (Option("L", 90_000, 900),))
    solution = solve(Problem((booked, richer), (launch,)), workers=1)
    assert solution.assignment == {"booked": "L", "richer": None}


def test_moving_one_payload_makes_room_for_another():
    """Today's placement put the light payload on the only launch the heavy one reaches."""
    early, late = LaunchSpec("early", 100_000), LaunchSpec("late", 100_000)
    light = DemandSpec("light", (Option("early", 40_000, 400), Option("late", 40_000, 400)))
    heavy = DemandSpec("heavy", (Option("early", 80_000, 800),))
    problem = Problem((light, heavy), (early, late))
    fcfs = first_come_first_served(problem, arrival=["light", "heavy"], launch_order=["early", "late"])
    assert fcfs == {"light": "early", "heavy": None}
    solution = solve(problem, workers=1)
    assert solution.assignment == {"light": "late", "heavy": "early"}
    assert objective_of(problem, solution.assignment) > objective_of(problem, fcfs)
    assert greedy_best_fit(problem, launch_order=["early", "late"])["heavy"] == "early"


def test_a_launch_either_gives_or_takes_in_one_proposal():
    """Swapping two bookings would need one move to go first into a full launch."""
    a_launch, b_launch = LaunchSpec("A", 50_000), LaunchSpec("B", 50_000)
    a = DemandSpec("a", (Option("A", 50_000, 10), Option("B", 50_000, 100)), current="A", must_fly=True)
    b = DemandSpec("b", (Option("A", 50_000, 100), Option("B", 50_000, 10)), current="B", must_fly=True)
    solution = solve(Problem((a, b), (a_launch, b_launch)), workers=1)
    assert solution.assignment == {"a": "A", "b": "B"}


def test_a_launch_with_a_payload_it_no_longer_takes_takes_no_other():
    """The slipped launch keeps the late payload's mass until that one moves: nothing moves in."""
    slipped, other = LaunchSpec("slipped", 100_000), LaunchSpec("other", 50_000)
    late = DemandSpec("late", (Option("other", 90_000, 900),), current="slipped")
    mover = DemandSpec(
        "mover",
        (Option("slipped", 40_000, 400), Option("other", 40_000, 300)),
        current="other",
        must_fly=True,
    )
    problem = Problem((late, mover), (slipped, other))
    solution = solve(problem, workers=1)
    assert solution.assignment == {"late": None, "mover": "other"}
    assert violations(problem, {"late": None, "mover": "slipped"}) == [
        "slipped takes payloads while one stays on it unplaced"
    ]
