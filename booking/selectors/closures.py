"""Which launches a site closure lands on, and the next window the planner offers each."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from booking.models import Launch
from booking.selectors.planner import Plan, plan_launch
from vehicles.models import SiteClosure

#: How far past the closure the next window is looked for.
NEXT_WINDOW_HORIZON = timedelta(days=60)


def launches_under_closure(*, closure: SiteClosure) -> QuerySet[Launch]:
    """Live launches at the closure's site whose window the closure touches."""
    return (
        Launch.objects.filter(
            site_id=closure.site_id,
            status__in=Launch.ACTIVE_STATUSES,
            window_start__lt=closure.ends_at,
            window_end__gt=closure.starts_at,
        )
        .select_related("provider", "site", "vehicle_model")
        .order_by("window_start", "pk")
    )


def closures_on_launch(*, launch: Launch) -> list[SiteClosure]:
    return list(
        SiteClosure.objects.filter(
            site_id=launch.site_id, starts_at__lt=launch.window_end, ends_at__gt=launch.window_start
        ).order_by("starts_at", "pk")
    )


def next_window_for(*, launch: Launch, now: datetime | None = None) -> Plan | None:
    """The planner's first plan for the launch's orbit with its provider after the closures on
    its window end (the launch's own claims still stand: a plan on other resources or later)."""
    now = now or timezone.now()
    closures = closures_on_launch(launch=launch)
    earliest = max([now, *(c.ends_at for c in closures)])
    result = plan_launch(
        orbit_family=launch.orbit_family,
        altitude_km=launch.altitude_km,
        inclination_deg=launch.inclination_deg,
        earliest=earliest,
        latest=earliest + NEXT_WINDOW_HORIZON,
        service_level=launch.service_level,
        provider=launch.provider,
        limit=1,
        now=now,
    )
    return result.plans[0] if result.plans else None


def launches_needing_replan(
    *, provider_ids: list[int] | None = None, now: datetime | None = None
) -> list[Launch]:
    """Live launches with a closure on their window (for the operator dashboard)."""
    now = now or timezone.now()
    qs = Launch.objects.filter(status__in=Launch.ACTIVE_STATUSES, window_end__gt=now).select_related("site")
    if provider_ids is not None:
        qs = qs.filter(provider_id__in=provider_ids)
    closures = SiteClosure.objects.filter(ends_at__gt=now)
    by_site: dict[int, list[SiteClosure]] = {}
    for closure in closures:
        by_site.setdefault(closure.site_id, []).append(closure)
    return [
        launch
        for launch in qs.filter(site_id__in=list(by_site)).order_by("window_start")
        if any(
            c.starts_at < launch.window_end and c.ends_at > launch.window_start
            for c in by_site[launch.site_id]
        )
    ]
