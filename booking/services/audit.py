"""The audit record of plain admin saves: one Event per add, change and delete.

Admin forms that have a service (payloads, capacity curves, bookings, launches, document reviews,
payments) call it, and the service writes its own Event; every other admin save and delete lands
here, through the admin's logging mixin (``booking.admin.audit``), with who did it and the fields
before and after, as a control panel's log should.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from booking.models import Event, Launch
from customers.models import Customer
from vehicles.models import Provider

from .events import Actor, event_record

# Fields whose values never go into the log: a change is recorded, not the value.
SECRET_FIELDS = frozenset({"password", "secret", "key_digest"})
HIDDEN = "(hidden)"


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def model_snapshot(obj: models.Model | None) -> dict[str, Any]:
    """The row's concrete field values (foreign keys as ids), secrets hidden; {} for no row."""
    if obj is None:
        return {}
    snapshot = {}
    for field in obj._meta.concrete_fields:
        value = _plain(field.value_from_object(obj))
        snapshot[field.attname] = HIDDEN if field.name in SECRET_FIELDS and value else value
    return snapshot


def _stored(obj: models.Model) -> models.Model | None:
    return type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None


def stored_snapshot(obj: models.Model) -> dict[str, Any]:
    """What the database holds for ``obj`` now (before an admin form's values are saved)."""
    return model_snapshot(_stored(obj))


def _related(obj: models.Model) -> dict[str, Any]:
    """The customer, provider and launch the row belongs to, for the event's filters."""

    def follow(path: str) -> Any:
        current: Any = obj
        for name in path.split("__"):
            current = getattr(current, name, None)
            if current is None:
                return None
        return current

    def first(model: type[models.Model], paths: list[str]) -> Any:
        if isinstance(obj, model):
            return obj
        for path in paths:
            try:
                found = follow(path)
            except models.ObjectDoesNotExist:
                found = None
            if isinstance(found, model):
                return found
        return None

    return {
        "customer": first(
            Customer, ["customer", "contract__customer", "endpoint__customer", "booking__customer"]
        ),
        "provider": first(
            Provider,
            [
                "provider",
                "vehicle_model__provider",
                "contract__provider",
                "launch__provider",
                "plan__launch__provider",
            ],
        ),
        "launch": first(Launch, ["launch", "plan__launch"]),
    }


def admin_change_record(
    *,
    obj: models.Model,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None = None,
) -> Event | None:
    """Write the Event of one admin add, change or delete of ``obj``.

    ``action`` is "added", "changed" or "deleted"; ``before`` is the stored row before the save
    (``stored_snapshot``). A delete is recorded just before the row goes (the event's links to a
    deleted customer, provider or launch then fall to null). A change that changes no field
    writes nothing. Caller is inside the admin's transaction.
    """
    if action == "deleted":
        before, after = model_snapshot(obj), {}
    else:
        before, after = before or {}, model_snapshot(obj)
    if action == "changed":
        changed = [name for name, value in after.items() if before.get(name) != value]
        if not changed:
            return None
        before = {name: before.get(name) for name in changed}
        after = {name: after[name] for name in changed}
    else:
        changed = sorted(after or before)
    model_name = obj._meta.model_name or type(obj).__name__.lower()
    what = f"{obj._meta.verbose_name} {obj}"
    message = f"{what[:1].upper()}{what[1:]} {action} in the admin"
    if action == "changed":
        message += f": {', '.join(changed)}"
    return event_record(
        verb=f"admin.{model_name}.{action}",
        subject=obj,
        actor=actor,
        before=before,
        after=after,
        message=message + ".",
        **_related(obj),
    )
