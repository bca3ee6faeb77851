"""The one rule for how far ahead a date may lie, shared by the API's fields and the admin's forms.

Python's datetimes end in year 9999; plans add windows, transits and turnarounds to what is asked,
so a date near the end would overflow half-way through a computation. Nothing is sold that far
ahead: dates after ``LATEST_ACCEPTED`` are refused as input, with this message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

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


# --- a site's local time: what an operator types in, what a page shows ---------------------------


class LocalTimeError(ValueError):
    """A wall-clock time that does not exist in the zone (the hour the clocks skip)."""


def local_to_utc(wall: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of the wall-clock time ``wall`` (naive) in ``zone``.

    A time the clocks skip (spring forward) does not exist: refused with the zone named. A time
    that happens twice (fall back) is read as the first of the two.
    """
    if wall.tzinfo is not None:
        return wall.astimezone(UTC)
    local = wall.replace(tzinfo=zone, fold=0)
    back = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != wall:
        raise LocalTimeError(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks skip that hour "
            f"(the same moment reads {back:%H:%M})."
        )
    return local.astimezone(UTC)


def utc_to_local_input(moment: datetime, zone: tzinfo) -> str:
    """An instant as a datetime-local input's value in ``zone``: "2030-03-10T14:00"."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def in_zone(moment: datetime | None, zone: tzinfo, *, year: bool = True) -> str:
    """An instant for a page that shows one time zone: "2030-03-10 14:00 CST" (or "10 Mar 14:00 CST")."""
    if moment is None:
        return "—"
    local = moment.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M" if year else "%d %b %H:%M")
    return f"{text} {local.tzname()}"


_UTC_IN_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(?:–(\d{2}:\d{2}))? UTC")


def rezone_text(text: str, zone: tzinfo) -> str:
    """A message's UTC times ("2030-03-11 20:00 UTC", "2030-03-05 10:00–16:00 UTC") written in the
    page's zone, so a page shows one time zone: "2030-03-12 04:00 CST"."""
    if zone in (UTC,) or str(zone) == "UTC":
        return text

    def local(match: re.Match[str]) -> str:
        start = datetime.strptime(f"{match[1]} {match[2]}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        if match[3] is None:
            return in_zone(start, zone)
        end = datetime.strptime(f"{match[1]} {match[3]}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        a, b = start.astimezone(zone), end.astimezone(zone)
        if a.date() == b.date():
            return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M} {b.tzname()}"
        return f"{in_zone(start, zone)} – {in_zone(end, zone)}"

    return _UTC_IN_TEXT.sub(local, text)
