"""Dedicated launch requests: the request a customer sends, and the request as it stands."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from booking.api.fields import (
    AcceptedDateTimeField,
    LocalTimeField,
    NumberOrDecimalStringField,
    StrictCharField,
)
from booking.models import DedicatedRequest
from booking.selectors.access import get_payloads_for, get_quotes_for
from vehicles.models import OrbitFamily, VehicleModel

from .common import ScopedPrimaryKeyField


class DedicatedRequestSerializer(serializers.ModelSerializer):
    ltan = LocalTimeField(read_only=True)
    providers: serializers.ManyRelatedField = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = DedicatedRequest
        fields = [
            "id",
            "reference",
            "customer",
            "payload",
            "vehicle_model",
            "orbit_family",
            "altitude_km",
            "inclination_deg",
            "ltan",
            "earliest",
            "latest",
            "note",
            "status",
            "providers",
            "launch",
            "decline_reason",
            "quote",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DedicatedRequestCreateSerializer(serializers.Serializer):
    payload = ScopedPrimaryKeyField(
        fetcher=get_payloads_for,
        model_name="payload",
        required=False,
        allow_null=True,
        default=None,
        help_text="The payload to fly; its orbit is the request's. Or give the orbit instead.",
    )
    quote = ScopedPrimaryKeyField(
        fetcher=get_quotes_for,
        model_name="quote",
        required=False,
        allow_null=True,
        default=None,
        help_text="A dedicated quote without a launch: the request takes its payload and vehicle model "
        "(and, unless given, the dates after the campaign lead time).",
    )
    vehicle_model = serializers.PrimaryKeyRelatedField(
        queryset=VehicleModel.objects.filter(active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="The vehicle model asked for; null: any that can fly the orbit.",
    )
    orbit_family = serializers.ChoiceField(
        choices=OrbitFamily.choices, required=False, allow_null=True, default=None
    )
    altitude_km = serializers.IntegerField(required=False, allow_null=True, default=None)
    inclination_deg = NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("180"),
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave empty for SSO: follows from the altitude.",
    )
    ltan = LocalTimeField(
        default=None, help_text='Sun-synchronous orbits: the local time of the ascending node, "HH:MM".'
    )
    earliest = AcceptedDateTimeField(required=False, allow_null=True, default=None)
    latest = AcceptedDateTimeField(required=False, allow_null=True, default=None)
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        quote = attrs.get("quote")
        if quote is None:
            missing = {
                name: ["This field is required."]
                for name in ("earliest", "latest")
                if attrs.get(name) is None
            }
            if attrs.get("payload") is None and attrs.get("orbit_family") is None:
                missing["payload"] = ["Name a payload, or give the orbit (orbit_family, altitude_km)."]
            if missing:
                raise serializers.ValidationError(missing)
        return attrs
