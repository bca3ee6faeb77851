"""Launch scheduling: platforms and pads reserved over time, slips, scrubs and the planner.

A mobile platform (TEL) is reserved from departure (road transit from where it is) through
set-up, the launch window and tear-down; a pad from the window through its turnaround. The
reservations of one platform or pad form a *chain* in window order: each link departs from the
site of the link before it (or the platform's home site) and must not start before that link
has been torn down. ``_chain_evaluate`` is the one place this rule lives; scheduling, slipping,
scrubbing and the admin timeline all go through it. ``plan_launch`` applies the same rule to
bulk-loaded rows, so it answers in a handful of queries.

Concurrency: every change locks the platform/pad rows first (``select_for_update`` in pk order,
inside ``short_lock_wait``), then re-reads the chain and checks it. On SQLite transactions are
IMMEDIATE, so the lock is the database write lock. On PostgreSQL the exclusion constraint of
migration 0003 is the backstop: a violation becomes ``Conflict``, never a 500.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Count, F, FloatField, Func, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import Launch, Reservation
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
    DEFAULT_ROAD_FACTOR,
    OrbitError,
    capacity_at_altitude,
    great_circle_distance_km,
    is_inclination_reachable,
    reachable_inclination_range,
    road_transit_hours,
    sun_synchronous_inclination,
)

from . import readiness
from .errors import Conflict, InvalidRequest
from .events import Actor, event_record
from .locking import short_lock_wait

# --- constants and small helpers ----------------------------------------------------------------

#: Ratio of road distance to great-circle distance when no RoadRoute is set.
ROAD_FACTOR = DEFAULT_ROAD_FACTOR

#: Length of the launch window the planner proposes, per service level.
PLAN_WINDOW_HOURS = {Launch.ServiceLevel.STANDARD: 2, Launch.ServiceLevel.EXPRESS: 1}

#: A rocket going up on a pad needs this long from the order to the window (on a platform the
#: set-up hours play this part).
PAD_LEAD_HOURS = 6.0

#: At most this many per-candidate reasons are returned (the closest misses first).
MAX_REASONS = 60

NET_PRECISIONS = {choice for choice, _ in Launch.NetPrecision.choices}


def when(moment: datetime) -> str:
    """A time for messages: UTC, to the minute."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _span_text(start: datetime, end: datetime) -> str:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"


def _hours(value: float | Decimal) -> timedelta:
    return timedelta(hours=float(value))


def _ceil_minute(delta: timedelta) -> timedelta:
    return timedelta(minutes=math.ceil(delta.total_seconds() / 60))


def _require_aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and timezone.is_naive(moment):
            raise InvalidRequest(f"{name.replace('_', ' ')} must carry a time zone (e.g. UTC).")


def closure_text(closure: SiteClosure, site: LaunchSite | None = None) -> str:
    site = site or closure.site
    reason = f": {closure.reason}" if closure.reason else ""
    return f"{site.name} closed for {closure.get_kind_display().lower()} {_span_text(closure.starts_at, closure.ends_at)}{reason}"


def inclination_problem(site: LaunchSite, inclination_deg: float | Decimal) -> str | None:
    """Why ``inclination_deg`` cannot be flown directly from ``site``, or None if it can."""
    if is_inclination_reachable(site.latitude, inclination_deg):
        return None
    lowest, highest = reachable_inclination_range(site.latitude)
    hemisphere = "N" if site.latitude >= 0 else "S"
    return (
        f"{site.name} at {abs(float(site.latitude)):.2f}° {hemisphere} cannot reach "
        f"{float(inclination_deg):.2f}° directly (reachable: {lowest:.2f}°–{highest:.2f}°)"
    )


# --- transit ------------------------------------------------------------------------------------


def _estimate_transit_hours(origin: LaunchSite, destination: LaunchSite, road_speed_kmh: Decimal) -> float:
    # Whole minutes keep the schedule readable and the arithmetic exact.
    return _estimate_transit_hours_cached(
        origin.latitude, origin.longitude, destination.latitude, destination.longitude, road_speed_kmh
    )


@functools.lru_cache(maxsize=65536)
def _estimate_transit_hours_cached(
    origin_lat: Decimal, origin_lon: Decimal, dest_lat: Decimal, dest_lon: Decimal, road_speed_kmh: Decimal
) -> float:
    """The same estimate, keyed by coordinates and speed (values, so never stale)."""
    distance_km = great_circle_distance_km(origin_lat, origin_lon, dest_lat, dest_lon)
    return math.ceil(road_transit_hours(distance_km, road_speed_kmh, ROAD_FACTOR) * 60) / 60


def transit_hours(
    *,
    origin: LaunchSite,
    destination: LaunchSite,
    road_speed_kmh: Decimal,
    routes: dict[tuple[int, int], float] | None = None,
) -> float:
    """Road hours from ``origin`` to ``destination``: an operator's RoadRoute when one is set,
    otherwise the great-circle distance times ROAD_FACTOR over the platform's road speed."""
    if origin.pk == destination.pk:
        return 0.0
    if routes is None:
        route = (
            RoadRoute.objects.filter(origin=origin, destination=destination)
            .values_list("transit_hours", flat=True)
            .first()
        )
        hours = float(route) if route is not None else None
    else:
        hours = routes.get((origin.pk, destination.pk))
    if hours is not None:
        return hours
    return _estimate_transit_hours(origin, destination, road_speed_kmh)


def _routes() -> dict[tuple[int, int], float]:
    return {
        (origin_id, destination_id): float(hours)
        for origin_id, destination_id, hours in RoadRoute.objects.values_list(
            "origin_id", "destination_id", "transit_hours"
        )
    }


