"""Webhook endpoints and their deliveries."""

from __future__ import annotations

from rest_framework import serializers

from booking.api.fields import CustomerSecretField, StrictBooleanField, StrictCharField, StrictURLField
from booking.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = StrictURLField(max_length=500)
    event_types = serializers.ListField(
        child=StrictCharField(max_length=60),
        required=False,
        max_length=20,
        help_text='Patterns of events to receive, e.g. ["booking.*", "launch.slipped"]; empty: all.',
    )
    active = StrictBooleanField(required=False)
    secret = CustomerSecretField(help_text="The signing secret; null for roles that may not manage webhooks.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "customer", "url", "event_types", "active", "disabled_reason", "secret", "created_at"]
        read_only_fields = ["id", "customer", "disabled_reason", "secret", "created_at"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "attempted_at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.verb", read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields
