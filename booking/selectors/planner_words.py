"""The planner's wording: what pushed a candidate's window past ``latest``, put into words for
the closest misses only (the search keeps obstacles as tuples)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from booking.dates import when
from booking.rules.text import closure_text
from booking.selectors.planner_fleet import RANGE_KIND, PlanRecord, RocketFloors, dt
from vehicles.logistics import range_busy_text
from vehicles.models import LaunchSite, SiteClosure

#: ("reach", t, road s, origin id) | ("busy", launch id, until, road s, after) |
#: ("closure", row) | ("next", launch id, next site id, leave by)
Obstacle = tuple[Any, ...]


def _closure_of(site: LaunchSite, row: tuple[float, float, int, str, str]) -> SiteClosure:
    start, end, pk, kind, reason = row
    return SiteClosure(pk=pk, site=site, starts_at=dt(start), ends_at=dt(end), kind=kind, reason=reason)


def _reach_words(rec: PlanRecord, site: LaunchSite, obstacle: Obstacle, sites: dict[int, LaunchSite]) -> str:
    _, reach, tr, origin_id = obstacle
    return (
        f"{rec.label} cannot reach {site.name} before {when(dt(reach))}: "
        f"{tr / 3600:.1f} h of road transit from {sites[origin_id].name}"
    )


def _setup_note(rec: PlanRecord, site: LaunchSite, reach: float) -> str:
    needs = (
        f"{rec.setup_s / 3600:.1f} h of set-up"
        if rec.platform is not None
        else f"{rec.lead_s / 3600:.1f} h from the order to the window"
    )
    return f"{rec.label} needs {needs} at {site.name}: ready {when(dt(reach))} at the earliest"


def _busy_words(rec: PlanRecord, site: LaunchSite, obstacle: Obstacle, names: dict[int, str]) -> str:
    _, launch_id, prev_until, tr, after_prev = obstacle
    busy = f"busy with {names[launch_id]}" if launch_id in names else "busy"
    return (
        f"{rec.label} is {busy} until {when(dt(prev_until))}"
        + (f", then {tr / 3600:.1f} h of road transit" if tr else "")
        + f": cannot reach {site.name} before {when(dt(after_prev))}"
    )


def _next_words(
    rec: PlanRecord, site: LaunchSite, obstacle: Obstacle, names: dict[int, str], sites: dict[int, LaunchSite]
) -> str:
    _, launch_id, next_site, leave_by = obstacle
    return (
        f"{rec.label} has no time at {site.name} before {names.get(launch_id, 'its next launch')} "
        + (f"(must leave for {sites[next_site].name} by " if rec.platform is not None else "(from ")
        + f"{when(dt(leave_by))})"
    )


def obstacle_words(
    rec: PlanRecord,
    site: LaunchSite,
    t: float,
    obstacles: list[Obstacle],
    *,
    names: dict[int, str],
    sites: dict[int, LaunchSite],
    latest: datetime,
    rockets: RocketFloors | None = None,
) -> str:
    """Why ``rec`` has no window at ``site`` by ``latest``: the first three obstacles met."""
    label = rec.label
    words: list[str] = []
    setup_note = None
    for obstacle in obstacles:
        kind = obstacle[0]
        if kind == "rocket":
            _, floor, model_id, site_id = obstacle
            journey = rockets.text(model_id, site_id) if rockets else "the rocket is not there yet"
            text = f"{journey}, earliest window {when(dt(floor))}"
        elif kind == "reach":
            if not obstacle[2]:
                setup_note = _setup_note(rec, site, obstacle[1])
                continue
            text = _reach_words(rec, site, obstacle, sites)
        elif kind == "busy":
            text = _busy_words(rec, site, obstacle, names)
        elif kind == "closure" and obstacle[1][3] == RANGE_KIND:
            _start, end, launch_id, _kind, _reason = obstacle[1]
            text = range_busy_text(
                site_name=site.name,
                launch_name=names.get(launch_id, "another launch"),
                free_at=dt(end).astimezone(site.tzinfo),
            )
        elif kind == "closure":
            text = closure_text(_closure_of(site, obstacle[1]), site)
        else:
            text = _next_words(rec, site, obstacle, names, sites)
        if text not in words:
            words.append(text)
            if len(words) == 3:  # the words say the first three; the rest need no wording
                break
    text = (
        "; then ".join(words[:3])
        or setup_note
        or f"{label} has no free window at {site.name} by {when(latest)}"
    )
    if not text.startswith(label):
        text = f"{label} at {site.name}: {text}"
    if t < math.inf and when(dt(t)) not in text:
        text += f" (nothing free there before {when(dt(t))})"
    return text


def obstacle_launch_ids(obstacles: list[Obstacle]) -> set[int]:
    """The launches the words will name (busy with, before the next, the range busy with)."""
    return {o[1] for o in obstacles if o[0] in ("busy", "next") and o[1]} | {
        o[1][2] for o in obstacles if o[0] == "closure" and o[1][3] == RANGE_KIND
    }
