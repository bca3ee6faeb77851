"""The supply side: providers, rockets, sites, pads and mobile launch platforms."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class OrbitFamily(models.TextChoices):
    LEO = "LEO", "Low Earth orbit"
    SSO = "SSO", "Sun-synchronous orbit"
    MEO = "MEO", "Medium Earth orbit"
    GTO = "GTO", "Geostationary transfer orbit"
    GEO = "GEO", "Geostationary orbit"
    HEO = "HEO", "Highly elliptical orbit"


class Currency(models.TextChoices):
    CNY = "CNY", "Chinese yuan"
    USD = "USD", "US dollar"
    EUR = "EUR", "Euro"


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Asia/Shanghai).") from exc


class Provider(models.Model):
    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    description = models.TextField(blank=True)
    mobile_launch = models.BooleanField(default=False, help_text="Flies from mobile launch platforms.")
    rebooking_fee_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        help_text="Share of the amount paid kept when a booking moves to another launch.",
    )
    express_premium_percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("50.00"),
        help_text="Surcharge on the launch price for a 24-hour express order.",
    )
    hold_limit_per_customer = models.PositiveSmallIntegerField(
        default=3,
        help_text="How many unconfirmed holds one customer may have on this provider's launches at once.",
    )
    hold_share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        help_text=(
            "Share of one launch's capacity that one customer's unconfirmed holds may take together "
            "(a single payload of any size may still be held)."
        ),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rebooking_fee_percent__gte=0) & Q(rebooking_fee_percent__lte=100),
                name="provider_rebooking_fee_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(hold_share_percent__gt=0) & Q(hold_share_percent__lte=100),
                name="provider_hold_share_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class ProviderOperator(models.Model):
    """A staff user who runs the fleet of one provider (and sees only that provider's work)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_roles"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="operators")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="unique_provider_operator")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"


class VehicleModel(models.Model):
    class Propellant(models.TextChoices):
        SOLID = "solid", "Solid"
        LIQUID = "liquid", "Liquid"
        MIXED = "mixed", "Solid with liquid upper stage"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="vehicle_models")
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    stages = models.PositiveSmallIntegerField(default=3)
    propellant = models.CharField(max_length=10, choices=Propellant.choices, default=Propellant.SOLID)
    height_m = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    diameter_m = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    liftoff_mass_t = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    mobile_launch = models.BooleanField(default=False, help_text="Launched from a mobile platform (TEL).")
    adapter_mass_kg = models.DecimalField(
        max_digits=7,
        decimal_places=1,
        default=Decimal("5.0"),
        help_text="Adapter and separation system mass added for each payload carried.",
    )
    active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(adapter_mass_kg__gte=0), name="vehiclemodel_adapter_mass_nonneg"
            ),
            models.CheckConstraint(condition=Q(stages__gte=1), name="vehiclemodel_stages_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class CapacityPoint(models.Model):
    """One point of a vehicle model's capacity curve: kg it lifts to an orbit family at an altitude."""

    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.CASCADE, related_name="capacity_points")
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices)
    altitude_km = models.PositiveIntegerField(validators=[MinValueValidator(100)])
    capacity_kg = models.DecimalField(max_digits=9, decimal_places=1, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["vehicle_model", "orbit_family", "altitude_km"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "orbit_family", "altitude_km"], name="unique_capacity_point"
            ),
            models.CheckConstraint(condition=Q(capacity_kg__gt=0), name="capacitypoint_capacity_positive"),
            models.CheckConstraint(condition=Q(altitude_km__gte=100), name="capacitypoint_altitude_min"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_model}: {self.capacity_kg} kg to {self.orbit_family} {self.altitude_km} km"


class LaunchSite(models.Model):
    name = models.CharField(max_length=80, unique=True)
    code = models.CharField(max_length=10, unique=True)
    country = models.CharField(max_length=2)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai", validators=[validate_time_zone])
    accepts_mobile_platforms = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90), name="launchsite_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180) & Q(longitude__lte=180), name="launchsite_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Pad(models.Model):
    site = models.ForeignKey(LaunchSite, on_delete=models.PROTECT, related_name="pads")
    name = models.CharField(max_length=60)
    turnaround_hours = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        default=Decimal("72.0"),
        help_text="Hours the pad needs between the end of one launch window and the next window.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_pad_per_site"),
            models.CheckConstraint(condition=Q(turnaround_hours__gte=0), name="pad_turnaround_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.name}"


class MobilePlatform(models.Model):
    """A transporter-erector-launcher: drives a rocket to a site, sets up, launches, tears down."""

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        MAINTENANCE = "maintenance", "In maintenance"
        RETIRED = "retired", "Retired"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="platforms")
    name = models.CharField(max_length=60, unique=True)
    home_site = models.ForeignKey(LaunchSite, on_delete=models.PROTECT, related_name="home_platforms")
    road_speed_kmh = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal("50.0"))
    setup_hours = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal("6.0"))
    teardown_hours = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal("4.0"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AVAILABLE)

    class Meta:
        ordering = ["provider__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(road_speed_kmh__gt=0), name="platform_road_speed_positive"),
            models.CheckConstraint(condition=Q(setup_hours__gte=0), name="platform_setup_nonneg"),
            models.CheckConstraint(condition=Q(teardown_hours__gte=0), name="platform_teardown_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name


class RoadRoute(models.Model):
    """An operator-set road transit time between two sites, used instead of the great-circle estimate."""

    origin = models.ForeignKey(LaunchSite, on_delete=models.CASCADE, related_name="routes_out")
    destination = models.ForeignKey(LaunchSite, on_delete=models.CASCADE, related_name="routes_in")
    transit_hours = models.DecimalField(max_digits=6, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["origin", "destination"], name="unique_road_route"),
            models.CheckConstraint(condition=Q(transit_hours__gte=0), name="roadroute_transit_nonneg"),
            models.CheckConstraint(
                condition=~Q(origin=models.F("destination")), name="roadroute_distinct_sites"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination}: {self.transit_hours} h"


class Vehicle(models.Model):
    """One rocket, by serial number."""

    class Status(models.TextChoices):
        IN_PRODUCTION = "in_production", "In production"
        READY_STORAGE = "ready_storage", "Ready storage"
        ASSIGNED = "assigned", "Assigned to a launch"
        FLOWN = "flown", "Flown"
        LOST = "lost", "Lost"

    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, related_name="vehicles")
    serial = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PRODUCTION)
    storage_site = models.ForeignKey(
        LaunchSite, on_delete=models.PROTECT, null=True, blank=True, related_name="stored_vehicles"
    )
    ready_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vehicle_model__name", "serial"]
        indexes = [models.Index(fields=["status", "vehicle_model"])]

    def __str__(self) -> str:
        return f"{self.vehicle_model} {self.serial}"


class SiteClosure(models.Model):
    """A window in which a site may not launch (range, airspace, weather or maintenance)."""

    class Kind(models.TextChoices):
        RANGE = "range", "Range"
        AIRSPACE = "airspace", "Airspace"
        MAINTENANCE = "maintenance", "Maintenance"
        OTHER = "other", "Other"

    site = models.ForeignKey(LaunchSite, on_delete=models.CASCADE, related_name="closures")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RANGE)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["site", "starts_at"]
        indexes = [models.Index(fields=["site", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="siteclosure_window_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} closed {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M} UTC"
