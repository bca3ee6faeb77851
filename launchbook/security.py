"""Who is asking and for how long: client addresses behind trusted proxies, login lockouts,
session timeouts and the ``Cache-Control: no-store`` mark for pages that show a secret.

Every front end (portal, admin, API) shares these; they hold no business rules.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

# --- the client's address -----------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, trusting ``LAUNCHBOOK_TRUSTED_PROXIES`` proxies in front of us.

    With no trusted proxy (the default) X-Forwarded-For is ignored: anyone can send it. With N
    trusted proxies, each appends the address it saw, so the client is the Nth entry from the right;
    what the client itself wrote further left is never read. DRF's throttles use the same rule
    (``NUM_PROXIES``), so the login lockout and the API's rate limits count the same client.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    trusted = int(getattr(settings, "LAUNCHBOOK_TRUSTED_PROXIES", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted <= 0 or not forwarded.strip():
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote_addr
    candidate = hops[-min(trusted, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # A proxy we trust wrote something that is not an address: fall back to the one we see.
        return remote_addr


# --- login lockouts (django-axes) ---------------------------------------------------------------


def login_cooloff() -> timedelta:
    return timedelta(minutes=int(settings.LAUNCHBOOK_LOGIN_COOLOFF_MINUTES))


def axes_cooloff(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: read at request time, so a settings change (or a test) takes effect."""
    return login_cooloff()


def duration_words(delta: timedelta) -> str:
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("" if hours == 1 else "s")
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


def lockout_message() -> str:
    return (
        "Too many failed sign-in attempts for this account or from this address. "
        f"Try again in {duration_words(login_cooloff())}, or reset your password."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 that says how long, as JSON for the API and a page elsewhere."""
    retry_after = str(int(login_cooloff().total_seconds()))
    message = lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "retry_after_seconds": int(retry_after)}, status=429)
    else:
        response = render(request, "portal/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
    add_never_cache_headers(response)
    return response


# --- password reset e-mails ---------------------------------------------------------------------


def reset_request_allowed(request: HttpRequest, email: str) -> timedelta | None:
    """Count one password-reset request; None if it may be sent, else how long until it may.

    Limited per e-mail address and per client address (``LAUNCHBOOK_PASSWORD_RESET_LIMIT`` an
    hour each), so nobody can flood a mailbox or walk the user list with reset mails.
    """
    limit = int(settings.LAUNCHBOOK_PASSWORD_RESET_LIMIT)
    window = timedelta(hours=1)
    now = timezone.now().timestamp()
    keys = [f"pwreset:ip:{client_ip(request) or 'unknown'}", f"pwreset:email:{email.strip().lower()}"]
    wait = 0.0
    for key in keys:
        stamps = [stamp for stamp in cache.get(key, []) if stamp > now - window.total_seconds()]
        if len(stamps) >= limit:
            wait = max(wait, stamps[0] + window.total_seconds() - now)
    if wait > 0:
        return timedelta(seconds=wait)
    for key in keys:
        stamps = [stamp for stamp in cache.get(key, []) if stamp > now - window.total_seconds()]
        cache.set(key, [*stamps, now], timeout=int(window.total_seconds()))
    return None


# --- sessions -----------------------------------------------------------------------------------

SESSION_SIGNED_IN_AT = "_launchbook_signed_in_at"
SESSION_SEEN_AT = "_launchbook_seen_at"
# Recording the last activity writes the session; once a minute is precise enough for an idle
# timeout counted in minutes.
SEEN_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="launchbook.session_signed_in_at")
def _stamp_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(timezone.now().timestamp())
    session[SESSION_SIGNED_IN_AT] = now
    session[SESSION_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Signs out a session idle for ``LAUNCHBOOK_SESSION_IDLE_MINUTES`` or older than
    ``LAUNCHBOOK_SESSION_MAX_HOURS`` since sign-in. API token requests carry no session and are
    not affected. Goes after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and session is not None and user.is_authenticated:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request: HttpRequest, session: Any) -> None:
        now = int(timezone.now().timestamp())
        signed_in_at = session.get(SESSION_SIGNED_IN_AT)
        seen_at = session.get(SESSION_SEEN_AT)
        if signed_in_at is None or seen_at is None:
            # A session from before these stamps (or made without a sign-in): start counting now.
            session[SESSION_SIGNED_IN_AT] = signed_in_at or now
            session[SESSION_SEEN_AT] = now
            return
        idle_seconds = int(settings.LAUNCHBOOK_SESSION_IDLE_MINUTES) * 60
        max_seconds = int(settings.LAUNCHBOOK_SESSION_MAX_HOURS) * 3600
        reason = None
        if now - int(seen_at) > idle_seconds:
            reason = f"You were signed out after {duration_words(timedelta(seconds=idle_seconds))} without activity."
        elif now - int(signed_in_at) > max_seconds:
            reason = f"You were signed out: a sign-in lasts at most {duration_words(timedelta(seconds=max_seconds))}."
        if reason is not None:
            logout(request)
            if not request.path.startswith("/api/"):
                messages.info(request, reason + " Sign in again to go on.")
            return
        if now - int(seen_at) >= SEEN_RESOLUTION_SECONDS:
            session[SESSION_SEEN_AT] = now


# --- secrets in answers -------------------------------------------------------------------------


def no_store(response: HttpResponse) -> HttpResponse:
    """Mark an answer that shows a secret (a new API key, a webhook secret, a calendar URL) so no
    browser or proxy cache keeps it."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response
