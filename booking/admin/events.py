from django.contrib import admin

from booking.models import Event
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
