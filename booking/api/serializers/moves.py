"""Moves offered: the provider's offer to move a booking to another of its launches."""

from __future__ import annotations

from rest_framework import serializers

from booking.models import ManifestMove
from booking.selectors.manifest.moves import move_money_text


class MoveOfferSerializer(serializers.ModelSerializer):
    booking = serializers.CharField(
        source="booking.reference", read_only=True, help_text="The booking it moves."
    )
    new_booking = serializers.CharField(
        source="new_booking.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The booking on the new launch, once the move is accepted.",
    )
    terms = serializers.SerializerMethodField(help_text="What the move costs, in words.")

    class Meta:
        model = ManifestMove
        fields = [
            "id",
            "booking",
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
