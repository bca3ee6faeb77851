"""How a webhook leaves the building: the URL rule, the signature and the send itself.

Pure transport: no rows are read or written here; ``booking.services.webhooks`` decides what is
sent when and records what happened.

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

import hashlib
import hmac
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError, NewConnectionError
from urllib3.util import parse_url

SIGNATURE_HEADER = "Launchbook-Signature"
# The whole send, from the first look-up to the last byte of the answer; the task's soft time limit
# (settings) lies above it.
REQUEST_DEADLINE = timedelta(seconds=10)
# Of the answer only the status matters; more than this is not read.
MAX_RESPONSE_BYTES = 64 * 1024


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


# --- the URL rule ------------------------------------------------------------------------------


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


# --- sending -----------------------------------------------------------------------------------


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
