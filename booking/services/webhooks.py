"""Webhooks: events fanned out to customers' endpoints after commit, signed, retried for a day.

Flow: ``events.events_publish`` (called by every writer of Events) registers ``webhooks_fan_out``
with ``transaction.on_commit``; fan-out creates one ``WebhookDelivery`` per matching endpoint, due
at once, and queues ``webhook_deliver`` for each. The sender claims a due delivery with a
conditional UPDATE that leases it (``SEND_LEASE``) before it posts, so a task delivered twice, or
queued again by the beat task, sends once. Every attempt is a ``WebhookAttempt`` row. A failed attempt is retried with exponential backoff
(30 s, 1 min, 2 min, … capped at 6 h) until 24 hours after the event; then the delivery gives
up. An endpoint that answers 410 Gone is disabled. The beat task ``webhooks_deliver_due`` queues
due deliveries again, so a lost task, a dead sender or a broker outage only delays a delivery.

Endpoints may not point into our own network (SSRF): unless ``LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS``
is set, a URL whose host resolves to a loopback, private, link-local, multicast, reserved or other
non-public address is refused when the endpoint is saved and again before every send, and the
sender resolves the name itself for each connection, judges every address and connects to the one
it judged: a host that passed the check may point inside by then (DNS rebinding), and then nothing
is sent to it, not even a TCP handshake. An IPv6 address that carries an IPv4 one (6to4, Teredo,
NAT64, IPv4-mapped or -compatible) is judged by the IPv4 address it carries. A URL whose host could
be read two ways (a backslash, user info, percent-escapes or blanks in the host, a host that the
HTTP client parses differently from ``urllib``) is refused: the check must judge the host the
sender connects to.

Deadline: a send (look-up, connect, request, status, headers and body) ends ``REQUEST_DEADLINE``
after it starts, however slowly the receiver trickles: a watchdog shuts the sockets of the send
down at the deadline, and at most ``MAX_RESPONSE_BYTES`` of the answer are read.

Signature: header ``Launchbook-Signature: t=<unix seconds>,v1=<hex>`` where ``hex`` is
HMAC-SHA256 with the endpoint's secret over ``"<t>.<raw body>"``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError, NewConnectionError
from urllib3.util import parse_url

from booking.dates import when
from booking.errors import InvalidRequest
from booking.models import Booking, Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booking.signals import webhook_deliveries_due
from customers.models import Customer

from .events import Actor, event_record
from .locking import claim_unlocked, lock_customer, lock_webhook_delivery, lock_webhook_endpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Launchbook-Signature"
# Verbs customers may subscribe to; anything else (audit-only events) is never sent.
PUBLISHED_VERBS = (
    "booking.*",
    "launch.scheduled",
    "launch.slipped",
    "launch.status_changed",
    "readiness.step_*",
)
PING_VERB = "webhook.ping"
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY_GAP = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=1)
# A delivery being sent is leased for this long; if the sender dies the beat task picks it up after.
# Only the sender takes the lease (``webhook_deliver``); queuing a delivery leaves it due.
SEND_LEASE = timedelta(minutes=2)
# The whole send, from the first look-up to the last byte of the answer; the task's soft time limit
# (settings) lies above it.
REQUEST_DEADLINE = timedelta(seconds=10)
# Of the answer only the status matters; more than this is not read.
MAX_RESPONSE_BYTES = 64 * 1024
MAX_ENDPOINTS_PER_CUSTOMER = 20


# --- signing -----------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def webhook_signature_valid(
    *, secret: str, header: str, body: bytes, tolerance_seconds: int = 300, now: float | None = None
) -> bool:
    """What a receiver does: check the MAC and that the timestamp is recent (no replays)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


# --- endpoints ---------------------------------------------------------------------------------


def _validate_endpoint(url: str, event_types: list[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidRequest(f"{url!r} is not an http(s) URL.")
    if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
        raise InvalidRequest('event_types is a list of event names or patterns, e.g. ["booking.*"].')
    for pattern in event_types:
        if not any(fnmatch.fnmatchcase(pattern, p) or _matches(pattern, p) for p in PUBLISHED_VERBS):
            raise InvalidRequest(
                f"{pattern!r} matches no published event; choose from {', '.join(PUBLISHED_VERBS)}."
            )
    refusal = webhook_url_refusal(url)  # last: the only check that may look the host up
    if refusal:
        raise InvalidRequest(refusal)


_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64_PREFIXES = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, each with the form that carries it.

    A packet to any of these forms can reach the IPv4 address through a relay or translator
    (or the host's own dual stack), so each is judged as the address it carries.
    """
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if address.ipv4_mapped is not None:
        found.append(("IPv4-mapped", address.ipv4_mapped))
    if address.sixtofour is not None:
        found.append(("6to4", address.sixtofour))
    if address.teredo is not None:
        server, client = address.teredo
        found += [("Teredo server", server), ("Teredo client", client)]
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # not :: nor ::1, which are judged as such
        found.append(("IPv4-compatible", low32))
    for prefix in _NAT64_PREFIXES:
        if address in prefix:
            # RFC 6052: behind a /96 prefix the IPv4 address is the last 32 bits; behind a /48 it is
            # bits 48-63 and 72-87 (bits 64-71 are zero). The local-use /48 is judged both ways.
            value = int(address)
            if prefix.prefixlen == 48:
                found.append(
                    ("NAT64", ipaddress.IPv4Address(((value >> 64) & 0xFFFF) << 16 | (value >> 40) & 0xFFFF))
                )
            found.append(("NAT64", low32))
    return found


def _address_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What kind of non-public address ``address`` is; empty for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        for form, carried in _embedded_ipv4(address):
            kind = _address_kind(carried)
            if kind and form == "IPv4-mapped":
                return kind  # ::ffff:127.0.0.1 is 127.0.0.1
            if kind:
                return f"{kind} address {carried} inside a {form}"
    kinds = [
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    ]
    return next((kind for kind, found in kinds if found), "")


def webhook_url_ambiguity(url: str) -> str:
    """Why ``url``'s host could be read two ways; empty if ``urllib`` and the HTTP client agree.

    The check below reads the host with ``urllib.parse``, the sender (requests) with urllib3's
    ``parse_url``; where they could differ the URL is refused rather than judged by one reading
    and sent by the other.
    """
    if "\\" in url:
        return "A webhook URL may not contain a backslash; write it with forward slashes only."
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return "A webhook URL may not contain blanks or control characters; percent-encode them in the path."
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return (
            "A webhook URL may not carry a user name or password (the part before @); "
            "each delivery is signed with the endpoint's secret instead."
        )
    if "%" in parts.netloc:
        return "A webhook URL's host may not be percent-encoded; write the host name as it is."
    if not parts.netloc.isascii():
        return "Write the webhook URL's host in its ASCII form (IDNA, xn--…)."
    try:
        theirs = parse_url(url)
        port = parts.port
    except (LocationParseError, ValueError) as exc:
        return f"The webhook URL {url!r} cannot be parsed: {exc}."
    their_host = (theirs.host or "").lower().removeprefix("[").removesuffix("]")
    if their_host != (parts.hostname or "") or theirs.port != port:
        return (
            f"The webhook URL's host reads as {parts.hostname!r} to one parser and {their_host!r} "
            "to another; write a plain scheme://host[:port]/path URL."
        )
    return ""


def webhook_url_refusal(url: str) -> str:
    """Why webhooks may not be sent to ``url``; empty if fine.

    Refused: a host that could be read two ways (``webhook_url_ambiguity``, always), and unless
    private hosts are allowed a host in a non-public network. Names are resolved here; an IP
    literal is judged as it is. Every address a name resolves to must be public, since the sender
    may connect to any of them.
    """
    ambiguity = webhook_url_ambiguity(url)
    if ambiguity:
        return ambiguity
    if settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, ValueError, UnicodeError):
            return f"The webhook URL's host {host!r} could not be resolved; check the URL."
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        kind = _address_kind(address)
        if kind:
            shown = host if str(address) == host else f"{host} ({address})"
            return (
                f"The webhook URL's host {shown} is not public ({kind} address); "
                "webhooks are sent to public internet hosts only."
            )
    return ""


def _matches(pattern: str, published: str) -> bool:
    """Whether subscribing to ``pattern`` can receive something ``published`` describes."""
    probe = published.replace("*", "x")
    return fnmatch.fnmatchcase(probe, pattern)


def webhook_endpoint_create(
    *, customer: Customer, url: str, actor: Actor, event_types: list[str] | None = None
) -> WebhookEndpoint:
    """Add an endpoint, at most ``MAX_ENDPOINTS_PER_CUSTOMER`` per customer.

    The count is taken under the customer's row lock, so concurrent creates queue there and each
    counts the ones before it.
    """
    event_types = list(event_types or [])
    _validate_endpoint(url, event_types)
    with transaction.atomic():
        lock_customer(customer_id=customer.pk, what=f"the webhook endpoints of {customer}")
        count = WebhookEndpoint.objects.filter(customer=customer).count()
        if count >= MAX_ENDPOINTS_PER_CUSTOMER:
            raise InvalidRequest(f"{customer} already has {count} webhook endpoints, the most allowed.")
        endpoint = WebhookEndpoint.objects.create(
            customer=customer, url=url, event_types=event_types, secret=secrets.token_hex(32)
        )
        event_record(
            verb="webhook.endpoint_created",
            subject=endpoint,
            actor=actor,
            customer=customer,
            after={"url": url, "event_types": event_types},
            message=f"Webhook endpoint {url} added",
        )
    return endpoint


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: Actor,
    url: str | None = None,
    event_types: list[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint; re-activating one clears the reason it was disabled."""
    # Checked before the row is locked: the check may look the host up. What is not given keeps
    # its stored value, which was checked when it was saved.
    _validate_endpoint(
        endpoint.url if url is None else url,
        endpoint.event_types if event_types is None else list(event_types),
    )
    with transaction.atomic():
        endpoint = lock_webhook_endpoint(endpoint=endpoint)
        before = {"url": endpoint.url, "event_types": endpoint.event_types, "active": endpoint.active}
        endpoint.url = endpoint.url if url is None else url
        endpoint.event_types = endpoint.event_types if event_types is None else list(event_types)
        if active is not None:
            endpoint.active = active
            if active:
                endpoint.disabled_reason = ""
        endpoint.save(update_fields=["url", "event_types", "active", "disabled_reason"])
        event_record(
            verb="webhook.endpoint_updated",
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            before=before,
            after={"url": endpoint.url, "event_types": endpoint.event_types, "active": endpoint.active},
            message=f"Webhook endpoint {endpoint.url} changed",
        )
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookEndpoint:
    """Give ``endpoint`` a new signing secret; deliveries from now on are signed with it.

    The old secret stops at once (no overlap): a receiver that leaked it must not keep accepting
    forged calls. The event says that it changed, never what it is.
    """
    with transaction.atomic():
        endpoint = lock_webhook_endpoint(endpoint=endpoint)
        endpoint.secret = secrets.token_hex(32)
        endpoint.save(update_fields=["secret"])
        event_record(
            verb="webhook.secret_rotated",
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            after={"url": endpoint.url},
            message=f"Webhook endpoint {endpoint.url} has a new signing secret",
        )
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    with transaction.atomic():
        event_record(
            verb="webhook.endpoint_deleted",
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            before={"url": endpoint.url},
            message=f"Webhook endpoint {endpoint.url} removed",
        )
        endpoint.delete()


# --- fan-out -----------------------------------------------------------------------------------


def is_published(verb: str) -> bool:
    return any(fnmatch.fnmatchcase(verb, pattern) for pattern in PUBLISHED_VERBS)


def endpoint_wants(endpoint: WebhookEndpoint, verb: str) -> bool:
    return not endpoint.event_types or any(fnmatch.fnmatchcase(verb, p) for p in endpoint.event_types)


def webhooks_on_published(*, events: Sequence[Event], **_signal: Any) -> None:
    """Listens to ``signals.events_published``: fan the published ones out after the transaction
    commits."""
    published = [event for event in events if is_published(event.verb)]
    if published:
        # The saved rows themselves (what fan-out reads of them is written, never changed): the
        # committed events need not be read back.
        transaction.on_commit(lambda: webhooks_fan_out_events(events=published), robust=True)


def webhooks_fan_out(*, event_id: int, now: datetime | None = None) -> list[WebhookDelivery]:
    """Create the deliveries of one committed event and queue their sending. Safe to repeat."""
    return webhooks_fan_out_many(event_ids=[event_id], now=now)


def webhooks_fan_out_many(*, event_ids: Sequence[int], now: datetime | None = None) -> list[WebhookDelivery]:
    """Create the deliveries of committed events and queue their sending, in a fixed number of
    queries however many events (a reconciler pass publishes hundreds at once). Safe to repeat:
    a delivery that exists already is neither created nor queued again."""
    return webhooks_fan_out_events(events=Event.objects.filter(pk__in=event_ids).order_by("pk"), now=now)


def webhooks_fan_out_events(*, events: Iterable[Event], now: datetime | None = None) -> list[WebhookDelivery]:
    """``webhooks_fan_out_many`` for committed Event rows already in memory (their verb, customer
    and launch are read): one query for the endpoints when no endpoint wants them."""
    events = [event for event in events if is_published(event.verb)]
    launch_wide = {
        event.launch_id
        for event in events
        if event.customer_id is None and event.launch_id is not None and not event.verb.startswith("booking.")
    }
    customers_on_launch: dict[int, set[int]] = defaultdict(set)
    if launch_wide:
        rows = (
            Booking.objects.filter(launch_id__in=launch_wide)
            .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.EXPIRED])
            .values_list("launch_id", "customer_id")
            .distinct()
        )
        for launch_id, customer_id in rows:
            customers_on_launch[launch_id].add(customer_id)
    recipients = {
        event.pk: {event.customer_id}
        if event.customer_id is not None
        else (customers_on_launch.get(event.launch_id, set()) if event.launch_id in launch_wide else set())
        for event in events
    }
    customer_ids = set().union(*recipients.values()) if recipients else set()
    if not customer_ids:
        return []
    endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in WebhookEndpoint.objects.filter(customer_id__in=customer_ids, active=True).order_by("pk"):
        endpoints[endpoint.customer_id].append(endpoint)
    wanted = [
        (endpoint, event)
        for event in events
        for customer_id in sorted(recipients[event.pk])
        for endpoint in endpoints[customer_id]
        if endpoint_wants(endpoint, event.verb)
    ]
    if not wanted:
        return []
    existing = set(
        WebhookDelivery.objects.filter(event_id__in=[event.pk for event in events]).values_list(
            "endpoint_id", "event_id"
        )
    )
    now = now or timezone.now()
    new_pairs = {(endpoint.pk, event.pk) for endpoint, event in wanted} - existing
    if not new_pairs:
        return []
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
            for endpoint, event in wanted
            if (endpoint.pk, event.pk) in new_pairs
        ],
        ignore_conflicts=True,  # a concurrent fan-out of the same event made it first: it queues it
    )
    deliveries = [
        delivery
        for delivery in WebhookDelivery.objects.filter(event_id__in={pair[1] for pair in new_pairs}).order_by(
            "pk"
        )
        if (delivery.endpoint_id, delivery.event_id) in new_pairs
    ]
    _queue(deliveries)
    return deliveries


