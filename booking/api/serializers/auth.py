"""Tokens: logging in and the list of a user's tokens."""

from __future__ import annotations

from rest_framework import serializers

from booking.api.fields import StrictCharField
from booking.models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)
    name = StrictCharField(
        max_length=80, required=False, help_text="What the token is for; shown when you list your tokens."
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Token <token>'. Shown only once.")
    name = serializers.CharField()
    prefix = serializers.CharField()


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = fields
