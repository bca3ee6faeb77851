from django.contrib import admin
from django.utils.translation import gettext_lazy

from booking.models import Event, NotificationDelivery
from vehicles.admin_scoping import ProviderScopedAdmin


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


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ProviderScopedAdmin):
    """Who was told what, and whether the e-mail went: read-only (the services write these).

    A provider's operators see the deliveries about their launches; platform administrators see all.
    """

    provider_path = "notification__launch__provider_id"
    list_display = [
        "created_at",
        "subject",
        "email",
        "customer",
        "status",
        "attempts",
        "last_error",
        "read_at",
    ]
    list_filter = ["status", "notification__category", "notification__reason"]
    search_fields = ["email", "notification__subject", "notification__message", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["notification", "customer"]

    @admin.display(description=gettext_lazy("Notification"), ordering="notification__subject")
    def subject(self, obj: NotificationDelivery) -> str:
        return obj.notification.subject

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
