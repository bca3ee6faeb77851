"""The supply side: providers, rockets, sites, pads and mobile launch platforms."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import logistics
from .logistics import DEFAULT_LAUNCH_SEPARATION_MINUTES, route_hours_problem, route_problem


class RouteMode(models.TextChoices):
    ROAD = logistics.ROAD, _("TEL road (on the range)")
    RAIL = logistics.RAIL, _("Rail")
    SEA = logistics.SEA, _("Sea")


class OrbitFamily(models.TextChoices):
    LEO = "LEO", _("Low Earth orbit")
    SSO = "SSO", _("Sun-synchronous orbit")
    MEO = "MEO", _("Medium Earth orbit")
    GTO = "GTO", _("Geostationary transfer orbit")
    GEO = "GEO", _("Geostationary orbit")
    HEO = "HEO", _("Highly elliptical orbit")


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Asia/Shanghai).") from exc


class Provider(models.Model):
    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    short_name = models.CharField(max_length=40, unique=True, verbose_name=_("short name"))
    slug = models.SlugField(max_length=60, unique=True, verbose_name=_("slug"))
    country = models.CharField(
        max_length=2, help_text=_("ISO 3166-1 alpha-2 code."), verbose_name=_("country")
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    mobile_launch = models.BooleanField(
        default=False, help_text=_("Flies from mobile launch platforms."), verbose_name=_("mobile launch")
    )
    rebooking_fee_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        help_text=_(
            "Share of the amount paid kept when the customer moves a booking to another launch "
            "(waived when the provider or the weather slipped or scrubbed its launch)."
        ),
        verbose_name=_("rebooking fee percent"),
    )
    express_premium_percent = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("50.00"),
        help_text=_("Surcharge on the launch price for a 24-hour express order."),
        verbose_name=_("express premium percent"),
    )
    hold_limit_per_customer = models.PositiveSmallIntegerField(
        default=3,
        help_text=_("How many unconfirmed holds one customer may have on this provider's launches at once."),
        verbose_name=_("hold limit per customer"),
    )
    hold_share_percent = models.DecimalField(
        _("hold share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        help_text=_(
            "Share of one launch's capacity that one customer's unconfirmed holds may take together "
            "(a single payload of any size may still be held)."
        ),
    )
    payment_notice_days = models.PositiveSmallIntegerField(
        default=7,
        help_text=_(
            "Days' notice a customer gets to pay: no payment milestone falls due sooner after "
            "confirmation (unless the launch flies sooner: then at its NET)."
        ),
        verbose_name=_("payment notice days"),
    )
    # What its invoices and receipts say about the seller.
    legal_name = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The name invoices are issued under."),
        verbose_name=_("legal name"),
    )
    billing_address = models.TextField(
        blank=True,
        help_text=_("The address printed on invoices, one line a line."),
        verbose_name=_("billing address"),
    )
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    invoice_prefix = models.CharField(
        max_length=8,
        blank=True,
        help_text=_(
            'Starts its invoice numbers, e.g. "EXP" for EXP-2026-00042; empty: the short name\'s letters.'
        ),
        verbose_name=_("invoice prefix"),
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
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


class CancellationTier(models.Model):
    """One step of a provider's cancellation policy: cancelling at least ``days_before_launch``
    days before the NET costs ``fee_percent`` of the booking's price. The tier with the most days
    that still applies is the one charged (``booking.rules.money.cancellation_fee_percent``); a
    tier of 0 days covers the last days before launch."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="cancellation_tiers", verbose_name=_("provider")
    )
    days_before_launch = models.PositiveSmallIntegerField(
        help_text=_("Applies when the booking is cancelled at least this many days before the NET."),
        verbose_name=_("days before launch"),
    )
    fee_percent = models.DecimalField(
        _("fee (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of the booking's price kept as the cancellation fee."),
    )

    class Meta:
        verbose_name = _("cancellation tier")
        verbose_name_plural = _("cancellation tiers")
        ordering = ["provider", "-days_before_launch"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "days_before_launch"], name="cancellation_tier_unique_days"
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0) & Q(fee_percent__lte=100),
                name="cancellation_tier_fee_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.fee_percent}% from {self.days_before_launch} days before launch"


