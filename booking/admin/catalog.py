"""Admin saves that go through a service, added from the booking side.

The vehicles and customers admins never import booking, so, as payments.py and documents.py do,
this module re-registers two of their admins with saves that call the booking services:

- a vehicle model's capacity curve (its inline points) becomes the curve through
  ``capacity_curve_replace``, which refuses a curve that would leave a launch carrying more than
  the curve lifts, naming the launch and the figures;
- a payload is created with ``payload_create`` and changed with ``payload_update``, which freeze
  its mass and orbit while it holds a seat and write the Event the customer sees.

A refusal found while saving (somebody booked in the meantime) is shown as the service worded
it, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect

from booking.admin.customers import PayloadAdmin as CustomersPayloadAdmin
from booking.errors import ServiceError
from booking.services.capacity import CurvePoint, capacity_curve_refusal, capacity_curve_replace
from booking.services.payloads import EDITABLE_FIELDS, payload_create, payload_update
from customers.models import Payload
from vehicles.admin import CapacityPointInline as VehiclesCapacityPointInline
from vehicles.admin import VehicleModelAdmin as VehiclesVehicleModelAdmin
from vehicles.models import VehicleModel


class ServiceRefusalsAsMessages:
    """A ``ServiceError`` raised while the admin saves rolls the save back and is shown."""

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context=None
    ):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


class CapacityCurveFormSet(BaseInlineFormSet):
    def proposed_points(self) -> list[CurvePoint]:
        """The curve the submitted rows describe: kept and new rows, without those marked deleted."""
        points: list[CurvePoint] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and data.get(DELETION_FIELD_NAME, False)):
                continue
            points.append(
                (data["orbit_family"], data["altitude_km"], data["capacity_kg"], data.get("inclination_deg"))
            )
        return points

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        refusal = capacity_curve_refusal(vehicle_model=self.instance, points=self.proposed_points())
        if refusal:
            raise ValidationError(refusal)


class CapacityPointInline(VehiclesCapacityPointInline):
    formset = CapacityCurveFormSet


admin.site.unregister(VehicleModel)


@admin.register(VehicleModel)
class VehicleModelAdmin(ServiceRefusalsAsMessages, VehiclesVehicleModelAdmin):
    inlines = [CapacityPointInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if isinstance(formset, CapacityCurveFormSet):
            capacity_curve_replace(
                vehicle_model=form.instance, points=formset.proposed_points(), actor=request.user
            )
            # The service wrote the rows and the Event; the admin's change message and log
            # mixin read what the formset itself saved: nothing.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)


admin.site.unregister(Payload)


@admin.register(Payload)
class PayloadAdmin(ServiceRefusalsAsMessages, CustomersPayloadAdmin):
    fields = ["customer", *EDITABLE_FIELDS]
    saves_through_service = True  # payload_create and payload_update write the Event

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "customer" not in fields:
            fields.append("customer")  # a payload stays with the customer who registered it
        return fields

    def save_model(self, request: HttpRequest, obj: Payload, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            saved = payload_update(payload=obj, actor=request.user, **values)
        else:
            saved = payload_create(customer=form.cleaned_data["customer"], actor=request.user, **values)
        for warning in getattr(saved, "orbit_warnings", []):
            self.message_user(request, warning, messages.WARNING)
        obj.pk = saved.pk
        obj.refresh_from_db()
