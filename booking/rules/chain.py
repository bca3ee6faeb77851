"""The platform/pad chain rule: spans, links, transit; pure, no writes.

A platform's (or pad's) launches form a chain in window order: each link occupies the resource
from its departure (transit, set-up) to the end of its tear-down (or pad turnaround), and the
next link may not depart before the one before it is done. Callers load the links and the
road routes; these functions compute and word, never read a row.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from booking.dates import when
from booking.models import Launch, Reservation
from vehicles.logistics import ROAD, TEL_ROAD_LIMIT_KM
from vehicles.models import (
    LaunchSite,
    MobilePlatform,
    Pad,
    Route,
)
from vehicles.orbits import (
    DEFAULT_ROAD_FACTOR,
    great_circle_distance_km,
    road_transit_hours,
)

#: Ratio of road distance to great-circle distance when the route table has no road leg.
ROAD_FACTOR = DEFAULT_ROAD_FACTOR


Time = TypeVar("Time", int, float)


def chain_link(
    *, prev_until: Time, window_start: Time, window_end: Time, transit: Time, setup: Time, teardown: Time
) -> tuple[Time, Time, Time, Time]:
    """The chain rule for one link: (departs, arrives, done, earliest window start).

    A platform leaves the site of the link before ``transit`` ahead of its arrival, arrives
    ``setup`` ahead of the window, and is done ``teardown`` after the window ends; a pad has no
    transit nor set-up and its ``teardown`` is its turnaround. The link fits after the one
    before, done at ``prev_until``, exactly when it departs no earlier: when ``window_start`` is
    at least the earliest window start answered. With ``prev_until`` the time of the order, the
    same rule says whether the platform can still get there.

    All on one clock, in one unit: the planner gives epoch seconds as floats, ``_chain_evaluate``
    epoch microseconds as ints (exact, as the rows are). The one body of the rule.
    """
    arrive = window_start - setup
    depart = arrive - transit
    return depart, arrive, window_end + teardown, prev_until + transit + setup


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MINUTE_US = 60_000_000
#: ``prev_until`` of a link with no link before it.
_NOTHING_BEFORE_US = -(1 << 62)


def _us(moment: datetime) -> int:
    """Epoch microseconds: exact, as the rows' times are."""
    return (moment - _EPOCH) // _MICROSECOND


