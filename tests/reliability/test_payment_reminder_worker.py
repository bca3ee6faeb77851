"""The payment reminder beat task, queued on Redis as beat queues it, is run by a real Celery
worker: the finance members are mailed once, naming the invoice; a second run mails nobody."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from booking import tasks
from booking.models import Notification, NotificationDelivery
from booking.services.invoices import invoice_issue
from launchbook.celery import app
from tests.customers.factories import PaymentMilestoneFactory
from tests.factories import MembershipFactory, UserFactory, engine_world
from tests.reliability.test_readiness_worker_crash import kill, wait_for
from tests.reliability.test_webhook_queue_worker import start_default_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_beat_schedule_runs_the_reminders():
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "booking.tasks.payment_reminders_notify" in schedule


def test_the_worker_sends_each_payment_reminder_once(tmp_path, monkeypatch):
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
        MembershipFactory(customer=world.customer, role="finance", user=UserFactory(username="fi"))
        milestone = PaymentMilestoneFactory(
            contract=world.contract,
            label="Deposit LB-WORKER",
            amount=Decimal("1000.00"),
            due_at=timezone.now() + timedelta(days=1),
        )
        invoice = invoice_issue(milestone=milestone, actor=None)
        tasks.payment_reminders_notify.delay()
        tasks.payment_reminders_notify.delay()  # beat fires again before the first is done
        assert broker.llen("celery") == 2

        log = tmp_path / "worker.log"
        worker = start_default_worker(log=log)
        wait_for(
            lambda: (
                NotificationDelivery.objects.filter(
                    notification__reason="payment_due", status=NotificationDelivery.Status.SENT
                ).exists()
                and broker.llen("celery") == 0
            ),
            timeout=90,
            what=f"the worker to send the reminder (log: {log})",
        )
        note = Notification.objects.get(reason="payment_due")
        assert note.details["invoice"] == invoice.number
        assert NotificationDelivery.objects.filter(notification=note).count() == 1
        files = list(outbox.iterdir())
        assert len(files) == 1
        assert invoice.number in files[0].read_text()
    finally:
        if worker is not None:
            kill(worker)
        broker.delete("celery")
