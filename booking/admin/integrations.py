"""Operator admin for integrations: API tokens and customers' webhooks, read-only.

Tokens are issued by their users through the API and revoked here with ``api_token_revoke``:
platform administrators revoke any token, provider operators only their own (a customer's token
is the customer's, read-only to them);
webhook endpoints are managed by customers through the API (whose services check URLs and record
Events), so the admin shows them, never their secrets. Idempotency keys are plumbing: not shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.admin.scoping import CustomerScopedAdmin, operator_customer_ids
from booking.models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from booking.services.tokens import api_token_revoke
from customers.models import Membership
from vehicles.admin_scoping import is_platform_admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: nothing is added, edited or deleted here."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or self.list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_API_TOKEN_ADMIN_FIELDS = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    fields = _API_TOKEN_ADMIN_FIELDS
    list_display = _API_TOKEN_ADMIN_FIELDS
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        """Provider operators see their own tokens and those of their customers' members."""
        qs = super().get_queryset(request)
        customer_ids = operator_customer_ids(request.user)
        if customer_ids is None:
            return qs
        return qs.filter(Q(user_id=request.user.pk) | Q(user_id__in=self._member_ids(customer_ids)))

    @staticmethod
    def _member_ids(customer_ids: QuerySet[Any]) -> QuerySet[Any]:
        return Membership.objects.filter(customer_id__in=customer_ids).values("user_id")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A provider operator's own tokens only: a customer's token is the customer's."""
        if obj is not None and not is_platform_admin(request.user) and obj.user_id != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    # The revoke action needs "change"; every field stays read-only.
    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        platform_admin = is_platform_admin(request.user)
        for token in queryset.select_related("user").order_by("pk"):
            if not platform_admin and token.user_id != request.user.pk:
                self.message_user(
                    request,
                    _(
                        "%(prefix)s… belongs to %(user)s: a customer's token is revoked by the "
                        "customer or a platform administrator."
                    )
                    % {"prefix": token.prefix, "user": token.user},
                    messages.ERROR,
                )
                continue
            if token.revoked_at is None:
                api_token_revoke(token=token, actor=request.user)
                revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CustomerScopedAdmin, ReadOnlyAdmin):
    # ``secret`` is in no list here: the admin never shows it.
    fields = ["customer", "url", "event_types", "active", "disabled_reason", "created_at"]
    list_display = ["url", "customer", "active", "disabled_reason", "created_at"]
    list_filter = ["active", ("customer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["url", "customer__name"]
    list_select_related = ["customer"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_WEBHOOK_ATTEMPT_INLINE_FIELDS = ("number", "attempted_at", "status_code", "error", "duration_ms")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = _WEBHOOK_ATTEMPT_INLINE_FIELDS
    readonly_fields = _WEBHOOK_ATTEMPT_INLINE_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_WEBHOOK_DELIVERY_ADMIN_FIELDS = ("endpoint", "event", "status", "attempts", "next_attempt_at", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CustomerScopedAdmin, ReadOnlyAdmin):
    customer_path = "endpoint__customer_id"
    fields = _WEBHOOK_DELIVERY_ADMIN_FIELDS
    list_display = _WEBHOOK_DELIVERY_ADMIN_FIELDS
    list_filter = ["status"]
    search_fields = ["endpoint__url", "endpoint__customer__name", "event__verb"]
    date_hierarchy = "created_at"
    list_select_related = ["endpoint", "event"]
    inlines = [WebhookAttemptInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
