"""The ports of a launch, edited on the launch's page through ``booking.services.ports``.

The formset asks ``selectors.ports.port_change_refusal`` before anything is saved, so a count
below the slots taken, or the removal of a port with bookings on it, comes back on the page with
the figures; the save itself goes through ``launch_port_save`` and ``launch_port_delete`` under
the launch lock (a booking made meanwhile is caught there and shown as a message).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from booking.models import LaunchPort
from booking.selectors.ports import port_change_refusal
from booking.services.ports import launch_port_delete, launch_port_save
from vehicles.selectors import operator_provider_ids


class LaunchPortFormSet(BaseInlineFormSet):
    def _refusals(self) -> list[str]:
        now = timezone.now()
        refusals = []
        for form in self.initial_forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            if self.can_delete and data.get(DELETION_FIELD_NAME, False):
                continue  # asked by the row itself (``_refusing_removal``)
            refusal = port_change_refusal(
                port=form.instance,
                kind=data.get("kind", form.instance.kind),
                count=data.get("count"),
                launch_name=self.instance.name,
                now=now,
            )
            if refusal:
                refusals.append(refusal)
        return refusals

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        refusals = self._refusals()
        if refusals:
            raise ValidationError(refusals)

    def save_through_services(self, actor: Any) -> None:
        for form in self.deleted_forms:
            if form.instance.pk is not None:
                launch_port_delete(port=form.instance, actor=actor)
        for form in self.forms:
            if form in self.deleted_forms or not form.has_changed():
                continue
            port = form.save(commit=False)
            port.launch = self.instance
            launch_port_save(port=port, actor=actor)
        # The services wrote the rows and the Events; the admin's log reads what the formset
        # itself saved: nothing.
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []


def _refusing_removal(form_class: Any) -> Any:
    """The admin's row form, asking the port rule first when the row is marked for deletion (the
    admin's own objection to deleting a booked port lists rows, not figures)."""

    class PortForm(form_class):  # type: ignore[misc,valid-type]
        def hand_clean_DELETE(self) -> None:
            if self.cleaned_data.get(DELETION_FIELD_NAME, False) and self.instance.pk is not None:
                refusal = port_change_refusal(
                    port=self.instance,
                    kind=self.instance.kind,
                    count=None,
                    launch_name=self.instance.launch.name,
                    now=timezone.now(),
                )
                if refusal:
                    raise ValidationError(refusal)
            super().hand_clean_DELETE()

    return PortForm


class LaunchPortInline(admin.TabularInline):
    """Slots of each kind on the launch; rows of the operator's providers' launches only."""

    model = LaunchPort
    formset = LaunchPortFormSet
    extra = 0
    fields = [
        "kind",
        "count",
        "max_mass_kg",
        "envelope_length_m",
        "envelope_width_m",
        "envelope_height_m",
        "price",
        "currency",
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        ids = operator_provider_ids(request.user)
        return qs if ids is None else qs.filter(launch__provider_id__in=ids)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _refusing_removal(formset.form)
        return formset
