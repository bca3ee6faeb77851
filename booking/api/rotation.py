"""Rotating a customer's secrets: a webhook endpoint's signing secret and the calendar address.

Viewers are refused (403); answers carry the new secret and are never cached.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.selectors.access import get_webhook_endpoints_for
from booking.services.tokens import calendar_token_rotate
from booking.services.webhooks import webhook_endpoint_rotate_secret
from customers.models import Membership
from launchbook.security import no_store

from .base import ApiViewMixin
from .permissions import READ_ONLY_ROLES, SecretManagerPermission, customers_whose_secrets_request_may_read

ROTATED_SECRET = inline_serializer(
    "RotatedWebhookSecret",
    {"id": serializers.IntegerField(), "url": serializers.URLField(), "secret": serializers.CharField()},
)
ROTATED_CALENDAR = inline_serializer("RotatedCalendarAddress", {"calendar_url": serializers.URLField()})


class WebhookSecretRotateView(ApiViewMixin, APIView):
    permission_classes = [SecretManagerPermission]

    @extend_schema(
        tags=["webhooks"],
        operation_id="webhooks_rotate_secret",
        summary="Give a webhook endpoint a new signing secret",
        description=(
            "The old secret stops at once: deliveries from now on are signed with the new one, "
            "shown only in this answer (and to non-viewers when they read the endpoint). "
            "Viewers are refused with 403."
        ),
        request=None,
        responses={200: ROTATED_SECRET},
    )
    def post(self, request, pk: int):
        endpoint = get_webhook_endpoints_for(request.user).filter(pk=pk).first()
        if endpoint is None:
            raise exceptions.NotFound("No webhook endpoint with this id.")
        if endpoint.customer_id not in customers_whose_secrets_request_may_read(request):
            raise exceptions.PermissionDenied(SecretManagerPermission.message)
        endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
        body = {"id": endpoint.pk, "url": endpoint.url, "secret": endpoint.secret}
        return no_store(Response(body, status=status.HTTP_200_OK))


class CalendarTokenRotateView(ApiViewMixin, APIView):
    permission_classes = [SecretManagerPermission]

    @extend_schema(
        tags=["calendar"],
        operation_id="calendar_rotate",
        summary="Give your organisation a new calendar address",
        description=(
            "The old calendar address answers 404 from now on; subscribe again with the new one. "
            "Acts for the organisation the request acts for; viewers are refused with 403."
        ),
        request=None,
        responses={200: ROTATED_CALENDAR},
    )
    def post(self, request):
        from .permissions import acting_membership

        membership: Membership | None = acting_membership(request)
        if membership is None or membership.role in READ_ONLY_ROLES:
            raise exceptions.PermissionDenied(SecretManagerPermission.message)
        customer = calendar_token_rotate(customer=membership.customer, actor=request.user)
        path = reverse("api:customer-ics", kwargs={"token": customer.calendar_token})
        return no_store(Response({"calendar_url": request.build_absolute_uri(path)}))
