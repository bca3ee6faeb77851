"""Where a rocket is and how it gets to a launch site; how long a range stays busy.

Pure functions with no Django dependency, like ``vehicles.orbits``: they take plain values
(site ids and names, route legs as tuples or :class:`RouteLeg`) and answer plain values, so the
planner can load the route table once and ask about thousands of rockets without a query each.
Durations are in hours unless the name says otherwise.

A TEL drives a rocket **on the range** (hours from ready storage or the assembly building to the
launch point); between launch centres rockets travel **by rail or by sea**, in days. A journey is
the quickest chain of legs from where the rocket is to the launch site, followed by the
destination's own on-range drive when the route table has one.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .orbits import great_circle_distance_km

__all__ = [
    "DEFAULT_LAUNCH_SEPARATION_MINUTES",
    "MODES",
    "TEL_ROAD_MAX_HOURS",
    "TEL_ROAD_MAX_SPEED_KMH",
    "RAIL",
    "ROAD",
    "SEA",
    "TEL_ROAD_LIMIT_KM",
    "Journey",
    "NoRoute",
    "RouteLeg",
    "duration_text",
    "journey_arrival",
    "journey_hours_by_origin",
    "journey_hours_from",
    "journey_text",
    "range_busy_text",
    "range_span",
    "rocket_journey",
    "route_hours_problem",
    "route_problem",
]

ROAD = "road"
RAIL = "rail"
SEA = "sea"
MODES = (ROAD, RAIL, SEA)
MODE_WORDS = {ROAD: "TEL road", RAIL: "rail", SEA: "sea"}

#: A range flies one launch at a time. Four hours between one window's end and the next window's
#: start is the default for a site (Taiyuan flew two Kuaizhou-1A six hours apart on 7 Dec 2019).
DEFAULT_LAUNCH_SEPARATION_MINUTES = 240

#: Longest great-circle hop a TEL road leg may span: a truck drives on the range or to a launch
#: point close by, not between launch centres (Jiuquan → Wenchang is 2,580 km).
TEL_ROAD_LIMIT_KM = 150.0


@dataclass(frozen=True)
class RouteLeg:
    """One row of the route table."""

    origin_id: int
    destination_id: int
    mode: str
    hours: Decimal | float
    note: str = ""


@dataclass(frozen=True)
class Journey:
    """How a rocket gets from ``origin_id`` to ``destination_id``; no legs: it is already there."""

    origin_id: int
    destination_id: int
    legs: tuple[RouteLeg, ...]

    @property
    def hours(self) -> Decimal:
        return sum((Decimal(str(leg.hours)) for leg in self.legs), Decimal("0"))

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(leg.mode for leg in self.legs)


@dataclass(frozen=True)
class NoRoute:
    """No chain of legs in the route table joins the two sites."""

    origin_id: int
    destination_id: int
    reason: str


def _legs(routes: Iterable[RouteLeg | tuple]) -> list[RouteLeg]:
    return [leg if isinstance(leg, RouteLeg) else RouteLeg(*leg) for leg in routes]


def rocket_journey(
    *,
    origin_id: int,
    destination_id: int,
    routes: Iterable[RouteLeg | tuple],
    site_names: Mapping[int, str],
) -> Journey | NoRoute:
    """The quickest journey from the site a rocket is at to a launch site.

    ``routes`` are the route table's rows, as :class:`RouteLeg` or ``(origin_id, destination_id,
    mode, hours[, note])`` tuples; a leg runs one way only. Between distinct sites the quickest
    chain of legs wins (ties: fewer legs); the destination's on-range road leg (a row from the site
    to itself), when there is one, is added at the end: the TEL drives the rocket from the
    technical area to the launch point. A rocket already at the launch site takes only that drive.
    Answers :class:`NoRoute`, with the reason in words, when no chain joins the two sites.
    """
    legs = _legs(routes)
    on_range = {leg.origin_id: leg for leg in legs if leg.origin_id == leg.destination_id}
    last = (on_range[destination_id],) if destination_id in on_range else ()
    if origin_id == destination_id:
        return Journey(origin_id, destination_id, last)

    out: dict[int, list[RouteLeg]] = {}
    for leg in legs:
        if leg.origin_id != leg.destination_id:
            out.setdefault(leg.origin_id, []).append(leg)
    # Dijkstra over a handful of sites; the counter keeps the heap from comparing legs.
    best: dict[int, tuple[Decimal, int]] = {origin_id: (Decimal("0"), 0)}
    via: dict[int, RouteLeg] = {}
    queue: list[tuple[Decimal, int, int, int]] = [(Decimal("0"), 0, 0, origin_id)]
    counter = 0
    while queue:
        hours, hops, _, site = heapq.heappop(queue)
        if (hours, hops) > best[site]:
            continue
        if site == destination_id:
            break
        for leg in out.get(site, ()):
            candidate = (hours + Decimal(str(leg.hours)), hops + 1)
            if leg.destination_id not in best or candidate < best[leg.destination_id]:
                best[leg.destination_id] = candidate
                via[leg.destination_id] = leg
                counter += 1
                heapq.heappush(queue, (candidate[0], candidate[1], counter, leg.destination_id))
    if destination_id not in via:
        origin = site_names.get(origin_id, f"site {origin_id}")
        destination = site_names.get(destination_id, f"site {destination_id}")
        return NoRoute(
            origin_id,
            destination_id,
            f"no known route from {origin} to {destination}: add a rail or sea leg to the route table",
        )
    chain: list[RouteLeg] = []
    site = destination_id
    while site != origin_id:
        leg = via[site]
        chain.append(leg)
        site = leg.origin_id
    chain.reverse()
    return Journey(origin_id, destination_id, (*chain, *last))


def journey_hours_from(*, origin_id: int, routes: Iterable[RouteLeg | tuple]) -> dict[int, Decimal]:
    """Hours of the quickest journey from ``origin_id`` to every site it reaches: the hours of
    ``rocket_journey`` to each (the destination's on-range drive included), in one search, for a
    planner asking about many destinations at once. A site missing from the answer: no route."""
    return journey_hours_by_origin(origin_ids=[origin_id], routes=routes)[origin_id]


def journey_hours_by_origin(
    *, origin_ids: Iterable[int], routes: Iterable[RouteLeg | tuple]
) -> dict[int, dict[int, Decimal]]:
    """``journey_hours_from`` for each of ``origin_ids``, the route table read into a graph once."""
    legs = _legs(routes)
    on_range = {leg.origin_id: Decimal(str(leg.hours)) for leg in legs if leg.origin_id == leg.destination_id}
    out: dict[int, list[tuple[int, Decimal]]] = {}
    for leg in legs:
        if leg.origin_id != leg.destination_id:
            out.setdefault(leg.origin_id, []).append((leg.destination_id, Decimal(str(leg.hours))))
    answer: dict[int, dict[int, Decimal]] = {}
    for origin_id in origin_ids:
        best: dict[int, Decimal] = {origin_id: Decimal("0")}
        queue: list[tuple[Decimal, int]] = [(Decimal("0"), origin_id)]
        while queue:
            hours, site = heapq.heappop(queue)
            if hours > best[site]:
                continue
            for destination_id, leg_hours in out.get(site, ()):
                candidate = hours + leg_hours
                if destination_id not in best or candidate < best[destination_id]:
                    best[destination_id] = candidate
                    heapq.heappush(queue, (candidate, destination_id))
        answer[origin_id] = {site: hours + on_range.get(site, Decimal("0")) for site, hours in best.items()}
    return answer


def journey_arrival(*, available_from: datetime, journey: Journey) -> datetime:
    """When the rocket reaches the launch point if it leaves at ``available_from``."""
    return available_from + timedelta(hours=float(journey.hours))


def duration_text(hours: Decimal | float) -> str:
    """Hours in words: "5 h" below two days, "3 days" or "2.5 days" from two days up."""
    value = Decimal(str(hours))
    if value < 48:
        text = f"{value.normalize():f}"
        return f"{text} h"
    days = (value / 24).quantize(Decimal("0.1")).normalize()
    return f"{days:f} days"


def journey_text(*, serial: str, journey: Journey | NoRoute, site_names: Mapping[int, str]) -> str:
    """A rocket's journey in words, for reasons and refusals.

    "KZ11-Y3 is at Taiyuan: 3 days by rail to Jiuquan"; "KZ1A-Y7 is at Jiuquan: 3 h by TEL road
    to the launch point"; "ZQ1-Y2 is at Jiuquan: no known route from Jiuquan to Wenchang: …".
    """
    here = site_names.get(journey.origin_id, f"site {journey.origin_id}")
    if isinstance(journey, NoRoute):
        return f"{serial} is at {here}: {journey.reason}"
    if not journey.legs:
        return f"{serial} is at {here}, at the launch point"
    parts = []
    for leg in journey.legs:
        target = (
            "the launch point"
            if leg.origin_id == leg.destination_id
            else site_names.get(leg.destination_id, f"site {leg.destination_id}")
        )
        parts.append(f"{duration_text(leg.hours)} by {MODE_WORDS.get(leg.mode, leg.mode)} to {target}")
    return f"{serial} is at {here}: " + ", then ".join(parts)


def route_problem(
    *,
    mode: str,
    origin_name: str,
    destination_name: str,
    origin_latlon: tuple[float, float],
    destination_latlon: tuple[float, float],
) -> str | None:
    """Why a route-table row cannot be right, or ``None``.

    A TEL road leg stays on a range (at most :data:`TEL_ROAD_LIMIT_KM` great-circle); a rail or
    sea leg joins two different sites.
    """
    if mode not in MODES:
        return f"unknown transport mode {mode!r}: use one of {', '.join(MODES)}"
    same_site = origin_name == destination_name
    if mode != ROAD:
        return f"a {mode} leg joins two sites, not {origin_name} to itself" if same_site else None
    if same_site:
        return None
    distance = great_circle_distance_km(*origin_latlon, *destination_latlon)
    if distance > TEL_ROAD_LIMIT_KM:
        return (
            f"a TEL drives on the range, not between launch centres: {origin_name} → "
            f"{destination_name} is {distance:,.0f} km (limit {TEL_ROAD_LIMIT_KM:,.0f} km); use rail or sea"
        )
    return None


#: A TEL drives on its range in hours, never for days: the longest road leg the route table takes.
TEL_ROAD_MAX_HOURS = 24
#: Faster than any loaded TEL drives: a road leg quicker than the great-circle distance at this
#: speed cannot be right.
TEL_ROAD_MAX_SPEED_KMH = 80


def route_hours_problem(
    *,
    mode: str,
    origin_name: str,
    destination_name: str,
    origin_latlon: tuple[float, float],
    destination_latlon: tuple[float, float],
    transit_hours: Decimal | float,
) -> str | None:
    """Why a route-table row's duration cannot be right, or ``None``.

    A TEL road leg takes hours, at most :data:`TEL_ROAD_MAX_HOURS`, and never less than the
    great-circle distance at :data:`TEL_ROAD_MAX_SPEED_KMH`; rail and sea legs take what they take
    (days between launch centres). The place of the leg is :func:`route_problem`'s.
    """
    hours = float(transit_hours)
    if hours < 0:
        return f"a leg cannot take {transit_hours} h: durations are never negative"
    if mode != ROAD:
        return None
    leg = (
        f"{origin_name} → {destination_name}"
        if origin_name != destination_name
        else f"on the {origin_name} range"
    )
    if hours > TEL_ROAD_MAX_HOURS:
        return (
            f"a TEL drives on its range in hours: {duration_text(hours)} by road {leg} is more than "
            f"{TEL_ROAD_MAX_HOURS} h; a journey of days between launch centres goes by rail or sea"
        )
    distance = great_circle_distance_km(*origin_latlon, *destination_latlon)
    fastest = distance / TEL_ROAD_MAX_SPEED_KMH
    if hours < fastest:
        return (
            f"a TEL cannot drive {origin_name} → {destination_name} ({distance:,.0f} km) in "
            f"{duration_text(hours)}: at {TEL_ROAD_MAX_SPEED_KMH} km/h, faster than a loaded TEL "
            f"drives, it takes {math.ceil(fastest * 10) / 10:g} h"
        )
    return None


def range_span(
    *, window_start: datetime, window_end: datetime, separation_minutes: int
) -> tuple[datetime, datetime]:
    """The span a launch holds its site's range: [window start, window end + separation).

    Two launches' spans on one range never overlap exactly when each window starts at least the
    separation after the other one's window ends (the spans are half-open).
    """
    if window_end < window_start:
        raise ValueError("the launch window ends before it starts")
    if separation_minutes < 0:
        raise ValueError("a launch separation is never negative")
    return window_start, window_end + timedelta(minutes=separation_minutes)


def range_busy_text(*, site_name: str, launch_name: str, free_at: datetime) -> str:
    """ "Jiuquan range busy with Kuaizhou-1A · SSO 500 until 21:00" (``free_at`` in the site's time)."""
    return f"{site_name} range busy with {launch_name} until {free_at:%H:%M}"
