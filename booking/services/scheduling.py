"""Launch scheduling: platforms and pads reserved over time, slips and scrubs (the planner is
``selectors.planner``; the chain rule is ``rules.chain``).

A mobile platform (TEL) is reserved from departure (road transit from where it is) through
set-up, the launch window and tear-down; a pad from the window through its turnaround. The
reservations of one platform or pad form a *chain* in window order: each link departs from the
site of the link before it (or the platform's home site) and must not start before that link
has been torn down. ``_chain_evaluate`` is the one place this rule lives; scheduling, slipping,
scrubbing and the admin timeline all go through it. ``plan_launch`` applies the same rule to
bulk-loaded rows, so it answers in a handful of queries.

Concurrency: every change takes its locks through ``booking.services.locking`` in the order
written there (the platform or pad first, then the rocket or the launch row, then the ranges),
then re-reads the chain and checks it. On SQLite transactions are
IMMEDIATE, so the lock is the database write lock. On PostgreSQL the exclusion constraints are
the backstop (platform and pad: migration 0003; rocket and range: 0011_fleet_truth): a violation
becomes ``Conflict``, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from booking.dates import when
from booking.errors import Conflict, InvalidRequest, ScheduleConflict
from booking.models import DelayCause, Launch, ReadinessTemplate, Reservation, TemplateStep
from booking.readiness_templates import minimum_chain_minutes
from booking.rules.chain import _chain_evaluate, _Resource, _shift_net, _Slot, _slot_from_reservation
from booking.rules.fleet import fit_problems, readiness_problem, rocket_problem
from booking.rules.local_time import clock
from booking.rules.text import (
    _delta_text,
    _require_aware,
    _span_text,
    closure_text,
    count_text,
    inclination_problem,
)
from booking.selectors.capacity import launch_has_live_booking
from booking.selectors.catalog import KeptCatalog
from booking.selectors.kept_reads import KeptReads
from booking.selectors.local_time import sso_window_start
from booking.selectors.orbit import refuse_launch_orbit
from booking.selectors.planner_fleet import road_routes, rocket_place, route_legs
from vehicles.logistics import Journey, RouteLeg, range_busy_text, range_span, rocket_journey
from vehicles.models import (
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    SiteClosure,
    Vehicle,
    VehicleModel,
)
from vehicles.orbits import OrbitError, altitude_problem, sun_synchronous_inclination

from . import locking, readiness
from .events import Actor, event_record

# --- constants and small helpers ----------------------------------------------------------------


NET_PRECISIONS = {choice for choice, _ in Launch.NetPrecision.choices}


# --- transit ------------------------------------------------------------------------------------


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


#: The schedule's re-reads under its locks, compiled once per shape (``selectors.kept_reads``):
#: each launch scheduled (an express order's among them) reads its chain, closures and range.
_KEPT_CHECKS = KeptReads(size=32)


def _checked_rows(
    key: Any, build: Callable[..., QuerySet], values: tuple, *, excluding: Sequence[int]
) -> list:
    """The rows of ``build(*values)``: a kept read for a new launch's checks, the plain read when
    the checks leave launches out (their ids shape the SQL)."""
    if excluding:
        return list(build(*values))
    return _KEPT_CHECKS.rows(key, build, values)


def _live_links(column: str, excluding: Sequence[int]) -> Callable[[int], QuerySet[Reservation]]:
    def links(resource_id: int) -> QuerySet[Reservation]:
        rows = Reservation.objects.filter(released_at__isnull=True, **{column: resource_id})
        if excluding:
            rows = rows.exclude(launch_id__in=list(excluding))
        return rows.select_related("launch__site", "origin")

    return links


def _chain_load(
    resource: _Resource, *, from_time: datetime, exclude_launch_ids: Sequence[int] = ()
) -> tuple[_Slot | None, list[_Slot]]:
    """The live link before ``from_time`` (window order) and every live link from then on."""
    column = "platform_id" if resource.platform is not None else "pad_id"
    resource_id = (resource.platform or resource.pad).pk  # type: ignore[union-attr]
    links = _live_links(column, exclude_launch_ids)
    anchors = _checked_rows(
        ("chain anchor", column),
        lambda pk, at: links(pk).filter(ready_at__lt=at).order_by("-ready_at", "-pk")[:1],
        (resource_id, from_time),
        excluding=exclude_launch_ids,
    )
    later = _checked_rows(
        ("chain later", column),
        lambda pk, at: links(pk).filter(ready_at__gte=at).order_by("ready_at", "pk"),
        (resource_id, from_time),
        excluding=exclude_launch_ids,
    )
    anchor = _slot_from_reservation(anchors[0]) if anchors else None
    return anchor, [_slot_from_reservation(r) for r in later]


def _closures_over(site_id: int, start: datetime, end: datetime) -> QuerySet[SiteClosure]:
    return SiteClosure.objects.filter(site_id=site_id, starts_at__lt=end, ends_at__gt=start).order_by(
        "starts_at", "pk"
    )


def _closure_problems(slot: _Slot) -> list[str]:
    if slot.window_start == slot.window_end:  # an instantaneous window still must not sit in a closure
        closures = list(
            SiteClosure.objects.filter(
                site=slot.site, starts_at__lte=slot.window_start, ends_at__gt=slot.window_start
            ).order_by("starts_at", "pk")
        )
    else:
        closures = _KEPT_CHECKS.rows(
            "closures", _closures_over, (slot.site.pk, slot.window_start, slot.window_end)
        )
    prefix = "" if slot.primary else f"{slot.name} (slipped to {when(slot.window_start)}): "
    return [prefix + closure_text(c, slot.site) for c in closures]


def _lock(resource: _Resource) -> MobilePlatform | Pad | None:
    """Lock the platform or pad row (the race tests' seam) and answer it as locked. Caller is
    inside ``transaction.atomic``."""
    return locking.lock_platform_or_pad(platform=resource.platform, pad=resource.pad, what=resource.label)


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
) -> ScheduleConflict:
    text = str(exc)
    if "reservation_no_overlap" in text and resource is not None and ("_platform" in text or "_pad" in text):
        return ScheduleConflict(
            gettext(
                "%(label)s was reserved for an overlapping time by someone else a moment ago; please plan "
                "again."
            )
            % {"label": resource.label}
        )
    if "reservation_no_overlap_range_site" in text:
        return ScheduleConflict(
            gettext(
                "The range was booked for an overlapping time by someone else a moment ago; please plan "
                "again."
            )
        )
    if "reservation_no_overlap_vehicle" in text and vehicle is not None:
        return ScheduleConflict(
            gettext("%(serial)s was claimed for an overlapping time by another launch a moment ago.")
            % {"serial": vehicle.serial}
        )
    if "unique_live_launch_per_vehicle" in text and vehicle is not None:
        return ScheduleConflict(
            gettext("%(serial)s is already assigned to another live launch.") % {"serial": vehicle.serial}
        )
    return ScheduleConflict(
        gettext("The schedule changed while this was being saved (%(splitlines)s); please retry.")
        % {"splitlines": text.splitlines()[0]}
    )


def _launch_state(launch: Launch) -> dict[str, Any]:
    return {
        "status": launch.status,
        "window_start": launch.window_start,
        "window_end": launch.window_end,
        "net": launch.net,
        "net_precision": launch.net_precision,
        "ltan": launch.ltan,
        "site": launch.site_id,
        "platform": launch.platform_id,
        "pad": launch.pad_id,
        "vehicle": launch.vehicle_id,
    }


# --- fleet truth: what fits, the rocket, the range, the work ----------------------------------


def _fit_problems(
    *,
    vehicle_model: VehicleModel,
    service_level: str,
    platform: MobilePlatform | None,
    pad: Pad | None,
    vehicle: Vehicle | None,
) -> list[str]:
    """What does not fit: a retired model or serial, express terms, the truck, the pad."""
    return fit_problems(
        model_name=vehicle_model.name,
        model_family=vehicle_model.family,
        model_active=vehicle_model.active,
        express_capable=vehicle_model.express_capable,
        mobile_launch=vehicle_model.mobile_launch,
        propellant=vehicle_model.propellant,
        service_level_express=service_level == Launch.ServiceLevel.EXPRESS,
        platform_name=platform.name if platform is not None else None,
        carried_model_names=([m.name for m in platform.vehicle_models.all()] if platform is not None else ()),
        pad_label=f"{pad.site.name} pad {pad.name}" if pad is not None else None,
        served_model_names=[m.name for m in pad.vehicle_models.all()] if pad is not None else (),
        served_families=(pad.vehicle_families or []) if pad is not None else (),
        serial=vehicle.serial if vehicle is not None else None,
        vehicle_status=vehicle.status if vehicle is not None else "",
    )


def _site_names() -> dict[int, str]:
    return dict(LaunchSite.objects.values_list("pk", "name"))


def _rocket_problems(
    *,
    vehicle: Vehicle,
    vehicle_model: VehicleModel,
    site: LaunchSite,
    window_start: datetime,
    now: datetime,
    routes: list[RouteLeg],
    site_names: dict[int, str] | None,
) -> list[str]:
    """Where the rocket is and whether its journey and pad campaign end by the window."""
    place = rocket_place(vehicle)
    if place is None:
        return [f"{vehicle.serial} is {vehicle.place_text}"]
    problem = rocket_problem(
        place=place,
        destination_id=site.pk,
        routes=routes,
        site_names=site_names if site_names is not None else _site_names(),
        campaign_hours=vehicle_model.min_pad_campaign_hours,
        now=now,
        window_start=window_start,
    )
    return [problem] if problem else []


def _rocket_leaves_at(
    *,
    vehicle: Vehicle,
    vehicle_model: VehicleModel,
    site: LaunchSite,
    window_start: datetime,
    routes: list[RouteLeg],
) -> datetime:
    """When the rocket's claim starts: its journey and pad campaign back from the window."""
    place = rocket_place(vehicle)
    hours = float(vehicle_model.min_pad_campaign_hours)
    if place is not None:
        journey = rocket_journey(
            origin_id=place.site_id, destination_id=site.pk, routes=routes, site_names={}
        )
        if isinstance(journey, Journey):
            hours += float(journey.hours)
    return window_start - timedelta(hours=hours)


def _readiness_problems(
    *, template: ReadinessTemplate, steps: Sequence[TemplateStep], window_start: datetime, now: datetime
) -> list[str]:
    problem = readiness_problem(
        now=now,
        window_start=window_start,
        chain_minutes=minimum_chain_minutes(steps),
        template_name=template.name,
    )
    return [problem] if problem else []


def _range_clashes(
    site_id: int, start: datetime, end: datetime, *, excluding: Sequence[int] = ()
) -> QuerySet[Reservation]:
    clashes = Reservation.objects.filter(
        range_site_id=site_id, released_at__isnull=True, occupied_from__lt=end, occupied_until__gt=start
    )
    if excluding:
        clashes = clashes.exclude(launch_id__in=list(excluding))
    return clashes.select_related("launch").order_by("occupied_from", "pk")


def _range_problems(
    *, site: LaunchSite, window_start: datetime, window_end: datetime, exclude_launch_ids: Sequence[int] = ()
) -> list[str]:
    """Live range claims at ``site`` that the new span would overlap, in words."""
    start, end = range_span(
        window_start=window_start,
        window_end=window_end,
        separation_minutes=site.min_launch_separation_minutes,
    )
    clashes = _checked_rows(
        "range clashes",
        lambda pk, begin, until: _range_clashes(pk, begin, until, excluding=exclude_launch_ids),
        (site.pk, start, end),
        excluding=exclude_launch_ids,
    )
    problems = []
    for clash in clashes:
        free_at = clash.occupied_until.astimezone(site.tzinfo)
        problems.append(
            range_busy_text(site_name=site.name, launch_name=clash.launch.name, free_at=free_at)
            + f" ({site.min_launch_separation_minutes} min between launches)"
        )
    return problems


def _claims_write(
    *,
    launch: Launch,
    site: LaunchSite,
    window_start: datetime,
    window_end: datetime,
    vehicle: Vehicle | None,
    rocket_from: datetime | None,
    now: datetime,
    new: bool = False,
) -> None:
    """(Re)write the launch's rocket and range claims, in one insert. Caller checked them under its
    locks. ``new``: the launch was created in this transaction, so it has no claims to release."""
    if not new:
        Reservation.objects.filter(
            launch=launch, released_at__isnull=True, platform__isnull=True, pad__isnull=True
        ).update(released_at=now)
    start, end = range_span(
        window_start=window_start,
        window_end=window_end,
        separation_minutes=site.min_launch_separation_minutes,
    )
    if end <= start:
        end = start + timedelta(minutes=1)
    claims = [
        Reservation(
            launch=launch,
            range_site=site,
            site=site,
            occupied_from=start,
            ready_at=window_start,
            occupied_until=end,
        )
    ]
    if vehicle is not None and rocket_from is not None:
        claims.append(
            Reservation(
                launch=launch,
                vehicle=vehicle,
                site=site,
                origin_id=vehicle.storage_site_id,
                occupied_from=rocket_from,
                arrive_at=window_start,
                ready_at=window_start,
                occupied_until=max(window_end, rocket_from + timedelta(minutes=1)),
            )
        )
    Reservation.objects.bulk_create(claims)


def _claims_step_aside(launches: list[Launch], *, now: datetime) -> dict[int, Reservation]:
    """Release the rocket and range claims of launches about to move, all at once, and answer
    their rocket claims by launch id: as in ``_persist_chain``, the exclusion constraints then
    never see a claim already moved overlap one that has not moved yet."""
    live = Reservation.objects.filter(
        launch__in=launches, released_at__isnull=True, platform__isnull=True, pad__isnull=True
    )
    rockets = {res.launch_id: res for res in live.filter(vehicle__isnull=False).select_related("vehicle")}
    live.update(released_at=now)
    return rockets


def _claims_move(
    *, launch: Launch, site: LaunchSite, shift: timedelta, now: datetime, rocket: Reservation | None
) -> None:
    """A slipped launch's rocket and range claims follow its window (the journey keeps its
    length). ``rocket``: its rocket claim before the move. Caller holds the locks and has checked
    the range."""
    _claims_write(
        launch=launch,
        site=site,
        window_start=launch.window_start,
        window_end=launch.window_end,
        vehicle=rocket.vehicle if rocket is not None else None,
        rocket_from=rocket.occupied_from + shift if rocket is not None else None,
        now=now,
    )


def _lock_range(site: LaunchSite) -> None:
    """Lock the site row: one writer at a time books its range (the race tests' seam)."""
    locking.lock_range(site=site)


def _ltan_family_checked(*, orbit_family: str, ltan: time | None) -> None:
    """A local time of the ascending node belongs to a sun-synchronous launch only."""
    if ltan is not None and orbit_family != "SSO":
        raise InvalidRequest(
            gettext(
                "A local time of the ascending node (LTAN %(ltan)s) belongs to a sun-synchronous launch, "
                "not to %(orbit_family)s."
            )
            % {"ltan": clock(ltan), "orbit_family": orbit_family}
        )


def _sso_window(
    *,
    orbit_family: str,
    site: LaunchSite,
    inclination: Decimal,
    ltan: time,
    window: tuple[datetime, datetime],
    net: datetime,
) -> tuple[datetime, datetime]:
    """The window's start moved to the daily launch time of ``ltan``, and the NET no earlier."""
    _ltan_family_checked(orbit_family=orbit_family, ltan=ltan)
    try:
        window_start = sso_window_start(
            site=site, inclination_deg=inclination, ltan=ltan, window_start=window[0], window_end=window[1]
        )
    except (ValueError, OrbitError) as exc:
        text = str(exc)
        raise InvalidRequest(text[0].upper() + text[1:] + ".") from exc
    return window_start, max(net, window_start)


# --- launch_schedule ---------------------------------------------------------------------------


@dataclass
class _NewLaunch:
    """What ``launch_schedule`` was asked for, checked and completed (NET, inclination, name)."""

    provider: Provider
    vehicle_model: VehicleModel
    site: LaunchSite
    orbit_family: str
    altitude_km: int
    inclination: Decimal
    window_start: datetime
    window_end: datetime
    net: datetime
    net_precision: str
    service_level: str
    label: str
    vehicle: Vehicle | None
    platform: MobilePlatform | None
    pad: Pad | None
    ltan: time | None = None
    #: The route table and the site names, from the catalog the caller read before its transaction;
    #: ``None``: read under the locks.
    routes: list[RouteLeg] | None = None
    site_names: dict[int, str] | None = None

    @property
    def resource(self) -> _Resource:
        return _Resource(platform=self.platform, pad=self.pad)


def _window_checked(
    *, window_start: datetime, window_end: datetime, net: datetime | None, now: datetime
) -> datetime:
    """Refuse a window that ends before it starts, opens in the past or misses its NET; the NET."""
    if window_end < window_start:
        raise InvalidRequest(gettext("The launch window must not end before it starts."))
    if window_start <= now:
        raise InvalidRequest(
            gettext("The launch window must open in the future (it is %(now)s now).") % {"now": when(now)}
        )
    net = net or window_start
    if not window_start <= net <= window_end:
        raise InvalidRequest(gettext("The NET must lie within the launch window."))
    return net


def _choices_checked(*, net_precision: str, service_level: str, orbit_family: str) -> None:
    if net_precision not in NET_PRECISIONS:
        raise InvalidRequest(
            gettext("Unknown NET precision %(net_precision)s.") % {"net_precision": f"{net_precision!r}"}
        )
    if service_level not in Launch.ServiceLevel.values:
        raise InvalidRequest(
            gettext("Unknown service level %(service_level)s.") % {"service_level": f"{service_level!r}"}
        )
    if orbit_family not in {c for c, _ in Launch._meta.get_field("orbit_family").choices}:  # type: ignore[union-attr]
        raise InvalidRequest(
            gettext("Unknown orbit family %(orbit_family)s.") % {"orbit_family": f"{orbit_family!r}"}
        )


def _inclination_checked(
    *, orbit_family: str, altitude_km: int, inclination_deg: Decimal | float | None
) -> Decimal:
    """The target inclination to 0.01°; an SSO without one gets the sun-synchronous value."""
    problem = altitude_problem(altitude_km)
    if problem:
        raise InvalidRequest(problem)
    if inclination_deg is None:
        if orbit_family != "SSO":
            raise InvalidRequest(gettext("An inclination is needed for orbits other than SSO."))
        inclination_deg = Decimal(f"{sun_synchronous_inclination(altitude_km):.2f}")
    return Decimal(str(inclination_deg)).quantize(Decimal("0.01"))


def _ownership_checked(
    *,
    provider: Provider,
    vehicle_model: VehicleModel,
    site: LaunchSite,
    vehicle: Vehicle | None,
    platform: MobilePlatform | None,
    pad: Pad | None,
) -> None:
    """Refuse a model, serial, truck or pad that is not the provider's or not at the site."""
    if vehicle_model.provider_id != provider.pk:
        raise InvalidRequest(
            gettext("%(name)s is not flown by %(short_name)s.")
            % {"name": vehicle_model.name, "short_name": provider.short_name}
        )
    if vehicle is not None and vehicle.vehicle_model_id != vehicle_model.pk:
        raise InvalidRequest(
            gettext("%(serial)s is a %(name)s, not a %(name2)s.")
            % {"serial": vehicle.serial, "name": vehicle.vehicle_model.name, "name2": vehicle_model.name}
        )
    if platform is not None:
        if not vehicle_model.mobile_launch:
            raise InvalidRequest(
                gettext("%(name)s is not launched from mobile platforms.") % {"name": vehicle_model.name}
            )
        if platform.provider_id != provider.pk:
            raise InvalidRequest(gettext("%(name)s belongs to another provider.") % {"name": platform.name})
        if not site.accepts_mobile_platforms:
            raise InvalidRequest(gettext("%(name)s does not accept mobile platforms.") % {"name": site.name})
    if pad is not None and pad.site_id != site.pk:
        raise InvalidRequest(
            gettext("Pad %(name)s is at %(name2)s, not at %(name3)s.")
            % {"name": pad.name, "name2": pad.site.name, "name3": site.name}
        )


def _home_site_from(catalog: KeptCatalog, platform: MobilePlatform) -> None:
    """The truck's home site (where its chain starts) from the catalog, unless already loaded."""
    home = next((site for site in catalog.sites if site.pk == platform.home_site_id), None)
    if home is not None and not MobilePlatform._meta.get_field("home_site").is_cached(platform):
        platform.home_site = home


def _fits_or_refuse(new: _NewLaunch) -> None:
    """Refuse an inclination the site cannot fly and a model, serial, truck or pad that do not fit."""
    problem = inclination_problem(new.site, new.inclination)
    if problem:
        raise ScheduleConflict(problem[0].upper() + problem[1:] + ".", reasons=[problem])
    misfits = _fit_problems(
        vehicle_model=new.vehicle_model,
        service_level=new.service_level,
        platform=new.platform,
        pad=new.pad,
        vehicle=new.vehicle,
    )
    if misfits:
        raise Conflict(f"Cannot schedule {new.label}: " + "; ".join(misfits) + ".", reasons=misfits)


#: What the chain and the refusal read of a truck: as locked, not as planned.
_PLATFORM_FIELDS = ("status", "road_speed_kmh", "setup_hours", "teardown_hours")


def _equipment_problems(new: _NewLaunch, *, locked: MobilePlatform | Pad | None) -> list[str]:
    """The truck, pad and rocket out of service or not ready. Caller holds their locks; ``locked``:
    the platform's row as its lock read it (else it is read again)."""
    reasons: list[str] = []
    platform, pad, vehicle = new.platform, new.pad, new.vehicle
    if platform is not None:
        if isinstance(locked, MobilePlatform) and locked.pk == platform.pk:
            for name in _PLATFORM_FIELDS:
                setattr(platform, name, getattr(locked, name))
        else:
            platform.refresh_from_db(fields=list(_PLATFORM_FIELDS))
        if platform.status != MobilePlatform.Status.AVAILABLE:
            reasons.append(
                gettext("%(name)s is %(lower)s")
                % {"name": platform.name, "lower": platform.get_status_display().lower()}
            )
    if pad is not None and not pad.active:
        reasons.append(
            gettext("Pad %(name)s at %(name2)s is not in service")
            % {"name": pad.name, "name2": new.site.name}
        )
    if vehicle is not None and vehicle.status != Vehicle.Status.READY_STORAGE:
        reasons.append(
            gettext("%(serial)s is not in ready storage (%(lower)s)")
            % {"serial": vehicle.serial, "lower": vehicle.get_status_display().lower()}
        )
    return reasons


def _schedule_problems(
    new: _NewLaunch,
    slot: _Slot,
    *,
    template: ReadinessTemplate,
    steps: Sequence[TemplateStep],
    routes: list[RouteLeg],
    now: datetime,
) -> tuple[list[str], list[_Slot]]:
    """Everything in the way of the new launch's slot: the readiness lead, the rocket, closures,
    the range and the platform or pad chain; and the chain's links. Caller holds the locks."""
    site, window_start = new.site, new.window_start
    reasons = _readiness_problems(template=template, steps=steps, window_start=window_start, now=now)
    if new.vehicle is not None:
        reasons += _rocket_problems(
            vehicle=new.vehicle,
            vehicle_model=new.vehicle_model,
            site=site,
            window_start=window_start,
            now=now,
            routes=routes,
            site_names=new.site_names,
        )
    reasons += _closure_problems(slot)
    reasons += _range_problems(site=site, window_start=window_start, window_end=new.window_end)
    anchor, slots = _chain_load(new.resource, from_time=window_start)
    slots.append(slot)
    reasons += _chain_evaluate(new.resource, anchor, slots, now=now, routes=road_routes(routes))
    return reasons, slots


def _launch_create(new: _NewLaunch) -> Launch:
    return Launch.objects.create(
        name=new.label,
        provider=new.provider,
        vehicle_model=new.vehicle_model,
        vehicle=new.vehicle,
        site=new.site,
        pad=new.pad,
        platform=new.platform,
        orbit_family=new.orbit_family,
        altitude_km=new.altitude_km,
        inclination_deg=new.inclination,
        window_start=new.window_start,
        window_end=new.window_end,
        ltan=new.ltan,
        net=new.net,
        net_precision=new.net_precision,
        status=Launch.Status.SCHEDULED,
        service_level=new.service_level,
    )


def _launch_claims_write(launch: Launch, new: _NewLaunch, *, routes: list[RouteLeg], now: datetime) -> None:
    """The new launch's rocket and range claims, and its rocket assigned."""
    vehicle = new.vehicle
    _claims_write(
        launch=launch,
        site=new.site,
        window_start=new.window_start,
        window_end=new.window_end,
        vehicle=vehicle,
        rocket_from=(
            _rocket_leaves_at(
                vehicle=vehicle,
                vehicle_model=new.vehicle_model,
                site=new.site,
                window_start=new.window_start,
                routes=routes,
            )
            if vehicle is not None
            else None
        ),
        now=now,
        new=True,
    )
    if vehicle is not None:
        Vehicle.objects.filter(pk=vehicle.pk).update(status=Vehicle.Status.ASSIGNED)


def _scheduled_record(launch: Launch, new: _NewLaunch, reservation: Reservation, *, actor: Actor) -> None:
    """The ``launch.scheduled`` event: where, on what, for when, and the truck's journey."""
    timeline = (
        f"departs {reservation.origin.name} {when(reservation.occupied_from)}, "  # type: ignore[union-attr]
        f"arrives {when(reservation.arrive_at)}, "  # type: ignore[arg-type]
        if new.platform is not None
        else ""
    )
    event_record(
        verb="launch.scheduled",
        subject=launch,
        actor=actor,
        after=_launch_state(launch),
        message=(
            f"{new.label} scheduled at {new.site.name} on {new.resource.label} for "
            f"{_span_text(new.window_start, new.window_end)}; {timeline}"
            f"reserved until {when(reservation.occupied_until)}"
        ),
        provider=new.provider,
        launch=launch,
    )


def _schedule_locked(new: _NewLaunch, *, template: ReadinessTemplate, actor: Actor, now: datetime) -> Launch:
    """Lock, check and write the new launch (lock order: platform or pad, rocket, range).

    Caller is inside ``transaction.atomic``; a refusal raises ``ScheduleConflict``.
    """
    resource = new.resource
    locked = _lock(resource)
    if new.vehicle is not None:
        new.vehicle = locking.lock_vehicle(vehicle=new.vehicle)
        if new.vehicle.vehicle_model_id == new.vehicle_model.pk:  # as checked before the lock
            new.vehicle.vehicle_model = new.vehicle_model
    reasons = _equipment_problems(new, locked=locked)
    slot = _Slot(
        launch=None,
        name=new.label,
        site=new.site,
        window_start=new.window_start,
        window_end=new.window_end,
        primary=True,
    )
    _lock_range(new.site)
    # The template's steps once, for the lead check and the plan; the routes once, for the rocket's
    # journey, the truck's chain and the rocket's claim.
    steps = list(template.steps.order_by("position"))
    routes = new.routes if new.routes is not None else route_legs()
    problems, slots = _schedule_problems(new, slot, template=template, steps=steps, routes=routes, now=now)
    reasons += problems
    if reasons:
        raise ScheduleConflict(
            f"Cannot schedule {new.label} on {resource.label} at {new.site.name} for "
            f"{_span_text(new.window_start, new.window_end)}: " + "; ".join(reasons) + ".",
            reasons=reasons,
        )
    launch = _launch_create(new)
    slot.launch = launch
    _persist_chain(resource, slots, now=now)
    _launch_claims_write(launch, new, routes=routes, now=now)
    assert slot.reservation is not None
    _scheduled_record(launch, new, slot.reservation, actor=actor)
    readiness.plan_start_new(launch=launch, actor=actor, template=template, steps=steps, ordered_at=now)
    return launch


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
    ltan: time | None = None,
    catalog: KeptCatalog | None = None,
) -> Launch:
    """Create a scheduled launch and reserve its platform (transit, set-up, window, tear-down)
    or its pad (window plus turnaround); assign the vehicle; start the readiness plan (from
    ``readiness_template``, else the one ``readiness.template_for_launch`` picks).

    A sun-synchronous launch with a local time of the ascending node (``ltan``) opens its window at
    the daily launch time that LTAN gives from the site (``selectors.local_time.sso_window_start``);
    a window that does not contain one is refused, naming the time that would work.

    Refuses with ``InvalidRequest`` for inconsistent input and ``Conflict`` (``.reasons`` lists
    every clash) when the schedule cannot take it; then nothing is written.

    ``catalog``: the kept catalog (``selectors.catalog.kept_catalog``) as the caller read it before
    the transaction it calls this in, which must have written no catalog row: the orbit check, the
    route table and the site names are then taken from it instead of the rows (the express order
    planned on the same catalog a moment before).
    """
    _ltan_family_checked(orbit_family=orbit_family, ltan=ltan)
    if catalog is not None:  # the model with its capacity points, for the orbit check and the quote
        vehicle_model = catalog.by_pk.get(vehicle_model.pk, vehicle_model)
    refuse_launch_orbit(
        vehicle_model=vehicle_model,
        site=site,
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_deg=inclination_deg,
        sites=catalog.sites if catalog is not None else None,
    )
    now = now or timezone.now()
    _require_aware(window_start=window_start, window_end=window_end, net=net)
    if (platform is None) == (pad is None):
        raise InvalidRequest(gettext("A launch needs either a mobile platform or a pad (not both)."))
    net = _window_checked(window_start=window_start, window_end=window_end, net=net, now=now)
    _choices_checked(net_precision=net_precision, service_level=service_level, orbit_family=orbit_family)
    inclination = _inclination_checked(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg
    )
    _ownership_checked(
        provider=provider, vehicle_model=vehicle_model, site=site, vehicle=vehicle, platform=platform, pad=pad
    )
    if ltan is not None:
        window_start, net = _sso_window(
            orbit_family=orbit_family,
            site=site,
            inclination=inclination,
            ltan=ltan,
            window=(window_start, window_end),
            net=net,
        )
    new = _NewLaunch(
        provider=provider,
        vehicle_model=vehicle_model,
        site=site,
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination=inclination,
        window_start=window_start,
        window_end=window_end,
        net=net,
        net_precision=net_precision,
        service_level=service_level,
        label=name or f"{vehicle_model.name} · {orbit_family} {altitude_km}",
        vehicle=vehicle,
        platform=platform,
        pad=pad,
        ltan=ltan,
        routes=list(catalog.routes) if catalog is not None else None,
        site_names=catalog.site_names if catalog is not None else None,
    )
    if catalog is not None and platform is not None:
        _home_site_from(catalog, platform)
    _fits_or_refuse(new)
    if readiness_template is None:
        readiness_template = readiness.template_for(
            service_level=service_level, returnable=False, launch_name=new.label
        )
    try:
        with locking.deadlock_as_busy(f"The schedule of {new.resource.label}"), transaction.atomic():
            return _schedule_locked(new, template=readiness_template, actor=actor, now=now)
    except IntegrityError as exc:
        raise _integrity_conflict(exc, resource=new.resource, vehicle=new.vehicle) from exc


