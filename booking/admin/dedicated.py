"""Dedicated launch requests in the operator admin: the list the operator's providers can fly,
a link that opens the schedule form pre-filled from a request (the planner's plans beside it),
and the decline action (through ``services.dedicated``). The rows are the customer's: nothing is
edited here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.admin.rules import admin_may
from booking.admin.schedule_form import dedicated_request_query
from booking.errors import ServiceError
from booking.models import DedicatedRequest
from booking.rules.permissions import Action
from booking.selectors.dedicated import dedicated_requests_for_providers
from booking.services.dedicated import dedicated_request_decline
from vehicles.selectors import operator_provider_ids

FIELDS = (
    "reference",
    "status",
    "customer",
    "payload",
    "vehicle_model",
    "orbit_family",
    "altitude_km",
    "inclination_deg",
    "ltan",
    "earliest",
    "latest",
    "note",
    "launch",
    "decline_reason",
    "quote",
    "created_at",
)


class DeclineForm(ActionForm):
    reason = forms.CharField(required=False, max_length=300, label=gettext_lazy("Reason (for the customer)"))


@admin.register(DedicatedRequest)
class DedicatedRequestAdmin(admin.ModelAdmin):
    action_form = DeclineForm
    actions = ["decline"]
    list_display = (
        "reference",
        "customer",
        "vehicle_choice",
        "orbit",
        "earliest",
        "latest",
        "status",
        "launch",
    )
    list_filter = ("status", "orbit_family")
    search_fields = ("reference", "customer__name", "payload__name")
    readonly_fields = (*FIELDS, "schedule_link")
    fields = ("schedule_link", *FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return dedicated_requests_for_providers(operator_provider_ids(request.user)).select_related("quote")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers ask, in the portal or the API

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_dedicated_answer_permission(self, request: HttpRequest) -> bool:
        return bool(self.has_change_permission(request)) and admin_may(request, Action.DEDICATED_ANSWER)

    @admin.display(description=gettext_lazy("Vehicle"))
    def vehicle_choice(self, obj: DedicatedRequest) -> str:
        return str(obj.vehicle_model) if obj.vehicle_model else _("Any")

    @admin.display(description=gettext_lazy("Orbit"))
    def orbit(self, obj: DedicatedRequest) -> str:
        incl = f", {obj.inclination_deg}°" if obj.inclination_deg is not None else ""
        return f"{obj.orbit_family} {obj.altitude_km} km{incl}"

    @admin.display(description=gettext_lazy("Schedule"))
    def schedule_link(self, obj: DedicatedRequest) -> str:
        if obj.status != DedicatedRequest.Status.REQUESTED:
            return "—"
        url = reverse("admin:booking_launch_schedule") + dedicated_request_query(obj)
        return format_html('<a class="button" href="{}">{}</a>', url, _("Schedule from the planner"))

    @admin.action(
        description=gettext_lazy("Decline the selected requests (give a reason)"),
        permissions=["dedicated_answer"],
    )
    def decline(self, request: HttpRequest, queryset: QuerySet[DedicatedRequest]) -> None:
        reason = request.POST.get("reason", "")
        for asked in queryset.order_by("pk"):
            try:
                dedicated_request_decline(request=asked, actor=request.user, reason=reason)
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            self.message_user(request, _("%(reference)s declined.") % {"reference": asked.reference})
