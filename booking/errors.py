"""Refusals the services raise, worded for the person who asked.

Front ends map them to answers: the API gives 400 for ``InvalidRequest``, 409 for ``Conflict``
and ``Busy`` (with Retry-After), the portal and the admin show the message.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a message meant for people."""

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = reasons or []

    def __str__(self) -> str:
        return self.message


class InvalidRequest(ServiceError):
    """The request itself is wrong: bad input, whatever the state of things."""


class Conflict(ServiceError):
    """The request clashes with the schedule, a booking or the capacity as they are now (a launch
    that is scrubbed cannot slip, a booking cannot move to the launch it is on)."""


class ScheduleConflict(Conflict):
    """The platform, pad, rocket, range or site is taken or closed at the asked time.

    Raised where scheduling detects the clash; the express order then tries its next plan.
    """


class Busy(Conflict):
    """Somebody else holds the lock right now: try again in a moment."""

    retry_after_seconds = 1