# --- launch_slip -------------------------------------------------------------------------------


@dataclass
class SlipResult:
    """A slip that was applied: the launch, the launches it cascaded to, and what happened."""

    launch: Launch
    previous_window_start: datetime
    cascaded: list[tuple[Launch, timedelta]] = field(default_factory=list)
    message: str = ""


def _cause_checked(cause: str, *, what: str) -> None:
    if cause not in DelayCause.values:
        raise InvalidRequest(
            _("Say what caused it: %(what)s record one of %(causes)s (not %(given)r).")
            % {"what": what, "causes": ", ".join(DelayCause.values), "given": cause}
        )


def _refuse_unless_active(launch: Launch, *, cannot: str) -> None:
    if launch.status not in Launch.ACTIVE_STATUSES:
        # The launch's state, not the request, is in the way: a conflict (409), like a clash.
        raise Conflict(
            gettext("%(name)s is %(lower)s; it cannot %(cannot)s.")
            % {"name": launch.name, "lower": launch.get_status_display().lower(), "cannot": cannot}
        )


def _slip_request_checked(
    *, window_start: datetime, window_end: datetime | None, net_precision: str | None, now: datetime
) -> None:
    _require_aware(window_start=window_start, window_end=window_end)
    if net_precision is not None and net_precision not in NET_PRECISIONS:
        raise InvalidRequest(
            gettext("Unknown NET precision %(net_precision)s.") % {"net_precision": f"{net_precision!r}"}
        )
    if window_start <= now:
        raise InvalidRequest(
            gettext("A launch can only slip to a window that opens in the future (it is %(now)s now).")
            % {"now": when(now)}
        )


