"""Payloads: mass and target orbit; what comes back; the local time of the node; a cargo manifest."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.api.fields import (
    LocalTimeField,
    NumberOrDecimalStringField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from booking.selectors.orbit import CatalogOrbitReview, catalog_orbit_review
from booking.selectors.returns import payload_manifest_totals
from booking.services.payloads import payload_mission_problems
from customers.models import CargoItem, CargoProgramme, Payload

from .common import MASS_MAX_DIGITS, KeptFieldsMixin, OrbitSerializer


def _mass_field(**kwargs) -> NumberOrDecimalStringField:
    return NumberOrDecimalStringField(
        max_digits=MASS_MAX_DIGITS,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("99999999.9"),
        **kwargs,
    )


def _size_field(help_text: str) -> NumberOrDecimalStringField:
    return NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class ProgrammeSlugField(serializers.SlugRelatedField):
    """A cargo programme by its slug; an empty string is not "none" (send null for none)."""

    def run_validation(self, data=serializers.empty):
        if data == "":  # DRF's related fields read "" as null
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().run_validation(data)


class CargoItemSerializer(serializers.ModelSerializer):
    direction = serializers.ChoiceField(choices=CargoItem.Direction.choices)
    name = StrictCharField(max_length=120)
    mass_kg = _mass_field()
    priority = StrictIntegerField(
        min_value=1, max_value=5, required=False, default=3, help_text="1: flies first; 5: last."
    )

    class Meta:
        model = CargoItem
        fields = ["id", "direction", "name", "mass_kg", "priority"]
        read_only_fields = ["id"]


class ManifestTotalsSerializer(serializers.Serializer):
    up_kg = serializers.DecimalField(max_digits=12, decimal_places=1, source="up")
    down_kg = serializers.DecimalField(max_digits=12, decimal_places=1, source="down")
    waste_kg = serializers.DecimalField(max_digits=12, decimal_places=1, source="waste")


class PayloadSerializer(KeptFieldsMixin, serializers.ModelSerializer):
    name = StrictCharField(max_length=120)
    mass_kg = _mass_field(help_text="What goes up (for a cargo mission: its up-mass).")
    length_m = _size_field(
        "Stowed length in metres (a booking is confirmed only once length, width and height are known)."
    )
    width_m = _size_field("Stowed width in metres.")
    height_m = _size_field("Stowed height in metres, along the rocket's axis (as it stands on its adapter).")
    orbit = OrbitSerializer(source="*")
    returnable = StrictBooleanField(required=False, default=False)
    return_mass_kg = _mass_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="What comes back to Earth in the return capsule; required when returnable, empty otherwise.",
    )
    ltan = LocalTimeField(
        default=None,
        help_text='Sun-synchronous payloads: the local time of the ascending node they need, "HH:MM".',
    )
    cargo_programme = ProgrammeSlugField(
        slug_field="slug",
        queryset=CargoProgramme.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text='A station cargo mission\'s programme, e.g. "cmsa-station-cargo" (1-4 t up, 100-300 kg back).',
    )
    earliest_launch = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The earliest launch date it can fly (UTC); null: any.",
    )
    latest_launch = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The latest launch date still acceptable (UTC); null: any. A launch slipping past it "
        "makes the provider propose another launch.",
    )
    cargo_items = CargoItemSerializer(many=True, read_only=True, help_text="A cargo mission's manifest.")
    manifest_totals = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(
        help_text="What the catalog said when the payload registered (e.g. more mass than any vehicle "
        "lifts to its orbit); present in the answer to a create or an edit of mass or orbit only."
    )

    class Meta:
        model = Payload
        fields = [
            "id",
            "customer",
            "name",
            "mass_kg",
            "length_m",
            "width_m",
            "height_m",
            "orbit",
            "returnable",
            "return_mass_kg",
            "ltan",
            "cargo_programme",
            "earliest_launch",
            "latest_launch",
            "cargo_items",
            "manifest_totals",
            "created_at",
            "warnings",
        ]
        read_only_fields = ["id", "customer", "created_at", "warnings"]
        # Uniqueness per customer is the service's to say: the customer is not an input.
        validators: list = []

    @extend_schema_field(ManifestTotalsSerializer)
    def get_manifest_totals(self, payload) -> dict:
        return dict(ManifestTotalsSerializer(payload_manifest_totals(payload)).data)

    def get_warnings(self, payload: Payload) -> list[str]:
        return list(getattr(payload, "orbit_warnings", []))

    #: The catalog's review of the validated orbit and mass, handed to ``payload_create``.
    orbit_review: CatalogOrbitReview | None = None

    def validate(self, attrs):
        if self.partial:
            # An edit names only what changes: ``payload_update`` checks the merged payload.
            return attrs
        self.orbit_review = catalog_orbit_review(
            orbit_family=attrs["orbit_family"],
            altitude_km=attrs["altitude_km"],
            inclination_deg=attrs.get("inclination_deg"),
            mass_kg=attrs["mass_kg"],
        )
        problems = self.orbit_review.problems
        if problems:
            raise serializers.ValidationError({"orbit": {field: [msg] for field, msg in problems.items()}})
        mission = payload_mission_problems(
            orbit_family=attrs["orbit_family"],
            mass_kg=attrs["mass_kg"],
            returnable=attrs.get("returnable", False),
            return_mass_kg=attrs.get("return_mass_kg"),
            ltan=attrs.get("ltan"),
            cargo_programme=attrs.get("cargo_programme"),
        )
        if mission:
            raise serializers.ValidationError({field: [msg] for field, msg in mission.items()})
        return attrs
