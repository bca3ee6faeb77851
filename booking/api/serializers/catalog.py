"""The catalog: providers, rocket models with capacity curves, rockets, sites and pads, platforms."""

from __future__ import annotations

from rest_framework import serializers

from vehicles.models import (
    CapacityPoint,
    LaunchCorridor,
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    Vehicle,
    VehicleModel,
)

from .common import KeptFieldsMixin


class ProviderSerializer(KeptFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "name", "short_name", "slug", "country", "description", "mobile_launch"]


class CapacityPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = CapacityPoint
        fields = ["orbit_family", "altitude_km", "capacity_kg", "inclination_deg"]


class LaunchCorridorSerializer(serializers.ModelSerializer):
    class Meta:
        model = LaunchCorridor
        fields = ["azimuth_from", "azimuth_to", "note", "source"]


class VehicleModelSerializer(serializers.ModelSerializer):
    capacity_points = CapacityPointSerializer(many=True, read_only=True)

    class Meta:
        model = VehicleModel
        fields = [
            "id",
            "provider",
            "name",
            "slug",
            "stages",
            "propellant",
            "height_m",
            "diameter_m",
            "liftoff_mass_t",
            "mobile_launch",
            "adapter_mass_kg",
            "active",
            "description",
            "capacity_points",
        ]


class VehicleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vehicle
        fields = ["id", "vehicle_model", "serial", "status", "storage_site", "ready_since"]


class PadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pad
        fields = ["id", "name", "turnaround_hours", "active"]


class SiteSerializer(serializers.ModelSerializer):
    pads = PadSerializer(many=True, read_only=True)
    corridors = LaunchCorridorSerializer(many=True, read_only=True)

    class Meta:
        model = LaunchSite
        fields = [
            "id",
            "name",
            "code",
            "country",
            "latitude",
            "longitude",
            "time_zone",
            "accepts_mobile_platforms",
            "pads",
            "corridors",
        ]


class PlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = MobilePlatform
        fields = [
            "id",
            "provider",
            "name",
            "home_site",
            "road_speed_kmh",
            "setup_hours",
            "teardown_hours",
            "status",
        ]
