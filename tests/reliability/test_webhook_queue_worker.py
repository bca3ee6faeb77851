"""A webhook send goes to its own queue on Redis, and the default worker command consumes it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from booking.models import WebhookDelivery
from booking.tasks import webhook_deliver
from launchbook.celery import app
from tests.api.test_webhook_limits import due_delivery
from tests.api.test_webhooks import Receiver
from tests.reliability.test_readiness_worker_crash import kill, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def start_default_worker(*, log: Path) -> subprocess.Popen:
    """``celery -A launchbook worker`` as README and scripts/run.sh start it: no -Q."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS": "1",  # the receiver is on 127.0.0.1
        "PYTHONPATH": str(ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "launchbook", "worker", "--loglevel", "INFO"]
    # Lighter for the test, and nothing to do with which queues are consumed:
    command += ["--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def test_a_send_waits_on_the_webhooks_queue_and_the_default_worker_sends_it(tmp_path):
    app.conf.task_always_eager = False  # this test talks to a real broker (conftest restores it)
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("webhooks")
    receiver = Receiver()
    worker = None
    try:
        delivery = due_delivery(receiver.url)
        default_before = broker.llen("celery")
        webhook_deliver.delay(delivery.pk)
        # On the broker, in the webhooks queue, not the default one.
        assert broker.llen("webhooks") == 1
        assert broker.llen("celery") == default_before

        log = tmp_path / "worker.log"
        worker = start_default_worker(log=log)
        wait_for(
            lambda: WebhookDelivery.objects.filter(
                pk=delivery.pk, status=WebhookDelivery.Status.DELIVERED
            ).exists(),
            timeout=90,
            what=f"the worker to send the delivery (log: {log})",
        )
        assert len(receiver.requests) == 1
        assert receiver.requests[0]["headers"]["Launchbook-Delivery"] == str(delivery.pk)
        assert broker.llen("webhooks") == 0
        text = log.read_text(errors="replace")
        assert "webhooks" in text and "celery" in text  # the worker's banner lists both queues
    finally:
        if worker is not None:
            kill(worker)
        receiver.close()
        broker.delete("webhooks")
