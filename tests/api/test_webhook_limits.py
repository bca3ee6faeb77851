"""Webhooks cannot stall the product: a whole-request deadline for each send, sends on their own
queue with time limits on every task, the endpoint cap held under the customer's lock, and a URL
check that judges the address a URL really names."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.errors import InvalidRequest
from booking.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booking.services import webhook_transport, webhooks
from booking.services.events import event_record
from booking.tasks import WEBHOOK_SOFT_TIME_LIMIT_SECONDS, WEBHOOK_TIME_LIMIT_SECONDS
from launchbook.celery import app
from tests.factories import BookingFactory, CustomerFactory, WebhookEndpointFactory
from tests.reliability.racing import race, sort_outcomes

# --- the whole-request deadline ---------------------------------------------------------------


class TricklingReceiver:
    """A raw-socket receiver on 127.0.0.1 that reads the request, then answers one byte at a time
    (every ``gap_seconds``), each byte well inside a per-read timeout."""

    def __init__(self, *, answer: bytes, gap_seconds: float, fast_prefix: int = 0):
        self.answer = answer
        self.gap_seconds = gap_seconds
        self.fast_prefix = fast_prefix  # bytes sent at once before the trickle starts
        self.bytes_sent = 0
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hooks"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.listener.settimeout(30)
        try:
            peer, _ = self.listener.accept()
        except OSError:
            return
        with peer:
            peer.settimeout(30)
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = peer.recv(65536)
                if not chunk:
                    return
                received += chunk
            try:
                if self.fast_prefix:
                    peer.sendall(self.answer[: self.fast_prefix])
                    self.bytes_sent = self.fast_prefix
                for index in range(self.fast_prefix, len(self.answer)):
                    if self.stop.wait(self.gap_seconds):
                        return
                    peer.sendall(self.answer[index : index + 1])
                    self.bytes_sent += 1
            except OSError:  # the sender hung up: what the deadline is for
                return

    def close(self):
        self.stop.set()
        self.listener.close()
        self.thread.join(5)


SLOW_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-Padding: " + b"x" * 200 + b"\r\n\r\n" + b"o" * 100


def due_delivery(url: str) -> WebhookDelivery:
    booking = BookingFactory.create()
    endpoint = WebhookEndpointFactory.create(
        customer=booking.customer, url=url, event_types=["launch.slipped"]
    )
    event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def short_deadline(monkeypatch):
    monkeypatch.setattr(webhook_transport, "REQUEST_DEADLINE", timedelta(seconds=2))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fast_prefix",
    [
        0,
        SLOW_ANSWER.index(b"\r\n\r\n") + 4,
    ],  # the status line trickles; or the headers came and the body trickles
    ids=["trickled-headers", "trickled-body"],
)
def test_a_trickling_receiver_is_cut_off_at_the_deadline(short_deadline, fast_prefix):
    receiver = TricklingReceiver(answer=SLOW_ANSWER, gap_seconds=0.4, fast_prefix=fast_prefix)
    try:
        delivery = due_delivery(receiver.url)
        started = time.monotonic()
        webhooks.webhook_deliver(delivery_id=delivery.pk)
        took = time.monotonic() - started
    finally:
        receiver.close()
    # Each byte came 0.4 s after the last, far inside any per-read timeout: only a deadline on the
    # whole request ends this send near 2 s (the whole answer would take two minutes).
    assert 1.8 <= took < 4, took
    assert receiver.bytes_sent < len(SLOW_ANSWER)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert "No complete answer within 2 s; the send was cut off at its deadline" in attempt.error
    assert 1800 <= attempt.duration_ms < 4000
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 1)
    assert delivery.next_attempt_at is not None  # retried later, like any failed attempt


@pytest.mark.django_db
def test_a_quick_receiver_is_delivered_within_the_deadline(short_deadline):
    receiver = TricklingReceiver(answer=SLOW_ANSWER, gap_seconds=0.4, fast_prefix=len(SLOW_ANSWER))
    try:
        delivery = due_delivery(receiver.url)
        webhooks.webhook_deliver(delivery_id=delivery.pk)
    finally:
        receiver.close()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert WebhookAttempt.objects.get(delivery=delivery).error == ""


@pytest.mark.django_db
def test_a_huge_answer_is_not_read_beyond_the_cap():
    body_bytes = 64 * 1024 * 1024
    listener = socket.create_server(("127.0.0.1", 0))
    sent = []

    def serve():
        peer, _ = listener.accept()
        with peer:
            peer.recv(65536)
            peer.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % body_bytes)
            block, total = b"x" * 65536, 0
            try:
                while total < body_bytes:
                    peer.sendall(block)
                    total += len(block)
            except OSError:
                pass
            sent.append(total)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        delivery = due_delivery(f"http://127.0.0.1:{listener.getsockname()[1]}/hooks")
        webhooks.webhook_deliver(delivery_id=delivery.pk)
        thread.join(20)
    finally:
        listener.close()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED  # the status is all that counts
    assert sent and sent[0] < body_bytes / 4  # the sender hung up after its cap (plus socket buffers)


# --- queues and time limits -------------------------------------------------------------------


def test_webhook_sends_are_routed_to_their_own_queue_and_the_rest_to_the_default():
    router = app.amqp.router
    assert router.route({}, "booking.tasks.webhook_deliver")["queue"].name == "webhooks"
    for name in [
        "booking.tasks.webhooks_deliver_due",
        "booking.tasks.readiness_reconcile",
        "booking.tasks.readiness_run_check",
        "booking.bookings_release_expired",
        "booking.quotes_expire",
    ]:
        assert router.route({}, name)["queue"].name == "celery", name


def test_a_worker_without_q_consumes_both_queues():
    # A worker started without -Q consumes every queue in task_queues.
    assert {queue.name for queue in app.conf.task_queues} == {"celery", "webhooks"}
    assert app.conf.task_default_queue == "celery"


def test_every_task_has_a_soft_and_a_hard_time_limit():
    ours = {name: task for name, task in app.tasks.items() if name.startswith("booking.")}
    assert "booking.tasks.webhook_deliver" in ours and len(ours) >= 6
    for name, task in ours.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name


def test_the_webhook_task_outlives_the_send_deadline_and_ends_inside_its_lease():
    task = app.tasks["booking.tasks.webhook_deliver"]
    assert task.soft_time_limit == WEBHOOK_SOFT_TIME_LIMIT_SECONDS
    assert task.time_limit == WEBHOOK_TIME_LIMIT_SECONDS
    deadline = webhook_transport.REQUEST_DEADLINE.total_seconds()
    assert deadline < task.soft_time_limit < task.time_limit < webhooks.SEND_LEASE.total_seconds()


# --- the URL check ------------------------------------------------------------------------------


@pytest.fixture
def production_rule(settings):
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = False


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[2002:7f00:1::]/hooks", "loopback address 127.0.0.1 inside a 6to4"),
        ("http://[2002:a9fe:a9fe::1]/hooks", "link-local address 169.254.169.254 inside a 6to4"),
        ("http://[2002:a00:1::]/hooks", "private address 10.0.0.1 inside a 6to4"),
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hooks",  # client 127.0.0.1, obfuscated
            "loopback address 127.0.0.1 inside a Teredo client",
        ),
        ("http://[64:ff9b::7f00:1]/hooks", "loopback address 127.0.0.1 inside a NAT64"),
        ("http://[64:ff9b::a9fe:a9fe]/hooks", "link-local address 169.254.169.254 inside a NAT64"),
        ("http://[64:ff9b:1:a9fe:a9:fe00::]/hooks", "link-local address 169.254.169.254 inside a NAT64"),
        ("http://[::127.0.0.1]/hooks", "loopback address 127.0.0.1 inside a IPv4-compatible"),
        ("http://[::a00:1]/hooks", "private address 10.0.0.1 inside a IPv4-compatible"),
        ("http://[::ffff:169.254.169.254]/hooks", "is not public (link-local address)"),
    ],
)
def test_ipv6_forms_carrying_a_private_ipv4_address_are_refused(production_rule, url, message):
    refusal = webhook_transport.webhook_url_refusal(url)
    assert message in refusal
    assert "webhooks are sent to public internet hosts only" in refusal


def test_a_6to4_address_of_a_public_ipv4_host_is_accepted(production_rule):
    assert webhook_transport.webhook_url_refusal("http://[2002:808:808::1]/hooks") == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        # urllib reads example.com, urllib3 (the sender) reads 127.0.0.1
        ("http://127.0.0.1\\@example.com/hooks", "backslash"),
        ("http://example.com\\.evil.example/hooks", "backslash"),
        ("http://user:pw@93.184.215.14/hooks", "user name or password"),
        ("http://a@127.0.0.1:80@93.184.215.14/hooks", "user name or password"),
        ("http://93.184.215.14%2f@127.0.0.1/hooks", "user name or password"),
        ("http://127.0.0.%31/hooks", "percent-encoded"),
        ("http://93.184.215.14 /hooks", "blanks or control characters"),
        ("http://93.184.215.14\t.example/hooks", "blanks or control characters"),
        ("http://93.184.215.14/ho\nks", "blanks or control characters"),
        ("http://exämple.com/hooks", "ASCII form"),
    ],
)
@pytest.mark.django_db
def test_urls_whose_host_can_be_read_two_ways_are_refused(url, message, settings):
    # Refused even where private hosts are allowed: the check must judge the host that is sent to.
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    assert message in webhook_transport.webhook_url_refusal(url)
    customer = CustomerFactory()
    with pytest.raises(InvalidRequest, match=message):
        webhooks.webhook_endpoint_create(customer=customer, url=url, actor=None)


@pytest.mark.django_db
def test_an_ambiguous_url_is_refused_through_the_api(production_rule, tenant_a):
    answer = tenant_a.client.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1\\@example.com/x"}, format="json"
    )
    assert answer.status_code == 400
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_stored_ambiguous_url_is_not_sent_to(settings):
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    delivery = due_delivery("http://127.0.0.1:9\\@example.com/hooks")
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and "backslash" in attempt.error


def test_plain_urls_read_the_same_to_both_parsers(settings):
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    for url in [
        "https://hooks.example.com/launchbook",
        "https://HOOKS.example.com:8443/a/b?c=d%20e",
        "http://[2606:4700::1111]:8080/x",
        "https://xn--exmple-cua.com/hooks",
    ]:
        assert webhook_transport.webhook_url_ambiguity(url) == "", url


# --- the endpoint cap under the customer's lock -----------------------------------------------


def create_concurrently(customer, count: int) -> tuple[list[WebhookEndpoint], list[str]]:
    def create(index: int):
        return lambda: webhooks.webhook_endpoint_create(
            customer=customer, url=f"https://93.184.215.14/hooks/{index}", actor=None
        )

    outcomes = sort_outcomes(
        race([create(index) for index in range(count)], start_timeout_s=10, finish_timeout_s=60),
        refusals=(InvalidRequest,),
    )
    assert outcomes.failed == []
    created = [endpoint for endpoint in outcomes.done if isinstance(endpoint, WebhookEndpoint)]
    return created, [exc.message for exc in outcomes.refused if isinstance(exc, InvalidRequest)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_creates_stop_at_the_endpoint_cap(production_rule, settings):
    settings.LAUNCHBOOK_LOCK_TIMEOUT_MS = 20000  # every create waits its turn on the customer row
    customer = CustomerFactory()
    created, refused = create_concurrently(customer, 30)
    assert WebhookEndpoint.objects.filter(customer=customer).count() == webhooks.MAX_ENDPOINTS_PER_CUSTOMER
    assert len(created) == 20 and len(refused) == 10
    assert all("already has 20 webhook endpoints, the most allowed" in message for message in refused)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_customer_lock_concurrent_creates_pass_the_cap(production_rule, monkeypatch):
    """Negative control: the count taken without the lock lets every racer see room."""
    everyone_counts = threading.Barrier(30)
    monkeypatch.setattr(webhooks, "lock_customer", lambda **_: everyone_counts.wait(10))
    customer = CustomerFactory()
    create_concurrently(customer, 30)
    assert WebhookEndpoint.objects.filter(customer=customer).count() > webhooks.MAX_ENDPOINTS_PER_CUSTOMER
