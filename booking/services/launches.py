"""Launch status changes: hold, release, go, lift-off and the outcome.

Every change is validated against the allowed transitions below and writes a
``launch.status_changed`` Event. The readiness reconciler changes many launches in one pass
through ``launches_change_status``; the single-launch services here are what operators call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from booking.models import Event, Launch
from customers.models import Customer
from vehicles.models import Vehicle

from .errors import InvalidRequest
from .events import Actor, actor_label, events_record
from .locking import short_lock_wait

logger = logging.getLogger(__name__)

Status = Launch.Status

# Who put a launch on hold: the readiness reconciler releases only its own holds.
HELD_BY_READINESS = "readiness"
HELD_BY_OPERATOR = "operator"

OUTCOMES = (Status.SUCCESS, Status.PARTIAL_FAILURE, Status.FAILURE)
#: A launch in these states has left the ground: its bookings have flown (a scrub has not).
LIFTED_OFF_STATUSES = (Status.LAUNCHED, *OUTCOMES)

# to-status -> the statuses a launch may be in to get there.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    Status.HOLD: (Status.PLANNED, Status.SCHEDULED, Status.GO),
    Status.SCHEDULED: (Status.HOLD,),  # a release
    Status.GO: (Status.SCHEDULED,),
    Status.LAUNCHED: (Status.GO,),
    Status.SUCCESS: (Status.LAUNCHED,),
    Status.PARTIAL_FAILURE: (Status.LAUNCHED,),
    Status.FAILURE: (Status.LAUNCHED,),
}

_ACTION_WORDS: dict[str, str] = {
    Status.HOLD: "be put on hold",
    Status.SCHEDULED: "be released from hold",
    Status.GO: "go for launch",
    Status.LAUNCHED: "be marked launched",
    Status.SUCCESS: "have an outcome recorded",
    Status.PARTIAL_FAILURE: "have an outcome recorded",
    Status.FAILURE: "have an outcome recorded",
}

_NEEDS: dict[str, str] = {
    Status.HOLD: "planned, scheduled or go",
    Status.SCHEDULED: "on hold",
    Status.GO: "scheduled",
    Status.LAUNCHED: "go for launch",
    Status.SUCCESS: "launched",
    Status.PARTIAL_FAILURE: "launched",
    Status.FAILURE: "launched",
}


def launch_transition_refusal(*, launch: Launch, to_status: str) -> str | None:
    """Why ``launch`` may not move to ``to_status`` right now, or ``None`` when it may."""
    allowed = ALLOWED_FROM.get(to_status)
    if allowed is None:
        return f"{to_status!r} is not a launch status that can be set."
    if launch.status in allowed:
        return None
    return (
        f"{launch.name} cannot {_ACTION_WORDS[to_status]}: it is {launch.get_status_display().lower()}, "
        f"and only a launch that is {_NEEDS[to_status]} can."
    )


def event_new(
    *,
    verb: str,
    subject_type: str,
    subject_id: int,
    actor: Actor,
    launch_id: int | None,
    provider_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    customer: Customer | None = None,
    system: str = "readiness",
) -> Event:
    """An unsaved Event, for services that write many at once with ``events.events_record``.

    Mirrors ``events.event_record``; caller saves it inside the transaction that made the change.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return Event(
        verb=verb,
        actor=user,  # type: ignore[misc]
        actor_label=actor_label(actor, system=system),
        subject_type=subject_type,
        subject_id=subject_id,
        customer=customer,
        provider_id=provider_id,
        launch_id=launch_id,
        before=before or {},
        after=after or {},
        message=message[:300],
    )


def launch_lock(*, launch: Launch) -> Launch:
    """Lock the launch row and return it fresh. Caller is inside ``transaction.atomic``.

    The launch row is the lock for its readiness plan too: every writer of a plan's steps takes
    it first, so the order is always launch, then plan rows.
    """
    with short_lock_wait(f"Launch {launch.name}"):
        return Launch.objects.select_for_update(of=("self",)).get(pk=launch.pk)


