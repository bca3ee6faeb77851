"""Rotating a customer's secrets: a webhook endpoint's signing secret and the calendar address.

Administrators of the organisation the request acts for may rotate (``Action.SECRET_ROTATE``);
others are refused (403). Answers carry the new secret and are never cached.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.rules.permissions import Action
from booking.selectors.access import get_webhook_endpoints_for
from booking.services.tokens import calendar_token_rotate
from booking.services.webhooks import webhook_endpoint_rotate_secret
from launchbook.security import no_store

from .base import ApiViewMixin
from .permissions import RulePermission, acting_membership, acting_rows

ROTATED_SECRET = inline_serializer(
    "RotatedWebhookSecret",
    {"id": serializers.IntegerField(), "url": serializers.URLField(), "secret": serializers.CharField()},
)
ROTATED_CALENDAR = inline_serializer("RotatedCalendarAddress", {"calendar_url": serializers.URLField()})


class WebhookSecretRotateView(ApiViewMixin, APIView):
    permission_classes = [RulePermission]
    rule_actions = {"post": Action.SECRET_ROTATE}

    @extend_schema(
        tags=["webhooks"],
        operation_id="webhooks_rotate_secret",
        summary="Give a webhook endpoint a new signing secret",
        description=(
            "The old secret stops at once: deliveries from now on are signed with the new one, "
            "shown only in this answer (and to administrators when they read the endpoint). "
            "Only administrators of the organisation may rotate (403 for others)."
        ),
        request=None,
        responses={200: ROTATED_SECRET},
    )
    def post(self, request, pk: int):
        endpoint = acting_rows(get_webhook_endpoints_for(request.user), request).filter(pk=pk).first()
        if endpoint is None:
            raise exceptions.NotFound("No webhook endpoint with this id.")
        endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
        body = {"id": endpoint.pk, "url": endpoint.url, "secret": endpoint.secret}
        return no_store(Response(body, status=status.HTTP_200_OK))


class CalendarTokenRotateView(ApiViewMixin, APIView):
    permission_classes = [RulePermission]
    rule_actions = {"post": Action.SECRET_ROTATE}

    @extend_schema(
        tags=["calendar"],
        operation_id="calendar_rotate",
        summary="Give your organisation a new calendar address",
        description=(
            "The old calendar address answers 404 from now on; subscribe again with the new one. "
            "Acts for the organisation the request acts for; only its administrators may rotate (403 for others)."
        ),
        request=None,
        responses={200: ROTATED_CALENDAR},
    )
    def post(self, request):
        membership = acting_membership(request)
        if membership is None:  # the rule lets only a member's role rotate; kept for the type checker
            raise exceptions.PermissionDenied("Only members of a customer organisation have a calendar.")
        customer = calendar_token_rotate(customer=membership.customer, actor=request.user)
        path = reverse("api:customer-ics", kwargs={"token": customer.calendar_token})
        return no_store(Response({"calendar_url": request.build_absolute_uri(path)}))