def webhook_ping(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookDelivery:
    """Send a ``webhook.ping`` event to one endpoint, to check it receives and verifies."""
    if not endpoint.active:
        raise InvalidRequest(
            f"The endpoint {endpoint.url} is disabled ({endpoint.disabled_reason or 'by its owner'}); "
            "re-activate it first."
        )
    with transaction.atomic():
        event = event_record(
            verb=PING_VERB,
            subject=endpoint,
            actor=actor,
            customer=endpoint.customer,
            message=f"Test ping to {endpoint.url}",
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, next_attempt_at=timezone.now()
        )
        transaction.on_commit(lambda: _queue([delivery]), robust=True)
    return delivery


def _queue(deliveries: list[WebhookDelivery]) -> None:
    """Announce the deliveries to send now (``signals.webhook_deliveries_due``; the Celery tasks
    listen). Runs after commit."""
    webhook_deliveries_due.send(sender=WebhookDelivery, delivery_ids=[delivery.pk for delivery in deliveries])


# --- sending -----------------------------------------------------------------------------------


def webhook_event_body(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "type": event.verb,
        "created_at": event.created_at,
        "data": {
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "customer": event.customer_id,
            "launch": event.launch_id,
            "message": event.message,
            "before": event.before,
            "after": event.after,
        },
    }


def webhook_retry_delay(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min, … ≤ 6 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY_GAP)


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str
    duration_ms: int


class _Watchdog:
    """The deadline of one send: when it passes, every connection of the send is shut down.

    A per-read timeout restarts with every byte, so a receiver trickling a byte a second would
    hold a send for as long as it likes; shutting the socket down wakes the blocked read at once.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.fire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.001)

    def watch(self, connection: HTTPConnection) -> None:
        """Shut ``connection`` down at the deadline (at once if it has passed)."""
        with self._lock:
            self._connections.append(connection)
            fired = self.fired
        if fired:
            self._shut(connection)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            self._shut(connection)

    @staticmethod
    def _shut(connection: HTTPConnection) -> None:
        sock = getattr(connection, "sock", None)  # after TLS, the wrapped socket
        if sock is not None:
            with suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()


# The watchdog of the send running in this thread (the connection classes register with it).
_send_watchdog: ContextVar[_Watchdog | None] = ContextVar("webhook_send_watchdog", default=None)


@contextmanager
def _watched(watchdog: _Watchdog) -> Iterator[_Watchdog]:
    token = _send_watchdog.set(watchdog)
    try:
        with watchdog:
            yield watchdog
    finally:
        _send_watchdog.reset(token)


class _PublicPeer:
    """Connection mix-in: resolves the host itself, judges every address, and connects to the
    address it judged; the connection is shut down at the send's deadline (``_Watchdog``).

    The name is looked up again for each connection, so a name that resolved to a public address
    when it was checked and to an internal one now (DNS rebinding) is refused before any packet
    is sent to it; the socket goes to the IP literal, while TLS still verifies the host name.
    """

    host: str
    port: int
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        if not settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS:
            self._dns_host = self._public_address()
        return super()._new_conn()  # type: ignore[misc]

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watchdog = _send_watchdog.get()
        if watchdog is not None:
            watchdog.watch(self)  # type: ignore[arg-type]

    def _public_address(self) -> str:
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise NewConnectionError(self, f"{self.host} could not be resolved: {exc}") from exc  # type: ignore[arg-type]
        addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
        for address in addresses:
            kind = _address_kind(ipaddress.ip_address(address))
            if kind:
                raise NewConnectionError(
                    self,  # type: ignore[arg-type]
                    f"{self.host} now resolves to {address}, which is not public ({kind} address); nothing sent",
                )
        return addresses[0]


class _PublicHTTPConnection(_PublicPeer, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicPeer, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the sender connects to the host itself
    adapter = _PublicOnlyAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _send(url: str, body: bytes, headers: dict[str, str]) -> SendResult:
    """Post ``body`` and read the answer, all within ``REQUEST_DEADLINE``.

    The connect and per-read timeouts are what is left of the deadline; the watchdog cuts a
    receiver off that keeps sending slowly. An answer cut off at the deadline is a failure
    whatever its status. Of the body at most ``MAX_RESPONSE_BYTES`` are read.
    """
    # Checked again here: the endpoint may predate the rule, or its name may resolve elsewhere now.
    refusal = webhook_url_refusal(url)
    if refusal:
        return SendResult(None, refusal[:300], 0)
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    with _watched(_Watchdog(REQUEST_DEADLINE.total_seconds())) as watchdog:
        try:
            with _session() as session:
                response = session.post(
                    url,
                    data=body,
                    headers=headers,
                    timeout=(watchdog.remaining(), watchdog.remaining()),
                    allow_redirects=False,
                    stream=True,
                )
                with response:
                    status_code = response.status_code
                    read = 0
                    for chunk in response.iter_content(chunk_size=8192):
                        read += len(chunk)
                        if read >= MAX_RESPONSE_BYTES:
                            break  # enough: only the status counts
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        if watchdog.fired:
            error = (
                f"No complete answer within {watchdog.seconds:g} s; the send was cut off at its deadline"
                + (f" ({error})" if error else "")
            )
    return SendResult(status_code, error[:300], int((time.monotonic() - started) * 1000))


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make one attempt at a pending, due delivery and record it.

    Steps aside if the delivery is settled, not due, or claimed by another sender: the claim is
    a conditional UPDATE, so of two runs for one delivery (a task delivered twice, or queued by
    fan-out and by the beat task) exactly one posts.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        logger.info("webhook delivery %s is gone or settled; nothing to send", delivery_id)
        return delivery
    endpoint = delivery.endpoint
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.GAVE_UP, next_attempt_at=None
        )
        logger.info("webhook endpoint %s is disabled; delivery %s dropped", endpoint.pk, delivery.pk)
        return delivery
    claimed_at = now or timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__lte=claimed_at) | Q(next_attempt_at__isnull=True))
        .update(next_attempt_at=claimed_at + SEND_LEASE)
    )
    if not claimed:
        logger.info("webhook delivery %s is not due or another sender has it; stepping aside", delivery.pk)
        return delivery
    body = json.dumps(webhook_event_body(delivery.event), cls=DjangoJSONEncoder).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Launchbook-Webhooks/1",
        SIGNATURE_HEADER: webhook_signature(secret=endpoint.secret, timestamp=timestamp, body=body),
        "Launchbook-Event": delivery.event.verb,
        "Launchbook-Delivery": str(delivery.pk),
    }
    result = _send(endpoint.url, body, headers)
    return _record_attempt(delivery=delivery, result=result, now=now or timezone.now())


def _record_attempt(*, delivery: WebhookDelivery, result: SendResult, now: datetime) -> WebhookDelivery:
    with transaction.atomic():
        delivery = lock_webhook_delivery(delivery=delivery)
        number = delivery.attempts + 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=result.status_code,
            error=result.error,
            duration_ms=result.duration_ms,
        )
        delivery.attempts = number
        code = result.status_code
        if result.error:  # no complete answer (cut off at the deadline, or refused): not delivered
            code = None
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, None
        elif code == 410:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
            _endpoint_disable(delivery.endpoint, reason=f"Answered 410 Gone on {when(now)}.")
        else:
            next_at = now + webhook_retry_delay(number)
            if next_at > delivery.created_at + GIVE_UP_AFTER:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
            else:
                delivery.next_attempt_at = next_at
        delivery.save(update_fields=["attempts", "status", "next_attempt_at"])
    return delivery


def _endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_reason=reason[:200])
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.GAVE_UP, next_attempt_at=None
    )
    event_record(
        verb="webhook.endpoint_disabled",
        subject=endpoint,
        actor=None,
        customer=endpoint.customer,
        after={"active": False, "reason": reason},
        message=f"Webhook endpoint {endpoint.url} disabled: {reason}",
        system="webhooks",
    )


def webhooks_claim_due(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """The ids of due deliveries, to queue; rows a sender is recording (locked) are passed over.

    Nothing is leased here: the sender claims each delivery itself (``webhook_deliver``), so a
    delivery queued twice (its first task still waiting in the broker) is still sent once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        return list(
            claim_unlocked(WebhookDelivery.objects.all())
            .filter(status=WebhookDelivery.Status.PENDING)
            .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
