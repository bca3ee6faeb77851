"""Quotes: pricing a payload."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_quotes_for
from booking.services.quotes import quote_create

from .. import examples as ex
from ..permissions import acting_membership, acting_rows
from ..serializers.quotes import QuoteRequestSerializer, QuoteSerializer
from .common import CONFLICT, ApiViewSet


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's quotes, with their priced lines.",
        examples=[ex.ex("Quotes", ex.QUOTE, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your quotes.", examples=[ex.ex("Quote", ex.QUOTE, response=True)]
    ),
    create=extend_schema(
        description=(
            "Price a payload: a rideshare seat on `launch`, or a dedicated launch on `vehicle_model`, "
            "or, with neither, the best option for the payload (the earliest, then cheapest, "
            "rideshare launch that takes it, else the cheapest dedicated launch; `kind`, `launch`, "
            "`vehicle_model` and `chosen_because` say which and why). "
            "A seat is priced at its launch's own service level (an express launch adds the provider's "
            "premium): leave `service_level` out, another level is a 400. For a `vehicle_model`, "
            "`service_level` express adds the premium. `options` add insurance (a share "
            "of `declared_value`), mission control or IT support. The quote lists its lines and "
            "total and is valid 72 hours. A payload that does not fit is a 409 saying why."
        ),
        request=QuoteRequestSerializer,
        responses={201: QuoteSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Rideshare seat with insurance", ex.QUOTE_REQUEST, request=True),
            ex.ex("The best option for the payload", ex.QUOTE_REQUEST_BEST, request=True),
            ex.ex("Quote", ex.QUOTE, response=True, status="201"),
            ex.ex("Does not fit", ex.CONFLICT, response=True, status="409"),
        ],
    ),
)
class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    serializer_class = QuoteSerializer
    filterset_fields = ["status", "payload", "launch"]
    ordering_fields = ["created_at", "id"]
    rule_actions = {**ApiViewSet.rule_actions, "create": Action.QUOTE_CREATE}

    def get_queryset(self):
        return acting_rows(get_quotes_for(self.request.user), self.request).order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        serializer = QuoteRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        quote = quote_create(
            customer=acting_membership(request).customer,
            payload=data["payload"],
            actor=request.user,
            service_level=data["service_level"],
            launch=data.get("launch"),
            vehicle_model=data.get("vehicle_model"),
            currency=data["currency"],
            options=data.get("options", []),
            declared_value=data.get("declared_value"),
            port=data.get("port"),
            adapter=data.get("adapter"),
        )
        # The new quote is the caller's own and every field it shows (its lines too) is on the rows
        # just written: no need to read it back.
        return Response(QuoteSerializer(quote).data, status=status.HTTP_201_CREATED)
