"""Admin mixins that keep provider operators to what is their provider's own.

Three kinds of rows, three rules (the table is in docs/portal.md, "Who edits what in the admin"):

- a provider's own rows (its vehicles, platforms, prices, contracts, launches): ``ProviderScopedAdmin``
  shows and edits only the operator's providers' rows;
- a customer's rows (the customer, its members, payloads, documents, webhooks): the booking
  admin's ``CustomerScopedAdmin`` (``booking.admin.scoping``) shows them only for customers within
  the operator's reach and only to read; platform administrators edit them;
- global reference data (exchange rates, sites, pads, closures, routes, readiness templates,
  providers): ``PlatformAdminEditsOnly``, read by every operator, edited by platform administrators.

A platform administrator is a superuser or a member of the "All providers" group: the staff for
whom ``operator_provider_ids`` answers ``None``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .selectors import operator_provider_ids


def is_platform_admin(user: Any) -> bool:
    """Superusers and all-provider staff: they edit global reference data and customers' rows."""
    return operator_provider_ids(user) is None


class ProviderScopedAdmin(admin.ModelAdmin):
    """Filters the changelist and every object lookup by ``provider_path``.

    ``provider_path`` is the lookup from the model to its provider id, e.g. ``"provider_id"`` or
    ``"vehicle_model__provider_id"``; ``None`` leaves the model unscoped.
    """

    provider_path: str | None = "provider_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        ids = operator_provider_ids(request.user)
        if ids is None or self.provider_path is None:
            return qs
        return qs.filter(**{f"{self.provider_path}__in": ids})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = operator_provider_ids(request.user)
        if ids is not None:
            related = db_field.related_model
            if related._meta.label == "vehicles.Provider":
                kwargs["queryset"] = related.objects.filter(pk__in=ids)
            elif any(f.name == "provider" for f in related._meta.get_fields()):
                kwargs["queryset"] = related.objects.filter(provider_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PlatformAdminEditsOnly:
    """For an admin or inline whose rows only platform administrators may add, change or delete:
    global reference data, and rows that grant access (memberships, provider operators).
    Provider operators may at most look."""

    def _sees_all_providers(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._sees_all_providers(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._sees_all_providers(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._sees_all_providers(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]
