"""API tokens: a key is shown once, only its SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import InvalidRequest
from booking.models import ApiToken
from customers.models import Customer, Membership, new_calendar_token
from customers.selectors import get_membership_for

from .events import Actor, event_record
from .locking import lock_api_token, lock_customer, lock_user_api_tokens

TOKEN_PREFIX_LENGTH = 8
TOKEN_NAME_MAX_LENGTH = 80


def api_token_digest(key: str) -> str:
    """The stored form of a key. Keys carry 256 bits of randomness, so a plain hash is enough."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_default_expiry(*, now: datetime | None = None) -> datetime | None:
    """When a token issued now expires: ``LAUNCHBOOK_API_TOKEN_DAYS`` from now, or never."""
    days = getattr(settings, "LAUNCHBOOK_API_TOKEN_DAYS", None)
    if not days:
        return None
    return (now or timezone.now()) + timedelta(days=days)


def api_token_create(
    *,
    user: AbstractBaseUser,
    name: str,
    membership: Membership | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a new token for ``user`` acting for ``membership`` (default: the user's first).

    Returns the row and the key, which is never stored. ``expires_at`` defaults to
    ``api_token_default_expiry()``.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidRequest(_("A token needs a name, e.g. the system that will use it."))
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise InvalidRequest(
            _("A token name has at most %(token_name_max_length)s characters.")
            % {"token_name_max_length": TOKEN_NAME_MAX_LENGTH}
        )
    if not user.is_active:
        raise InvalidRequest(_("An inactive user cannot be given an API token."))
    if membership is None:
        membership = get_membership_for(user)
    elif membership.user_id != user.pk:
        raise InvalidRequest(_("A token acts for one of its user's own memberships."))
    now = timezone.now()
    if expires_at is None:
        expires_at = api_token_default_expiry(now=now)
    elif expires_at <= now:
        raise InvalidRequest(_("A token's expiry must be in the future."))
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=user.pk,
            membership=membership,
            name=name,
            prefix=key[:TOKEN_PREFIX_LENGTH],
            key_digest=api_token_digest(key),
            expires_at=expires_at,
        )
        organisation = f" for {membership.customer}" if membership else ""
        event_record(
            verb="api_token.created",
            subject=token,
            actor=user,
            after={
                "name": name,
                "prefix": token.prefix,
                "membership": membership.pk if membership else None,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
            message=f"API token {name!r} ({token.prefix}…) created for {user.get_username()}{organisation}",
        )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Revoke ``token``; a revoked token authenticates nothing. Revoking twice is harmless."""
    with transaction.atomic():
        token = lock_api_token(token=token)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            verb="api_token.revoked",
            subject=token,
            actor=actor,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at},
            message=f"API token {token.name!r} ({token.prefix}…) revoked",
        )
    return token


def api_tokens_revoke_for_user(*, user: AbstractBaseUser, reason: str) -> int:
    """Revoke every live token of ``user`` (e.g. because the password changed); returns how many.

    Each token gets its own ``api_token.revoked`` event, with the reason, so the audit history
    shows why an integration stopped working.
    """
    revoked = 0
    with transaction.atomic():
        tokens = lock_user_api_tokens(user=user)
        now = timezone.now()
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            event_record(
                verb="api_token.revoked",
                subject=token,
                actor=user,
                before={"revoked_at": None},
                after={"revoked_at": now, "reason": reason},
                message=f"API token {token.name!r} ({token.prefix}…) revoked: {reason}",
            )
            revoked += 1
    return revoked


def calendar_token_rotate(*, customer: Customer, actor: Actor) -> Customer:
    """Give ``customer`` a new calendar feed address; the old one answers 404 from now on."""
    with transaction.atomic():
        customer = lock_customer(customer_id=customer.pk, what=f"{customer}'s calendar address")
        customer.calendar_token = new_calendar_token()
        customer.save(update_fields=["calendar_token"])
        event_record(
            verb="customer.calendar_token_rotated",
            subject=customer,
            actor=actor,
            customer=customer,
            message=f"{customer} has a new calendar address; the old one no longer works",
        )
    return customer
