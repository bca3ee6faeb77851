"""Quotes: the request that prices a payload and the priced quote."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from rest_framework import serializers

from booking.api.fields import NumberOrDecimalStringField
from booking.models import AddOnService, Launch, Quote, QuoteLine
from booking.selectors.access import get_payloads_for
from vehicles.models import CapacityPoint, Currency, VehicleModel

from .common import LaunchIdField, ScopedPrimaryKeyField


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, source="total", read_only=True)
    currency = serializers.ChoiceField(choices=Currency.choices, read_only=True)


class QuoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = ["position", "kind", "description", "amount"]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    lines = QuoteLineSerializer(many=True, read_only=True)
    total = MoneySerializer(source="*", read_only=True)
    options = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "reference",
            "customer",
            "payload",
            "kind",
            "service_level",
            "launch",
            "vehicle_model",
            "provider",
            "mass_kg",
            "options",
            "declared_value",
            "lines",
            "total",
            "status",
            "valid_until",
            "created_at",
        ]
        read_only_fields = fields


class QuoteRequestSerializer(serializers.Serializer):
    payload = ScopedPrimaryKeyField(fetcher=get_payloads_for, model_name="payload")
    service_level = serializers.ChoiceField(choices=Launch.ServiceLevel.choices, default="standard")
    launch = LaunchIdField(
        # What pricing and the fit checks read of the launch, in the same query and one prefetch.
        queryset=Launch.objects.select_related(
            "provider", "vehicle_model", "vehicle__vehicle_model"
        ).prefetch_related(
            Prefetch(
                "vehicle_model__capacity_points",
                queryset=CapacityPoint.objects.order_by("orbit_family", "altitude_km"),
            )
        ),
        required=False,
        allow_null=True,
        help_text="A rideshare seat on this launch.",
    )
    vehicle_model = serializers.PrimaryKeyRelatedField(
        queryset=VehicleModel.objects.all(),
        required=False,
        allow_null=True,
        help_text="Instead of a launch: a dedicated launch of this model.",
    )
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.USD)
    options = serializers.ListField(
        child=serializers.ChoiceField(choices=AddOnService.Kind.values),
        required=False,
        max_length=3,
    )
    declared_value = NumberOrDecimalStringField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="The payload's value, in the quote's currency (prices insurance).",
    )
