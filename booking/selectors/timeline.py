"""The timeline of a platform or pad: its reservations as bars, with transit, set-up, window and
tear-down, and the closures of the sites it visits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from booking.dates import when
from booking.models import Launch, Reservation
from booking.rules.chain import _Resource, transit_hours
from booking.rules.text import closure_text
from booking.selectors.planner_fleet import road_routes
from vehicles.models import (
    LaunchSite,
    MobilePlatform,
    Pad,
    SiteClosure,
)


@dataclass
class TimelineBar:
    launch: Launch
    site: LaunchSite
    origin: LaunchSite | None
    depart: datetime
    arrive: datetime
    window_start: datetime
    window_end: datetime
    until: datetime
    transit_h: float
    problems: list[str] = field(default_factory=list)


def resource_timeline(
    *, platform: MobilePlatform | None = None, pad: Pad | None = None, start: datetime, end: datetime
) -> list[TimelineBar]:
    """Live reservations of one platform or pad overlapping [start, end), as stored, each
    with the conflicts the chain rule finds between it and the link before it."""
    resource = _Resource(platform=platform, pad=pad)
    rows = list(
        Reservation.objects.filter(
            released_at__isnull=True, occupied_from__lt=end, occupied_until__gt=start, **resource.filter()
        )
        .select_related("launch__site", "origin")
        .order_by("ready_at", "pk")
    )
    closures: dict[int, list[SiteClosure]] = {}  # one query for every bar's window
    if rows:
        for closure in SiteClosure.objects.filter(
            site_id__in={res.launch.site_id for res in rows},
            starts_at__lt=max(res.launch.window_end for res in rows),
            ends_at__gt=min(res.launch.window_start for res in rows),
        ).order_by("starts_at", "pk"):
            closures.setdefault(closure.site_id, []).append(closure)
    bars: list[TimelineBar] = []
    prev: Reservation | None = None
    routes = road_routes()
    for res in rows:
        launch = res.launch
        bar = TimelineBar(
            launch=launch,
            site=launch.site,
            origin=res.origin,
            depart=res.occupied_from,
            arrive=res.arrive_at or res.occupied_from,
            window_start=launch.window_start,
            window_end=launch.window_end,
            until=res.occupied_until,
            transit_h=(
                transit_hours(
                    origin=res.origin,
                    destination=launch.site,
                    road_speed_kmh=platform.road_speed_kmh,
                    routes=routes,
                )
                if platform is not None and res.origin is not None
                else 0.0
            ),
        )
        if prev is not None and res.occupied_from < prev.occupied_until:
            bar.problems.append(f"overlaps {prev.launch.name} (until {when(prev.occupied_until)})")
        if platform is not None and prev is not None and res.origin_id != prev.launch.site_id:
            bar.problems.append(f"departs from {res.origin} but the launch before is at {prev.launch.site}")
        bar.problems += [
            closure_text(closure, launch.site)
            for closure in closures.get(launch.site_id, ())
            if closure.starts_at < launch.window_end and closure.ends_at > launch.window_start
        ]
        bars.append(bar)
        prev = res
    return bars
