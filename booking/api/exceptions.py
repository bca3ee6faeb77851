"""Every refusal becomes a JSON answer with a status an integrator can act on; never a 500.

``InvalidRequest`` → 400, ``Conflict`` → 409 with ``detail`` and ``reasons``, ``Busy`` → 409 with
Retry-After. Django's own refusals (404, permission, oversized body) map to their HTTP meaning.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import exceptions, status
from rest_framework.response import Response

from booking.dates import LATEST_ACCEPTED_MESSAGE, is_out_of_range_date_error
from booking.errors import Busy, Conflict, InvalidRequest

logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class IdempotencyMismatch(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."
    default_code = "idempotency_key_in_progress"


def _service_error_response(exc: InvalidRequest | Conflict) -> Response:
    body: dict = {"detail": exc.message}
    if exc.reasons:
        body["reasons"] = list(exc.reasons)
    headers = {}
    code: int
    if isinstance(exc, Busy):
        headers["Retry-After"] = str(exc.retry_after_seconds)
        code = status.HTTP_409_CONFLICT
    elif isinstance(exc, Conflict):
        code = status.HTTP_409_CONFLICT
    else:
        code = status.HTTP_400_BAD_REQUEST
    return Response(body, status=code, headers=headers)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    # rest_framework.views reads the API settings, which name this module: import late.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, InvalidRequest | Conflict):
        set_rollback()
        return _service_error_response(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.messages)
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request could not be read.")
    elif isinstance(exc, ValueError) and is_out_of_range_date_error(exc):
        # A date a field let through ran past year 9999 in the arithmetic (a window plus its
        # transit and turnaround): the input is at fault. Fields declared as
        # AcceptedDateTimeField refuse such dates up front with the field's name.
        logger.info("API date out of range: %s", exc)
        exc = exceptions.ParseError(LATEST_ACCEPTED_MESSAGE)
    elif isinstance(exc, DataError | OverflowError):
        # A value the database cannot hold (e.g. an id past 2^63): the input is at fault.
        logger.info("API input out of range: %s", exc)
        exc = exceptions.ParseError("A value in the request is out of range.")
    return drf_exception_handler(exc, context)
