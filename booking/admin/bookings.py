from django.contrib import admin

from booking.models import Booking
from vehicles.admin_scoping import ProviderScopedAdmin


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