def _slip_target(
    launch: Launch, *, window_start: datetime, window_end: datetime | None
) -> tuple[Launch, datetime, _Resource]:
    """Read the launch before any lock: refuse one that is not live, a window that ends before it
    starts, a launch that holds no platform or pad; the new window's end and the resource."""
    current = Launch.objects.select_related("site", "platform__home_site", "pad__site").get(pk=launch.pk)
    _refuse_unless_active(current, cannot="slip")
    duration = current.window_end - current.window_start
    new_end = window_end if window_end is not None else window_start + duration
    if new_end < window_start:
        raise InvalidRequest(gettext("The launch window must not end before it starts."))
    resource = _Resource(platform=current.platform, pad=current.pad)
    if resource.platform is None and resource.pad is None:
        raise InvalidRequest(
            gettext("%(name)s holds no platform or pad to re-time.") % {"name": current.name}
        )
    return current, new_end, resource


def _slip_chain(
    current: Launch,
    resource: _Resource,
    *,
    window_start: datetime,
    window_end: datetime,
    cascade: bool,
    now: datetime,
) -> tuple[list[_Slot], list[str]]:
    """The resource's chain with the launch moved to its new window (and, with ``cascade``, its
    followers moved as far as they must), and what is in the way. Caller holds the locks."""
    primary = _Slot(
        launch=current,
        name=current.name,
        site=current.site,
        window_start=window_start,
        window_end=window_end,
        primary=True,
    )
    primary.reservation = (
        Reservation.objects.filter(launch=current, released_at__isnull=True, **resource.filter())
        .select_related("origin")
        .first()
    )
    anchor, slots = _chain_load(
        resource, from_time=min(current.window_start, window_start), exclude_launch_ids=[current.pk]
    )
    slots.append(primary)
    reasons = _chain_evaluate(resource, anchor, slots, now=now, routes=road_routes(), cascade=cascade)
    return slots, reasons


