"""Webhook endpoints, their deliveries and the ping."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_webhook_deliveries_for, get_webhook_endpoints_for
from booking.services.webhooks import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_ping,
)

from .. import examples as ex
from ..permissions import acting_membership, acting_rows
from ..serializers.common import ErrorSerializer
from ..serializers.webhooks import WebhookDeliverySerializer, WebhookEndpointSerializer
from .common import BAD_REQUEST, NOT_FOUND, ApiViewSet


@extend_schema_view(
    list=extend_schema(
        description="Your webhook endpoints.",
        examples=[ex.ex("Endpoints", ex.WEBHOOK, response=True)],
    ),
    retrieve=extend_schema(
        description="One webhook endpoint.", examples=[ex.ex("Endpoint", ex.WEBHOOK, response=True)]
    ),
    create=extend_schema(
        description=(
            "Add an endpoint. Events are POSTed as JSON with the header `Launchbook-Signature: "
            "t=<unix seconds>,v1=<hex>`, where hex is HMAC-SHA256 with the endpoint's `secret` over "
            "`<t>.<raw body>`. Failed deliveries are retried with exponential backoff for a day; an "
            "endpoint answering 410 Gone is disabled."
        ),
        responses={201: WebhookEndpointSerializer, 400: BAD_REQUEST},
        examples=[
            ex.ex("New endpoint", ex.WEBHOOK_REQUEST, request=True),
            ex.ex("Created", ex.WEBHOOK, response=True, status="201"),
        ],
    ),
    update=extend_schema(
        description="Replace an endpoint's URL and event types; `active: true` re-enables a disabled one.",
        examples=[
            ex.ex("Change", ex.WEBHOOK_REQUEST, request=True),
            ex.ex("Endpoint", ex.WEBHOOK, response=True),
        ],
    ),
    partial_update=extend_schema(
        description="Change some of an endpoint's fields.",
        examples=[
            ex.ex("Disable", {"active": False}, request=True),
            ex.ex("Endpoint", ex.WEBHOOK, response=True),
        ],
    ),
    destroy=extend_schema(
        description="Remove an endpoint; pending deliveries to it are dropped.",
        examples=[ex.ex("Removed", None, response=True, status="204")],
    ),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ApiViewSet,
):
    serializer_class = WebhookEndpointSerializer
    ordering_fields = ["created_at", "id"]
    rule_actions = {
        **ApiViewSet.rule_actions,
        "deliveries": Action.READ,
        "create": Action.WEBHOOK_MANAGE,
        "update": Action.WEBHOOK_MANAGE,
        "partial_update": Action.WEBHOOK_MANAGE,
        "destroy": Action.WEBHOOK_MANAGE,
        "ping": Action.WEBHOOK_MANAGE,
    }

    def get_queryset(self):
        return acting_rows(get_webhook_endpoints_for(self.request.user), self.request).order_by("pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(
            customer=acting_membership(request).customer,
            url=serializer.validated_data["url"],
            event_types=serializer.validated_data.get("event_types", []),
            actor=request.user,
        )
        return Response(self.get_serializer(endpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        serializer = self.get_serializer(endpoint, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(
            endpoint=endpoint,
            actor=request.user,
            url=serializer.validated_data.get("url"),
            event_types=serializer.validated_data.get("event_types"),
            active=serializer.validated_data.get("active"),
        )
        return Response(self.get_serializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        webhook_endpoint_delete(endpoint=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        description="Deliveries to this endpoint, newest first, each with every attempt made.",
        responses={200: WebhookDeliverySerializer(many=True)},
        examples=[ex.ex("Deliveries", ex.DELIVERY, response=True)],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        page = self.paginate_queryset(get_webhook_deliveries_for(request.user, endpoint=endpoint))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        description=(
            "Send a signed `webhook.ping` event to this endpoint now, to check that it receives and "
            "verifies deliveries. Answers with the delivery (202), whose attempts show the outcome."
        ),
        request=None,
        responses={202: WebhookDeliverySerializer, 400: ErrorSerializer, 404: NOT_FOUND},
        examples=[ex.ex("Ping queued", ex.DELIVERY, response=True, status="202")],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def ping(self, request, pk=None):
        endpoint = self.get_object()
        delivery = webhook_ping(endpoint=endpoint, actor=request.user)
        delivery = get_webhook_deliveries_for(request.user, endpoint=endpoint).get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
