"""A held booking's notification is written and its e-mail sent by a real Celery worker on Redis,
started as README says, not by the request that held it; a change whose task was lost is caught up."""

from __future__ import annotations

import email
from email.policy import default as default_policy

import pytest
import redis
from django.conf import settings

from booking.models import NotificationDelivery
from launchbook.celery import app
from tests.booking.test_notifications import hold
from tests.factories import MembershipFactory, UserFactory, engine_world
from tests.reliability.test_readiness_worker_crash import kill, wait_for
from tests.reliability.test_webhook_queue_worker import start_default_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_queued_notification_is_sent_by_the_worker(tmp_path, monkeypatch):
    app.conf.task_always_eager = False  # this test talks to a real broker (conftest restores it)
    outbox = tmp_path / "mail"
    outbox.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(outbox))
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery")
    worker = None
    try:
        world = engine_world()
        member = MembershipFactory(customer=world.customer, role="mission", user=UserFactory(username="fi"))
        world.members = {"mission": member}
        booking = hold(world)  # commits: the task that writes its notification waits on the broker
        # The quote and the hold wrote no notification and no webhook delivery: the worker does, one
        # task per change (the quote's is for webhooks only).
        assert not NotificationDelivery.objects.exists()
        assert broker.llen("celery") == 2

        log = tmp_path / "worker.log"
        worker = start_default_worker(log=log)
        wait_for(
            lambda: NotificationDelivery.objects.filter(status=NotificationDelivery.Status.SENT).exists(),
            timeout=90,
            what=f"the worker to write and send the notification (log: {log})",
        )
        assert NotificationDelivery.objects.count() == 1
        files = list(outbox.iterdir())
        assert len(files) == 1
        message = email.message_from_bytes(
            files[0].read_bytes().split(b"\n" + b"-" * 79)[0], policy=default_policy
        )
        assert message["To"] == "fi@example.test"
        assert booking.reference in str(message["Subject"])
        assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    finally:
        if worker is not None:
            kill(worker)
        broker.delete("celery")