def _moved_slot_problems(moving: list[_Slot]) -> list[str]:
    """Closures and range clashes of every moved launch at its new time; the ranges they land on
    are locked first (site pk order)."""
    moving_ids = [slot.launch.pk for slot in moving if slot.launch is not None]
    for site_pk in sorted({slot.site.pk for slot in moving}):
        _lock_range(next(slot.site for slot in moving if slot.site.pk == site_pk))
    reasons: list[str] = []
    for slot in moving:
        reasons += _closure_problems(slot)
        reasons += [
            (text if slot.primary else f"{slot.name} (slipped to {when(slot.window_start)}): {text}")
            for text in _range_problems(
                site=slot.site,
                window_start=slot.window_start,
                window_end=slot.window_end,
                exclude_launch_ids=moving_ids,
            )
        ]
    return reasons


def _slip_refusal(
    current: Launch, reasons: list[str], *, window_start: datetime, window_end: datetime, cascade: bool
) -> Conflict:
    hint = (
        " Slip with cascade to move the following launches on the same platform or pad."
        if not cascade and any("no time to get to" in r or "is occupied by" in r for r in reasons)
        else ""
    )
    return Conflict(
        f"Cannot slip {current.name} to {_span_text(window_start, window_end)}: "
        + "; ".join(reasons)
        + "."
        + hint,
        reasons=reasons,
    )