def _at(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _hours_us(value: float | Decimal) -> int:
    # timedelta rounds to the microsecond, as the spans written before this rule did.
    return timedelta(hours=float(value)) // _MICROSECOND


@functools.lru_cache(maxsize=65536)
def _distance_km(origin_lat: Decimal, origin_lon: Decimal, dest_lat: Decimal, dest_lon: Decimal) -> float:
    """Great-circle km between two sites, keyed by their coordinates (values, so never stale)."""
    return great_circle_distance_km(origin_lat, origin_lon, dest_lat, dest_lon)


@functools.lru_cache(maxsize=65536)
def _estimate_transit_hours_cached(
    origin_lat: Decimal, origin_lon: Decimal, dest_lat: Decimal, dest_lon: Decimal, road_speed_kmh: Decimal
) -> float:
    """The road estimate in whole minutes (a readable schedule, exact arithmetic), keyed by
    coordinates and speed."""
    distance_km = _distance_km(origin_lat, origin_lon, dest_lat, dest_lon)
    return math.ceil(road_transit_hours(distance_km, road_speed_kmh, ROAD_FACTOR) * 60) / 60


#: A site as the road rule needs it: (pk, latitude, longitude).
SitePoint = tuple[int, Decimal, Decimal]


def road_hours(
    *,
    origin: SitePoint,
    destination: SitePoint,
    road_speed_kmh: Decimal,
    routes: dict[tuple[int, int], float],
) -> float:
    """Road hours a TEL drives from ``origin`` to ``destination``: an operator's road route when
    one is set, otherwise, for a launch point close by (at most ``TEL_ROAD_LIMIT_KM`` great
    circle), the distance times ROAD_FACTOR over the platform's road speed, rounded up to the
    minute. ``math.inf``: a TEL does not drive between launch centres (rockets go by rail or sea;
    trucks stay on their range). Whether a drive is possible never depends on the speed.

    The one body of the rule: ``transit_hours`` (rows) and the planner (site points loaded in
    bulk) both ask it.
    """
    if origin[0] == destination[0]:
        return 0.0
    hours = routes.get((origin[0], destination[0]))
    if hours is not None:
        return hours
    if _distance_km(origin[1], origin[2], destination[1], destination[2]) > TEL_ROAD_LIMIT_KM:
        return math.inf
    return _estimate_transit_hours_cached(
        origin[1], origin[2], destination[1], destination[2], road_speed_kmh
    )


def site_point(site: LaunchSite) -> SitePoint:
    return site.pk, site.latitude, site.longitude


def transit_hours(
    *,
    origin: LaunchSite,
    destination: LaunchSite,
    road_speed_kmh: Decimal,
    routes: dict[tuple[int, int], float] | None = None,
) -> float:
    """``road_hours`` between two site rows; without ``routes`` the operator's road route
    between them (if any) is read (1 query)."""
    if origin.pk == destination.pk:
        return 0.0
    if routes is None:
        route = (
            Route.objects.filter(origin=origin, destination=destination, mode=ROAD)
            .values_list("transit_hours", flat=True)
            .first()
        )
        routes = {(origin.pk, destination.pk): float(route)} if route is not None else {}
    return road_hours(
        origin=site_point(origin),
        destination=site_point(destination),
        road_speed_kmh=road_speed_kmh,
        routes=routes,
    )


def off_range_text(platform: MobilePlatform, origin: LaunchSite, destination: LaunchSite) -> str:
    """Why a truck cannot take a launch at another launch centre."""
    return (
        f"{platform.name} is at {origin.name} and drives on its range only: no road route from "
        f"{origin.name} to {destination.name} (rockets travel between centres by rail or sea; "
        f"use a truck based at {destination.name})"
    )


@dataclass
class _Slot:
    """One launch in a platform's or pad's chain, as it is or as a change proposes it."""

    launch: Launch | None
    name: str
    site: LaunchSite
    window_start: datetime
    window_end: datetime
    reservation: Reservation | None = None
    primary: bool = False  # the launch this request creates or moves
    cascaded_by: timedelta = timedelta(0)
    # computed by _chain_evaluate
    origin: LaunchSite | None = None
    transit_h: float = 0.0
    depart: datetime | None = None
    arrive: datetime | None = None
    until: datetime | None = None
    earliest: datetime | None = None  # the earliest window start the link before allows
    off_range: bool = False  # a truck that would have to drive between launch centres

    @property
    def moved(self) -> bool:
        return self.primary or self.cascaded_by > timedelta(0)

    @property
    def changed(self) -> bool:
        res = self.reservation
        if res is None or self.moved:
            return True
        return (
            res.occupied_from != self.depart
            or res.occupied_until != self.until
            or res.arrive_at != self.arrive
            or res.origin_id != (self.origin.pk if self.origin else None)
            or res.site_id != self.site.pk
        )


@dataclass
class _Resource:
    platform: MobilePlatform | None = None
    pad: Pad | None = None

    @property
    def label(self) -> str:
        if self.platform is not None:
            return self.platform.name
        assert self.pad is not None
        return f"pad {self.pad.name} at {self.pad.site.name}"

    def filter(self) -> dict[str, Any]:
        return {"platform": self.platform} if self.platform is not None else {"pad": self.pad}


def _slot_from_reservation(res: Reservation) -> _Slot:
    launch = res.launch
    return _Slot(
        launch=launch,
        name=launch.name,
        site=launch.site,
        window_start=launch.window_start,
        window_end=launch.window_end,
        reservation=res,
    )


def _span(
    resource: _Resource, slot: _Slot, origin: LaunchSite | None, routes, prev_until: datetime | None = None
) -> int:
    """Compute ``slot``'s span with ``chain_link``; answer how many microseconds its window opens
    too early for the link before, done at ``prev_until`` (0 or less: it fits)."""
    if resource.platform is not None:
        platform = resource.platform
        assert origin is not None
        slot.origin = origin
        slot.transit_h = transit_hours(
            origin=origin, destination=slot.site, road_speed_kmh=platform.road_speed_kmh, routes=routes
        )
        slot.off_range = math.isinf(slot.transit_h)
        if slot.off_range:
            slot.transit_h = 0.0
        transit, setup = _hours_us(slot.transit_h), _hours_us(platform.setup_hours)
        teardown = _hours_us(platform.teardown_hours)
    else:
        assert resource.pad is not None
        slot.origin, slot.transit_h = None, 0.0
        transit, setup, teardown = 0, 0, _hours_us(resource.pad.turnaround_hours)
    window_start = _us(slot.window_start)
    depart, arrive, until, earliest = chain_link(
        prev_until=_us(prev_until) if prev_until is not None else _NOTHING_BEFORE_US,
        window_start=window_start,
        window_end=_us(slot.window_end),
        transit=transit,
        setup=setup,
        teardown=teardown,
    )
    slot.depart, slot.arrive, slot.until = _at(depart), _at(arrive), _at(until)
    slot.earliest = _at(earliest) if prev_until is not None else None
    return earliest - window_start if prev_until is not None else 0


def _reach(resource: _Resource, slot: _Slot, now: datetime) -> datetime | None:
    """The earliest window start at ``slot``'s site for a platform ordered off at ``now`` (the
    chain rule with the order as the link before); ``None`` when ``slot`` opens no sooner."""
    assert resource.platform is not None
    platform = resource.platform
    _depart, _arrive, _until, earliest = chain_link(
        prev_until=_us(now),
        window_start=_us(slot.window_start),
        window_end=_us(slot.window_end),
        transit=_hours_us(slot.transit_h),
        setup=_hours_us(platform.setup_hours),
        teardown=_hours_us(platform.teardown_hours),
    )
    return _at(earliest) if earliest > _us(slot.window_start) else None


def _link_problem(resource: _Resource, prev: _Slot, slot: _Slot) -> str:
    """Words for: ``slot`` would have to start before ``prev`` is finished."""
    assert prev.until is not None and slot.depart is not None
    if resource.platform is None:
        return (
            f"{resource.label} is occupied by {prev.name} until {when(prev.until)} "
            f"(window plus {resource.pad.turnaround_hours} h turnaround), "  # type: ignore[union-attr]
            f"but {slot.name} needs it from {when(slot.window_start)}"
        )
    platform = resource.platform
    earliest_window = slot.earliest
    assert earliest_window is not None
    road = f"{slot.transit_h:.1f} h of road transit from {prev.site.name} and " if slot.transit_h else ""

    if slot.primary or not prev.primary:
        return (
            f"{platform.name} cannot reach {slot.site.name} before {when(earliest_window)}: "
            f"busy with {prev.name} at {prev.site.name} until {when(prev.until)}, then {road}"
            f"{platform.setup_hours} h of set-up; {slot.name} opens {when(slot.window_start)}"
        )
    # The request moved ``prev`` and now the platform cannot get to the launch after it.
    return (
        f"{platform.name} would have no time to get to {slot.name} at {slot.site.name}: "
        f"tear-down at {prev.site.name} ends {when(prev.until)}, then {road}"
        f"{platform.setup_hours} h of set-up, but its window opens {when(slot.window_start)}"
    )


def _chain_evaluate(
    resource: _Resource,
    anchor: _Slot | None,
    slots: list[_Slot],
    *,
    now: datetime,
    routes: dict[tuple[int, int], float],
    cascade: bool = False,
) -> list[str]:
    """Compute every link's span in window order and say what does not fit.

    With ``cascade`` a link after the primary one that no longer fits is slipped by the time it
    lacks (to the minute) instead of being reported. Only links that this request changes are
    reported: an untouched link is not this request's problem.
    """
    slots.sort(key=lambda s: (s.window_start, s.launch.pk if s.launch else 0))
    problems: list[str] = []
    home = resource.platform.home_site if resource.platform is not None else None
    prev = anchor
    if anchor is not None:
        anchor_origin = anchor.reservation.origin if anchor.reservation else None
        _span(resource, anchor, anchor_origin or home, routes)
    seen_primary = False
    for slot in slots:
        origin = prev.site if prev is not None else home
        shortfall_us = _span(resource, slot, origin, routes, prev.until if prev is not None else None)
        seen_primary = seen_primary or slot.primary
        if slot.off_range and (slot.changed or (prev is not None and prev.moved)):
            assert resource.platform is not None and origin is not None
            problems.append(off_range_text(resource.platform, origin, slot.site))
        if prev is not None and shortfall_us > 0:
            can_cascade = (
                cascade
                and seen_primary
                and not slot.primary
                and slot.launch is not None
                and slot.launch.status in Launch.ACTIVE_STATUSES
            )
            if can_cascade:
                shortfall = timedelta(microseconds=-(-shortfall_us // _MINUTE_US) * _MINUTE_US)
                slot.cascaded_by += shortfall
                slot.window_start += shortfall
                slot.window_end += shortfall
                _span(resource, slot, origin, routes, prev.until)
            elif slot.changed or prev.moved:
                problems.append(_link_problem(resource, prev, slot))
        if slot.changed and resource.platform is not None:
            reach = _reach(resource, slot, now)
            old_depart = slot.reservation.occupied_from if slot.reservation else None
            if reach is not None and (old_depart is None or slot.depart < old_depart):  # type: ignore[operator]
                platform = resource.platform
                problems.append(
                    f"{platform.name} cannot reach {slot.site.name} before {when(reach)}: "
                    f"{slot.transit_h:.1f} h of road transit from {origin.name} "  # type: ignore[union-attr]
                    f"and {platform.setup_hours} h of set-up"
                )
        prev = slot
    return problems


def _shift_net(launch: Launch, delta: timedelta, precision: str) -> datetime:
    """NET moves with the window and keeps its precision: an hour-precise NET stays on the
    hour, a day-precise one at midnight UTC, a month-precise one on the first of the month,
    never leaving the window."""
    net = launch.net + delta
    if precision == Launch.NetPrecision.HOUR:
        net = net.replace(minute=0, second=0, microsecond=0)
    elif precision == Launch.NetPrecision.DAY:
        net = net.replace(hour=0, minute=0, second=0, microsecond=0)
    elif precision == Launch.NetPrecision.MONTH:
        net = net.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return min(max(net, launch.window_start), launch.window_end)
