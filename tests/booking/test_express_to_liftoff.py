"""An express order placed through the real service runs to lift-off, driven by the reconciler.

The order lands a window six hours out (both TELs wait at the site), so the 24-hour express plan
is squeezed into those six hours: nothing is late when the plan starts, every step still runs in
order, and the launch goes GO and then launched.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from booking.models import Event, Launch, PlanStep, ReadinessPlan
from booking.services import readiness
from booking.workflows import launch_lifecycle
from booking.workflows.express import order_express_launch
from tests.booking import test_express

pytestmark = pytest.mark.django_db
NOW = test_express.NOW
world = test_express.world  # the express world fixture: two TELs and three rockets at Jiuquan
RECONCILER_EVERY = timedelta(minutes=5)


def test_an_express_order_runs_from_order_to_liftoff_with_the_reconciler(
    world, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False) as traveller:
        order = order_express_launch(customer=world.customer, payload=world.payload, actor=world.user)
        launch = order.launch
        plan = ReadinessPlan.objects.get(launch=launch)
        assert plan.template.slug == "express-24h"
        steps = list(plan.steps.order_by("position"))
        assert all(step.due_at >= NOW for step in steps), "nothing is due before the order"
        assert [s.due_at for s in steps] == sorted(s.due_at for s in steps)

        now = NOW
        statuses = []
        while now <= launch.window_start + timedelta(hours=2):
            traveller.move_to(now)
            for step in PlanStep.objects.filter(plan=plan, kind="manual", status="pending").exclude(
                code="launch"
            ):
                if step.due_at - timedelta(minutes=10) <= now:
                    readiness.step_complete(step=step, actor=world.user, note="signed off on site")
            launch.refresh_from_db()
            if now >= launch.window_start and launch.status == Launch.Status.GO:
                launch_lifecycle.launch_mark_launched(launch=launch, actor=world.user)
            with django_capture_on_commit_callbacks(execute=True):
                report = readiness.readiness_reconcile()
            assert not report.steps_late, f"nothing should be late at {now}: {report}"
            launch.refresh_from_db()
            statuses.append(launch.status)
            now += RECONCILER_EVERY

    launch.refresh_from_db()
    plan.refresh_from_db()
    assert launch.status == Launch.Status.LAUNCHED
    assert plan.status == ReadinessPlan.Status.COMPLETED
    assert Launch.Status.HOLD not in statuses
    assert Launch.Status.GO in statuses
    done = list(plan.steps.order_by("position"))
    assert {step.status for step in done} == {PlanStep.Status.DONE}
    completed = [step.completed_at for step in done]
    assert completed == sorted(completed), "every step is done in order"
    changes = list(
        Event.objects.filter(verb="launch.status_changed", launch=launch)
        .order_by("pk")
        .values_list("before__status", "after__status")
    )
    assert changes == [("scheduled", "go"), ("go", "launched")]


def test_a_plan_started_with_less_lead_than_its_template_is_squeezed_in_order(world):
    with time_machine.travel(NOW, tick=False):
        launch = order_express_launch(customer=world.customer, payload=world.payload, actor=world.user).launch
    steps = list(PlanStep.objects.filter(plan__launch=launch).order_by("position"))
    lead = launch.window_start - NOW
    assert lead == timedelta(hours=6)
    first = steps[0]
    assert first.code == "order-accepted"
    assert launch.window_start + timedelta(minutes=first.offset_minutes) == NOW
    # Steps after T-0 keep their offsets; the ones before keep their order and proportions.
    template = {ts.code: ts for ts in ReadinessPlan.objects.get(launch=launch).template.steps.all()}
    for step in steps:
        original = template[step.code].offset_minutes
        if original >= 0:
            assert step.offset_minutes == original
        else:
            assert step.offset_minutes == -((-original * 6) // 24)
