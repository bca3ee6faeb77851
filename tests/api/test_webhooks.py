"""Webhooks: signed JSON POSTs after commit, retried with backoff for a day, every attempt stored;
events written in bulk (a launch hold, a late readiness step) are sent too, and a delivery is
claimed before it is sent, so it is sent once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from booking.models import Booking, PlanStep, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booking.services import readiness, webhook_transport, webhooks
from booking.services.events import event_record
from booking.services.launches import launch_hold
from booking.tasks import webhooks_deliver_due
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
from tests.reliability.racing import in_background, race
from vehicles.models import Vehicle


class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers with queued codes."""

    def __init__(self):
        self.requests: list[dict] = []
        self.codes: deque[int] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                code = receiver.codes.popleft() if receiver.codes else 200
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def verify(secret: str, request: dict) -> dict:
    """What an integrator's receiver does with the signature header."""
    parts = dict(item.split("=", 1) for item in request["headers"]["Launchbook-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"])
    return json.loads(request["body"])


@pytest.mark.django_db
def test_a_booking_event_is_posted_signed_after_commit(receiver, django_capture_on_commit_callbacks):
    booking = BookingFactory()
    endpoint = WebhookEndpointFactory(customer=booking.customer, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_record(
            verb="booking.confirmed",
            subject=booking,
            actor=None,
            customer=booking.customer,
            launch=booking.launch,
            before={"status": "held"},
            after={"status": "confirmed"},
        )
        assert receiver.requests == []  # nothing leaves before the commit
    [request] = receiver.requests
    body = verify(endpoint.secret, request)
    assert body["type"] == "booking.confirmed" and body["id"] == event.pk
    assert body["data"]["after"] == {"status": "confirmed"} and body["data"]["subject_id"] == booking.pk
    assert request["headers"]["Launchbook-Event"] == "booking.confirmed"
    assert webhook_transport.webhook_signature_valid(
        secret=endpoint.secret, header=request["headers"]["Launchbook-Signature"], body=request["body"]
    )
    assert not webhook_transport.webhook_signature_valid(
        secret="wrong", header=request["headers"]["Launchbook-Signature"], body=request["body"]
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.DELIVERED, 1)
    assert WebhookAttempt.objects.get().status_code == 200


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(receiver, django_capture_on_commit_callbacks):
    booking = BookingFactory()
    WebhookEndpointFactory(customer=booking.customer, url=receiver.url)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        event_record(verb="booking.cancelled", subject=booking, actor=None, customer=booking.customer)
        raise RuntimeError("the change failed")
    assert callbacks == [] and receiver.requests == [] and not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_failures_are_retried_with_exponential_backoff_then_delivered(receiver):
    booking = BookingFactory()
    WebhookEndpointFactory(customer=booking.customer, url=receiver.url)
    receiver.codes.extend([500, 503])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
        [delivery] = webhooks.webhooks_fan_out(event_id=event.pk)  # eager: first attempt made at once
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert webhooks_deliver_due() == 0  # not due yet
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert webhooks_deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + timedelta(seconds=31) + timedelta(minutes=1)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert webhooks_deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("delivered", 3, None)
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [(1, 500), (2, 503), (3, 200)]
    assert len(receiver.requests) == 3


@pytest.mark.django_db
def test_an_unreachable_endpoint_is_tried_for_a_day_then_given_up(receiver):
    booking = BookingFactory()
    WebhookEndpointFactory(customer=booking.customer, url=receiver.url)
    receiver.codes.extend([500] * 100)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
        [delivery] = webhooks.webhooks_fan_out(event_id=event.pk)
    gaps = []
    for _ in range(40):
        delivery.refresh_from_db()
        if delivery.status != "pending":
            break
        gaps.append(delivery.next_attempt_at)
        with time_machine.travel(delivery.next_attempt_at, tick=False):
            webhooks_deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == "gave_up"
    assert gaps[-1] <= start + timedelta(days=1)
    spacing = [(b - a).total_seconds() for a, b in zip(gaps, gaps[1:], strict=False)]
    assert spacing[:4] == [60, 120, 240, 480]  # doubling from 30 s
    assert max(spacing) <= 6 * 3600
    assert delivery.attempt_log.count() == delivery.attempts == len(receiver.requests)


@pytest.mark.django_db
def test_an_endpoint_answering_410_is_disabled(receiver):
    booking = BookingFactory()
    endpoint = WebhookEndpointFactory(customer=booking.customer, url=receiver.url)
    receiver.codes.append(410)
    event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
    webhooks.webhooks_fan_out(event_id=event.pk)
    endpoint.refresh_from_db()
    assert endpoint.active is False and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == "gave_up"
    event = event_record(verb="booking.confirmed", subject=booking, actor=None, customer=booking.customer)
    assert webhooks.webhooks_fan_out(event_id=event.pk) == []  # a disabled endpoint gets nothing


@pytest.mark.django_db
def test_customers_receive_only_their_own_events(receiver, tenant_a, tenant_b):
    launch, elsewhere = LaunchFactory(), LaunchFactory()
    mine = BookingFactory(customer=tenant_a.customer, launch=launch)
    BookingFactory(customer=tenant_b.customer, launch=elsewhere)
    BookingFactory(customer=tenant_b.customer, launch=launch, status=Booking.Status.CANCELLED)
    a = WebhookEndpointFactory(customer=tenant_a.customer, url=receiver.url + "/a")
    b = WebhookEndpointFactory(customer=tenant_b.customer, url=receiver.url + "/b")

    def recipients(**kwargs):
        event = event_record(actor=None, **kwargs)
        return {d.endpoint_id for d in webhooks.webhooks_fan_out(event_id=event.pk)}

    assert recipients(verb="booking.confirmed", subject=mine, customer=tenant_a.customer, launch=launch) == {
        a.pk
    }
    # A launch-wide event goes to the customers flying on that launch (not cancelled ones).
    assert recipients(verb="launch.slipped", subject=launch, launch=launch) == {a.pk}
    assert recipients(verb="launch.status_changed", subject=elsewhere, launch=elsewhere) == {b.pk}
    assert recipients(verb="readiness.step_done", subject=launch, launch=launch) == {a.pk}
    # Audit-only events and booking events without a customer go nowhere.
    assert recipients(verb="launch.scrubbed", subject=launch, launch=launch) == set()
    assert recipients(verb="booking.held", subject=launch, launch=launch) == set()
    assert recipients(verb="payload.created", subject=mine, customer=tenant_a.customer) == set()


@pytest.mark.django_db
def test_endpoints_receive_only_the_event_types_they_chose(receiver, tenant_a):
    launch = LaunchFactory()
    BookingFactory(customer=tenant_a.customer, launch=launch)
    only_slips = WebhookEndpointFactory(
        customer=tenant_a.customer, url=receiver.url, event_types=["launch.slipped"]
    )
    bookings = WebhookEndpointFactory(customer=tenant_a.customer, url=receiver.url, event_types=["booking.*"])
    slipped = event_record(verb="launch.slipped", subject=launch, actor=None, launch=launch)
    assert [d.endpoint_id for d in webhooks.webhooks_fan_out(event_id=slipped.pk)] == [only_slips.pk]
    held = event_record(verb="booking.held", subject=launch, actor=None, customer=tenant_a.customer)
    assert [d.endpoint_id for d in webhooks.webhooks_fan_out(event_id=held.pk)] == [bookings.pk]


@pytest.mark.django_db(transaction=True)
def test_endpoint_crud_deliveries_and_ping_through_the_api(receiver, tenant_a, tenant_b):
    client = tenant_a.client
    created = client.post(
        "/api/v1/webhooks/", {"url": receiver.url, "event_types": ["booking.*"]}, format="json"
    )
    assert created.status_code == 201, created.json()
    endpoint = created.json()
    assert len(endpoint["secret"]) == 64 and endpoint["active"] is True

    ping = client.post(f"/api/v1/webhooks/{endpoint['id']}/ping/", format="json")
    assert ping.status_code == 202
    assert ping.json()["event_type"] == "webhook.ping"
    assert ping.json()["status"] == "delivered" and ping.json()["attempt_log"][0]["status_code"] == 200
    assert verify(endpoint["secret"], receiver.requests[-1])["type"] == "webhook.ping"

    deliveries = client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()
    assert deliveries["count"] == 1 and deliveries["results"][0]["attempts"] == 1

    assert (
        client.patch(f"/api/v1/webhooks/{endpoint['id']}/", {"active": False}, format="json").json()["active"]
        is False
    )
    refused = client.post(f"/api/v1/webhooks/{endpoint['id']}/ping/", format="json")
    assert refused.status_code == 400 and "is disabled" in refused.json()["detail"]
    assert tenant_b.client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").status_code == 404
    assert client.delete(f"/api/v1/webhooks/{endpoint['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": "ftp://example.com/x"}, "'ftp://example.com/x' is not an http(s) URL."),
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"url": "https://example.com/x", "event_types": ["payload.created"]}, "matches no published event"),
        (
            {"url": "https://example.com/x", "event_types": "booking.*"},
            'Expected a list of items but got type "str".',
        ),
    ],
)
def test_bad_endpoints_are_refused(tenant_a, body, message):
    answer = tenant_a.client.post("/api/v1/webhooks/", body, format="json")
    assert answer.status_code == 400
    assert message in str(answer.json())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_skips_deliveries_another_runner_has_locked():
    booking = BookingFactory()
    endpoint = WebhookEndpointFactory(customer=booking.customer, url="http://127.0.0.1:9/x")
    past = timezone.now() - timedelta(minutes=1)
    ids = []
    for verb in ("booking.held", "booking.confirmed"):
        event = event_record(verb=verb, subject=booking, actor=None, customer=booking.customer)
        ids.append(
            WebhookDelivery.objects.get_or_create(
                endpoint=endpoint, event=event, defaults={"next_attempt_at": past}
            )[0].pk
        )
    WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=past, attempts=0)
    locked, released = threading.Event(), threading.Event()

    def hold_first_row():
        with transaction.atomic():
            list(WebhookDelivery.objects.select_for_update().filter(pk=ids[0]))
            locked.set()
            released.wait(10)

    holder = in_background(hold_first_row, name="holder")
    assert locked.wait(10)
    try:
        assert webhooks.webhooks_claim_due() == [ids[1]]
    finally:
        released.set()
        assert not isinstance(held := holder.outcome(), BaseException), held
    assert webhooks.webhooks_claim_due(now=timezone.now() + timedelta(minutes=5)) == [ids[0], ids[1]]