def launches_change_status(
    *,
    launches: Iterable[Launch],
    to_status: str,
    actor: Actor,
    reason: str = "",
    reasons: dict[int, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Launch]:
    """Move every launch to ``to_status`` with one UPDATE and one Event each.

    ``reasons`` gives a launch its own reason instead of ``reason``. Caller holds the launch row
    locks and has checked ``launch_transition_refusal``; the launch objects are updated in place.
    """
    launches = list(launches)
    if not launches:
        return []
    now = timezone.now()
    default_reason = reason
    Launch.objects.filter(pk__in=[launch.pk for launch in launches]).update(status=to_status, updated_at=now)
    events = []
    for launch in launches:
        before = launch.status
        launch.status = to_status
        launch.updated_at = now
        after: dict[str, Any] = {"status": to_status, **(extra or {})}
        reason = (reasons or {}).get(launch.pk, default_reason)
        if reason:
            after["reason"] = reason
        label = Status(to_status).label.lower()
        message = f"{launch.name}: {label}" + (f" ({reason})" if reason else "")
        events.append(
            event_new(
                verb="launch.status_changed",
                subject_type="launch",
                subject_id=launch.pk,
                actor=actor,
                launch_id=launch.pk,
                provider_id=launch.provider_id,
                before={"status": before},
                after=after,
                message=message,
            )
        )
    events_record(events)
    return launches


def _change_one(*, launch: Launch, to_status: str, actor: Actor, reason: str = "", **extra: Any) -> Launch:
    """Caller is inside ``transaction.atomic`` and holds the launch lock (``launch`` is fresh)."""
    refusal = launch_transition_refusal(launch=launch, to_status=to_status)
    if refusal:
        raise InvalidRequest(refusal)
    launches_change_status(launches=[launch], to_status=to_status, actor=actor, reason=reason, extra=extra)
    return launch


def launch_hold(*, launch: Launch, actor: Actor, reason: str) -> Launch:
    """Put a launch on hold. A hold by a person stays until a person releases it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(f"Say why {launch.name} is put on hold.")
    held_by = HELD_BY_READINESS if actor is None else HELD_BY_OPERATOR
    with transaction.atomic():
        locked = launch_lock(launch=launch)
        return _change_one(launch=locked, to_status=Status.HOLD, actor=actor, reason=reason, held_by=held_by)


def launch_release(*, launch: Launch, actor: Actor) -> Launch:
    """Release a hold. Refused while a blocking readiness step is still late or failed."""
    from . import readiness

    with transaction.atomic():
        locked = launch_lock(launch=launch)
        refusal = launch_transition_refusal(launch=locked, to_status=Status.SCHEDULED)
        if refusal:
            raise InvalidRequest(refusal)
        problems = readiness.launch_readiness_problems(launch=locked)
        if problems:
            raise InvalidRequest(
                f"{locked.name} cannot be released: {problems[0]}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
                + ". Sign the step off or waive it first."
            )
        _change_one(launch=locked, to_status=Status.SCHEDULED, actor=actor, reason="released")
        # A launch whose go/no-go already passed goes straight on.
        readiness.launch_gates_apply(launch_ids=[locked.pk])
        locked.refresh_from_db(fields=["status", "updated_at"])
        return locked


def launch_go(*, launch: Launch, actor: Actor) -> Launch:
    """Declare a launch go. Refused while a blocking readiness step is late or failed."""
    from . import readiness

    with transaction.atomic():
        locked = launch_lock(launch=launch)
        refusal = launch_transition_refusal(launch=locked, to_status=Status.GO)
        if refusal:
            raise InvalidRequest(refusal)
        problems = readiness.launch_readiness_problems(launch=locked)
        if problems:
            raise InvalidRequest(f"{locked.name} cannot go: {problems[0]}.")
        return _change_one(launch=locked, to_status=Status.GO, actor=actor)


def launch_mark_launched(*, launch: Launch, actor: Actor) -> Launch:
    """Record lift-off: the confirmed and manifested bookings fly, the holds left lapse
    (``launch_bookings_fly``), and the readiness plan's launch step is signed off."""
    from . import readiness

    # bookings.py imports LIFTED_OFF_STATUSES from here, so this module imports it at call time.
    from .bookings import launch_bookings_fly

    with transaction.atomic():
        locked = launch_lock(launch=launch)
        _change_one(launch=locked, to_status=Status.LAUNCHED, actor=actor)
        # Under the launch lock, in the same transaction: no booking can be cancelled or moved
        # between lift-off and its flight (cancel and rebook lock the launch row first).
        launch_bookings_fly(launch=locked, actor=actor)
        readiness.plan_record_liftoff(launch=locked, actor=actor)
        return locked


def launch_record_outcome(*, launch: Launch, outcome: str, actor: Actor) -> Launch:
    """Record how the flight went: success, partial failure or failure.

    The vehicle is flown (success, partial failure) or lost (failure).
    """
    from . import readiness

    if outcome not in OUTCOMES:
        choices = ", ".join(str(choice) for choice in OUTCOMES)
        raise InvalidRequest(f"{outcome!r} is not a launch outcome; choose one of {choices}.")
    with transaction.atomic():
        locked = launch_lock(launch=launch)
        vehicle_status = ""
        if locked.vehicle_id is not None:
            vehicle_status = Vehicle.Status.LOST if outcome == Status.FAILURE else Vehicle.Status.FLOWN
        _change_one(
            launch=locked,
            to_status=outcome,
            actor=actor,
            **({"vehicle_status": vehicle_status} if vehicle_status else {}),
        )
        if vehicle_status:
            Vehicle.objects.filter(pk=locked.vehicle_id or 0).update(status=vehicle_status)
        readiness.plan_record_outcome(launch=locked, actor=actor)
        return locked