def _slot_slip_write(
    slot: _Slot,
    *,
    primary_name: str,
    net_precision: str | None,
    rocket: Reservation | None,
    cause: str,
    actor: Actor,
    now: datetime,
) -> Launch:
    """Move one launch of the chain to its slot's window: the row, its claims, the
    ``launch.slipped`` event, its readiness plan. Caller holds the locks and has checked it all."""
    target = slot.launch
    assert target is not None
    before = _launch_state(target)
    shift = slot.window_start - target.window_start
    precision = (net_precision if slot.primary else None) or target.net_precision
    target.window_start, target.window_end = slot.window_start, slot.window_end
    target.net_precision = precision
    target.net = _shift_net(target, shift, precision)
    target.save(update_fields=["window_start", "window_end", "net", "net_precision", "updated_at"])
    _claims_move(launch=target, site=slot.site, shift=shift, now=now, rocket=rocket)
    text = (
        f"{target.name} slipped from {when(before['window_start'])} to {when(target.window_start)}"
        + ("" if slot.primary else f" (cascade from {primary_name})")
        + f"; NET {when(target.net)} ({precision})"
    )
    event_record(
        verb="launch.slipped",
        subject=target,
        actor=actor,
        before=before,
        after={**_launch_state(target), "cause": cause},
        message=text,
        provider=target.provider,
        launch=target,
    )
    readiness.plan_follow_launch(launch=target, actor=actor)
    return target


