"""``Authorization: Token <key>`` against ApiToken rows (digest stored, revocable)."""

from __future__ import annotations

import functools
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from booking.dates import when
from booking.models import ApiToken
from booking.services.tokens import api_token_digest
from customers.selectors import (
    customer_ids_from_text,
    member_customer_ids_subquery,
    remember_customer_ids,
    user_language,
)
from launchbook.languages import request_language_apply

# last_used_at is a hint for people, not an audit trail: write it at most once a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_KEY_LENGTH = 200


@functools.cache
def _live_tokens() -> QuerySet[ApiToken]:
    """The tokens not revoked, with their user, profile, membership and the user's organisations.

    Built once per process: every request asks it, and building the joins and the organisations'
    subquery cost a third of the token's lookup. A queryset is a template (each ``filter`` copies
    it; none is ever evaluated here), so sharing it between threads is safe.
    """
    return (
        ApiToken.objects.select_related("user__profile", "membership__customer")
        .annotate(member_customer_ids=member_customer_ids_subquery())
        .filter(revoked_at__isnull=True)
    )


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as 'Authorization: Token <key>'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        if len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        token = _live_tokens().filter(key_digest=api_token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid or has been revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The user of this token is inactive."))
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _(
                    "This token expired at %(expired)s; create a new one in the portal's Integrations "
                    "page or with POST /api/v1/auth/token/."
                )
                % {"expired": when(token.expires_at)}
            )
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        # This user object lives for this request only: reads asked several times per request
        # are kept on it, starting with the organisations it belongs to, read with the token.
        remember_customer_ids(token.user, customer_ids_from_text(token.member_customer_ids))
        # The answer is written in the token user's language, else the browser's (Accept-Language).
        request_language_apply(getattr(request, "_request", request), user_language(token.user))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "booking.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API token from POST /api/v1/auth/token/, sent as `Token <key>`.",
        }
