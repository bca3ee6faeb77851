"""TODO"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.errors import InvalidRequest
from booking.models import Launch, Reservation
from booking.rules.chain import ROAD_FACTOR, transit_hours
from booking.rules.text import _require_aware, closure_text, inclination_problem, when
from vehicles.models import (
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    RoadRoute,
    SiteClosure,
    Vehicle,
    VehicleModel,
)
from vehicles.orbits import (
    OrbitError,
    capacity_at_altitude,
    great_circle_distance_km,
    road_transit_hours,
    sun_synchronous_inclination,
)

#: Length of the launch window the planner proposes, per service level.
PLAN_WINDOW_HOURS = {Launch.ServiceLevel.STANDARD: 2, Launch.ServiceLevel.EXPRESS: 1}


#: A rocket going up on a pad needs this long from the order to the window (on a platform the
#: set-up hours play this part).
PAD_LEAD_HOURS = 6.0


#: At most this many per-candidate reasons are returned (the closest misses first).
MAX_REASONS = 60


def _routes() -> dict[tuple[int, int], float]:
    return {
        (origin_id, destination_id): float(hours)
        for origin_id, destination_id, hours in RoadRoute.objects.values_list(
            "origin_id", "destination_id", "transit_hours"
        )
    }


@dataclass(frozen=True)
class Plan:
    """One feasible way to fly: where, on what, with which rocket, when; and its timeline."""

    site: LaunchSite
    vehicle_model: VehicleModel
    vehicle: Vehicle
    window_start: datetime
    window_end: datetime
    depart: datetime
    arrive: datetime
    teardown_end: datetime
    transit_hours: float
    origin: LaunchSite | None = None
    platform: MobilePlatform | None = None
    pad: Pad | None = None
    capacity_kg: Decimal | None = None

    @property
    def resource_label(self) -> str:
        if self.platform is not None:
            return self.platform.name
        assert self.pad is not None
        return f"pad {self.pad.name}"

    @property
    def timeline(self) -> list[tuple[str, datetime, datetime]]:
        """(phase, start, end): transit, set-up, launch window, tear-down (or pad turnaround)."""
        if self.platform is None:
            return [
                ("launch window", self.window_start, self.window_end),
                ("pad turnaround", self.window_end, self.teardown_end),
            ]
        return [
            ("transit", self.depart, self.arrive),
            ("set-up", self.arrive, self.window_start),
            ("launch window", self.window_start, self.window_end),
            ("tear-down", self.window_end, self.teardown_end),
        ]

    def describe(self) -> str:
        where = f"{self.site.name} on {self.resource_label}"
        road = (
            f", departs {self.origin.name} {when(self.depart)} ({self.transit_hours:.1f} h road)"
            if self.platform is not None and self.origin is not None and self.transit_hours
            else ""
        )
        return f"{self.vehicle_model.name} {self.vehicle.serial} from {where}, window {when(self.window_start)}{road}"


@dataclass
class PlanningResult:
    plans: list[Plan]
    reasons: list[str]
    candidates: int = 0
    walked: int = 0  # candidates whose gaps were walked (the rest could not rank)
    reasons_omitted: int = 0
    earliest_beyond_latest: datetime | None = None  # earliest start found past ``latest``


@dataclass(slots=True)
class _PlanRecord:
    """A platform or pad as the planner sees it: floats (epoch seconds) for speed."""

    platform: MobilePlatform | None = None
    pad: Pad | None = None
    label: str = ""
    anchor_site_id: int = 0
    anchor_until: float = -math.inf
    setup_s: float = 0.0
    teardown_s: float = 0.0
    lead_s: float = 0.0
    speed: Decimal = Decimal(1)
    recs: list[tuple[float, float, float, int, int]] = field(
        default_factory=list
    )  # ready, arrive, until, site id, launch id
    models: list[tuple[VehicleModel, Decimal | None]] = field(default_factory=list)
    # The gap it is in at ``earliest``: index of the next reservation, and where it is before it.
    i0: int = 0
    prev_site: int = 0
    prev_until: float = -math.inf
    prev_launch: int | None = None
    floor_s: float = 0.0  # no window opens before this, wherever the platform comes from
    next_lb: float = math.inf  # no window in a later gap opens before this
    order: list[tuple[float, str, LaunchSite]] = field(default_factory=list)  # sites, nearest first


def plan_launch(
    *,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | float | None,
    earliest: datetime,
    latest: datetime,
    service_level: str,
    mass_kg: Decimal | None = None,
    provider: Provider | None = None,
    limit: int = 10,
    now: datetime | None = None,
) -> PlanningResult:
    """Ranked feasible plans whose window opens between ``earliest`` and ``latest``.

    Ranking: earliest window, then shortest road transit, then site code, platform or pad name
    and vehicle model name (stable for the same input). When nothing fits, ``reasons`` says why
    per candidate, the closest misses first; when plans are found, the search stops as soon as
    nothing left could rank, so the misses given are those it met on the way. Runs a fixed number
    of queries whatever the size of the fleet, plus one naming the launches the reasons mention
    (pinned in tests/booking/test_planner.py).
    """
    now = now or timezone.now()
    _require_aware(earliest=earliest, latest=latest)
    if latest < earliest:
        raise InvalidRequest("The latest time must not be before the earliest time.")
    if inclination_deg is None:
        if orbit_family != "SSO":
            raise InvalidRequest("An inclination is needed for orbits other than SSO.")
        try:
            inclination_deg = sun_synchronous_inclination(altitude_km)
        except OrbitError as exc:
            raise InvalidRequest(str(exc)) from exc
    inclination = float(inclination_deg)
    window_s = PLAN_WINDOW_HOURS.get(service_level, 2) * 3600.0  # type: ignore[call-overload]
    earliest = max(earliest, now)  # nothing opens in the past; where platforms are is read from here
    earliest_s, latest_s, now_s = earliest.timestamp(), latest.timestamp(), now.timestamp()

    # 1 (+1 prefetch): capable models, each with its oldest vehicle in ready storage.
    first_ready = Vehicle.objects.filter(
        vehicle_model=OuterRef("pk"), status=Vehicle.Status.READY_STORAGE
    ).order_by("ready_since", "serial")
    models_qs = (
        VehicleModel.objects.filter(active=True)
        .select_related("provider")
        .prefetch_related("capacity_points")
        .annotate(first_ready_id=Subquery(first_ready.values("pk")[:1]))
        .order_by("name")
    )
    if provider is not None:
        models_qs = models_qs.filter(provider=provider)
    reasons: list[tuple[float, str, str]] = []  # (closeness, key, text)
    candidates_models: list[tuple[VehicleModel, Decimal | None]] = []
    for found in models_qs:
        vm: VehicleModel = found
        curve = [
            (p.altitude_km, p.capacity_kg) for p in vm.capacity_points.all() if p.orbit_family == orbit_family
        ]
        try:
            model_capacity = capacity_at_altitude(curve, altitude_km)
        except OrbitError:
            reasons.append(
                (
                    math.inf,
                    vm.name,
                    f"{vm.name} has no model_capacity figure for {orbit_family} {altitude_km} km",
                )
            )
            continue
        if mass_kg is not None and Decimal(mass_kg) + vm.adapter_mass_kg > model_capacity:
            reasons.append(
                (
                    math.inf,
                    vm.name,
                    f"{vm.name} lifts {model_capacity} kg to {orbit_family} {altitude_km} km, "
                    f"less than {Decimal(mass_kg) + vm.adapter_mass_kg} kg with adapter",
                )
            )
            continue
        if vm.first_ready_id is None:  # type: ignore[attr-defined]
            reasons.append((math.inf, vm.name, f"no {vm.name} in ready storage"))
            continue
        candidates_models.append((vm, model_capacity))

    # 1: sites, and which of them reach the inclination directly.
    sites = {s.pk: s for s in LaunchSite.objects.order_by("code")}
    site_ok: dict[int, LaunchSite] = {}
    for site in sites.values():
        problem = inclination_problem(site, inclination)
        if problem:
            reasons.append((math.inf, site.code, problem))
        else:
            site_ok[site.pk] = site

    mobile_providers = sorted({vm.provider_id for vm, _ in candidates_models if vm.mobile_launch})
    want_pads = any(not vm.mobile_launch for vm, _ in candidates_models)
    window_h = window_s / 3600.0
    max_transit_s = 0.0
    records: list[_PlanRecord] = []
    postgres = connection.vendor == "postgresql"

    # Reservations that can touch a window in [earliest, latest] (plus the travel on each side).
    lo_s = earliest_s
    routes = _routes()  # 1 query
    # 1: platforms, each with where it is when the planning span starts: the site of its last
    # reservation torn down by ``earliest`` (a correlated subquery on the platform index). Any
    # later reservation is loaded below with the span, so this is the chain's true predecessor.
    anchor_q = Reservation.objects.filter(
        platform=OuterRef("pk"),
        released_at__isnull=True,
        occupied_from__lt=earliest,
        occupied_until__lte=earliest,
    ).order_by("-occupied_from")
    platforms: list[MobilePlatform] = []
    if mobile_providers and site_ok:
        platforms = list(
            MobilePlatform.objects.filter(
                provider_id__in=mobile_providers, status=MobilePlatform.Status.AVAILABLE
            )
            .annotate(
                anchor_site=Subquery(anchor_q.values("site_id")[:1]),
                anchor_until=Subquery(
                    anchor_q.annotate(
                        until=_epoch("occupied_until") if postgres else F("occupied_until")
                    ).values("until")[:1]
                ),
            )
            .order_by("name")
        )
        if platforms:
            slowest = min(float(p.road_speed_kmh) for p in platforms)
            coords = list(site_ok.values()) + [
                sites[p.home_site_id] for p in platforms if p.home_site_id in sites
            ]
            # Upper bound of any drive between the sites involved, to size the look-behind.
            lats = [float(s.latitude) for s in coords]
            lons = [float(s.longitude) for s in coords]
            span_km = great_circle_distance_km(min(lats), min(lons), max(lats), max(lons))
            max_transit_s = max(
                [
                    road_transit_hours(span_km, slowest, ROAD_FACTOR) * 3600.0 + 60,
                    *(h * 3600.0 for h in routes.values()),
                ]
            )
            max_setup_s = max(float(p.setup_hours) for p in platforms) * 3600.0
            lo_s = earliest_s - max_transit_s - max_setup_s
    lo = datetime.fromtimestamp(lo_s, tz=UTC)
    pads: list[Pad] = []
    if want_pads and site_ok:
        pads = list(
            Pad.objects.filter(active=True, site_id__in=list(site_ok)).order_by("site__code", "name")
        )  # 1 query
    # A reservation whose span starts after ``hi`` cannot constrain a window opening by ``latest``.
    after_window_s = max(
        [float(p.teardown_hours) * 3600.0 + max_transit_s for p in platforms]
        + [float(pad.turnaround_hours) * 3600.0 for pad in pads]
        + [0.0]
    )
    hi = datetime.fromtimestamp(latest_s + window_s + after_window_s + 60, tz=UTC)

    by_platform: dict[int, _PlanRecord] = {}
    by_pad: dict[int, _PlanRecord] = {}
    for p in platforms:
        rec = _PlanRecord(platform=p, label=p.name)
        site_id, until = p.anchor_site, p.anchor_until  # type: ignore[attr-defined]
        rec.anchor_site_id = site_id or p.home_site_id
        rec.anchor_until = _seconds(until) if until is not None else -math.inf
        rec.setup_s, rec.teardown_s, rec.speed = (
            float(p.setup_hours) * 3600,
            float(p.teardown_hours) * 3600,
            p.road_speed_kmh,
        )
        by_platform[p.pk] = rec
        records.append(rec)
    for pad in pads:
        rec = _PlanRecord(pad=pad, label=f"pad {pad.name}")
        rec.anchor_site_id, rec.anchor_until = pad.site_id, -math.inf
        rec.setup_s, rec.teardown_s, rec.speed = 0.0, float(pad.turnaround_hours) * 3600, Decimal(1)
        rec.lead_s = PAD_LEAD_HOURS * 3600.0
        by_pad[pad.pk] = rec
        records.append(rec)

    if records:  # 1 query: every live reservation of these platforms and pads in the span.
        if postgres:
            # The exclusion constraints' GiST indexes (platform or pad, occupied range) find the
            # rows overlapping the span directly: a UNION of the two lookups.
            span = Q(
                RawSQL(
                    "tstzrange(occupied_from, occupied_until, '[)') && tstzrange(%s, %s, '[)')",
                    (lo, hi),
                    output_field=BooleanField(),
                )
            )
        else:
            span = Q(occupied_until__gt=lo, occupied_from__lt=hi)
        live = Reservation.objects.filter(span, released_at__isnull=True)
        parts = []
        if by_platform:
            parts.append(live.filter(platform_id__isnull=False, platform_id__in=list(by_platform)))
        if by_pad:
            parts.append(live.filter(pad_id__isnull=False, pad_id__in=list(by_pad)))
        for platform_id, pad_id, site_id, launch_id, ready_s, arrive_s, until_s in _epoch_rows(
            parts,
            ["platform_id", "pad_id", "site_id", "launch_id"],
            [
                Coalesce("ready_at", "occupied_from"),
                Coalesce("arrive_at", "occupied_from"),
                F("occupied_until"),
            ],
        ):
            rec = by_platform[platform_id] if platform_id else by_pad[pad_id]
            rec.recs.append((ready_s, arrive_s, until_s, site_id, launch_id))
        for rec in records:
            rec.recs.sort()

    # Per site: closure starts and the running maximum of their ends, so "does [t, t + window)
    # touch a closure" is one bisect. Rows: (start, end, pk, kind, reason).
    closure_index: dict[int, tuple[list[float], list[float], list[tuple[float, float, int, str, str]]]] = {}
    if records:  # 1 query
        closure_rows = sorted(
            (site_id, start, end, pk, kind, reason)
            for site_id, pk, kind, reason, start, end in _epoch_rows(
                [
                    SiteClosure.objects.filter(
                        site_id__in=list(site_ok), starts_at__lt=hi, ends_at__gt=earliest
                    )
                ],
                ["site_id", "pk", "kind", "reason"],
                [F("starts_at"), F("ends_at")],
            )
        )
        for site_id, start, end, pk, kind, reason in closure_rows:
            starts, max_ends, rows = closure_index.setdefault(site_id, ([], [], []))
            starts.append(start)
            max_ends.append(max(end, max_ends[-1]) if max_ends else end)
            rows.append((start, end, pk, kind, reason))

    transit_cache: dict[tuple[int, int, Decimal], float] = {}

    def transit_s(origin_id: int, dest_id: int, speed: Decimal) -> float:
        if origin_id == dest_id:
            return 0.0
        key = (origin_id, dest_id, speed)
        seconds = transit_cache.get(key)
        if seconds is None:
            hours = transit_hours(
                origin=sites[origin_id], destination=sites[dest_id], road_speed_kmh=speed, routes=routes
            )
            seconds = transit_cache[key] = hours * 3600.0
        return seconds

    mobile_sites = [s for s in site_ok.values() if s.accepts_mobile_platforms]
    nearest_first: dict[tuple[int, Decimal], list[tuple[float, str, LaunchSite]]] = {}

    def sites_by_road(origin_id: int, speed: Decimal) -> list[tuple[float, str, LaunchSite]]:
        """(road seconds, code, site) of every site taking mobile platforms, nearest first."""
        order = nearest_first.get((origin_id, speed))
        if order is None:
            order = nearest_first[(origin_id, speed)] = sorted(
                (transit_s(origin_id, site.pk, speed), site.code, site) for site in mobile_sites
            )
        return order

    def minute(t: float) -> float:
        return math.ceil(t / 60.0) * 60.0  # windows open on a whole minute

    # Obstacles are kept as tuples and put into words only for the reasons returned.
    Obstacle = tuple[Any, ...]

    def first_fit(
        rec: _PlanRecord, site_id: int, bound: float, obstacles: list[Obstacle] | None = None
    ) -> tuple[float, float, int]:
        """Walk ``rec``'s gaps from ``earliest`` to the first where a window at ``site_id`` fits.

        Gives (window start, road seconds, origin site id). A start after ``latest`` is a miss
        and only a lower bound: nothing is free there before it. Start ``inf``: nothing opens by
        ``bound``, so it would not make the ranking. With ``obstacles``, records what pushed the
        start later, for the words.
        """
        recs, setup, speed = rec.recs, rec.setup_s, rec.speed
        tail = window_s + rec.teardown_s
        mobile = rec.platform is not None
        reach_base = now_s + setup + rec.lead_s
        i, prev_site, prev_until, prev_launch = rec.i0, rec.prev_site, rec.prev_until, rec.prev_launch
        index = closure_index.get(site_id)
        n_recs = len(recs)
        while True:
            tr = transit_s(prev_site, site_id, speed) if mobile else 0.0
            t = earliest_s
            if reach_base + tr > t:
                t = reach_base + tr
                if obstacles is not None:
                    obstacles.append(("reach", t, tr, prev_site))
            if prev_until + tr + setup > t:
                t = prev_until + tr + setup
                if obstacles is not None:
                    obstacles.append(("busy", prev_launch, prev_until, tr, t))
            t = minute(t)
            if index is not None and t <= latest_s:  # past ``latest`` the start is a bound anyway
                starts, max_ends, rows = index
                while True:
                    j = bisect.bisect_left(starts, t + window_s)
                    if not j or max_ends[j - 1] <= t:
                        break
                    if obstacles is not None:
                        obstacles.extend(("closure", row) for row in rows[:j] if row[1] > t)
                    t = max_ends[j - 1]
            if i == n_recs:
                return t, tr, prev_site
            nxt = recs[i]
            leave_by = nxt[1] - transit_s(site_id, nxt[3], speed) if mobile else nxt[1]
            if t + tail <= leave_by:
                return t, tr, prev_site
            if obstacles is not None:
                obstacles.append(("next", nxt[4], nxt[3], leave_by))
            # The next gap opens after that reservation: a start there may even be earlier than
            # this one's (a shorter drive), but never before it is torn down and set up again.
            prev_site, prev_until, prev_launch = nxt[3], nxt[2], nxt[4]
            i += 1
            floor = minute(max(rec.floor_s, prev_until + setup))
            if floor > bound:
                return math.inf, tr, prev_site
            if floor > latest_s:
                return floor, tr, prev_site

    def closure_of(site: LaunchSite, row: tuple[float, float, int, str, str]) -> SiteClosure:
        start, end, pk, kind, reason = row
        return SiteClosure(pk=pk, site=site, starts_at=_dt(start), ends_at=_dt(end), kind=kind, reason=reason)

    def obstacle_words(
        rec: _PlanRecord, site: LaunchSite, t: float, obstacles: list[Obstacle], names: dict[int, str]
    ) -> str:
        label = rec.label
        words: list[str] = []
        setup_note = None
        for obstacle in obstacles:
            kind = obstacle[0]
            if kind == "reach":
                _, reach, tr, origin_id = obstacle
                if tr:
                    text = (
                        f"{label} cannot reach {site.name} before {when(_dt(reach))}: "
                        f"{tr / 3600:.1f} h of road transit from {sites[origin_id].name}"
                    )
                else:
                    needs = (
                        f"{rec.setup_s / 3600:.1f} h of set-up"
                        if rec.platform is not None
                        else f"{rec.lead_s / 3600:.1f} h from the order to the window"
                    )
                    setup_note = (
                        f"{label} needs {needs} at {site.name}: ready {when(_dt(reach))} at the earliest"
                    )
                    continue
            elif kind == "busy":
                _, launch_id, prev_until, tr, after_prev = obstacle
                busy = f"busy with {names[launch_id]}" if launch_id in names else "busy"
                text = (
                    f"{label} is {busy} until {when(_dt(prev_until))}"
                    + (f", then {tr / 3600:.1f} h of road transit" if tr else "")
                    + f": cannot reach {site.name} before {when(_dt(after_prev))}"
                )
            elif kind == "closure":
                text = closure_text(closure_of(site, obstacle[1]), site)
            else:
                _, launch_id, next_site, leave_by = obstacle
                text = (
                    f"{label} has no time at {site.name} before {names.get(launch_id, 'its next launch')} "
                    + (
                        f"(must leave for {sites[next_site].name} by "
                        if rec.platform is not None
                        else "(from "
                    )
                    + f"{when(_dt(leave_by))})"
                )
            if text not in words:
                words.append(text)
        text = (
            "; then ".join(words[:3])
            or setup_note
            or f"{label} has no free window at {site.name} by {when(latest)}"
        )
        if not text.startswith(label):
            text = f"{label} at {site.name}: {text}"
        if t < math.inf and when(_dt(t)) not in text:
            text += f" (nothing free there before {when(_dt(t))})"
        return text

    model_by_provider: dict[int, list[tuple[VehicleModel, Decimal | None]]] = {}
    pad_models: list[tuple[VehicleModel, Decimal | None]] = []
    for vm, capacity in candidates_models:
        if vm.mobile_launch:
            model_by_provider.setdefault(vm.provider_id, []).append((vm, capacity))
        else:
            pad_models.append((vm, capacity))
    for vm, _ in candidates_models:
        if vm.mobile_launch and not any(p.provider_id == vm.provider_id for p in platforms):
            reasons.append(
                (math.inf, vm.name, f"no {vm.provider.short_name} mobile platform is available for {vm.name}")
            )
    if pad_models and not pads:
        reasons.append((math.inf, "pads", "no pad in service at a site that reaches the orbit"))

    # Best-first search over (platform or pad, site) candidates. The queue holds lower bounds
    # (start, road seconds): a record's first entry bounds all its sites (road time >= 0); once
    # taken, its sites follow nearest first, each bounded by its first gap (later for a longer
    # drive) or by the next gap. An entry is walked only while its bound could still make the
    # top ``limit``, so a large fleet costs little more than a small one; when fewer than
    # ``limit`` plans exist every candidate is walked, and each miss can be put into words.
    candidate_count = walked = 0
    queue: list[tuple[float, float, int, int]] = []  # (start >=, road s >=, record, site position)
    for r, rec in enumerate(records):
        if rec.platform is not None:
            rec.models = model_by_provider.get(rec.platform.provider_id, [])
            sites_here = len(mobile_sites)
        else:
            rec.models = pad_models
            sites_here = 1
        if not rec.models or not sites_here:
            continue
        candidate_count += sites_here
        recs = rec.recs
        i0 = bisect.bisect_right(recs, (earliest_s, math.inf))  # first reservation ready after it
        rec.i0 = i0
        if i0:
            rec.prev_until, rec.prev_site, rec.prev_launch = recs[i0 - 1][2], recs[i0 - 1][3], recs[i0 - 1][4]
        else:
            rec.prev_until, rec.prev_site = rec.anchor_until, rec.anchor_site_id
        rec.floor_s = max(earliest_s, now_s + rec.setup_s + rec.lead_s)
        if i0 < len(recs):
            rec.next_lb = minute(max(rec.floor_s, recs[i0][2] + rec.setup_s))
        first_gap = minute(max(rec.floor_s, rec.prev_until + rec.setup_s))
        queue.append((min(first_gap, rec.next_lb), 0.0, r, -1))
    heapq.heapify(queue)

    ranked: list[
        tuple[tuple[Any, ...], _PlanRecord, int, float, float, int, VehicleModel, Decimal | None]
    ] = []
    misses: list[tuple[float, str, str, int, _PlanRecord, LaunchSite]] = []
    closest_beyond = math.inf
    while queue:
        lb_start, lb_road, r, pos = heapq.heappop(queue)
        if len(ranked) >= limit and (lb_start, lb_road) > ranked[-1][0][:2]:
            break  # nothing left can rank
        rec = records[r]
        if pos < 0:  # first visit: line up its sites, nearest first
            if rec.platform is not None:
                rec.order = sites_by_road(rec.prev_site, rec.speed)
            else:
                site = site_ok[rec.pad.site_id]  # type: ignore[union-attr]
                rec.order = [(0.0, site.code, site)]
        else:
            site = rec.order[pos][2]
            bound = ranked[-1][0][0] if len(ranked) >= limit else math.inf
            t, tr, origin_id = first_fit(rec, site.pk, bound)
            walked += 1
            if t <= latest_s:
                for vm, capacity in rec.models:
                    key = (t, tr, site.code, rec.label, vm.name)  # unique: never compares further
                    bisect.insort(ranked, (key, rec, site.pk, t, tr, origin_id, vm, capacity))
                del ranked[limit:]
            elif t < math.inf:
                misses.append((t, site.code, rec.label, len(misses), rec, site))
                closest_beyond = min(closest_beyond, t)
        pos += 1
        if pos < len(rec.order):
            road = rec.order[pos][0]
            first_gap = minute(
                max(rec.floor_s, now_s + road + rec.setup_s + rec.lead_s, rec.prev_until + road + rec.setup_s)
            )
            heapq.heappush(queue, min((first_gap, road, r, pos), (rec.next_lb, 0.0, r, pos)))

    # Only the closest misses are put into words; (start, site code, label, sequence) is unique.
    closest_misses = heapq.nsmallest(MAX_REASONS, misses)
    worded: list[tuple[float, str, _PlanRecord, LaunchSite, list[Obstacle]]] = []
    for t, code, label, _seq, rec, site in closest_misses:
        obstacles: list[Obstacle] = []
        first_fit(rec, site.pk, math.inf, obstacles)
        worded.append((t, f"{code} {label}", rec, site, obstacles))
    launch_ids = {o[1] for *_, obstacles in worded for o in obstacles if o[0] in ("busy", "next") and o[1]}
    names = dict(Launch.objects.filter(pk__in=launch_ids).values_list("pk", "name")) if launch_ids else {}
    reasons.extend(
        (t, key, obstacle_words(rec, site, t, obstacles, names)) for t, key, rec, site, obstacles in worded
    )
    omitted_misses = max(0, len(misses) - MAX_REASONS)

    vehicles = (
        Vehicle.objects.in_bulk([vm.first_ready_id for *_, vm, _c in ranked])  # type: ignore[attr-defined]
        if ranked
        else {}
    )
    plans: list[Plan] = []
    for _key, rec, site_id, t, tr, origin_id, vm, capacity in ranked:
        window_start = _dt(t)
        window_end = window_start + timedelta(hours=window_h)
        setup_span = timedelta(seconds=rec.setup_s)
        plans.append(
            Plan(
                site=sites[site_id],
                vehicle_model=vm,
                vehicle=vehicles[vm.first_ready_id],  # type: ignore[attr-defined]
                window_start=window_start,
                window_end=window_end,
                depart=window_start - setup_span - timedelta(seconds=tr),
                arrive=window_start - setup_span,
                teardown_end=window_end + timedelta(seconds=rec.teardown_s),
                transit_hours=tr / 3600.0,
                origin=sites[origin_id] if rec.platform is not None else None,
                platform=rec.platform,
                pad=rec.pad,
                capacity_kg=capacity,
            )
        )
    reasons.sort(key=lambda r: (r[0], r[1]))
    texts = [text for _, _, text in reasons]
    return PlanningResult(
        plans=plans,
        reasons=texts[:MAX_REASONS],
        candidates=candidate_count,
        walked=walked,
        reasons_omitted=max(0, len(texts) - MAX_REASONS) + omitted_misses,
        earliest_beyond_latest=_dt(closest_beyond) if closest_beyond < math.inf else None,
    )


def _epoch_rows(
    querysets: Sequence[Any], fields: Sequence[str], times: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """Rows of ``fields`` then ``times`` (datetime expressions) as float epoch seconds, the
    querysets one after the other (UNION ALL).

    On PostgreSQL the database converts and the rows come straight from the cursor: no datetime
    objects and no per-row converters, which counts for thousands of rows. Elsewhere Python
    converts.
    """
    postgres = connection.vendor == "postgresql"
    names = [f"epoch_{n}" for n in range(len(times))]
    selected = [
        qs.order_by()
        .annotate(
            **{name: _epoch(expr) if postgres else expr for name, expr in zip(names, times, strict=True)}
        )
        .values_list(*fields, *names)
        for qs in querysets
    ]
    rows = selected[0].union(*selected[1:], all=True) if len(selected) > 1 else selected[0]
    if postgres:
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    n = len(fields)
    return [row[:n] + tuple(None if value is None else _seconds(value) for value in row[n:]) for row in rows]


def _seconds(value: datetime | float) -> float:
    """Epoch seconds of a datetime, or the value itself when the database already converted it."""
    return value.timestamp() if isinstance(value, datetime) else value


def _epoch(expression: Any) -> Func:
    """PostgreSQL: a timestamptz as float seconds since the epoch."""
    if isinstance(expression, str):
        expression = F(expression)
    return Func(expression, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", output_field=FloatField())


def _dt(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)