def _slip_write(
    current: Launch,
    resource: _Resource,
    slots: list[_Slot],
    *,
    net_precision: str | None,
    cause: str,
    actor: Actor,
    now: datetime,
) -> tuple[Launch, list[tuple[Launch, timedelta]]]:
    """Write the checked chain: the moved launches with their claims; the primary launch as
    written and the cascaded ones with how far each moved."""
    _persist_chain(resource, slots, now=now)
    rockets = _claims_step_aside(
        [slot.launch for slot in slots if slot.moved and slot.launch is not None], now=now
    )
    moved: list[tuple[Launch, timedelta]] = []
    for slot in slots:
        if not slot.moved:
            continue
        assert slot.launch is not None
        target = _slot_slip_write(
            slot,
            primary_name=current.name,
            net_precision=net_precision,
            rocket=rockets.get(slot.launch.pk),
            cause=cause,
            actor=actor,
            now=now,
        )
        if slot.primary:
            current = target
        else:
            moved.append((target, slot.cascaded_by))
    return current, moved


def _slip_locked(
    launch: Launch,
    *,
    window_start: datetime,
    window_end: datetime | None,
    net_precision: str | None,
    cascade: bool,
    cause: str,
    actor: Actor,
    now: datetime,
) -> SlipResult:
    """Lock, check and write a slip (lock order: platform or pad, launch, ranges).

    Caller is inside ``transaction.atomic``; a refusal raises ``Conflict`` and writes nothing.
    """
    current, new_end, resource = _slip_target(launch, window_start=window_start, window_end=window_end)
    _lock(resource)
    current = locking.launch_lock(launch=current, related=("site",))
    # Again on the locked row: a scrub or lift-off may have committed while this waited.
    _refuse_unless_active(current, cannot="slip")
    if current.ltan is not None:  # a sun-synchronous plane keeps its daily launch time
        window_start, _net = _sso_window(
            orbit_family=current.orbit_family,
            site=current.site,
            inclination=current.inclination_deg,
            ltan=current.ltan,
            window=(window_start, new_end),
            net=window_start,
        )
    old_start = current.window_start
    slots, reasons = _slip_chain(
        current, resource, window_start=window_start, window_end=new_end, cascade=cascade, now=now
    )
    reasons += _moved_slot_problems([slot for slot in slots if slot.moved])
    if reasons:
        raise _slip_refusal(current, reasons, window_start=window_start, window_end=new_end, cascade=cascade)
    current, moved = _slip_write(
        current, resource, slots, net_precision=net_precision, cause=cause, actor=actor, now=now
    )
    message = (
        f"{current.name} slipped by {_delta_text(window_start - old_start)} to {when(current.window_start)}."
    )
    if moved:
        message += " Cascaded: " + ", ".join(f"{m.name} +{_delta_text(d)}" for m, d in moved) + "."
    return SlipResult(launch=current, previous_window_start=old_start, cascaded=moved, message=message)


