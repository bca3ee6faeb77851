"""An express order placed through the real service runs to lift-off, driven by the reconciler.

The order lands a window at the express template's minimum chain from the order (both TELs wait
at the site), so the 24-hour express plan is laid out to that chain, no step below its minimum:
nothing is late when the plan starts, every step still runs in order, and the launch goes GO and
then launched.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from booking.errors import InvalidRequest
from booking.models import Event, Launch, PlanStep, ReadinessPlan
from booking.readiness_templates import minimum_chain_minutes
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


def test_an_express_plan_is_laid_out_to_its_template_minimum_chain_in_order(world):
    """The order lands the window at the shortest lead the readiness work allows (the express
    template's minimum chain, longer than the TELs' six hours of set-up), and no step before T-0
    is due sooner than its minimum duration after the steps before it."""
    with time_machine.travel(NOW, tick=False):
        launch = order_express_launch(customer=world.customer, payload=world.payload, actor=world.user).launch
    plan = ReadinessPlan.objects.get(launch=launch)
    template = {ts.code: ts for ts in plan.template.steps.all()}
    chain = minimum_chain_minutes(list(template.values()))
    assert chain > 6 * 60
    assert launch.window_start - NOW == timedelta(minutes=chain)
    steps = list(PlanStep.objects.filter(plan=plan).order_by("position"))
    first = steps[0]
    assert first.code == "order-accepted"
    # Its work starts at the order and takes its minimum: the plan's first due time.
    first_minimum = timedelta(minutes=template[first.code].min_duration_minutes)
    assert launch.window_start + timedelta(minutes=first.offset_minutes) == NOW + first_minimum
    for step in steps:
        original = template[step.code]
        if original.offset_minutes > 0:  # after T-0: as the template has it
            assert step.offset_minutes == original.offset_minutes
            continue
        assert step.offset_minutes <= 0
        assert step.offset_minutes + chain >= original.min_duration_minutes  # from the order
        for earlier in steps:
            if template[earlier.code].offset_minutes < original.offset_minutes:
                # Order kept, and never below the time the step's work takes.
                assert step.offset_minutes - earlier.offset_minutes >= original.min_duration_minutes, (
                    step.code,
                    earlier.code,
                )
    assert [s.due_at for s in steps] == sorted(s.due_at for s in steps)


def test_a_plan_started_with_less_lead_than_its_template_minimum_chain_is_refused(world):
    with time_machine.travel(NOW, tick=False):
        launch = order_express_launch(customer=world.customer, payload=world.payload, actor=world.user).launch
    plan = ReadinessPlan.objects.get(launch=launch)
    chain = minimum_chain_minutes(list(plan.template.steps.all()))
    plan.status = ReadinessPlan.Status.CANCELLED
    plan.save(update_fields=["status"])
    # Six hours from the order, the old squeezed lead: less than the chain, refused with the
    # shortest lead the work allows; the cancelled plan stays as it was.
    Launch.objects.filter(pk=launch.pk).update(
        window_start=NOW + timedelta(hours=6), window_end=NOW + timedelta(hours=8)
    )
    launch.refresh_from_db()
    with pytest.raises(InvalidRequest) as refused:
        readiness.plan_start(launch=launch, actor=None, template=plan.template, ordered_at=NOW)
    assert str(refused.value) == (
        f"Cannot start the {plan.template.name} plan for {launch.name}: the readiness steps need at "
        f"least {chain // 60} h {chain % 60:02d} min from order to lift-off; this order leaves 6 h 00 min."
    )
    assert list(ReadinessPlan.objects.filter(launch=launch).values_list("pk", "status")) == [
        (plan.pk, ReadinessPlan.Status.CANCELLED)
    ]
    # With the whole chain of lead, the same plan starts.
    Launch.objects.filter(pk=launch.pk).update(
        window_start=NOW + timedelta(minutes=chain), window_end=NOW + timedelta(minutes=chain + 120)
    )
    launch.refresh_from_db()
    started = readiness.plan_start(launch=launch, actor=None, template=plan.template, ordered_at=NOW)
    assert started.status == ReadinessPlan.Status.ACTIVE
