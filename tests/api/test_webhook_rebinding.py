"""DNS rebinding: a webhook host that resolves to a public address when it is checked and to an
internal one when the sender connects gets nothing; the address connected to is judged."""

from __future__ import annotations

import select
import socket

import pytest
import requests

from booking.models import WebhookAttempt, WebhookDelivery
from booking.services import webhooks
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
    booking = BookingFactory()
    port = receiver.server.server_address[1]
    WebhookEndpointFactory(customer=booking.customer, url=f"http://{HOST}:{port}/hooks")
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
    monkeypatch.setattr(webhooks, "_session", requests.Session)
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
        result = webhooks._send(f"http://{HOST}:{port}/hooks", b"{}", {})
        assert result.status_code is None and "not public (loopback address)" in result.error
        readable, _, _ = select.select([listener], [], [], 0.2)
        assert readable == []  # no connection is waiting to be accepted
    finally:
        listener.close()
