"""How long plan_launch takes as the fleet and its schedule grow.

Builds, in its own PostgreSQL database (``BENCH_DB``, default lb_bench_planner, dropped and
re-created), 30 sites on 6 ranges (launch points joined by TEL road legs, ranges by rail), 2,000
rockets stored across them, express-capable models each carried by its provider's trucks, and
fleets of 10 → 200 mobile platforms each carrying a consistent chain of launches on its own range
(5,000 → 50,000 platform reservations, each launch with its range claim, separated per site, and
the next launches with their rocket's claim; bulk_create, the exclusion constraints check every row),
then times ``plan_launch`` for an express order (window within 24 h) and a standard campaign
(window 30–60 days out): median of repeats. Compares each size to the smallest measured in the
same run (time ratio vs size ratio), and each order to the same order with no limit, which walks
every candidate (the plans found must be the head of that ranking), and writes
bench/results/planner.json.

    .venv/bin/python bench/planner.py            # needs PostgreSQL on 127.0.0.1:5432
"""

from __future__ import annotations

import bisect
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DB", "lb_bench_planner")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchbook.settings")

import psycopg  # noqa: E402

with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
    admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
    admin.execute(f"CREATE DATABASE {DB_NAME}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from booking.models import Launch, Reservation  # noqa: E402
from booking.readiness_templates import install_readiness_templates  # noqa: E402
from booking.selectors.planner import PlanningResult, plan_launch  # noqa: E402
from vehicles.logistics import range_span  # noqa: E402
from vehicles.models import (  # noqa: E402
    CapacityPoint,
    LaunchSite,
    MobilePlatform,
    Provider,
    Route,
    SiteClosure,
    Vehicle,
    VehicleModel,
)

SIZES = [(10, 5_000), (50, 12_500), (100, 25_000), (200, 50_000)]
SITES = 30
RANGES = 6  # five launch points each, within a few tens of km
SEPARATION_MINUTES = 120
ROCKET_CLAIMS = 600  # the next launches hold their rocket (the others' rockets are not yet assigned)
VEHICLES = 2_000
REPEATS = 9
NOW = datetime(2030, 6, 1, tzinfo=UTC)
TARGET_MS = 100.0


def build_catalog(rng: random.Random) -> tuple[list[Provider], list[VehicleModel], list[LaunchSite]]:
    providers = [
        Provider.objects.create(
            name=f"Bench {n}", short_name=f"B{n}", slug=f"bench-{n}", country="CN", mobile_launch=True
        )
        for n in range(4)
    ]
    models = []
    for n, provider in enumerate(providers):
        vm = VehicleModel.objects.create(
            provider=provider,
            name=f"Bench-{n}",
            slug=f"bench-{n}",
            mobile_launch=True,
            express_capable=True,
            min_pad_campaign_hours=Decimal("2.0"),
        )
        CapacityPoint.objects.bulk_create(
            [
                CapacityPoint(
                    vehicle_model=vm, orbit_family="SSO", altitude_km=400, capacity_kg=Decimal(400)
                ),
                CapacityPoint(
                    vehicle_model=vm, orbit_family="SSO", altitude_km=700, capacity_kg=Decimal(250)
                ),
            ]
        )
        models.append(vm)
    centres = [(rng.uniform(20, 41), rng.uniform(96, 121)) for _ in range(RANGES)]
    sites = LaunchSite.objects.bulk_create(
        [
            LaunchSite(
                name=f"Site {n:02d}",
                code=f"S{n:02d}",
                country="CN",
                latitude=Decimal(f"{centres[n % RANGES][0] + rng.uniform(-0.3, 0.3):.4f}"),
                longitude=Decimal(f"{centres[n % RANGES][1] + rng.uniform(-0.3, 0.3):.4f}"),
                min_launch_separation_minutes=SEPARATION_MINUTES,
            )
            for n in range(SITES)
        ]
    )
    # The route table: TEL road legs between the launch points of a range (and to the pad of
    # each), rail between ranges in a ring, as rockets really travel.
    routes = []
    for a in sites:
        routes.append(Route(origin=a, destination=a, mode="road", transit_hours=Decimal("2.0")))
        for b in sites:
            if a.pk != b.pk and sites.index(a) % RANGES == sites.index(b) % RANGES:
                routes.append(Route(origin=a, destination=b, mode="road", transit_hours=Decimal("3.0")))
    for r in range(RANGES):
        a, b = sites[r], sites[(r + 1) % RANGES]
        routes.append(Route(origin=a, destination=b, mode="rail", transit_hours=Decimal("60.0")))
        routes.append(Route(origin=b, destination=a, mode="rail", transit_hours=Decimal("60.0")))
    Route.objects.bulk_create(routes)
    Vehicle.objects.bulk_create(
        [
            Vehicle(
                vehicle_model=models[n % len(models)],
                serial=f"BV-{n:05d}",
                status=Vehicle.Status.READY_STORAGE if n % 3 else Vehicle.Status.IN_PRODUCTION,
                storage_site=sites[n % SITES],
                ready_since=NOW - timedelta(days=n % 90),
            )
            for n in range(VEHICLES)
        ],
        batch_size=1000,
    )
    closures = []
    for site in sites:
        for day in range(0, 150, 7):
            start = NOW + timedelta(days=day, hours=rng.randrange(24))
            closures.append(
                SiteClosure(site=site, starts_at=start, ends_at=start + timedelta(hours=6), kind="airspace")
            )
    SiteClosure.objects.bulk_create(closures)
    return providers, models, sites


def _first_free_range_slot(
    busy: list[tuple[datetime, datetime]], *, depart: datetime, transit: timedelta
) -> tuple[datetime, datetime, datetime, datetime]:
    """The range flies one launch at a time: the first free slot from ``depart`` (``busy`` is the
    range's claims, sorted and never overlapping; the new claim is added). Answers departure,
    arrival, window start and window end."""
    while True:
        arrive = depart + transit
        window_start = (arrive + timedelta(hours=6)).replace(second=0, microsecond=0)
        window_end = window_start + timedelta(hours=2)
        claim = range_span(
            window_start=window_start, window_end=window_end, separation_minutes=SEPARATION_MINUTES
        )
        i = bisect.bisect_left(busy, claim)
        if (i == 0 or busy[i - 1][1] <= claim[0]) and (i == len(busy) or claim[1] <= busy[i][0]):
            busy.insert(i, claim)
            return depart, arrive, window_start, window_end
        depart += timedelta(hours=1)


def build_fleet(rng: random.Random, platforms_n: int, reservations_n: int, providers, models, sites) -> None:
    """``platforms_n`` TELs, each with a consistent chain of launches running from a year ago
    to a year ahead (so the density per platform is the same at every size)."""
    range_busy: dict[int, list[tuple[datetime, datetime]]] = {}
    platforms = MobilePlatform.objects.bulk_create(
        [
            MobilePlatform(
                provider=providers[n % len(providers)],
                name=f"TEL-{n:03d}",
                home_site=sites[n % SITES],
                road_speed_kmh=Decimal(rng.choice(["40.0", "45.0", "50.0", "60.0"])),
            )
            for n in range(platforms_n)
        ]
    )
    through = MobilePlatform.vehicle_models.through
    through.objects.bulk_create(
        [
            through(
                mobileplatform_id=p.pk,
                vehiclemodel_id=models[
                    providers.index(next(x for x in providers if x.pk == p.provider_id))
                ].pk,
            )
            for p in platforms
        ],
        batch_size=2000,
    )
    per_platform = reservations_n // platforms_n
    span = timedelta(days=730)
    launches: list[Launch] = []
    spans: list[tuple[MobilePlatform, LaunchSite, datetime, datetime, datetime, datetime, LaunchSite]] = []
    for platform in platforms:
        location = platform.home_site
        step = span / per_platform
        cursor = NOW - span / 2
        same_range = [s for s in sites if sites.index(s) % RANGES == sites.index(platform.home_site) % RANGES]
        for _ in range(per_platform):
            site = rng.choice(same_range)  # a TEL drives on its own range only
            transit = timedelta(hours=3.0 if site.pk != location.pk else 0.0)
            depart, arrive, window_start, window_end = _first_free_range_slot(
                range_busy.setdefault(site.pk, []),
                depart=cursor + timedelta(hours=rng.uniform(0, 12)),
                transit=transit,
            )
            until = window_end + timedelta(hours=4)
            vm = models[providers.index(next(p for p in providers if p.pk == platform.provider_id))]
            launches.append(
                Launch(
                    name=f"{platform.name} {window_start:%Y%m%d%H}",
                    provider_id=platform.provider_id,
                    vehicle_model=vm,
                    site=site,
                    platform=platform,
                    orbit_family="SSO",
                    altitude_km=500,
                    inclination_deg=Decimal("97.40"),
                    window_start=window_start,
                    window_end=window_end,
                    net=window_start,
                    status=Launch.Status.SCHEDULED if window_start > NOW else Launch.Status.SUCCESS,
                )
            )
            spans.append((platform, site, depart, arrive, window_start, until, location))
            location = site
            cursor = max(cursor + step, until)
    Launch.objects.bulk_create(launches, batch_size=2000)
    Reservation.objects.bulk_create(
        [
            Reservation(
                launch=launch,
                platform=platform,
                origin=origin,
                site=site,
                occupied_from=depart,
                arrive_at=arrive,
                ready_at=window_start,
                occupied_until=until,
            )
            for launch, (platform, site, depart, arrive, window_start, until, origin) in zip(
                launches, spans, strict=True
            )
        ],
        batch_size=2000,
    )
    Reservation.objects.bulk_create(
        [
            Reservation(
                launch=launch,
                range_site=site,
                site=site,
                occupied_from=window_start,
                ready_at=window_start,
                occupied_until=launch.window_end + timedelta(minutes=SEPARATION_MINUTES),
            )
            for launch, (_p, site, _d, _a, window_start, _u, _o) in zip(launches, spans, strict=True)
        ],
        batch_size=2000,
    )
    # The next launches hold their rocket from its journey to the window (assigned rockets are
    # no longer in ready storage, so the planner leaves them alone).
    upcoming = sorted(
        (launch for launch in launches if launch.window_start > NOW), key=lambda x: x.window_start
    )
    rockets = list(
        Vehicle.objects.filter(status=Vehicle.Status.READY_STORAGE).order_by("serial")[:ROCKET_CLAIMS]
    )
    claims, assigned = [], []
    used_models: dict[int, list[Vehicle]] = {}
    for rocket in rockets:
        used_models.setdefault(rocket.vehicle_model_id, []).append(rocket)
    for launch in upcoming:
        pool = used_models.get(launch.vehicle_model_id)
        if not pool:
            continue
        rocket = pool.pop()
        claims.append(
            Reservation(
                launch=launch,
                vehicle=rocket,
                site=launch.site,
                occupied_from=launch.window_start - timedelta(hours=12),
                ready_at=launch.window_start,
                occupied_until=launch.window_end,
            )
        )
        assigned.append((launch, rocket))
    Reservation.objects.bulk_create(claims, batch_size=2000)
    for launch, rocket in assigned:
        launch.vehicle = rocket
    Launch.objects.bulk_update([launch for launch, _ in assigned], ["vehicle"], batch_size=2000)
    Vehicle.objects.filter(pk__in=[rocket.pk for _, rocket in assigned]).update(
        status=Vehicle.Status.ASSIGNED
    )


def time_plan(repeats: int = REPEATS, **kwargs) -> tuple[float, float, float, int, PlanningResult]:
    """Median wall time, median Python CPU time of this process, median time inside SQL (ms),
    queries, and the result."""
    timings, cpu, sql = [], [], []
    result = None
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = plan_launch(**kwargs)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    assert result is not None
    return (
        statistics.median(timings),
        statistics.median(cpu),
        statistics.median(sql),
        len(ctx.captured_queries),
        result,
    )


def check_head(result: PlanningResult, full: PlanningResult) -> None:
    """The plans found are the head of the ranking that walking every candidate gives."""
    got = [p.describe() for p in result.plans]
    assert got == [p.describe() for p in full.plans[: len(got)]], (got, full.plans[: len(got)])


def main() -> None:
    call_command("migrate", verbosity=0)
    from booking.models import ReadinessTemplate, TemplateStep

    install_readiness_templates(ReadinessTemplate, TemplateStep)
    rng = random.Random(4)
    providers, models, sites = build_catalog(rng)
    rows = []
    for platforms_n, reservations_n in SIZES:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE booking_reservation, booking_launch, vehicles_mobileplatform CASCADE")
        Vehicle.objects.filter(status=Vehicle.Status.ASSIGNED).update(status=Vehicle.Status.READY_STORAGE)
        built = time.perf_counter()
        build_fleet(rng, platforms_n, reservations_n, providers, models, sites)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        build_s = time.perf_counter() - built
        common: dict[str, Any] = {
            "orbit_family": "SSO",
            "altitude_km": 500,
            "inclination_deg": None,
            "mass_kg": Decimal("150"),
            "now": NOW,
        }
        express: dict[str, Any] = {
            "earliest": NOW,
            "latest": NOW + timedelta(hours=24),
            "service_level": "express",
        }
        # A standard campaign needs its template's minimum chain (69 days): 90–120 days out.
        standard: dict[str, Any] = {
            "earliest": NOW + timedelta(days=90),
            "latest": NOW + timedelta(days=120),
            "service_level": "standard",
        }
        express_ms, express_cpu, express_sql, express_q, express_result = time_plan(**express, **common)
        standard_ms, standard_cpu, standard_sql, standard_q, standard_result = time_plan(**standard, **common)
        # Baseline in the same run: the same orders with no limit, so every candidate is walked.
        express_all_ms, *_, express_all = time_plan(repeats=3, limit=100_000, **express, **common)
        standard_all_ms, *_, standard_all = time_plan(repeats=3, limit=100_000, **standard, **common)
        check_head(express_result, express_all)
        check_head(standard_result, standard_all)
        express_plans, standard_plans = len(express_result.plans), len(standard_result.plans)
        row = {
            "platforms": platforms_n,
            "sites": SITES,
            "vehicles": VEHICLES,
            "reservations": Reservation.objects.count(),
            "candidates": platforms_n * SITES,
            "express_ms": round(express_ms, 2),
            "standard_ms": round(standard_ms, 2),
            "express_cpu_ms": round(express_cpu, 2),
            "standard_cpu_ms": round(standard_cpu, 2),
            "express_sql_ms": round(express_sql, 2),
            "standard_sql_ms": round(standard_sql, 2),
            "queries": max(express_q, standard_q),
            "express_walked": express_result.walked,
            "standard_walked": standard_result.walked,
            "express_all_ms": round(express_all_ms, 2),
            "standard_all_ms": round(standard_all_ms, 2),
            "express_all_walked": express_all.walked,
            "standard_all_walked": standard_all.walked,
            "express_plans": express_plans,
            "standard_plans": standard_plans,
            "build_s": round(build_s, 1),
        }
        rows.append(row)
        reset_queries()
        print(
            f"{platforms_n:>4} platforms {row['reservations']:>6} reservations: "
            f"express {express_ms:6.1f} ms (cpu {express_cpu:5.1f}, sql {express_sql:4.1f}), "
            f"standard {standard_ms:6.1f} ms (cpu {standard_cpu:5.1f}, sql {standard_sql:4.1f}), "
            f"{row['queries']} queries (built in {build_s:.1f} s)\n"
            f"{'':>28}walked {express_result.walked} and {standard_result.walked} of {row['candidates']} "
            f"candidates; walking all: express {express_all_ms:.1f} ms, standard {standard_all_ms:.1f} ms",
            flush=True,
        )
    base = rows[0]
    for row in rows:
        row["size_ratio"] = round(row["reservations"] / base["reservations"], 2)
        row["express_time_ratio"] = round(row["express_ms"] / base["express_ms"], 2)
        row["standard_time_ratio"] = round(row["standard_ms"] / base["standard_ms"], 2)
    largest = rows[-1]
    summary = {
        "benchmark": "planner",
        "command": f"BENCH_DB={DB_NAME} .venv/bin/python bench/planner.py",
        "date": datetime.now(tz=UTC).date().isoformat(),
        "repeats": REPEATS,
        "target_ms": TARGET_MS,
        "largest_express_ms": largest["express_ms"],
        "largest_standard_ms": largest["standard_ms"],
        "within_target": max(largest["express_ms"], largest["standard_ms"]) < TARGET_MS,
        "load_average_at_end": os.getloadavg()[0],
        "rows": rows,
    }
    print("\nsize ratio → time ratio (express, standard), against the smallest fleet in this run:")
    for row in rows:
        print(f"  ×{row['size_ratio']:<6} → ×{row['express_time_ratio']}, ×{row['standard_time_ratio']}")
    print("\nbest-first against walking every candidate (time ratio, express and standard):")
    for row in rows:
        row["express_vs_all"] = round(row["express_ms"] / row["express_all_ms"], 2)
        row["standard_vs_all"] = round(row["standard_ms"] / row["standard_all_ms"], 2)
        print(f"  {row['platforms']:>4} platforms: ×{row['express_vs_all']}, ×{row['standard_vs_all']}")
    out = ROOT / "bench" / "results" / "planner.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"\nwrote {out.relative_to(ROOT)}; largest fleet: express {largest['express_ms']} ms, standard {largest['standard_ms']} ms (target < {TARGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
