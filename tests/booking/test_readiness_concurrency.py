"""Two reconcilers at once (PostgreSQL, two threads) never do the same work twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from booking.models import Event, Launch, Notification, PlanStep
from booking.services import readiness
from tests.factories import LaunchFactory, LaunchSiteFactory, VehicleFactory, readiness_templates
from tests.reliability.racing import in_background, race
from vehicles.models import Vehicle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2027, 5, 4, 9, 0, tzinfo=UTC)
PASS_AT = NOW + timedelta(hours=1)


def due_launches(count: int, prefix: str) -> list[Launch]:
    """Launches whose road transport and platform emplacement both run late at PASS_AT."""
    readiness_templates()
    site = LaunchSiteFactory.create(code="JSLC", name="Jiuquan")
    result = []
    for index in range(count):
        vehicle = VehicleFactory.create(status=Vehicle.Status.ASSIGNED)
        t0 = NOW + timedelta(hours=6, minutes=20)
        launch = LaunchFactory.create(
            name=f"{prefix}{index}",
            vehicle_model=vehicle.vehicle_model,
            vehicle=vehicle,
            site=site,
            service_level="express",
            window_start=t0,
            window_end=t0 + timedelta(hours=2),
            net=t0,
        )
        readiness.plan_start(launch=launch, actor=None)
        PlanStep.objects.filter(plan__launch=launch, due_at__lt=NOW - timedelta(hours=2)).update(
            status="done", wake_at=None
        )
        result.append(launch)
    return result


def test_a_reconciler_skips_the_launches_another_one_holds(monkeypatch):
    launches = due_launches(12, "L")
    queued = []
    monkeypatch.setattr(readiness, "queue_checks", queued.extend)
    claimed_by_first = threading.Event()
    second_done = threading.Event()
    real_claim = readiness._claim_launches
    first_thread = []

    def claim_then_wait(now):
        rows = real_claim(now)
        if not first_thread:
            first_thread.append(threading.current_thread().name)
            claimed_by_first.set()
            # Hold the locks until the other reconciler has finished its whole pass.
            assert second_done.wait(timeout=20)
        return rows

    monkeypatch.setattr(readiness, "_claim_launches", claim_then_wait)
    first = in_background(lambda: readiness.readiness_reconcile(now=PASS_AT), name="first")
    assert claimed_by_first.wait(timeout=20)

    def second_pass():
        try:
            return readiness.readiness_reconcile(now=PASS_AT)
        finally:
            second_done.set()

    second = in_background(second_pass, name="second")
    results = {"second": second.outcome(timeout_s=30), "first": first.outcome(timeout_s=30)}
    assert not isinstance(results["first"], BaseException), results["first"]
    assert not isinstance(results["second"], BaseException), results["second"]

    assert sorted(results["first"].launches_claimed) == sorted(launch.pk for launch in launches)
    assert results["second"].launches_claimed == []
    assert len(results["first"].steps_late) == 24
    assert Event.objects.filter(verb="readiness.step_late").count() == 24
    assert Launch.objects.filter(status="hold").count() == 12
    assert Event.objects.filter(verb="launch.status_changed").count() == 12
    assert len(queued) == 12


def test_two_reconcilers_racing_over_many_launches_share_the_work(monkeypatch):
    due_launches(40, "R")
    queued = []
    lock = threading.Lock()

    def collect(pairs):
        with lock:
            queued.extend(pairs)

    monkeypatch.setattr(readiness, "queue_checks", collect)
    reports = []
    for _ in range(3):  # three passes, the two reconcilers released together for each
        passes = race([lambda: readiness.readiness_reconcile(now=PASS_AT)] * 2)
        for report in passes:
            assert not isinstance(report, BaseException), report
        reports += passes

    late = [step for report in reports for step in report.steps_late]
    held = [launch for report in reports for launch in report.launches_held]
    assert len(late) == len(set(late)) == 80
    assert len(held) == len(set(held)) == 40
    assert len(queued) == len(set(queued)) == 40
    assert Event.objects.filter(verb="readiness.step_late").count() == 80
    assert Event.objects.filter(verb="launch.status_changed").count() == 40
    assert Notification.objects.filter(reason="late").count() == 80
    per_step = Counter(Event.objects.filter(verb="readiness.step_late").values_list("subject_id", flat=True))
    assert set(per_step.values()) == {1}
