"""Where one API request spends its time: the trivial read and the booking flow, in-process.

Runs Django's test client against a fresh PostgreSQL database with the demo catalog (DEBUG off,
the production middleware), so no network or gunicorn is measured: only the server's own work.
For each request kind it reports the median wall time over ``--repeat`` requests, the queries
each request makes (CaptureQueriesContext) and, with ``--profile``, the top of a cProfile of
all of them.

    BENCH_DATABASE=lb_speed_profile .venv/bin/python bench/request_profile.py [--repeat 200] [--profile]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

CUSTOMER = "gomspace"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile per kind")
    parser.add_argument("--show-queries", action="store_true")
    args = parser.parse_args()

    cache.clear()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from vehicles.models import Provider

    # The flow below holds many seats for one customer; lift the hold limits so it never stops.
    Provider.objects.update(hold_limit_per_customer=30000, hold_share_percent=100)

    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post(
        "/api/v1/auth/token/",
        {"username": CUSTOMER, "password": os.environ["LAUNCHBOOK_DEMO_PASSWORD"]},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    headers = {"HTTP_AUTHORIZATION": f"Token {response.json()['token']}"}
    launches = [
        launch["id"]
        for launch in client.get("/api/v1/launches/", {"status": "scheduled"}, **headers).json()["results"]
        if launch["target_orbit"]["family"] == "SSO" and launch["target_orbit"]["altitude_km"] == 500
    ][:3]
    assert launches, "the demo catalog has no scheduled SSO 500 km launch"
    counter = iter(range(10**9))

    def post(path, body):
        return client.post(
            path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"p-{next(counter)}", **headers
        )

    state: dict = {}

    def read():
        assert client.get("/api/v1/providers/", **headers).status_code == 200

    def create_payload():
        n = next(counter)
        r = post(
            "/api/v1/payloads/",
            {"name": f"Profile sat {n}", "mass_kg": "5", "orbit": {"family": "SSO", "altitude_km": 500}},
        )
        assert r.status_code == 201, r.content
        state["payload"] = r.json()["id"]

    def quote():
        r = post(
            "/api/v1/quotes/",
            {
                "payload": state["payload"],
                "launch": launches[next(counter) % len(launches)],
                "service_level": "standard",
            },
        )
        assert r.status_code == 201, r.content
        state["quote"] = r.json()["id"]

    def hold():
        r = post("/api/v1/bookings/", {"quote": state["quote"]})
        assert r.status_code == 201, r.content
        state["booking"] = r.json()["id"]

    def release():
        r = post(f"/api/v1/bookings/{state['booking']}/cancel/", {})
        assert r.status_code == 200, r.content

    kinds = {
        "GET providers": read,
        "create payload": create_payload,
        "quote": quote,
        "hold": hold,
        "release": release,
    }
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    queries: dict[str, int] = {}
    profiles = {kind: cProfile.Profile() for kind in kinds}
    for i in range(args.repeat + 5):
        for kind, fn in kinds.items():
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                if args.profile and i >= 5:
                    profiles[kind].enable()
                fn()
                if args.profile and i >= 5:
                    profiles[kind].disable()
                elapsed = time.perf_counter() - started
            if i >= 5:  # warm-up: first uses, last_used_at writes, caches
                timings[kind].append(elapsed)
                queries[kind] = len(ctx)
                if args.show_queries and i == 5:
                    print(f"--- {kind}")
                    for q in ctx.captured_queries:
                        print("   ", q["sql"][:160])
    print(f"{'request':<18}{'median ms':>10}{'p90 ms':>9}{'queries':>9}")
    for kind, values in timings.items():
        values.sort()
        print(
            f"{kind:<18}{statistics.median(values) * 1000:>10.2f}"
            f"{values[int(len(values) * 0.9)] * 1000:>9.2f}{queries[kind]:>9}"
        )
    if args.profile:
        for kind, profile in profiles.items():
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
            print(f"\n===== {kind}\n" + out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