def platform_location_at(
    *, platform: MobilePlatform, at: datetime, exclude_launch_ids: Iterable[int] = ()
) -> LaunchSite:
    """Where ``platform`` is at ``at``: the site of its last live reservation whose window
    started before then, otherwise its home site."""
    last = (
        Reservation.objects.filter(platform=platform, released_at__isnull=True, ready_at__lt=at)
        .exclude(launch_id__in=list(exclude_launch_ids))
        .select_related("launch__site")
        .order_by("-ready_at", "-pk")
        .first()
    )
    return last.launch.site if last else platform.home_site


# --- the chain of one platform or pad -----------------------------------------------------------


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


def _chain_load(
    resource: _Resource, *, from_time: datetime, exclude_launch_ids: Sequence[int] = ()
) -> tuple[_Slot | None, list[_Slot]]:
    """The live link before ``from_time`` (window order) and every live link from then on."""
    base = (
        Reservation.objects.filter(released_at__isnull=True, **resource.filter())
        .exclude(launch_id__in=list(exclude_launch_ids))
        .select_related("launch__site", "origin")
    )
    anchor_res = base.filter(ready_at__lt=from_time).order_by("-ready_at", "-pk").first()
    later = [
        _slot_from_reservation(r) for r in base.filter(ready_at__gte=from_time).order_by("ready_at", "pk")
    ]
    return (_slot_from_reservation(anchor_res) if anchor_res else None), later


def _span(resource: _Resource, slot: _Slot, origin: LaunchSite | None, routes) -> None:
    if resource.platform is not None:
        platform = resource.platform
        assert origin is not None
        slot.origin = origin
        slot.transit_h = transit_hours(
            origin=origin, destination=slot.site, road_speed_kmh=platform.road_speed_kmh, routes=routes
        )
        slot.arrive = slot.window_start - _hours(platform.setup_hours)
        slot.depart = slot.arrive - _hours(slot.transit_h)
        slot.until = slot.window_end + _hours(platform.teardown_hours)
    else:
        assert resource.pad is not None
        slot.origin, slot.transit_h = None, 0.0
        slot.arrive = slot.depart = slot.window_start
        slot.until = slot.window_end + _hours(resource.pad.turnaround_hours)


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
    earliest_window = prev.until + _hours(slot.transit_h) + _hours(platform.setup_hours)
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
        _span(resource, slot, origin, routes)
        seen_primary = seen_primary or slot.primary
        if prev is not None and slot.depart < prev.until:  # type: ignore[operator]
            can_cascade = (
                cascade
                and seen_primary
                and not slot.primary
                and slot.launch is not None
                and slot.launch.status in Launch.ACTIVE_STATUSES
            )
            if can_cascade:
                shortfall = _ceil_minute(prev.until - slot.depart)  # type: ignore[operator]
                slot.cascaded_by += shortfall
                slot.window_start += shortfall
                slot.window_end += shortfall
                _span(resource, slot, origin, routes)
            elif slot.changed or prev.moved:
                problems.append(_link_problem(resource, prev, slot))
        if slot.changed and resource.platform is not None and slot.depart < now:  # type: ignore[operator]
            old_depart = slot.reservation.occupied_from if slot.reservation else None
            if old_depart is None or slot.depart < old_depart:  # type: ignore[operator]
                platform = resource.platform
                reach = now + _hours(slot.transit_h) + _hours(platform.setup_hours)
                problems.append(
                    f"{platform.name} cannot reach {slot.site.name} before {when(reach)}: "
                    f"{slot.transit_h:.1f} h of road transit from {origin.name} "  # type: ignore[union-attr]
                    f"and {platform.setup_hours} h of set-up"
                )
        prev = slot
    return problems


def _closure_problems(slot: _Slot) -> list[str]:
    closures = SiteClosure.objects.filter(
        site=slot.site, starts_at__lt=slot.window_end, ends_at__gt=slot.window_start
    ).order_by("starts_at", "pk")
    if slot.window_start == slot.window_end:  # an instantaneous window still must not sit in a closure
        closures = SiteClosure.objects.filter(
            site=slot.site, starts_at__lte=slot.window_start, ends_at__gt=slot.window_start
        ).order_by("starts_at", "pk")
    prefix = "" if slot.primary else f"{slot.name} (slipped to {when(slot.window_start)}): "
    return [prefix + closure_text(c, slot.site) for c in closures]


def _lock(resource: _Resource) -> None:
    """Lock the platform or pad row. Caller is inside ``transaction.atomic``."""
    with short_lock_wait(resource.label):
        if resource.platform is not None:
            list(MobilePlatform.objects.select_for_update().filter(pk=resource.platform.pk).order_by("pk"))
        else:
            list(Pad.objects.select_for_update().filter(pk=resource.pad.pk).order_by("pk"))  # type: ignore[union-attr]


def _persist_chain(resource: _Resource, slots: list[_Slot], *, now: datetime) -> None:
    """Write every changed link. Caller holds the resource lock and has checked the chain.

    Moved links step aside first (released_at set) so that the exclusion constraint, which
    checks each statement, never sees an intermediate state where a link already moved
    overlaps one that has not moved yet; the final rows are checked when they come back.
    """
    changed = [s for s in slots if s.changed]
    existing = [s.reservation.pk for s in changed if s.reservation is not None]
    if existing:
        Reservation.objects.filter(pk__in=existing).update(released_at=now)
    for slot in changed:
        res = slot.reservation or Reservation(launch=slot.launch, **resource.filter())
        res.origin = slot.origin
        res.occupied_from = slot.depart  # type: ignore[assignment]
        res.arrive_at = slot.arrive if resource.platform is not None else None
        res.ready_at = slot.window_start
        res.occupied_until = slot.until  # type: ignore[assignment]
        res.released_at = None
        res.save()
        slot.reservation = res


def _integrity_conflict(
    exc: IntegrityError, *, resource: _Resource | None, vehicle: Vehicle | None
) -> Conflict:
    text = str(exc)
    if "reservation_no_overlap" in text and resource is not None:
        return Conflict(
            f"{resource.label} was reserved for an overlapping time by someone else a moment ago; "
            "please plan again."
        )
    if "unique_live_launch_per_vehicle" in text and vehicle is not None:
        return Conflict(f"{vehicle.serial} is already assigned to another live launch.")
    return Conflict(
        f"The schedule changed while this was being saved ({text.splitlines()[0]}); please retry."
    )


