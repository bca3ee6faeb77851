"""The orbit catalog kept per process (``booking.selectors.catalog``): read once per version outside
a transaction, renewed for every process by each committed change, never used inside one."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking.errors import Conflict
from booking.models import ExchangeRate, RideshareRate
from booking.selectors import orbit
from booking.selectors.catalog import VERSION_KEY, kept_catalog
from booking.selectors.fit import CountedMass
from booking.selectors.orbit import catalog_orbit_review
from booking.selectors.ports import adapters_for
from booking.selectors.prices import exchange_rates, rideshare_launch_lines
from booking.services.capacity import capacity_curve_replace
from tests.factories import LaunchSiteFactory, RideshareRateFactory, VehicleModelFactory
from vehicles.models import Adapter, CapacityPoint, LaunchCorridor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalog():
    site = LaunchSiteFactory(name="Jiuquan", code="JSLC", latitude=Decimal("40.96"))
    LaunchCorridor.objects.create(
        site=site, azimuth_from=Decimal("90"), azimuth_to=Decimal("195"), source="demo"
    )
    model = VehicleModelFactory(
        name="Long March 6", slug="long-march-6", curve={"SSO": [(500, 1200), (700, 1080)]}
    )
    return model


def review(mass_kg: str = "100"):
    return catalog_orbit_review(
        orbit_family="SSO", altitude_km=700, inclination_deg=None, mass_kg=Decimal(mass_kg)
    )


def catalog_queries(ctx: CaptureQueriesContext) -> list[str]:
    tables = (
        "vehicles_launchsite",
        "vehicles_launchcorridor",
        "vehicles_vehiclemodel",
        "vehicles_capacitypoint",
    )
    return [q["sql"] for q in ctx.captured_queries if any(f'"{t}"' in q["sql"] for t in tables)]


def test_a_second_review_reads_no_catalog_rows(catalog):
    assert review().problems == {}
    with CaptureQueriesContext(connection) as ctx:
        again = review("2000")
    assert catalog_queries(ctx) == []
    assert again.heaviest == (Decimal("1080"), "Long March 6")


def test_the_orbit_is_worked_out_once_per_version_and_the_mass_each_time(catalog, monkeypatch):
    calls: list[tuple] = []
    work_out = orbit._orbit_reach

    def counted(*args):
        calls.append(args[1:])
        return work_out(*args)

    monkeypatch.setattr(orbit, "_orbit_reach", counted)
    assert review("100").warnings == []
    assert review("1100").warnings  # more than the 1,080 kg any vehicle lifts there: the mass, each time
    assert review("100").warnings == []
    assert len(calls) == 1
    for written in ("97.4", "97.40"):  # equal inclinations, quoted as sent: each its own entry
        catalog_orbit_review(orbit_family="SSO", altitude_km=700, inclination_deg=Decimal(written))
    assert len(calls) == 3
    # A refusal worked out once is a refusal every time after: no vehicle has a figure at 2,000 km.
    refusals = [
        catalog_orbit_review(orbit_family="SSO", altitude_km=2000, inclination_deg=None) for _ in range(2)
    ]
    assert "altitude_km" in refusals[0].problems and refusals[0].heaviest is None
    assert refusals[1].problems == refusals[0].problems and refusals[1].heaviest is None
    assert len(calls) == 4
    point = CapacityPoint.objects.get(vehicle_model=catalog, altitude_km=700)
    point.capacity_kg = Decimal("1500")
    point.save()  # a new catalog version: worked out again
    assert review("1100").warnings == []
    assert len(calls) == 5


def test_a_committed_change_is_seen_on_the_next_read(catalog):
    assert review("1100").warnings  # 1,080 kg is the most at 700 km
    point = CapacityPoint.objects.get(vehicle_model=catalog, altitude_km=700)
    point.capacity_kg = Decimal("1500")
    point.save()
    assert review("1100").warnings == []
    # A curve written in bulk for a model that had none (no row saved or deleted one by one) is seen too.
    newcomer = VehicleModelFactory(name="Ceres-1", slug="ceres-1", curve={})
    assert review("1400").heaviest == (Decimal("1500"), "Long March 6")
    capacity_curve_replace(
        vehicle_model=newcomer,
        points=[("SSO", 500, Decimal("2100")), ("SSO", 700, Decimal("2000"))],
        actor=None,
    )
    assert review("1400").heaviest == (Decimal("2000"), "Ceres-1")


def test_another_process_sees_the_change_through_the_shared_version(catalog):
    seen: list = []

    def other_thread_reads():  # a thread keeps its own catalog, as another process does
        seen.append(kept_catalog().version)
        seen.append(
            catalog_orbit_review(
                orbit_family="SSO", altitude_km=700, inclination_deg=None, mass_kg=Decimal("1100")
            ).warnings
        )
        connection.close()

    first = threading.Thread(target=other_thread_reads)
    first.start()
    first.join()
    catalog.capacity_points.filter(altitude_km=700).get().delete()
    CapacityPoint.objects.create(
        vehicle_model=catalog, orbit_family="SSO", altitude_km=700, capacity_kg=Decimal("1500")
    )
    second = threading.Thread(target=other_thread_reads)
    second.start()
    second.join()
    assert seen[0] != seen[2]
    assert seen[1] and seen[3] == []


def test_inside_a_transaction_the_rows_are_read(catalog):
    with transaction.atomic():
        assert kept_catalog() is None
        CapacityPoint.objects.filter(vehicle_model=catalog, altitude_km=700).update(
            capacity_kg=Decimal("1500")
        )
        # Its own uncommitted change is what a review inside it sees.
        assert review("1100").warnings == []
        transaction.set_rollback(True)
    assert review("1100").warnings


def test_a_new_exchange_rate_or_adapter_is_seen_on_the_next_read(catalog):
    ExchangeRate.objects.create(currency="CNY", units_per_usd=Decimal("7.10"))
    assert exchange_rates()["CNY"] == Decimal("7.10")
    rate = ExchangeRate.objects.get(currency="CNY")
    rate.units_per_usd = Decimal("7.25")
    rate.save()
    assert exchange_rates()["CNY"] == Decimal("7.25")
    assert adapters_for(provider=catalog.provider) == []
    ring = Adapter.objects.create(
        name="15-inch ring", kind="separation_system", mass_kg=Decimal("4.2"), port_kinds=["ring_15in"]
    )
    assert adapters_for(provider=catalog.provider, port_kind="ring_15in") == [ring]


def seat_price(provider) -> Decimal:
    mass = CountedMass(payload_kg=Decimal("20"), adapter_kg=Decimal("0"), adapter_name="")
    lines = rideshare_launch_lines(provider=provider, orbit_family="SSO", mass=mass, currency="USD")
    return sum((line.amount for line in lines), Decimal("0"))


def test_a_rideshare_rate_is_kept_and_a_changed_one_is_priced_on_the_next_read(catalog):
    provider = catalog.provider
    rate = RideshareRateFactory(provider=provider, price_per_kg=Decimal("30000"), minimum_charge=Decimal("0"))
    assert seat_price(provider) == Decimal("600000.00")
    with CaptureQueriesContext(connection) as ctx:
        assert seat_price(provider) == Decimal("600000.00")
    assert not [q for q in ctx.captured_queries if '"booking_ridesharerate"' in q["sql"]]
    rate.price_per_kg = Decimal("32000")
    rate.save()
    assert seat_price(provider) == Decimal("640000.00")
    rate.delete()
    with pytest.raises(Conflict, match="sells no rideshare seats to SSO"):
        seat_price(provider)
    # Inside a transaction the rate is read from its row, its own uncommitted change included.
    with transaction.atomic():
        RideshareRate.objects.create(
            provider=provider, orbit_family="SSO", price_per_kg=Decimal("1000"), currency="USD"
        )
        assert seat_price(provider) == Decimal("20000.00")
        transaction.set_rollback(True)


def test_a_request_asks_the_shared_version_once(catalog):
    request_started.send(sender=None)
    try:
        first = kept_catalog().version
        cache.set(VERSION_KEY, "set by another process meanwhile", timeout=None)
        # The rest of this request goes on with the catalog it started with.
        assert kept_catalog().version == first
    finally:
        request_finished.send(sender=None)
    request_started.send(sender=None)
    try:
        assert kept_catalog().version == "set by another process meanwhile"
    finally:
        request_finished.send(sender=None)
    # Outside a request (a task, a command) every use asks.
    cache.set(VERSION_KEY, "changed again", timeout=None)
    assert kept_catalog().version == "changed again"


def test_a_request_reads_the_catalog_change_it_committed(catalog):
    request_started.send(sender=None)
    try:
        assert review("1100").warnings  # 1,080 kg is the most at 700 km
        point = CapacityPoint.objects.get(vehicle_model=catalog, altitude_km=700)
        point.capacity_kg = Decimal("1500")
        point.save()
        assert review("1100").warnings == []
    finally:
        request_finished.send(sender=None)


def test_the_threads_of_a_process_share_one_catalog_per_version(catalog):
    """Worker threads (gunicorn's) read the catalog once between them, not once each; a change
    gives them all the next version, again read once."""
    kept: list[object] = []
    barrier = threading.Barrier(4)

    def ask() -> None:
        try:
            barrier.wait()
            kept.append(kept_catalog())
        finally:
            connection.close()

    def all_ask() -> set[int]:
        kept.clear()
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(kept) == 4 and None not in kept
        return {id(one) for one in kept}

    first = all_ask()
    assert len(first) == 1
    assert all_ask() == first
    ExchangeRate.objects.update_or_create(currency="EUR", defaults={"units_per_usd": Decimal("0.91")})
    second = all_ask()
    assert len(second) == 1 and second != first
