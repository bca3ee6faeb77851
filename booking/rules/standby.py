"""Standby lists: which launches an entry's own target admits, and when an offer lapses. Pure.

Whether the payload fits a launch (mass, ports, envelope, altitude, inclination and LTAN
tolerances) is the booking engine's rule (``booking.selectors.guards.check_launch_fit``); this
module only narrows an orbit target by what the customer asked for on top: the family, the
inclination band and the dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class OrbitTarget:
    """What an orbit entry asks of a launch, beyond the payload fitting it."""

    orbit_family: str
    inclination_min_deg: Decimal | None = None
    inclination_max_deg: Decimal | None = None
    earliest_date: date | None = None
    latest_date: date | None = None


@dataclass(frozen=True)
class LaunchShape:
    """The launch facts the target rule reads."""

    orbit_family: str
    inclination_deg: Decimal
    net_date: date


def target_admits(target: OrbitTarget, launch: LaunchShape) -> bool:
    """Whether the launch goes where, and flies when, the entry asked."""
    if launch.orbit_family != target.orbit_family:
        return False
    if target.inclination_min_deg is not None and launch.inclination_deg < target.inclination_min_deg:
        return False
    if target.inclination_max_deg is not None and launch.inclination_deg > target.inclination_max_deg:
        return False
    if target.earliest_date is not None and launch.net_date < target.earliest_date:
        return False
    return not (target.latest_date is not None and launch.net_date > target.latest_date)


def band_problem(*, inclination_min_deg: Decimal | None, inclination_max_deg: Decimal | None) -> str | None:
    """Why an inclination band cannot be asked for, or ``None`` (untranslated key for the caller)."""
    for value in (inclination_min_deg, inclination_max_deg):
        if value is not None and not Decimal(0) <= value <= Decimal(180):
            return "range"
    if (
        inclination_min_deg is not None
        and inclination_max_deg is not None
        and inclination_min_deg > inclination_max_deg
    ):
        return "order"
    return None


def dates_problem(*, earliest_date: date | None, latest_date: date | None, today: date) -> str | None:
    """Why a date range cannot be asked for, or ``None`` (untranslated key for the caller)."""
    if latest_date is not None and latest_date < today:
        return "past"
    if earliest_date is not None and latest_date is not None and earliest_date > latest_date:
        return "order"
    return None


def offer_deadline(*, now: datetime, offer_hours: int, launch_net: datetime) -> datetime:
    """When an offer lapses: ``offer_hours`` from now, but never at or after the launch's NET."""
    deadline = now + timedelta(hours=offer_hours)
    before_net = launch_net - timedelta(minutes=1)
    return min(deadline, before_net) if before_net > now else deadline
