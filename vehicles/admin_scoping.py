"""Admin mixins that keep provider operators to their own providers' rows (customers are scoped
by ``customers.admin_scoping``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .selectors import operator_provider_ids


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


class AllProvidersChangeOnly:
    """For an admin or inline whose rows grant access (customer memberships): only staff who see
    every provider may add, change or delete them; provider operators may at most look."""

    def _sees_all_providers(self, request: HttpRequest) -> bool:
        return operator_provider_ids(request.user) is None

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._sees_all_providers(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._sees_all_providers(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._sees_all_providers(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]
