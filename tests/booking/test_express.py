"""The 24-hour express order: a rocket from storage, a platform in reach, a free window, a booking;
or, when 24 hours is impossible, nothing changed and the earliest feasible time with the reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from booking.errors import Busy, Conflict, ScheduleConflict
from booking.models import Booking, Event, Launch, Quote, ReadinessPlan, Reservation
from booking.readiness_templates import plan_offsets
from booking.services import scheduling
from booking.services.checks import check_run
from booking.workflows import express
from booking.workflows.express import order_express_launch
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    DedicatedPriceFactory,
    ExchangeRateFactory,
    PayloadFactory,
    RideshareRateFactory,
    SiteClosureFactory,
    UserFactory,
    readiness_templates,
    resource_claim,
    schedule_world,
)
from vehicles.models import Route, Vehicle, VehicleModel

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        world = schedule_world()
        world.customer = CustomerFactory(name="Gomspace", slug="gomspace")
        world.payload = PayloadFactory(customer=world.customer, name="GOMX-5A", mass_kg=Decimal("95.0"))
        world.contract = ContractFactory(
            customer=world.customer, provider=world.provider, launches_committed=4
        )
        ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
        ExchangeRateFactory(currency="CNY", units_per_usd=Decimal("6.48"))
        RideshareRateFactory(provider=world.provider, orbit_family="SSO")
        DedicatedPriceFactory(vehicle_model=world.model)
        world.user = UserFactory(username="gomspace-engineer")
        yield world


def order(world):
    with time_machine.travel(NOW, tick=False):
        return order_express_launch(customer=world.customer, payload=world.payload, actor=world.user, now=NOW)


def test_an_express_order_books_a_launch_that_opens_within_24_hours(world):
    result = order(world)

    launch, booking = result.launch, result.booking
    assert launch.service_level == Launch.ServiceLevel.EXPRESS
    assert NOW < launch.window_start <= NOW + timedelta(hours=24)
    # Both TELs wait at Jiuquan with the rockets: the express work's minimum chain (7 h 40 min,
    # within which the 6 h of set-up fit) sets the window; the oldest rocket in storage.
    assert launch.window_start == NOW + timedelta(hours=7, minutes=40)
    assert launch.site == world.jiuquan and launch.platform == world.tel1
    assert launch.vehicle.serial == "KZ1A-Y7"
    assert booking.status == Booking.Status.CONFIRMED and booking.launch == launch
    assert booking.payload == world.payload
    quote = Quote.objects.get(pk=booking.quote_id)
    assert quote.service_level == Launch.ServiceLevel.EXPRESS
    assert quote.lines.filter(kind="express").exists()
    assert resource_claim(launch).occupied_from == launch.window_start - timedelta(hours=6)
    assert Event.objects.filter(verb="launch.scheduled", launch=launch).exists()
    assert Event.objects.filter(verb="booking.confirmed").exists()
    world.rockets[0].refresh_from_db()
    assert world.rockets[0].status == Vehicle.Status.ASSIGNED


def test_a_second_express_order_takes_the_next_platform(world):
    order(world)
    other = PayloadFactory(customer=world.customer, name="GOMX-5B", mass_kg=Decimal("3.2"))
    with time_machine.travel(NOW, tick=False):
        second = order_express_launch(customer=world.customer, payload=other, actor=world.user, now=NOW)
    assert second.launch.platform == world.tel2 and second.launch.vehicle.serial == "KZ1A-Y8"
    # Jiuquan's range flies one launch at a time: the first window's end plus 240 minutes.
    assert second.launch.window_start == NOW + timedelta(hours=7, minutes=40) + timedelta(
        hours=1, minutes=240
    )


def test_no_rocket_in_ready_storage_changes_nothing_and_says_why(world):
    Vehicle.objects.update(status=Vehicle.Status.IN_PRODUCTION)

    with pytest.raises(Conflict) as refused:
        order(world)

    message = str(refused.value)
    assert message.startswith(
        "No express launch for GOMX-5A can open by 2030-03-02 08:00 UTC, nor within 30 days."
    )
    assert "Why: " in message and "no Kuaizhou-1A in ready storage" in message
    assert "no Kuaizhou-1A in ready storage" in refused.value.reasons
    # A Long March 6 flies from a fixed pad: never an express option, rockets or not.
    assert (
        "Long March 6 cannot be launched on express terms: it flies from a fixed pad" in refused.value.reasons
    )
    assert not Launch.objects.exists() and not Booking.objects.exists() and not Quote.objects.exists()


def test_no_platform_in_reach_gives_the_earliest_feasible_time(world):
    # Both TELs wait at Wenchang, which is closed for two days; the rockets come from Jiuquan
    # by rail in 12 h; a TEL does not drive to another launch centre.
    for tel in (world.tel1, world.tel2):
        tel.home_site = world.wenchang
        tel.save()
    Route.objects.create(
        origin=world.jiuquan, destination=world.wenchang, mode="rail", transit_hours=Decimal("12.0")
    )
    world.pad.active = False
    world.pad.save()
    SiteClosureFactory(
        site=world.wenchang,
        kind="range",
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(days=2),
        reason="Long March 5B campaign",
    )

    with pytest.raises(Conflict) as refused:
        order(world)

    message = str(refused.value)
    assert message.startswith(
        "No express launch for GOMX-5A can open by 2030-03-02 08:00 UTC. "
        "Earliest feasible: 2030-03-03 08:00 UTC (Kuaizhou-1A KZ1A-Y7 from Wenchang on TEL-01"
    )
    reasons = refused.value.reasons
    assert not any("road transit from Wenchang" in r for r in reasons)
    # The rocket is there in 12 h; then the closure holds the window until it ends.
    assert any(
        r.startswith("TEL-01 at Wenchang: KZ1A-Y7 is at Jiuquan: 12 h by rail to Wenchang")
        and "then Wenchang closed for range 2030-03-01 07:00 – 2030-03-03 08:00 UTC: Long March 5B campaign"
        in r
        for r in reasons
    )
    # The pad rocket is no express option at all (the pad is out of service besides).
    assert "Long March 6 cannot be launched on express terms: it flies from a fixed pad" in reasons
    assert not Launch.objects.exists() and not Booking.objects.exists() and not Reservation.objects.exists()
    assert Vehicle.objects.filter(status=Vehicle.Status.ASSIGNED).count() == 0


def test_a_failure_after_scheduling_rolls_everything_back(world, monkeypatch):
    """The booking engine refuses (here: no contract with launches left); the launch, its
    reservation and the rocket's assignment go with it."""
    world.contract.delete()
    with pytest.raises(Conflict):
        order(world)
    assert not Launch.objects.exists() and not Reservation.objects.exists()
    assert not Vehicle.objects.filter(status=Vehicle.Status.ASSIGNED).exists()


