"""Tokens: logging in and the list of a user's tokens."""

from __future__ import annotations

from rest_framework import serializers

from booking.api.fields import StrictCharField, StrictIntegerField
from booking.models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)
    name = StrictCharField(
        max_length=80, required=False, help_text="What the token is for; shown when you list your tokens."
    )
    customer = StrictIntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="The organisation the token acts for, when you belong to several (default: your first).",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Token <token>'. Shown only once.")
    name = serializers.CharField()
    prefix = serializers.CharField()
    customer = serializers.IntegerField(allow_null=True, help_text="The organisation the token acts for.")
    role = serializers.CharField(allow_null=True, help_text="The role it acts with there.")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Null: never expires.")


class ApiTokenSerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="membership.customer_id", read_only=True, allow_null=True)
    role = serializers.CharField(source="membership.role", read_only=True, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "customer", "role", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields
