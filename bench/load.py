"""Integrator traffic against the production stack, with the invariants checked afterwards.

Starts gunicorn, a Celery worker and beat on loopback (bench/stack.py) over a fresh PostgreSQL
database and Redis, then drives a mix of API requests from concurrent clients for a bounded
time: schedule reads, availability searches, quotes, holds, confirms, cancels and express
orders. The baseline is a trivial authenticated endpoint of the same server (the provider list)
in the same run. Each booked express order is undone at once (its customer cancels, the demo's
operator scrubs the launch made for it), so the demo's few ready rockets last the whole phase and
the express order's figures are those of booked orders too; ``--no-express-undo`` leaves them, and
after the first few every express order is a refusal.

Then the booking-flow phase: ``--flow-clients`` clients of one customer (half of them) loop
create payload → quote on one of a few launches → hold, while the other half loop the trivial
read, side by side on the same server. Capacity is given back by ``--sweepers`` sweeper clients of
the same customer that release (cancel) the flow's holds as they come: their requests load the
server like any other, but their time is no flow client's. A second loop, the one measured before
(each flow client releases its own hold: payload → quote → hold → release), follows for as long,
for comparison (``--flow-loops``). Each reports each request kind and the flow's rate against the
read's. Afterwards the invariants are checked in SQL (bench/invariants.py).

    .venv/bin/python bench/load.py [--seconds 60] [--clients 8] [--no-express-undo] [--flow-seconds 60]
        [--flow-clients 16] [--sweepers 3] [--flow-loops swept,release]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
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
from bench.seats import CUBESAT_SIZE, seat_choice, sso_500  # noqa: E402
from bench.stack import Stack  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CUSTOMERS = ["gomspace", "interspace", "jilin", "cmsa"]
PASSWORD = os.environ.get("LAUNCHBOOK_DEMO_PASSWORD", "launchbook-demo")
BASELINE = "baseline: GET providers"
FLOW_CUSTOMER = "gomspace"
FLOW_KINDS = ("flow: create payload", "flow: quote", "flow: hold")
FLOW_RELEASE = "flow: release"
SWEEPER_RELEASE = "sweeper: release"
FLOW_LOOPS = ("swept", "release")
FLOW_READ = "flow phase: GET providers"
EXPRESS = "express order"
EXPRESS_CANCEL = "express undo: cancel"
EXPRESS_SCRUB = "express undo: operator scrub"
OPERATOR = "operator"  # the demo's staff operator of every provider


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        # Each kind's latencies by answer (a booked express order does far more than a refused one).
        self.by_status: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.no_answer: Counter = Counter()  # what the client saw when a request got no answer (599)

    def clear(self) -> None:
        """Forget what was recorded (the set-up's requests): the measured phase starts here."""
        with self.lock:
            self.latencies.clear()
            self.statuses.clear()
            self.by_status.clear()

    def record(self, kind: str, status: int, seconds: float, *, no_answer: str | None = None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1
            self.by_status[kind][status].append(seconds)
            if no_answer is not None:
                self.no_answer[f"{kind}: {no_answer}"] += 1


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
        # The operator who gives a booked express order's rocket back (``express_order``), when set.
        self.operator: Client | None = None
        self.free_payloads: list[int] = []
        # (booking id, payload id)
        self.held: list[tuple[int, int]] = []
        self.confirmed: list[tuple[int, int]] = []
        self.launches: list[tuple[int, dict]] = []

    def drop_idle_connections(self) -> None:
        """Close the connections the set-up left idle (this client's and its operator's). They sat
        while the other clients signed in and set up, past gunicorn's keep-alive (2 s): the server
        closes such a connection, and a first request racing that close is reset, a failure of the
        bench's own pauses. The timed requests then start on new connections."""
        self.session.close()
        if self.operator is not None:
            self.operator.session.close()

    def call(self, kind: str, method: str, path: str, **kwargs):
        if method == "POST":
            headers = kwargs.pop("headers", {})
            headers["Idempotency-Key"] = f"load-{self.index}-{time.monotonic_ns()}-{self.rng.random()}"
            kwargs["headers"] = headers
        no_answer: str | None = None
        started = time.perf_counter()
        try:
            response = self.session.request(method, f"{self.base}{path}", timeout=60, **kwargs)
            status = response.status_code
        except requests.RequestException as exc:
            response, status = None, 599
            no_answer = f"{type(exc).__name__}: {str(exc)[:160]}"
        self.recorder.record(kind, status, time.perf_counter() - started, no_answer=no_answer)
        return response

    def setup(self, payloads: int) -> None:
        for n in range(payloads):
            response = self.call(
                "create payload",
                "POST",
                "/payloads/",
                json={
                    "name": f"Load sat {self.index}-{n}",
                    "mass_kg": str(self.rng.choice([2, 3, 4, 5])),
                    "orbit": {"family": "SSO", "altitude_km": 500},
                    **CUBESAT_SIZE,
                },
            )
            if response is not None and response.status_code == 201:
                self.free_payloads.append(response.json()["id"])
        response = self.call("schedule read", "GET", "/launches/", params={"status": "scheduled"})
        if response is not None and response.ok:
            self.launches = [
                (launch["id"], seat_choice(launch)) for launch in sso_500(response.json()["results"])
            ]

    def step(self) -> None:
        """One request of the mix, by share: 30 % schedule reads, 15 % the baseline, 12 %
        availability, 23 % quote then hold, 10 % confirm, 8 % cancel, 2 % express orders. A share
        whose request cannot be made now (nothing held to confirm, say) is skipped, never handed
        to the next one."""
        roll = self.rng.random()
        if roll < 0.30:
            self.call("schedule read", "GET", "/launches/", params={"ordering": "net"})
        elif roll < 0.45:
            self.call(BASELINE, "GET", "/providers/")
        elif roll < 0.57:
            if self.free_payloads:
                self.call(
                    "availability",
                    "GET",
                    "/availability/",
                    params={"payload": self.rng.choice(self.free_payloads)},
                )
        elif roll < 0.80:
            if self.free_payloads and self.launches:
                self.quote_and_hold()
        elif roll < 0.90:
            if self.held:
                self.confirm()
        elif roll < 0.98:
            if self.confirmed or self.held:
                self.cancel()
        elif self.free_payloads:
            self.express_order()

    def quote_and_hold(self) -> None:
        payload = self.free_payloads.pop(0)
        launch, seat = self.rng.choice(self.launches)
        quote = self.call("quote", "POST", "/quotes/", json={"payload": payload, "launch": launch, **seat})
        if quote is None or quote.status_code != 201:
            self.free_payloads.append(payload)
            return
        hold = self.call("hold", "POST", "/bookings/", json={"quote": quote.json()["id"]})
        if hold is not None and hold.status_code == 201:
            self.held.append((hold.json()["id"], payload))
        else:
            self.free_payloads.append(payload)

    def confirm(self) -> None:
        booking, payload = self.held.pop(0)
        response = self.call("confirm", "POST", f"/bookings/{booking}/confirm/", json={})
        if response is not None and response.status_code == 200:
            self.confirmed.append((booking, payload))
        else:
            self.held.append((booking, payload))

    def cancel(self) -> None:
        pool = self.confirmed if self.confirmed else self.held
        booking, payload = pool.pop(0)
        response = self.call("cancel", "POST", f"/bookings/{booking}/cancel/", json={})
        if response is not None and response.status_code == 200:
            self.free_payloads.append(payload)
        else:
            pool.append((booking, payload))

    def express_order(self) -> None:
        payload = self.free_payloads.pop(0)
        response = self.call(
            EXPRESS,
            "POST",
            "/express-orders/",
            json={"payload": payload, "max_price": "100000000", "currency": "USD"},
        )
        if response is None or response.status_code != 201:
            self.free_payloads.append(payload)
            return
        if self.operator is None:
            return
        # Undone at once, so the demo's few ready rockets and contract launches last the whole
        # phase and its express orders keep booking: the customer cancels, then the provider's
        # operator scrubs the launch made for it (its rocket back in ready storage).
        order = response.json()
        cancel = self.call(EXPRESS_CANCEL, "POST", f"/bookings/{order['booking']['id']}/cancel/", json={})
        scrub = self.operator.call(
            EXPRESS_SCRUB,
            "POST",
            f"/launches/{order['launch']['id']}/scrub/",
            json={"reason": "load bench: the express order undone", "cause": "customer"},
        )
        if cancel is not None and cancel.ok and scrub is not None and scrub.ok:
            self.free_payloads.append(payload)


class FlowClient(Client):
    """One integrator of the flow phase: payload → quote → hold (→ release), or the trivial read.

    With a ``swept`` queue the client leaves each hold to the sweepers; without one it releases
    the hold itself, a fourth request of its loop.
    """

    def __init__(self, *args, launches: list[tuple[int, dict]], reads: bool, swept=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.launches = launches
        self.reads = reads
        self.swept = swept
        self.n = 0

    def step(self) -> None:
        if self.reads:
            self.call(FLOW_READ, "GET", "/providers/")
            return
        self.n += 1
        launch, seat = self.launches[self.n % len(self.launches)]
        payload = self.call(
            FLOW_KINDS[0],
            "POST",
            "/payloads/",
            json={
                "name": f"Flow sat {self.index}-{self.n}",
                "mass_kg": str(self.rng.choice([2, 3, 4, 5])),
                "orbit": {"family": "SSO", "altitude_km": 500},
                **CUBESAT_SIZE,
            },
        )
        if payload is None or payload.status_code != 201:
            return
        quote = self.call(
            FLOW_KINDS[1],
            "POST",
            "/quotes/",
            json={"payload": payload.json()["id"], "launch": launch, **seat},
        )
        if quote is None or quote.status_code != 201:
            return
        hold = self.call(FLOW_KINDS[2], "POST", "/bookings/", json={"quote": quote.json()["id"]})
        if hold is None or hold.status_code != 201:
            return
        if self.swept is not None:
            self.swept.put(hold.json()["id"])
        else:
            self.call(FLOW_RELEASE, "POST", f"/bookings/{hold.json()['id']}/cancel/", json={})


class Sweeper(Client):
    """Gives the flow's capacity back: releases (cancels) the holds the flow clients leave, oldest
    first. Its requests load the server like any other; its time is not a flow client's."""

    def __init__(self, *args, swept, **kwargs):
        super().__init__(*args, **kwargs)
        self.swept = swept

    def step(self) -> None:
        try:
            booking = self.swept.get(timeout=0.2)
        except queue.Empty:
            return
        response = self.call(SWEEPER_RELEASE, "POST", f"/bookings/{booking}/cancel/", json={})
        if response is None or response.status_code >= 500:
            self.swept.put(booking)  # try again; a 409 (already gone) is not retried


def sso_500_launches(base_url: str, session: requests.Session) -> list[tuple[int, dict]]:
    """The scheduled SSO 500 km launches, each with the seat a quote on it asks for."""
    response = session.get(f"{base_url}/api/v1/launches/", params={"status": "scheduled"}, timeout=30)
    response.raise_for_status()
    return [(launch["id"], seat_choice(launch)) for launch in sso_500(response.json()["results"])]


def run_for(clients: list, seconds: float) -> float:
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def run(client) -> None:
        while time.monotonic() < deadline:
            client.step()

    for client in clients:
        client.drop_idle_connections()

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def lift_hold_limits(stack: Stack) -> None:
    # One customer's clients hold seats over and over; each hold is released soon, but 16 of
    # them at a time exceed the default limits (3 unconfirmed holds per provider, half a launch),
    # which exist to stop one customer hoarding seats, not to pace an integrator. The bench
    # measures the hold's path, not its refusal, so it lifts them for this run's providers.
    stack.manage(
        "shell",
        "-c",
        "from vehicles.models import Provider; "
        "Provider.objects.update(hold_limit_per_customer=30000, hold_share_percent=100)",
    )


def flow_round(stack: Stack, args, *, loop: str, round_no: int, seconds: float):
    """One round of a flow loop with new clients, so new connections: which gunicorn worker serves
    which client is drawn again each round. Answers (recorder, seconds, holds swept after it, the
    launches held on)."""
    recorder = Recorder()
    probe = Client(stack.base_url, FLOW_CUSTOMER, 1000, recorder, random.Random(0))
    launches = sso_500_launches(stack.base_url, probe.session)[: args.flow_launches]
    if not launches:
        raise RuntimeError("no scheduled SSO 500 km launch to hold seats on")
    swept: queue.Queue | None = queue.Queue() if loop == "swept" else None
    # Payload names stay unique across loops and rounds.
    first_index = 2000 + 1000 * FLOW_LOOPS.index(loop) + 100 * round_no
    clients: list[FlowClient] = [
        FlowClient(
            stack.base_url,
            FLOW_CUSTOMER,
            first_index + i,
            recorder,
            random.Random(args.seed + 100 * round_no + i),
            launches=launches,
            reads=i % 2 == 1,
            swept=swept,
        )
        for i in range(args.flow_clients)
    ]
    sweepers = [
        Sweeper(
            stack.base_url, FLOW_CUSTOMER, 9000 + 10 * round_no + i, recorder, random.Random(i), swept=swept
        )
        for i in range(args.sweepers if swept is not None else 0)
    ]
    recorder.clear()
    elapsed = run_for([*clients, *sweepers], seconds)
    left_held = 0
    if swept is not None:
        # What the sweepers had not reached is released after the clock stops (not timed).
        while not swept.empty():
            probe.session.post(
                f"{probe.base}/bookings/{swept.get()}/cancel/",
                json={},
                headers={"Idempotency-Key": f"sweep-{time.monotonic_ns()}"},
                timeout=60,
            )
            left_held += 1
    return recorder, elapsed, left_held, [launch for launch, _ in launches]


def flow_rates(summary: dict, args) -> tuple[float, float, float]:
    """Per client: the flow's requests a second (payload, quote, hold), with its releases too, and
    the read's. Half of the flow clients loop the flow, half the read."""
    flow_clients = (args.flow_clients + 1) // 2
    read_clients = args.flow_clients - flow_clients
    flow = sum(summary.get(kind, {}).get("per_second", 0) for kind in FLOW_KINDS) / max(flow_clients, 1)
    with_release = flow + summary.get(FLOW_RELEASE, {}).get("per_second", 0) / max(flow_clients, 1)
    read = summary.get(FLOW_READ, {}).get("per_second", 0) / max(read_clients, 1)
    return flow, with_release, read


def flow_phase(stack: Stack, args, *, loop: str) -> tuple[dict, float, dict]:
    """The booking flow against the trivial read, side by side; answers (summary, seconds, figures).

    ``loop`` "swept": flow clients run payload → quote → hold and the sweepers release the holds;
    "release": each flow client releases its own hold (four requests a loop, all counted).
    The phase runs in ``--flow-rounds`` rounds, each with new clients: a keep-alive connection
    stays with the gunicorn worker that accepted it, so one round's ratio depends on how the
    read and flow clients fell across the workers; the rounds' median does not.
    """
    rounds = max(args.flow_rounds, 1)
    together = Recorder()
    elapsed, left_held, each_round, held_on = 0.0, 0, [], set()
    for round_no in range(rounds):
        recorder, seconds, left, launches = flow_round(
            stack, args, loop=loop, round_no=round_no, seconds=args.flow_seconds / rounds
        )
        flow, with_release, read = flow_rates(summarise(recorder, seconds), args)
        each_round.append(
            {
                "flow": round(flow, 2),
                "flow_with_release": round(with_release, 2),
                "read": round(read, 2),
                "ratio": round(flow / read, 3) if read else None,
                "ratio_with_release": round(with_release / read, 3) if read else None,
            }
        )
        for kind, values in recorder.latencies.items():
            together.latencies[kind].extend(values)
            together.statuses[kind].update(recorder.statuses[kind])
        together.no_answer.update(recorder.no_answer)
        elapsed += seconds
        left_held += left
        held_on.update(launches)
    summary = summarise(together, elapsed)
    flow_rate, flow_rate_with_release, read_rate = flow_rates(summary, args)
    ratios = [r["ratio"] for r in each_round if r["ratio"] is not None]
    ratios_with_release = [r["ratio_with_release"] for r in each_round if r["ratio_with_release"] is not None]
    figures = {
        "loop": loop,
        "launches": sorted(held_on),
        "flow_clients": (args.flow_clients + 1) // 2,
        "read_clients": args.flow_clients // 2,
        "sweepers": args.sweepers if loop == "swept" else 0,
        "holds_left_to_sweep_at_the_end": left_held,
        "rounds": each_round,
        "flow_requests_per_second_per_client": round(flow_rate, 2),
        "flow_with_release_per_second_per_client": round(flow_rate_with_release, 2),
        "read_requests_per_second_per_client": round(read_rate, 2),
        "ratio_flow_to_read": round(flow_rate / read_rate, 3) if read_rate else None,
        "ratio_flow_with_release_to_read": round(flow_rate_with_release / read_rate, 3)
        if read_rate
        else None,
        "median_round_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "median_round_ratio_with_release": round(statistics.median(ratios_with_release), 3)
        if ratios_with_release
        else None,
        "no_answer": dict(together.no_answer),
    }
    return summary, elapsed, figures


def print_table(summary: dict, baseline_kind: str) -> None:
    baseline = summary.get(baseline_kind, {})
    print(
        f"{'request':<26}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses  p50/baseline"
    )
    for kind, row in summary.items():
        ratio = row["p50_ms"] / baseline["p50_ms"] if baseline.get("p50_ms") else float("nan")
        print(
            f"{kind:<26}{row['requests']:>7}{row['per_second']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['p99_ms']:>9}  {row['statuses']}  {ratio:.2f}"
        )


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


def print_by_answer(recorder: Recorder, kind: str) -> None:
    """One kind's latencies split by answer: for an express order, booked (201) or refused (409)."""
    for status, values in sorted(recorder.by_status.get(kind, {}).items()):
        print(
            f"    {kind}, answered {status}: n {len(values)}, p50 {percentile(values, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(values, 0.99) * 1000:.1f} ms, slowest {max(values) * 1000:.1f} ms"
        )


def print_no_answer(seen: dict[str, int], *, server_errors: int | None = None) -> None:
    """What the client saw for each request that got no answer (counted as status 599), after
    the count of all 5xx answers when it is given."""
    if server_errors is not None:
        print(f"5xx answers: {server_errors} (599: no answer, the connection failed)")
    for what, n in sorted(seen.items(), key=lambda item: -item[1]):
        print(f"    no answer ×{n}: {what}")


def print_flow(flow_summary: dict, flow_elapsed: float, figures: dict) -> int:
    """Print one flow loop's table and ratios; answers its count of 5xx answers."""
    flow_total = sum(v["requests"] for v in flow_summary.values())
    flow_errors = sum(
        n for v in flow_summary.values() for status, n in v["statuses"].items() if status >= 500
    )
    if figures["loop"] == "swept":
        loop_words = f"payload → quote → hold ({figures['sweepers']} sweepers release the holds)"
    else:
        loop_words = "payload → quote → hold → release"
    print(
        f"\nbooking flow, loop '{figures['loop']}': {figures['flow_clients']} clients of {FLOW_CUSTOMER} "
        f"loop {loop_words} on launches {figures['launches']}, {figures['read_clients']} loop GET "
        f"providers; {flow_total} requests in {flow_elapsed:.1f} s"
    )
    print_table(flow_summary, FLOW_READ)
    print(
        f"per client: flow {figures['flow_requests_per_second_per_client']} req/s (payload, quote, hold), "
        f"read {figures['read_requests_per_second_per_client']} req/s: "
        f"ratio {figures['ratio_flow_to_read']}"
        + (
            f" (with the release counted: {figures['ratio_flow_with_release_to_read']})"
            if figures["loop"] == "release"
            else f"; holds left to sweep at the end: {figures['holds_left_to_sweep_at_the_end']}"
        )
        + f"; 5xx in this phase: {flow_errors}"
    )
    rounds = figures["rounds"]
    print(
        f"rounds of {flow_elapsed / max(len(rounds), 1):.0f} s, each with new clients: ratio "
        + ", ".join(str(r["ratio"]) for r in rounds)
        + f"; median {figures['median_round_ratio']}"
        + (
            f" (with the release counted: {figures['median_round_ratio_with_release']})"
            if figures["loop"] == "release"
            else ""
        )
    )
    print_no_answer(figures["no_answer"])
    return flow_errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--payloads", type=int, default=25, help="payloads each client creates up front")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--express-undo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="undo each booked express order (the customer cancels, the operator scrubs its launch) so "
        "the demo's ready rockets last the phase and its express orders keep booking",
    )
    parser.add_argument("--flow-seconds", type=float, default=60, help="0 skips the booking-flow phase")
    parser.add_argument("--flow-clients", type=int, default=16, help="half loop the flow, half the read")
    parser.add_argument("--flow-launches", type=int, default=3, help="launches the flow holds seats on")
    parser.add_argument(
        "--flow-rounds",
        type=int,
        default=4,
        help="rounds each flow loop's time is split into, each with new clients and connections",
    )
    parser.add_argument("--sweepers", type=int, default=3, help="clients releasing the swept loop's holds")
    parser.add_argument(
        "--flow-loops",
        default=",".join(FLOW_LOOPS),
        help="which flow loops to run, in order: swept (payload → quote → hold, the sweepers release), "
        "release (payload → quote → hold → release)",
    )
    args = parser.parse_args()
    loops = [loop.strip() for loop in args.flow_loops.split(",") if loop.strip()]
    if not loops or any(loop not in FLOW_LOOPS for loop in loops):
        parser.error(f"--flow-loops takes one or more of {', '.join(FLOW_LOOPS)}, comma-separated")

    recorder = Recorder()
    # Settings the product reads (launchbook/settings.py): the per-user API rate, lifted so the
    # bench measures the server rather than its throttle, and the token-login rate (one sign-in per
    # client, all from 127.0.0.1). The sign-in lockout counts failures only: none happen here.
    stack = Stack(
        "load",
        settings_env={
            "LAUNCHBOOK_API_RATE_USER": "1000000/minute",
            "LAUNCHBOOK_API_RATE_LOGIN": "10000/minute",
        },
    )
    flows = []
    with stack:
        clients = [
            Client(stack.base_url, CUSTOMERS[i % len(CUSTOMERS)], i, recorder, random.Random(args.seed + i))
            for i in range(args.clients)
        ]
        for client in clients:
            client.setup(args.payloads)
            if args.express_undo:
                client.operator = Client(stack.base_url, OPERATOR, 1000 + client.index, recorder, client.rng)
        recorder.clear()
        elapsed = run_for(clients, args.seconds)
        if args.flow_seconds > 0:
            lift_hold_limits(stack)
            flows = [flow_phase(stack, args, loop=loop) for loop in loops]
        violations = check_all(stack.env["DATABASE_URL"])

    summary = summarise(recorder, elapsed)
    total = sum(v["requests"] for v in summary.values())
    server_errors = sum(n for v in summary.values() for status, n in v["statuses"].items() if status >= 500)
    print(f"\n{total} requests in {elapsed:.1f} s from {args.clients} clients: {total / elapsed:.1f} req/s")
    print_table(summary, BASELINE)
    print_by_answer(recorder, EXPRESS)
    if args.express_undo:
        print(
            "    each booked express order undone at once: its customer cancels, the operator scrubs its launch"
        )
    flow_results = {}
    for flow_summary, flow_elapsed, figures in flows:
        server_errors += print_flow(flow_summary, flow_elapsed, figures)
        flow_results[figures["loop"]] = {
            "seconds": round(flow_elapsed, 1),
            "requests": flow_summary,
            **figures,
        }
    print_no_answer(recorder.no_answer, server_errors=server_errors)
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
                "booking_flow": flow_results,
            },
            indent=2,
        )
    )
    return 1 if server_errors or any(violations.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
