"""Moves offered: the provider's offer to move a booking to another of its launches."""

from __future__ import annotations

from rest_framework import serializers

from booking.api.fields import StrictBooleanField
from booking.models import ManifestMove
from booking.selectors.manifest.moves import move_money_text


class MoveOfferSerializer(serializers.ModelSerializer):
    booking = serializers.CharField(
        source="booking.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The booking it moves (none for a standby entry's or a dedicated request's seat).",
    )
    new_booking = serializers.CharField(
        source="new_booking.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The booking on the new launch, once the move is accepted.",
    )
    payload = serializers.CharField(
        source="payload.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The payload offered a seat (a standby entry's or a dedicated request's move).",
    )
    dedicated_request = serializers.CharField(
        source="dedicated_request.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The dedicated launch request offered a rideshare seat instead.",
    )
    terms = serializers.SerializerMethodField(help_text="What the move costs, in words.")

    class Meta:
        model = ManifestMove
        fields = [
            "id",
            "source",
            "booking",
            "standby_entry",
            "dedicated_request",
            "payload",
            "from_launch",
            "to_launch",
            "status",
            "reason",
            "mass_kg",
            "price_change",
            "fee_waived",
            "currency",
            "terms",
            "offer_expires_at",
            "answered_at",
            "refusal",
            "new_booking",
        ]
        read_only_fields = fields

    def get_terms(self, move: ManifestMove) -> str:
        return move_money_text(move)


class MoveConsentSerializer(serializers.Serializer):
    """Whether the provider may offer moves of every booking of the organisation."""

    allows_moves = StrictBooleanField(
        help_text="Off: the manifest optimiser leaves every booking of the organisation where it is."
    )


class BookingMoveConsentSerializer(serializers.Serializer):
    """Whether the provider may offer moves of one booking."""

    booking = serializers.CharField(read_only=True, help_text="The booking's reference.")
    may_move = StrictBooleanField(help_text="Off: the manifest optimiser leaves this booking where it is.")
