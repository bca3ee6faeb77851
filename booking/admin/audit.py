"""Every admin save and delete writes an Event, like a control panel's log.

``AdminEventLog`` records each add, change (with the fields before and after) and delete made
through a model admin, its inlines and its list-editable columns, through
``booking.services.audit.admin_change_record``. Admins whose saves go through a service (payloads,
capacity curves) let the service write its own Event and record nothing twice.

The vehicles and customers admins never import booking, so ``audit_every_admin`` puts the mixin in
front of every model admin registered on the site once all of them are: the booking admin package
calls it last. A model admin added later is logged without anyone remembering to.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from django.contrib import admin
from django.db import models
from django.forms import BaseFormSet
from django.http import HttpRequest

from booking.services.audit import admin_change_record, model_snapshot, stored_snapshot


class _SavedFormSet(Protocol):
    """What a model formset's ``save()`` leaves on it (django-stubs does not declare these)."""

    new_objects: list[models.Model]
    changed_objects: list[tuple[models.Model, list[str]]]
    deleted_objects: list[models.Model]


class AdminEventLog:
    """Mixin for a ``ModelAdmin``: one Event per row the admin adds, changes or deletes."""

    audited = True

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        # ``saves_through_service`` is set on an admin whose save_model calls a service, which
        # writes the Event itself. (Not defaulted here: the mixin comes first in the MRO.)
        if getattr(self, "saves_through_service", False):
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            return
        before = stored_snapshot(obj) if change else {}
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        admin_change_record(
            obj=obj, actor=request.user, action="changed" if change else "added", before=before
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        admin_change_record(obj=obj, actor=request.user, action="deleted")
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset.order_by("pk"):
            admin_change_record(obj=obj, actor=request.user, action="deleted")
        super().delete_queryset(request, queryset)  # type: ignore[misc]

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseFormSet, change: bool) -> None:
        """Inline rows: recorded from what the formset saved (``new_objects`` and the rest)."""
        model = formset.model  # type: ignore[attr-defined]
        # Django clears a deleted instance's pk: remember each initial row's pk by the instance.
        initial_pks = {
            id(f.instance): f.instance.pk
            for f in formset.initial_forms  # type: ignore[attr-defined]
            if f.instance.pk is not None
        }
        stored = {o.pk: o for o in model._default_manager.filter(pk__in=list(initial_pks.values()))}
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        if not hasattr(formset, "new_objects"):
            return  # not saved (an admin that saves it through a service leaves the lists empty)
        saved = cast(_SavedFormSet, formset)
        for obj in saved.new_objects:
            admin_change_record(obj=obj, actor=request.user, action="added")
        for obj, _fields in saved.changed_objects:
            before = model_snapshot(stored.get(obj.pk))
            admin_change_record(obj=obj, actor=request.user, action="changed", before=before)
        for obj in saved.deleted_objects:
            # The row is gone by now: record the copy read before the save.
            row = stored.get(initial_pks.get(id(obj)))
            if row is not None:
                admin_change_record(obj=row, actor=request.user, action="deleted")


def audit_every_admin(site: admin.AdminSite) -> None:
    """Re-register each model admin of ``site`` with ``AdminEventLog`` in front, once."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if getattr(cls, "audited", False):
            continue
        audited = type(cls.__name__, (AdminEventLog, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, audited)
