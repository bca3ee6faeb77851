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
from django.db.models import BooleanField, F, FloatField, Func, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import Launch, ReadinessTemplate, Reservation
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
        .select_related("site")
        .order_by("-ready_at", "-pk")
        .first()
    )
    return last.site if last else platform.home_site


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
        res.site = slot.site
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
    readiness_template: ReadinessTemplate | None = None,
) -> Launch:
    """Create a scheduled launch and reserve its platform (transit, set-up, window, tear-down)
    or its pad (window plus turnaround); assign the vehicle; start the readiness plan (from
    ``readiness_template``, else the one ``readiness.template_for_launch`` picks).

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
            readiness.plan_start(launch=launch, actor=actor, template=readiness_template)
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


def _refuse_unless_active(launch: Launch, *, cannot: str) -> None:
    if launch.status not in Launch.ACTIVE_STATUSES:
        raise InvalidRequest(f"{launch.name} is {launch.get_status_display().lower()}; it cannot {cannot}.")


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
            _refuse_unless_active(current, cannot="slip")
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
            _refuse_unless_active(current, cannot="slip")
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
        _refuse_unless_active(current, cannot="be scrubbed")
        resource = _Resource(platform=current.platform, pad=current.pad)
        if current.platform is not None or current.pad is not None:
            _lock(resource)
        with short_lock_wait(f"Launch {current.name}"):
            current = (
                Launch.objects.select_for_update(of=("self",))
                .select_related("site", "provider", "vehicle")
                .get(pk=launch.pk)
            )
        # Again on the locked row: a slip, another scrub or lift-off may have committed meanwhile.
        _refuse_unless_active(current, cannot="be scrubbed")
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
        bar.problems += [
            closure_text(closure, launch.site)
            for closure in closures.get(launch.site_id, ())
            if closure.starts_at < launch.window_end and closure.ends_at > launch.window_start
        ]
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
