"""What every API view shares: body cap, Idempotency-Key, paging, throttling, strict JSON."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers, throttling
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings

from launchbook.security import no_store

from .exceptions import PayloadTooLarge
from .idempotency import Replay, idempotency_claim, idempotency_finish


def body_limit_bytes() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 1024 * 1024)


def _reject_unencodable(value: Any, depth: int = 0) -> None:
    """Refuse strings the database cannot store (lone surrogates, NUL) anywhere in a JSON body."""
    if depth > 50:
        raise exceptions.ParseError("The JSON body is nested too deeply.")
    if isinstance(value, str):
        if "\x00" in value:
            raise exceptions.ParseError("Text may not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise exceptions.ParseError("Text must be valid Unicode (no lone surrogates).") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_unencodable(key, depth + 1)
            _reject_unencodable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _reject_unencodable(item, depth + 1)


class StrictJSONParser(parsers.JSONParser):
    """JSON only, at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes, every string storable."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = body_limit_bytes()
        if stream is not None and hasattr(stream, "read"):
            raw = stream.read(limit + 1)
            if len(raw) > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
            stream = io.BytesIO(raw)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("The JSON body is nested too deeply.") from exc
        _reject_unencodable(data)
        return data


class CappedPagination(PageNumberPagination):
    """``?page_size=`` from 1 up; anything above 100 is served as 100. Nonsense is a 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({self.page_size_query_param: ["Send a whole number from 1."]})
        return min(int(raw), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (not raw.isascii() or not raw.isdigit() or int(raw) < 1):
            raise exceptions.ValidationError({self.page_query_param: ["Send a page number from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page, 1 to {self.max_page_size} (default {self.page_size})."
                )
        return parameters


SECRET_KEYS = ("token", "secret")


def shows_a_secret(data: Any) -> bool:
    """An answer with a new API key or a webhook secret in it (at the top, in a list or a page of
    results): such answers are marked ``Cache-Control: no-store``."""
    if isinstance(data, dict):
        if any(data.get(key) for key in SECRET_KEYS):
            return True
        results = data.get("results")
        return isinstance(results, list) and shows_a_secret(results)
    if isinstance(data, list):
        return any(isinstance(item, dict) and any(item.get(key) for key in SECRET_KEYS) for item in data)
    return False


class _RatesFromSettings:
    """Read the rate from settings at request time, so a settings change (or a test) takes effect."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserTokenRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    """Per user: all of a user's tokens and sessions share one budget."""

    scope = "user"


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    scope = "anon"


class LoginRateThrottle(_RatesFromSettings, throttling.SimpleRateThrottle):
    """Password attempts at auth/token/, per client address, whoever is logged in."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiViewMixin:
    """Mixed into every API view: checks the body size first, then applies Idempotency-Key."""

    _idempotency_claim = None

    def initial(self, request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            too_large = int(length) > body_limit_bytes()
        except ValueError:
            too_large = False
        if too_large:
            raise PayloadTooLarge(f"The request body is larger than {body_limit_bytes()} bytes.")
        super().initial(request, *args, **kwargs)
        self._idempotency_claim = idempotency_claim(request)

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        claim, self._idempotency_claim = self._idempotency_claim, None
        if claim is not None:
            idempotency_finish(claim, response)
        response = super().finalize_response(request, response, *args, **kwargs)
        if shows_a_secret(getattr(response, "data", None)):
            no_store(response)
        return response

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except BaseException:
            # An unhandled error: release the key so the client's retry runs again.
            claim, self._idempotency_claim = self._idempotency_claim, None
            if claim is not None:
                type(claim).objects.filter(pk=claim.pk).delete()
            raise
