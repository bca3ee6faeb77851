"""Readiness plans and steps, launch status changes, tasks and the customer's read-only view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from booking.errors import Conflict, InvalidRequest
from booking.models import CheckRun, Event, Launch, PlanStep, ReadinessPlan, ReadinessTemplate, TemplateStep
from booking.readiness_templates import SHIPPED_TEMPLATES
from booking.selectors.readiness import plan_for_customer
from booking.services import launches, readiness
from booking.tasks import readiness_reconcile, readiness_run_check
from booking.workflows import launch_lifecycle
from tests.factories import (
    BookingFactory,
    CustomerFactory,
    LaunchFactory,
    VehicleFactory,
    readiness_templates,
)
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _world():
    readiness_templates()
    with time_machine.travel(NOW, tick=False):
        yield


def launch_at(t0: datetime, **kwargs) -> Launch:
    return LaunchFactory.create(window_start=t0, window_end=t0 + timedelta(hours=2), net=t0, **kwargs)


# --- templates -------------------------------------------------------------------------------


def test_the_shipped_templates_hold_the_steps_of_a_launch_campaign():
    express = ReadinessTemplate.objects.get(slug="express-24h")
    codes = list(express.steps.order_by("position").values_list("code", flat=True))
    assert codes == [
        "order-accepted",
        "vehicle-released",
        "road-transport",
        "platform-emplaced",
        "payload-mated",
        "final-checks",
        "go-no-go",
        "launch",
        "orbit-confirmation",
    ]
    offsets = dict(express.steps.values_list("code", "offset_minutes"))
    assert (
        offsets["order-accepted"] == -24 * 60
        and offsets["launch"] == 0
        and offsets["orbit-confirmation"] == 60
    )
    cargo_codes = set(
        ReadinessTemplate.objects.get(slug="cargo-mission").steps.values_list("code", flat=True)
    )
    assert {"up-mass", "return-mass", "waste-deorbit", "capsule-recovery"} <= cargo_codes
    standard = ReadinessTemplate.objects.get(slug="standard-campaign")
    assert standard.steps.order_by("position").first().offset_minutes == -180 * 24 * 60
    # Every automatic step names a check that exists; offsets rise with the position.
    for spec in SHIPPED_TEMPLATES:
        steps = list(TemplateStep.objects.filter(template__slug=spec.slug).order_by("position"))
        assert [s.offset_minutes for s in steps] == sorted(s.offset_minutes for s in steps)
        for step in steps:
            if step.kind == "automatic":
                assert step.check_name in readiness.checks.CHECKS, step.code


def test_installing_again_restores_an_edited_template():
    step = TemplateStep.objects.get(template__slug="express-24h", code="payload-mated")
    step.grace_minutes = 999
    step.save()
    readiness_templates()
    step.refresh_from_db()
    assert step.grace_minutes == 30


# --- plans -----------------------------------------------------------------------------------


def test_plan_start_picks_the_template_from_the_launch():
    express = launch_at(NOW + timedelta(hours=24), service_level="express")
    standard = launch_at(NOW + timedelta(days=200))
    cargo = launch_at(NOW + timedelta(days=210))
    BookingFactory(launch=cargo, payload__returnable=True)
    explicit = launch_at(NOW + timedelta(days=220))
    assert readiness.plan_start(launch=express, actor=None).template.slug == "express-24h"
    assert readiness.plan_start(launch=standard, actor=None).template.slug == "standard-campaign"
    assert readiness.plan_start(launch=cargo, actor=None).template.slug == "cargo-mission"
    cargo_template = ReadinessTemplate.objects.get(slug="cargo-mission")
    assert (
        readiness.plan_start(launch=explicit, actor=None, template=cargo_template).template == cargo_template
    )


def test_plan_steps_are_due_at_the_window_start_plus_their_offset():
    launch = launch_at(NOW + timedelta(hours=24), service_level="express")
    plan = readiness.plan_start(launch=launch, actor=None)
    for step in plan.steps.all():
        assert step.due_at == launch.window_start + timedelta(minutes=step.offset_minutes)
        assert step.status == PlanStep.Status.PENDING
    event = Event.objects.get(verb="readiness.plan_started", launch=launch)
    assert event.after == {"template": "express-24h", "steps": 9}


def test_a_launch_has_one_plan_and_a_cancelled_plan_can_be_replaced():
    launch = launch_at(NOW + timedelta(hours=24), service_level="express", name="Y9 express")
    readiness.plan_start(launch=launch, actor=None)
    with pytest.raises(
        InvalidRequest, match=r"^Y9 express already has a readiness plan \(Express 24-hour, active\)\.$"
    ):
        readiness.plan_start(launch=launch, actor=None)
    readiness.plan_cancel(launch=launch, actor=None)
    assert readiness.plan_start(launch=launch, actor=None).status == ReadinessPlan.Status.ACTIVE


def test_a_switched_off_template_is_refused_in_words():
    ReadinessTemplate.objects.filter(slug="express-24h").update(active=False)
    launch = launch_at(NOW + timedelta(hours=24), service_level="express", name="Y10 express")
    with pytest.raises(
        InvalidRequest, match="The readiness template “express-24h” for Y10 express is switched off"
    ):
        readiness.plan_start(launch=launch, actor=None)


def test_a_deleted_shipped_template_comes_back_when_needed():
    ReadinessTemplate.objects.filter(slug="standard-campaign").delete()
    plan = readiness.plan_start(launch=launch_at(NOW + timedelta(days=100)), actor=None)
    assert plan.template.slug == "standard-campaign" and plan.steps.count() == 15


def test_restoring_a_deleted_template_leaves_the_others_as_operators_left_them():
    ReadinessTemplate.objects.filter(slug="cargo-mission").delete()
    ReadinessTemplate.objects.filter(slug="express-24h").update(active=False)
    TemplateStep.objects.filter(template__slug="standard-campaign", code="icd").update(grace_minutes=1)
    assert readiness.template_for(service_level="standard", returnable=True).slug == "cargo-mission"
    assert not ReadinessTemplate.objects.get(slug="express-24h").active
    assert TemplateStep.objects.get(template__slug="standard-campaign", code="icd").grace_minutes == 1


def test_a_cancelled_plan_is_left_alone_by_queued_checks_and_the_reconciler():
    launch = launch_at(NOW + timedelta(hours=24, minutes=5), service_level="express")
    plan = readiness.plan_start(launch=launch, actor=None)
    step = plan.steps.get(code="order-accepted")
    PlanStep.objects.filter(pk=step.pk).update(check_attempts=1)
    readiness.plan_cancel(launch=launch, actor=None)
    assert readiness_run_check.delay(step.pk, 1).get() == "skipped"
    assert not CheckRun.objects.exists()
    assert readiness.readiness_reconcile().launches_claimed == []
    assert Event.objects.filter(verb="readiness.plan_cancelled", launch=launch).count() == 1


# --- steps -----------------------------------------------------------------------------------


def test_step_changes_write_events_and_refuse_in_words():
    launch = launch_at(NOW + timedelta(hours=24), service_level="express", name="Y11 express")
    plan = readiness.plan_start(launch=launch, actor=None)
    released = plan.steps.get(code="vehicle-released")
    readiness.step_complete(step=released, actor=None, note="on the TEL")
    event = Event.objects.get(verb="readiness.step_done", subject_id=released.pk)
    assert event.before == {"status": "pending"} and event.after["status"] == "done"
    assert (
        event.message
        == "Y11 express: “Vehicle released from storage and loaded on the TEL” done (on the TEL)"
    )
    with pytest.raises(
        InvalidRequest,
        match="^“Vehicle released from storage and loaded on the TEL” cannot fail: it is done.$",
    ):
        readiness.step_fail(step=released, actor=None, note="dropped")
    with pytest.raises(InvalidRequest, match="^Say why “Payload mated and encapsulated” is waived.$"):
        readiness.step_waive(step=plan.steps.get(code="payload-mated"), actor=None)
    with pytest.raises(
        InvalidRequest, match="^“Launch” is signed off by marking Y11 express launched, not by hand.$"
    ):
        readiness.step_complete(step=plan.steps.get(code="launch"), actor=None)
    readiness.step_waive(
        step=plan.steps.get(code="payload-mated"), actor=None, note="no payload: test flight"
    )
    assert Event.objects.filter(verb="readiness.step_waived").count() == 1


# --- launch status changes -------------------------------------------------------------------


def test_launch_status_changes_follow_the_allowed_transitions():
    vehicle = VehicleFactory(status=Vehicle.Status.ASSIGNED)
    launch = launch_at(
        NOW + timedelta(days=1), name="K-1", vehicle=vehicle, vehicle_model=vehicle.vehicle_model
    )
    with pytest.raises(
        Conflict,
        match="^K-1 cannot be marked launched: it is scheduled, and only a launch that is go for launch can.$",
    ):
        launch_lifecycle.launch_mark_launched(launch=launch, actor=None)
    with pytest.raises(InvalidRequest, match="^Say why K-1 is put on hold.$"):
        launches.launch_hold(launch=launch, actor=None, reason="")
    launches.launch_hold(launch=launch, actor=None, reason="range closed")
    with pytest.raises(
        Conflict,
        match="^K-1 cannot go for launch: it is on hold, and only a launch that is scheduled can.$",
    ):
        launch_lifecycle.launch_go(launch=launch, actor=None)
    launch_lifecycle.launch_release(launch=launch, actor=None)
    launch_lifecycle.launch_go(launch=launch, actor=None)
    launch_lifecycle.launch_mark_launched(launch=launch, actor=None)
    with pytest.raises(
        InvalidRequest,
        match="^'exploded' is not a launch outcome; choose one of success, partial_failure, failure.$",
    ):
        launch_lifecycle.launch_record_outcome(launch=launch, outcome="exploded", actor=None)
    launch_lifecycle.launch_record_outcome(launch=launch, outcome="failure", actor=None)
    launch.refresh_from_db()
    vehicle.refresh_from_db()
    assert launch.status == Launch.Status.FAILURE
    assert vehicle.status == Vehicle.Status.LOST
    changes = list(
        Event.objects.filter(verb="launch.status_changed", launch=launch)
        .order_by("pk")
        .values_list("before__status", "after__status")
    )
    assert changes == [
        ("scheduled", "hold"),
        ("hold", "scheduled"),
        ("scheduled", "go"),
        ("go", "launched"),
        ("launched", "failure"),
    ]


def test_a_successful_flight_flies_the_vehicle_and_a_failed_one_fails_the_open_steps():
    vehicle = VehicleFactory(status=Vehicle.Status.ASSIGNED)
    launch = launch_at(
        NOW + timedelta(minutes=5),
        service_level="express",
        vehicle=vehicle,
        vehicle_model=vehicle.vehicle_model,
    )
    # Ordered the express chain ahead of its window (the plan's lead runs from the order).
    plan = readiness.plan_start(launch=launch, actor=None, ordered_at=NOW - timedelta(hours=8))
    Launch.objects.filter(pk=launch.pk).update(status=Launch.Status.GO)
    launch_lifecycle.launch_mark_launched(launch=launch, actor=None)
    assert plan.steps.get(code="launch").status == PlanStep.Status.DONE
    launch_lifecycle.launch_record_outcome(launch=launch, outcome="failure", actor=None)
    plan.refresh_from_db()
    assert plan.status == ReadinessPlan.Status.COMPLETED
    assert plan.steps.get(code="orbit-confirmation").status == PlanStep.Status.FAILED

    other = VehicleFactory(status=Vehicle.Status.ASSIGNED)
    second = launch_at(
        NOW + timedelta(days=2), vehicle=other, vehicle_model=other.vehicle_model, status="launched"
    )
    launch_lifecycle.launch_record_outcome(launch=second, outcome="success", actor=None)
    other.refresh_from_db()
    assert other.status == Vehicle.Status.FLOWN


def test_go_is_refused_while_readiness_holds_a_step():
    launch = launch_at(NOW + timedelta(hours=5), service_level="express", name="K-2")
    plan = readiness.plan_start(launch=launch, actor=None, ordered_at=NOW - timedelta(hours=3))
    readiness.step_fail(step=plan.steps.get(code="payload-mated"), actor=None, note="adapter cracked")
    Launch.objects.filter(pk=launch.pk).update(status=Launch.Status.SCHEDULED)  # someone forced it back
    with pytest.raises(
        InvalidRequest,
        match="^K-2 cannot go: readiness step “Payload mated and encapsulated” failed: adapter cracked.$",
    ):
        launch_lifecycle.launch_go(launch=launch, actor=None)


# --- tasks and selectors ---------------------------------------------------------------------


def test_the_reconcile_task_reports_what_it_did():
    assert readiness_reconcile.delay().get()["launches_claimed"] == 0


def test_a_customer_sees_only_the_plans_of_launches_they_booked():
    launch = launch_at(NOW + timedelta(hours=24), service_level="express")
    readiness.plan_start(launch=launch, actor=None)
    booking = BookingFactory(launch=launch)
    stranger = CustomerFactory()
    plan = plan_for_customer(booking.customer, launch)
    assert plan is not None and [step.position for step in plan.steps.all()] == list(range(1, 10))
    assert plan_for_customer(stranger, launch) is None
    booking.status = "cancelled"
    booking.save()
    assert plan_for_customer(booking.customer, launch) is None
