"""Standby entries: a payload waiting for a launch or an orbit, and the seat offered to it."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from booking.api.fields import LocalTimeField, NumberOrDecimalStringField
from booking.models import Launch, StandbyEntry
from booking.selectors.access import get_contracts_for, get_payloads_for
from booking.selectors.standby import standby_position
from vehicles.models import OrbitFamily

from .common import LaunchIdField, ScopedPrimaryKeyField


class StandbyEntrySerializer(serializers.ModelSerializer):
    position = serializers.SerializerMethodField(
        help_text="1 for the next entry of its list to be offered a seat; null once it is not waiting."
    )
    offer_booking = serializers.CharField(
        source="offer_booking.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The held booking offered (its reference); confirm it by accepting the offer.",
    )
    offer_launch = serializers.IntegerField(
        source="offer_booking.launch_id", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = StandbyEntry
        fields = [
            "id",
            "customer",
            "payload",
            "launch",
            "orbit_family",
            "altitude_km",
            "inclination_min_deg",
            "inclination_max_deg",
            "ltan",
            "earliest_date",
            "latest_date",
            "status",
            "position",
            "offer_booking",
            "offer_launch",
            "offer_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_position(self, entry: StandbyEntry) -> int | None:
        return standby_position(entry)


def _inclination(help_text: str):
    return NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("180"),
        required=False,
        allow_null=True,
        default=None,
        help_text=help_text,
    )


class StandbyJoinSerializer(serializers.Serializer):
    payload = ScopedPrimaryKeyField(
        fetcher=get_payloads_for, model_name="payload", help_text="A payload of yours."
    )
    launch = LaunchIdField(
        queryset=Launch.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Wait for a seat on this launch; leave out to wait for any launch to the payload's orbit.",
    )
    orbit_family = serializers.ChoiceField(
        choices=OrbitFamily.choices, required=False, default="", help_text="Default: the payload's."
    )
    altitude_km = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Default: the payload's."
    )
    inclination_min_deg = _inclination("The lowest launch inclination accepted (orbit entries).")
    inclination_max_deg = _inclination("The highest launch inclination accepted (orbit entries).")
    ltan = LocalTimeField(default=None, help_text='Default: the payload\'s, "HH:MM".')
    earliest_date = serializers.DateField(required=False, allow_null=True, default=None)
    latest_date = serializers.DateField(required=False, allow_null=True, default=None)


class StandbyAcceptSerializer(serializers.Serializer):
    contract = ScopedPrimaryKeyField(
        fetcher=get_contracts_for,
        model_name="contract",
        required=False,
        allow_null=True,
        help_text="Default: your active contract with the launch's provider.",
    )