def _launch_state(launch: Launch) -> dict[str, Any]:
    return {
        "status": launch.status,
        "window_start": launch.window_start,
        "window_end": launch.window_end,
        "net": launch.net,
        "net_precision": launch.net_precision,
        "site": launch.site_id,
        "platform": launch.platform_id,
        "pad": launch.pad_id,
        "vehicle": launch.vehicle_id,
    }


# --- launch_schedule ---------------------------------------------------------------------------


def launch_schedule(
    *,
    provider: Provider,
    vehicle_model: VehicleModel,
    site: LaunchSite,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | float | None,
    window_start: datetime,
    window_end: datetime,
    actor: Actor,
    vehicle: Vehicle | None = None,
    platform: MobilePlatform | None = None,
    pad: Pad | None = None,
    name: str = "",
    net: datetime | None = None,
    net_precision: str = "hour",
    service_level: str = "standard",
    now: datetime | None = None,
) -> Launch:
    """Create a scheduled launch and reserve its platform (transit, set-up, window, tear-down)
    or its pad (window plus turnaround); assign the vehicle; start the readiness plan.

    Refuses with ``InvalidRequest`` for inconsistent input and ``Conflict`` (``.reasons`` lists
    every clash) when the schedule cannot take it; then nothing is written.
    """
    now = now or timezone.now()
    _require_aware(window_start=window_start, window_end=window_end, net=net)
    if (platform is None) == (pad is None):
        raise InvalidRequest("A launch needs either a mobile platform or a pad (not both).")
    if window_end < window_start:
        raise InvalidRequest("The launch window must not end before it starts.")
    if window_start <= now:
        raise InvalidRequest(f"The launch window must open in the future (it is {when(now)} now).")
    net = net or window_start
    if not window_start <= net <= window_end:
        raise InvalidRequest("The NET must lie within the launch window.")
    if net_precision not in NET_PRECISIONS:
        raise InvalidRequest(f"Unknown NET precision {net_precision!r}.")
    if service_level not in Launch.ServiceLevel.values:
        raise InvalidRequest(f"Unknown service level {service_level!r}.")
    if orbit_family not in {c for c, _ in Launch._meta.get_field("orbit_family").choices}:  # type: ignore[union-attr]
        raise InvalidRequest(f"Unknown orbit family {orbit_family!r}.")
    if altitude_km < 100:
        raise InvalidRequest("The target altitude must be at least 100 km.")
    if inclination_deg is None:
        if orbit_family != "SSO":
            raise InvalidRequest("An inclination is needed for orbits other than SSO.")
        inclination_deg = Decimal(f"{sun_synchronous_inclination(altitude_km):.2f}")
    inclination = Decimal(str(inclination_deg)).quantize(Decimal("0.01"))
    if vehicle_model.provider_id != provider.pk:
        raise InvalidRequest(f"{vehicle_model.name} is not flown by {provider.short_name}.")
    if vehicle is not None and vehicle.vehicle_model_id != vehicle_model.pk:
        raise InvalidRequest(
            f"{vehicle.serial} is a {vehicle.vehicle_model.name}, not a {vehicle_model.name}."
        )
    if platform is not None:
        if not vehicle_model.mobile_launch:
            raise InvalidRequest(f"{vehicle_model.name} is not launched from mobile platforms.")
        if platform.provider_id != provider.pk:
            raise InvalidRequest(f"{platform.name} belongs to another provider.")
        if not site.accepts_mobile_platforms:
            raise InvalidRequest(f"{site.name} does not accept mobile platforms.")
    if pad is not None and pad.site_id != site.pk:
        raise InvalidRequest(f"Pad {pad.name} is at {pad.site.name}, not at {site.name}.")
    problem = inclination_problem(site, inclination)
    if problem:
        raise Conflict(problem[0].upper() + problem[1:] + ".", reasons=[problem])

    resource = _Resource(platform=platform, pad=pad)
    label = name or f"{vehicle_model.name} · {orbit_family} {altitude_km}"
    try:
        with transaction.atomic():
            _lock(resource)
            if vehicle is not None:
                with short_lock_wait(vehicle.serial):
                    vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
            reasons: list[str] = []
            if platform is not None:
                platform.refresh_from_db(fields=["status", "road_speed_kmh", "setup_hours", "teardown_hours"])
                if platform.status != MobilePlatform.Status.AVAILABLE:
                    reasons.append(f"{platform.name} is {platform.get_status_display().lower()}")
            if pad is not None and not pad.active:
                reasons.append(f"Pad {pad.name} at {site.name} is not in service")
            if vehicle is not None and vehicle.status != Vehicle.Status.READY_STORAGE:
                reasons.append(
                    f"{vehicle.serial} is not in ready storage ({vehicle.get_status_display().lower()})"
                )
            new = _Slot(
                launch=None,
                name=label,
                site=site,
                window_start=window_start,
                window_end=window_end,
                primary=True,
            )
            reasons += _closure_problems(new)
            anchor, slots = _chain_load(resource, from_time=window_start)
            slots.append(new)
            reasons += _chain_evaluate(resource, anchor, slots, now=now, routes=_routes())
            if reasons:
                raise Conflict(
                    f"Cannot schedule {label} on {resource.label} at {site.name} for "
                    f"{_span_text(window_start, window_end)}: " + "; ".join(reasons) + ".",
                    reasons=reasons,
                )
            launch = Launch.objects.create(
                name=label,
                provider=provider,
                vehicle_model=vehicle_model,
                vehicle=vehicle,
                site=site,
                pad=pad,
                platform=platform,
                orbit_family=orbit_family,
                altitude_km=altitude_km,
                inclination_deg=inclination,
                window_start=window_start,
                window_end=window_end,
                net=net,
                net_precision=net_precision,
                status=Launch.Status.SCHEDULED,
                service_level=service_level,
            )
            new.launch = launch
            _persist_chain(resource, slots, now=now)
            if vehicle is not None:
                Vehicle.objects.filter(pk=vehicle.pk).update(status=Vehicle.Status.ASSIGNED)
            reservation = new.reservation
            assert reservation is not None
            timeline = (
                f"departs {reservation.origin.name} {when(reservation.occupied_from)}, "  # type: ignore[union-attr]
                f"arrives {when(reservation.arrive_at)}, "  # type: ignore[arg-type]
                if platform is not None
                else ""
            )
            event_record(
                verb="launch.scheduled",
                subject=launch,
                actor=actor,
                after=_launch_state(launch),
                message=(
                    f"{label} scheduled at {site.name} on {resource.label} for "
                    f"{_span_text(window_start, window_end)}; {timeline}"
                    f"reserved until {when(reservation.occupied_until)}"
                ),
                provider=provider,
                launch=launch,
            )
            readiness.plan_start(launch=launch, actor=actor)
    except IntegrityError as exc:
        raise _integrity_conflict(exc, resource=resource, vehicle=vehicle) from exc
    return launch


