"""A 24-hour express order, from order to lift-off, driven by the readiness reconciler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from booking.models import Event, Launch, PlanStep, ReadinessPlan
from booking.services import readiness
from booking.workflows import launch_lifecycle
from tests.factories import (
    BookingFactory,
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    PlatformReservationFactory,
    VehicleFactory,
    readiness_templates,
)
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 11, 2, 0, tzinfo=UTC)  # window start; the simulated forecast is go then
ORDER_AT = T0 - timedelta(hours=24)
RECONCILER_EVERY = timedelta(minutes=5)


def express_launch() -> Launch:
    """An express launch as the express order leaves it: vehicle assigned, platform on its way."""
    site = LaunchSiteFactory.create(code="JSLC", name="Jiuquan")
    vehicle = VehicleFactory.create(status=Vehicle.Status.ASSIGNED, serial="Y7", storage_site=site)
    platform = MobilePlatformFactory.create(provider=vehicle.vehicle_model.provider, home_site=site)
    launch = LaunchFactory.create(
        name="Kuaizhou-1A Y7 express",
        vehicle_model=vehicle.vehicle_model,
        vehicle=vehicle,
        site=site,
        platform=platform,
        service_level=Launch.ServiceLevel.EXPRESS,
        window_start=T0,
        window_end=T0 + timedelta(hours=2),
        net=T0,
    )
    PlatformReservationFactory.create(launch=launch, platform=platform, arrive_before=timedelta(hours=9))
    BookingFactory.create(launch=launch, payload__mass_kg=Decimal("120.0"), mass_kg=Decimal("125.0"))
    return launch


def test_express_order_runs_to_liftoff_in_24_simulated_hours(django_capture_on_commit_callbacks):
    readiness_templates()
    people = {  # what people sign off, and when: inside each step's window, before it is due
        T0 - timedelta(hours=21): "vehicle-released",
        T0 - timedelta(hours=7): "platform-emplaced",
        T0 - timedelta(hours=4): "payload-mated",
    }
    statuses_seen = []
    with time_machine.travel(ORDER_AT, tick=False) as traveller:
        launch = express_launch()
        plan = readiness.plan_start(launch=launch, actor=None)
        assert plan.template.slug == "express-24h"

        now = ORDER_AT
        while now <= T0 + timedelta(hours=2):
            traveller.move_to(now)
            if now in people:
                step = PlanStep.objects.get(plan=plan, code=people[now])
                readiness.step_complete(step=step, actor=None, note="signed off on site")
            if now == T0:
                launch.refresh_from_db()
                assert launch.status == Launch.Status.GO, "the go/no-go poll should have sent it to GO"
                launch_lifecycle.launch_mark_launched(launch=launch, actor=None)
            with django_capture_on_commit_callbacks(execute=True):
                report = readiness.readiness_reconcile()
            assert not report.steps_late, f"nothing should be late at {now}: {report}"
            launch.refresh_from_db()
            statuses_seen.append(launch.status)
            now += RECONCILER_EVERY

    launch.refresh_from_db()
    plan.refresh_from_db()
    assert launch.status == Launch.Status.LAUNCHED
    assert plan.status == ReadinessPlan.Status.COMPLETED
    assert Event.objects.filter(verb="readiness.plan_completed", subject_id=plan.pk).count() == 1
    assert Launch.Status.HOLD not in statuses_seen
    # The launch went scheduled -> go -> launched, and nothing else.
    changes = list(
        Event.objects.filter(verb="launch.status_changed", launch=launch)
        .order_by("pk")
        .values_list("before__status", "after__status")
    )
    assert changes == [("scheduled", "go"), ("go", "launched")]

    steps = list(plan.steps.order_by("position"))
    assert [step.status for step in steps] == [PlanStep.Status.DONE] * 9
    done_times = [step.completed_at for step in steps]
    assert done_times == sorted(done_times), "every step is done in order"
    assert all(step.completed_at <= step.due_at + timedelta(minutes=step.grace_minutes) for step in steps)
    # One done Event per step, in the order of the plan.
    done_events = list(
        Event.objects.filter(verb="readiness.step_done", launch=launch)
        .order_by("pk")
        .values_list("after__code", flat=True)
    )
    assert done_events == [step.code for step in steps]
    # Automatic steps were completed by their checks, each passing once.
    for step in steps:
        if step.kind == "automatic":
            assert step.check_runs.filter(result="passed").count() == 1, step.code
    assert steps[0].note.endswith("Y7 assigned")