def launch_slip(
    *,
    launch: Launch,
    window_start: datetime,
    actor: Actor,
    cause: str,
    window_end: datetime | None = None,
    net_precision: str | None = None,
    cascade: bool = False,
    now: datetime | None = None,
) -> SlipResult:
    """Move a launch's window (and NET) and re-validate every reservation it holds.

    ``cause`` (a ``DelayCause``: provider or technical, weather, range, customer) is recorded on
    every ``launch.slipped`` event, the cascaded ones too: a provider or weather delay waives the
    rebooking fee of the bookings that move away (``booking.selectors.terms``).

    All or nothing: every conflict is reported in one ``Conflict`` (``.reasons``) and nothing
    changes, or the whole consistent schedule is written. With ``cascade`` the launches that
    follow on the same platform or pad are slipped by the time they lack, also all or nothing.
    """
    now = now or timezone.now()
    _cause_checked(cause, what=_("slips"))
    _slip_request_checked(
        window_start=window_start, window_end=window_end, net_precision=net_precision, now=now
    )
    try:
        with transaction.atomic():
            return _slip_locked(
                launch,
                window_start=window_start,
                window_end=window_end,
                net_precision=net_precision,
                cascade=cascade,
                cause=cause,
                actor=actor,
                now=now,
            )
    except IntegrityError as exc:
        raise _integrity_conflict(exc, resource=None, vehicle=None) from exc