class ProviderOperator(models.Model):
    """A staff user who runs the fleet of one provider (and sees only that provider's work)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_roles",
        verbose_name=_("user"),
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="operators", verbose_name=_("provider")
    )

    class Meta:
        verbose_name = _("provider operator")
        verbose_name_plural = _("provider operators")
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="unique_provider_operator")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"


class VehicleModel(models.Model):
    class Propellant(models.TextChoices):
        SOLID = "solid", _("Solid")
        LIQUID = "liquid", _("Liquid")
        MIXED = "mixed", _("Solid with liquid upper stage")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="vehicle_models", verbose_name=_("provider")
    )
    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    stages = models.PositiveSmallIntegerField(default=3, verbose_name=_("stages"))
    propellant = models.CharField(
        max_length=10, choices=Propellant.choices, default=Propellant.SOLID, verbose_name=_("propellant")
    )
    height_m = models.DecimalField(_("height (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    diameter_m = models.DecimalField(_("diameter (m)"), max_digits=5, decimal_places=2, null=True, blank=True)
    liftoff_mass_t = models.DecimalField(
        _("lift-off mass (t)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    mobile_launch = models.BooleanField(
        default=False, help_text=_("Launched from a mobile platform (TEL)."), verbose_name=_("mobile launch")
    )
    adapter_mass_kg = models.DecimalField(
        _("adapter mass (kg)"),
        max_digits=7,
        decimal_places=1,
        default=Decimal("5.0"),
        help_text=_("Adapter and separation system mass added for each payload carried."),
    )
    envelope_diameter_m = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Usable static payload envelope inside the fairing: its diameter. Empty: not known, "
            "sizes are not checked against the fairing."
        ),
        verbose_name=_("envelope diameter (m)"),
    )
    envelope_height_m = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Usable static payload envelope inside the fairing: its height along the rocket's axis."),
        verbose_name=_("envelope height (m)"),
    )
    family = models.CharField(
        max_length=60,
        blank=True,
        help_text=_(
            "Vehicle family a pad may be built for (e.g. Long March 5, Kuaizhou); empty: the model alone."
        ),
        verbose_name=_("family"),
    )
    express_capable = models.BooleanField(
        default=False,
        help_text=_(
            "May be sold on express terms: solid (storable), launched from a mobile platform, "
            "payload pre-integrated during the weeks before the order."
        ),
        verbose_name=_("express capable"),
    )
    min_pad_campaign_hours = models.DecimalField(
        _("minimum pad campaign (hours)"),
        max_digits=7,
        decimal_places=1,
        default=Decimal("0.0"),
        help_text=_(
            "Shortest campaign at the pad or launch point before lift-off (stacking, fuelling, checks)."
        ),
    )
    active = models.BooleanField(
        default=True,
        help_text=_("Unticked: retired, never scheduled, quoted or offered."),
        verbose_name=_("active"),
    )
    return_capsule_kg = models.DecimalField(
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "Most the return capsule flown on this vehicle brings back to Earth; empty: it flies "
            "no return capsule (docs/catalog.md names the source of each figure)."
        ),
        verbose_name=_("return capsule (kg)"),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))

    class Meta:
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")
        ordering = ["provider__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(adapter_mass_kg__gte=0), name="vehiclemodel_adapter_mass_nonneg"
            ),
            models.CheckConstraint(condition=Q(stages__gte=1), name="vehiclemodel_stages_positive"),
            models.CheckConstraint(
                condition=Q(min_pad_campaign_hours__gte=0), name="vehiclemodel_min_pad_campaign_nonneg"
            ),
            # Express terms need a rocket that lives on its truck: no mobile platform, no express.
            models.CheckConstraint(
                condition=Q(express_capable=False) | Q(mobile_launch=True),
                name="vehiclemodel_express_needs_mobile",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PortKind(models.TextChoices):
    """Where a rideshare payload rides: a ring port or a CubeSat dispenser slot."""

    RING_15 = "ring_15in", _("15-inch ring port")
    RING_24 = "ring_24in", _("24-inch ring port")
    CUBESAT_3U = "cubesat_3u", _("3U CubeSat dispenser slot")
    CUBESAT_6U = "cubesat_6u", _("6U CubeSat dispenser slot")
    CUBESAT_12U = "cubesat_12u", _("12U CubeSat dispenser slot")


class Adapter(models.Model):
    """A separation system or dispenser from the catalog: its mass rides with the payload it carries."""

    class Kind(models.TextChoices):
        SEPARATION_SYSTEM = "separation_system", _("Separation system")
        DISPENSER = "dispenser", _("CubeSat dispenser")

    provider = models.ForeignKey(
        Provider,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="adapters",
        help_text=_("Empty: offered on every provider's launches."),
        verbose_name=_("provider"),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    mass_kg = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(0)], verbose_name=_("mass (kg)")
    )
    port_kinds = models.JSONField(
        default=list, help_text=_("The port kinds it fits."), verbose_name=_("port kinds")
    )
    source = models.CharField(
        max_length=300, blank=True, help_text=_("Where the mass figure comes from."), verbose_name=_("source")
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("adapter")
        verbose_name_plural = _("adapters")
        ordering = ["mass_kg", "name"]
        constraints = [models.CheckConstraint(condition=Q(mass_kg__gte=0), name="adapter_mass_nonneg")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = [kind for kind in self.port_kinds or [] if kind not in PortKind.values]
        if unknown or not self.port_kinds:
            raise ValidationError(
                {"port_kinds": f"List the port kinds it fits, from {', '.join(PortKind.values)}."}
            )


class CapacityPoint(models.Model):
    """One point of a vehicle model's capacity curve: kg it lifts to an orbit family at an altitude."""

    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.CASCADE,
        related_name="capacity_points",
        verbose_name=_("vehicle model"),
    )
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices, verbose_name=_("orbit family"))
    altitude_km = models.PositiveIntegerField(_("altitude (km)"), validators=[MinValueValidator(100)])
    capacity_kg = models.DecimalField(
        _("capacity (kg)"), max_digits=9, decimal_places=1, validators=[MinValueValidator(0)]
    )
    inclination_deg = models.DecimalField(
        _("inclination (°)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(180)],
        help_text=_(
            "Inclination the figure was measured at. Empty: the family's reference inclination "
            "(SSO: sun-synchronous at the altitude; LEO: 41°, due east from Jiuquan)."
        ),
    )

    class Meta:
        verbose_name = _("capacity point")
        verbose_name_plural = _("capacity points")
        ordering = ["vehicle_model", "orbit_family", "altitude_km", "inclination_deg"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "orbit_family", "altitude_km", "inclination_deg"],
                name="unique_capacity_point_inclination",
            ),
            models.UniqueConstraint(
                fields=["vehicle_model", "orbit_family", "altitude_km"],
                condition=Q(inclination_deg__isnull=True),
                name="unique_capacity_point_reference",
            ),
            models.CheckConstraint(
                condition=Q(inclination_deg__isnull=True)
                | (Q(inclination_deg__gte=0) & Q(inclination_deg__lte=180)),
                name="capacitypoint_inclination_range",
            ),
            models.CheckConstraint(condition=Q(capacity_kg__gt=0), name="capacitypoint_capacity_positive"),
            models.CheckConstraint(condition=Q(altitude_km__gte=100), name="capacitypoint_altitude_min"),
        ]

    def __str__(self) -> str:
        at = f" at {self.inclination_deg}°" if self.inclination_deg is not None else ""
        return f"{self.vehicle_model}: {self.capacity_kg} kg to {self.orbit_family} {self.altitude_km} km{at}"


