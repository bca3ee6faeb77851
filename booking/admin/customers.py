"""Operator admin for customers (kept in the booking admin: who reaches whom is read from bookings). Provider operators see only the customers within their reach (an
active contract with, or a booking on a launch of, one of their providers) and only read their
rows: a customer's record, members, payloads and documents are edited by platform administrators
(documents are reviewed through ``booking.admin.documents``). Contracts and their milestones are
the provider's own.

Payments are recorded through ``booking.services.bookings.payment_milestone_mark_paid`` (the
"Mark paid" action, ``booking.admin.payments``), so ``paid_at`` is read-only here.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from booking.rules.permissions import Action
from booking.services.payloads import EDITABLE_FIELDS, payload_mission_problems
from customers.models import (
    CargoItem,
    CargoProgramme,
    Contract,
    Customer,
    Document,
    Membership,
    Payload,
    PaymentMilestone,
)
from vehicles.admin_scoping import PlatformAdminEditsOnly, ProviderScopedAdmin

from .rules import admin_may
from .scoping import CustomerScopedAdmin


class MembershipInline(PlatformAdminEditsOnly, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Customer)
class CustomerAdmin(CustomerScopedAdmin):
    customer_path = "pk"
    readonly_for_provider_operators = ("export_screening",)
    list_display = ["name", "country", "export_screening", "created_at"]
    list_filter = ["country", "export_screening"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(CustomerScopedAdmin):
    list_display = ["user", "customer", "role"]
    list_filter = ["role", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "customer__name"]
    list_select_related = ["user", "customer"]


class PaymentMilestoneInline(admin.TabularInline):
    model = PaymentMilestone
    extra = 0
    readonly_fields = ["paid_at"]


@admin.register(Contract)
class ContractAdmin(ProviderScopedAdmin):
    """A provider's contracts. An active contract gives the provider's operators reach into the
    customer's rows, so the permission rule has two actions: ``contract_draft`` (add and edit,
    a provider operator) and ``contract_activate`` (the status, and the customer of a saved
    contract: a platform administrator, once the customer signed)."""

    list_display = ["reference", "customer", "provider", "launches_committed", "value", "currency", "status"]
    list_filter = ["status", "provider", "currency"]
    search_fields = ["reference", "customer__name", "provider__name"]
    list_select_related = ["customer", "provider"]
    inlines = [PaymentMilestoneInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and admin_may(request, Action.CONTRACT_DRAFT)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and admin_may(request, Action.CONTRACT_DRAFT)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not admin_may(request, Action.CONTRACT_ACTIVATE):
            fields += ["status"] + (["customer"] if obj is not None else [])
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and not admin_may(request, Action.CONTRACT_ACTIVATE):
            obj.status = Contract.Status.DRAFT
        super().save_model(request, obj, form, change)


@admin.register(PaymentMilestone)
class PaymentMilestoneAdmin(ProviderScopedAdmin):
    provider_path = "contract__provider_id"
    list_display = ["label", "contract", "reference", "amount", "currency", "due_at", "paid_at"]
    list_filter = ["currency", "contract__provider"]
    search_fields = ["label", "reference", "contract__reference"]
    date_hierarchy = "due_at"
    list_select_related = ["contract__customer", "contract__provider"]
    readonly_fields = ["paid_at"]


class PayloadAdminForm(forms.ModelForm):
    """The payload's masses and local time hold together by the one rule (``payload_mission_problems``)."""

    class Meta:
        model = Payload
        fields = ["customer", *EDITABLE_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("orbit_family") and cleaned.get("mass_kg") is not None:
            problems = payload_mission_problems(
                orbit_family=cleaned["orbit_family"],
                mass_kg=cleaned["mass_kg"],
                returnable=bool(cleaned.get("returnable")),
                return_mass_kg=cleaned.get("return_mass_kg"),
                ltan=cleaned.get("ltan"),
                cargo_programme=cleaned.get("cargo_programme"),
            )
            for name, message in problems.items():
                self.add_error(name if name in self.fields else None, message)
        return cleaned


class CargoItemInline(PlatformAdminEditsOnly, admin.TabularInline):
    """A cargo mission's manifest: items up, items back to Earth, station waste for deorbit."""

    model = CargoItem
    extra = 0
    fields = ["direction", "name", "mass_kg", "priority"]


@admin.register(CargoProgramme)
class CargoProgrammeAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    list_display = ["name", "up_mass_min_kg", "up_mass_max_kg", "return_mass_min_kg", "return_mass_max_kg"]
    search_fields = ["name", "slug"]


@admin.register(Payload)
class PayloadAdmin(CustomerScopedAdmin):
    form = PayloadAdminForm
    list_display = [
        "name",
        "customer",
        "mass_kg",
        "orbit_family",
        "altitude_km",
        "inclination_deg",
        "ltan",
        "returnable",
        "return_mass_kg",
        "cargo_programme",
    ]
    list_filter = ["orbit_family", "returnable", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "customer__name"]
    list_select_related = ["customer", "cargo_programme"]
    inlines = [CargoItemInline]


@admin.register(Document)
class DocumentAdmin(CustomerScopedAdmin):
    list_display = ["kind", "customer", "payload", "status", "uploaded_at"]
    list_filter = ["kind", "status"]
    search_fields = ["customer__name", "payload__name"]
    list_select_related = ["customer", "payload"]
