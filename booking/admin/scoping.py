"""Which customers a provider operator reaches in the admin, and the mixin for customers' rows.

A provider operator reaches the customers that have an *active* contract with one of its
providers, or a booking (in any state) on one of its providers' launches; a draft, cancelled or
completed contract gives no reach. It only reads their rows: platform administrators edit them
(the table is in docs/portal.md, "Who edits what in the admin"). This lives in the booking admin
because the reach is read from bookings, which the customers app may not import.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from booking.models import Booking
from customers.models import Contract, Customer
from vehicles.admin_scoping import PlatformAdminEditsOnly
from vehicles.selectors import operator_provider_ids


def operator_customer_ids(user: Any) -> QuerySet[Any] | None:
    """The customers a staff user may see, as a subquery of ids; ``None`` means every customer."""
    ids = operator_provider_ids(user)
    if ids is None:
        return None
    under_contract = Contract.objects.filter(provider_id__in=ids, status=Contract.Status.ACTIVE).values(
        "customer_id"
    )
    booked = Booking.objects.filter(launch__provider_id__in=ids).values("customer_id")
    return Customer.objects.filter(Q(pk__in=under_contract) | Q(pk__in=booked)).values("pk")


class CustomerScopedAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    """A customer's own rows: provider operators see those of the customers within their reach
    (``operator_customer_ids``) and only read them; platform administrators edit them.

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
