from django.contrib import admin

from booking.models import Booking, Launch
from vehicles.admin_scoping import ProviderScopedAdmin


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