# --- launch_scrub ------------------------------------------------------------------------------


def _scrub_follower_retime(current: Launch, resource: _Resource, *, now: datetime) -> list[str]:
    """Re-time the platform's next launch to depart from where the platform really is once
    ``current`` is scrubbed; when that no longer fits, what is wrong (nothing is written).
    Caller holds the platform lock and has released ``current``'s reservations."""
    anchor, slots = _chain_load(resource, from_time=current.window_start, exclude_launch_ids=[current.pk])
    if not slots:
        return []
    follower = slots[:1]
    problems = _chain_evaluate(resource, anchor, follower, now=now, routes=road_routes())
    if not problems:
        _persist_chain(resource, follower, now=now)
    return problems


def launch_scrub(
    *,
    launch: Launch,
    actor: Actor,
    reason: str,
    cause: str,
    now: datetime | None = None,
    unless_booked: bool = False,
) -> Launch:
    """Scrub a launch: release its reservations and its vehicle, cancel its readiness plan.

    ``cause`` (a ``DelayCause``) is recorded on the ``launch.scrubbed`` event: a provider or
    weather scrub waives the rebooking fee of the bookings that move away from it.

    The platform's next launch now departs from where the platform really is; its departure is
    re-timed when that still fits, otherwise the event message warns the operator.
    ``unless_booked``: refuse (``Conflict``, nothing written) when a live booking rides it, read
    under the launch lock (an express launch nobody confirmed, released by the hold expiry sweep).
    """
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidRequest(_("Say why the launch is scrubbed."))
    _cause_checked(cause, what=_("scrubs"))
    with transaction.atomic():
        current = Launch.objects.select_related("site", "platform__home_site", "pad__site").get(pk=launch.pk)
        _refuse_unless_active(current, cannot="be scrubbed")
        resource = _Resource(platform=current.platform, pad=current.pad)
        if current.platform is not None or current.pad is not None:
            _lock(resource)
        current = locking.launch_lock(launch=current, related=("site", "provider", "vehicle"))
        # Again on the locked row: a slip, another scrub or lift-off may have committed meanwhile.
        _refuse_unless_active(current, cannot="be scrubbed")
        if unless_booked and launch_has_live_booking(launch=current, now=now):
            raise Conflict(_("%(launch)s has a live booking: it is not scrubbed") % {"launch": current.name})
        before = _launch_state(current)
        live = Reservation.objects.filter(launch=current, released_at__isnull=True)
        freed_claims = live.filter(platform__isnull=True, pad__isnull=True).update(released_at=now)
        released = live.update(released_at=now)  # the platform or pad claim
        warnings = _scrub_follower_retime(current, resource, now=now) if current.platform is not None else []
        if current.vehicle_id is not None:
            Vehicle.objects.filter(pk=current.vehicle_id, status=Vehicle.Status.ASSIGNED).update(
                status=Vehicle.Status.READY_STORAGE
            )
        current.status = Launch.Status.SCRUBBED
        current.save(update_fields=["status", "updated_at"])
        message = f"{current.name} scrubbed: {reason.strip()}; {count_text(released, 'reservation')} released"
        if freed_claims:
            message += f" and {count_text(freed_claims, 'rocket and range claim')} freed"
        if current.vehicle_id is not None:
            message += f", {current.vehicle.serial} back in ready storage"  # type: ignore[union-attr]
        if warnings:
            message += ". Warning: " + "; ".join(warnings)
        event_record(
            verb="launch.scrubbed",
            subject=current,
            actor=actor,
            before=before,
            after={**_launch_state(current), "cause": cause, "reason": reason.strip()},
            message=message,
            provider=current.provider,
            launch=current,
        )
        readiness.plan_cancel(launch=current, actor=actor)
    return current