def _taken_first(monkeypatch, error):
    """The first plan's schedule is refused with ``error``, as if taken in between; the rest are real."""
    calls = []

    def schedule(**kwargs):
        calls.append(kwargs["platform"] or kwargs["pad"])
        if len(calls) == 1:
            raise error
        return scheduling.launch_schedule(**kwargs)

    monkeypatch.setattr(express, "launch_schedule", schedule)
    return calls


@pytest.mark.parametrize(
    "error",
    [
        ScheduleConflict("Cannot schedule it on Platform 1: it is occupied by another launch."),
        Busy("Platform 1 is being changed by someone else right now; please retry."),
    ],
)
def test_a_plan_taken_between_planning_and_locking_makes_the_order_try_the_next(world, monkeypatch, error):
    calls = _taken_first(monkeypatch, error)
    result = order(world)
    assert len(calls) == 2 and calls[0] != calls[1]
    assert result.booking.status == Booking.Status.CONFIRMED
    assert Launch.objects.count() == 1


def test_a_conflict_that_is_not_about_the_schedule_ends_the_order(world, monkeypatch):
    calls = _taken_first(monkeypatch, Conflict("payload GOMX-5A exceeds the capacity left"))
    with pytest.raises(Conflict, match="exceeds the capacity left"):
        order(world)
    assert len(calls) == 1 and not Launch.objects.exists()


def test_a_schedule_clash_is_a_schedule_conflict(world):
    first = order(world).launch
    with time_machine.travel(NOW, tick=False), pytest.raises(ScheduleConflict, match="Cannot schedule"):
        scheduling.launch_schedule(
            provider=first.provider,
            vehicle_model=first.vehicle_model,
            site=first.site,
            orbit_family=first.orbit_family,
            altitude_km=first.altitude_km,
            inclination_deg=first.inclination_deg,
            window_start=first.window_start,
            window_end=first.window_end,
            actor=None,
            platform=first.platform,
            pad=first.pad,
            now=NOW,
        )


def test_an_express_order_for_a_returnable_payload_plans_the_capsule_too(world):
    world.payload.returnable = True
    world.payload.return_mass_kg = world.payload.mass_kg
    world.payload.save(update_fields=["returnable", "return_mass_kg"])
    VehicleModel.objects.update(return_capsule_kg=Decimal("300.0"))
    readiness_templates()
    result = order(world)

    plan = ReadinessPlan.objects.get(launch=result.launch)
    assert plan.template.slug == "express-24h-returnable"
    codes = list(plan.steps.order_by("position").values_list("code", flat=True))
    # The return mass is checked before the payload is mated; the capsule is recovered after.
    assert codes.index("return-mass") == codes.index("payload-mated") - 1
    assert codes[-1] == "capsule-recovery"
    step = plan.steps.get(code="return-mass")
    assert step.check_name == "return_mass_within_limit" and step.blocking
    # Laid out in the lead the order left, never below what each step takes.
    template_steps = list(plan.template.steps.all())
    lead = int((result.launch.window_start - NOW).total_seconds() // 60)
    offsets = plan_offsets(template_steps, lead_minutes=lead)
    assert step.due_at == result.launch.window_start + timedelta(minutes=offsets["return-mass"])
    passed, detail = check_run(step=step, launch=result.launch, now=NOW)
    assert passed and detail.startswith("return mass 95.0 kg of")


def test_an_express_order_for_a_satellite_keeps_the_express_template(world):
    readiness_templates()
    result = order(world)
    plan = ReadinessPlan.objects.get(launch=result.launch)
    assert plan.template.slug == "express-24h"
    assert not plan.steps.filter(code__in=["return-mass", "capsule-recovery"]).exists()


def test_an_express_order_for_a_payload_with_an_ltan_flies_its_plane(world):
    from datetime import time

    from booking.selectors.local_time import daily_launch_time

    world.payload.ltan = time(22, 30)
    world.payload.save(update_fields=["ltan"])
    readiness_templates()
    result = order(world)

    launch = result.launch
    assert launch.ltan == time(22, 30) and result.booking.launch == launch
    daily = daily_launch_time(
        site=launch.site,
        inclination_deg=launch.inclination_deg,
        ltan=time(22, 30),
        on=launch.window_start.date(),
    )
    assert launch.window_start == daily  # the plane's daily launch time, not the planner's hour
    assert NOW < launch.window_start <= NOW + timedelta(hours=48)
