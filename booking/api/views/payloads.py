"""Payloads of the caller's organisation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_payloads_for
from booking.services.payloads import payload_create

from .. import examples as ex
from ..permissions import acting_membership, acting_rows
from ..serializers.payloads import PayloadSerializer
from .common import BAD_REQUEST, ApiViewSet


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's payloads.",
        examples=[ex.ex("Payloads", ex.PAYLOAD, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your payloads.", examples=[ex.ex("Payload", ex.PAYLOAD, response=True)]
    ),
    create=extend_schema(
        description=(
            "Register a payload: its mass, its stowed size (length × width × height in metres, "
            "height along the rocket's axis; needed before a booking is confirmed) and target orbit. The orbit must be one the catalog can "
            "reach (a vehicle with capacity at that altitude, a site that reaches the inclination); "
            "otherwise 400 with a message per field. Send an `Idempotency-Key` to retry safely."
        ),
        responses={201: PayloadSerializer, 400: BAD_REQUEST},
        examples=[
            ex.ex("New payload", ex.PAYLOAD_REQUEST, request=True),
            ex.ex("Created", ex.PAYLOAD, response=True, status="201"),
            ex.ex("Unreachable orbit", ex.PAYLOAD_INVALID, response=True, status="400"),
        ],
    ),
)
class PayloadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    serializer_class = PayloadSerializer
    ordering_fields = ["name", "created_at", "id"]
    rule_actions = {**ApiViewSet.rule_actions, "create": Action.PAYLOAD_MANAGE}

    def get_queryset(self):
        return acting_rows(get_payloads_for(self.request.user), self.request).order_by("name", "pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payload = payload_create(
            customer=acting_membership(request).customer,
            actor=request.user,
            name=data["name"],
            mass_kg=data["mass_kg"],
            orbit_family=data["orbit_family"],
            altitude_km=data["altitude_km"],
            inclination_deg=data.get("inclination_deg"),
            returnable=data.get("returnable", False),
            length_m=data.get("length_m"),
            width_m=data.get("width_m"),
            height_m=data.get("height_m"),
        )
        return Response(self.get_serializer(payload).data, status=status.HTTP_201_CREATED)
