from django.contrib import admin

from vehicles.admin_scoping import ProviderScopedAdmin

from .models import Contract, Customer, Document, Membership, Payload, PaymentMilestone


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "export_screening", "created_at"]
    list_filter = ["country", "export_screening"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "customer", "role"]
    list_filter = ["role", "customer"]
    search_fields = ["user__username", "customer__name"]
    list_select_related = ["user", "customer"]


class PaymentMilestoneInline(admin.TabularInline):
    model = PaymentMilestone
    extra = 0


@admin.register(Contract)
class ContractAdmin(ProviderScopedAdmin):
    list_display = ["reference", "customer", "provider", "launches_committed", "value", "currency", "status"]
    list_filter = ["status", "provider", "currency"]
    search_fields = ["reference", "customer__name", "provider__name"]
    list_select_related = ["customer", "provider"]
    inlines = [PaymentMilestoneInline]


@admin.register(PaymentMilestone)
class PaymentMilestoneAdmin(ProviderScopedAdmin):
    provider_path = "contract__provider_id"
    list_display = ["label", "contract", "reference", "amount", "currency", "due_at", "paid_at"]
    list_filter = ["currency", "contract__provider"]
    search_fields = ["label", "reference", "contract__reference"]
    date_hierarchy = "due_at"
    list_select_related = ["contract"]


@admin.register(Payload)
class PayloadAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "customer",
        "mass_kg",
        "orbit_family",
        "altitude_km",
        "inclination_deg",
        "returnable",
    ]
    list_filter = ["orbit_family", "returnable", "customer"]
    search_fields = ["name", "customer__name"]
    list_select_related = ["customer"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "customer", "payload", "status", "uploaded_at"]
    list_filter = ["kind", "status"]
    search_fields = ["customer__name", "payload__name"]
    list_select_related = ["customer", "payload"]
