"""Contracts of the caller's organisation (read only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from booking.selectors.access import get_contracts_for

from .. import examples as ex
from ..permissions import acting_rows
from ..serializers.contracts import ContractSerializer
from .common import ApiViewSet


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's framework contracts with launch providers.",
        examples=[ex.ex("Contracts", ex.CONTRACT, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your contracts.", examples=[ex.ex("Contract", ex.CONTRACT, response=True)]
    ),
)
class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ContractSerializer
    filterset_fields = ["provider", "status"]
    ordering_fields = ["reference", "id"]

    def get_queryset(self):
        return acting_rows(get_contracts_for(self.request.user), self.request).order_by("reference", "pk")
