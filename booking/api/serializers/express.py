"""The 24-hour express order."""

from __future__ import annotations

from rest_framework import serializers

from booking.selectors.access import get_payloads_for

from .bookings import BookingSerializer
from .common import ScopedPrimaryKeyField
from .launches import LaunchSerializer


class ExpressOrderRequestSerializer(serializers.Serializer):
    payload = ScopedPrimaryKeyField(
        fetcher=get_payloads_for, model_name="payload", help_text="One of your payloads."
    )


class ExpressOrderSerializer(serializers.Serializer):
    booking = BookingSerializer()
    launch = LaunchSerializer()
