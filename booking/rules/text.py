"""Wording shared by the schedule's answers: times (UTC, to the minute), spans, site closures,
unreachable inclinations and slips. Pure: no database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from booking.errors import InvalidRequest
from vehicles.models import (
    LaunchSite,
    SiteClosure,
)
from vehicles.orbits import (
    is_inclination_reachable,
    reachable_inclination_range,
)


def when(moment: datetime) -> str:
    """A time for messages: UTC, to the minute."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _span_text(start: datetime, end: datetime) -> str:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"


def _require_aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:  # naive, as Django's is_naive says
            raise InvalidRequest(f"{name.replace('_', ' ')} must carry a time zone (e.g. UTC).")


def closure_text(closure: SiteClosure, site: LaunchSite | None = None) -> str:
    site = site or closure.site
    reason = f": {closure.reason}" if closure.reason else ""
    return f"{site.name} closed for {closure.get_kind_display().lower()} {_span_text(closure.starts_at, closure.ends_at)}{reason}"


def inclination_problem(site: LaunchSite, inclination_deg: float | Decimal) -> str | None:
    """Why ``inclination_deg`` cannot be flown directly from ``site``, or None if it can."""
    if is_inclination_reachable(site.latitude, inclination_deg):
        return None
    lowest, highest = reachable_inclination_range(site.latitude)
    hemisphere = "N" if site.latitude >= 0 else "S"
    return (
        f"{site.name} at {abs(float(site.latitude)):.2f}° {hemisphere} cannot reach "
        f"{float(inclination_deg):.2f}° directly (reachable: {lowest:.2f}°–{highest:.2f}°)"
    )


def _delta_text(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else ""
    minutes = (
        abs(int(delta.total_seconds() // 60)) if delta >= timedelta(0) else int(-delta.total_seconds() // 60)
    )
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours or (days and mins):
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return sign + " ".join(parts)
