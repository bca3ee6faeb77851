"""Admin mixins that keep provider operators to the customers that have a contract with one of
their providers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from customers.models import Contract
from vehicles.selectors import operator_provider_ids


def operator_customer_ids(user: Any) -> QuerySet[Any] | None:
    """The customers a staff user may see, as a subquery of ids; ``None`` means every customer.

    A provider operator sees the customers that have a contract (in any state) with one of their
    providers.
    """
    ids = operator_provider_ids(user)
    if ids is None:
        return None
    return Contract.objects.filter(provider_id__in=ids).values("customer_id")


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
