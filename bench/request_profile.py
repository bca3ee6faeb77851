"""Where one API request spends its time: the trivial read and the booking flow, in-process.

Runs Django's test client against a fresh PostgreSQL database with the demo catalog (DEBUG off,
the production middleware), so no network or gunicorn is measured: only the server's own work.
For each request kind it reports the median wall time over ``--repeat`` requests, the queries
each request makes, how much of the wall time is spent inside the queries' round trips (sent, run
by PostgreSQL, answered) and how much in the server's own Python, and, with ``--profile``, the top
of a cProfile of all of them. Queries are counted by an execute wrapper, not Django's query log:
that log keeps only the last 9,000 (a long run counted none) and formats each statement's SQL,
work the server does not do with DEBUG off. It sees statements only: a transaction's BEGIN and
COMMIT (two per write, which that log listed) are not counted, and their time, the commit's flush
included, falls in the Python column. ``--show-queries`` lists each kind's queries
with each one's median round trip.

    BENCH_DATABASE=lb_speed_profile .venv/bin/python bench/request_profile.py [--repeat 200] [--profile]
        [--show-queries] [--compile-times] [--kinds "quote,hold"]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seats import CUBESAT_SIZE, seat_choice, sso_500  # noqa: E402
from bench.stack import recreate_database  # noqa: E402

DATABASE = os.environ.get("BENCH_DATABASE", "lb_bench_profile")
os.environ["DATABASE_URL"] = recreate_database(DATABASE)
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', '9')}")
os.environ["DEBUG"] = "0"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-" + "k3Y9" * 12)
os.environ.setdefault("LAUNCHBOOK_DEMO_PASSWORD", "bench-demo-password-not-for-production")
os.environ["LAUNCHBOOK_API_RATE_USER"] = "1000000/minute"
os.environ["DJANGO_SETTINGS_MODULE"] = "launchbook.settings"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.sql import compiler  # noqa: E402
from django.test import Client  # noqa: E402

CUSTOMER = "gomspace"
WARM_UP = 5  # first uses, last_used_at writes, caches


class Flow:
    """One integrator of the demo's first customer: the trivial read and the booking flow."""

    def __init__(self) -> None:
        self.client = Client(HTTP_HOST="127.0.0.1")
        response = self.client.post(
            "/api/v1/auth/token/",
            {"username": CUSTOMER, "password": os.environ["LAUNCHBOOK_DEMO_PASSWORD"]},
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content
        self.authorization = f"Token {response.json()['token']}"
        listed = self.get("/api/v1/launches/", {"status": "scheduled"}).json()["results"]
        self.launches = [(launch["id"], seat_choice(launch)) for launch in sso_500(listed)][:3]
        assert self.launches, "the demo catalog has no scheduled SSO 500 km launch"
        self.counter = iter(range(10**9))
        self.state: dict[str, int] = {}

    def get(self, path: str, data: dict | None = None):
        return self.client.get(path, data, HTTP_AUTHORIZATION=self.authorization)

    def post(self, path: str, body: dict):
        return self.client.post(
            path,
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"p-{next(self.counter)}",
            HTTP_AUTHORIZATION=self.authorization,
        )

    def read(self) -> None:
        assert self.get("/api/v1/providers/").status_code == 200

    def create_payload(self) -> None:
        n = next(self.counter)
        r = self.post(
            "/api/v1/payloads/",
            {
                "name": f"Profile sat {n}",
                "mass_kg": "5",
                "orbit": {"family": "SSO", "altitude_km": 500},
                **CUBESAT_SIZE,
            },
        )
        assert r.status_code == 201, r.content
        self.state["payload"] = r.json()["id"]

    def quote(self) -> None:
        launch, seat = self.launches[next(self.counter) % len(self.launches)]
        r = self.post("/api/v1/quotes/", {"payload": self.state["payload"], "launch": launch, **seat})
        assert r.status_code == 201, r.content
        self.state["quote"] = r.json()["id"]

    def hold(self) -> None:
        r = self.post("/api/v1/bookings/", {"quote": self.state["quote"]})
        assert r.status_code == 201, r.content
        self.state["booking"] = r.json()["id"]

    def release(self) -> None:
        r = self.post(f"/api/v1/bookings/{self.state['booking']}/cancel/", {})
        assert r.status_code == 200, r.content

    def express_quote(self) -> None:
        r = self.post("/api/v1/express-quotes/", {"payload": self.state["payload"]})
        assert r.status_code == 201, r.content
        self.state["express"] = r.json()["booking"]["reference"]

    def express_let_go(self) -> None:
        r = self.post(f"/api/v1/express-quotes/{self.state['express']}/cancel/", {})
        assert r.status_code == 200, r.content

    def kinds(self) -> dict:
        return {
            "GET providers": self.read,
            "create payload": self.create_payload,
            "quote": self.quote,
            "hold": self.hold,
            "release": self.release,
            # The express quote on the payload just released, then let go (its launch scrubbed), so
            # the fleet never runs out.
            "express quote": self.express_quote,
            "express let go": self.express_let_go,
        }


def express_order_kinds(flow: Flow) -> dict:
    """The one-call express order (plan, schedule, quote, hold, confirm) on the payload the express
    quote let go, then its undoing (the booking cancelled, the launch made for it scrubbed by the
    operator's service, so the fleet never runs out)."""
    from booking.models import DelayCause, Launch
    from booking.services.scheduling import launch_scrub

    def express_order() -> None:
        r = flow.post(
            "/api/v1/express-orders/",
            {"payload": flow.state["payload"], "max_price": "100000000", "currency": "USD"},
        )
        assert r.status_code == 201, r.content
        flow.state["order"] = r.json()["booking"]["id"]
        flow.state["order launch"] = r.json()["launch"]["id"]

    def express_order_undo() -> None:
        r = flow.post(f"/api/v1/bookings/{flow.state['order']}/cancel/", {})
        assert r.status_code == 200, r.content
        launch_scrub(
            launch=Launch.objects.get(pk=flow.state["order launch"]),
            actor=None,
            reason="profile: the order undone",
            cause=DelayCause.CUSTOMER,
        )

    return {"express order": express_order, "express order undo": express_order_undo}


class RoundTrips:
    """An execute wrapper adding up the time of each query's round trip: sent, run, answered."""

    def __init__(self) -> None:
        self.each: list[tuple[str, float]] = []

    @property
    def seconds(self) -> float:
        return sum(seconds for _, seconds in self.each)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.each.append((sql, time.perf_counter() - started))


class CompileTimes:
    """While on, the time Django spends compiling each statement's SQL (its compilers' ``as_sql``,
    the outermost call only), by request kind and statement. A kept read (``selectors.kept_reads``)
    compiles nothing and does not appear."""

    COMPILERS = (
        compiler.SQLCompiler,
        compiler.SQLInsertCompiler,
        compiler.SQLUpdateCompiler,
        compiler.SQLDeleteCompiler,
        compiler.SQLAggregateCompiler,
    )

    def __init__(self) -> None:
        self.kind: str | None = None
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self.count: Counter = Counter()
        self._depth = 0

    def install(self) -> None:
        for cls in self.COMPILERS:
            cls.as_sql = self._timed(cls.__dict__["as_sql"])  # type: ignore[method-assign]

    def _timed(self, as_sql):
        def timed(compiler_self, *args, **kwargs):
            if self._depth or self.kind is None:
                return as_sql(compiler_self, *args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                result = as_sql(compiler_self, *args, **kwargs)
            finally:
                self._depth -= 1
            sql = result[0] if isinstance(result, tuple) else result[0][0]
            key = (self.kind, str(sql)[:110])
            self.seconds[key] += time.perf_counter() - started
            self.count[key] += 1
            return result

        return timed

    def report(self, repeat: int) -> None:
        for kind in dict.fromkeys(kind for kind, _ in self.seconds):
            rows = sorted(((v, sql) for (k, sql), v in self.seconds.items() if k == kind), reverse=True)
            total = sum(v for v, _ in rows)
            print(f"--- {kind}: {total / repeat * 1000:.2f} ms compiling SQL per request; the largest:")
            for seconds, sql in rows[:10]:
                print(f"    {seconds / repeat * 1000:6.3f} ms  x{self.count[(kind, sql)] // repeat}  {sql}")


def measure(
    kinds: dict, *, repeat: int, profile: bool, show_queries: bool, compile_times: CompileTimes | None = None
):
    """Run every kind ``repeat`` times after a warm-up: wall times, queries per request, profiles."""
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    database: dict[str, list[float]] = {kind: [] for kind in kinds}
    queries: dict[str, int] = {}
    statements: dict[str, list[list[float]]] = {kind: [] for kind in kinds}
    first_sql: dict[str, list[str]] = {}
    profiles = {kind: cProfile.Profile() for kind in kinds}
    for i in range(repeat + WARM_UP):
        for kind, fn in kinds.items():
            profiling = profile and i >= WARM_UP
            if compile_times is not None:
                compile_times.kind = kind if i >= WARM_UP else None
            round_trips = RoundTrips()
            with connection.execute_wrapper(round_trips):
                started = time.perf_counter()
                if profiling:
                    profiles[kind].enable()
                fn()
                if profiling:
                    profiles[kind].disable()
                elapsed = time.perf_counter() - started
            if i < WARM_UP:
                continue
            timings[kind].append(elapsed)
            database[kind].append(round_trips.seconds)
            queries[kind] = len(round_trips.each)
            first_sql.setdefault(kind, [sql for sql, _ in round_trips.each])
            statements[kind].append([seconds for _, seconds in round_trips.each])
    if show_queries:
        for kind, sqls in first_sql.items():
            print(f"--- {kind}: each query's median round trip, ms")
            for n, sql in enumerate(sqls):
                times = [each[n] for each in statements[kind] if len(each) == len(sqls)]
                print(
                    f"    {statistics.median(times) * 1000:6.2f}  {sql if os.environ.get('BENCH_FULL_SQL') else sql[:150]}"
                )
    return timings, database, queries, profiles


def report(
    timings: dict, database: dict, queries: dict, profiles: dict | None, sort: str = "cumulative"
) -> None:
    """Per kind: the wall time's median and p90, the median time inside the queries' round trips
    (sent, run by PostgreSQL, answered) and the rest, the server's own Python."""
    print(f"{'request':<18}{'median ms':>10}{'p90 ms':>9}{'queries':>9}{'in queries':>12}{'python':>9}")
    for kind, values in timings.items():
        values.sort()
        median, in_queries = statistics.median(values) * 1000, statistics.median(database[kind]) * 1000
        print(
            f"{kind:<18}{median:>10.2f}{values[int(len(values) * 0.9)] * 1000:>9.2f}{queries[kind]:>9}"
            f"{in_queries:>12.2f}{median - in_queries:>9.2f}"
        )
    for kind, profile in (profiles or {}).items():
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(sort).print_stats(45)
        print(f"\n===== {kind}\n" + out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile per kind")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="the profiles' order: cumulative or tottime")
    parser.add_argument("--kinds", help="comma-separated request kinds to run (default: all)")
    parser.add_argument("--dump", type=Path, help="also write each kind's profile (pstats) into this folder")
    parser.add_argument(
        "--compile-times", action="store_true", help="time Django compiling each statement's SQL, per kind"
    )
    args = parser.parse_args()

    cache.clear()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from vehicles.models import Provider

    # The flow below holds many seats for one customer; lift the hold limits so it never stops.
    Provider.objects.update(hold_limit_per_customer=30000, hold_share_percent=100)
    flow = Flow()
    kinds = {**flow.kinds(), **express_order_kinds(flow)}
    if args.kinds:
        wanted = [kind.strip() for kind in args.kinds.split(",")]
        unknown = [kind for kind in wanted if kind not in kinds]
        if unknown:
            parser.error(f"unknown kinds {unknown}; the kinds are {list(kinds)}")
        kinds = {kind: fn for kind, fn in kinds.items() if kind in wanted}
    compile_times = CompileTimes() if args.compile_times else None
    if compile_times is not None:
        compile_times.install()
    timings, database, queries, profiles = measure(
        kinds,
        repeat=args.repeat,
        profile=args.profile or bool(args.dump),
        show_queries=args.show_queries,
        compile_times=compile_times,
    )
    if compile_times is not None:
        compile_times.report(args.repeat)
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for kind, profile in profiles.items():
            profile.dump_stats(args.dump / f"{kind.replace(' ', '_')}.pstats")
    report(timings, database, queries, profiles if args.profile else None, args.sort)
    return 0


if __name__ == "__main__":
    sys.exit(main())
