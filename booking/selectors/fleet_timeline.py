"""The fleet timeline: every mobile platform, pad, rocket and range of a provider's fleet on one
time axis, read from the live reservations and the site closures.

One lane per resource. A platform's claim shows its transit, set-up, launch window and tear-down;
a pad's its campaign, window and turnaround; a rocket's its journey from where it is stored and
its window; a range's the window and the separation the range keeps after it. Closures are drawn
on the lanes of their site's range. A conflict is a claim that overlaps the one before it on the
same lane, a platform that departs from somewhere other than where its last launch was, or a
closure on a launch window.

``fleet_timeline`` runs a fixed number of queries whatever the number of rows (pinned in
tests/booking/test_fleet_timeline.py); ``schedule_marker`` is the cheap "has anything changed"
answer the page polls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy

from booking.dates import span_text
from booking.models import Event, Launch, Reservation
from booking.rules.text import closure_text
from vehicles.models import LaunchSite, MobilePlatform, SiteClosure

#: The zoom the page offers, in days: from one day to sixty.
MIN_DAYS = 1
MAX_DAYS = 60

#: Lane groups, in the order the page shows them.
GROUPS = ("platform", "pad", "vehicle", "range")
GROUP_TITLES = {
    "platform": gettext_lazy("Mobile platforms"),
    "pad": gettext_lazy("Pads"),
    "vehicle": gettext_lazy("Rockets"),
    "range": gettext_lazy("Ranges"),
}


@dataclass
class Span:
    """One phase of one claim on a lane, e.g. a platform's transit or a range's separation."""

    kind: str  # transit, setup, window, teardown, turnaround, journey, separation, closure
    start: datetime
    end: datetime
    title: str
    launch_id: int | None = None
    conflict: bool = False


@dataclass
class Lane:
    key: str  # "platform:3", "pad:1", "vehicle:12", "range:2"
    group: str
    label: str
    spans: list[Span] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LaunchInView:
    """What the page says about a launch drawn on the timeline."""

    pk: int
    name: str
    status: str
    site_id: int
    site: str
    window_start: datetime
    window_end: datetime
    rocket: str

    @property
    def status_text(self) -> str:
        return str(Launch.Status(self.status).label)

    @property
    def is_active(self) -> bool:
        return self.status in Launch.ACTIVE_STATUSES


@dataclass(slots=True)
class Claim:
    """One live reservation as the timeline reads it: flat values, no model instances (a large
    fleet's sixty days hold thousands of claims)."""

    pk: int
    launch: LaunchInView
    kind: str
    resource_id: int
    label: str
    origin_id: int | None
    origin: str
    site_id: int
    site: str
    occupied_from: datetime
    arrive_at: datetime | None
    occupied_until: datetime


@dataclass
class FleetTimeline:
    start: datetime
    end: datetime
    lanes: list[Lane]
    launches: dict[int, LaunchInView]
    problems: list[str]


_PHASE_WORDS = {
    "transit": "transit",
    "setup": "set-up",
    "window": "launch window",
    "teardown": "tear-down",
    "turnaround": "pad turnaround",
    "campaign": "pad campaign",
    "journey": "rocket journey",
    "at_site": "at the site",
    "separation": "range separation",
}


def _claim_phases(res: Claim) -> list[tuple[str, datetime, datetime]]:
    """(kind, start, end) of one claim, empty phases left out."""
    ws, we = res.launch.window_start, res.launch.window_end
    if res.kind == Reservation.Kind.PLATFORM:
        arrive = res.arrive_at or res.occupied_from
        phases = [("transit", res.occupied_from, arrive), ("setup", arrive, ws)]
        phases += [("window", ws, we), ("teardown", we, res.occupied_until)]
    elif res.kind == Reservation.Kind.PAD:
        phases = [
            ("campaign", res.occupied_from, ws),
            ("window", ws, we),
            ("turnaround", we, res.occupied_until),
        ]
    elif res.kind == Reservation.Kind.VEHICLE:
        moving = res.origin_id is not None and res.origin_id != res.site_id
        phases = [
            ("journey" if moving else "at_site", res.occupied_from, ws),
            ("window", ws, res.occupied_until),
        ]
    else:
        phases = [("window", ws, we), ("separation", we, res.occupied_until)]
    return [(k, a, b) for k, a, b in phases if b > a or (k == "window" and b == a)]


_CLAIM_FIELDS = (
    "pk",
    "launch_id",
    "launch__name",
    "launch__status",
    "launch__site_id",
    "launch__site__name",
    "launch__window_start",
    "launch__window_end",
    "launch__vehicle__serial",
    "platform_id",
    "platform__name",
    "pad_id",
    "pad__name",
    "pad__site__name",
    "vehicle_id",
    "vehicle__serial",
    "vehicle__vehicle_model__name",
    "range_site_id",
    "range_site__name",
    "origin_id",
    "origin__name",
    "site_id",
    "site__name",
    "occupied_from",
    "arrive_at",
    "occupied_until",
)


def _resource(row: dict[str, Any]) -> tuple[str, int, str]:
    """(kind, id, lane label) of the one resource a claim holds."""
    if row["platform_id"] is not None:
        return Reservation.Kind.PLATFORM, row["platform_id"], row["platform__name"]
    if row["pad_id"] is not None:
        return Reservation.Kind.PAD, row["pad_id"], f"{row['pad__site__name']} {row['pad__name']}"
    if row["vehicle_id"] is not None:
        label = f"{row['vehicle__vehicle_model__name']} {row['vehicle__serial']}"
        return Reservation.Kind.VEHICLE, row["vehicle_id"], label
    return Reservation.Kind.RANGE, row["range_site_id"], f"{row['range_site__name']} range"


def _claims(provider_ids: set[int] | None, start: datetime, end: datetime) -> list[Claim]:
    rows = Reservation.objects.filter(
        released_at__isnull=True, occupied_from__lt=end, occupied_until__gt=start
    )
    if provider_ids is not None:
        rows = rows.filter(launch__provider_id__in=provider_ids)
    launches: dict[int, LaunchInView] = {}
    claims = []
    for row in rows.order_by("occupied_from", "pk").values(*_CLAIM_FIELDS):
        launch = launches.get(row["launch_id"])
        if launch is None:
            launch = launches[row["launch_id"]] = LaunchInView(
                pk=row["launch_id"],
                name=row["launch__name"],
                status=row["launch__status"],
                site_id=row["launch__site_id"],
                site=row["launch__site__name"],
                window_start=row["launch__window_start"],
                window_end=row["launch__window_end"],
                rocket=row["launch__vehicle__serial"] or "",
            )
        kind, resource_id, label = _resource(row)
        claims.append(
            Claim(
                pk=row["pk"],
                launch=launch,
                kind=kind,
                resource_id=resource_id,
                label=label,
                origin_id=row["origin_id"],
                origin=row["origin__name"] or "",
                site_id=row["site_id"],
                site=row["site__name"],
                occupied_from=row["occupied_from"],
                arrive_at=row["arrive_at"],
                occupied_until=row["occupied_until"],
            )
        )
    return claims


def _closures(site_ids: Iterable[int], start: datetime, end: datetime) -> list[SiteClosure]:
    return list(
        SiteClosure.objects.filter(site_id__in=set(site_ids), starts_at__lt=end, ends_at__gt=start)
        .select_related("site")
        .order_by("starts_at", "pk")
    )


def _chain_problems(lane: Lane, claims: list[Claim]) -> None:
    """Flags each claim that overlaps the one before it on the lane, and a platform that departs
    from a site other than where its last launch flew."""
    prev: Claim | None = None
    for res in claims:
        problem = ""
        if prev is not None and res.occupied_from < prev.occupied_until:
            problem = f"{lane.label}: {res.launch.name} overlaps {prev.launch.name}"
        elif (
            prev is not None
            and res.kind == Reservation.Kind.PLATFORM
            and res.origin_id is not None
            and res.origin_id != prev.site_id
        ):
            problem = (
                f"{lane.label}: {res.launch.name} departs from {res.origin} "
                f"but {prev.launch.name} leaves the truck at {prev.site}"
            )
        if problem:
            lane.problems.append(problem)
            for span in lane.spans:
                if span.launch_id == res.launch.pk:
                    span.conflict = True
        prev = res


def _closure_problems(lanes: dict[str, Lane], closures: list[SiteClosure], claims: list[Claim]) -> None:
    """Draws each closure on its site's range lane and flags the launch windows it lands on."""
    by_site: dict[int, list[SiteClosure]] = {}
    for closure in closures:
        by_site.setdefault(closure.site_id, []).append(closure)
        lane = lanes.setdefault(
            f"range:{closure.site_id}",
            Lane(f"range:{closure.site_id}", "range", f"{closure.site.name} range"),
        )
        lane.spans.append(
            Span("closure", closure.starts_at, closure.ends_at, closure_text(closure, closure.site))
        )
    for res in claims:
        launch = res.launch
        hits = [
            c
            for c in by_site.get(launch.site_id, ())
            if c.starts_at < launch.window_end and c.ends_at > launch.window_start
        ]
        if not hits or res.kind == Reservation.Kind.VEHICLE:
            continue  # the window is flagged on the platform, pad and range lanes
        lane = lanes[f"{res.kind}:{res.resource_id}"]
        for closure in hits:
            lane.problems.append(f"{launch.name}: {closure_text(closure, closure.site)}")
        for span in lane.spans:
            if span.launch_id == launch.pk and span.kind == "window":
                span.conflict = True


def _idle_platform_lanes(lanes: dict[str, Lane], provider_ids: set[int] | None) -> None:
    """Every platform gets a lane, busy or not: an idle truck is news too."""
    platforms = MobilePlatform.objects.exclude(status=MobilePlatform.Status.RETIRED).only("pk", "name")
    if provider_ids is not None:
        platforms = platforms.filter(provider_id__in=provider_ids)
    for platform in platforms:
        lanes.setdefault(
            f"platform:{platform.pk}", Lane(f"platform:{platform.pk}", "platform", platform.name)
        )


def fleet_timeline(*, provider_ids: set[int] | None, start: datetime, end: datetime) -> FleetTimeline:
    """The fleet of ``provider_ids`` (``None``: every provider) between ``start`` and ``end``.

    Four queries however many rows are in view: the live claims (flat values), the platforms
    (idle ones too), the sites whose closures matter, and those closures.
    """
    claims = _claims(provider_ids, start, end)
    lanes: dict[str, Lane] = {}
    _idle_platform_lanes(lanes, provider_ids)
    by_lane: dict[str, list[Claim]] = {}
    launches: dict[int, LaunchInView] = {}
    for res in claims:
        key = f"{res.kind}:{res.resource_id}"
        lane = lanes.get(key) or lanes.setdefault(key, Lane(key, res.kind, res.label))
        by_lane.setdefault(key, []).append(res)
        launches[res.launch.pk] = res.launch
        for kind, a, b in _claim_phases(res):
            title = f"{res.launch.name}: {_PHASE_WORDS.get(kind, kind)} {span_text(a, b)}"
            if kind == "transit" and res.origin:
                title += f" from {res.origin}"
            lane.spans.append(Span(kind, a, b, title, launch_id=res.launch.pk))
    for key, lane_claims in by_lane.items():
        _chain_problems(lanes[key], lane_claims)
    site_ids = {res.site_id for res in claims} | _home_site_ids(provider_ids)
    _closure_problems(lanes, _closures(site_ids, start, end), claims)
    ordered = sorted(lanes.values(), key=lambda lane: (GROUPS.index(lane.group), lane.label))
    return FleetTimeline(
        start=start,
        end=end,
        lanes=ordered,
        launches=launches,
        # A closure on a window is flagged on the truck's (or pad's) lane and the range's: said once.
        problems=list(dict.fromkeys(problem for lane in ordered for problem in lane.problems)),
    )


def _home_site_ids(provider_ids: set[int] | None) -> set[int]:
    """The sites whose closures the fleet's operator watches though nothing flies there yet."""
    if provider_ids is None:
        return set(LaunchSite.objects.values_list("pk", flat=True))
    return set(
        MobilePlatform.objects.filter(provider_id__in=provider_ids).values_list("home_site_id", flat=True)
    )


def schedule_marker(*, provider_ids: set[int] | None) -> str:
    """A short token that changes whenever what the fleet timeline draws may have changed: the
    live claims (how many, the newest, their launches' last change), the newest audit event (every
    write records one) and the closures. Three queries, whatever the size of the schedule."""
    claims = Reservation.objects.filter(released_at__isnull=True)
    if provider_ids is not None:
        claims = claims.filter(launch__provider_id__in=provider_ids)
    figures = [
        *claims.aggregate(n=Count("pk"), last=Max("pk"), changed=Max("launch__updated_at")).values(),
        *Event.objects.aggregate(last=Max("pk")).values(),
        *SiteClosure.objects.aggregate(n=Count("pk"), last=Max("pk")).values(),
    ]
    text = "|".join(str(value) for value in figures)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]
