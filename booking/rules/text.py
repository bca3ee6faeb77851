"""Wording shared by the services' answers: site closures, unreachable inclinations and slips.
Pure: no database.

Times are written by ``booking.dates``, the one home of time formats.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from booking.dates import clock, span_text, when_short
from booking.errors import InvalidRequest
from vehicles.models import (
    LaunchSite,
    SiteClosure,
)
from vehicles.orbits import (
    is_inclination_reachable,
    reachable_inclination_range,
)

_span_text = span_text  # the schedule's modules know it by this name


def _require_aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:  # naive, as Django's is_naive says
            raise InvalidRequest(
                _("%(field)s must carry a time zone (e.g. UTC).") % {"field": name.replace("_", " ")}
            )


def closure_text(closure: SiteClosure, site: LaunchSite | None = None, *, brief: bool = False) -> str:
    """A site closure: "Taiyuan closed for airspace 2030-03-05 10:00–16:00 UTC: Air force exercise".

    ``brief`` is the readiness check's form, where the site goes without saying:
    "airspace closed 11 Mar 01:00–03:00 UTC: airspace for a state launch".
    """
    reason = f": {closure.reason}" if closure.reason else ""
    kind = closure.get_kind_display().lower()
    if brief:
        starts = when_short(closure.starts_at).removesuffix(" UTC")
        return _("%(kind)s closed %(starts)s–%(ends)s UTC%(reason)s") % {
            "kind": kind,
            "starts": starts,
            "ends": clock(closure.ends_at.astimezone(UTC)),
            "reason": reason,
        }
    site = site or closure.site
    return _("%(site)s closed for %(kind)s %(span)s%(reason)s") % {
        "site": site.name,
        "kind": kind,
        "span": span_text(closure.starts_at, closure.ends_at),
        "reason": reason,
    }


def inclination_problem(site: LaunchSite, inclination_deg: float | Decimal) -> str | None:
    """Why ``inclination_deg`` cannot be flown directly from ``site``, or None if it can."""
    if is_inclination_reachable(site.latitude, inclination_deg):
        return None
    lowest, highest = reachable_inclination_range(site.latitude)
    hemisphere = "N" if site.latitude >= 0 else "S"
    return _(
        "%(site)s at %(latitude).2f° %(hemisphere)s cannot reach %(inclination).2f° directly "
        "(reachable: %(lowest).2f°–%(highest).2f°)"
    ) % {
        "site": site.name,
        "latitude": abs(float(site.latitude)),
        "hemisphere": hemisphere,
        "inclination": float(inclination_deg),
        "lowest": lowest,
        "highest": highest,
    }


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


def count_text(count: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun: "1 reservation", "2 reservations", "0 claims"."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
