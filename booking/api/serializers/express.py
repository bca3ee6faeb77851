"""The 24-hour express order: the express quote (priced, held a few minutes), its confirmation,
and the one-call order with a price ceiling."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from booking.api.fields import NumberOrDecimalStringField
from booking.selectors.access import get_contracts_for, get_payloads_for
from vehicles.models import Currency

from .bookings import BookingSerializer
from .common import ScopedPrimaryKeyField
from .launches import LaunchSerializer
from .quotes import QuoteSerializer


class ExpressQuoteRequestSerializer(serializers.Serializer):
    payload = ScopedPrimaryKeyField(
        fetcher=get_payloads_for, model_name="payload", help_text="One of your payloads."
    )
    currency = serializers.ChoiceField(
        choices=Currency.choices, default=Currency.USD, help_text="The currency of the price."
    )
    contract = ScopedPrimaryKeyField(
        fetcher=get_contracts_for,
        model_name="contract",
        required=False,
        allow_null=True,
        help_text=(
            "The contract to confirm under: only plans of its provider are offered. Default: your "
            "oldest active contract with a launch left with the provider of the earliest plan."
        ),
    )


class ExpressOrderRequestSerializer(ExpressQuoteRequestSerializer):
    max_price = NumberOrDecimalStringField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="The most you pay, in `currency`: a dearer express launch is refused (409 naming its price).",
    )


class ExpressContractSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    provider = serializers.IntegerField(source="provider_id", read_only=True)


class ExpressQuoteSerializer(serializers.Serializer):
    booking = BookingSerializer(help_text="Held until `hold_expires_at`; confirm before then.")
    launch = LaunchSerializer(help_text="Scheduled for this quote; scrubbed if it is not confirmed.")
    quote = QuoteSerializer(help_text="The price lines and total.")
    contract = ExpressContractSerializer(help_text="The contract the quote is confirmed under.")


class ExpressOrderSerializer(serializers.Serializer):
    booking = BookingSerializer()
    launch = LaunchSerializer()