class LaunchSite(models.Model):
    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    code = models.CharField(max_length=10, unique=True, verbose_name=_("code"))
    country = models.CharField(max_length=2, verbose_name=_("country"))
    latitude = models.DecimalField(max_digits=8, decimal_places=5, verbose_name=_("latitude"))
    longitude = models.DecimalField(max_digits=8, decimal_places=5, verbose_name=_("longitude"))
    time_zone = models.CharField(
        max_length=64, default="Asia/Shanghai", validators=[validate_time_zone], verbose_name=_("time zone")
    )
    accepts_mobile_platforms = models.BooleanField(default=True, verbose_name=_("accepts mobile platforms"))
    min_launch_separation_minutes = models.PositiveIntegerField(
        _("minimum launch separation (minutes)"),
        default=DEFAULT_LAUNCH_SEPARATION_MINUTES,
        help_text=_(
            "The range flies one launch at a time: minutes from the end of one launch window "
            "before the next window may open."
        ),
    )

    class Meta:
        verbose_name = _("launch site")
        verbose_name_plural = _("launch sites")
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


class LaunchCorridor(models.Model):
    """An arc of launch azimuths a site's range safety allows (drop zones, populated areas).

    Azimuths are inertial, in degrees clockwise from north, swept clockwise from ``azimuth_from``
    to ``azimuth_to``: (350, 10) is the 20° arc through north. The inclinations a site reaches
    follow from its corridors (``vehicles.orbits.corridor_reach``); a site with no corridor is
    taken as unrestricted (every azimuth of a direct ascent).
    """

    site = models.ForeignKey(
        LaunchSite, on_delete=models.CASCADE, related_name="corridors", verbose_name=_("site")
    )
    azimuth_from = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(360)],
        verbose_name=_("azimuth from"),
    )
    azimuth_to = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(360)],
        verbose_name=_("azimuth to"),
    )
    note = models.CharField(
        max_length=200, blank=True, help_text=_("What flies it, e.g. SSO, southward."), verbose_name=_("note")
    )
    source = models.CharField(
        max_length=300, blank=True, help_text=_("Where the figure comes from."), verbose_name=_("source")
    )

    class Meta:
        verbose_name = _("launch corridor")
        verbose_name_plural = _("launch corridors")
        ordering = ["site__name", "azimuth_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(azimuth_from__gte=0)
                & Q(azimuth_from__lte=360)
                & Q(azimuth_to__gte=0)
                & Q(azimuth_to__lte=360),
                name="launchcorridor_azimuth_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site}: azimuth {self.azimuth_from}°–{self.azimuth_to}°"


class Pad(models.Model):
    site = models.ForeignKey(
        LaunchSite, on_delete=models.PROTECT, related_name="pads", verbose_name=_("site")
    )
    name = models.CharField(max_length=60, verbose_name=_("name"))
    turnaround_hours = models.DecimalField(
        _("turnaround (hours)"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("72.0"),
        help_text=_("Hours the pad needs between the end of one launch window and the next window."),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    vehicle_models: models.ManyToManyField[VehicleModel, Any] = models.ManyToManyField(
        "VehicleModel",
        blank=True,
        related_name="pads",
        verbose_name=_("vehicle models"),
        help_text=_("Vehicle models the pad serves (with the families below)."),
    )
    vehicle_families = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            'Vehicle families the pad was built for, e.g. ["Long March 5"]: every model of the family.'
        ),
        verbose_name=_("vehicle families"),
    )

    class Meta:
        verbose_name = _("pad")
        verbose_name_plural = _("pads")
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
        AVAILABLE = "available", _("Available")
        MAINTENANCE = "maintenance", _("In maintenance")
        RETIRED = "retired", _("Retired")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="platforms", verbose_name=_("provider")
    )
    name = models.CharField(max_length=60, unique=True, verbose_name=_("name"))
    home_site = models.ForeignKey(
        LaunchSite, on_delete=models.PROTECT, related_name="home_platforms", verbose_name=_("home site")
    )
    road_speed_kmh = models.DecimalField(
        _("road speed (km/h)"), max_digits=5, decimal_places=1, default=Decimal("50.0")
    )
    setup_hours = models.DecimalField(
        _("set-up (hours)"), max_digits=5, decimal_places=1, default=Decimal("6.0")
    )
    teardown_hours = models.DecimalField(
        _("tear-down (hours)"), max_digits=5, decimal_places=1, default=Decimal("4.0")
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.AVAILABLE, verbose_name=_("status")
    )
    vehicle_models: models.ManyToManyField[VehicleModel, Any] = models.ManyToManyField(
        "VehicleModel",
        blank=True,
        related_name="platforms",
        verbose_name=_("vehicle models"),
        help_text=_("Vehicle models this transporter-erector-launcher was built to carry."),
    )

    class Meta:
        verbose_name = _("mobile platform")
        verbose_name_plural = _("mobile platforms")
        ordering = ["provider__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(road_speed_kmh__gt=0), name="platform_road_speed_positive"),
            models.CheckConstraint(condition=Q(setup_hours__gte=0), name="platform_setup_nonneg"),
            models.CheckConstraint(condition=Q(teardown_hours__gte=0), name="platform_teardown_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name


class Route(models.Model):
    """An operator-set transport leg between two sites, with its mode and duration.

    A ``road`` leg is the TEL driving the rocket on a range: from a site to itself (ready storage
    or the assembly building to the launch point) or to a site close by. Rockets move between
    launch centres by ``rail`` or by ``sea``, in days. ``vehicles.logistics.rocket_journey``
    chains the legs into a rocket's journey.
    """

    Mode = RouteMode

    origin = models.ForeignKey(
        LaunchSite, on_delete=models.CASCADE, related_name="routes_out", verbose_name=_("origin")
    )
    destination = models.ForeignKey(
        LaunchSite, on_delete=models.CASCADE, related_name="routes_in", verbose_name=_("destination")
    )
    mode = models.CharField(
        max_length=8, choices=RouteMode.choices, default=RouteMode.ROAD, verbose_name=_("mode")
    )
    transit_hours = models.DecimalField(_("transit (hours)"), max_digits=6, decimal_places=1)
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("How the leg runs, e.g. rail to Tianjin, then by ship to Qinglan."),
        verbose_name=_("note"),
    )

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["origin__name", "destination__name", "mode"]
        constraints = [
            models.UniqueConstraint(fields=["origin", "destination", "mode"], name="unique_route_per_mode"),
            models.CheckConstraint(condition=Q(transit_hours__gte=0), name="route_transit_nonneg"),
            # Only a TEL's drive on the range starts and ends at one site.
            models.CheckConstraint(
                condition=~Q(origin=models.F("destination")) | Q(mode=RouteMode.ROAD),
                name="route_distinct_sites_unless_road",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination} by {self.get_mode_display()}: {self.transit_hours} h"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every writer (the admin, the demo loader, a script) meets the route rule; the admin's
        # form shows the same words on the field first.
        problems = self.problems()
        if problems:
            raise ValidationError(problems)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        problems = self.problems()
        if problems:
            raise ValidationError(problems)

    def problems(self) -> dict[str, str]:
        """What the route rule (``vehicles.logistics``) refuses in this row, by field: a TEL
        road leg stays on a range and takes hours that fit its distance; rail and sea join two
        sites."""
        if self.origin_id is None or self.destination_id is None or self.transit_hours is None:
            return {}
        origin, destination = self.origin, self.destination
        origin_latlon = (float(origin.latitude), float(origin.longitude))
        destination_latlon = (float(destination.latitude), float(destination.longitude))
        place = route_problem(
            mode=self.mode,
            origin_name=origin.name,
            destination_name=destination.name,
            origin_latlon=origin_latlon,
            destination_latlon=destination_latlon,
        )
        if place:
            return {"mode": place}
        hours = route_hours_problem(
            mode=self.mode,
            origin_name=origin.name,
            destination_name=destination.name,
            origin_latlon=origin_latlon,
            destination_latlon=destination_latlon,
            transit_hours=self.transit_hours,
        )
        return {"transit_hours": hours} if hours else {}


class Vehicle(models.Model):
    """One rocket, by serial number."""

    class Status(models.TextChoices):
        IN_PRODUCTION = "in_production", _("In production")
        READY_STORAGE = "ready_storage", _("Ready storage")
        ASSIGNED = "assigned", _("Assigned to a launch")
        FLOWN = "flown", _("Flown")
        LOST = "lost", _("Lost")
        RETIRED = "retired", _("Retired")

    #: A serial in one of these states has flown its last: it needs no place and is never scheduled.
    GONE = (Status.FLOWN, Status.LOST, Status.RETIRED)

    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("vehicle model")
    )
    serial = models.CharField(max_length=40, unique=True, verbose_name=_("serial"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.IN_PRODUCTION, verbose_name=_("status")
    )
    storage_site = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stored_vehicles",
        help_text=_("Where the rocket is stored; while in transit, the site it left."),
        verbose_name=_("storage site"),
    )
    in_transit_to = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_vehicles",
        help_text=_("Set while the rocket travels: the site it is bound for."),
        verbose_name=_("in transit to"),
    )
    transit_arrives_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it reaches that site."), verbose_name=_("transit arrives at")
    )
    ready_since = models.DateTimeField(null=True, blank=True, verbose_name=_("ready since"))

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["vehicle_model__name", "serial"]
        indexes = [models.Index(fields=["status", "vehicle_model"])]
        constraints = [
            # Every rocket that can still fly is somewhere: stored at a site or on its way to one.
            models.CheckConstraint(
                condition=Q(status__in=["flown", "lost", "retired", "in_production"])
                | Q(storage_site__isnull=False)
                | Q(in_transit_to__isnull=False),
                name="vehicle_has_a_place",
            ),
            models.CheckConstraint(
                condition=(Q(in_transit_to__isnull=True) & Q(transit_arrives_at__isnull=True))
                | (Q(in_transit_to__isnull=False) & Q(transit_arrives_at__isnull=False)),
                name="vehicle_transit_has_destination_and_arrival",
            ),
            models.CheckConstraint(
                condition=Q(in_transit_to__isnull=True)
                | Q(storage_site__isnull=True)
                | ~Q(in_transit_to=models.F("storage_site")),
                name="vehicle_transit_goes_elsewhere",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_model} {self.serial}"

    @property
    def in_transit(self) -> bool:
        return self.in_transit_to_id is not None

    @property
    def place_text(self) -> str:
        """Where the rocket is, in words: "at Taiyuan", "in transit to Jiuquan", "retired"."""
        if self.status in self.GONE:
            return self.get_status_display().lower()
        if self.in_transit_to_id is not None:
            return f"in transit to {self.in_transit_to}"
        if self.storage_site_id is not None:
            return f"at {self.storage_site}"
        return "in production, at no site yet"


class SiteClosure(models.Model):
    """A window in which a site may not launch (range, airspace, weather or maintenance)."""

    class Kind(models.TextChoices):
        RANGE = "range", _("Range")
        AIRSPACE = "airspace", _("Airspace")
        MAINTENANCE = "maintenance", _("Maintenance")
        OTHER = "other", _("Other")

    site = models.ForeignKey(
        LaunchSite, on_delete=models.CASCADE, related_name="closures", verbose_name=_("site")
    )
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RANGE, verbose_name=_("kind"))
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))

    class Meta:
        verbose_name = _("site closure")
        verbose_name_plural = _("site closures")
        ordering = ["site", "starts_at"]
        indexes = [models.Index(fields=["site", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="siteclosure_window_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} closed {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M} UTC"
