"""Admin mixins that keep provider operators to their own providers' rows and customers."""

from __future__ import annotations

from typing import Any

from django.apps import apps
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


def operator_customer_ids(user: Any) -> QuerySet[Any] | None:
    """The customers a staff user may see, as a subquery of ids; ``None`` means every customer.

    A provider operator sees the customers that have a contract (in any state) with one of their
    providers. The vehicles app sits below customers, so the model is looked up at call time.
    """
    ids = operator_provider_ids(user)
    if ids is None:
        return None
    contract = apps.get_model("customers", "Contract")
    return contract.objects.filter(provider_id__in=ids).values("customer_id")


class CustomerScopedAdmin(admin.ModelAdmin):
    """Keeps provider operators to the customers that have a contract with their providers.

    ``customer_path`` is the lookup from the model to its customer id (``"pk"`` for Customer
    itself). Foreign keys to customers, or to rows of a customer, offer only those customers'
    rows. ``readonly_for_provider_operators`` names fields only all-provider staff may change.
    """

    customer_path = "customer_id"
    readonly_for_provider_operators: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        customer_ids = operator_customer_ids(request.user)
        if customer_ids is None:
            return qs
        return qs.filter(**{f"{self.customer_path}__in": customer_ids})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if operator_provider_ids(request.user) is not None:
            fields += [f for f in self.readonly_for_provider_operators if f not in fields]
        return fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        customer_ids = operator_customer_ids(request.user)
        if customer_ids is not None:
            related = db_field.related_model
            if related._meta.label == "customers.Customer":
                kwargs["queryset"] = related.objects.filter(pk__in=customer_ids)
            elif any(f.name == "customer" for f in related._meta.get_fields()):
                kwargs["queryset"] = related.objects.filter(customer_id__in=customer_ids)
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
