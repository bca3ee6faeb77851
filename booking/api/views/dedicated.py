"""Dedicated launch requests: ask for a launch of your own, follow it, withdraw it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_dedicated_requests_for
from booking.services.dedicated import dedicated_request_create, dedicated_request_withdraw
from booking.workflows.dedicated import dedicated_request_from_quote

from ..permissions import acting_membership, acting_rows
from ..serializers.dedicated import DedicatedRequestCreateSerializer, DedicatedRequestSerializer
from .common import BAD_REQUEST, CONFLICT, NOT_FOUND, ApiViewSet


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's dedicated launch requests (an operator: those its providers can fly)."
    ),
    retrieve=extend_schema(
        description="One dedicated launch request: its status, and its launch once scheduled."
    ),
    create=extend_schema(
        description=(
            "Request a dedicated launch: a `vehicle_model` or null for any, the `payload` (or its orbit: "
            "`orbit_family`, `altitude_km`, `inclination_deg`, `ltan`), the `earliest` and `latest` dates "
            "and a `note`; or a dedicated `quote` that has no launch yet. The operators of the providers "
            "that can fly it schedule a launch (status `scheduled`, `launch` set: quote and hold it like any "
            "launch) or decline it (`decline_reason`). 409 when no vehicle can fly it, saying why."
        ),
        request=DedicatedRequestCreateSerializer,
        responses={201: DedicatedRequestSerializer, 400: BAD_REQUEST, 409: CONFLICT},
    ),
)
class DedicatedRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    serializer_class = DedicatedRequestSerializer
    filterset_fields = ["status", "payload", "launch"]
    ordering_fields = ["created_at", "earliest", "id"]
    rule_actions = {
        **ApiViewSet.rule_actions,
        "create": Action.DEDICATED_REQUEST,
        "withdraw": Action.DEDICATED_REQUEST,
    }

    def get_queryset(self):
        return (
            acting_rows(get_dedicated_requests_for(self.request.user), self.request)
            .prefetch_related("providers")
            .order_by("-created_at", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = DedicatedRequestCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = acting_membership(request).customer
        if data["quote"] is not None and data["earliest"] is None:
            made = dedicated_request_from_quote(quote=data["quote"], actor=request.user, customer=customer)
        else:
            quote = data["quote"]
            made = dedicated_request_create(
                customer=customer,
                actor=request.user,
                payload=data["payload"] or (quote.payload if quote else None),
                vehicle_model=data["vehicle_model"] or (quote.vehicle_model if quote else None),
                orbit_family=data["orbit_family"],
                altitude_km=data["altitude_km"],
                inclination_deg=data["inclination_deg"],
                ltan=data["ltan"],
                earliest=data["earliest"],
                latest=data["latest"],
                note=data["note"],
                quote=quote,
            )
        return Response(DedicatedRequestSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: DedicatedRequestSerializer, 404: NOT_FOUND, 409: CONFLICT},
        description="Withdraw a request still requested or scheduled (not once booked).",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        found = self.get_object()
        membership = acting_membership(request)
        withdrawn = dedicated_request_withdraw(
            request=found, actor=request.user, customer=membership.customer if membership else None
        )
        return Response(DedicatedRequestSerializer(withdrawn).data)
