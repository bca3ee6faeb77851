"""What every API view shares: body cap, Idempotency-Key, paging, throttling, strict JSON."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from django.core.paginator import Page
from django.db.models import QuerySet
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
        if (raw is None or int(raw) == 1) and isinstance(queryset, QuerySet):
            return self._first_page(queryset, request)
        return super().paginate_queryset(queryset, request, view)

    def _first_page(self, queryset: QuerySet, request) -> list:
        """The first page, rows first: when they are fewer than a page they are the whole list and
        their number is the count, so the COUNT query is skipped (a short list costs one query);
        a full page counts after it (two, as before)."""
        self.request = request
        page_size = self.get_page_size(request)
        rows = list(queryset[:page_size])
        if len(rows) < page_size:
            self.page = self.django_paginator_class(rows, page_size).page(1)
            return rows
        paginator = self.django_paginator_class(queryset, page_size)
        paginator.count = queryset.count()  # a cached_property: set once, read by the answer
        self.page = Page(rows, 1, paginator)
        return rows

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


class SlidingWindowThrottle(_RatesFromSettings, throttling.SimpleRateThrottle):
    """The rate as a sliding-window counter: two small integers in the cache per client, whatever
    the rate.

    DRF's own throttle keeps every request's timestamp in one cached list and reads and writes the
    whole list on every request: at a lifted rate (the benches run at a million a minute) that list
    holds thousands of entries. Here each window of ``duration`` seconds has a counter; the load is
    the current window's count plus the previous window's, weighted by the share of it still inside
    the last ``duration`` seconds (Cloudflare's estimate). Refused requests are not counted.

    On Redis (production) one pipelined round trip counts the request and reads the previous
    window (``INCR``, ``EXPIRE``, ``GET``); a refusal takes its count back (``DECR``, a second round
    trip only when refusing). On any other cache one ``get_many`` reads both counters and one
    ``incr`` counts an allowed request (``add`` on the window's first).
    """

    num_requests: int
    duration: int

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window, elapsed = divmod(self.now, self.duration)
        current, previous = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        self.elapsed = elapsed
        backend = caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache
        if isinstance(backend, RedisCache):
            return self._allow_on_redis(backend, current, previous)
        counts = self.cache.get_many([current, previous])
        self.counts = (int(counts.get(previous, 0)), int(counts.get(current, 0)))
        if self.load() >= self.num_requests:
            return self.throttle_failure()
        try:
            self.cache.incr(current)
        except ValueError:  # the window's first request (or the key lapsed meanwhile)
            if not self.cache.add(current, 1, timeout=2 * self.duration):
                self.cache.incr(current)
        return True

    def _allow_on_redis(self, backend: RedisCache, current: str, previous: str) -> bool:
        """Count first, in one round trip; the load is then judged without this request."""
        current_key, previous_key = backend.make_key(current), backend.make_key(previous)
        client = backend._cache.get_client(current_key, write=True)  # noqa: SLF001 - the pipeline
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(current_key)
        pipeline.expire(current_key, 2 * self.duration)
        pipeline.get(previous_key)
        counted, _, previous_count = pipeline.execute()
        self.counts = (int(previous_count or 0), int(counted) - 1)
        if self.load() >= self.num_requests:
            client.decr(current_key)
            return self.throttle_failure()
        return True

    def load(self, elapsed: float | None = None) -> float:
        previous, current = self.counts
        share_left = 1 - (self.elapsed if elapsed is None else elapsed) / self.duration
        return previous * max(share_left, 0.0) + current

    def wait(self):
        """Seconds until one more request would be allowed (at least 1)."""
        previous, current = self.counts
        if current >= self.num_requests or not previous:
            return max(self.duration - self.elapsed, 1)
        # previous * (1 - t / duration) + current < num_requests, solved for t
        allowed_at = self.duration * (1 - (self.num_requests - current) / previous)
        return max(allowed_at - self.elapsed, 1)


class UserTokenRateThrottle(SlidingWindowThrottle):
    """Per user: all of a user's tokens and sessions share one budget."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return f"throttle_user_{request.user.pk}"


class AnonRateThrottle(SlidingWindowThrottle):
    """Per client address, for requests that are not signed in."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"throttle_anon_{self.get_ident(request)}"


class LoginRateThrottle(SlidingWindowThrottle):
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
