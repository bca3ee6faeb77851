"""Launch status writes: a hold and the status change itself (the launch lock is ``locking.launch_lock``).

Every change is validated against the allowed transitions (``rules.launch_status``) and writes a
``launch.status_changed`` Event. The readiness reconciler changes many launches in one pass
through ``launches_change_status``; release, go, lift-off and the outcome,
which carry readiness and bookings along, are ``workflows.launch_lifecycle``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import Launch
from booking.rules.launch_status import HELD_BY_OPERATOR, HELD_BY_READINESS, Status, launch_transition_refusal
from booking.services.events import event_new

from .events import Actor, events_record
from .locking import launch_lock

logger = logging.getLogger(__name__)


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

    ``reasons`` gives a launch its own reason instead of ``reason``. A hold records who put it on
    (``extra["held_by"]``) in ``Launch.held_by``; any other status clears it. Caller holds the
    launch row locks and has checked ``launch_transition_refusal``; the launch objects are updated
    in place.
    """
    launches = list(launches)
    if not launches:
        return []
    now = timezone.now()
    default_reason = reason
    held_by = (extra or {}).get("held_by", "") if to_status == Status.HOLD else ""
    Launch.objects.filter(pk__in=[launch.pk for launch in launches]).update(
        status=to_status, held_by=held_by, updated_at=now
    )
    events = []
    for launch in launches:
        before = launch.status
        launch.status = to_status
        launch.held_by = held_by
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


def launch_change_status(
    *, launch: Launch, to_status: str, actor: Actor, reason: str = "", **extra: Any
) -> Launch:
    """Caller is inside ``transaction.atomic`` and holds the launch lock (``launch`` is fresh)."""
    refusal = launch_transition_refusal(launch=launch, to_status=to_status)
    if refusal:
        raise Conflict(refusal)  # the launch's status is in the way, not the request
    launches_change_status(launches=[launch], to_status=to_status, actor=actor, reason=reason, extra=extra)
    return launch


def launch_hold(*, launch: Launch, actor: Actor, reason: str) -> Launch:
    """Put a launch on hold. A hold by a person stays until a person releases it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(_("Say why %(name)s is put on hold.") % {"name": launch.name})
    held_by = HELD_BY_READINESS if actor is None else HELD_BY_OPERATOR
    with transaction.atomic():
        locked = launch_lock(launch=launch)
        return launch_change_status(
            launch=locked, to_status=Status.HOLD, actor=actor, reason=reason, held_by=held_by
        )
