"""Readiness workflows: plans made from templates, steps signed off or checked, and the reconciler.

The database is the source of truth. A plan's steps are rows with due times; each open step
carries ``wake_at``, the next time the reconciler has work on it (run its automatic check, or
mark it late). ``readiness_reconcile`` runs every 30 seconds: it claims the launches that have
due work with ``SELECT ... FOR UPDATE SKIP LOCKED`` and handles all of them with a handful of
bulk queries. Checks run in short Celery tasks (``step_check_run``) whose results are recorded
under the launch lock with a unique (step, attempt) key, so a re-delivered task does nothing.

Lock order: the launch row first (``locking.launch_lock``), then its plan and step rows. Every
writer of a plan's steps holds the launch lock, so the launch row is the plan's mutex.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from booking.dates import when_short
from booking.errors import InvalidRequest
from booking.models import (
    Booking,
    CheckRun,
    Launch,
    Notification,
    PlanStep,
    ReadinessPlan,
    ReadinessTemplate,
    TemplateStep,
)
from booking.readiness_templates import (
    CARGO_SLUG,
    EXPRESS_RETURNABLE_SLUG,
    EXPRESS_SLUG,
    GO_STEP_CODE,
    LAUNCH_STEP_CODE,
    RETURN_STEPS,
    SHIPPED_TEMPLATES,
    STANDARD_SLUG,
    StepSpec,
    install_readiness_templates,
    plan_offsets,
)
from booking.rules.launch_status import ALLOWED_FROM, HELD_BY_READINESS
from booking.rules.readiness import (
    OPEN,
    PROBLEM,
    LaunchStatus,
    Step,
    _go_ready,
    _names,
    _problem_text,
    _problems,
    check_retry_interval,
    go_blockers,
    step_late_at,
    step_next_wake,
    step_opens_at,
)
from booking.selectors.capacity import capacity_taking_q
from booking.services.events import event_new, user_or_none
from booking.services.launches import launches_change_status
from booking.services.locking import claim_unlocked, launch_lock
from booking.services.notifications import notifications_write
from booking.signals import readiness_checks_due

from . import checks
from .events import Actor, event_record, events_record

logger = logging.getLogger(__name__)


# Keeps id lists within every backend's limit on query parameters.
_ID_CHUNK = 10_000 if connection.vendor == "postgresql" else 900

_STEP_VERBS: dict[str, str] = {
    Step.DONE: "readiness.step_done",
    Step.WAIVED: "readiness.step_waived",
    Step.FAILED: "readiness.step_failed",
}

# to-status -> statuses a person may change a step from.
_STEP_ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    Step.DONE: (Step.PENDING, Step.LATE, Step.FAILED),
    Step.WAIVED: (Step.PENDING, Step.LATE, Step.FAILED),
    Step.FAILED: (Step.PENDING, Step.LATE),
}
_STEP_WORDS: dict[str, str] = {Step.DONE: "be signed off", Step.WAIVED: "be waived", Step.FAILED: "fail"}


@dataclass
class ReconcileReport:
    now: datetime
    launches_claimed: list[int] = field(default_factory=list)
    steps_late: list[int] = field(default_factory=list)
    checks_queued: list[tuple[int, int]] = field(default_factory=list)
    launches_held: list[int] = field(default_factory=list)
    launches_released: list[int] = field(default_factory=list)
    launches_go: list[int] = field(default_factory=list)
    plans_completed: list[int] = field(default_factory=list)
    notifications: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "launches_claimed": len(self.launches_claimed),
            "steps_late": len(self.steps_late),
            "checks_queued": len(self.checks_queued),
            "launches_held": len(self.launches_held),
            "launches_released": len(self.launches_released),
            "launches_go": len(self.launches_go),
            "plans_completed": len(self.plans_completed),
            "notifications": self.notifications,
        }


@dataclass
class GateResult:
    held: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    go: list[int] = field(default_factory=list)
    plans_completed: list[int] = field(default_factory=list)
    notifications: int = 0


# --- the rules -------------------------------------------------------------------------------


# --- plans -----------------------------------------------------------------------------------


def template_for_launch(*, launch: Launch) -> ReadinessTemplate:
    """The shipped template a launch follows, by its service level and whether a payload booked
    on it comes back (``template_for``)."""
    returnable = Booking.objects.filter(
        capacity_taking_q(now=timezone.now()), launch=launch, payload__returnable=True
    ).exists()
    return template_for(service_level=launch.service_level, returnable=returnable, launch_name=launch.name)


def template_for(
    *, service_level: str, returnable: bool, launch_name: str = "the launch"
) -> ReadinessTemplate:
    """Express 24-hour (with the return capsule's steps for a returnable payload), cargo mission
    (returnable payloads otherwise) or standard campaign."""
    if service_level == Launch.ServiceLevel.EXPRESS:
        slug = EXPRESS_RETURNABLE_SLUG if returnable else EXPRESS_SLUG
    elif returnable:
        slug = CARGO_SLUG
    else:
        slug = STANDARD_SLUG
    template = ReadinessTemplate.objects.filter(slug=slug).first()
    if template is None:
        # A shipped template deleted in the admin comes back as shipped; the others, as
        # operators edited or switched them off, are left alone.
        install_readiness_templates(
            ReadinessTemplate, TemplateStep, [spec for spec in SHIPPED_TEMPLATES if spec.slug == slug]
        )
        template = ReadinessTemplate.objects.get(slug=slug)
    if not template.active:
        raise InvalidRequest(
            gettext(
                "The readiness template “%(slug)s” for %(launch_name)s is switched off; an operator can "
                "switch it back on in the admin, or choose another template."
            )
            % {"slug": slug, "launch_name": launch_name}
        )
    return template


def plan_start(
    *,
    launch: Launch,
    actor: Actor,
    template: ReadinessTemplate | None = None,
    ordered_at: datetime | None = None,
) -> ReadinessPlan:
    """Make the launch's readiness plan from a template (chosen from the launch when not given).

    Step due times are the launch window's start plus each step's offset. When the window opens
    sooner than the template's first step (an express order planned 6 hours out, a campaign
    scheduled weeks rather than months ahead), the steps before T-0 are laid out with
    ``plan_offsets``: each keeps its template offset where the lead allows and is otherwise pulled
    towards T-0, never below its minimum duration after the steps before it. A lead shorter than
    the template's minimum chain is refused (``launch_schedule`` never asks for one). A cancelled plan is replaced;
    an active or completed one is refused.
    """
    with transaction.atomic():
        locked = launch_lock(launch=launch)
        if template is None:
            template = template_for_launch(launch=locked)
        elif not template.active:
            raise InvalidRequest(
                gettext("The readiness template “%(name)s” is switched off.") % {"name": template.name}
            )
        existing = ReadinessPlan.objects.filter(launch=locked).select_related("template").first()
        if existing is not None:
            if existing.status != ReadinessPlan.Status.CANCELLED:
                raise InvalidRequest(
                    gettext("%(name)s already has a readiness plan (%(name2)s, %(lower)s).")
                    % {
                        "name": locked.name,
                        "name2": existing.template.name,
                        "lower": existing.get_status_display().lower(),
                    }
                )
            existing.delete()
        return _plan_write(
            launch=locked,
            template=template,
            template_steps=list(template.steps.order_by("position")),
            actor=actor,
            ordered_at=ordered_at,
        )


def plan_start_new(
    *,
    launch: Launch,
    actor: Actor,
    template: ReadinessTemplate,
    steps: Sequence[TemplateStep],
    ordered_at: datetime,
) -> ReadinessPlan:
    """``plan_start`` for a launch created in the caller's transaction (``launch_schedule``), from
    the template's ``steps`` (position order) the caller read: nobody else can see that launch yet,
    so there is no row to lock and no plan to replace. Caller is inside ``transaction.atomic``."""
    if not template.active:
        raise InvalidRequest(
            gettext("The readiness template “%(name)s” is switched off.") % {"name": template.name}
        )
    return _plan_write(
        launch=launch, template=template, template_steps=list(steps), actor=actor, ordered_at=ordered_at
    )


def _plan_write(
    *,
    launch: Launch,
    template: ReadinessTemplate,
    template_steps: list[TemplateStep],
    actor: Actor,
    ordered_at: datetime | None,
) -> ReadinessPlan:
    """The plan and its steps laid out from the window back, and its event. Caller holds the
    launch row (or created it in this transaction)."""
    if not template_steps:
        raise InvalidRequest(
            gettext("The readiness template “%(name)s” has no steps.") % {"name": template.name}
        )
    plan = ReadinessPlan.objects.create(launch=launch, template=template)
    now = timezone.now()
    # The lead runs from the order (``launch_schedule``'s time), which may lie in the past for
    # a campaign already under way when it is entered.
    lead_minutes = max(math.ceil((launch.window_start - (ordered_at or now)).total_seconds() / 60), 0)
    try:
        offsets = plan_offsets(template_steps, lead_minutes=lead_minutes)
    except ValueError as exc:
        raise InvalidRequest(
            gettext("Cannot start the %(name)s plan for %(name2)s: %(exc)s.")
            % {"name": template.name, "name2": launch.name, "exc": exc}
        ) from exc
    steps = []
    for ts in template_steps:
        offset_minutes = offsets.get(ts.code, ts.offset_minutes)
        # A step pulled towards T-0 keeps the time its work takes, never more than it had.
        duration_minutes = (
            ts.duration_minutes
            if offset_minutes == ts.offset_minutes
            else min(ts.duration_minutes, max(ts.min_duration_minutes, 1))
        )
        step = PlanStep(
            plan=plan,
            template_step=ts,
            position=ts.position,
            code=ts.code,
            name=ts.name,
            owner_role=ts.owner_role,
            kind=ts.kind,
            check_name=ts.check_name,
            blocking=ts.blocking,
            offset_minutes=offset_minutes,
            duration_minutes=duration_minutes,
            grace_minutes=ts.grace_minutes,
            due_at=launch.window_start + timedelta(minutes=offset_minutes),
        )
        step.wake_at = step_next_wake(step, now=now)
        steps.append(step)
    PlanStep.objects.bulk_create(steps)
    event_record(
        verb="readiness.plan_started",
        subject=plan,
        actor=actor,
        after={"template": template.slug, "steps": len(steps)},
        message=f"{template.name} plan started for {launch.name}",
        provider=launch.provider,
        launch=launch,
    )
    return plan


def plan_add_return_steps(*, launch: Launch, actor: Actor, now: datetime) -> list[PlanStep]:
    """Give the launch's active plan the return capsule's steps when a returnable payload is booked.

    A plan is made when the launch is scheduled, before anything is booked: a returnable payload
    booked later brings its steps (the return mass checked against the capsule, the capsule
    recovered, ``RETURN_STEPS`` for the plan's service level) to the plan it finds. Steps it has
    already are left alone. A step whose due time has passed, or leaves its work too little time,
    is due its minimum duration from now (never after T-0). Positions follow the due times.
    Caller holds the launch lock (``booking_hold``, ``booking_rebook``).
    """
    plan = ReadinessPlan.objects.filter(launch=launch, status=ReadinessPlan.Status.ACTIVE).first()
    if plan is None:
        return []
    existing = list(plan.steps.order_by("position"))
    have = {step.code for step in existing}
    specs = [
        spec
        for spec in RETURN_STEPS.get(launch.service_level, RETURN_STEPS["standard"])
        if spec.code not in have
    ]
    if not specs:
        return []
    added = [_return_step(plan=plan, launch=launch, spec=spec, now=now) for spec in specs]
    ordered = sorted([*existing, *added], key=lambda step: (step.offset_minutes, step.position))
    # Park the existing rows on free positions first: (plan, position) is unique.
    plan.steps.update(position=F("position") + 1000)
    for position, step in enumerate(ordered, start=1):
        step.position = position
    PlanStep.objects.bulk_update(existing, ["position"])
    PlanStep.objects.bulk_create(added)
    event_record(
        verb="readiness.steps_added",
        subject=plan,
        actor=actor,
        after={"steps": [step.code for step in added]},
        message=f"Readiness plan for {launch.name} gains {', '.join(step.name for step in added)}: "
        "a returnable payload is booked",
        provider=launch.provider,
        launch=launch,
    )
    return added


def _return_step(*, plan: ReadinessPlan, launch: Launch, spec: StepSpec, now: datetime) -> PlanStep:
    due_at = launch.window_start + timedelta(minutes=spec.offset_minutes)
    if spec.offset_minutes <= 0:
        earliest = now + timedelta(minutes=spec.min_duration_minutes)
        due_at = min(max(due_at, earliest), launch.window_start)
    offset_minutes = math.floor((due_at - launch.window_start).total_seconds() / 60)
    step = PlanStep(
        plan=plan,
        position=0,  # numbered with the plan's steps before it is written
        code=spec.code,
        name=spec.name,
        owner_role=spec.owner_role,
        kind=TemplateStep.Kind.AUTOMATIC if spec.check_name else TemplateStep.Kind.MANUAL,
        check_name=spec.check_name,
        blocking=spec.blocking,
        offset_minutes=offset_minutes,
        duration_minutes=spec.duration_minutes,
        grace_minutes=spec.grace_minutes,
        due_at=due_at,
    )
    step.wake_at = step_next_wake(step, now=now)
    return step


def plan_follow_launch(*, launch: Launch, actor: Actor) -> ReadinessPlan | None:
    """Re-time the open steps after the launch moved: due time = window start + offset.

    A late step whose new due time (plus grace) is still ahead is pending again, which releases
    a hold it caused. Returns the plan, or ``None`` when the launch has no active plan.
    """
    with transaction.atomic():
        locked = launch_lock(launch=launch)
        plan = ReadinessPlan.objects.filter(launch=locked, status=ReadinessPlan.Status.ACTIVE).first()
        if plan is None:
            return None
        now = timezone.now()
        steps = list(plan.steps.filter(status__in=OPEN))
        before = {step.code: step.due_at.isoformat() for step in steps}
        for step in steps:
            step.due_at = locked.window_start + timedelta(minutes=step.offset_minutes)
            if step.status == Step.LATE and step_late_at(step) > now:
                step.status = Step.PENDING
            step.wake_at = step_next_wake(step, now=now)
        PlanStep.objects.bulk_update(steps, ["due_at", "status", "wake_at"])
        event_record(
            verb="readiness.plan_retimed",
            subject=plan,
            actor=actor,
            before={"due": before},
            after={"due": {step.code: step.due_at.isoformat() for step in steps}},
            message=f"Readiness plan for {locked.name} follows the window starting {when_short(locked.window_start)}",
            provider=locked.provider,
            launch=locked,
        )
        launch_gates_apply(launch_ids=[locked.pk])
        return plan


def plan_cancel(*, launch: Launch, actor: Actor) -> ReadinessPlan | None:
    """Cancel the launch's active plan: the reconciler and queued checks leave it alone from now."""
    with transaction.atomic():
        locked = launch_lock(launch=launch)
        plan = ReadinessPlan.objects.filter(launch=locked, status=ReadinessPlan.Status.ACTIVE).first()
        if plan is None:
            return None
        plan.status = ReadinessPlan.Status.CANCELLED
        plan.save(update_fields=["status"])
        plan.steps.filter(status__in=OPEN).update(wake_at=None)
        event_record(
            verb="readiness.plan_cancelled",
            subject=plan,
            actor=actor,
            before={"status": ReadinessPlan.Status.ACTIVE},
            after={"status": ReadinessPlan.Status.CANCELLED},
            message=f"Readiness plan for {locked.name} cancelled",
            provider=locked.provider,
            launch=locked,
        )
        return plan


def plan_record_liftoff(*, launch: Launch, actor: Actor) -> None:
    """Sign off the plan's launch step. Caller holds the launch lock (``launch_mark_launched``)."""
    step = PlanStep.objects.filter(
        plan__launch=launch, plan__status=ReadinessPlan.Status.ACTIVE, code=LAUNCH_STEP_CODE, status__in=OPEN
    ).first()
    if step is not None:
        _close_step(step=step, to_status=Step.DONE, actor=actor, note="Lifted off", launch=launch)
    launch_gates_apply(launch_ids=[launch.pk])


def plan_record_outcome(*, launch: Launch, actor: Actor) -> None:
    """After a failed flight the steps still open fail with it. Caller holds the launch lock."""
    if launch.status == LaunchStatus.FAILURE:
        steps = PlanStep.objects.filter(
            plan__launch=launch, plan__status=ReadinessPlan.Status.ACTIVE, status__in=OPEN
        )
        for step in steps:
            _close_step(
                step=step, to_status=Step.FAILED, actor=actor, note="The launch failed", launch=launch
            )
    launch_gates_apply(launch_ids=[launch.pk])


def launch_readiness_problems(*, launch: Launch) -> list[str]:
    """Why readiness holds the launch: its blocking steps that are late or failed."""
    steps = PlanStep.objects.filter(
        plan__launch=launch, plan__status=ReadinessPlan.Status.ACTIVE, blocking=True, status__in=PROBLEM
    ).order_by("position")
    return [_problem_text(step) for step in steps]


# --- steps -----------------------------------------------------------------------------------


def _close_step(*, step: PlanStep, to_status: str, actor: Actor, note: str, launch: Launch) -> PlanStep:
    """Close an open step and write its Event. Caller holds the launch lock."""
    before = step.status
    step.status = to_status
    step.completed_at = timezone.now()
    step.completed_by = user_or_none(actor)
    step.note = (note or step.note)[:300]
    step.wake_at = None
    step.save(update_fields=["status", "completed_at", "completed_by", "note", "wake_at"])
    words = {"done": "done", "waived": "waived", "failed": "failed"}[str(to_status)]
    event_record(
        verb=_STEP_VERBS[to_status],
        subject=step,
        actor=actor,
        before={"status": before},
        after={"status": to_status, "note": step.note, "code": step.code},
        message=f"{launch.name}: “{step.name}” {words}" + (f" ({note})" if note else ""),
        provider=launch.provider,
        launch=launch,
        system="readiness",
    )
    if to_status == Step.FAILED:
        notifications_write(
            [
                Notification(
                    step=step,
                    reason=Notification.Reason.FAILED,
                    recipient_role=step.owner_role,
                    message=f"{launch.name}: “{step.name}” failed" + (f": {note}" if note else ""),
                )
            ],
        )
    return step


def _step_change(*, step: PlanStep, to_status: str, actor: Actor, note: str) -> PlanStep:
    note = (note or "").strip()
    if to_status in (Step.WAIVED, Step.FAILED) and not note:
        verb = "waived" if to_status == Step.WAIVED else "failed"
        raise InvalidRequest(gettext("Say why “%(name)s” is %(verb)s.") % {"name": step.name, "verb": verb})
    with transaction.atomic():
        launch = launch_lock(launch=step.plan.launch)
        fresh = PlanStep.objects.select_related("plan").get(pk=step.pk)
        if fresh.plan.status != ReadinessPlan.Status.ACTIVE:
            raise InvalidRequest(
                gettext("The readiness plan for %(name)s is %(lower)s; its steps can no longer change.")
                % {"name": launch.name, "lower": fresh.plan.get_status_display().lower()}
            )
        if fresh.status not in _STEP_ALLOWED_FROM[to_status]:
            raise InvalidRequest(
                gettext("“%(name)s” cannot %(step_words)s: it is %(lower)s.")
                % {
                    "name": fresh.name,
                    "step_words": _STEP_WORDS[to_status],
                    "lower": fresh.get_status_display().lower(),
                }
            )
        if to_status == Step.DONE and fresh.code == LAUNCH_STEP_CODE:
            raise InvalidRequest(
                gettext("“%(name)s” is signed off by marking %(name2)s launched, not by hand.")
                % {"name": fresh.name, "name2": launch.name}
            )
        if to_status == Step.DONE and fresh.code == GO_STEP_CODE:
            blockers = go_blockers(list(fresh.plan.steps.all()), fresh)
            if blockers:
                raise InvalidRequest(
                    gettext(
                        "The go/no-go poll for %(name)s cannot pass while earlier blocking steps are open: "
                        "%(blockers)s."
                    )
                    % {"name": launch.name, "blockers": _names(blockers)}
                )
        _close_step(step=fresh, to_status=to_status, actor=actor, note=note, launch=launch)
        launch_gates_apply(launch_ids=[launch.pk])
    step.refresh_from_db()
    return step


def step_complete(*, step: PlanStep, actor: Actor, note: str = "") -> PlanStep:
    """Sign a step off as done (a late or failed one too: that clears the hold it caused)."""
    return _step_change(step=step, to_status=Step.DONE, actor=actor, note=note)


def step_waive(*, step: PlanStep, actor: Actor, note: str = "") -> PlanStep:
    """Waive a step; the note says why. Clears a hold the step caused."""
    return _step_change(step=step, to_status=Step.WAIVED, actor=actor, note=note)


def step_fail(*, step: PlanStep, actor: Actor, note: str = "") -> PlanStep:
    """Fail a step; the note says why. A failed blocking step holds the launch."""
    return _step_change(step=step, to_status=Step.FAILED, actor=actor, note=note)


def _check_step_aside(step: PlanStep | None, attempt: int) -> str:
    """Why a queued check must not run (empty when it may)."""
    if step is None:
        return "the step no longer exists"
    if step.plan.status != ReadinessPlan.Status.ACTIVE:
        return f"the plan is {step.plan.status}"
    if step.status not in OPEN:
        return f"the step is {step.status} already"
    if step.kind != TemplateStep.Kind.AUTOMATIC:
        return "the step is a manual sign-off"
    if attempt < 1 or attempt > step.check_attempts:
        return f"attempt {attempt} was never queued (last queued: {step.check_attempts})"
    if CheckRun.objects.filter(step=step, attempt=attempt).exists():
        return f"attempt {attempt} has run already"
    return ""


def step_check_run(*, step_id: int, attempt: int, now: datetime | None = None) -> CheckRun | None:
    """Run one queued attempt of a step's automatic check and record it exactly once.

    The check itself runs outside any transaction (it may be slow); the result is recorded under
    the launch lock after re-reading the step, and the (step, attempt) key is unique, so a task
    delivered twice, or a worker killed half-way, never records a result or an Event twice.
    Returns ``None`` when the attempt steps aside (plan cancelled, step closed, already run).
    """
    step = PlanStep.objects.select_related("plan__launch").filter(pk=step_id).first()
    reason = _check_step_aside(step, attempt)
    if reason:
        logger.info("Readiness check for step %s attempt %s steps aside: %s", step_id, attempt, reason)
        return None
    assert step is not None
    launch = step.plan.launch
    passed, detail = checks.check_run(step=step, launch=launch, now=now or timezone.now())
    now = now or timezone.now()
    with transaction.atomic():
        launch = launch_lock(launch=launch)
        step = PlanStep.objects.select_related("plan").filter(pk=step_id).first()
        reason = _check_step_aside(step, attempt)
        if reason:
            logger.info("Readiness check for step %s attempt %s steps aside: %s", step_id, attempt, reason)
            return None
        assert step is not None
        if passed:
            result = CheckRun.Result.PASSED
        elif now <= step_late_at(step):
            result = CheckRun.Result.WAITING
        else:
            result = CheckRun.Result.FAILED
        try:
            with transaction.atomic():
                run = CheckRun.objects.create(step=step, attempt=attempt, result=result, detail=detail[:300])
        except IntegrityError:  # recorded by a twin delivery between our read and our write
            return None
        if passed:
            _close_step(step=step, to_status=Step.DONE, actor=None, note=detail, launch=launch)
            launch_gates_apply(launch_ids=[launch.pk])
        else:
            # The check answered: try again after the regular interval (or when the step goes late).
            retry_at = now + check_retry_interval(step)
            wake_at = min(retry_at, step_late_at(step)) if step.status == Step.PENDING else retry_at
            PlanStep.objects.filter(pk=step.pk).update(note=detail[:300], wake_at=wake_at)
        return run


# --- launch gates ----------------------------------------------------------------------------


def _steps_of_active_plans(launch_ids: Sequence[int]) -> dict[int, list[PlanStep]]:
    steps_by_launch: dict[int, list[PlanStep]] = defaultdict(list)
    for start in range(0, len(launch_ids), _ID_CHUNK):
        chunk = launch_ids[start : start + _ID_CHUNK]
        rows = (
            PlanStep.objects.filter(plan__launch_id__in=chunk, plan__status=ReadinessPlan.Status.ACTIVE)
            .annotate(launch_pk=F("plan__launch_id"))
            .order_by("plan_id", "position")
        )
        for step in rows:
            steps_by_launch[step.launch_pk].append(step)  # type: ignore[attr-defined]
    return steps_by_launch


def launch_gates_apply(*, launch_ids: Sequence[int]) -> GateResult:
    """Hold, release or send to GO the given launches as their readiness says; complete plans.

    Caller holds the launch locks.
    """
    launches = {launch.pk: launch for launch in Launch.objects.filter(pk__in=launch_ids)}
    return _gates_apply(launches=launches, steps_by_launch=_steps_of_active_plans(list(launches)))


def _gates_apply(*, launches: dict[int, Launch], steps_by_launch: dict[int, list[PlanStep]]) -> GateResult:
    """Caller holds the locks of ``launches``; ``steps_by_launch`` holds their active plans' steps."""
    result = GateResult()
    to_hold: list[Launch] = []
    hold_reasons: dict[int, str] = {}
    hold_steps: list[tuple[Launch, PlanStep]] = []
    to_release: list[Launch] = []
    completed_plans: list[tuple[Launch, int]] = []

    for launch_id, steps in steps_by_launch.items():
        launch = launches.get(launch_id)
        if launch is None:
            continue
        problems = _problems(steps)
        if problems and launch.status in ALLOWED_FROM[LaunchStatus.HOLD]:
            to_hold.append(launch)
            hold_reasons[launch.pk] = _problem_text(problems[0]) + (
                f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            )
            hold_steps.extend((launch, step) for step in problems)
        elif not problems and launch.status == LaunchStatus.HOLD and launch.held_by == HELD_BY_READINESS:
            to_release.append(launch)
        if all(step.status not in OPEN for step in steps):
            completed_plans.append((launch, steps[0].plan_id))

    notifications: list[Notification] = []
    launches_change_status(
        launches=to_hold,
        to_status=LaunchStatus.HOLD,
        actor=None,
        reasons=hold_reasons,
        extra={"held_by": HELD_BY_READINESS},
    )
    result.held = [launch.pk for launch in to_hold]
    for launch, step in hold_steps:
        notifications.append(
            Notification(
                step=step,
                reason=Notification.Reason.HOLD,
                recipient_role=step.owner_role,
                message=f"{launch.name} is on hold: {_problem_text(step)}"[:300],
            )
        )
    if to_release:
        launches_change_status(
            launches=to_release,
            to_status=LaunchStatus.SCHEDULED,
            actor=None,
            reason="readiness: no blocking step is late or failed any more",
        )
        result.released = [launch.pk for launch in to_release]
        released = {launch.pk: launch for launch in to_release}
        holders = Notification.objects.filter(
            reason=Notification.Reason.HOLD, step__plan__launch_id__in=list(released)
        ).select_related("step__plan")
        for held in holders:
            if held.step is None:  # the filter reaches launches through steps: never, but typed so
                continue
            launch = released[held.step.plan.launch_id]
            notifications.append(
                Notification(
                    step=held.step,
                    reason=Notification.Reason.RELEASED,
                    recipient_role=held.recipient_role,
                    message=f"{launch.name} is released from hold",
                )
            )

    to_go = [
        launches[launch_id]
        for launch_id, steps in steps_by_launch.items()
        if launch_id in launches
        and launches[launch_id].status == LaunchStatus.SCHEDULED
        and not _problems(steps)
        and _go_ready(steps)
    ]
    if to_go:
        launches_change_status(
            launches=to_go, to_status=LaunchStatus.GO, actor=None, reason="readiness: go/no-go poll passed"
        )
        result.go = [launch.pk for launch in to_go]

    if notifications:
        created = notifications_write(notifications)
        result.notifications = len(created)
    if completed_plans:
        ReadinessPlan.objects.filter(
            pk__in=[plan_id for _, plan_id in completed_plans], status=ReadinessPlan.Status.ACTIVE
        ).update(status=ReadinessPlan.Status.COMPLETED)
        events_record(
            [
                event_new(
                    verb="readiness.plan_completed",
                    subject_type="readinessplan",
                    subject_id=plan_id,
                    actor=None,
                    launch_id=launch.pk,
                    provider_id=launch.provider_id,
                    before={"status": ReadinessPlan.Status.ACTIVE},
                    after={"status": ReadinessPlan.Status.COMPLETED},
                    message=f"Readiness plan for {launch.name} completed",
                )
                for launch, plan_id in completed_plans
            ]
        )
        result.plans_completed = [plan_id for _, plan_id in completed_plans]
    return result


# --- the reconciler --------------------------------------------------------------------------


def _claim_launches(now: datetime) -> list[Launch]:
    """Lock the launches with due readiness work, skipping those another process holds.

    Due work: an open step of an active plan whose wake time has come, or a launch that
    readiness holds (its hold may be released). On SQLite the IMMEDIATE transaction already
    serialises reconcilers; there the row lock is a no-op.
    """
    due = PlanStep.objects.filter(
        plan__status=ReadinessPlan.Status.ACTIVE, status__in=OPEN, wake_at__lte=now
    ).values("plan__launch_id")
    held = ReadinessPlan.objects.filter(
        status=ReadinessPlan.Status.ACTIVE, launch__status=LaunchStatus.HOLD
    ).values("launch_id")
    return list(
        claim_unlocked(
            Launch.objects.filter(Q(pk__in=due) | Q(pk__in=held))
            .exclude(status=LaunchStatus.SCRUBBED)
            .order_by("pk"),
            of=("self",),
        ).only("id", "name", "status", "held_by", "provider_id")
    )


def _steps_save_reconciled(steps: Sequence[PlanStep]) -> None:
    """Write status, attempts and wake time of many steps in one statement.

    On PostgreSQL one UPDATE joins the rows to arrays (``unnest``): a CASE per row, as
    ``bulk_update`` writes, costs time quadratic in the number of rows.
    """
    if not steps:
        return
    if connection.vendor != "postgresql":
        PlanStep.objects.bulk_update(steps, ["status", "check_attempts", "wake_at"], batch_size=200)
        return
    table = PlanStep._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS step
               SET status = row.status, check_attempts = row.attempts, wake_at = row.wake_at
              FROM unnest(%s::bigint[], %s::varchar[], %s::integer[], %s::timestamptz[])
                   AS row(id, status, attempts, wake_at)
             WHERE step.id = row.id
            """,
            [
                [step.pk for step in steps],
                [str(step.status) for step in steps],
                [step.check_attempts for step in steps],
                [step.wake_at for step in steps],
            ],
        )


def queue_checks(pairs: Sequence[tuple[int, int]]) -> None:
    """Announce the checks to run, (step id, attempt) each (``signals.readiness_checks_due``; the
    Celery tasks listen). Runs after the reconciler's commit."""
    readiness_checks_due.send(sender=PlanStep, pairs=pairs)


def readiness_reconcile(*, now: datetime | None = None) -> ReconcileReport:
    """One reconciler pass: mark late steps, queue due checks, hold / release / GO launches.

    Works on every claimed launch at once with a fixed number of queries; two reconcilers at
    the same time split the launches between them and never do the same work twice.
    """
    now = now or timezone.now()
    report = ReconcileReport(now=now)
    with transaction.atomic():
        claimed = {launch.pk: launch for launch in _claim_launches(now)}
        if not claimed:
            return report
        report.launches_claimed = list(claimed)
        # Read after the lock: these rows are what the previous holder committed.
        steps_by_launch = _steps_of_active_plans(list(claimed))

        changed: list[PlanStep] = []
        late: list[tuple[Launch, PlanStep]] = []
        for launch_id, steps in steps_by_launch.items():
            launch = claimed[launch_id]
            for step in steps:
                if step.status not in OPEN or step.wake_at is None or step.wake_at > now:
                    continue
                if step.status == Step.PENDING and step_late_at(step) <= now:
                    step.status = Step.LATE
                    late.append((launch, step))
                queue = step.kind == TemplateStep.Kind.AUTOMATIC and step_opens_at(step) <= now
                if queue:
                    step.check_attempts += 1
                    report.checks_queued.append((step.pk, step.check_attempts))
                step.wake_at = step_next_wake(step, now=now, check_queued=queue)
                changed.append(step)

        _steps_save_reconciled(changed)
        if late:
            report.steps_late = [step.pk for _, step in late]
            events_record(
                [
                    event_new(
                        verb="readiness.step_late",
                        subject_type="planstep",
                        subject_id=step.pk,
                        actor=None,
                        launch_id=launch.pk,
                        provider_id=launch.provider_id,
                        before={"status": Step.PENDING},
                        after={"status": Step.LATE, "code": step.code, "due_at": step.due_at},
                        message=f"{launch.name}: “{step.name}” is late (due {when_short(step.due_at)})",
                    )
                    for launch, step in late
                ]
            )
            created = notifications_write(
                [
                    Notification(
                        step=step,
                        reason=Notification.Reason.LATE,
                        recipient_role=step.owner_role,
                        message=(
                            f"{launch.name}: “{step.name}” is late: it was due {when_short(step.due_at)}"
                            + (f". Last check: {step.note}" if step.note else "")
                        )[:300],
                    )
                    for launch, step in late
                ],
            )
            report.notifications += len(created)

        gates = _gates_apply(launches=claimed, steps_by_launch=steps_by_launch)
        report.launches_held = gates.held
        report.launches_released = gates.released
        report.launches_go = gates.go
        report.plans_completed = gates.plans_completed
        report.notifications += gates.notifications
        ids = list(claimed)
        for start in range(0, len(ids), _ID_CHUNK):
            ReadinessPlan.objects.filter(launch_id__in=ids[start : start + _ID_CHUNK]).update(
                reconciled_at=now
            )
        if report.checks_queued:
            pairs = list(report.checks_queued)
            transaction.on_commit(lambda: queue_checks(pairs))
    return report
