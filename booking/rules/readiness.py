"""Readiness timing: when a step opens, becomes late, is checked again; what blocks the go/no-go;
how a template is squeezed into a short lead. Pure: steps are read as given, never loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from booking.dates import when_short
from booking.models import (
    Launch,
    PlanStep,
    TemplateStep,
)
from booking.readiness_templates import (
    GO_STEP_CODE,
)

Step = PlanStep.Status


LaunchStatus = Launch.Status


OPEN = (Step.PENDING, Step.LATE)


CLOSED_GOOD = (Step.DONE, Step.WAIVED)


PROBLEM = (Step.LATE, Step.FAILED)


# How soon a check that did not pass (or whose task was lost) is queued again.
CHECK_RETRY_MIN = timedelta(minutes=2)


CHECK_RETRY_MAX = timedelta(minutes=60)


LATE_CHECK_RETRY = timedelta(minutes=5)


# A queued check that has not reported by then is presumed lost with its worker and queued
# again; the wait doubles with each attempt, up to the regular retry interval. A twin delivery
# is harmless: the first result recorded closes the step and the other steps aside.
LOST_CHECK_AFTER = timedelta(seconds=45)


def step_late_at(step: PlanStep) -> datetime:
    """When an open step becomes late: its due time plus its grace."""
    return step.due_at + timedelta(minutes=step.grace_minutes)


def step_opens_at(step: PlanStep) -> datetime:
    """When work on a step may start; an automatic check first runs then."""
    return step.due_at - timedelta(minutes=step.duration_minutes)


def check_retry_interval(step: PlanStep) -> timedelta:
    """How long until a check that has not passed is tried again.

    A twelfth of the step's span, at most half its grace; a late step (which may be holding
    its launch) is tried every few minutes so the hold lifts soon after the cause clears.
    """
    if step.status == Step.LATE:
        return LATE_CHECK_RETRY
    interval = min(timedelta(minutes=step.duration_minutes) / 12, timedelta(minutes=step.grace_minutes) / 2)
    return max(CHECK_RETRY_MIN, min(CHECK_RETRY_MAX, interval))


def step_next_wake(step: PlanStep, *, now: datetime, check_queued: bool = False) -> datetime | None:
    """The next time the reconciler has work on ``step``, or ``None`` when it has none."""
    if step.status not in OPEN:
        return None
    times = []
    if step.status == Step.PENDING:
        times.append(step_late_at(step))
    if step.kind == TemplateStep.Kind.AUTOMATIC:
        if check_queued:
            lost_after = LOST_CHECK_AFTER * 2 ** min(max(step.check_attempts - 1, 0), 8)
            times.append(now + min(check_retry_interval(step), lost_after))
        else:
            times.append(step_opens_at(step))
    return min(times) if times else None


def go_blockers(steps: Sequence[PlanStep], go_step: PlanStep) -> list[PlanStep]:
    """Blocking steps before the go/no-go poll that are neither done nor waived."""
    return [
        step
        for step in steps
        if step.position < go_step.position and step.blocking and step.status not in CLOSED_GOOD
    ]


def _problems(steps: Iterable[PlanStep]) -> list[PlanStep]:
    """Blocking steps that hold the launch: late past their grace, or failed."""
    return [step for step in steps if step.blocking and step.status in PROBLEM]


def _go_ready(steps: Sequence[PlanStep]) -> bool:
    go_step = next((step for step in steps if step.code == GO_STEP_CODE), None)
    return go_step is not None and go_step.status == Step.DONE and not go_blockers(steps, go_step)


def _problem_text(step: PlanStep) -> str:
    if step.status == Step.FAILED:
        return f"readiness step “{step.name}” failed" + (f": {step.note}" if step.note else "")
    return f"readiness step “{step.name}” is late (due {when_short(step.due_at)})"


def _names(steps: Iterable[PlanStep]) -> str:
    return ", ".join(f"“{step.name}”" for step in steps)
