"""The launch planner: ranked feasible plans (site, platform or pad, rocket, window) for an orbit
between two times, and why the other candidates miss.

This module holds the entry point and the best-first search; ``planner_fleet`` loads the fleet
as floats (a fixed number of queries whatever its size) and ``planner_words`` puts the closest
misses into words.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from booking.dates import when
from booking.errors import InvalidRequest
from booking.models import Launch
from booking.rules.chain import chain_link, road_hours, site_point
from booking.rules.fleet import minutes_text, readiness_floor
from booking.rules.text import _require_aware
from booking.selectors.catalog import KeptCatalog, kept_catalog
from booking.selectors.planner_fleet import (
    ClosureIndex,
    Fleet,
    ModelCapacity,
    PlanRecord,
    Reason,
    RocketFloors,
    capable_models,
    closure_index_load,
    dt,
    fleet_load,
    readiness_chain_minutes,
    road_routes,
    rocket_floors_load,
    route_legs,
    sites_reaching,
)
from booking.selectors.planner_words import Obstacle, obstacle_launch_ids, obstacle_words
from vehicles.compatibility import join_names
from vehicles.models import LaunchSite, MobilePlatform, Pad, Provider, Vehicle, VehicleModel
from vehicles.orbits import OrbitError, sun_synchronous_inclination

#: Length of the launch window the planner proposes, per service level.
PLAN_WINDOW_HOURS = {Launch.ServiceLevel.STANDARD: 2, Launch.ServiceLevel.EXPRESS: 1}

#: The longest span a plan may be searched over.
PLAN_MAX_SPAN_DAYS = 366

#: At most this many per-candidate reasons are returned (the closest misses first).
MAX_REASONS = 60


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


def _minute(t: float) -> float:
    return math.ceil(t / 60.0) * 60.0  # windows open on a whole minute


#: (window start, road s, site code, label, model name): unique, so never compares further.
RankKey = tuple[Any, ...]
Ranked = tuple[RankKey, PlanRecord, int, float, float, int, VehicleModel, Decimal | None]
Miss = tuple[float, str, str, int, PlanRecord, LaunchSite, float, int]


@dataclass
class _Search:
    """One planning request's world, read once: times as epoch seconds, sites, routes, closures."""

    earliest_s: float
    latest_s: float
    now_s: float
    window_s: float
    sites: dict[int, LaunchSite]
    site_ok: dict[int, LaunchSite]
    routes: dict[tuple[int, int], float]
    closure_index: ClosureIndex
    rockets: RocketFloors = field(default_factory=RocketFloors)
    transit_cache: dict[tuple[int, int, Decimal], float] = field(default_factory=dict)
    nearest_first: dict[tuple[int, Decimal], list[tuple[float, str, LaunchSite]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        self.mobile_sites = [
            (site.pk, site.code, site) for site in self.site_ok.values() if site.accepts_mobile_platforms
        ]
        self.points = {pk: site_point(site) for pk, site in self.sites.items()}
        self.drivable: dict[int, list[tuple[int, str, LaunchSite]]] = {}

    def transit_s(self, origin_id: int, dest_id: int, speed: Decimal) -> float:
        if origin_id == dest_id:
            return 0.0
        key = (origin_id, dest_id, speed)
        seconds = self.transit_cache.get(key)
        if seconds is None:
            hours = road_hours(
                origin=self.points[origin_id],
                destination=self.points[dest_id],
                road_speed_kmh=speed,
                routes=self.routes,
            )
            seconds = self.transit_cache[key] = hours * 3600.0
        return seconds

    def sites_by_road(self, origin_id: int, speed: Decimal) -> list[tuple[float, str, LaunchSite]]:
        """(road seconds, code, site) of every site taking mobile platforms, nearest first."""
        order = self.nearest_first.get((origin_id, speed))
        if order is None:
            # A TEL drives on its range: a site it cannot reach by road is no candidate at all.
            # Whether it can never depends on its speed, so the range is found once per origin.
            drivable = self.drivable.get(origin_id)
            if drivable is None:
                drivable = self.drivable[origin_id] = [
                    entry
                    for entry in self.mobile_sites
                    if self.transit_s(origin_id, entry[0], speed) < math.inf
                ]
            order = self.nearest_first[(origin_id, speed)] = sorted(
                (self.transit_s(origin_id, pk, speed), code, site) for pk, code, site in drivable
            )
        return order

    def _clear_of_closures(self, site_id: int, t: float, obstacles: list[Obstacle] | None) -> float:
        """The first start from ``t`` whose window touches no closure at the site."""
        index = self.closure_index.get(site_id)
        if index is None or t > self.latest_s:  # past ``latest`` the start is a bound anyway
            return t
        starts, max_ends, rows = index
        while True:
            j = bisect.bisect_left(starts, t + self.window_s)
            if not j or max_ends[j - 1] <= t:
                return t
            if obstacles is not None:
                obstacles.extend(("closure", row) for row in rows[:j] if row[1] > t)
            t = max_ends[j - 1]

    def rocket_floor(self, model_id: int, site_id: int) -> float:
        """No window before the model's best-placed rocket is there, pad campaign done."""
        return self.rockets.floor_s.get((model_id, site_id), math.inf)

    def first_fit(
        self,
        rec: PlanRecord,
        site_id: int,
        bound: float,
        obstacles: list[Obstacle] | None = None,
        min_start: float = -math.inf,
        model_id: int = 0,
    ) -> tuple[float, float, int]:
        """Walk ``rec``'s gaps from ``earliest`` to the first where a window at ``site_id`` fits.

        Gives (window start, road seconds, origin site id). ``min_start``: the rocket's floor
        (``model_id``'s, for the words). A start after ``latest`` is a miss
        and only a lower bound: nothing is free there before it. Start ``inf``: nothing opens by
        ``bound``, so it would not make the ranking. With ``obstacles``, records what pushed the
        start later, for the words.
        """
        recs, setup, teardown, speed = rec.recs, rec.setup_s, rec.teardown_s, rec.speed
        window = self.window_s
        mobile = rec.platform is not None
        ordered_at = self.now_s + rec.lead_s  # a pad's lead counts from the order
        i, prev_site, prev_until, prev_launch = rec.i0, rec.prev_site, rec.prev_until, rec.prev_launch
        if min_start == math.inf:
            return math.inf, 0.0, prev_site
        while True:
            tr = self.transit_s(prev_site, site_id, speed) if mobile else 0.0
            if tr == math.inf:  # the truck is off its range there: no gap of this record fits
                return math.inf, 0.0, prev_site
            t = self.earliest_s
            if min_start > t:
                t = min_start
                if obstacles is not None:
                    obstacles.append(("rocket", t, model_id, site_id))
            # The chain rule (booking.rules.chain.chain_link) against the order, then against the
            # link before: the earliest window each allows.
            reach = chain_link(
                prev_until=ordered_at,
                window_start=t,
                window_end=t + window,
                transit=tr,
                setup=setup,
                teardown=teardown,
            )[3]
            if reach > t:
                t = reach
                if obstacles is not None:
                    obstacles.append(("reach", t, tr, prev_site))
            after_prev = chain_link(
                prev_until=prev_until,
                window_start=t,
                window_end=t + window,
                transit=tr,
                setup=setup,
                teardown=teardown,
            )[3]
            if after_prev > t:
                t = after_prev
                if obstacles is not None:
                    obstacles.append(("busy", prev_launch, prev_until, tr, t))
            t = self._clear_of_closures(site_id, _minute(t), obstacles)
            if i == len(recs):
                return t, tr, prev_site
            nxt = recs[i]
            until = chain_link(
                prev_until=prev_until,
                window_start=t,
                window_end=t + window,
                transit=tr,
                setup=setup,
                teardown=teardown,
            )[2]
            # The next launch now departs from this site (an off-range one gives -inf: the
            # platform must stay free for that launch); the link fits when it departs no earlier.
            leave_by = chain_link(
                prev_until=until,
                window_start=nxt[0],
                window_end=nxt[0],
                transit=self.transit_s(site_id, nxt[3], speed) if mobile else 0.0,
                setup=setup,
                teardown=teardown,
            )[0]
            if until <= leave_by:
                return t, tr, prev_site
            if obstacles is not None:
                obstacles.append(("next", nxt[4], nxt[3], leave_by))
            # The next gap opens after that reservation: a start there may even be earlier than
            # this one's (a shorter drive), but never before it is torn down and set up again.
            prev_site, prev_until, prev_launch = nxt[3], nxt[2], nxt[4]
            i += 1
            floor = _minute(max(rec.floor_s, min_start, prev_until + setup))
            if floor > bound:
                return math.inf, tr, prev_site
            if floor > self.latest_s:
                return floor, tr, prev_site


def _models_for_records(
    fleet: Fleet, candidates: list[ModelCapacity], reasons: list[Reason]
) -> tuple[dict[int, list[ModelCapacity]], list[ModelCapacity]]:
    """Mobile models by provider and pad models; a reason for each that has nothing to fly on."""
    model_by_provider: dict[int, list[ModelCapacity]] = {}
    pad_models: list[ModelCapacity] = []
    for vm, capacity in candidates:
        if vm.mobile_launch:
            model_by_provider.setdefault(vm.provider_id, []).append((vm, capacity))
        else:
            pad_models.append((vm, capacity))
    for vm, _ in candidates:
        if not vm.mobile_launch:
            continue
        trucks = [p for p in fleet.platforms if p.provider_id == vm.provider_id]
        if not trucks:
            reasons.append(
                (math.inf, vm.name, f"no {vm.provider.short_name} mobile platform is available for {vm.name}")
            )
        elif not any(vm.pk in fleet.carried.get(p.pk, ()) for p in trucks):
            names = join_names(p.name for p in trucks[:5])
            reasons.append(
                (
                    math.inf,
                    vm.name,
                    f"no available {vm.provider.short_name} truck carries {vm.name} ({names} do not)",
                )
            )
    if pad_models and not fleet.pads:
        reasons.append((math.inf, "pads", "no pad in service at a site that reaches the orbit"))
    for vm, _ in pad_models:
        if fleet.pads and not any(_pad_serves(fleet, pad, vm) for pad in fleet.pads):
            reasons.append(
                (
                    math.inf,
                    vm.name,
                    f"no pad in service at a site that reaches the orbit serves {vm.name}"
                    + (f" ({vm.family} family)" if vm.family else ""),
                )
            )
    return model_by_provider, pad_models


def _pad_serves(fleet: Fleet, pad: Pad, vm: VehicleModel) -> bool:
    return vm.pk in fleet.served.get(pad.pk, ()) or bool(
        vm.family and vm.family in (pad.vehicle_families or [])
    )


def _seed(
    search: _Search,
    fleet: Fleet,
    model_by_provider: dict[int, list[ModelCapacity]],
    pad_models: list[ModelCapacity],
) -> tuple[list[tuple[float, float, int, int]], int]:
    """The search queue's first entries, one per record that can fly, and the candidate count.

    A record's first entry bounds all its sites (road time >= 0): its first gap, or the next.
    """
    candidate_count = 0
    queue: list[tuple[float, float, int, int]] = []  # (start >=, road s >=, record, site position)
    for r, rec in enumerate(fleet.records):
        if rec.platform is not None:
            carried = fleet.carried.get(rec.platform.pk, set())
            rec.models = [
                m for m in model_by_provider.get(rec.platform.provider_id, []) if m[0].pk in carried
            ]
            sites_here = len(search.mobile_sites)
        else:
            pad = rec.pad
            assert pad is not None
            rec.models = [m for m in pad_models if _pad_serves(fleet, pad, m[0])]
            sites_here = 1
        if not rec.models or not sites_here:
            continue
        candidate_count += sites_here
        recs = rec.recs
        i0 = bisect.bisect_right(recs, (search.earliest_s, math.inf))  # first reservation ready after it
        rec.i0 = i0
        if i0:
            rec.prev_until, rec.prev_site, rec.prev_launch = recs[i0 - 1][2], recs[i0 - 1][3], recs[i0 - 1][4]
        else:
            rec.prev_until, rec.prev_site = rec.anchor_until, rec.anchor_site_id
        rec.floor_s = max(search.earliest_s, search.now_s + rec.setup_s + rec.lead_s)
        if i0 < len(recs):
            rec.next_lb = _minute(max(rec.floor_s, recs[i0][2] + rec.setup_s))
        first_gap = _minute(max(rec.floor_s, rec.prev_until + rec.setup_s))
        queue.append((min(first_gap, rec.next_lb), 0.0, r, -1))
    heapq.heapify(queue)
    return queue, candidate_count


def _walk(
    search: _Search, records: list[PlanRecord], queue: list[tuple[float, float, int, int]], limit: int
) -> tuple[list[Ranked], list[Miss], int, list[tuple[int, LaunchSite]]]:
    """Best-first search over (platform or pad, site) candidates.

    The queue holds lower bounds (start, road seconds); once a record is taken, its sites follow
    nearest first, each bounded by its first gap (later for a longer drive) or by the next gap.
    An entry is walked only while its bound could still make the top ``limit``, so a large fleet
    costs little more than a small one; when fewer than ``limit`` plans exist every candidate is
    walked, and each miss can be put into words.
    """
    ranked: list[Ranked] = []
    misses: list[Miss] = []
    no_route: list[tuple[int, LaunchSite]] = []
    walked = 0
    while queue:
        lb_start, lb_road, r, pos = heapq.heappop(queue)
        if len(ranked) >= limit and (lb_start, lb_road) > ranked[-1][0][:2]:
            break  # nothing left can rank
        rec = records[r]
        if pos < 0:  # first visit: line up its sites, nearest first
            if rec.platform is not None:
                rec.order = search.sites_by_road(rec.prev_site, rec.speed)
            else:
                site = search.site_ok[rec.pad.site_id]  # type: ignore[union-attr]
                rec.order = [(0.0, site.code, site)]
        else:
            site = rec.order[pos][2]
            # Models whose rockets reach this site at the same time share one walk of the gaps.
            by_floor: dict[float, list[ModelCapacity]] = {}
            for model in rec.models:
                by_floor.setdefault(search.rocket_floor(model[0].pk, site.pk), []).append(model)
            for floor, models in sorted(by_floor.items(), key=lambda item: item[0]):
                bound = ranked[-1][0][0] if len(ranked) >= limit else math.inf
                model_id = models[0][0].pk
                t, tr, origin_id = search.first_fit(rec, site.pk, bound, min_start=floor, model_id=model_id)
                walked += 1
                if t <= search.latest_s:
                    for vm, capacity in models:
                        key = (t, tr, site.code, rec.label, vm.name)
                        bisect.insort(ranked, (key, rec, site.pk, t, tr, origin_id, vm, capacity))
                    del ranked[limit:]
                elif t < math.inf:
                    misses.append((t, site.code, rec.label, len(misses), rec, site, floor, model_id))
                elif floor == math.inf:
                    no_route.append((model_id, site))
        pos += 1
        if pos < len(rec.order):
            road = rec.order[pos][0]
            first_gap = _minute(
                max(
                    rec.floor_s,
                    search.now_s + road + rec.setup_s + rec.lead_s,
                    rec.prev_until + road + rec.setup_s,
                )
            )
            heapq.heappush(queue, min((first_gap, road, r, pos), (rec.next_lb, 0.0, r, pos)))
    return ranked, misses, walked, no_route


def _miss_reasons(search: _Search, misses: list[Miss], *, latest: datetime) -> list[Reason]:
    """The closest misses in words (1 query naming the launches they mention)."""
    # (start, site code, label, sequence) is unique.
    worded: list[tuple[float, str, PlanRecord, LaunchSite, list[Obstacle]]] = []
    for t, code, label, _seq, rec, site, floor, model_id in heapq.nsmallest(MAX_REASONS, misses):
        obstacles: list[Obstacle] = []
        search.first_fit(rec, site.pk, math.inf, obstacles, min_start=floor, model_id=model_id)
        worded.append((t, f"{code} {label}", rec, site, obstacles))
    launch_ids = set().union(*(obstacle_launch_ids(obstacles) for *_, obstacles in worded))
    names = dict(Launch.objects.filter(pk__in=launch_ids).values_list("pk", "name")) if launch_ids else {}
    return [
        (
            t,
            key,
            obstacle_words(
                rec,
                site,
                t,
                obstacles,
                names=names,
                sites=search.sites,
                latest=latest,
                rockets=search.rockets,
            ),
        )
        for t, key, rec, site, obstacles in worded
    ]


def _plans(
    ranked: list[Ranked], sites: dict[int, LaunchSite], window_h: float, rockets: RocketFloors
) -> list[Plan]:
    """The ranked candidates as plans, each with its model's best-placed ready rocket (1 query)."""
    vehicles = (
        Vehicle.objects.select_related("storage_site", "in_transit_to").in_bulk(
            [rockets.vehicle_id[(vm.pk, site_id)] for _k, _r, site_id, *_, vm, _c in ranked]
        )
        if ranked
        else {}
    )
    plans: list[Plan] = []
    for _key, rec, site_id, t, tr, origin_id, vm, capacity in ranked:
        window_start = dt(t)
        window_end = window_start + timedelta(hours=window_h)
        setup_span = timedelta(seconds=rec.setup_s)
        plans.append(
            Plan(
                site=sites[site_id],
                vehicle_model=vm,
                vehicle=vehicles[rockets.vehicle_id[(vm.pk, site_id)]],
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
    return plans


def plan_span_problem(*, earliest: datetime, latest: datetime) -> tuple[str, str] | None:
    """(field, words) when the planning span cannot be searched, else ``None``."""
    if latest < earliest:
        return "latest", "The latest time must not be before the earliest."
    if (latest - earliest).days >= PLAN_MAX_SPAN_DAYS:
        return "latest", f"Search at most {PLAN_MAX_SPAN_DAYS} days at a time."
    return None


def plan_fleet_default(*, provider: Provider | None, runs: set[int] | None) -> Provider | None:
    """Whose fleet a request plans: the one named, else the only provider its operator runs
    (``runs``: the providers the user operates; ``None``: a platform administrator, all fleets).
    Raises ``InvalidRequest`` when an operator of several providers names none."""
    if provider is not None or runs is None:
        return provider
    if len(runs) > 1:
        raise InvalidRequest(gettext("You run more than one provider: choose whose fleet to plan."))
    return Provider.objects.get(pk=next(iter(runs))) if runs else None


def _request_inclination(
    orbit_family: str, altitude_km: int, inclination_deg: Decimal | float | None
) -> float:
    if inclination_deg is None:
        if orbit_family != "SSO":
            raise InvalidRequest(gettext("An inclination is needed for orbits other than SSO."))
        try:
            inclination_deg = sun_synchronous_inclination(altitude_km)
        except OrbitError as exc:
            raise InvalidRequest(str(exc)) from exc
    return float(inclination_deg)


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
    returnable: bool = False,
    provider_ids: Collection[int] | None = None,
    catalog: KeptCatalog | None = None,
) -> PlanningResult:
    """Ranked feasible plans whose window opens between ``earliest`` and ``latest``.

    Ranking: earliest window, then shortest road transit, then site code, platform or pad name
    and vehicle model name (stable for the same input). When nothing fits, ``reasons`` says why
    per candidate, the closest misses first; when plans are found, the search stops as soon as
    nothing left could rank, so the misses given are those it met on the way. Runs a fixed number
    of queries whatever the size of the fleet, plus one naming the launches the reasons mention
    (pinned in tests/booking/test_planner.py). ``provider_ids``, when given, plans only those
    providers' fleets (the express order: the providers the customer can confirm with).
    ``catalog``: the kept catalog as the caller read it (``kept_catalog``), else it is read here;
    the models' curves, the sites with their corridors and the route table come from it (outside
    a transaction; inside one, from the rows).
    """
    now = now or timezone.now()
    _require_aware(earliest=earliest, latest=latest)
    if latest < earliest:
        raise InvalidRequest(gettext("The latest time must not be before the earliest time."))
    span = plan_span_problem(earliest=earliest, latest=latest)
    if span:
        raise InvalidRequest(span[1])
    inclination = _request_inclination(orbit_family, altitude_km, inclination_deg)
    window_s = PLAN_WINDOW_HOURS.get(service_level, 2) * 3600.0  # type: ignore[call-overload]
    # Nothing opens in the past, nor at the moment of the order (launch_schedule takes a window
    # opening strictly after ``now``; windows open on whole minutes, so the next one). Where the
    # platforms are is read from here.
    earliest = max(earliest, now + timedelta(microseconds=1))

    catalog = catalog if catalog is not None else kept_catalog()
    reasons: list[Reason] = []
    candidates = capable_models(
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        mass_kg=mass_kg,
        provider=provider,
        reasons=reasons,
        express=service_level == Launch.ServiceLevel.EXPRESS,
        inclination_deg=inclination,
        provider_ids=provider_ids,
        catalog=catalog,
    )
    # The work's minimum: no window before the order plus the readiness template's chain.
    chain_minutes = readiness_chain_minutes(service_level=service_level, returnable=returnable)
    work_floor = readiness_floor(now=now, chain_minutes=chain_minutes)
    if work_floor > earliest:
        if work_floor > latest:
            reasons.append(
                (
                    work_floor.timestamp(),
                    "readiness",
                    f"the readiness work takes at least {minutes_text(chain_minutes)} from the order: "
                    f"earliest window {when(work_floor)}",
                )
            )
        earliest = work_floor
    sites, site_ok = sites_reaching(inclination, reasons, catalog=catalog)
    legs = route_legs(catalog)
    routes = road_routes(legs)  # the road legs of the same read
    fleet = fleet_load(
        candidates=candidates,
        sites=sites,
        site_ok=site_ok,
        routes=routes,
        earliest=earliest,
        latest_s=latest.timestamp(),
        window_s=window_s,
    )
    search = _Search(
        earliest_s=earliest.timestamp(),
        latest_s=latest.timestamp(),
        now_s=now.timestamp(),
        window_s=window_s,
        sites=sites,
        site_ok=site_ok,
        routes=routes,
        closure_index=(
            closure_index_load(
                site_ids=list(site_ok),
                earliest=earliest,
                hi=fleet.hi,
                separations={pk: site.min_launch_separation_minutes for pk, site in site_ok.items()},
            )
            if fleet.records
            else {}
        ),
        rockets=rocket_floors_load(
            candidates=candidates, site_ids=list(site_ok), sites=sites, routes=legs, now_s=now.timestamp()
        )
        if fleet.records
        else RocketFloors(),
    )
    model_by_provider, pad_models = _models_for_records(fleet, candidates, reasons)
    queue, candidate_count = _seed(search, fleet, model_by_provider, pad_models)
    ranked, misses, walked, no_route = _walk(search, fleet.records, queue, limit)
    reasons.extend(_miss_reasons(search, misses, latest=latest))
    for model_id, site in dict.fromkeys(no_route):
        text = search.rockets.text(model_id, site.pk)
        reasons.append((math.inf, f"{site.code} rocket", f"{text} (for {site.name})"))
    plans = _plans(ranked, sites, window_s / 3600.0, search.rockets)
    reasons.sort(key=lambda r: (r[0], r[1]))
    texts = [text for _, _, text in reasons]
    closest_beyond = min((miss[0] for miss in misses), default=math.inf)
    return PlanningResult(
        plans=plans,
        reasons=texts[:MAX_REASONS],
        candidates=candidate_count,
        walked=walked,
        reasons_omitted=max(0, len(texts) - MAX_REASONS) + max(0, len(misses) - MAX_REASONS),
        earliest_beyond_latest=dt(closest_beyond) if closest_beyond < math.inf else None,
    )