# --- launch_slip -------------------------------------------------------------------------------


@dataclass
class SlipResult:
    """A slip that was applied: the launch, the launches it cascaded to, and what happened."""

    launch: Launch
    previous_window_start: datetime
    cascaded: list[tuple[Launch, timedelta]] = field(default_factory=list)
    message: str = ""


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


def _refuse_slip(launch: Launch) -> None:
    if launch.status not in Launch.ACTIVE_STATUSES:
        raise InvalidRequest(f"{launch.name} is {launch.get_status_display().lower()}; it cannot slip.")


def _refuse_scrub(launch: Launch) -> None:
    if launch.status not in Launch.ACTIVE_STATUSES:
        raise InvalidRequest(
            f"{launch.name} is {launch.get_status_display().lower()}; it cannot be scrubbed."
        )


def launch_slip(
    *,
    launch: Launch,
    window_start: datetime,
    actor: Actor,
    window_end: datetime | None = None,
    net_precision: str | None = None,
    cascade: bool = False,
    now: datetime | None = None,
) -> SlipResult:
    """Move a launch's window (and NET) and re-validate every reservation it holds.

    All or nothing: every conflict is reported in one ``Conflict`` (``.reasons``) and nothing
    changes, or the whole consistent schedule is written. With ``cascade`` the launches that
    follow on the same platform or pad are slipped by the time they lack, also all or nothing.
    """
    now = now or timezone.now()
    _require_aware(window_start=window_start, window_end=window_end)
    if net_precision is not None and net_precision not in NET_PRECISIONS:
        raise InvalidRequest(f"Unknown NET precision {net_precision!r}.")
    if window_start <= now:
        raise InvalidRequest(
            f"A launch can only slip to a window that opens in the future (it is {when(now)} now)."
        )
    try:
        with transaction.atomic():
            current = Launch.objects.select_related("site", "platform__home_site", "pad__site").get(
                pk=launch.pk
            )
            _refuse_slip(current)
            duration = current.window_end - current.window_start
            new_end = window_end if window_end is not None else window_start + duration
            if new_end < window_start:
                raise InvalidRequest("The launch window must not end before it starts.")
            resource = _Resource(platform=current.platform, pad=current.pad)
            if resource.platform is None and resource.pad is None:
                raise InvalidRequest(f"{current.name} holds no platform or pad to re-time.")
            _lock(resource)
            with short_lock_wait(f"Launch {current.name}"):
                current = (
                    Launch.objects.select_for_update(of=("self",)).select_related("site").get(pk=launch.pk)
                )
            # Again on the locked row: a scrub or lift-off may have committed while this waited.
            _refuse_slip(current)
            old_start = current.window_start
            delta = window_start - old_start
            primary = _Slot(
                launch=current,
                name=current.name,
                site=current.site,
                window_start=window_start,
                window_end=new_end,
                primary=True,
            )
            primary.reservation = (
                Reservation.objects.filter(launch=current, released_at__isnull=True, **resource.filter())
                .select_related("origin")
                .first()
            )
            anchor, slots = _chain_load(
                resource, from_time=min(old_start, window_start), exclude_launch_ids=[current.pk]
            )
            slots.append(primary)
            reasons = _chain_evaluate(resource, anchor, slots, now=now, routes=_routes(), cascade=cascade)
            for slot in slots:
                if slot.moved:
                    reasons += _closure_problems(slot)
            if reasons:
                hint = (
                    " Slip with cascade to move the following launches on the same platform or pad."
                    if not cascade and any("no time to get to" in r or "is occupied by" in r for r in reasons)
                    else ""
                )
                raise Conflict(
                    f"Cannot slip {current.name} to {_span_text(window_start, new_end)}: "
                    + "; ".join(reasons)
                    + "."
                    + hint,
                    reasons=reasons,
                )
            _persist_chain(resource, slots, now=now)

            moved: list[tuple[Launch, timedelta]] = []
            for slot in slots:
                if not slot.moved:
                    continue
                target = slot.launch
                assert target is not None
                before = _launch_state(target)
                shift = slot.window_start - target.window_start
                precision = (net_precision if slot.primary else None) or target.net_precision
                target.window_start, target.window_end = slot.window_start, slot.window_end
                target.net_precision = precision
                target.net = _shift_net(target, shift, precision)
                target.save(
                    update_fields=["window_start", "window_end", "net", "net_precision", "updated_at"]
                )
                text = (
                    f"{target.name} slipped from {when(before['window_start'])} to {when(target.window_start)}"
                    + ("" if slot.primary else f" (cascade from {current.name})")
                    + f"; NET {when(target.net)} ({precision})"
                )
                event_record(
                    verb="launch.slipped",
                    subject=target,
                    actor=actor,
                    before=before,
                    after=_launch_state(target),
                    message=text,
                    provider=target.provider,
                    launch=target,
                )
                readiness.plan_follow_launch(launch=target, actor=actor)
                if slot.primary:
                    current = target
                else:
                    moved.append((target, slot.cascaded_by))
            message = f"{current.name} slipped by {_delta_text(delta)} to {when(current.window_start)}."
            if moved:
                message += " Cascaded: " + ", ".join(f"{m.name} +{_delta_text(d)}" for m, d in moved) + "."
    except IntegrityError as exc:
        raise _integrity_conflict(exc, resource=None, vehicle=None) from exc
    return SlipResult(launch=current, previous_window_start=old_start, cascaded=moved, message=message)


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


