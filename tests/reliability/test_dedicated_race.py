"""Two operators schedule one dedicated launch request at once: one launch is linked to it.

PostgreSQL, real threads and connections (committed data). Both schedules are feasible on their
own (different trucks, days apart); the second to link sees the request scheduled under its row
lock (``lock_dedicated_request``, taken after the new launch is written) and its launch is rolled
back with it, so no orphan dedicated launch is left behind. Here both fly from Jiuquan, so the
range lock already queues the two transactions; the request lock is what holds for schedules at
different sites, which this demo fleet (Kuaizhou-1A trucks at Jiuquan only) cannot race.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from booking.demo import load_accounts, load_catalog
from booking.errors import Conflict
from booking.models import DedicatedRequest, Launch
from booking.selectors.planner import plan_launch
from booking.services.dedicated import dedicated_request_create
from booking.workflows.dedicated import dedicated_request_schedule
from customers.models import Customer, Payload
from tests.reliability.racing import race
from vehicles.models import VehicleModel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_of_two_concurrent_schedules_links_the_request():
    load_catalog()
    load_accounts()
    now = timezone.now()
    model = VehicleModel.objects.get(name="Kuaizhou-1A")
    asked = dedicated_request_create(
        customer=Customer.objects.get(slug="gomspace"),
        actor=None,
        payload=Payload.objects.get(name="GOMX-5B"),
        vehicle_model=model,
        earliest=now + timedelta(days=80),
        latest=now + timedelta(days=200),
    )
    plans = plan_launch(
        orbit_family=asked.orbit_family,
        altitude_km=asked.altitude_km,
        inclination_deg=asked.inclination_deg,
        earliest=asked.earliest,
        latest=asked.latest,
        service_level="standard",
        provider=model.provider,
        limit=40,
    ).plans
    first = next(p for p in plans if p.vehicle_model == model)
    # The other truck, no rocket assigned yet, eight days later: it does not clash with the first.
    other_truck = next(p.platform for p in plans if p.vehicle_model == model and p.platform != first.platform)

    def schedule(plan, platform, vehicle, delay):
        return lambda: dedicated_request_schedule(
            request=DedicatedRequest.objects.get(pk=asked.pk),
            actor=None,
            provider=model.provider,
            vehicle_model=model,
            site=plan.site,
            orbit_family=asked.orbit_family,
            altitude_km=asked.altitude_km,
            inclination_deg=asked.inclination_deg,
            window_start=plan.window_start + delay,
            window_end=plan.window_end + delay,
            vehicle=vehicle,
            platform=platform,
            pad=None,
            name=f"race {platform} {delay.days}",
        )

    outcomes = race(
        [
            schedule(first, first.platform, first.vehicle, timedelta()),
            schedule(first, other_truck, None, timedelta(days=8)),
        ]
    )
    won = [o for o in outcomes if isinstance(o, Launch)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "it cannot be scheduled" in lost[0].message
    asked.refresh_from_db()
    assert asked.status == "scheduled" and asked.launch_id == won[0].pk
    assert Launch.objects.filter(name__startswith="race ").count() == 1
