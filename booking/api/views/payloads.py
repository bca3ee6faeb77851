"""Payloads of the caller's organisation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_payloads_for
from booking.services.payloads import EDITABLE_FIELDS, cargo_item_add, payload_create, payload_update

from .. import examples as ex
from ..permissions import acting_membership, acting_rows
from ..serializers.payloads import CargoItemSerializer, PayloadSerializer
from .common import BAD_REQUEST, NOT_FOUND, ApiViewSet


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
            "otherwise 400 with a message per field. A returnable payload states its `return_mass_kg` "
            "(what comes back, not its whole mass); a sun-synchronous one may ask for an `ltan` "
            '("HH:MM"); a station cargo mission names its `cargo_programme`, whose limits its masses keep. '
            "Send an `Idempotency-Key` to retry safely."
        ),
        responses={201: PayloadSerializer, 400: BAD_REQUEST},
        examples=[
            ex.ex("New payload", ex.PAYLOAD_REQUEST, request=True),
            ex.ex("Created", ex.PAYLOAD, response=True, status="201"),
            ex.ex("Unreachable orbit", ex.PAYLOAD_INVALID, response=True, status="400"),
        ],
    ),
    partial_update=extend_schema(
        description=(
            "Change a payload: send only what changes (e.g. its stowed size before a booking is "
            "confirmed). Mass and orbit cannot change while it holds a seat on a launch (409); a new "
            "size must still fit the seat it holds (409 with the figures); an orbit the catalog cannot "
            "reach is 400. A mass or orbit heavier than any vehicle lifts answers with `warnings`."
        ),
        responses={200: PayloadSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    ),
)
class PayloadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    # An edit names what changes (PATCH, ``partial_update``); a PUT of the whole payload is not offered.
    serializer_class = PayloadSerializer
    ordering_fields = ["name", "created_at", "id"]
    rule_actions = {
        **ApiViewSet.rule_actions,
        "create": Action.PAYLOAD_MANAGE,
        "partial_update": Action.PAYLOAD_MANAGE,
        "cargo_items": Action.PAYLOAD_MANAGE,
    }

    def get_queryset(self):
        return (
            acting_rows(get_payloads_for(self.request.user), self.request)
            .select_related("cargo_programme")
            .prefetch_related("cargo_items")
            .order_by("name", "pk")
        )

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
            return_mass_kg=data.get("return_mass_kg"),
            ltan=data.get("ltan"),
            cargo_programme=data.get("cargo_programme"),
            earliest_launch=data.get("earliest_launch"),
            latest_launch=data.get("latest_launch"),
            orbit_review=serializer.orbit_review,
        )
        return Response(self.get_serializer(payload).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        payload = self.get_object()
        serializer = self.get_serializer(payload, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {name: value for name, value in serializer.validated_data.items() if name in EDITABLE_FIELDS}
        payload = payload_update(payload=payload, actor=request.user, **values)
        return Response(self.get_serializer(payload).data)

    @extend_schema(
        request=CargoItemSerializer,
        responses={201: PayloadSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        description=(
            "Add a line to a cargo mission's manifest: an item up to the station, an item back to Earth, "
            "or station waste for deorbit, with its mass and priority (1 flies first). The items up must "
            "fit the mission's up-mass and the items back its return mass; otherwise 400 with the figures. "
            "Answers the payload with its manifest."
        ),
        examples=[
            ex.ex("Manifest line", ex.CARGO_ITEM_REQUEST, request=True),
            ex.ex("Over the up-mass", ex.CARGO_ITEM_INVALID, response=True, status="400"),
        ],
    )
    @action(detail=True, methods=["post"], url_path="cargo-items", filter_backends=[])
    def cargo_items(self, request, pk=None):
        payload = self.get_object()
        serializer = CargoItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cargo_item_add(payload=payload, actor=request.user, **serializer.validated_data)
        payload.refresh_from_db()
        return Response(self.get_serializer(payload).data, status=status.HTTP_201_CREATED)