# --- launch_scrub ------------------------------------------------------------------------------


def launch_scrub(*, launch: Launch, actor: Actor, reason: str, now: datetime | None = None) -> Launch:
    """Scrub a launch: release its reservations and its vehicle, cancel its readiness plan.

    The platform's next launch now departs from where the platform really is; its departure is
    re-timed when that still fits, otherwise the event message warns the operator.
    """
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidRequest("Say why the launch is scrubbed.")
    with transaction.atomic():
        current = Launch.objects.select_related("site", "platform__home_site", "pad__site").get(pk=launch.pk)
        _refuse_scrub(current)
        resource = _Resource(platform=current.platform, pad=current.pad)
        if current.platform is not None or current.pad is not None:
            _lock(resource)
        with short_lock_wait(f"Launch {current.name}"):
            current = (
                Launch.objects.select_for_update(of=("self",))
                .select_related("site", "provider")
                .get(pk=launch.pk)
            )
        # Again on the locked row: a slip, another scrub or lift-off may have committed meanwhile.
        _refuse_scrub(current)
        before = _launch_state(current)
        released = Reservation.objects.filter(launch=current, released_at__isnull=True).update(
            released_at=now
        )
        warnings: list[str] = []
        if current.platform is not None:
            anchor, slots = _chain_load(
                resource, from_time=current.window_start, exclude_launch_ids=[current.pk]
            )
            if slots:
                follower = slots[:1]
                problems = _chain_evaluate(resource, anchor, follower, now=now, routes=_routes())
                if problems:
                    warnings = problems
                else:
                    _persist_chain(resource, follower, now=now)
        if current.vehicle_id is not None:
            Vehicle.objects.filter(pk=current.vehicle_id, status=Vehicle.Status.ASSIGNED).update(
                status=Vehicle.Status.READY_STORAGE
            )
        current.status = Launch.Status.SCRUBBED
        current.save(update_fields=["status", "updated_at"])
        message = f"{current.name} scrubbed: {reason.strip()}; {released} reservation(s) released"
        if current.vehicle_id is not None:
            message += f", {current.vehicle.serial} back in ready storage"  # type: ignore[union-attr]
        if warnings:
            message += ". Warning: " + "; ".join(warnings)
        event_record(
            verb="launch.scrubbed",
            subject=current,
            actor=actor,
            before=before,
            after=_launch_state(current),
            message=message,
            provider=current.provider,
            launch=current,
        )
        readiness.plan_cancel(launch=current, actor=actor)
    return current


# --- the timeline (read side, for the admin) ----------------------------------------------------


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
    bars: list[TimelineBar] = []
    prev: Reservation | None = None
    routes = _routes()
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
        for closure in SiteClosure.objects.filter(
            site=launch.site, starts_at__lt=launch.window_end, ends_at__gt=launch.window_start
        ):
            bar.problems.append(closure_text(closure, launch.site))
        bars.append(bar)
        prev = res
    return bars


# --- plan_launch -------------------------------------------------------------------------------


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
    reasons_omitted: int = 0
    earliest_beyond_latest: datetime | None = None  # earliest start found past ``latest``


