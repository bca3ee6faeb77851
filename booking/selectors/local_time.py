"""Sun-synchronous local time: a launch's daily window, and whether a payload's LTAN matches it.

One place for the rule every front end shows and every booking path asks:

- a launch with a local time of the ascending node (``Launch.ltan``) has an instantaneous window that
  opens at the same UTC time every day: ``vehicles.orbits.sso_launch_time_utc`` from the LTAN, the
  site's latitude and longitude, the launch's inclination and the pass the site flies
  (``rules.local_time.launch_pass_for``);
- a rideshare launch takes a payload asking for an LTAN only when the launch has one within
  ``settings.LAUNCHBOOK_LTAN_TOLERANCE_MINUTES`` of it (across midnight: 23:50 and 00:10 are 20 minutes
  apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings

from booking.dates import clock as clock_of_day
from booking.dates import when
from booking.models import Launch
from booking.rules.local_time import clock, launch_pass_for
from customers.models import Payload
from vehicles.models import LaunchSite
from vehicles.orbits import OrbitError, local_time_gap_minutes, sso_launch_time_utc


def ltan_tolerance_minutes() -> int:
    return int(settings.LAUNCHBOOK_LTAN_TOLERANCE_MINUTES)


@dataclass(frozen=True)
class DailyWindow:
    """The UTC time of day a sun-synchronous launch lifts off, and the LTAN it follows from."""

    utc: time
    ltan: time

    @property
    def text(self) -> str:
        return f"window {clock(self.utc)} UTC daily, LTAN {clock(self.ltan)}"


def daily_launch_time(
    *, site: LaunchSite, inclination_deg: Decimal | float, ltan: time, on: date
) -> datetime:
    """The instant on the UTC day ``on`` when ``site`` lies in the plane with local time ``ltan``.

    Raises ``OrbitError`` when the site cannot fly the plane (an inclination it does not reach).
    """
    return sso_launch_time_utc(
        launch_date=on,
        ltan=ltan,
        latitude_deg=site.latitude,
        longitude_deg=site.longitude,
        inclination_deg=inclination_deg,
        launch_pass=launch_pass_for(float(site.latitude)),
    )


def launch_daily_window(launch: Launch) -> DailyWindow | None:
    """The launch's daily window, or ``None`` when it has no LTAN (or its site cannot fly it)."""
    if launch.ltan is None:
        return None
    try:
        moment = daily_launch_time(
            site=launch.site,
            inclination_deg=launch.inclination_deg,
            ltan=launch.ltan,
            on=launch.window_start.date(),
        )
    except OrbitError:
        return None
    return DailyWindow(utc=moment.time().replace(second=0, microsecond=0), ltan=launch.ltan)


def launch_window_text(launch: Launch) -> str:
    """ "window 04:12 UTC daily, LTAN 10:30", or "" for a launch without an LTAN."""
    window = launch_daily_window(launch)
    return window.text if window is not None else ""


def sso_window_start(
    *, site: LaunchSite, inclination_deg: Decimal, ltan: time, window_start: datetime, window_end: datetime
) -> datetime:
    """The first daily launch instant in ``window_start``..``window_end``: where the window opens.

    Raises ``ValueError`` in the operator's words when the window does not contain one, naming the
    daily time and the nearest instant that would work; ``OrbitError`` when the site cannot fly the plane.
    """
    first = daily_launch_time(site=site, inclination_deg=inclination_deg, ltan=ltan, on=window_start.date())
    if first < window_start:
        first += timedelta(days=1)
    if first > window_end:
        raise ValueError(
            f"the window {when(window_start)} to {when(window_end)} does not contain the daily launch time "
            f"{clock_of_day(first)} UTC for LTAN {clock(ltan)} from {site.name}: open it at {when(first)}"
        )
    return first


def ltan_mismatch(*, launch: Launch, payload: Payload, label: str) -> str | None:
    """Why the launch's plane does not keep the payload's local time, or ``None`` when it does."""
    if payload.ltan is None:
        return None
    wanted = clock(payload.ltan)
    if launch.ltan is None:
        return f"{label} has no local time of the ascending node set; the payload needs LTAN {wanted}"
    gap = round(local_time_gap_minutes(launch.ltan, payload.ltan))
    tolerance = ltan_tolerance_minutes()
    if gap > tolerance:
        return (
            f"{label} flies LTAN {clock(launch.ltan)}, {gap} min from the payload's {wanted} "
            f"(tolerance ±{tolerance} min)"
        )
    return None
