"""Review fixes in webhooks: bulk-written events are published, private hosts are refused
(SSRF), and a delivery is claimed before it is sent, so it is sent once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from booking.models import PlanStep, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booking.services import readiness, webhooks
from booking.services.events import event_record
from booking.services.launches import launch_hold
from tests.api.test_webhooks import Receiver
from tests.factories import (
    BookingFactory,
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    UserFactory,
    VehicleFactory,
    WebhookEndpointFactory,
    readiness_templates,
)
from vehicles.models import Vehicle

NOW = datetime(2027, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def posted_types(receiver: Receiver) -> list[str]:
    return [r["headers"]["Launchbook-Event"] for r in receiver.requests]


# --- 3. events written in bulk reach the webhooks too --------------------------------------------


@pytest.mark.django_db
def test_a_launch_hold_is_sent_to_the_booked_customers_endpoint(receiver, django_capture_on_commit_callbacks):
    booking = BookingFactory()
    WebhookEndpointFactory(customer=booking.customer, url=receiver.url, event_types=["launch.*"])
    with django_capture_on_commit_callbacks(execute=True):
        launch_hold(launch=booking.launch, actor=UserFactory(is_staff=True), reason="range fouled")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event.verb == "launch.status_changed" and delivery.event.after["status"] == "hold"
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert posted_types(receiver) == ["launch.status_changed"]


@pytest.mark.django_db
def test_a_late_readiness_step_is_sent_to_the_booked_customers_endpoint(
    receiver, django_capture_on_commit_callbacks
):
    readiness_templates()
    t0 = NOW + timedelta(hours=6, minutes=10)  # "platform emplaced" is due 10 minutes after NOW
    vehicle = VehicleFactory(status=Vehicle.Status.ASSIGNED)
    launch = LaunchFactory(
        vehicle_model=vehicle.vehicle_model,
        vehicle=vehicle,
        site=LaunchSiteFactory(code="JSLC", name="Jiuquan"),
        platform=MobilePlatformFactory(provider=vehicle.vehicle_model.provider),
        service_level="express",
        window_start=t0,
        window_end=t0 + timedelta(hours=2),
        net=t0,
    )
    with time_machine.travel(t0 - timedelta(days=365), tick=False):
        readiness.plan_start(launch=launch, actor=None)
    PlanStep.objects.filter(plan__launch=launch, due_at__lt=NOW).update(
        status=PlanStep.Status.DONE, completed_at=NOW, wake_at=None
    )
    booking = BookingFactory(launch=launch)
    WebhookEndpointFactory(customer=booking.customer, url=receiver.url, event_types=["readiness.*"])
    with (
        time_machine.travel(NOW + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = readiness.readiness_reconcile()
    assert report.steps_late
    delivery = WebhookDelivery.objects.get()
    assert delivery.event.verb == "readiness.step_late" and delivery.event.subject_id == report.steps_late[0]
    assert posted_types(receiver) == ["readiness.step_late"]


# --- 4. no webhooks into our own network --------------------------------------------------------


@pytest.fixture
def production_rule(settings):
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8000/hooks", "host 127.0.0.1 is not public (loopback address)"),
        ("http://localhost:8000/hooks", "is not public (loopback address)"),
        ("http://[::1]/hooks", "host ::1 is not public (loopback address)"),
        ("http://[::ffff:127.0.0.1]/hooks", "is not public (loopback address)"),
        ("https://10.1.2.3/hooks", "host 10.1.2.3 is not public (private address)"),
        ("https://192.168.0.10/hooks", "host 192.168.0.10 is not public (private address)"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "host 169.254.169.254 is not public (link-local address)",
        ),
        ("http://224.0.0.1/hooks", "host 224.0.0.1 is not public (multicast address)"),
        ("http://240.0.0.1/hooks", "host 240.0.0.1 is not public (reserved address)"),
        ("http://0.0.0.0:8000/hooks", "host 0.0.0.0 is not public (unspecified address)"),
        ("http://100.64.0.1/hooks", "host 100.64.0.1 is not public (non-public address)"),
    ],
)
def test_endpoints_in_private_networks_are_refused(production_rule, tenant_a, url, message):
    answer = tenant_a.client.post("/api/v1/webhooks/", {"url": url}, format="json")
    assert answer.status_code == 400
    assert message in answer.json()["detail"]
    assert "webhooks are sent to public internet hosts only" in answer.json()["detail"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_public_address_is_accepted_and_an_update_to_a_private_one_refused(production_rule, tenant_a):
    created = tenant_a.client.post("/api/v1/webhooks/", {"url": "https://93.184.215.14/hooks"}, format="json")
    assert created.status_code == 201, created.json()
    changed = tenant_a.client.patch(
        f"/api/v1/webhooks/{created.json()['id']}/", {"url": "http://127.0.0.1:9/hooks"}, format="json"
    )
    assert changed.status_code == 400
    assert "host 127.0.0.1 is not public (loopback address)" in changed.json()["detail"]
    assert WebhookEndpoint.objects.get().url == "https://93.184.215.14/hooks"


@pytest.mark.django_db
def test_a_delivery_to_a_private_host_fails_without_a_request(production_rule, receiver):
    """An endpoint saved before the rule (or whose name now resolves inside) gets nothing."""
    booking = BookingFactory()
    WebhookEndpointFactory(customer=booking.customer, url=receiver.url)
    event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
    [delivery] = webhooks.webhooks_fan_out(event_id=event.pk)
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 1)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "host 127.0.0.1 is not public (loopback address)" in attempt.error


# --- 5. a delivery is sent once ------------------------------------------------------------------


def due_delivery(url: str) -> WebhookDelivery:
    booking = BookingFactory()
    # Subscribed to something else, so fan-out (immediate outside a transaction) leaves it alone.
    endpoint = WebhookEndpointFactory(customer=booking.customer, url=url, event_types=["launch.slipped"])
    event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_a_task_run_twice_for_one_delivery_posts_once(receiver):
    receiver.codes.extend([500, 500])  # the first attempt fails: the delivery stays pending
    delivery = due_delivery(receiver.url)
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    webhooks.webhook_deliver(delivery_id=delivery.pk)  # the duplicate: not due before its retry
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.attempt_log.count() == 1


@pytest.mark.django_db
def test_the_beat_task_queueing_a_delivery_whose_task_is_on_its_way_sends_once(receiver):
    receiver.codes.extend([500, 500])
    delivery = due_delivery(receiver.url)
    assert webhooks.webhooks_claim_due() == [delivery.pk]  # queued by the beat task …
    webhooks.webhook_deliver(delivery_id=delivery.pk)  # … and by fan-out: both tasks run
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    assert len(receiver.requests) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_for_one_delivery_post_once(receiver):
    receiver.codes.extend([500, 500])
    delivery = due_delivery(receiver.url)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            start.wait(5)
            webhooks.webhook_deliver(delivery_id=delivery.pk)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1