@dataclass(slots=True)
class _PlanRecord:
    """A platform or pad as the planner sees it: floats (epoch seconds) for speed."""

    platform: MobilePlatform | None = None
    pad: Pad | None = None
    anchor_site_id: int = 0
    anchor_until: float = -math.inf
    setup_s: float = 0.0
    teardown_s: float = 0.0
    lead_s: float = 0.0
    speed: Decimal = Decimal(1)
    recs: list[tuple[float, float, float, int, str]] = field(
        default_factory=list
    )  # ready, arrive, until, site, name
    starts: list[float] = field(default_factory=list)


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
    per candidate, the closest misses first. Runs a fixed number of queries, whatever the size
    of the fleet (pinned in tests/booking/test_planner.py).
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
    earliest_s, latest_s, now_s = earliest.timestamp(), latest.timestamp(), now.timestamp()
    earliest_s = max(earliest_s, now_s)

    # 1 (+1 prefetch): capable models, each with its oldest ready vehicle and how many are ready.
    ready = Q(vehicles__status=Vehicle.Status.READY_STORAGE)
    first_ready = Vehicle.objects.filter(
        vehicle_model=OuterRef("pk"), status=Vehicle.Status.READY_STORAGE
    ).order_by("ready_since", "serial")
    models_qs = (
        VehicleModel.objects.filter(active=True)
        .select_related("provider")
        .prefetch_related("capacity_points")
        .annotate(
            ready_count=Count("vehicles", filter=ready), first_ready_id=Subquery(first_ready.values("pk")[:1])
        )
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
        if not vm.ready_count:  # type: ignore[attr-defined]
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
                anchor_site=Subquery(anchor_q.values("launch__site_id")[:1]),
                anchor_until=Subquery(anchor_q.values("occupied_until")[:1]),
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
        rec = _PlanRecord()
        rec.platform, rec.pad = p, None
        site_id, until = p.anchor_site, p.anchor_until  # type: ignore[attr-defined]
        rec.anchor_site_id = site_id or p.home_site_id
        rec.anchor_until = until.timestamp() if until else -math.inf
        rec.setup_s, rec.teardown_s, rec.speed = (
            float(p.setup_hours) * 3600,
            float(p.teardown_hours) * 3600,
            p.road_speed_kmh,
        )
        by_platform[p.pk] = rec
        records.append(rec)
    for pad in pads:
        rec = _PlanRecord()
        rec.platform, rec.pad = None, pad
        rec.anchor_site_id, rec.anchor_until = pad.site_id, -math.inf
        rec.setup_s, rec.teardown_s, rec.speed = 0.0, float(pad.turnaround_hours) * 3600, Decimal(1)
        rec.lead_s = PAD_LEAD_HOURS * 3600.0
        by_pad[pad.pk] = rec
        records.append(rec)

    if records:  # 1 query: every live reservation of these platforms and pads in the span.
        span = Q(released_at__isnull=True, occupied_until__gt=lo, occupied_from__lt=hi)
        live = Reservation.objects.filter(
            span & (Q(platform_id__in=list(by_platform)) | Q(pad_id__in=list(by_pad)))
        )
        if connection.vendor == "postgresql":
            # The exclusion constraints' GiST indexes (platform or pad, occupied range) find the
            # rows overlapping the span directly; one statement, a UNION of the two lookups.
            # Epoch seconds come straight from the database: no datetime objects for thousands
            # of rows.
            overlaps = RawSQL(
                "tstzrange(occupied_from, occupied_until, '[)') && tstzrange(%s, %s, '[)')",
                (lo, hi),
                output_field=BooleanField(),
            )
            columns = (
                "platform_id",
                "pad_id",
                "ready_s",
                "arrive_s",
                "until_s",
                "site_id",
                "launch_name",
            )
            # The launch's site and name by primary key, row by row: a join would hash the
            # whole launch table for a few hundred rows.
            launch_row = Launch.objects.filter(pk=OuterRef("launch_id")).order_by()
            epochs = {
                "site_id": Subquery(launch_row.values("site_id")[:1]),
                "launch_name": Subquery(launch_row.values("name")[:1]),
                "ready_s": _epoch(Coalesce("ready_at", "occupied_from")),
                "arrive_s": _epoch(Coalesce("arrive_at", "occupied_from")),
                "until_s": _epoch("occupied_until"),
            }
            base = Reservation.objects.filter(overlaps, released_at__isnull=True).order_by()
            parts = []
            if by_platform:
                parts.append(base.filter(platform_id__isnull=False, platform_id__in=list(by_platform)))
            if by_pad:
                parts.append(base.filter(pad_id__isnull=False, pad_id__in=list(by_pad)))
            selected = [part.annotate(**epochs).values_list(*columns) for part in parts]
            rows = selected[0].union(*selected[1:], all=True) if len(selected) > 1 else selected[0]
            # Straight from the cursor: the values are already floats, ints and strings, so the
            # ORM's per-row converters would only cost time (thousands of rows).
            sql, params = rows.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                fetched = cursor.fetchall()
            for platform_id, pad_id, ready_s, arrive_s, until_s, site_id, launch_name in fetched:
                rec = by_platform[platform_id] if platform_id else by_pad[pad_id]
                rec.recs.append((ready_s, arrive_s, until_s, site_id, launch_name))
        else:
            for (
                platform_id,
                pad_id,
                ready_at,
                arrive_at,
                occ_from,
                occ_until,
                site_id,
                launch_name,
            ) in live.values_list(
                "platform_id",
                "pad_id",
                "ready_at",
                "arrive_at",
                "occupied_from",
                "occupied_until",
                "launch__site_id",
                "launch__name",
            ):
                rec = by_platform[platform_id] if platform_id else by_pad[pad_id]
                rec.recs.append(
                    (
                        (ready_at or occ_from).timestamp(),
                        (arrive_at or occ_from).timestamp(),
                        occ_until.timestamp(),
                        site_id,
                        launch_name,
                    )
                )
        for rec in records:
            rec.recs.sort()
            rec.starts = [r[0] for r in rec.recs]

    closures: dict[int, list[tuple[float, float, SiteClosure]]] = {}
    if records:  # 1 query
        for closure in SiteClosure.objects.filter(
            site_id__in=list(site_ok), starts_at__lt=hi, ends_at__gt=earliest
        ).order_by("site_id", "starts_at", "pk"):
            closures.setdefault(closure.site_id, []).append(
                (closure.starts_at.timestamp(), closure.ends_at.timestamp(), closure)
            )

    # Per site: closure starts and the running maximum of their ends, so "does [t, t + window)
    # touch a closure" is one bisect.
    closure_index: dict[int, tuple[list[float], list[float]]] = {}
    for closure_site_id, items in closures.items():
        ends: list[float] = []
        for _start, end, _closure in items:
            ends.append(max(end, ends[-1]) if ends else end)
        closure_index[closure_site_id] = ([start for start, _end, _closure in items], ends)

    transit_cache: dict[tuple[int, int, Decimal], float] = {}

    def transit_s(origin_id: int, dest_id: int, speed: Decimal) -> float:
        if origin_id == dest_id:
            return 0.0
        key = (origin_id, dest_id, speed)
        seconds = transit_cache.get(key)
        if seconds is None:
            hours = routes.get((origin_id, dest_id))
            if hours is None:
                origin, dest = sites[origin_id], sites[dest_id]
                hours = _estimate_transit_hours_cached(
                    origin.latitude, origin.longitude, dest.latitude, dest.longitude, speed
                )
            seconds = transit_cache[key] = hours * 3600.0
        return seconds

    mobile_site_ids = [s.id for s in site_ok.values() if s.accepts_mobile_platforms]
    rows_from: dict[tuple[int, Decimal], dict[int, float]] = {}
    rows_to: dict[tuple[int, Decimal], dict[int, float]] = {}

    def row_from(origin_id: int, speed: Decimal) -> dict[int, float]:
        row = rows_from.get((origin_id, speed))
        if row is None:
            row = rows_from[(origin_id, speed)] = {
                sid: transit_s(origin_id, sid, speed) for sid in mobile_site_ids
            }
        return row

    def row_to(dest_id: int, speed: Decimal) -> dict[int, float]:
        row = rows_to.get((dest_id, speed))
        if row is None:
            row = rows_to[(dest_id, speed)] = {sid: transit_s(sid, dest_id, speed) for sid in mobile_site_ids}
        return row

    # Obstacles are kept as tuples and put into words only for the reasons returned.
    Obstacle = tuple[Any, ...]

    def earliest_window(
        rec: _PlanRecord, site_id: int, bound: float = math.inf
    ) -> tuple[float, float, int, list[Obstacle] | None]:
        """(window start, transit s, origin site id, obstacles met) for ``rec`` at ``site_id``.

        Walks the gaps between the platform's reservations. Gives up (start ``inf``, obstacles
        None) once the window could only open after ``bound``: it would not make the ranking.
        """
        recs, setup, teardown, speed = rec.recs, rec.setup_s, rec.teardown_s, rec.speed
        mobile = rec.platform is not None
        i = bisect.bisect_right(rec.starts, earliest_s)
        if i:
            prev_site, prev_until, prev_name = recs[i - 1][3], recs[i - 1][2], recs[i - 1][4]
        else:
            prev_site, prev_until, prev_name = rec.anchor_site_id, rec.anchor_until, None
        obstacles: list[Obstacle] = []
        site_closures = closures.get(site_id, ())
        n_recs = len(recs)
        while True:
            tr = row_from(prev_site, speed)[site_id] if mobile else 0.0
            t = earliest_s
            reach = now_s + tr + setup + rec.lead_s
            if reach > t:
                t = reach
                obstacles.append(("reach", reach, tr, prev_site))
            after_prev = prev_until + tr + setup
            if after_prev > t:
                t = after_prev
                obstacles.append(("busy", prev_name, prev_until, tr, after_prev))
            t = math.ceil(t / 60.0) * 60.0  # windows open on a whole minute
            if t > latest_s:
                return t, tr, prev_site, obstacles
            moved = bool(site_closures)
            while moved:
                moved = False
                for c_start, c_end, closure in site_closures:
                    if c_start < t + window_s and c_end > t:
                        t = c_end
                        moved = True
                        obstacles.append(("closure", closure))
            if i < n_recs:
                nxt = recs[i]
                leave_by = nxt[1] - row_to(nxt[3], speed)[site_id] if mobile else nxt[1]
                if t + window_s + teardown > leave_by:
                    obstacles.append(("next", nxt[4], nxt[3], leave_by))
                    prev_site, prev_until, prev_name = nxt[3], nxt[2], nxt[4]
                    i += 1
                    if prev_until + setup > bound:
                        return math.inf, tr, prev_site, None
                    continue
            return t, tr, prev_site, obstacles

    def earliest_start(rec: _PlanRecord, site_id: int, bound: float) -> tuple[float, float, int]:
        """``earliest_window`` without the obstacles: the same walk, the same answer (start,
        transit s, origin site id; start ``inf`` once it could only open after ``bound``), for the
        many candidates whose obstacles are never put into words (a miss is walked again by
        ``earliest_window`` if it is among the closest). Closures are skipped by bisection: the
        first start not touching one is the same whatever order they are jumped over in."""
        recs, setup, speed = rec.recs, rec.setup_s, rec.speed
        tail = window_s + rec.teardown_s
        mobile = rec.platform is not None
        reach_base = now_s + setup + rec.lead_s
        i = bisect.bisect_right(rec.starts, earliest_s)
        if i:
            prev = recs[i - 1]
            prev_site, prev_until = prev[3], prev[2]
        else:
            prev_site, prev_until = rec.anchor_site_id, rec.anchor_until
        index = closure_index.get(site_id)
        n_recs = len(recs)
        while True:
            if mobile:
                row = rows_from.get((prev_site, speed))
                tr = (row if row is not None else row_from(prev_site, speed))[site_id]
            else:
                tr = 0.0
            t = earliest_s
            if reach_base + tr > t:
                t = reach_base + tr
            if prev_until + tr + setup > t:
                t = prev_until + tr + setup
            t = math.ceil(t / 60.0) * 60.0  # windows open on a whole minute
            if t > latest_s:
                return t, tr, prev_site
            if index is not None:
                starts, max_ends = index
                while True:
                    j = bisect.bisect_left(starts, t + window_s)
                    if j and max_ends[j - 1] > t:
                        t = max_ends[j - 1]
                    else:
                        break
            if i < n_recs:
                nxt = recs[i]
                if mobile:
                    row = rows_to.get((nxt[3], speed))
                    leave_by = nxt[1] - (row if row is not None else row_to(nxt[3], speed))[site_id]
                else:
                    leave_by = nxt[1]
                if t + tail > leave_by:
                    prev_site, prev_until = nxt[3], nxt[2]
                    i += 1
                    if prev_until + setup > bound:
                        return math.inf, tr, prev_site
                    continue
            return t, tr, prev_site

    def obstacle_words(rec: _PlanRecord, site: LaunchSite, t: float, obstacles: list[Obstacle]) -> str:
        label = rec.platform.name if rec.platform is not None else f"pad {rec.pad.name}"  # type: ignore[union-attr]
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
                    setup_note = (
                        f"{label} needs {rec.setup_s / 3600:.1f} h of set-up at {site.name}: "
                        f"ready {when(_dt(reach))} at the earliest"
                    )
                    continue
            elif kind == "busy":
                _, prev_name, prev_until, tr, after_prev = obstacle
                text = (
                    f"{label} is busy with {prev_name} until {when(_dt(prev_until))}"
                    + (f", then {tr / 3600:.1f} h of road transit" if tr else "")
                    + f": cannot reach {site.name} before {when(_dt(after_prev))}"
                )
            elif kind == "closure":
                text = closure_text(obstacle[1], site)
            else:
                _, next_name, next_site, leave_by = obstacle
                text = (
                    f"{label} has no time at {site.name} before {next_name} "
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

    feasible: list[tuple[tuple[Any, ...], _PlanRecord, int, float, float, int]] = []
    misses: list[tuple[float, str, str, int, _PlanRecord, LaunchSite, list[Obstacle] | None]] = []
    closest_beyond = math.inf
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
    mobile_sites = [s for s in site_ok.values() if s.accepts_mobile_platforms]
    candidate_count = 0
    slow: list[tuple[_PlanRecord, LaunchSite, str, list[tuple[VehicleModel, Decimal | None]]]] = []
    for rec in records:
        mobile = rec.platform is not None
        if mobile:
            models_here = model_by_provider.get(rec.platform.provider_id, [])  # type: ignore[union-attr]
            site_list = mobile_sites
            label = rec.platform.name  # type: ignore[union-attr]
        else:
            models_here = pad_models
            site_list = [site_ok[rec.pad.site_id]]  # type: ignore[union-attr]
            label = f"pad {rec.pad.name}"  # type: ignore[union-attr]
        if not models_here:
            continue
        # Fast path: the gap the platform is in at ``earliest`` is the same for every site, so
        # its transit rows are computed once; only a miss there goes through the full search.
        i0 = bisect.bisect_right(rec.starts, earliest_s)
        if i0:
            prev_site, prev_until = rec.recs[i0 - 1][3], rec.recs[i0 - 1][2]
        else:
            prev_site, prev_until = rec.anchor_site_id, rec.anchor_until
        nxt = rec.recs[i0] if i0 < len(rec.recs) else None
        from_row = row_from(prev_site, rec.speed) if mobile else None
        to_row = row_to(nxt[3], rec.speed) if mobile and nxt is not None else None
        setup, tail, lead = rec.setup_s, window_s + rec.teardown_s, rec.lead_s
        for site in site_list:
            candidate_count += 1
            site_id = site.id
            tr = from_row[site_id] if from_row is not None else 0.0
            t = now_s + tr + setup + lead
            if t < earliest_s:
                t = earliest_s
            if prev_until + tr + setup > t:
                t = prev_until + tr + setup
            t = math.ceil(t / 60.0) * 60.0
            fits = t <= latest_s
            if fits and nxt is not None:
                fits = t + tail <= nxt[1] - (to_row[site_id] if to_row is not None else 0.0)
            if fits and site_id in closure_index:
                starts, max_ends = closure_index[site_id]
                j = bisect.bisect_left(starts, t + window_s)
                fits = not (j and max_ends[j - 1] > t)
            elif t > latest_s and (nxt is None or nxt[2] + setup > latest_s):
                # Out of reach in this gap, and every later gap opens after ``latest`` too: a
                # miss, put into words (walking the gaps again) only if among the closest.
                misses.append((t, site.code, label, len(misses), rec, site, None))
                closest_beyond = min(closest_beyond, t)
                continue
            if not fits:
                slow.append((rec, site, label, models_here))
                continue
            for vm, _capacity in models_here:
                feasible.append(((t, tr, site.code, label, vm.name), rec, site_id, t, tr, prev_site))

    # The rest walk the gaps, but only as far as they could still make the top ``limit``.
    bound = heapq.nsmallest(limit, feasible)[-1][3] if len(feasible) >= limit else math.inf
    for rec, site, label, models_here in slow:
        site_id = site.id
        t, tr, origin_id = earliest_start(rec, site_id, bound)
        if t == math.inf:
            continue  # feasible, but ranked below the plans already found
        if t <= latest_s:
            for vm, _capacity in models_here:
                feasible.append(((t, tr, site.code, label, vm.name), rec, site_id, t, tr, origin_id))
        else:
            closest_beyond = min(closest_beyond, t)
            misses.append((t, site.code, label, len(misses), rec, site, None))

    # Only the closest misses are put into words.
    # (start, site code, label, sequence) is unique: the rows never compare further.
    closest_misses = heapq.nsmallest(MAX_REASONS, misses)
    reasons.extend(
        (
            t,
            f"{code} {label}",
            obstacle_words(
                rec, site, t, obstacles if obstacles is not None else earliest_window(rec, site.pk)[3] or []
            ),
        )
        for t, code, label, _seq, rec, site, obstacles in closest_misses
    )
    omitted_misses = max(0, len(misses) - MAX_REASONS)

    # Keys are unique (site, platform or pad, model), so the rows never compare further.
    feasible = heapq.nsmallest(limit, feasible)
    chosen: list[
        tuple[tuple[Any, ...], _PlanRecord, int, float, float, int, VehicleModel, Decimal | None]
    ] = []
    for key, rec, site_id, t, tr, origin_id in feasible:
        if len(chosen) >= limit:
            break
        vm, capacity = next((m, c) for m, c in candidates_models if m.name == key[4])
        chosen.append((key, rec, site_id, t, tr, origin_id, vm, capacity))
    vehicles = (
        Vehicle.objects.in_bulk([vm.first_ready_id for *_, vm, _c in chosen])  # type: ignore[attr-defined]
        if chosen
        else {}
    )
    plans: list[Plan] = []
    for _key, rec, site_id, t, tr, origin_id, vm, capacity in chosen:
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
        reasons_omitted=max(0, len(texts) - MAX_REASONS) + omitted_misses,
        earliest_beyond_latest=_dt(closest_beyond) if closest_beyond < math.inf else None,
    )


def _epoch(expression: Any) -> Func:
    """PostgreSQL: a timestamptz as float seconds since the epoch."""
    if isinstance(expression, str):
        expression = F(expression)
    return Func(expression, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", output_field=FloatField())


def _dt(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)
