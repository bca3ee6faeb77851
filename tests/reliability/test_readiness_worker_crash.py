"""A real Celery worker on Redis is killed in the middle of a readiness check; nothing is lost or doubled."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from booking.models import CheckRun, Event, Launch, PlanStep
from booking.services import readiness
from booking.tasks import readiness_run_check
from launchbook.celery import app
from tests.factories import LaunchFactory, LaunchSiteFactory, VehicleFactory, readiness_templates
from vehicles.models import Vehicle

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def start_worker(
    *, queue: str, name: str, weather_seconds: float, marker_dir: Path, log: Path
) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "LAUNCHBOOK_WEATHER_SOURCE": "tests.reliability.weather_sources.slow_go",
        "LAUNCHBOOK_TEST_WEATHER_SECONDS": str(weather_seconds),
        "LAUNCHBOOK_TEST_MARKER_DIR": str(marker_dir),
        "PYTHONPATH": str(ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = env["DATABASE_URL"].replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "launchbook",
        "worker",
        "-Q",
        queue,
        "-n",
        f"{name}@%h",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL takes all of it
    )


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def express_launch_with_final_checks_due() -> PlanStep:
    readiness_templates()
    site = LaunchSiteFactory.create(code="JSLC", name="Jiuquan")
    vehicle = VehicleFactory.create(status=Vehicle.Status.ASSIGNED)
    t0 = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    launch = LaunchFactory.create(
        name="Crash test express",
        vehicle_model=vehicle.vehicle_model,
        vehicle=vehicle,
        site=site,
        service_level=Launch.ServiceLevel.EXPRESS,
        window_start=t0,
        window_end=t0 + timedelta(hours=2),
        net=t0,
    )
    with time_machine.travel(t0 - timedelta(days=2), tick=False):  # started with its full 24-hour lead
        readiness.plan_start(launch=launch, actor=None)
    # Everything due before now is done; the final checks (weather and range) are under way.
    PlanStep.objects.filter(plan__launch=launch, due_at__lt=timezone.now()).update(
        status="done", wake_at=None
    )
    return PlanStep.objects.get(plan__launch=launch, code="final-checks")


def test_a_worker_killed_mid_check_loses_nothing_and_the_step_completes_exactly_once(tmp_path, monkeypatch):
    queue = f"readiness-crash-{uuid.uuid4().hex[:10]}"
    markers = tmp_path / "markers"
    markers.mkdir()
    log = tmp_path / "worker.log"
    app.conf.task_always_eager = False  # this test talks to a real broker (conftest restores it)
    monkeypatch.setattr(
        readiness,
        "queue_checks",
        lambda pairs: [readiness_run_check.apply_async(args=list(pair), queue=queue) for pair in pairs],
    )
    step = express_launch_with_final_checks_due()
    workers: list[subprocess.Popen] = []
    try:
        first = start_worker(queue=queue, name="first", weather_seconds=60, marker_dir=markers, log=log)
        workers.append(first)
        # The reconciler queues the due check on the real broker.
        report = readiness.readiness_reconcile()
        assert report.checks_queued == [(step.pk, 1)]

        wait_for(lambda: list(markers.iterdir()), timeout=90, what="the first worker to start the check")
        kill(first)  # SIGKILL in the middle of the check
        assert first.returncode == -signal.SIGKILL
        assert not CheckRun.objects.filter(step=step).exists()
        step.refresh_from_db()
        assert step.status == PlanStep.Status.PENDING

        # The message was never acknowledged: once the visibility timeout passes the broker hands
        # it out again. Shorten that wait to now instead of an hour.
        with Connection(settings.REDIS_URL, transport_options={"visibility_timeout": 0}) as conn:
            conn.default_channel.qos.restore_visible(num=100)

        second = start_worker(queue=queue, name="second", weather_seconds=0.5, marker_dir=markers, log=log)
        workers.append(second)
        wait_for(
            lambda: CheckRun.objects.filter(step=step).exists(),
            timeout=90,
            what="the second worker to record the check",
        )
        # A late duplicate of the same message is a no-op.
        readiness_run_check.apply_async(args=[step.pk, 1], queue=queue)
        wait_for(lambda: "'skipped'" in log.read_text(errors="replace"), timeout=60, what="the duplicate")

        runs = list(CheckRun.objects.filter(step=step).values_list("attempt", "result"))
        assert runs == [(1, CheckRun.Result.PASSED)]
        assert Event.objects.filter(verb="readiness.step_done", subject_id=step.pk).count() == 1
        step.refresh_from_db()
        assert step.status == PlanStep.Status.DONE
        assert step.note.startswith("range open; clear over Jiuquan")
        # The next reconciler pass finds nothing left to do for it.
        later = readiness.readiness_reconcile(now=timezone.now() + timedelta(minutes=10))
        assert step.pk not in [step_id for step_id, _ in later.checks_queued]
    finally:
        for worker in workers:
            kill(worker)
        with Connection(settings.REDIS_URL) as conn:
            channel = conn.default_channel
            channel.queue_delete(queue)
            channel.client.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
