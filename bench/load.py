"""Integrator traffic against the production stack, with the invariants checked afterwards.

Starts gunicorn, a Celery worker and beat on loopback (bench/stack.py) over a fresh PostgreSQL
database and Redis, then drives a mix of API requests from concurrent clients for a bounded
time: schedule reads, availability searches, quotes, holds, confirms, cancels and express
orders. The baseline is a trivial authenticated endpoint of the same server (the provider list)
in the same run. Afterwards the invariants are checked in SQL (bench/invariants.py).

    .venv/bin/python bench/load.py [--seconds 60] [--clients 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchbook.settings")

from bench.invariants import check_all  # noqa: E402
from bench.stack import Stack  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CUSTOMERS = ["gomspace", "interspace", "jilin", "cmsa"]
PASSWORD = os.environ.get("LAUNCHBOOK_DEMO_PASSWORD", "launchbook-demo")
BASELINE = "baseline: GET providers"


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1


class Client:
    """One integrator: a customer's token, its own payloads, a loop of requests."""

    def __init__(self, base_url: str, username: str, index: int, recorder: Recorder, rng: random.Random):
        self.base = f"{base_url}/api/v1"
        self.session = requests.Session()
        self.recorder = recorder
        self.rng = rng
        self.index = index
        response = self.session.post(
            f"{self.base}/auth/token/", json={"username": username, "password": PASSWORD}, timeout=30
        )
        response.raise_for_status()
        self.session.headers["Authorization"] = f"Token {response.json()['token']}"
        self.free_payloads: list[int] = []
        # (booking id, payload id)
        self.held: list[tuple[int, int]] = []
        self.confirmed: list[tuple[int, int]] = []
        self.launch_ids: list[int] = []

    def call(self, kind: str, method: str, path: str, **kwargs):
        if method == "POST":
            headers = kwargs.pop("headers", {})
            headers["Idempotency-Key"] = f"load-{self.index}-{time.monotonic_ns()}-{self.rng.random()}"
            kwargs["headers"] = headers
        started = time.perf_counter()
        try:
            response = self.session.request(method, f"{self.base}{path}", timeout=60, **kwargs)
            status = response.status_code
        except requests.RequestException:
            response, status = None, 599
        self.recorder.record(kind, status, time.perf_counter() - started)
        return response

    def setup(self, payloads: int) -> None:
        for n in range(payloads):
            response = self.call(
                "create payload",
                "POST",
                "/payloads/",
                json={
                    "name": f"Load sat {self.index}-{n}",
                    "mass_kg": str(self.rng.choice([2, 3, 5, 8, 12, 20])),
                    "orbit": {"family": "SSO", "altitude_km": 500},
                },
            )
            if response is not None and response.status_code == 201:
                self.free_payloads.append(response.json()["id"])
        response = self.call("schedule read", "GET", "/launches/", params={"status": "scheduled"})
        if response is not None and response.ok:
            self.launch_ids = [
                launch["id"]
                for launch in response.json()["results"]
                if launch["target_orbit"]["family"] == "SSO" and launch["target_orbit"]["altitude_km"] == 500
            ]

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.30:
            self.call("schedule read", "GET", "/launches/", params={"ordering": "net"})
        elif roll < 0.45:
            self.call(BASELINE, "GET", "/providers/")
        elif roll < 0.57 and self.free_payloads:
            self.call(
                "availability",
                "GET",
                "/availability/",
                params={"payload": self.rng.choice(self.free_payloads)},
            )
        elif roll < 0.80 and self.free_payloads and self.launch_ids:
            payload = self.free_payloads.pop(0)
            quote = self.call(
                "quote",
                "POST",
                "/quotes/",
                json={
                    "payload": payload,
                    "launch": self.rng.choice(self.launch_ids),
                    "service_level": "standard",
                },
            )
            if quote is None or quote.status_code != 201:
                self.free_payloads.append(payload)
                return
            hold = self.call("hold", "POST", "/bookings/", json={"quote": quote.json()["id"]})
            if hold is not None and hold.status_code == 201:
                self.held.append((hold.json()["id"], payload))
            else:
                self.free_payloads.append(payload)
        elif roll < 0.90 and self.held:
            booking, payload = self.held.pop(0)
            response = self.call("confirm", "POST", f"/bookings/{booking}/confirm/", json={})
            if response is not None and response.status_code == 200:
                self.confirmed.append((booking, payload))
            else:
                self.held.append((booking, payload))
        elif roll < 0.98 and (self.confirmed or self.held):
            pool = self.confirmed if self.confirmed else self.held
            booking, payload = pool.pop(0)
            response = self.call("cancel", "POST", f"/bookings/{booking}/cancel/", json={})
            if response is not None and response.status_code == 200:
                self.free_payloads.append(payload)
            else:
                pool.append((booking, payload))
        elif self.free_payloads:
            payload = self.free_payloads.pop(0)
            response = self.call("express order", "POST", "/express-orders/", json={"payload": payload})
            if response is None or response.status_code != 201:
                self.free_payloads.append(payload)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarise(recorder: Recorder, seconds: float) -> dict:
    summary = {}
    for kind, values in sorted(recorder.latencies.items()):
        summary[kind] = {
            "requests": len(values),
            "per_second": round(len(values) / seconds, 2),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
            "statuses": dict(sorted(recorder.statuses[kind].items())),
        }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--payloads", type=int, default=25, help="payloads each client creates up front")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    recorder = Recorder()
    stack = Stack("load")
    stack_env = {"LAUNCHBOOK_API_RATE_USER": "1000000/minute", "LAUNCHBOOK_API_RATE_LOGIN": "10000/minute"}
    os.environ.update(stack_env)
    with stack:
        clients = [
            Client(stack.base_url, CUSTOMERS[i % len(CUSTOMERS)], i, recorder, random.Random(args.seed + i))
            for i in range(args.clients)
        ]
        for client in clients:
            client.setup(args.payloads)
        recorder.latencies.clear()
        recorder.statuses.clear()
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()

        def run(client: Client) -> None:
            while time.monotonic() < deadline:
                client.step()

        threads = [threading.Thread(target=run, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        violations = check_all(stack.env["DATABASE_URL"])

    summary = summarise(recorder, elapsed)
    total = sum(v["requests"] for v in summary.values())
    server_errors = sum(n for v in summary.values() for status, n in v["statuses"].items() if status >= 500)
    baseline = summary.get(BASELINE, {})
    print(f"\n{total} requests in {elapsed:.1f} s from {args.clients} clients: {total / elapsed:.1f} req/s")
    print(
        f"{'request':<26}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses  p50/baseline"
    )
    for kind, row in summary.items():
        ratio = row["p50_ms"] / baseline["p50_ms"] if baseline.get("p50_ms") else float("nan")
        print(
            f"{kind:<26}{row['requests']:>7}{row['per_second']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['p99_ms']:>9}  {row['statuses']}  {ratio:.2f}"
        )
    print(f"5xx answers: {server_errors}")
    for name, found in violations.items():
        print(f"invariant '{name}': {'holds' if not found else f'{len(found)} violations'}")
        for line in found[:5]:
            print(f"    {line}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(
        json.dumps(
            {
                "seconds": round(elapsed, 1),
                "clients": args.clients,
                "total_requests": total,
                "requests_per_second": round(total / elapsed, 1),
                "server_errors": server_errors,
                "requests": summary,
                "invariant_violations": violations,
            },
            indent=2,
        )
    )
    return 1 if server_errors or any(violations.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
