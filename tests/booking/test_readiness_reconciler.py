"""The reconciler: late steps, holds and releases, GO, lost checks, and a pinned query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.errors import InvalidRequest
from booking.models import CheckRun, Event, Launch, Notification, PlanStep, ReadinessPlan
from booking.rules import readiness as readiness_rules
from booking.services import launches, readiness
from booking.workflows import launch_lifecycle
from tests.factories import (
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    PlatformReservationFactory,
    UserFactory,
    VehicleFactory,
    readiness_templates,
)
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _templates():
    readiness_templates()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def run_pass(django_capture_on_commit_callbacks):
    """One reconciler pass, with the checks it queues run (Celery is eager in tests)."""

    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return readiness.readiness_reconcile(now=now)

    return run


def planned_launch(
    name: str,
    *,
    t0: datetime,
    service_level: str = "express",
    status: str = Launch.Status.SCHEDULED,
    arrive_at: datetime | None = None,
    done_before: datetime = NOW,
) -> Launch:
    """A launch with its plan; steps due before ``done_before`` are already done (the past)."""
    site = LaunchSiteFactory.create(code="JSLC", name="Jiuquan")
    vehicle = VehicleFactory.create(status=Vehicle.Status.ASSIGNED)
    platform = MobilePlatformFactory.create(provider=vehicle.vehicle_model.provider)
    launch = LaunchFactory.create(
        name=name,
        vehicle_model=vehicle.vehicle_model,
        vehicle=vehicle,
        site=site,
        platform=platform,
        service_level=service_level,
        window_start=t0,
        window_end=t0 + timedelta(hours=2),
        net=t0,
    )
    if arrive_at is not None:
        PlatformReservationFactory.create(
            launch=launch,
            platform=platform,
            arrive_before=t0 - arrive_at,
            occupied_from=arrive_at - timedelta(hours=12),
        )
    # The plan was started long ago, with the template's full lead (no squeezing).
    with time_machine.travel(t0 - timedelta(days=365), tick=False):
        readiness.plan_start(launch=launch, actor=None)
    PlanStep.objects.filter(plan__launch=launch, due_at__lt=done_before).update(
        status=PlanStep.Status.DONE, completed_at=done_before, wake_at=None
    )
    if status != launch.status:
        Launch.objects.filter(pk=launch.pk).update(status=status)
        launch.refresh_from_db()
    return launch


def step_of(launch: Launch, code: str) -> PlanStep:
    return PlanStep.objects.get(plan__launch=launch, code=code)


def test_reconciler_stopped_for_an_hour_marks_exactly_the_late_steps_and_holds_the_right_launches(
    clock, run_pass
):
    # A: platform emplacement (manual, blocking) due in 10 minutes: nobody signs it off.
    a = planned_launch("A", t0=NOW + timedelta(hours=6, minutes=10))
    # B: the same step, signed off while the reconciler is down.
    b = planned_launch("B", t0=NOW + timedelta(hours=6, minutes=10))
    # C: road transport (automatic, grace 60 min) was due 50 minutes ago; the TEL is still driving.
    c = planned_launch(
        "C",
        t0=NOW + timedelta(hours=7, minutes=10),
        arrive_at=NOW + timedelta(hours=1, minutes=20),
        done_before=NOW - timedelta(hours=1),
    )
    # D: three days out, nothing due.
    d = planned_launch("D", t0=NOW + timedelta(days=3))
    # E: launched yesterday; its injection report (non-blocking, one day's grace) runs late.
    e = planned_launch(
        "E",
        t0=NOW - timedelta(days=2) + timedelta(minutes=20),
        service_level="standard",
        status=Launch.Status.LAUNCHED,
        done_before=NOW - timedelta(days=1),
    )

    first = run_pass()
    assert first.steps_late == []
    assert first.launches_held == []

    # The reconciler stops for an hour; people carry on.
    clock.move_to(NOW + timedelta(minutes=20))
    readiness.step_complete(step=step_of(b, "platform-emplaced"), actor=None, note="erected")
    clock.move_to(NOW + timedelta(hours=1))
    report = run_pass()

    expected_late = {
        step_of(a, "platform-emplaced").pk,
        step_of(c, "road-transport").pk,
        step_of(e, "injection-report").pk,
    }
    assert set(report.steps_late) == expected_late
    assert sorted(report.launches_held) == sorted([a.pk, c.pk])
    statuses = dict(
        Launch.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk, e.pk]).values_list("name", "status")
    )
    assert statuses == {"A": "hold", "B": "scheduled", "C": "hold", "D": "scheduled", "E": "launched"}
    assert set(PlanStep.objects.filter(status="late").values_list("pk", flat=True)) == expected_late
    late_events = Event.objects.filter(verb="readiness.step_late")
    assert sorted(late_events.values_list("subject_id", flat=True)) == sorted(expected_late)
    assert (
        Event.objects.get(verb="launch.status_changed", launch=a)
        .after["reason"]
        .startswith("readiness step “Platform emplaced, rocket erected, power-on checks” is late")
    )
    # The owners hear about it: operations for A and C, mission control for E.
    late_notes = Notification.objects.filter(reason="late")
    assert sorted(late_notes.values_list("step_id", "recipient_role")) == sorted(
        [
            (step_of(a, "platform-emplaced").pk, "operations"),
            (step_of(c, "road-transport").pk, "operations"),
            (step_of(e, "injection-report").pk, "mission_control"),
        ]
    )
    c_step = step_of(c, "road-transport")
    assert c_step.note.startswith("TEL-") and "arrives at Jiuquan at" in c_step.note
    assert Notification.objects.filter(reason="hold").count() == 2

    # A second pass straight away changes nothing and tells nobody twice.
    events_before = Event.objects.count()
    again = run_pass()
    assert again.steps_late == [] and again.launches_held == []
    assert Notification.objects.filter(reason="late").count() == 3
    assert Event.objects.count() == events_before

    # Clearing the step releases the hold at once; the TEL's arrival clears C on a later pass.
    readiness.step_complete(step=step_of(a, "platform-emplaced"), actor=None, note="erected late")
    assert Launch.objects.get(pk=a.pk).status == Launch.Status.SCHEDULED
    clock.move_to(NOW + timedelta(hours=1, minutes=25))
    run_pass()  # the check passes in its task, which releases the hold
    assert Launch.objects.get(pk=c.pk).status == Launch.Status.SCHEDULED
    assert step_of(c, "road-transport").status == PlanStep.Status.DONE
    assert Notification.objects.filter(reason="released").count() == 2


def test_failed_blocking_step_holds_and_waiving_it_releases(clock):
    launch = planned_launch("F", t0=NOW + timedelta(hours=5))
    step = step_of(launch, "payload-mated")
    with pytest.raises(InvalidRequest, match="Say why “Payload mated and encapsulated” is failed."):
        readiness.step_fail(step=step, actor=None, note=" ")
    readiness.step_fail(step=step, actor=None, note="separation connector damaged")
    launch.refresh_from_db()
    assert launch.status == Launch.Status.HOLD
    assert Notification.objects.filter(step=step, reason="failed", recipient_role="payload").exists()
    with pytest.raises(
        InvalidRequest, match="F cannot be released: readiness step “Payload mated and encapsulated” failed"
    ):
        launch_lifecycle.launch_release(launch=launch, actor=None)
    readiness.step_waive(step=step, actor=None, note="customer accepts the spare connector")
    launch.refresh_from_db()
    assert launch.status == Launch.Status.SCHEDULED
    verbs = list(Event.objects.filter(launch=launch).order_by("pk").values_list("verb", flat=True))
    assert verbs[-4:] == [
        "readiness.step_failed",
        "launch.status_changed",
        "readiness.step_waived",
        "launch.status_changed",
    ]


def test_a_hold_put_on_by_a_person_is_not_released_by_the_reconciler(clock, run_pass):
    launch = planned_launch("G", t0=NOW + timedelta(hours=5))
    operator = UserFactory(username="ops")
    launches.launch_hold(launch=launch, actor=operator, reason="customer asked to wait")
    report = run_pass()
    assert report.launches_released == []
    assert Launch.objects.get(pk=launch.pk).status == Launch.Status.HOLD
    launch_lifecycle.launch_release(launch=launch, actor=operator)
    assert Launch.objects.get(pk=launch.pk).status == Launch.Status.SCHEDULED


def test_go_no_go_waits_for_every_earlier_blocking_step(clock, run_pass, settings):
    settings.LAUNCHBOOK_WEATHER_SOURCE = "tests.reliability.weather_sources.always_go"
    launch = planned_launch("H", t0=NOW + timedelta(minutes=25), done_before=NOW - timedelta(hours=3))
    # Everything before the final checks is done; the payload is not mated yet (due 2 h ago, grace 30).
    PlanStep.objects.filter(plan__launch=launch, code="payload-mated").update(
        status="pending", completed_at=None, due_at=NOW + timedelta(minutes=5)
    )
    run_pass()
    go_step = step_of(launch, "go-no-go")
    assert go_step.status == PlanStep.Status.PENDING
    assert go_step.note == "waiting for “Payload mated and encapsulated”"
    with pytest.raises(
        InvalidRequest, match="cannot pass while earlier blocking steps are open: “Payload mated"
    ):
        readiness.step_complete(step=go_step, actor=None)
    readiness.step_complete(step=step_of(launch, "payload-mated"), actor=None)
    clock.move_to(NOW + timedelta(minutes=5))
    run_pass()
    assert step_of(launch, "go-no-go").status == PlanStep.Status.DONE
    assert Launch.objects.get(pk=launch.pk).status == Launch.Status.GO


def test_a_check_lost_with_its_worker_is_queued_again_and_recorded_once(clock, monkeypatch, run_pass):
    launch = planned_launch("I", t0=NOW + timedelta(hours=24, minutes=10), done_before=NOW)
    step = step_of(launch, "order-accepted")
    lost = []
    monkeypatch.setattr(readiness, "queue_checks", lost.extend)  # the broker loses the message
    assert run_pass().checks_queued == [(step.pk, 1)]
    clock.move_to(NOW + timedelta(seconds=30))
    assert run_pass().checks_queued == []  # attempt 1 may still be running
    clock.move_to(NOW + timedelta(seconds=50))  # no answer after 45 s: presumed lost
    assert run_pass().checks_queued == [(step.pk, 2)]
    clock.move_to(NOW + timedelta(seconds=50 + 80))  # the second wait is twice as long
    assert run_pass().checks_queued == []
    assert lost == [(step.pk, 1), (step.pk, 2)]

    run = readiness.step_check_run(step_id=step.pk, attempt=2)
    assert run is not None and run.result == CheckRun.Result.PASSED
    # The first message turns up after all: it steps aside.
    assert readiness.step_check_run(step_id=step.pk, attempt=1) is None
    assert readiness.step_check_run(step_id=step.pk, attempt=2) is None
    assert CheckRun.objects.filter(step=step).count() == 1
    assert Event.objects.filter(verb="readiness.step_done", subject_id=step.pk).count() == 1


def test_a_check_that_answers_not_yet_is_retried_after_the_regular_interval(clock, monkeypatch, run_pass):
    launch = planned_launch("I2", t0=NOW + timedelta(hours=24, minutes=10), done_before=NOW)
    step = step_of(launch, "order-accepted")
    Vehicle.objects.filter(pk=launch.vehicle_id).update(status=Vehicle.Status.READY_STORAGE)
    monkeypatch.setattr(readiness, "queue_checks", lambda pairs: None)
    assert run_pass().checks_queued == [(step.pk, 1)]
    run = readiness.step_check_run(step_id=step.pk, attempt=1)
    assert run is not None and run.result == CheckRun.Result.WAITING
    step.refresh_from_db()
    assert step.wake_at == NOW + readiness_rules.check_retry_interval(step)
    assert step.wake_at - NOW > readiness_rules.LOST_CHECK_AFTER


def test_a_slip_retimes_the_plan_and_clears_lateness(clock, run_pass):
    launch = planned_launch(
        "J", t0=NOW + timedelta(hours=5, minutes=50), done_before=NOW - timedelta(hours=1)
    )
    clock.move_to(NOW + timedelta(hours=1))
    assert run_pass().launches_held == [launch.pk]
    late = step_of(launch, "platform-emplaced")
    assert late.status == PlanStep.Status.LATE
    Launch.objects.filter(pk=launch.pk).update(
        window_start=launch.window_start + timedelta(hours=3),
        window_end=launch.window_end + timedelta(hours=3),
        net=launch.net + timedelta(hours=3),
    )
    launch.refresh_from_db()
    readiness.plan_follow_launch(launch=launch, actor=None)
    late.refresh_from_db()
    assert late.status == PlanStep.Status.PENDING
    assert late.due_at == launch.window_start - timedelta(hours=6)
    assert step_of(launch, "launch").due_at == launch.window_start
    assert Launch.objects.get(pk=launch.pk).status == Launch.Status.SCHEDULED
    assert Event.objects.filter(verb="readiness.plan_retimed", launch=launch).count() == 1


def test_the_query_count_of_a_pass_does_not_grow_with_the_number_of_plans(clock, monkeypatch, run_pass):
    monkeypatch.setattr(readiness, "queue_checks", lambda pairs: None)

    def world(count: int, offset: int) -> None:
        for index in range(count):
            # Each plan has one manual step going late and one automatic check due.
            planned_launch(
                f"Q{offset + index}",
                t0=NOW + timedelta(hours=6, minutes=20),
                done_before=NOW - timedelta(hours=2),
            )

    def measure() -> tuple[int, readiness.ReconcileReport]:
        with CaptureQueriesContext(connection) as queries:
            report = readiness.readiness_reconcile(now=NOW + timedelta(hours=1))
        return len(queries), report

    world(2, 0)
    small, small_report = measure()
    ReadinessPlan.objects.update(status=ReadinessPlan.Status.COMPLETED)
    world(8, 100)
    large, large_report = measure()
    assert len(small_report.launches_held) == 2 and len(large_report.launches_held) == 8
    assert len(large_report.checks_queued) == 8 and len(large_report.steps_late) == 16
    assert small == large
    # Of which the late steps' and the holds' notifications take a fixed handful each (their
    # steps, what was told already, the insert, the saved ids, the audience).
    assert large <= 21


def test_who_holds_a_launch_is_a_column_set_by_the_hold_and_cleared_by_the_release(clock, run_pass):
    launch = planned_launch("H", t0=NOW + timedelta(hours=5))
    step = step_of(launch, "payload-mated")
    readiness.step_fail(step=step, actor=None, note="separation connector damaged")
    assert Launch.objects.get(pk=launch.pk).held_by == Launch.HeldBy.READINESS
    readiness.step_waive(step=step, actor=None, note="customer accepts the spare connector")
    assert Launch.objects.get(pk=launch.pk).held_by == Launch.HeldBy.NOBODY

    operator = UserFactory(username="ops-h")
    launches.launch_hold(launch=launch, actor=operator, reason="customer asked to wait")
    assert Launch.objects.get(pk=launch.pk).held_by == Launch.HeldBy.OPERATOR
    launch_lifecycle.launch_release(launch=launch, actor=operator)
    assert Launch.objects.get(pk=launch.pk).held_by == Launch.HeldBy.NOBODY


def test_the_reconciler_reads_who_holds_a_launch_from_the_launch_not_from_the_audit_log(clock, run_pass):
    launch = planned_launch("I", t0=NOW + timedelta(hours=5))
    step = step_of(launch, "payload-mated")
    readiness.step_fail(step=step, actor=None, note="separation connector damaged")
    # The step is waived behind the services' back, and the audit log's hold events are gone:
    # the launch itself still says readiness holds it, so the next pass releases it.
    PlanStep.objects.filter(pk=step.pk).update(status=PlanStep.Status.WAIVED, wake_at=None)
    Event.objects.filter(launch=launch, verb="launch.status_changed").delete()
    report = run_pass()
    assert report.launches_released == [launch.pk]
    assert Launch.objects.get(pk=launch.pk).status == Launch.Status.SCHEDULED
