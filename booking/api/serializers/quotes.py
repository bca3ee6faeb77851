"""Quotes: the request that prices a payload and the priced quote."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.api.fields import NumberOrDecimalStringField
from booking.models import AddOnService, Launch, Quote, QuoteLine
from booking.selectors.access import get_payloads_for
from vehicles.models import Adapter, Currency, PortKind, VehicleModel

from .common import KeptFieldsMixin, LaunchIdField, ScopedPrimaryKeyField


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, source="total", read_only=True)
    currency = serializers.ChoiceField(choices=Currency.choices, read_only=True)


class QuoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = ["position", "kind", "description", "amount"]
        read_only_fields = fields


class QuoteSerializer(KeptFieldsMixin, serializers.ModelSerializer):
    lines = QuoteLineSerializer(many=True, read_only=True)
    payload_mass_kg = serializers.SerializerMethodField(
        help_text="The payload's own mass; `mass_kg` is what is counted and billed: payload plus adapter."
    )
    adapter_mass_kg = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    port = serializers.CharField(
        source="launch_port.kind",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The port kind taken.",
    )
    total = MoneySerializer(source="*", read_only=True)
    options = serializers.ListField(child=serializers.CharField(), read_only=True)

    @extend_schema_field(serializers.DecimalField(max_digits=9, decimal_places=1))
    def get_payload_mass_kg(self, quote: Quote) -> str:
        return f"{quote.mass_kg - quote.adapter_mass_kg:.1f}"

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
            "payload_mass_kg",
            "adapter_mass_kg",
            "port",
            "adapter",
            "options",
            "declared_value",
            "chosen_because",
            "lines",
            "total",
            "status",
            "valid_until",
            "created_at",
        ]
        read_only_fields = fields


class QuoteRequestSerializer(serializers.Serializer):
    payload = ScopedPrimaryKeyField(fetcher=get_payloads_for, model_name="payload", kept=True)
    service_level = serializers.ChoiceField(
        choices=Launch.ServiceLevel.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "On a launch, leave it out: the launch's own service level prices the seat (another one "
            "is refused). For a dedicated launch of a model: standard (the default) or express."
        ),
    )
    launch = LaunchIdField(
        kept=True,
        # What pricing and the fit checks read of the launch, in the same query (its ports are read
        # once by ``quote_create``); the vehicle's capacity points come from the kept orbit catalog
        # (``selectors.catalog``).
        queryset=Launch.objects.select_related("provider", "vehicle_model", "vehicle__vehicle_model"),
        required=False,
        allow_null=True,
        help_text=(
            "A rideshare seat on this launch. Send neither `launch` nor `vehicle_model` for the best "
            "option for the payload: the earliest (then cheapest) rideshare launch that takes it, else "
            "the cheapest dedicated launch; `chosen_because` says why."
        ),
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
    port = serializers.ChoiceField(
        choices=PortKind.choices,
        required=False,
        allow_null=True,
        help_text="On a launch with ports: the port kind to ride on (see the launch's `ports`).",
    )
    adapter = serializers.PrimaryKeyRelatedField(
        queryset=Adapter.objects.filter(active=True),
        required=False,
        allow_null=True,
        help_text="A catalog adapter (separation system or dispenser) fitting the port; default: the lightest that fits.",
    )
    declared_value = NumberOrDecimalStringField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="The payload's value, in the quote's currency (prices insurance).",
    )
