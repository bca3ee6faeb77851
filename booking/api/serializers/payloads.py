"""Payloads: mass and target orbit."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from booking.api.fields import NumberOrDecimalStringField, StrictBooleanField, StrictCharField
from booking.services.payloads import payload_orbit_problems
from customers.models import Payload

from .common import MASS_MAX_DIGITS, OrbitSerializer


class PayloadSerializer(serializers.ModelSerializer):
    name = StrictCharField(max_length=120)
    mass_kg = NumberOrDecimalStringField(
        max_digits=MASS_MAX_DIGITS,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("99999999.9"),
    )
    length_m = NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Stowed length in metres (a booking is confirmed only once length, width and height are known).",
    )
    width_m = NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Stowed width in metres.",
    )
    height_m = NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Stowed height in metres, along the rocket's axis (as it stands on its adapter).",
    )
    orbit = OrbitSerializer(source="*")
    returnable = StrictBooleanField(required=False, default=False)

    class Meta:
        model = Payload
        fields = [
            "id",
            "customer",
            "name",
            "mass_kg",
            "length_m",
            "width_m",
            "height_m",
            "orbit",
            "returnable",
            "created_at",
        ]
        read_only_fields = ["id", "customer", "created_at"]
        # Uniqueness per customer is the service's to say: the customer is not an input.
        validators: list = []

    def validate(self, attrs):
        problems = payload_orbit_problems(
            orbit_family=attrs["orbit_family"],
            altitude_km=attrs["altitude_km"],
            inclination_deg=attrs.get("inclination_deg"),
        )
        if problems:
            raise serializers.ValidationError({"orbit": {field: [msg] for field, msg in problems.items()}})
        return attrs
