"""Every plan the planner offers is accepted by launch_schedule, and refused a minute earlier.

Seeded random worlds (the seed is in the test id): sites on two ranges joined by rail, trucks
based on either, rockets stored anywhere, launches already scheduled, closures, separations. The
chain rule, the range, the rocket's journey and the readiness minimum are each computed once
(``booking.rules``); this holds the planner's bulk search to the same answers.
"""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from booking.errors import Conflict, InvalidRequest
from booking.selectors.planner import plan_launch
from booking.services.scheduling import launch_schedule
from tests.factories import (
    LaunchSiteFactory,
    MobilePlatformFactory,
    PadFactory,
    ProviderFactory,
    SiteClosureFactory,
    VehicleFactory,
    VehicleModelFactory,
    campaign_minimums_set,
)
from vehicles.models import Route

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 0, 0, tzinfo=UTC)
H = timedelta(hours=1)


class Rollback(Exception):
    pass


def world(seed):
    rnd = random.Random(seed)
    campaign_minimums_set(rnd.choice([0, 30, 120]))
    jiuquan = LaunchSiteFactory(
        name="Jiuquan",
        code="JSLC",
        latitude=Decimal("40.96"),
        longitude=Decimal("100.29"),
        min_launch_separation_minutes=rnd.choice([0, 120, 240]),
    )
    north = LaunchSiteFactory(
        name="Jiuquan North",
        code="JSLN",
        latitude=Decimal("41.20"),
        longitude=Decimal("100.35"),
        min_launch_separation_minutes=rnd.choice([60, 240]),
    )
    taiyuan = LaunchSiteFactory(
        name="Taiyuan",
        code="TSLC",
        latitude=Decimal("38.85"),
        longitude=Decimal("111.61"),
        min_launch_separation_minutes=rnd.choice([0, 240]),
    )
    sites = [jiuquan, north, taiyuan]
    # The road between the two launch points is an operator's route, or (a third of the worlds)
    # estimated from the distance and each truck's speed: odd minutes of transit.
    if rnd.random() < 0.67:
        Route.objects.create(
            origin=jiuquan, destination=north, mode="road", transit_hours=Decimal(rnd.choice([2, 5]))
        )
        Route.objects.create(
            origin=north, destination=jiuquan, mode="road", transit_hours=Decimal(rnd.choice([2, 5]))
        )
    Route.objects.create(
        origin=taiyuan, destination=jiuquan, mode="rail", transit_hours=Decimal(rnd.choice([30, 72]))
    )
    for site in sites:
        if rnd.random() < 0.5:
            Route.objects.create(origin=site, destination=site, mode="road", transit_hours=Decimal("1.5"))
    provider = ProviderFactory()
    model = VehicleModelFactory(provider=provider, min_pad_campaign_hours=Decimal(rnd.choice([0, 3])))
    pad_model = VehicleModelFactory(
        provider=provider, mobile_launch=False, min_pad_campaign_hours=Decimal(rnd.choice([0, 12]))
    )
    tels = [
        MobilePlatformFactory(
            provider=provider,
            home_site=rnd.choice(sites if n else [jiuquan, north]),  # one truck on the Jiuquan range
            setup_hours=Decimal(rnd.choice(["2", "2.5", "6"])),
            teardown_hours=Decimal(rnd.choice(["1.5", "4"])),
            road_speed_kmh=Decimal(rnd.choice(["35", "50"])),
        )
        for n in range(rnd.randint(1, 3))
    ]
    pad = PadFactory(site=taiyuan, turnaround_hours=Decimal(rnd.choice([24, 72])))
    for n in range(rnd.randint(2, 5)):
        VehicleFactory(vehicle_model=model, serial=f"M{seed}-{n}", storage_site=rnd.choice(sites))
    for n in range(2):
        VehicleFactory(
            vehicle_model=pad_model, serial=f"P{seed}-{n}", storage_site=rnd.choice([taiyuan, jiuquan])
        )
    for _ in range(rnd.randint(0, 2)):
        start = NOW + timedelta(hours=rnd.randint(4, 120))
        SiteClosureFactory(
            site=rnd.choice(sites), starts_at=start, ends_at=start + timedelta(hours=rnd.randint(1, 30))
        )
    # Launches already on the books (those the rules refuse are simply not there).
    for _ in range(rnd.randint(0, 6)):
        tel = rnd.choice(tels + [None])
        start = NOW + timedelta(hours=rnd.randint(6, 200))
        with contextlib.suppress(Conflict):
            launch_schedule(
                provider=provider,
                vehicle_model=model if tel else pad_model,
                site=rnd.choice([jiuquan, north]) if tel else taiyuan,
                orbit_family="SSO",
                altitude_km=500,
                inclination_deg=None,
                window_start=start,
                window_end=start + 2 * H,
                actor=None,
                platform=tel,
                pad=None if tel else pad,
                now=NOW,
            )
    return provider, rnd


def schedule_plan(provider, plan, *, shift=timedelta(0), service_level):
    return launch_schedule(
        provider=provider,
        vehicle_model=plan.vehicle_model,
        site=plan.site,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        window_start=plan.window_start + shift,
        window_end=plan.window_end + shift,
        actor=None,
        vehicle=plan.vehicle,
        platform=plan.platform,
        pad=plan.pad,
        service_level=service_level,
        now=NOW,
    )


def accepted(provider, plan, *, shift=timedelta(0), service_level):
    """Whether launch_schedule takes the plan (shifted), leaving nothing behind."""
    try:
        with transaction.atomic():
            schedule_plan(provider, plan, shift=shift, service_level=service_level)
            raise Rollback
    except Rollback:
        return True, ""
    except (Conflict, InvalidRequest) as exc:  # a window before the order is bad input
        return False, exc.message


@pytest.mark.parametrize("seed", range(16))
def test_every_plan_is_accepted_and_refused_a_minute_earlier(seed):
    provider, rnd = world(seed)
    service_level = rnd.choice(["standard", "standard", "express"])
    result = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=NOW,
        latest=NOW + timedelta(days=12),
        service_level=service_level,
        mass_kg=Decimal("50"),
        limit=6,
        now=NOW,
    )
    # Each world flies something: a test that checks no plan would prove nothing.
    assert result.plans, result.reasons
    for plan in result.plans:
        ok, why = accepted(provider, plan, service_level=service_level)
        assert ok, f"{plan.describe()} was refused: {why}"
        early, _ = accepted(provider, plan, shift=-timedelta(minutes=1), service_level=service_level)
        assert not early, f"{plan.describe()} is accepted a minute earlier: the planner missed it"
