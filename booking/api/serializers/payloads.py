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
    orbit = OrbitSerializer(source="*")
    returnable = StrictBooleanField(required=False, default=False)
    warnings = serializers.SerializerMethodField(
        help_text="What the catalog said when the payload registered (e.g. more mass than any vehicle "
        "lifts to its orbit); present in the answer to a create only."
    )

    class Meta:
        model = Payload
        fields = ["id", "customer", "name", "mass_kg", "orbit", "returnable", "created_at", "warnings"]
        read_only_fields = ["id", "customer", "created_at", "warnings"]
        # Uniqueness per customer is the service's to say: the customer is not an input.
        validators: list = []

    def get_warnings(self, payload: Payload) -> list[str]:
        return list(getattr(payload, "orbit_warnings", []))

    def validate(self, attrs):
        problems = payload_orbit_problems(
            orbit_family=attrs["orbit_family"],
            altitude_km=attrs["altitude_km"],
            inclination_deg=attrs.get("inclination_deg"),
        )
        if problems:
            raise serializers.ValidationError({"orbit": {field: [msg] for field, msg in problems.items()}})
        return attrs
