"""Dates and times for people, in one place: how each is written, and how far ahead one may lie.

How times are written (every message, admin table and e-mail of ``booking`` uses these; the
templates use the same shapes through ``booking.templatetags.times``):

- ``when``: 2030-03-05 10:00 UTC; ``when_short``: 05 Mar 10:00 UTC; ``span_text``: 2030-03-05
  10:00–16:00 UTC (both full times across days); ``day_text``: 05 Mar 2030; ``day_month``: 5 Mar; ``date_text``: 05 Mar 2030 (a calendar day, no zone);
  ``day_short``: 05 Mar; ``hour_text``: 10:00 UTC (all in UTC);
- ``minute_text`` (2030-03-05 10:00) and ``second_text`` (2030-03-05 10:00:05): UTC, for tables
  whose heading says "(UTC)";
- in the moment's own zone (the caller converts to the site's or the user's first): ``clock``
  (21:00), ``clock_zone`` (21:00 CST), ``day_iso`` (2030-03-05: a date as it was asked for, and
  the admin's URL parameters), ``hour_key`` (2030-03-05T10: a key, not for people).

The vehicles app sits below booking and keeps its own two (a closure's name, a range's free time).

How far ahead: Python's datetimes end in year 9999; plans add windows, transits and turnarounds
to what is asked, so a date near the end would overflow half-way through a computation. Nothing
is sold that far ahead: dates after ``LATEST_ACCEPTED`` are refused as input, with this message.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, gettext_lazy

# --- how times are written ----------------------------------------------------------------------


def when(moment: datetime | None) -> str:
    """A time for messages: UTC, to the minute ("2030-03-05 10:00 UTC")."""
    if moment is None:
        return "an unknown time"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _chinese() -> bool:
    """Whether the active language writes dates the Chinese way (2030年3月5日)."""
    return (get_language() or "").startswith("zh")


def when_short(moment: datetime) -> str:
    """A time within the next weeks, without the year: "05 Mar 10:00 UTC" (3月5日 10:00 UTC)."""
    moment = moment.astimezone(UTC)
    if _chinese():
        return f"{moment.month}月{moment.day}日 {moment:%H:%M} UTC"
    return moment.strftime("%d %b %H:%M UTC")


def day_text(moment: datetime) -> str:
    """A day: "05 Mar 2030" (2030年3月5日) (UTC)."""
    moment = moment.astimezone(UTC)
    if _chinese():
        return f"{moment.year}年{moment.month}月{moment.day}日"
    return moment.strftime("%d %b %Y")


def date_text(day: date) -> str:
    """A calendar day as it was given (a payment's day, not a moment): "05 Mar 2030"."""
    return day.strftime("%d %b %Y")


def day_month(moment: datetime) -> str:
    """A day of the year ahead, unpadded: "5 Mar" (3月5日) (UTC)."""
    moment = moment.astimezone(UTC)
    if _chinese():
        return f"{moment.month}月{moment.day}日"
    return f"{moment.day} {moment:%b}"


def day_short(moment: datetime) -> str:
    """A day on a chart's axis: "05 Mar" (3月5日) (UTC)."""
    moment = moment.astimezone(UTC)
    if _chinese():
        return f"{moment.month}月{moment.day}日"
    return moment.strftime("%d %b")


def span_text(start: datetime, end: datetime) -> str:
    """A span: "2030-03-05 10:00–16:00 UTC", or both full times across days."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if start.date() == end.date():
        return f"{minute_text(start)}–{end:%H:%M} UTC"
    return f"{minute_text(start)} – {minute_text(end)} UTC"


def hour_text(moment: datetime) -> str:
    """The hour a forecast is for: "10:00 UTC"."""
    return moment.astimezone(UTC).strftime("%H:00 UTC")


def minute_text(moment: datetime) -> str:
    """UTC to the minute, for tables headed "(UTC)": "2030-03-05 10:00"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def second_text(moment: datetime) -> str:
    """UTC to the second, for audit tables headed "(UTC)": "2030-03-05 10:00:05"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def clock(moment: datetime | time) -> str:
    """The time of day in the moment's own zone (the site's, converted by the caller), or a time
    of day as it is: "21:00"."""
    return moment.strftime("%H:%M")


def axis_tick(moment: datetime, *, hourly: bool, zone: tzinfo = UTC) -> str:
    """A tick on a chart's time axis (in ``zone``, UTC unless the page shows another): "06:00"
    between days on an hourly axis, "05 Mar 00:00" at midnight, "05 Mar" on a daily axis."""
    moment = moment.astimezone(zone)
    if not hourly:
        return f"{moment.month}月{moment.day}日" if _chinese() else moment.strftime("%d %b")
    if moment.hour == 0 and moment.minute == 0:
        return f"{moment.month}月{moment.day}日 00:00" if _chinese() else moment.strftime("%d %b %H:%M")
    return moment.strftime("%H:%M")


def clock_zone(moment: datetime) -> str:
    """The time of day in the moment's own zone, with the zone: "21:00 CST"."""
    return moment.strftime("%H:%M %Z")


