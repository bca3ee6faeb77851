"""Where and when a payload can fly."""

from __future__ import annotations

from rest_framework import serializers

from booking.models import Quote
from vehicles.models import Currency

from .common import StrictQuerySerializer


class AvailabilityQuerySerializer(StrictQuerySerializer):
    payload = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="One of your payloads.")
    earliest = serializers.DateTimeField(required=False, help_text="No launch before this (default: now).")
    latest = serializers.DateTimeField(required=False, help_text="No launch after this.")
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.USD)


class AvailabilityOptionSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 is the best option (earliest, then cheapest).")
    kind = serializers.ChoiceField(choices=Quote.Kind.choices)
    launch = serializers.IntegerField(allow_null=True, help_text="The rideshare launch; null for dedicated.")
    vehicle_model = serializers.IntegerField()
    provider = serializers.IntegerField()
    site = serializers.IntegerField()
    net = serializers.DateTimeField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=Currency.choices)
    remaining_capacity_kg = serializers.DecimalField(max_digits=12, decimal_places=1)
    why = serializers.CharField()


class AvailabilitySerializer(serializers.Serializer):
    payload = serializers.IntegerField()
    options = AvailabilityOptionSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why nothing (else) fits.")
