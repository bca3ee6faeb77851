"""Bookings and the requests that hold, confirm, cancel and rebook them."""

from __future__ import annotations

from rest_framework import serializers

from booking.api.fields import StrictCharField
from booking.models import Booking, Launch
from booking.selectors.access import get_contracts_for, get_quotes_for

from .common import LaunchIdField, ScopedPrimaryKeyField


class BookingSerializer(serializers.ModelSerializer):
    port = serializers.CharField(
        source="launch_port.kind",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The port kind taken.",
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "reference",
            "customer",
            "payload",
            "launch",
            "quote",
            "contract",
            "status",
            "price",
            "currency",
            "mass_kg",
            "adapter_mass_kg",
            "port",
            "adapter",
            "hold_expires_at",
            "rebooked_from",
            "credit_carried_over",
            "amount_paid",
            "may_move",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _quotes_to_hold_for(user):
    """The caller's quotes with what the hold reads (launch, payload, customer), without the
    priced lines the quote's own answer shows."""
    return get_quotes_for(user).prefetch_related(None)


class BookingHoldSerializer(serializers.Serializer):
    quote = ScopedPrimaryKeyField(
        fetcher=_quotes_to_hold_for, model_name="quote", help_text="An open quote of yours."
    )


class BookingConfirmSerializer(serializers.Serializer):
    contract = ScopedPrimaryKeyField(
        fetcher=get_contracts_for,
        model_name="contract",
        required=False,
        allow_null=True,
        help_text="Default: your active contract with the launch's provider.",
    )


class BookingCancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class BookingRebookSerializer(serializers.Serializer):
    launch = LaunchIdField(queryset=Launch.objects.all(), help_text="Another launch of the same provider.")