def day_iso(moment: datetime) -> str:
    """The date in the moment's own zone: "2030-03-05" (a date as asked for; URL parameters)."""
    return moment.strftime("%Y-%m-%d")


def iso_utc(moment: datetime) -> str:
    """The moment in UTC, ISO 8601 to the second: "2030-03-05T10:00:00Z" (exports, for machines)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hour_key(moment: datetime) -> str:
    """The hour in the moment's own zone as a key, not for people: "2030-03-05T10"."""
    return moment.strftime("%Y-%m-%dT%H")


#: The shapes the templates write times in (``{{ moment|shown:"moment" }}``,
#: ``booking.templatetags.times``), as Django's date format characters, in the user's time zone.
SHOWN_FORMATS = {
    "day": "j M Y",
    "moment": "j M Y, H:i T",
    "moment_weekday": "D j M Y, H:i T",
    "moment_no_zone": "j M Y, H:i",
    "moment_compact": "j M Y H:i",
    "day_clock_weekday": "D j M, H:i T",
    "day_clock_zone": "j M, H:i T",
    "day_clock": "j M H:i",
    "span_end": "j M H:i T",
    "clock_weekday": "D H:i T",
    "clock_zone": "H:i T",
    "clock": "H:i",
    "clock_seconds": "H:i:s T",
    "zone": "T",
    "padded_day_clock": "d M H:i",
    "padded_moment": "d M Y H:i",
    "iso_day": "Y-m-d",
    "iso_minute": "Y-m-d H:i",
}

#: The same shapes as Chinese readers write them (2026年12月2日 14:05); a shape missing here is
#: written as in English. Django's date characters; 年, 月 and 日 are literal.
SHOWN_FORMATS_BY_LANGUAGE = {
    "zh-hans": {
        "day": "Y年n月j日",
        "moment": "Y年n月j日 H:i T",
        "moment_weekday": "Y年n月j日（D）H:i T",
        "moment_no_zone": "Y年n月j日 H:i",
        "moment_compact": "Y年n月j日 H:i",
        "day_clock_weekday": "n月j日（D）H:i T",
        "day_clock_zone": "n月j日 H:i T",
        "day_clock": "n月j日 H:i",
        "span_end": "n月j日 H:i T",
        "padded_day_clock": "m月d日 H:i",
        "padded_moment": "Y年m月d日 H:i",
    },
}


def shown_format(shape: str) -> str:
    """The date format of ``shape`` in the active language (``SHOWN_FORMATS`` for English)."""
    return SHOWN_FORMATS_BY_LANGUAGE.get(get_language() or "", {}).get(shape, SHOWN_FORMATS[shape])


# --- how far ahead -------------------------------------------------------------------------------

LATEST_ACCEPTED = datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
LATEST_ACCEPTED_MESSAGE = gettext_lazy("Send a date no later than 2199-12-31 (UTC).")


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
            gettext(
                "%(wall)s does not exist in %(zone)s: the clocks skip that hour (the same moment reads %(back)s)."
            )
            % {"wall": f"{wall:%Y-%m-%d %H:%M}", "zone": zone, "back": f"{back:%H:%M}"}
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
