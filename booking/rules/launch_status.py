"""Launch status transitions: which status a launch may move to from which, and the words of a
refusal. Pure: the status words are the model's choices.
"""

from __future__ import annotations

from booking.models import Launch

Status = Launch.Status


# Who put a launch on hold (``Launch.held_by``): the readiness reconciler releases only its own holds.
HELD_BY_READINESS = Launch.HeldBy.READINESS
HELD_BY_OPERATOR = Launch.HeldBy.OPERATOR


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
