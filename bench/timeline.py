"""How long the fleet timeline page takes at 50 mobile platforms and 500 launches in view.

Builds, in its own SQLite file (``BENCH_TIMELINE_DB``, default var/bench_timeline.sqlite3,
re-created) or the PostgreSQL database named by ``BENCH_PG`` (``BENCH_DB`` lb_bench_timeline,
dropped and re-created), 4 sites, one provider with 50 trucks and 500 launches spread over 60
days (each with its platform, rocket and range claims, as the scheduler writes them) and a
closure every other day, then renders through Django's test client, signed in as a platform
administrator:

- the fleet timeline, 60 days (every launch in view) and 14 days;
- a trivial admin page in the same run (the launch sites' change list, four rows) as the baseline.

Median of repeats; the ratio page / baseline is the figure to watch. Prints the figures and
writes bench/results/timeline.json.

    .venv/bin/python bench/timeline.py                        # SQLite, nothing to install
    BENCH_PG=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/timeline.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG")
if SERVER:
    DB_NAME = os.environ.get("BENCH_DB", "lb_bench_timeline")
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as pg:
        pg.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        pg.execute(f"CREATE DATABASE {DB_NAME}")
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
else:
    DB_FILE = Path(os.environ.get("BENCH_TIMELINE_DB", ROOT / "var" / "bench_timeline.sqlite3"))
    DB_FILE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchbook.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from booking.models import Launch, Reservation  # noqa: E402
from vehicles.models import LaunchSite, MobilePlatform, Provider, SiteClosure, Vehicle, VehicleModel  # noqa: E402

PLATFORMS = 50
LAUNCHES = 500
DAYS = 60
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))
START = datetime(2031, 1, 1, tzinfo=UTC)


def build_world() -> None:
    call_command("migrate", verbosity=0)
    provider = Provider.objects.create(name="Bench Space", short_name="Bench", slug="bench")
    sites = [
        LaunchSite.objects.create(
            name=name, code=code, country="CN", latitude=Decimal(lat), longitude=Decimal(lon)
        )
        for name, code, lat, lon in (
            ("Jiuquan", "JSLC", "40.96", "100.29"),
            ("Taiyuan", "TSLC", "38.85", "111.61"),
            ("Xichang", "XSLC", "28.25", "102.03"),
            ("Wenchang", "WSLC", "19.61", "110.95"),
        )
    ]
    model = VehicleModel.objects.create(provider=provider, name="Bench-1", slug="bench-1")
    trucks = MobilePlatform.objects.bulk_create(
        MobilePlatform(provider=provider, name=f"TEL-{n:02d}", home_site=sites[n % 4])
        for n in range(PLATFORMS)
    )
    rockets = Vehicle.objects.bulk_create(
        Vehicle(vehicle_model=model, serial=f"B1-{n:03d}", status="assigned", storage_site=sites[n % 4])
        for n in range(LAUNCHES)
    )
    # One launch every 2 h 52 min across the fleet: a site's range sees one every other slot at
    # most (windows 2 h, separation 5 min) and each truck one every six days: a schedule that
    # holds, so the page draws it rather than a pile of conflicts.
    step = timedelta(minutes=DAYS * 24 * 60 // LAUNCHES)
    launches, claims = [], []
    for n in range(LAUNCHES):
        truck = trucks[n % PLATFORMS]
        site = truck.home_site
        window = START + timedelta(hours=12) + n * step
        launches.append(
            Launch(
                name=f"Bench {n:03d}",
                provider=provider,
                vehicle_model=model,
                vehicle=rockets[n],
                site=site,
                platform=truck,
                orbit_family="SSO",
                altitude_km=500,
                inclination_deg=Decimal("97.4"),
                window_start=window,
                window_end=window + timedelta(hours=2),
                net=window,
                status="scheduled",
            )
        )
    Launch.objects.bulk_create(launches)
    for launch in launches:
        ws, we = launch.window_start, launch.window_end
        common = {"launch": launch, "site": launch.site, "ready_at": ws}
        claims += [
            Reservation(
                platform=launch.platform,
                origin=launch.site,
                occupied_from=ws - timedelta(hours=9),
                arrive_at=ws - timedelta(hours=6),
                occupied_until=we + timedelta(hours=4),
                **common,
            ),
            Reservation(
                vehicle=launch.vehicle,
                origin=launch.site,
                occupied_from=ws,
                arrive_at=ws,
                occupied_until=we,
                **common,
            ),
            Reservation(
                range_site=launch.site, occupied_from=ws, occupied_until=we + timedelta(minutes=5), **common
            ),
        ]
    Reservation.objects.bulk_create(claims)
    SiteClosure.objects.bulk_create(
        SiteClosure(
            site=sites[d % 4],
            starts_at=START + timedelta(days=d, hours=3),
            ends_at=START + timedelta(days=d, hours=5),
            kind="airspace",
        )
        for d in range(0, DAYS, 2)
    )


def timed(client: Client, url: str, params: dict[str, str]) -> dict[str, float | int]:
    runs, queries, size = [], 0, 0
    client.get(url, params)  # warm up: templates compiled, session read once
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            response = client.get(url, params)
            runs.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
        queries, size = len(ctx.captured_queries), len(response.content)
    return {"median_ms": round(statistics.median(runs) * 1000, 1), "queries": queries, "bytes": size}


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    build_world()
    admin = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pass")
    client = Client()
    client.force_login(admin)
    fleet = reverse("admin:booking_launch_fleet")
    start = START.strftime("%Y-%m-%d")
    results = {
        "baseline (launch sites change list)": timed(
            client, reverse("admin:vehicles_launchsite_changelist"), {}
        ),
        "fleet timeline, 60 days": timed(client, fleet, {"start": start, "days": str(DAYS)}),
        "fleet timeline, 14 days": timed(client, fleet, {"start": start, "days": "14"}),
        "fleet lanes poll, unchanged (304)": {},
    }
    lanes = reverse("admin:booking_launch_fleet_lanes")
    etag = client.get(lanes, {"start": start, "days": str(DAYS)})["ETag"]
    runs = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        assert (
            client.get(
                lanes, {"start": start, "days": str(DAYS)}, headers={"If-None-Match": etag}
            ).status_code
            == 304
        )
        runs.append(time.perf_counter() - began)
    results["fleet lanes poll, unchanged (304)"] = {"median_ms": round(statistics.median(runs) * 1000, 1)}
    base = results["baseline (launch sites change list)"]["median_ms"]
    in_view = Launch.objects.count()
    print(
        f"{PLATFORMS} platforms, {in_view} launches, {Reservation.objects.count()} claims; "
        f"{connection.vendor}; median of {REPEATS}"
    )
    for name, figures in results.items():
        ratio = figures["median_ms"] / base
        figures["ratio_to_baseline"] = round(ratio, 2)
        extra = (
            f", {figures['queries']} queries, {figures['bytes'] // 1024} KiB" if "queries" in figures else ""
        )
        print(f"  {name:40s} {figures['median_ms']:8.1f} ms  ×{ratio:5.2f}{extra}")
    out = ROOT / "bench" / "results" / "timeline.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "measured": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": connection.vendor,
                "platforms": PLATFORMS,
                "launches": in_view,
                "repeats": REPEATS,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
