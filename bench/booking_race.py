"""Bookings per second under contention on one launch, against plain inserts, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/launchbook .venv/bin/python bench/booking_race.py

Creates its own database (``lb_bench_booking`` on the server of DATABASE_URL), migrates it, and
runs two phases with the same number of threads and bookings:

- baseline: plain ``Booking`` inserts on one launch (no lock, no capacity check, no event);
- booking_hold: the real service on one launch: lock the launch row, recompute the capacity from
  rows, insert the booking, accept the quote, write the event. Busy answers are retried.

Prints bookings/second for both and the ratio, writes bench/results/booking_race.json, and drops
its database at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlunparse

if TYPE_CHECKING:
    from datetime import datetime

    from booking.models import Launch, Quote
    from customers.models import Customer, Payload

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "lb_bench_booking"


def _server_admin(url: str):
    import psycopg

    parsed = urlparse(url)
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    return psycopg.connect(admin_url, autocommit=True)


def _recreate_database(url: str) -> str:
    with _server_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return urlunparse(urlparse(url)._replace(path=f"/{BENCH_DB}"))


def _drop_database(url: str) -> None:
    with _server_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def _run_threads(threads: int, work) -> tuple[float, list[BaseException]]:
    """Start ``threads`` workers at a barrier; answers elapsed seconds and unexpected errors."""
    from django.db import connection

    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def runner(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=runner, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=40, help="bookings each thread makes")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("bench/booking_race.py needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = _recreate_database(base_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchbook.settings")
    try:
        return _bench(args.threads, args.per_thread)
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(base_url)


@dataclass
class _Seeded:
    """The rows both phases book onto: one launch each, one payload per booking."""

    customer: Customer
    plain_launch: Launch
    hold_launch: Launch
    plain_payloads: list[Payload]
    quotes: list[Quote]


def _seed(total: int, now: datetime) -> _Seeded:
    from datetime import timedelta
    from decimal import Decimal

    from booking.models import Launch, RideshareRate
    from booking.services.quotes import quote_create
    from customers.models import Customer, Payload
    from vehicles.models import CapacityPoint, LaunchSite, Provider, VehicleModel

    # Room for every booking (no hold limits, the whole launch open to one customer): the bench
    # measures the locked path, not refusals.
    provider = Provider.objects.create(
        name="Bench",
        short_name="Bench",
        slug="bench",
        country="CN",
        hold_limit_per_customer=32_767,
        hold_share_percent=Decimal("100.00"),
    )
    model = VehicleModel.objects.create(provider=provider, name="Bench-1", slug="bench-1", mobile_launch=True)
    CapacityPoint.objects.create(
        vehicle_model=model, orbit_family="SSO", altitude_km=500, capacity_kg=9_999_999
    )
    site = LaunchSite.objects.create(
        name="Jiuquan", code="JSLC", country="CN", latitude=40.96, longitude=100.29
    )
    RideshareRate.objects.create(
        provider=provider,
        orbit_family="SSO",
        price_per_kg=Decimal("10000"),
        minimum_charge=Decimal("0"),
        currency="USD",
    )

    def launch(name: str) -> Launch:
        start = now + timedelta(days=10)
        return Launch.objects.create(
            name=name,
            provider=provider,
            vehicle_model=model,
            site=site,
            orbit_family="SSO",
            altitude_km=500,
            inclination_deg=Decimal("97.40"),
            window_start=start,
            window_end=start + timedelta(hours=2),
            net=start,
            status=Launch.Status.SCHEDULED,
        )

    plain_launch, hold_launch = launch("Plain inserts"), launch("booking_hold")
    # Cleared for export: holds for a customer still in screening are refused.
    customer = Customer.objects.create(
        name="Bench customer",
        slug="bench-customer",
        country="DK",
        export_screening=Customer.ExportScreening.CLEARED,
    )
    payloads = Payload.objects.bulk_create(
        Payload(
            customer=customer,
            name=f"Sat {i:05d}",
            mass_kg=Decimal("3.0"),
            orbit_family="SSO",
            altitude_km=500,
        )
        for i in range(2 * total)
    )
    plain_payloads, hold_payloads = payloads[:total], payloads[total:]
    quotes = [
        quote_create(customer=customer, payload=p, actor=None, launch=hold_launch) for p in hold_payloads
    ]
    return _Seeded(customer, plain_launch, hold_launch, plain_payloads, quotes)


def _write_result(
    *, threads: int, total: int, plain_seconds: float, hold_seconds: float, busy_retries: int
) -> None:
    from django.conf import settings
    from django.utils import timezone

    plain_rate = total / plain_seconds
    hold_rate = total / hold_seconds
    result = {
        "benchmark": "booking_race",
        "database": "PostgreSQL",
        "threads": threads,
        "bookings_per_phase": total,
        "plain_insert_seconds": round(plain_seconds, 3),
        "plain_inserts_per_second": round(plain_rate, 1),
        "booking_hold_seconds": round(hold_seconds, 3),
        "booking_holds_per_second": round(hold_rate, 1),
        "hold_to_plain_ratio": round(hold_rate / plain_rate, 3),
        "busy_retries": busy_retries,
        "lock_timeout_ms": settings.LAUNCHBOOK_LOCK_TIMEOUT_MS,
        "cpu_count": os.cpu_count(),
        "measured_at": timezone.now().isoformat(timespec="seconds"),
    }
    print(f"threads: {threads}, bookings per phase: {total}")
    print(f"plain inserts (no lock, no check): {plain_rate:8.1f} bookings/s ({plain_seconds:.2f} s)")
    print(f"booking_hold (locked, checked):    {hold_rate:8.1f} bookings/s ({hold_seconds:.2f} s)")
    print(f"ratio hold / plain: {hold_rate / plain_rate:.3f}; busy retries: {busy_retries}")
    out = ROOT / "bench" / "results" / "booking_race.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


def _bench(threads: int, per_thread: int) -> int:
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from booking.errors import Busy
    from booking.models import Booking
    from booking.selectors.capacity import launch_booked_mass_kg
    from booking.services.bookings import booking_hold, new_reference

    call_command("migrate", verbosity=0)
    total = threads * per_thread
    now = timezone.now().replace(microsecond=0)
    seeded = _seed(total, now)

    def plain(index: int) -> None:
        for payload in seeded.plain_payloads[index * per_thread : (index + 1) * per_thread]:
            Booking.objects.create(
                reference=new_reference("LB-"),
                customer=seeded.customer,
                payload=payload,
                launch=seeded.plain_launch,
                status=Booking.Status.HELD,
                price=Decimal("50000.00"),
                currency="USD",
                mass_kg=Decimal("8.0"),
                hold_expires_at=now + settings.LAUNCHBOOK_HOLD_TTL,
            )

    busy_retries = [0] * threads

    def hold(index: int) -> None:
        for quote in seeded.quotes[index * per_thread : (index + 1) * per_thread]:
            while True:
                try:
                    booking_hold(quote=quote, actor=None)
                    break
                except Busy:
                    busy_retries[index] += 1

    plain_seconds, plain_errors = _run_threads(threads, plain)
    hold_seconds, hold_errors = _run_threads(threads, hold)
    if plain_errors or hold_errors:
        print(f"errors: {plain_errors[:3]!r} {hold_errors[:3]!r}", file=sys.stderr)
        return 1
    held = Booking.objects.filter(launch=seeded.hold_launch).count()
    assert held == total, f"{held} of {total} holds were made"
    assert launch_booked_mass_kg(launch=seeded.hold_launch) == Decimal("8.0") * total

    _write_result(
        threads=threads,
        total=total,
        plain_seconds=plain_seconds,
        hold_seconds=hold_seconds,
        busy_retries=sum(busy_retries),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