@pytest.mark.django_db
def test_a_scheduled_launch_that_slips_reaches_its_customers_hooks_and_calendar(
    receiver, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    """The real scheduling services: launch_slip → webhook to the booked customer, calendar moves."""
    from decimal import Decimal

    from icalendar import Calendar
    from rest_framework.test import APIClient

    from booking.services.scheduling import launch_schedule, launch_slip
    from tests.factories import schedule_world

    world = schedule_world()
    start = timezone.now().replace(microsecond=0) + timedelta(days=20)
    launch = launch_schedule(
        provider=world.provider,
        vehicle_model=world.model,
        site=world.jiuquan,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=Decimal("97.40"),
        window_start=start,
        window_end=start + timedelta(hours=2),
        actor=None,
        vehicle=world.rockets[0],
        platform=world.tel1,
    )
    BookingFactory(customer=tenant_a.customer, launch=launch)
    mine = WebhookEndpointFactory(customer=tenant_a.customer, url=receiver.url, event_types=["launch.*"])
    WebhookEndpointFactory(customer=tenant_b.customer, url=receiver.url + "/b")
    with django_capture_on_commit_callbacks(execute=True):
        launch_slip(launch=launch, window_start=start + timedelta(days=1), actor=None, cause="provider")
    slipped = [r for r in receiver.requests if r["headers"]["Launchbook-Event"] == "launch.slipped"]
    assert len(slipped) == 1 and slipped[0]["path"] == "/hooks"
    assert verify(mine.secret, slipped[0])["data"]["launch"] == launch.pk

    calendar = Calendar.from_ical(APIClient().get("/api/v1/launches.ics").content)
    [vevent] = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == f"launch-{launch.pk}@launchbook"]
    assert int(vevent["SEQUENCE"]) == 1
    assert vevent.decoded("DTSTART") == start + timedelta(days=1)


# --- events written in bulk reach the webhooks too -----------------------------------------------

NOW = datetime(2027, 5, 4, 9, 0, tzinfo=UTC)


def posted_types(receiver: Receiver) -> list[str]:
    return [r["headers"]["Launchbook-Event"] for r in receiver.requests]


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


# --- a delivery is sent once ---------------------------------------------------------------------


def due_delivery(url: str) -> WebhookDelivery:
    booking = BookingFactory.create()
    # Subscribed to something else, so fan-out (immediate outside a transaction) leaves it alone.
    endpoint = WebhookEndpointFactory.create(
        customer=booking.customer, url=url, event_types=["launch.slipped"]
    )
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
    outcomes = race(
        [lambda: webhooks.webhook_deliver(delivery_id=delivery.pk)] * 2,
        start_timeout_s=5,
        finish_timeout_s=15,
    )
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert errors == []
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1
