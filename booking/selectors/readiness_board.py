"""The readiness board: one row per active plan, its steps in order, held and late launches first.

A row is *held* when its launch is on hold or a blocking step has failed or is late; it is *late*
when any open step is past its due time and grace (``step_late_at``, as the reconciler counts it,
so a step the next pass will mark late already shows late). Filters: provider, site, launch status
and owner role (a row qualifies when one of its open steps is that role's to do).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from booking.models import Launch, PlanStep, ReadinessPlan
from booking.rules.readiness import CLOSED_GOOD, OPEN, PROBLEM, step_late_at
from booking.selectors.readiness import readiness_board_plans


@dataclass
class BoardStep:
    step: PlanStep
    state: str  # the step's status, or "late" for an open step past its grace
    mine: bool  # the owner role filtered on

    @property
    def actionable(self) -> bool:
        """An open or failed step: it can still be signed off or waived (an open one failed)."""
        return self.step.status not in CLOSED_GOOD


@dataclass
class BoardRow:
    plan: ReadinessPlan
    launch: Launch
    steps: list[BoardStep] = field(default_factory=list)
    held: bool = False
    late: bool = False
    done: int = 0
    holding: list[PlanStep] = field(default_factory=list)
    next_step: PlanStep | None = None

    @property
    def total(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class BoardFilter:
    provider_id: int | None = None
    site_id: int | None = None
    launch_status: str = ""
    owner_role: str = ""


def _row(plan: ReadinessPlan, *, now: datetime, owner_role: str) -> BoardRow:
    row = BoardRow(plan=plan, launch=plan.launch)
    for step in plan.steps.all():
        late = step.status == PlanStep.Status.LATE or (step.status in OPEN and step_late_at(step) <= now)
        state = PlanStep.Status.LATE if late else step.status
        row.steps.append(
            BoardStep(step=step, state=state, mine=bool(owner_role) and step.owner_role == owner_role)
        )
        row.late = row.late or late
        if step.blocking and (state in PROBLEM):
            row.holding.append(step)
        if step.status in CLOSED_GOOD:
            row.done += 1
        elif row.next_step is None and step.status in OPEN:
            row.next_step = step
    row.held = plan.launch.status == Launch.Status.HOLD or bool(row.holding)
    return row


def _qualifies(row: BoardRow, wanted: BoardFilter) -> bool:
    launch = row.launch
    if wanted.site_id is not None and launch.site_id != wanted.site_id:
        return False
    if wanted.launch_status and launch.status != wanted.launch_status:
        return False
    if wanted.owner_role:
        return any(item.mine and item.step.status in OPEN for item in row.steps)
    return True


def readiness_board(
    *, provider_ids: Iterable[int] | None, wanted: BoardFilter, now: datetime
) -> list[BoardRow]:
    """The board's rows for the operator's providers (``None``: every provider), held first, then
    late, then by lift-off. Two queries (plans with launches, their steps), whatever the filters."""
    ids = None if provider_ids is None else set(provider_ids)
    if wanted.provider_id is not None:
        ids = {wanted.provider_id} if ids is None or wanted.provider_id in ids else set()
    rows = [
        _row(plan, now=now, owner_role=wanted.owner_role) for plan in readiness_board_plans(provider_ids=ids)
    ]
    rows = [row for row in rows if _qualifies(row, wanted)]
    rows.sort(key=lambda row: (not row.held, not row.late, row.launch.window_start, row.plan.pk))
    return rows
