"""Release, go, lift-off, outcome: launch status with readiness and bookings.

Each step locks the launch, checks the transition (``rules.launch_status``) and the readiness
plan, changes the status (``services.launches``) and carries the plan and the bookings along.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import Launch
from booking.rules.launch_status import OUTCOMES, Status, launch_transition_refusal
from booking.services import readiness
from booking.services.bookings import launch_bookings_fly
from booking.services.events import Actor
from booking.services.launches import launch_change_status
from booking.services.locking import launch_lock
from vehicles.models import Vehicle


def launch_release(*, launch: Launch, actor: Actor) -> Launch:
    """Release a hold. Refused while a blocking readiness step is still late or failed."""

    with transaction.atomic():
        locked = launch_lock(launch=launch)
        refusal = launch_transition_refusal(launch=locked, to_status=Status.SCHEDULED)
        if refusal:
            raise Conflict(refusal)  # the launch's status is in the way
        problems = readiness.launch_readiness_problems(launch=locked)
        if problems:
            raise InvalidRequest(
                f"{locked.name} cannot be released: {problems[0]}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
                + ". Sign the step off or waive it first."
            )
        launch_change_status(launch=locked, to_status=Status.SCHEDULED, actor=actor, reason="released")
        # A launch whose go/no-go already passed goes straight on.
        readiness.launch_gates_apply(launch_ids=[locked.pk])
        locked.refresh_from_db(fields=["status", "updated_at"])
        return locked


def launch_go(*, launch: Launch, actor: Actor) -> Launch:
    """Declare a launch go. Refused while a blocking readiness step is late or failed."""

    with transaction.atomic():
        locked = launch_lock(launch=launch)
        refusal = launch_transition_refusal(launch=locked, to_status=Status.GO)
        if refusal:
            raise Conflict(refusal)  # the launch's status is in the way
        problems = readiness.launch_readiness_problems(launch=locked)
        if problems:
            raise InvalidRequest(
                _("%(name)s cannot go: %(problems)s.") % {"name": locked.name, "problems": problems[0]}
            )
        return launch_change_status(launch=locked, to_status=Status.GO, actor=actor)


def launch_mark_launched(*, launch: Launch, actor: Actor) -> Launch:
    """Record lift-off: the confirmed and manifested bookings fly, the holds left lapse
    (``launch_bookings_fly``), and the readiness plan's launch step is signed off."""

    # bookings.py imports LIFTED_OFF_STATUSES from here, so this module imports it at call time.

    with transaction.atomic():
        locked = launch_lock(launch=launch)
        launch_change_status(launch=locked, to_status=Status.LAUNCHED, actor=actor)
        # Under the launch lock, in the same transaction: no booking can be cancelled or moved
        # between lift-off and its flight (cancel and rebook lock the launch row first).
        launch_bookings_fly(launch=locked, actor=actor)
        readiness.plan_record_liftoff(launch=locked, actor=actor)
        return locked


def launch_record_outcome(*, launch: Launch, outcome: str, actor: Actor) -> Launch:
    """Record how the flight went: success, partial failure or failure.

    The vehicle is flown (success, partial failure) or lost (failure).
    """

    if outcome not in OUTCOMES:
        choices = ", ".join(str(choice) for choice in OUTCOMES)
        raise InvalidRequest(
            _("%(outcome)s is not a launch outcome; choose one of %(choices)s.")
            % {"outcome": f"{outcome!r}", "choices": choices}
        )
    with transaction.atomic():
        locked = launch_lock(launch=launch)
        vehicle_status = ""
        if locked.vehicle_id is not None:
            vehicle_status = Vehicle.Status.LOST if outcome == Status.FAILURE else Vehicle.Status.FLOWN
        launch_change_status(
            launch=locked,
            to_status=outcome,
            actor=actor,
            **({"vehicle_status": vehicle_status} if vehicle_status else {}),
        )
        if vehicle_status:
            Vehicle.objects.filter(pk=locked.vehicle_id or 0).update(status=vehicle_status)
        readiness.plan_record_outcome(launch=locked, actor=actor)
        return locked
