"""The one rule for how far ahead a date may lie, shared by the API's fields and the admin's forms.

Python's datetimes end in year 9999; plans add windows, transits and turnarounds to what is asked,
so a date near the end would overflow half-way through a computation. Nothing is sold that far
ahead: dates after ``LATEST_ACCEPTED`` are refused as input, with this message.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import ValidationError

LATEST_ACCEPTED = datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
LATEST_ACCEPTED_MESSAGE = "Send a date no later than 2199-12-31 (UTC)."


def validate_accepted_datetime(value: datetime | None) -> None:
    """Raises ValidationError for a date past ``LATEST_ACCEPTED``; None passes (optional fields)."""
    if value is None:
        return
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if aware > LATEST_ACCEPTED:
        raise ValidationError(LATEST_ACCEPTED_MESSAGE, code="too_far_ahead")


def is_out_of_range_date_error(exc: BaseException) -> bool:
    """True for the errors Python's date arithmetic raises past year 9999 (or before year 1)."""
    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, ValueError) and "out of range" in str(exc) and "year" in str(exc)
