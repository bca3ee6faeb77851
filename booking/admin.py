from django.contrib import admin

from vehicles.admin_scoping import ProviderScopedAdmin

from .models import Booking, Event, Launch


class BookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    fields = ["reference", "customer", "payload", "status", "mass_kg", "price", "currency"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Launch)
class LaunchAdmin(ProviderScopedAdmin):
    list_display = [
        "name",
        "provider",
        "vehicle_model",
        "vehicle",
        "site",
        "platform",
        "pad",
        "net",
        "net_precision",
        "status",
        "service_level",
    ]
    list_filter = ["status", "service_level", "provider", "site", "vehicle_model"]
    search_fields = ["name", "vehicle__serial", "site__name", "platform__name"]
    date_hierarchy = "net"
    list_select_related = ["provider", "vehicle_model", "vehicle", "site", "platform", "pad__site"]
    inlines = [BookingInline]


@admin.register(Booking)
class BookingAdmin(ProviderScopedAdmin):
    provider_path = "launch__provider_id"
    list_display = [
        "reference",
        "customer",
        "payload",
        "launch",
        "status",
        "mass_kg",
        "price",
        "currency",
        "hold_expires_at",
    ]
    list_filter = ["status", "currency", "launch__provider"]
    search_fields = ["reference", "customer__name", "payload__name", "launch__name"]
    list_select_related = ["customer", "payload", "launch"]
    readonly_fields = [
        "reference",
        "status",
        "price",
        "currency",
        "mass_kg",
        "hold_expires_at",
        "amount_paid",
    ]


@admin.register(Event)
class EventAdmin(ProviderScopedAdmin):
    list_display = ["created_at", "verb", "subject_type", "subject_id", "actor_label", "customer", "message"]
    list_filter = ["verb", "subject_type", "provider"]
    search_fields = ["verb", "actor_label", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
