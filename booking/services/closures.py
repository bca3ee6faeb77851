"""Site closures: saving one that lands on scheduled launches acts on them at once.

``site_closure_save`` is what the admin (and any other front end) calls: it saves the closure,
finds every live launch at the site whose window it touches, writes an Event for each, holds the
launch (the launch hold service; its status change reaches the booked customers' webhooks),
and leaves a notification for the provider's operations team and for the payload customers on
the launch's readiness plan. The next feasible window is the planner's, shown where the operator
acts (``booking.selectors.closures``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from booking.models import Booking, Launch, Notification, OwnerRole, PlanStep
from booking.rules.text import closure_text
from booking.selectors.capacity import capacity_taking_q
from booking.selectors.closures import launches_under_closure
from vehicles.models import SiteClosure

from .events import Actor, event_record
from .launches import launch_hold
from .notifications import notifications_write


@dataclass
class ClosureImpact:
    closure: SiteClosure
    affected: list[Launch] = field(default_factory=list)


def _notify(*, launch: Launch, closure: SiteClosure, text: str) -> int:
    """One closure notification for the operations team, on its first open step of the launch's
    plan, and one for the customers booked on the launch, which reaches all their members (a
    launch notification, as a slip is)."""
    ops_step = (
        PlanStep.objects.filter(
            plan__launch=launch, owner_role=OwnerRole.OPERATIONS, status__in=PlanStep.OPEN_STATUSES
        )
        .order_by("due_at", "pk")
        .first()
    )
    rows = []
    if ops_step is not None:
        rows.append(
            Notification(
                step=ops_step,
                launch=launch,
                reason=Notification.Reason.CLOSURE,
                recipient_role=OwnerRole.OPERATIONS,
                message=text[:300],
            )
        )
    if Booking.objects.filter(capacity_taking_q(now=timezone.now()), launch=launch).exists():
        # Once per closure span and launch: saving the closure again unchanged tells nobody twice.
        span = f"{int(closure.starts_at.timestamp())}-{int(closure.ends_at.timestamp())}"
        key = f"closure:{closure.pk}:{launch.pk}:{span}"
        rows.append(
            Notification(launch=launch, reason=Notification.Reason.CLOSURE, message=text[:300], key=key)
        )
    return len(notifications_write(rows))


def site_closure_save(*, closure: SiteClosure, actor: Actor) -> ClosureImpact:
    """Save ``closure`` (new or edited) and act on every live launch its span lands on."""
    with transaction.atomic():
        created = closure.pk is None
        closure.full_clean()
        closure.save()
        text = closure_text(closure)
        event_record(
            verb="site.closure_created" if created else "site.closure_changed",
            subject=closure,
            actor=actor,
            after={"site": closure.site_id, "starts_at": closure.starts_at, "ends_at": closure.ends_at},
            message=text,
        )
        impact = ClosureImpact(closure=closure)
        for launch in launches_under_closure(closure=closure):
            reason = f"{text}: it lands on the launch window"
            event_record(
                verb="launch.closure_conflict",
                subject=launch,
                actor=actor,
                after={"closure": closure.pk},
                message=f"{launch.name}: {reason}; the launch is held until it is re-planned",
                provider=launch.provider,
                launch=launch,
            )
            if launch.status != Launch.Status.HOLD:
                launch = launch_hold(launch=launch, actor=actor, reason=reason)
            _notify(launch=launch, closure=closure, text=f"{launch.name} is on hold: {reason}")
            impact.affected.append(launch)
    return impact


def site_closure_create(*, actor: Actor, **fields) -> ClosureImpact:
    """Create a closure from its fields (site, starts_at, ends_at, kind, reason) and act on it."""
    return site_closure_save(closure=SiteClosure(**fields), actor=actor)
