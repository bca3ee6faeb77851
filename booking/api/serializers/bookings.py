"""Bookings and the requests that hold, confirm, cancel and rebook them."""

from __future__ import annotations

from rest_framework import serializers

from booking.api.fields import StrictCharField
from booking.models import Booking, Launch
from booking.selectors.access import get_contracts_for, get_quotes_for
from booking.services.locking import LAUNCH_RELATED

from .common import KeptFieldsMixin, LaunchIdField, ScopedPrimaryKeyField, StrictQuerySerializer


class BookingSerializer(KeptFieldsMixin, serializers.ModelSerializer):
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
            "fees_charged",
            "refund_due",
            "may_move",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _quotes_to_hold_for(user):
    """The caller's quotes with what the hold reads before its lock: the launch it locks first,
    with the rows that launch's checks read (``locking.LAUNCH_RELATED``, so the lock reads the
    launch row alone), and the quote's adapter. The hold re-reads the quote under that lock with
    its customer and payload, so neither they nor the priced lines the quote's own answer shows
    are joined here."""
    related = [f"launch__{name}" for name in LAUNCH_RELATED]
    return (
        get_quotes_for(user).select_related(None).select_related(*related, "adapter").prefetch_related(None)
    )


class BookingHoldSerializer(serializers.Serializer):
    quote = ScopedPrimaryKeyField(
        fetcher=_quotes_to_hold_for, model_name="quote", kept=True, help_text="An open quote of yours."
    )


class BookingConfirmSerializer(serializers.Serializer):
    contract = ScopedPrimaryKeyField(
        fetcher=get_contracts_for,
        model_name="contract",
        required=False,
        allow_null=True,
        help_text="Default: your active contract with the launch's provider.",
    )


TERMS_HELP = (
    "The `token` of the terms you were shown (`cancel-terms` / `rebook-terms`): the write is refused "
    "with 409 if the terms changed since. Without it the terms current at the write apply."
)


class BookingCancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    terms = StrictCharField(max_length=64, required=False, help_text=TERMS_HELP)


class BookingRebookSerializer(serializers.Serializer):
    launch = LaunchIdField(queryset=Launch.objects.all(), help_text="Another launch of the same provider.")
    terms = StrictCharField(max_length=64, required=False, help_text=TERMS_HELP)


class BookingRebookTermsQuerySerializer(StrictQuerySerializer):
    launch = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The launch to move to.")

    def validate_launch(self, value: int) -> Launch:
        launch = Launch.objects.filter(pk=value).first()
        if launch is None:
            raise serializers.ValidationError(f"No launch has id {value}.")
        return launch


class CancelTermsSerializer(serializers.Serializer):
    """What cancelling costs now; send `token` back as `terms` to cancel on exactly these terms."""

    currency = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    days_before_launch = serializers.IntegerField(help_text="Whole days from now to the NET.")
    fee_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="The provider's tier for that time."
    )
    fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Cancellation fee, of the price."
    )
    refund = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Paid beyond the fee.")
    owed = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The fee beyond what was paid: due as a milestone."
    )
    no_fee_because = serializers.CharField(
        help_text='"held" (a hold costs nothing), a scrub\'s cause, or empty.'
    )
    token = serializers.CharField(help_text="Send back as `terms` with the cancel.")


class RebookTermsSerializer(serializers.Serializer):
    """What moving to `launch` costs now; send `token` back as `terms` to move on exactly these terms."""

    launch = serializers.IntegerField(source="launch_id")
    currency = serializers.CharField()
    old_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    new_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="The seat's price on the new launch: the booking's new price.",
    )
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    fee_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Rebooking fee, of what was paid."
    )
    credit = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="What was paid less the fee, carried over."
    )
    balance_due = serializers.DecimalField(max_digits=14, decimal_places=2)
    refund = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Credit beyond the new price, refunded."
    )
    waived_because = serializers.CharField(
        help_text='"provider_initiative", a delay cause ("provider", "weather"), or empty.'
    )
    token = serializers.CharField(help_text="Send back as `terms` with the rebook.")
