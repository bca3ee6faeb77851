"""The manifest optimiser against today's placement, on random provider worlds.

    .venv/bin/python bench/manifest.py                 # sizes 50/10, 100/20, 200/30, 400/40
    .venv/bin/python bench/manifest.py --sizes 200/30 --seeds 3

What it measures: the pure solver layer (``booking.selectors.manifest.solver``), no database. Each
world is one provider's rideshare launches (SSO and LEO, mixed altitudes and inclinations, NETs
over six months, two port kinds with a few slots each, 150–600 kg each) and payloads that want to
fly with it (5–150 kg, a port kind, an orbit, earliest and latest acceptable dates), about 1.4
times more mass than the launches lift. Which payload may ride which launch is decided by the
booking engine's pure rules: the orbit family, ``fit.ALTITUDE_TOLERANCE_KM``,
``rules.orbit.inclination_mismatch`` (sun-synchronous inclinations from
``rules.orbit.target_inclination_deg``), the port kind, and the dates. The points are the
optimiser's own (``solver.points`` with the default weights).

The payloads come from the optimiser's three sources: most are bookings to place; about 15 % are
standby entries waiting on one launch (their one option is that launch); about 10 % are dedicated
requests that would fit a rideshare (any launch that takes them); and a few payloads wait twice,
on a standby list and as a request (only one of the two may fly). A customer's standby entries and
requests together become at most 3 new holds (the provider's default ``hold_limit_per_customer``),
as ``demands._new_hold_budgets`` bounds them.

Three placements of the same world, in the same run:

- first come, first served: in arrival order, each payload on the first launch (by NET) that
  still fits it, as bookings are taken today;
- greedy best fit: heaviest first, each on the fitting launch left fullest after it;
- the optimiser: CP-SAT with the default time limit and two workers.

Prints, per size, mass flown and payloads flown within their dates for each, the optimiser's
solve time and its optimality gap (objective against CP-SAT's best bound), and writes
bench/results/manifest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchbook.settings")

import django  # noqa: E402

django.setup()

from booking.rules.orbit import inclination_mismatch, target_inclination_deg  # noqa: E402
from booking.selectors.fit import ALTITUDE_TOLERANCE_KM  # noqa: E402
from booking.selectors.manifest.solver import (  # noqa: E402
    DEFAULT_WEIGHTS,
    Assignment,
    DemandSpec,
    Group,
    LaunchSpec,
    Option,
    Problem,
    first_come_first_served,
    greedy_best_fit,
    points,
    solve,
    violations,
)

START = date(2027, 1, 1)
KINDS = ("15in", "24in")
LEO_INCLINATIONS = (43, 45, 53)


def world(payload_count: int, launch_count: int, seed: int) -> tuple[Problem, list[str], list[str], dict]:
    rng = random.Random(seed)
    launches: list[dict[str, Any]] = []
    for i in range(launch_count):
        family = "SSO" if rng.random() < 0.6 else "LEO"
        altitude = rng.choice((500, 550, 600)) if family == "SSO" else rng.choice((400, 450, 550))
        inclination = (
            target_inclination_deg(orbit_family="SSO", altitude_km=altitude, inclination_deg=None)
            if family == "SSO"
            else Decimal(rng.choice(LEO_INCLINATIONS))
        )
        launches.append(
            {
                "key": f"L{i}",
                "family": family,
                "altitude": altitude,
                "inclination": inclination,
                "net": START + timedelta(days=rng.randint(0, 180)),
                "capacity_kg": rng.randint(150, 600),
                "ports": {"15in": rng.randint(2, 6), "24in": rng.randint(0, 3)},
            }
        )
    total_capacity = sum(launch["capacity_kg"] for launch in launches)
    mean_mass = total_capacity * 1.4 / payload_count
    demands = []
    flyable = {}
    for j in range(payload_count):
        family = "SSO" if rng.random() < 0.6 else "LEO"
        altitude = rng.choice((480, 520, 560, 600)) if family == "SSO" else rng.choice((380, 420, 500, 560))
        wanted = (
            target_inclination_deg(orbit_family="SSO", altitude_km=altitude, inclination_deg=None)
            if family == "SSO"
            else Decimal(rng.choice(LEO_INCLINATIONS))
        )
        mass_kg = round(min(max(rng.expovariate(1 / mean_mass), 5), 150), 1)
        kind = "24in" if mass_kg > 80 else rng.choice(KINDS)
        earliest = START + timedelta(days=rng.randint(-30, 150))
        latest = earliest + timedelta(days=rng.randint(30, 120))
        price_usd = mass_kg * rng.randint(25_000, 60_000)
        options = []
        for launch in launches:
            if launch["family"] != family or abs(launch["altitude"] - altitude) > ALTITUDE_TOLERANCE_KM:
                continue
            if wanted is not None and inclination_mismatch(
                offered_deg=launch["inclination"], wanted_deg=wanted
            ):
                continue
            if not (earliest <= launch["net"] <= latest) or not launch["ports"][kind]:
                continue
            if mass_kg > launch["capacity_kg"]:
                continue
            spare = (latest - launch["net"]).days
            options.append(
                Option(
                    launch=launch["key"],
                    mass_g=round(mass_kg * 1000),
                    points=points(
                        mass_kg=mass_kg, revenue_usd=price_usd, days_to_spare=spare, weights=DEFAULT_WEIGHTS
                    ),
                    port_kind=kind,
                )
            )
        demands.append(DemandSpec(key=f"P{j}", options=tuple(options)))
        flyable[f"P{j}"] = mass_kg
    demands, groups = _sources(demands, flyable, seed=seed)
    specs = tuple(
        LaunchSpec(key=launch["key"], capacity_g=launch["capacity_kg"] * 1000, port_slots=launch["ports"])
        for launch in launches
    )
    launch_order = [
        launch["key"] for launch in sorted(launches, key=lambda launch: (launch["net"], launch["key"]))
    ]
    arrival = [d.key for d in demands]  # a payload waiting twice arrives twice; it flies once
    rng.shuffle(arrival)
    return Problem(tuple(demands), specs, groups=groups), arrival, launch_order, flyable


#: The shares of standby entries and of dedicated requests among the payloads, and of standby
#: entries whose payload also asked for a dedicated launch.
STANDBY_SHARE, DEDICATED_SHARE, TWICE_SHARE = 0.15, 0.10, 0.3
HOLD_LIMIT = 3


def _sources(
    demands: list[DemandSpec], flyable: dict, *, seed: int
) -> tuple[list[DemandSpec], tuple[Group, ...]]:
    """Turn some payloads into standby entries (one launch) and dedicated requests, add a request
    for some waiting payloads, and bound each customer's new holds. A generator of its own, so the
    launches and payloads are those of the worlds without sources."""
    rng = random.Random(seed + 10_000)
    out: list[DemandSpec] = []
    new_holds: dict[int, list[str]] = {}
    groups: list[Group] = []
    customers = max(len(demands) // 4, 1)
    for demand in demands:
        roll = rng.random()
        customer = rng.randrange(customers)
        if roll < STANDBY_SHARE and demand.options:
            entry = DemandSpec(key=f"S{demand.key}", options=(rng.choice(demand.options),))
            out.append(entry)
            flyable[entry.key] = flyable.pop(demand.key)
            new_holds.setdefault(customer, []).append(entry.key)
            if rng.random() < TWICE_SHARE:
                request = DemandSpec(key=f"D{demand.key}", options=demand.options)
                out.append(request)
                flyable[request.key] = flyable[entry.key]
                new_holds[customer].append(request.key)
                groups.append(Group(launch=None, demands=(entry.key, request.key), at_most=1))
        elif roll < STANDBY_SHARE + DEDICATED_SHARE:
            request = DemandSpec(key=f"D{demand.key}", options=demand.options)
            out.append(request)
            flyable[request.key] = flyable.pop(demand.key)
            new_holds.setdefault(customer, []).append(request.key)
        else:
            out.append(demand)
    groups += [
        Group(launch=None, demands=tuple(keys), at_most=HOLD_LIMIT)
        for keys in new_holds.values()
        if len(keys) > HOLD_LIMIT
    ]
    return out, tuple(groups)


def flown(assignment: Assignment, masses: dict) -> tuple[float, int]:
    riding = [key for key, launch in assignment.items() if launch is not None]
    return round(sum(masses[key] for key in riding), 1), len(riding)


def run(sizes: list[tuple[int, int]], seeds: int, time_limit: float, workers: int) -> list[dict]:
    rows: list[dict[str, Any]] = []
    for payload_count, launch_count in sizes:
        per_seed: list[dict[str, Any]] = []
        for seed in range(seeds):
            problem, arrival, launch_order, masses = world(payload_count, launch_count, seed)
            fcfs = first_come_first_served(problem, arrival=arrival, launch_order=launch_order)
            best_fit = greedy_best_fit(problem, launch_order=launch_order)
            solution = solve(problem, time_limit_seconds=time_limit, workers=workers)
            for name, assignment in (
                ("fcfs", fcfs),
                ("best_fit", best_fit),
                ("optimiser", solution.assignment),
            ):
                assert not violations(problem, assignment), f"{name} broke a rule"
            per_seed.append(
                {
                    "seed": seed,
                    "fcfs": flown(fcfs, masses),
                    "best_fit": flown(best_fit, masses),
                    "optimiser": flown(solution.assignment, masses),
                    "seconds": round(solution.seconds, 2),
                    "gap": solution.gap,
                    "status": solution.status,
                }
            )
        row: dict[str, Any] = {
            "size": f"{payload_count}/{launch_count}",
            "payloads": payload_count,
            "launches": launch_count,
            "seeds": per_seed,
        }
        for name in ("fcfs", "best_fit", "optimiser"):
            row[f"{name}_kg"] = round(statistics.mean(s[name][0] for s in per_seed), 1)
            row[f"{name}_count"] = round(statistics.mean(s[name][1] for s in per_seed), 1)
        row["seconds_median"] = statistics.median(s["seconds"] for s in per_seed)
        row["seconds_max"] = max(s["seconds"] for s in per_seed)
        row["gap_max"] = max(s["gap"] for s in per_seed)
        rows.append(row)
        print(
            f"{row['size']:>7}  kg flown: fcfs {row['fcfs_kg']:>8}  best-fit {row['best_fit_kg']:>8}  "
            f"optimiser {row['optimiser_kg']:>8} ({row['optimiser_kg'] / max(row['fcfs_kg'], 1):.3f}× fcfs, "
            f"{row['optimiser_kg'] / max(row['best_fit_kg'], 1):.3f}× best-fit)  "
            f"payloads: {row['fcfs_count']} / {row['best_fit_count']} / {row['optimiser_count']}  "
            f"solve median {row['seconds_median']} s, max {row['seconds_max']} s, gap max {row['gap_max']:.4f}",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50/10,100/20,200/30,400/40")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("/")) for size in args.sizes.split(",")]
    rows = run(sizes, args.seeds, args.time_limit, args.workers)  # type: ignore[arg-type]
    out = ROOT / "bench" / "results" / "manifest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"time_limit_seconds": args.time_limit, "workers": args.workers, "rows": rows}, indent=2)
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
