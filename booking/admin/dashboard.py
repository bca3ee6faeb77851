"""The operator admin's home dashboard: what needs attention in the next 30 days.

Read by the ``{% operator_dashboard %}`` tag in ``templates/admin/index.html``. Every query is
scoped to the providers the operator runs (``operator_provider_ids``): an ExPace operator sees
ExPace's launches, holds, late steps and platforms only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from booking.admin.schedule_form import dedicated_request_query
from booking.models import (
    Booking,
    DedicatedRequest,
    Launch,
    ManifestMove,
    ManifestProposal,
    PlanStep,
    Reservation,
)
from booking.rules.readiness import step_late_at
from booking.selectors.closures import launches_needing_replan, next_window_for
from booking.selectors.dedicated import dedicated_requests_for_providers
from booking.selectors.manifest.moves import proposals_for
from booking.selectors.planner import Plan
from vehicles.models import LaunchSite, MobilePlatform
from vehicles.selectors import operator_provider_ids

HORIZON = timedelta(days=30)
#: At most this many launches under a closure are re-planned on the dashboard (one plan each).
CLOSURE_REPLANS = 5

# Pages other areas add to the admin; linked from the dashboard as soon as they exist.
TOOL_LINKS = (
    (gettext_lazy("Fleet timeline"), ("admin:booking_launch_fleet",)),
    (gettext_lazy("Schedule a launch"), ("admin:booking_launch_schedule",)),
    (gettext_lazy("Readiness board"), ("admin:booking_readinessplan_board",)),
    (gettext_lazy("Manifest proposals"), ("admin:booking_manifestproposal_changelist",)),
)
#: At most this many manifest proposals with moves still to review are shown.
PROPOSALS_SHOWN = 5


def _scoped(qs: QuerySet[Any], provider_ids: set[int] | None, path: str) -> QuerySet[Any]:
    return qs if provider_ids is None else qs.filter(**{f"{path}__in": provider_ids})


def _first_url(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@dataclass
class OperatorDashboard:
    now: datetime
    all_providers: bool
    launches: list[Launch] = field(default_factory=list)
    holds: list[Booking] = field(default_factory=list)
    late_steps: list[PlanStep] = field(default_factory=list)
    platforms_in_transit: list[Reservation] = field(default_factory=list)
    tools: list[tuple[str, str]] = field(default_factory=list)
    platform_timelines: list[tuple[str, str]] = field(default_factory=list)
    site_timelines: list[tuple[str, str]] = field(default_factory=list)
    #: Launches a site closure lands on, each with the planner's next feasible window (or None).
    closure_conflicts: list[tuple[Launch, Plan | None]] = field(default_factory=list)
    #: Dedicated launch requests waiting for the operator's providers, each with the link that
    #: opens the schedule form pre-filled from it (the planner's plans beside it).
    dedicated_requests: list[tuple[DedicatedRequest, str]] = field(default_factory=list)
    #: The optimiser's proposals with moves still to review (after a slip or a scrub, or asked for).
    manifest_proposals: list[ManifestProposal] = field(default_factory=list)


def operator_dashboard(*, user: Any, now: datetime | None = None, limit: int = 25) -> OperatorDashboard:
    now = now or timezone.now()
    ids = operator_provider_ids(user)
    launches = _scoped(
        Launch.objects.filter(
            status__in=Launch.ACTIVE_STATUSES, net__gte=now - timedelta(hours=6), net__lte=now + HORIZON
        )
        .select_related(
            "provider", "vehicle_model", "vehicle__vehicle_model", "site", "platform", "pad__site"
        )
        .order_by("net", "pk"),
        ids,
        "provider_id",
    )
    holds = _scoped(
        Booking.objects.filter(status=Booking.Status.HELD)
        .select_related("customer", "payload", "launch")
        .order_by("hold_expires_at", "pk"),
        ids,
        "launch__provider_id",
    )
    late_steps = _scoped(
        PlanStep.objects.filter(plan__status="active")
        .filter(Q(status=PlanStep.Status.LATE) | Q(status=PlanStep.Status.PENDING, due_at__lt=now))
        .select_related("plan__launch__site")
        .order_by("due_at", "pk"),
        ids,
        "plan__launch__provider_id",
    )
    in_transit = _scoped(
        Reservation.objects.filter(
            platform__isnull=False,
            released_at__isnull=True,
            occupied_from__lte=now,
            arrive_at__gt=now,
        )
        .exclude(arrive_at__lte=F("occupied_from"))
        .select_related("platform", "origin", "launch__site")
        .order_by("arrive_at", "pk"),
        ids,
        "platform__provider_id",
    )
    tools = [(str(label), url) for label, names in TOOL_LINKS if (url := _first_url(names))]
    platform_timelines: list[tuple[str, str]] = []
    site_timelines: list[tuple[str, str]] = []
    if _first_url(("admin:booking_launch_schedule",)):  # the scheduling area is installed
        platforms = _scoped(MobilePlatform.objects.order_by("name"), ids, "provider_id")
        platform_timelines = [
            (p.name, reverse("admin:booking_launch_timeline_platform", args=[p.pk])) for p in platforms
        ]
        site_timelines = [
            (s.name, reverse("admin:booking_launch_timeline_site", args=[s.pk]))
            for s in LaunchSite.objects.order_by("name")
        ]
    closure_conflicts = [
        (launch, next_window_for(launch=launch, now=now))
        for launch in launches_needing_replan(provider_ids=None if ids is None else list(ids), now=now)[
            :CLOSURE_REPLANS
        ]
    ]
    dedicated = dedicated_requests_for_providers(ids).filter(status=DedicatedRequest.Status.REQUESTED)
    schedule_url = _first_url(("admin:booking_launch_schedule",))
    dedicated_rows = [
        (asked, f"{schedule_url}{dedicated_request_query(asked)}" if schedule_url else "")
        for asked in dedicated.order_by("earliest", "pk")[:limit]
    ]
    proposals = (
        proposals_for(provider_ids=ids)
        .annotate(to_review=Count("moves", filter=Q(moves__status=ManifestMove.Status.PROPOSED)))
        .filter(to_review__gt=0)
        .order_by("-created_at", "-pk")
    )
    return OperatorDashboard(
        now=now,
        dedicated_requests=dedicated_rows,
        closure_conflicts=closure_conflicts,
        manifest_proposals=list(proposals[:PROPOSALS_SHOWN]),
        all_providers=ids is None,
        launches=list(launches[:limit]),
        holds=list(holds[:limit]),
        # Past due and past grace, as the reconciler counts it (it marks them late within a pass).
        late_steps=[s for s in late_steps if s.status == PlanStep.Status.LATE or step_late_at(s) <= now][
            :limit
        ],
        platforms_in_transit=list(in_transit[:limit]),
        tools=tools,
        platform_timelines=platform_timelines,
        site_timelines=site_timelines,
    )
