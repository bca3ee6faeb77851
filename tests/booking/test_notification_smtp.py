"""A notification leaves through a real SMTP server (aiosmtpd, started inside the test) and arrives
as a multipart message: the subject, the addressee, a plain-text part and an HTML part."""

from __future__ import annotations

import email
import socket
from email.message import Message
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from booking.models import Event, NotificationDelivery
from booking.services import notifications as notes
from tests.booking.test_notifications import hold

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler keeping every message it is handed."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "bookings@launchbook.test"
    try:
        yield inbox
    finally:
        controller.stop()


def _part(message: Message, content_type: str) -> str:
    for part in message.walk():
        if part.get_content_type() == content_type:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part in {message.get_content_type()}")


def test_a_held_seat_arrives_through_smtp_with_text_and_html(
    world, smtp_server, django_capture_on_commit_callbacks
):
    world.members["admin"].delete()
    world.members["mission"].delete()
    world.members["viewer"].delete()
    with django_capture_on_commit_callbacks(execute=True):
        booking = hold(world)

    delivery = NotificationDelivery.objects.get()
    assert delivery.status == NotificationDelivery.Status.SENT, delivery.last_error
    assert len(smtp_server.envelopes) == 1
    mail_from, recipients, raw = smtp_server.envelopes[0]
    assert mail_from == "bookings@launchbook.test" and recipients == ["fi@example.test"]
    message = email.message_from_bytes(raw, policy=default_policy)
    assert message["To"] == "fi@example.test"
    # The launch's "·" makes the subject an encoded word, folded onto the header's next line; the
    # parser keeps the fold's space, which mail clients drop.
    assert (
        str(message["Subject"]).strip()
        == f"[Launchbook] Seat held on {world.launch.name}: booking {booking.reference}"
    )
    assert message.get_content_type() == "multipart/alternative"
    text = _part(message, "text/plain")
    html = _part(message, "text/html")
    assert "Hello fi," in text and booking.reference in text and "<" not in text.split("--")[0]
    assert f"/portal/bookings/{booking.reference}/" in text
    assert f'href="http://127.0.0.1:8000/portal/bookings/{booking.reference}/"' in html
    assert booking.reference in html and "Held until" in html


def test_a_server_that_is_not_there_leaves_the_mail_queued_for_a_retry(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    world.members["admin"].delete()
    world.members["mission"].delete()
    world.members["viewer"].delete()
    hold(world)
    notes.notifications_from_events(event_ids=list(Event.objects.values_list("pk", flat=True)))
    delivery = NotificationDelivery.objects.get()
    notes.notification_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == NotificationDelivery.Status.QUEUED and delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error
