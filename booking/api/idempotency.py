"""``Idempotency-Key`` on POST: the first answer is stored and replayed, never computed twice.

- same key, same request (method, path, body) → the stored status and body, with
  ``Idempotent-Replayed: true``;
- same key, another request → 422;
- same key while the first request is still running → 409 (retry shortly).

The key is claimed by inserting a row (unique per user and key) in its own transaction before the
view runs, so of twenty concurrent identical requests exactly one runs the view. Answers that
invite a retry (5xx, 409 Busy with Retry-After, 429) release the key instead of being stored.
Keys live for 24 hours; a claim left ``in_progress`` for 5 minutes (a crashed process) lapses.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from booking.models import IdempotencyKey

from .exceptions import IdempotencyInProgress, IdempotencyMismatch
from .permissions import acting_membership

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 200
KEY_LIFETIME = timedelta(hours=24)
IN_PROGRESS_LAPSE = timedelta(minutes=5)


class Replay(Exception):
    """Raised before the view runs to answer with a stored response."""

    def __init__(self, response: Response) -> None:
        super().__init__("idempotent replay")
        self.response = response


def request_digest(request: Request) -> str:
    """SHA-256 over the organisation acted for, method, path with query and the body (JSON bodies
    compared by meaning). A key names one request of one organisation: sent again for another of
    the user's organisations it is a different request (422), never a replay of the first answer."""
    membership = acting_membership(request)
    body: bytes = request._request.body  # noqa: SLF001 - the raw bytes, read once and cached
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):
        canonical = body
    digest = hashlib.sha256()
    acting_for = str(membership.pk if membership is not None else "-").encode()
    path = request.get_full_path().encode("utf-8", "replace")
    for part in (acting_for, (request.method or "").encode(), path, canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _validated_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise exceptions.ValidationError(
            {HEADER: [f"Send 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID."]}
        )
    return key


def idempotency_claim(request: Request) -> IdempotencyKey | None:
    """Claim the request's key; ``None`` when the request carries none (or is not a user's POST).

    Raises ``Replay`` with the stored answer, ``IdempotencyMismatch`` (422) or
    ``IdempotencyInProgress`` (409).
    """
    raw = request.META.get(META_KEY)
    if request.method != "POST" or raw is None or not request.user.is_authenticated:
        return None
    key = _validated_key(raw)
    digest = request_digest(request)
    now = timezone.now()
    for _ in range(3):
        try:
            return _insert_claim(request, key=key, digest=digest)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if existing is None:
            continue  # released between our insert and our read: claim again
        stale = existing.created_at < now - KEY_LIFETIME or (
            existing.state == IdempotencyKey.State.IN_PROGRESS
            and existing.created_at < now - IN_PROGRESS_LAPSE
        )
        if stale:
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.request_digest != digest:
            raise IdempotencyMismatch()
        if existing.state == IdempotencyKey.State.IN_PROGRESS:
            raise IdempotencyInProgress()
        replay = Response(existing.response_body, status=existing.response_status)
        replay["Idempotent-Replayed"] = "true"
        raise Replay(replay)
    raise IdempotencyInProgress()


def _insert_claim(request: Request, *, key: str, digest: str) -> IdempotencyKey:
    """Insert the claim row, committed at once.

    Outside a transaction (a request) the INSERT autocommits: one round trip instead of BEGIN,
    INSERT, COMMIT. Inside one (a test's transaction) a savepoint keeps a clash from breaking it.
    Every POST with a key writes one, so it is one prepared statement, not a model save.
    """
    fields: dict[str, Any] = {
        "user": request.user,
        "key": key,
        "method": request.method,
        "path": request.path[:300],
        "request_digest": digest,
        "created_at": timezone.now(),
    }
    claim = IdempotencyKey(**fields)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        claim.pk = _insert_claim_row(connection, claim)
        return claim
    with transaction.atomic():
        claim.pk = _insert_claim_row(connection, claim)
    return claim


def _insert_claim_row(connection: Any, claim: IdempotencyKey) -> int:
    """INSERT … RETURNING the new id; a clash on the user's key raises ``IntegrityError``."""
    meta = IdempotencyKey._meta
    quote = connection.ops.quote_name
    columns = ("user_id", "key", "method", "path", "request_digest", "state", "created_at")
    values = (
        claim.user_id,
        claim.key,
        claim.method,
        claim.path,
        claim.request_digest,
        claim.state,
        connection.ops.adapt_datetimefield_value(claim.created_at),
    )
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone()[0]


def idempotency_finish(claim: IdempotencyKey, response: Response) -> None:
    """Store the answer for replay, or release the key when the client should retry."""
    retryable = response.status_code >= 500 or response.status_code == 429 or "Retry-After" in response
    if retryable:
        IdempotencyKey.objects.filter(pk=claim.pk).delete()
        return
    # One UPDATE with the body as JSON text, encoded once (the JSON field would encode it again).
    connection = transaction.get_connection()
    meta = IdempotencyKey._meta
    quote = connection.ops.quote_name
    as_json = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {quote('state')} = %s, {quote('response_status')} = %s, "
            f"{quote('response_body')} = {as_json} WHERE {quote(meta.pk.column)} = %s",
            (
                IdempotencyKey.State.COMPLETED,
                response.status_code,
                None if response.data is None else json.dumps(response.data, cls=DjangoJSONEncoder),
                claim.pk,
            ),
        )
