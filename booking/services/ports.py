"""Changing a launch's ports without taking away a slot that is already booked.

The rule is ``selectors.ports.port_change_refusal``: a port's count never goes below the slots
taken on it, and a port bookings are on is not removed. Both writers here take the launch row
lock first (the lock a hold takes before it counts the free slots), so no hold slips in between
the check and the change.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from booking.errors import Conflict
from booking.models import LaunchPort
from booking.selectors.ports import port_change_refusal
from booking.services.audit import model_snapshot

from . import locking
from .events import Actor, event_record


@transaction.atomic
def launch_port_save(*, port: LaunchPort, actor: Actor) -> LaunchPort:
    """Add ``port`` to its launch or store its new values; ``Conflict`` naming the figures when it
    would leave fewer slots than are taken (or change the kind of a port bookings name)."""
    launch = locking.launch_lock(launch=port.launch)
    refusal = port_change_refusal(
        port=port, kind=port.kind, count=port.count, launch_name=launch.name, now=timezone.now()
    )
    if refusal:
        raise Conflict(refusal)
    port.full_clean()
    before = model_snapshot(LaunchPort.objects.get(pk=port.pk)) if port.pk else {}
    added = port.pk is None
    port.save()
    after = model_snapshot(port)
    changed = sorted(name for name, value in after.items() if before.get(name) != value)
    if changed:
        event_record(
            verb="launch.port_added" if added else "launch.port_changed",
            subject=launch,
            actor=actor,
            before={name: before.get(name) for name in changed},
            after={name: after[name] for name in changed},
            message=f"{port.get_kind_display()} × {port.count} {'added to' if added else 'changed on'} "
            f"{launch.name}.",
            provider=launch.provider,
            launch=launch,
        )
    return port


@transaction.atomic
def launch_port_delete(*, port: LaunchPort, actor: Actor) -> None:
    """Remove ``port`` from its launch; ``Conflict`` while bookings or quotes are on it."""
    launch = locking.launch_lock(launch=port.launch)
    refusal = port_change_refusal(
        port=port, kind=port.kind, count=None, launch_name=launch.name, now=timezone.now()
    )
    if refusal:
        raise Conflict(refusal)
    before = model_snapshot(port)
    port.delete()
    event_record(
        verb="launch.port_removed",
        subject=launch,
        actor=actor,
        before=before,
        after={},
        message=f"{port.get_kind_display()} removed from {launch.name}.",
        provider=launch.provider,
        launch=launch,
    )
