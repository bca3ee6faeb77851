"""No webhooks into our own network: endpoints on loopback, private, link-local, multicast or
reserved addresses are refused when saved and get nothing when sent; and DNS rebinding, a webhook
host that resolves to a public address when it is checked and to an internal one when the sender
connects, gets nothing either: the address connected to is judged."""

from __future__ import annotations

import select
import socket

import pytest
import requests

from booking.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booking.services import webhook_transport, webhooks
from booking.services.events import event_record
from tests.api.test_webhooks import Receiver
from tests.factories import BookingFactory, WebhookEndpointFactory

HOST = "hooks.customer.example"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """``HOST`` answers a public address the first time it is looked up, then loopback (the
    attacker's name server changes its answer between the check and the connection)."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != HOST:
            return real(host, port, *args, **kwargs)
        address = "93.184.215.14" if not lookups else "127.0.0.1"
        lookups.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def deliver_once(receiver: Receiver) -> WebhookDelivery:
    booking = BookingFactory.create()
    port = receiver.server.server_address[1]
    WebhookEndpointFactory.create(customer=booking.customer, url=f"http://{HOST}:{port}/hooks")
    event = event_record(verb="booking.held", subject=booking, actor=None, customer=booking.customer)
    [delivery] = webhooks.webhooks_fan_out(event_id=event.pk)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.django_db
def test_a_name_rebound_to_loopback_after_the_check_gets_nothing(settings, receiver, rebinding_dns):
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    delivery = deliver_once(receiver)
    assert rebinding_dns == ["93.184.215.14", "127.0.0.1"]  # checked public, connected inside
    assert receiver.requests == []
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 1)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert f"{HOST} now resolves to 127.0.0.1, which is not public (loopback address)" in attempt.error


@pytest.mark.django_db
def test_without_the_connection_check_the_rebound_name_is_reached(
    settings, receiver, rebinding_dns, monkeypatch
):
    """Negative control: a plain session (the check before sending only) posts inside."""
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    monkeypatch.setattr(webhook_transport, "_session", requests.Session)
    delivery = deliver_once(receiver)
    assert len(receiver.requests) == 1
    assert delivery.status == WebhookDelivery.Status.DELIVERED


@pytest.mark.django_db
def test_private_hosts_allowed_by_setting_are_reached_through_the_same_sender(
    settings, receiver, rebinding_dns
):
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # nothing is checked before sending
    rebinding_dns.append("93.184.215.14")  # the name already points inside
    delivery = deliver_once(receiver)
    assert rebinding_dns == ["93.184.215.14", "127.0.0.1"]
    assert len(receiver.requests) == 1
    assert delivery.status == WebhookDelivery.Status.DELIVERED


@pytest.mark.django_db
def test_the_rebound_address_is_not_even_connected_to(settings, rebinding_dns):
    """The sender judges the address before connecting: an internal port sees no handshake, so
    the attempt's error cannot tell an open port from a closed one."""
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    try:
        port = listener.getsockname()[1]
        result = webhook_transport._send(f"http://{HOST}:{port}/hooks", b"{}", {})
        assert result.status_code is None and "not public (loopback address)" in result.error
        readable, _, _ = select.select([listener], [], [], 0.2)
        assert readable == []  # no connection is waiting to be accepted
    finally:
        listener.close()


# --- no webhooks into our own network -----------------------------------------------------------


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
