"""The business: launches, bookings and the audit log of every change."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.dates import minute_text
from customers.models import Contract, Customer, Payload, PaymentMilestone
from vehicles.models import (
    Adapter,
    Currency,
    LaunchSite,
    MobilePlatform,
    OrbitFamily,
    Pad,
    PortKind,
    Provider,
    Vehicle,
    VehicleModel,
)


class DelayCause(models.TextChoices):
    """Why a launch slipped or was scrubbed, recorded on its ``launch.slipped`` and
    ``launch.scrubbed`` events. A delay the provider or the weather caused waives the rebooking
    fee of the bookings that move away from it (``booking.rules.money.WAIVING_CAUSES``)."""

    PROVIDER = "provider", _("Provider or technical")
    WEATHER = "weather", _("Weather")
    RANGE = "range", _("Range")
    CUSTOMER = "customer", _("Customer")


class Launch(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SCHEDULED = "scheduled", _("Scheduled")
        HOLD = "hold", _("On hold")
        GO = "go", _("Go for launch")
        LAUNCHED = "launched", _("Launched")
        SUCCESS = "success", _("Success")
        PARTIAL_FAILURE = "partial_failure", _("Partial failure")
        FAILURE = "failure", _("Failure")
        SCRUBBED = "scrubbed", _("Scrubbed")

    class HeldBy(models.TextChoices):
        NOBODY = "", _("Not on hold")
        READINESS = "readiness", _("Readiness")
        OPERATOR = "operator", _("An operator")

    # Launches in these states still occupy a vehicle, a pad or a platform, and sell seats.
    ACTIVE_STATUSES = (Status.PLANNED, Status.SCHEDULED, Status.HOLD, Status.GO)
    FINAL_STATUSES = (Status.SUCCESS, Status.PARTIAL_FAILURE, Status.FAILURE, Status.SCRUBBED)

    class NetPrecision(models.TextChoices):
        MINUTE = "minute", _("Minute")
        HOUR = "hour", _("Hour")
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    class ServiceLevel(models.TextChoices):
        STANDARD = "standard", _("Standard campaign")
        EXPRESS = "express", _("Express (24-hour)")

    name = models.CharField(max_length=120, verbose_name=_("name"))
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="launches", verbose_name=_("provider")
    )
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, related_name="launches", verbose_name=_("vehicle model")
    )
    vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="launches",
        verbose_name=_("vehicle"),
    )
    site = models.ForeignKey(
        LaunchSite, on_delete=models.PROTECT, related_name="launches", verbose_name=_("site")
    )
    pad = models.ForeignKey(
        Pad, on_delete=models.PROTECT, null=True, blank=True, related_name="launches", verbose_name=_("pad")
    )
    platform = models.ForeignKey(
        MobilePlatform,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="launches",
        verbose_name=_("platform"),
    )
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices, verbose_name=_("orbit family"))
    altitude_km = models.PositiveIntegerField(_("altitude (km)"))
    inclination_deg = models.DecimalField(_("inclination (°)"), max_digits=6, decimal_places=2)
    window_start = models.DateTimeField(verbose_name=_("window start"))
    window_end = models.DateTimeField(verbose_name=_("window end"))
    ltan = models.TimeField(
        null=True,
        blank=True,
        verbose_name=_("local time of the ascending node"),
        help_text=_(
            "Sun-synchronous launches: the plane's local mean solar time of the ascending node; "
            "the window opens at the same UTC time every day (docs/orbits.md)."
        ),
    )
    net = models.DateTimeField(
        _("NET"), help_text=_("No earlier than: the best current estimate of lift-off.")
    )
    net_precision = models.CharField(
        _("NET precision"), max_length=8, choices=NetPrecision.choices, default=NetPrecision.HOUR
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True, verbose_name=_("status")
    )
    service_level = models.CharField(
        max_length=10,
        choices=ServiceLevel.choices,
        default=ServiceLevel.STANDARD,
        verbose_name=_("service level"),
    )
    rideshare = models.BooleanField(
        default=True, help_text=_("Sells seats to more than one customer."), verbose_name=_("rideshare")
    )
    dedicated_customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dedicated_launches",
        help_text=_("A dedicated launch sold to one customer: no other customer books on it."),
        verbose_name=_("dedicated customer"),
    )
    held_by = models.CharField(
        max_length=10,
        choices=HeldBy.choices,
        default=HeldBy.NOBODY,
        blank=True,
        help_text=_(
            "Who put the launch on hold, read while it is on hold: readiness releases only its own holds."
        ),
        verbose_name=_("held by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("launch")
        verbose_name_plural = _("launches")
        ordering = ["net", "pk"]
        indexes = [models.Index(fields=["status", "net"]), models.Index(fields=["provider", "net"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="launch_window_order"
            ),
            models.CheckConstraint(
                condition=Q(net__gte=models.F("window_start")) & Q(net__lte=models.F("window_end")),
                name="launch_net_within_window",
            ),
            models.CheckConstraint(
                condition=Q(pad__isnull=True) | Q(platform__isnull=True), name="launch_pad_or_platform"
            ),
            models.CheckConstraint(
                condition=Q(inclination_deg__gte=0) & Q(inclination_deg__lte=180),
                name="launch_inclination_range",
            ),
            models.CheckConstraint(condition=Q(altitude_km__gte=100), name="launch_altitude_min"),
            # A rocket flies once: no two live launches may claim the same serial.
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=Q(vehicle__isnull=False) & ~Q(status="scrubbed"),
                name="unique_live_launch_per_vehicle",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class Booking(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held")
        CONFIRMED = "confirmed", _("Confirmed")
        MANIFESTED = "manifested", _("Manifested")
        FLOWN = "flown", _("Flown")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Hold expired")

    # Which bookings take capacity is ``booking.selectors.capacity.capacity_taking_q`` (held ones
    # only until their hold runs out).

    reference = models.CharField(max_length=20, unique=True, verbose_name=_("reference"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("customer")
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("contract"),
    )
    payload = models.ForeignKey(
        Payload, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("payload")
    )
    launch = models.ForeignKey(
        Launch, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("launch")
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.HELD, db_index=True, verbose_name=_("status")
    )
    price = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("price"))
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))
    mass_kg = models.DecimalField(
        _("mass (kg)"),
        max_digits=9,
        decimal_places=1,
        help_text=_("Payload plus adapter mass counted against the launch."),
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("hold expires at"))
    quote = models.ForeignKey(
        "Quote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("quote"),
    )
    # The port it takes (none on a launch without ports) and the adapter whose mass mass_kg counts.
    launch_port = models.ForeignKey(
        "LaunchPort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("launch port"),
    )
    adapter = models.ForeignKey(
        Adapter, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("adapter")
    )
    adapter_mass_kg = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("0"), verbose_name=_("adapter mass (kg)")
    )
    rebooked_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebooked_to",
        verbose_name=_("rebooked from"),
    )
    credit_carried_over = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Paid before the booking last moved to another launch, less the rebooking fee."),
        verbose_name=_("credit carried over"),
    )
    amount_paid = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), verbose_name=_("amount paid")
    )
    fees_charged = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Rebooking and cancellation fees charged, as the customer agreed them."),
        verbose_name=_("fees charged"),
    )
    refund_due = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_(
            "Owed back to the customer: paid beyond the fee on cancelling, or beyond a lower price after a move."
        ),
        verbose_name=_("refund due"),
    )
    may_move = models.BooleanField(
        _("may be moved"),
        default=True,
        help_text=_(
            "The customer agrees that the provider may offer to move this booking to another launch "
            "(each move is still an offer the customer accepts or declines)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["launch", "status"]),
            models.Index(fields=["status", "hold_expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="booking_price_nonneg"),
            models.CheckConstraint(condition=Q(mass_kg__gt=0), name="booking_mass_positive"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="booking_paid_nonneg"),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False), name="booking_hold_has_expiry"
            ),
            # One payload rides one launch at a time.
            models.UniqueConstraint(
                fields=["payload"],
                condition=Q(status__in=["held", "confirmed", "manifested"]),
                name="unique_active_booking_per_payload",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class DedicatedRequest(models.Model):
    """A customer's request for a dedicated launch: a vehicle model (or any), the orbit (from a
    payload, or given), a span of dates and a note. An operator of a provider that can fly it
    schedules a launch for it (``scheduled``, the launch linked) or declines it with a reason;
    the customer may withdraw it while it is open. A booking confirmed on its launch makes it
    ``booked``; a rideshare seat the manifest optimiser offered and the customer took makes it
    ``met``. Written by ``booking.services.dedicated`` only."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Declined")
        BOOKED = "booked", _("Booked")
        MET = "met", _("Met by a rideshare seat")

    OPEN_STATUSES = (Status.REQUESTED,)

    reference = models.CharField(max_length=20, unique=True, verbose_name=_("reference"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="dedicated_requests", verbose_name=_("customer")
    )
    payload = models.ForeignKey(
        Payload,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dedicated_requests",
        verbose_name=_("payload"),
    )
    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dedicated_requests",
        help_text=_("Empty: any vehicle model that can fly the orbit."),
        verbose_name=_("vehicle model"),
    )
    providers = models.ManyToManyField(
        Provider,
        related_name="dedicated_requests",
        blank=True,
        help_text=_(
            "The providers whose operators see it: the model's, or for any model each provider "
            "with a model that can fly the orbit."
        ),
        verbose_name=_("providers"),
    )
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices, verbose_name=_("orbit family"))
    altitude_km = models.PositiveIntegerField(_("altitude (km)"))
    inclination_deg = models.DecimalField(
        _("inclination (°)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    ltan = models.TimeField(null=True, blank=True, verbose_name=_("local time of the ascending node"))
    earliest = models.DateTimeField(verbose_name=_("earliest"))
    latest = models.DateTimeField(verbose_name=_("latest"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.REQUESTED,
        db_index=True,
        verbose_name=_("status"),
    )
    launch = models.OneToOneField(
        Launch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dedicated_request",
        verbose_name=_("launch"),
    )
    decline_reason = models.CharField(max_length=300, blank=True, verbose_name=_("decline reason"))
    quote = models.ForeignKey(
        "Quote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The dedicated quote the request was made from, if any."),
        verbose_name=_("quote"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("dedicated launch request")
        verbose_name_plural = _("dedicated launch requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latest__gte=models.F("earliest")), name="dedicated_dates_order"
            ),
            models.CheckConstraint(condition=Q(altitude_km__gte=100), name="dedicated_altitude_min"),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "booked"]) | Q(launch__isnull=False),
                name="dedicated_scheduled_has_launch",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Event(models.Model):
    """One state change: who did what to which object, with the state before and after.

    The audit history in the admin, the customer's events, notifications and webhooks are all
    read from these rows.
    """

    verb = models.CharField(
        max_length=60, db_index=True, help_text=_('e.g. "booking.confirmed".'), verbose_name=_("verb")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        max_length=120, help_text=_("The actor's name, or the system process."), verbose_name=_("actor label")
    )
    subject_type = models.CharField(max_length=40, verbose_name=_("subject type"))
    subject_id = models.PositiveBigIntegerField(verbose_name=_("subject ID"))
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("customer"),
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("provider"),
    )
    launch = models.ForeignKey(
        Launch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("launch"),
    )
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("before"))
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("after"))
    message = models.CharField(max_length=300, blank=True, verbose_name=_("message"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["customer", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.subject_type}#{self.subject_id} by {self.actor_label}"


class Reservation(models.Model):
    """A launch's claim on one resource for a span of time: a mobile platform, a pad, a rocket
    (vehicle) or a site's range.

    For a platform the span runs from departure (transit from its last location) through set-up,
    the launch window and tear-down; for a pad it runs from the window through the pad's
    turnaround; for a rocket from the moment it leaves where it is stored to the end of the
    window (it cannot be in two places); for a range from the window's start to its end plus the
    site's launch separation (``vehicles.logistics.range_span``: the range flies one launch at a
    time). Spans are half-open [occupied_from, occupied_until), so back-to-back claims fit.
    Exactly one resource column is set; ``kind`` names it. On PostgreSQL exclusion constraints
    (btree_gist) forbid two live claims on one resource from overlapping; see migrations 0003
    (platform, pad) and 0011_fleet_truth (vehicle, range).
    """

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Mobile platform")
        PAD = "pad", _("Pad")
        VEHICLE = "vehicle", _("Rocket")
        RANGE = "range", _("Range")

    launch = models.ForeignKey(
        Launch, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("launch")
    )
    platform = models.ForeignKey(
        MobilePlatform,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("platform"),
    )
    pad = models.ForeignKey(
        Pad,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("pad"),
    )
    vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name=_("vehicle"),
    )
    range_site = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="range_reservations",
        help_text=_("The site whose range this claim holds (kind range): always the reservation's site."),
        verbose_name=_("range site"),
    )
    origin = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where the platform departs from (its last location)."),
        verbose_name=_("origin"),
    )
    site = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the platform or pad is for this launch: the launch's site when reserved."),
        verbose_name=_("site"),
    )
    occupied_from = models.DateTimeField(verbose_name=_("occupied from"))
    arrive_at = models.DateTimeField(null=True, blank=True, verbose_name=_("arrive at"))
    ready_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set-up done, rocket erected."), verbose_name=_("ready at")
    )
    occupied_until = models.DateTimeField(verbose_name=_("occupied until"))
    released_at = models.DateTimeField(null=True, blank=True, verbose_name=_("released at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["occupied_from", "pk"]
        indexes = [
            models.Index(fields=["platform", "occupied_from", "occupied_until"]),
            models.Index(fields=["pad", "occupied_from", "occupied_until"]),
            models.Index(fields=["vehicle", "occupied_from", "occupied_until"]),
            models.Index(fields=["range_site", "occupied_from", "occupied_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(platform__isnull=False)
                    & Q(pad__isnull=True)
                    & Q(vehicle__isnull=True)
                    & Q(range_site__isnull=True)
                )
                | (
                    Q(platform__isnull=True)
                    & Q(pad__isnull=False)
                    & Q(vehicle__isnull=True)
                    & Q(range_site__isnull=True)
                )
                | (
                    Q(platform__isnull=True)
                    & Q(pad__isnull=True)
                    & Q(vehicle__isnull=False)
                    & Q(range_site__isnull=True)
                )
                | (
                    Q(platform__isnull=True)
                    & Q(pad__isnull=True)
                    & Q(vehicle__isnull=True)
                    & Q(range_site__isnull=False)
                ),
                name="reservation_one_resource",
            ),
            models.CheckConstraint(
                condition=Q(range_site__isnull=True) | Q(range_site=models.F("site")),
                name="reservation_range_is_its_site",
            ),
            models.CheckConstraint(
                condition=Q(occupied_until__gt=models.F("occupied_from")), name="reservation_span_order"
            ),
        ]

    def __str__(self) -> str:
        what = self.platform or self.pad or self.vehicle or (self.range_site and f"{self.range_site} range")
        return (
            f"{what} for {self.launch}: {minute_text(self.occupied_from)}–{minute_text(self.occupied_until)}"
        )

    @property
    def kind(self) -> str:
        """Which resource the claim holds (a ``Kind`` value), from the one column that is set."""
        if self.platform_id is not None:
            return self.Kind.PLATFORM
        if self.pad_id is not None:
            return self.Kind.PAD
        if self.vehicle_id is not None:
            return self.Kind.VEHICLE
        return self.Kind.RANGE


# --- pricing and quotes ----------------------------------------------------------------------


class ExchangeRate(models.Model):
    """How many units of a currency buy one US dollar; operators keep this table current."""

    currency = models.CharField(
        max_length=3, choices=Currency.choices, unique=True, verbose_name=_("currency")
    )
    units_per_usd = models.DecimalField(_("units per USD"), max_digits=14, decimal_places=6)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency"]
        constraints = [models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="exchangerate_positive")]

    def __str__(self) -> str:
        return f"1 USD = {self.units_per_usd} {self.currency}"


class RideshareRate(models.Model):
    """A provider's price per kg for a rideshare seat to one orbit family, with a minimum charge."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="rideshare_rates", verbose_name=_("provider")
    )
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices, verbose_name=_("orbit family"))
    price_per_kg = models.DecimalField(_("price per kg"), max_digits=12, decimal_places=2)
    minimum_charge = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), verbose_name=_("minimum charge")
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))

    class Meta:
        verbose_name = _("rideshare rate")
        verbose_name_plural = _("rideshare rates")
        ordering = ["provider", "orbit_family"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "orbit_family"], name="unique_rideshare_rate"),
            models.CheckConstraint(condition=Q(price_per_kg__gte=0), name="ridesharerate_price_nonneg"),
            models.CheckConstraint(condition=Q(minimum_charge__gte=0), name="ridesharerate_minimum_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.orbit_family}: {self.price_per_kg} {self.currency}/kg"


class DedicatedPrice(models.Model):
    """The price of a whole launch on a vehicle model."""

    vehicle_model = models.OneToOneField(
        VehicleModel,
        on_delete=models.CASCADE,
        related_name="dedicated_price",
        verbose_name=_("vehicle model"),
    )
    price = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("price"))
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))

    class Meta:
        verbose_name = _("dedicated price")
        verbose_name_plural = _("dedicated prices")
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="dedicatedprice_nonneg")]

    def __str__(self) -> str:
        return f"{self.vehicle_model}: {self.price} {self.currency}"


class AddOnService(models.Model):
    """A bookable extra sold by a provider: a flat price, or a share of the declared payload value."""

    class Kind(models.TextChoices):
        INSURANCE = "insurance", _("Launch insurance")
        MISSION_CONTROL = "mission_control", _("Mission control")
        IT_SUPPORT = "it_support", _("IT support")

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="add_on_services", verbose_name=_("provider")
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    flat_price = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("flat price")
    )
    percent_of_declared_value = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, verbose_name=_("percent of declared value")
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("add-on service")
        verbose_name_plural = _("add-on services")
        ordering = ["provider", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind"], name="unique_add_on_per_provider"),
            models.CheckConstraint(
                condition=(Q(flat_price__isnull=False) & Q(percent_of_declared_value__isnull=True))
                | (Q(flat_price__isnull=True) & Q(percent_of_declared_value__isnull=False)),
                name="addon_flat_xor_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.name}"


class Quote(models.Model):
    class Kind(models.TextChoices):
        RIDESHARE = "rideshare", _("Rideshare seat")
        DEDICATED = "dedicated", _("Dedicated launch")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")

    reference = models.CharField(max_length=20, unique=True, verbose_name=_("reference"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("customer")
    )
    payload = models.ForeignKey(
        Payload, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("payload")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    service_level = models.CharField(
        max_length=10,
        choices=Launch.ServiceLevel.choices,
        default=Launch.ServiceLevel.STANDARD,
        verbose_name=_("service level"),
    )
    launch = models.ForeignKey(
        Launch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("launch"),
    )
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("vehicle model")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("provider")
    )
    mass_kg = models.DecimalField(
        _("mass (kg)"), max_digits=9, decimal_places=1, help_text=_("Payload plus adapter mass.")
    )
    launch_port = models.ForeignKey(
        "LaunchPort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        verbose_name=_("launch port"),
    )
    adapter = models.ForeignKey(
        Adapter, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("adapter")
    )
    adapter_mass_kg = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("0"), verbose_name=_("adapter mass (kg)")
    )
    options = models.JSONField(default=list, blank=True, verbose_name=_("options"))
    declared_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("declared value")
    )
    total = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("total"))
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))
    chosen_because = models.CharField(
        max_length=400,
        blank=True,
        help_text=_("When the customer named no launch and no vehicle model: why this option was chosen."),
        verbose_name=_("chosen because"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True, verbose_name=_("status")
    )
    valid_until = models.DateTimeField(verbose_name=_("valid until"))
    launch_made_for_it = models.BooleanField(
        default=False,
        help_text=_(
            "The launch was scheduled for this quote (an express order): it is priced as the "
            "payload's own launch and scrubbed if the quote's hold lapses or is cancelled unconfirmed."
        ),
        verbose_name=_("launch made for it"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "valid_until"])]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="quote_total_nonneg")]

    def __str__(self) -> str:
        return self.reference


class QuoteLine(models.Model):
    class Kind(models.TextChoices):
        LAUNCH = "launch", _("Launch")
        MINIMUM = "minimum", _("Minimum charge")
        EXPRESS = "express", _("Express premium")
        ADD_ON = "add_on", _("Add-on service")
        PORT = "port", _("Port")
        REBOOKING_FEE = "rebooking_fee", _("Rebooking fee")
        CREDIT = "credit", _("Credit carried over")

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote"))
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    description = models.CharField(max_length=200, verbose_name=_("description"))
    amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("amount"))

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="unique_quote_line_position")
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


# --- readiness workflows ---------------------------------------------------------------------


class OwnerRole(models.TextChoices):
    OPERATIONS = "operations", _("Launch operations")
    RANGE = "range", _("Range and airspace")
    PAYLOAD = "payload", _("Payload customer")
    FINANCE = "finance", _("Finance")
    MISSION_CONTROL = "mission_control", _("Mission control")
    SYSTEM = "system", _("Automatic")


class ReadinessTemplate(models.Model):
    slug = models.SlugField(max_length=40, unique=True, verbose_name=_("slug"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    service_level = models.CharField(
        max_length=10, choices=Launch.ServiceLevel.choices, blank=True, verbose_name=_("service level")
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("readiness template")
        verbose_name_plural = _("readiness templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateStep(models.Model):
    class Kind(models.TextChoices):
        MANUAL = "manual", _("Manual sign-off")
        AUTOMATIC = "automatic", _("Automatic check")

    template = models.ForeignKey(
        ReadinessTemplate, on_delete=models.CASCADE, related_name="steps", verbose_name=_("template")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    code = models.SlugField(max_length=40, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    offset_minutes = models.IntegerField(
        _("offset (minutes)"), help_text=_("When the step is due, in minutes from T-0 (negative: before).")
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    owner_role = models.CharField(max_length=16, choices=OwnerRole.choices, verbose_name=_("owner role"))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MANUAL, verbose_name=_("kind"))
    check_name = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("Automatic check to run (kind automatic)."),
        verbose_name=_("check name"),
    )
    blocking = models.BooleanField(
        default=True, help_text=_("A failed or late step holds the launch."), verbose_name=_("blocking")
    )
    grace_minutes = models.PositiveIntegerField(
        _("grace (minutes)"), default=30, help_text=_("How late the step may run before it holds.")
    )
    min_duration_minutes = models.PositiveIntegerField(
        _("minimum duration (minutes)"),
        default=0,
        help_text=_(
            "The least time the work takes: a plan never squeezes the step below it "
            "(see docs/readiness.md for the shipped figures)."
        ),
    )

    class Meta:
        verbose_name = _("template step")
        verbose_name_plural = _("template steps")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="unique_template_step_position"),
            models.UniqueConstraint(fields=["template", "code"], name="unique_template_step_code"),
            models.CheckConstraint(
                condition=Q(kind="manual") | ~Q(check_name=""), name="templatestep_automatic_has_check"
            ),
            models.CheckConstraint(
                condition=~Q(kind="manual") | Q(check_name=""), name="templatestep_manual_has_no_check"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template}: {self.name}"


class ReadinessPlan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    launch = models.OneToOneField(
        Launch, on_delete=models.CASCADE, related_name="readiness_plan", verbose_name=_("launch")
    )
    template = models.ForeignKey(
        ReadinessTemplate, on_delete=models.PROTECT, related_name="plans", verbose_name=_("template")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    reconciled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reconciled at"))

    class Meta:
        verbose_name = _("readiness plan")
        verbose_name_plural = _("readiness plans")

    def __str__(self) -> str:
        return f"{self.template} for {self.launch}"


class PlanStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        WAIVED = "waived", _("Waived")
        LATE = "late", _("Late")

    OPEN_STATUSES = (Status.PENDING, Status.LATE)

    plan = models.ForeignKey(
        ReadinessPlan, on_delete=models.CASCADE, related_name="steps", verbose_name=_("plan")
    )
    template_step = models.ForeignKey(
        TemplateStep, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("template step")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    code = models.SlugField(max_length=40, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    owner_role = models.CharField(max_length=16, choices=OwnerRole.choices, verbose_name=_("owner role"))
    kind = models.CharField(max_length=10, choices=TemplateStep.Kind.choices, verbose_name=_("kind"))
    check_name = models.CharField(max_length=40, blank=True, verbose_name=_("check name"))
    blocking = models.BooleanField(default=True, verbose_name=_("blocking"))
    offset_minutes = models.IntegerField(_("offset (minutes)"))
    grace_minutes = models.PositiveIntegerField(_("grace (minutes)"), default=30)
    due_at = models.DateTimeField(verbose_name=_("due at"))
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    check_attempts = models.PositiveIntegerField(default=0, verbose_name=_("check attempts"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=60,
        help_text=_("How long before its due time the step may be worked on or checked."),
    )
    # When the reconciler next has work on this step: run its check, or mark it late. Empty when
    # there is nothing left for the reconciler (closed, or late and waiting for people). A check
    # lost with a crashed worker is queued afresh when this time comes round again.
    wake_at = models.DateTimeField(null=True, blank=True, verbose_name=_("wake at"))

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["plan", "position"]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["wake_at"])]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="unique_plan_step_position"),
            models.UniqueConstraint(fields=["plan", "code"], name="unique_plan_step_code"),
            models.CheckConstraint(
                condition=~Q(kind="manual") | Q(check_name=""), name="planstep_manual_has_no_check"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class CheckRun(models.Model):
    """One run of an automatic check; the unique key keeps a check from running twice."""

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        WAITING = "waiting", _("Not yet")

    step = models.ForeignKey(
        PlanStep, on_delete=models.CASCADE, related_name="check_runs", verbose_name=_("step")
    )
    attempt = models.PositiveIntegerField(verbose_name=_("attempt"))
    result = models.CharField(max_length=8, choices=Result.choices, verbose_name=_("result"))
    detail = models.CharField(max_length=300, blank=True, verbose_name=_("detail"))
    ran_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ran at"))

    class Meta:
        verbose_name = _("check run")
        verbose_name_plural = _("check runs")
        ordering = ["step", "attempt"]
        constraints = [models.UniqueConstraint(fields=["step", "attempt"], name="unique_check_run_attempt")]


class Notification(models.Model):
    """A message about one thing that happened, to an audience: a step's owners (one per step and
    reason, however often the reconciler runs), a customer's members, or the customers booked on a
    launch. Each person it reaches has a ``NotificationDelivery`` (the e-mail, and read or unread
    in the portal). Written by ``booking.services.notifications`` only."""

    class Reason(models.TextChoices):
        LATE = "late", _("Step is late")
        FAILED = "failed", _("Step failed")
        HOLD = "hold", _("Launch put on hold")
        RELEASED = "released", _("Hold released")
        CLOSURE = "closure", _("Site closure on the launch window")
        BOOKING_HELD = "booking_held", _("Booking held")
        BOOKING_CONFIRMED = "booking_confirmed", _("Booking confirmed")
        BOOKING_CANCELLED = "booking_cancelled", _("Booking cancelled")
        BOOKING_MOVED = "booking_moved", _("Booking moved to another launch")
        PAYMENT_DUE = "payment_due", _("Payment due soon")
        PAYMENT_OVERDUE = "payment_overdue", _("Payment overdue")
        LAUNCH_SLIPPED = "launch_slipped", _("Launch slipped")
        LAUNCH_SCRUBBED = "launch_scrubbed", _("Launch scrubbed")
        LAUNCH_LAUNCHED = "launch_launched", _("Launched")
        DOCUMENT_REVIEWED = "document_reviewed", _("Document reviewed")
        DEDICATED_SCHEDULED = "dedicated_scheduled", _("Dedicated launch scheduled")
        DEDICATED_DECLINED = "dedicated_declined", _("Dedicated launch request declined")
        STANDBY_OFFERED = "standby_offered", _("Standby seat offered")
        MOVE_OFFERED = "move_offered", _("Move to another launch offered")

    class Category(models.TextChoices):
        BOOKINGS = "bookings", _("Bookings")
        PAYMENTS = "payments", _("Payments")
        LAUNCHES = "launches", _("Launches")
        READINESS = "readiness", _("Readiness")
        DOCUMENTS = "documents", _("Documents")

    step = models.ForeignKey(
        PlanStep,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("step"),
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, verbose_name=_("reason"))
    category = models.CharField(
        max_length=10, choices=Category.choices, default=Category.READINESS, verbose_name=_("category")
    )
    # The audience: a step's owners (``recipient_role``), one customer's members (``customer``),
    # or, with neither, the customers booked on ``launch``.
    recipient_role = models.CharField(
        max_length=16, choices=OwnerRole.choices, blank=True, verbose_name=_("recipient role")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("customer"),
    )
    launch = models.ForeignKey(
        Launch,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("launch"),
    )
    event = models.ForeignKey(
        "Event",
        on_delete=models.SET_NULL,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("event"),
    )
    # What makes it "once each": e.g. "event:12", "milestone:7:payment_due". Step notifications are
    # kept single by (step, reason).
    key = models.CharField(max_length=80, unique=True, null=True, blank=True, verbose_name=_("key"))
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("subject"))
    message = models.CharField(max_length=300, verbose_name=_("message"))
    # Strings the e-mail templates show (reference, launch, amount, due, link).
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("details"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # When the first of its e-mails went out.
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["step", "reason"], name="unique_notification_per_reason")
        ]

    def __str__(self) -> str:
        return self.subject or self.message


# --- integrations ----------------------------------------------------------------------------


class ApiToken(models.Model):
    """A named API token; only a digest of the key is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    # The organisation the token acts for, with that membership's role; leaving the organisation
    # ends the token. Empty for users who belong to none (provider operators).
    membership = models.ForeignKey(
        "customers.Membership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("membership"),
    )
    name = models.CharField(max_length=80, verbose_name=_("name"))
    prefix = models.CharField(
        max_length=8, help_text=_("First characters of the key, to recognise it."), verbose_name=_("prefix")
    )
    key_digest = models.CharField(max_length=64, unique=True, verbose_name=_("key digest"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Empty: never expires."), verbose_name=_("expires at")
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyKey(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(max_length=200, verbose_name=_("key"))
    method = models.CharField(max_length=8, verbose_name=_("method"))
    path = models.CharField(max_length=300, verbose_name=_("path"))
    request_digest = models.CharField(max_length=64, verbose_name=_("request digest"))
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.IN_PROGRESS, verbose_name=_("state")
    )
    response_status = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("response status")
    )
    response_body = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("response body")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key_per_user")
        ]


class WebhookEndpoint(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("customer")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=64, verbose_name=_("secret"))
    event_types = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Empty: every event. e.g. ["booking.*"].'),
        verbose_name=_("event types"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    disabled_reason = models.CharField(max_length=200, blank=True, verbose_name=_("disabled reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["customer", "pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        GAVE_UP = "gave_up", _("Gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="webhook_deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True, verbose_name=_("status")
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="unique_delivery_per_event")
        ]


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    attempted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("attempted at"))
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("status code"))
    error = models.CharField(max_length=300, blank=True, verbose_name=_("error"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="unique_webhook_attempt")]


# --- ports of a rideshare launch --------------------------------------------------------------


class LaunchPort(models.Model):
    """Slots of one kind on a rideshare launch: how many, the mass and envelope each takes, its price.

    A booking on a launch with ports takes one slot; slots taken are counted from booking rows
    (``booking.selectors.capacity``), never kept in a counter.
    """

    launch = models.ForeignKey(
        Launch, on_delete=models.CASCADE, related_name="ports", verbose_name=_("launch")
    )
    kind = models.CharField(max_length=16, choices=PortKind.choices, verbose_name=_("kind"))
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)], verbose_name=_("count"))
    max_mass_kg = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        help_text=_("Heaviest payload one slot takes, without its adapter."),
        verbose_name=_("max mass (kg)"),
    )
    envelope_length_m = models.DecimalField(
        max_digits=6, decimal_places=4, verbose_name=_("envelope length (m)")
    )
    envelope_width_m = models.DecimalField(
        max_digits=6, decimal_places=4, verbose_name=_("envelope width (m)")
    )
    envelope_height_m = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        help_text=_("Along the rocket's axis (a dispenser's deployment axis)."),
        verbose_name=_("envelope height (m)"),
    )
    price = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Added to the seat's price."),
        verbose_name=_("price"),
    )
    currency = models.CharField(
        max_length=3, choices=Currency.choices, default=Currency.USD, verbose_name=_("currency")
    )

    class Meta:
        verbose_name = _("launch port")
        verbose_name_plural = _("launch ports")
        ordering = ["launch", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["launch", "kind"], name="unique_port_kind_per_launch"),
            models.CheckConstraint(condition=Q(count__gte=1), name="launchport_count_positive"),
            models.CheckConstraint(condition=Q(max_mass_kg__gt=0), name="launchport_max_mass_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="launchport_price_nonneg"),
            models.CheckConstraint(
                condition=Q(envelope_length_m__gt=0) & Q(envelope_width_m__gt=0) & Q(envelope_height_m__gt=0),
                name="launchport_envelope_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.count} on {self.launch}"


class NotificationDelivery(models.Model):
    """One notification reaching one person: the e-mail's delivery state, and read or unread."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (preferences)")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
        verbose_name=_("user"),
    )
    # The organisation it reaches the user as (a member); empty for a provider's operators.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
        null=True,
        blank=True,
        verbose_name=_("customer"),
    )
    email = models.EmailField(blank=True, verbose_name=_("email"))
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.CharField(max_length=300, blank=True, verbose_name=_("last error"))
    # When a sender may next take it: the next retry, or the end of a running send's lease (a
    # sender that died leaves it queued, and the sweep sends it when this time comes).
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["user", "customer", "read_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="unique_notification_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.notification} to {self.email or self.user_id} ({self.get_status_display()})"


class NotificationPreference(models.Model):
    """Whether a member receives one category of notifications by e-mail (no row: yes)."""

    membership = models.ForeignKey(
        "customers.Membership",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("membership"),
    )
    category = models.CharField(
        max_length=10, choices=Notification.Category.choices, verbose_name=_("category")
    )
    email = models.BooleanField(default=True, verbose_name=_("email"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["membership", "category"], name="unique_notification_preference")
        ]


# --- invoices and payments -------------------------------------------------------------------


class NumberSeries(models.Model):
    """The last number a provider gave its invoices (or receipts) in one year.

    Numbers are allocated under this row's lock (``booking.services.locking.lock_number_series``):
    the row is bumped inside the transaction that saves the invoice, so a rolled-back issue gives
    its number back and two issues never share one (no gaps, no duplicates).
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        RECEIPT = "receipt", _("Receipt")

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="number_series", verbose_name=_("provider")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    last_number = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind", "year"], name="unique_number_series")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.year}: {self.last_number}"


class Invoice(models.Model):
    """The invoice of one payment milestone, numbered per provider and year ("EXP-2026-00042").

    The seller's and the buyer's details are copied in when it is issued: an invoice says what it
    said the day it was sent, whatever the provider or the customer changes later. An invoice is
    never deleted; one whose milestone is no longer due (its booking cancelled or moved) is void.
    """

    #: The seller's and the buyer's details, as they were the day it was issued.
    PARTY_FIELDS = (
        "seller_name",
        "seller_address",
        "seller_tax_id",
        "buyer_name",
        "buyer_address",
        "buyer_tax_id",
    )

    number = models.CharField(max_length=30, unique=True, verbose_name=_("number"))
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("provider")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("contract")
    )
    milestone = models.OneToOneField(
        PaymentMilestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice",
        verbose_name=_("milestone"),
    )
    booking = models.ForeignKey(
        Booking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("booking"),
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    sequence = models.PositiveIntegerField(verbose_name=_("sequence"))
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))
    amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("amount"))
    issued_at = models.DateTimeField(verbose_name=_("issued at"))
    due_at = models.DateTimeField(verbose_name=_("due at"))
    paid_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the last of its amount was paid."), verbose_name=_("paid at")
    )
    voided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("voided at"))
    void_reason = models.CharField(max_length=200, blank=True, verbose_name=_("void reason"))
    seller_name = models.CharField(max_length=200, verbose_name=_("seller name"))
    seller_address = models.TextField(blank=True, verbose_name=_("seller address"))
    seller_tax_id = models.CharField(max_length=40, blank=True, verbose_name=_("seller tax ID"))
    buyer_name = models.CharField(max_length=200, verbose_name=_("buyer name"))
    buyer_address = models.TextField(blank=True, verbose_name=_("buyer address"))
    buyer_tax_id = models.CharField(max_length=40, blank=True, verbose_name=_("buyer tax ID"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["customer", "due_at"])]
        constraints = [
            models.UniqueConstraint(fields=["provider", "year", "sequence"], name="unique_invoice_sequence"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(default=1, verbose_name=_("position"))
    description = models.CharField(max_length=300, verbose_name=_("description"))
    quantity = models.DecimalField(
        max_digits=9, decimal_places=2, default=Decimal("1"), verbose_name=_("quantity")
    )
    unit_amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("unit amount"))
    amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("amount"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position", "pk"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against an invoice, recorded by the provider's finance people; each has a
    numbered receipt ("EXP-R-2026-00007")."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))
    paid_on = models.DateField(help_text=_("The day the money arrived."), verbose_name=_("paid on"))
    reference = models.CharField(
        max_length=80,
        blank=True,
        help_text=_("The bank's or the payer's reference."),
        verbose_name=_("reference"),
    )
    receipt_number = models.CharField(max_length=30, unique=True, verbose_name=_("receipt number"))
    receipt_year = models.PositiveSmallIntegerField(verbose_name=_("receipt year"))
    receipt_sequence = models.PositiveIntegerField(verbose_name=_("receipt sequence"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number}: {self.amount} {self.currency}"


# --- standby lists -----------------------------------------------------------------------------


class StandbyEntry(models.Model):
    """A payload waiting for capacity: on one launch, or on any launch to an orbit between dates.

    Entries are served in the order they joined (``created_at``, then pk). When capacity frees up
    the next ready payload that fits is offered a held booking (``offer_booking``) whose hold
    expires at ``offer_expires_at``; accepting confirms it. Written by ``booking.services.standby``
    only.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a seat")
        ACCEPTED = "accepted", _("Accepted")
        LAPSED = "lapsed", _("Offer lapsed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FULFILLED = "fulfilled", _("Booked otherwise")

    #: Entries still on the list: at most one per payload and target.
    ACTIVE_STATUSES = (Status.WAITING, Status.OFFERED)

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="standby_entries", verbose_name=_("customer")
    )
    payload = models.ForeignKey(
        Payload, on_delete=models.CASCADE, related_name="standby_entries", verbose_name=_("payload")
    )
    # The target: one launch, or (no launch) an orbit between two dates.
    launch = models.ForeignKey(
        Launch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="standby_entries",
        verbose_name=_("launch"),
    )
    orbit_family = models.CharField(
        max_length=3, choices=OrbitFamily.choices, blank=True, verbose_name=_("orbit family")
    )
    altitude_km = models.PositiveIntegerField(_("altitude (km)"), null=True, blank=True)
    inclination_min_deg = models.DecimalField(
        _("lowest inclination (°)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    inclination_max_deg = models.DecimalField(
        _("highest inclination (°)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    ltan = models.TimeField(_("local time of the ascending node"), null=True, blank=True)
    earliest_date = models.DateField(
        null=True,
        blank=True,
        help_text=_("Launches on or after this day (UTC)."),
        verbose_name=_("earliest date"),
    )
    latest_date = models.DateField(
        null=True,
        blank=True,
        help_text=_("Launches on or before this day (UTC)."),
        verbose_name=_("latest date"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True, verbose_name=_("status")
    )
    offer_booking = models.ForeignKey(
        Booking,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="standby_offers",
        verbose_name=_("offer booking"),
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("offer expires at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("standby entry")
        verbose_name_plural = _("standby entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(launch__isnull=False) | ~Q(orbit_family=""), name="standby_has_target"
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | (Q(offer_booking__isnull=False) & Q(offer_expires_at__isnull=False)),
                name="standby_offer_has_booking",
            ),
            models.UniqueConstraint(
                fields=["payload", "launch"],
                condition=Q(status__in=["waiting", "offered"], launch__isnull=False),
                name="unique_active_standby_per_launch",
            ),
            models.UniqueConstraint(
                fields=["payload", "orbit_family"],
                condition=Q(status__in=["waiting", "offered"], launch__isnull=True),
                name="unique_active_standby_per_orbit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payload} standby ({self.get_status_display()})"


class ManifestProposal(models.Model):
    """The manifest optimiser's proposal for one provider: moves of bookings between its rideshare
    launches that let more fly. It changes nothing until an operator applies moves (each becomes
    an offer to the customer). Written by ``booking.services.manifest`` only."""

    class Trigger(models.TextChoices):
        OPERATOR = "operator", _("Asked for by an operator")
        SLIP = "slip", _("A launch slipped")
        SCRUB = "scrub", _("A launch was scrubbed")

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="manifest_proposals", verbose_name=_("provider")
    )
    trigger = models.CharField(
        max_length=10, choices=Trigger.choices, default=Trigger.OPERATOR, verbose_name=_("trigger")
    )
    trigger_launch = models.ForeignKey(
        Launch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="manifest_proposals",
        verbose_name=_("trigger launch"),
    )
    demands = models.PositiveIntegerField(
        default=0, help_text=_("Payloads the optimiser placed or tried to."), verbose_name=_("demands")
    )
    launches = models.PositiveIntegerField(default=0, verbose_name=_("launches"))
    mass_before_kg = models.DecimalField(
        max_digits=12, decimal_places=1, default=Decimal("0"), verbose_name=_("mass before (kg)")
    )
    mass_after_kg = models.DecimalField(
        max_digits=12, decimal_places=1, default=Decimal("0"), verbose_name=_("mass after (kg)")
    )
    objective = models.BigIntegerField(default=0, verbose_name=_("objective"))
    best_bound = models.BigIntegerField(default=0, verbose_name=_("best bound"))
    gap = models.FloatField(
        default=0,
        help_text=_("(best bound - objective) / best bound; 0 when proved optimal."),
        verbose_name=_("gap"),
    )
    solver_status = models.CharField(max_length=20, blank=True, verbose_name=_("solver status"))
    solve_seconds = models.FloatField(default=0, verbose_name=_("solve (seconds)"))
    summary = models.CharField(max_length=300, blank=True, verbose_name=_("summary"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("manifest proposal")
        verbose_name_plural = _("manifest proposals")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Manifest proposal {self.pk} for {self.provider}"


class ManifestMove(models.Model):
    """One proposed move: a booking from its launch to another, a waiting standby entry or an open
    dedicated request onto a rideshare launch; why, and what it costs. Proposed, then offered to
    the customer (an operator applied it), then accepted (carried out by the booking services),
    declined, lapsed or refused (its booking, entry or request changed meanwhile, or the move no
    longer fits)."""

    class Source(models.TextChoices):
        BOOKING = "booking", _("A booking")
        STANDBY = "standby", _("A standby entry")
        DEDICATED = "dedicated", _("A dedicated launch request")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        OFFERED = "offered", _("Offered to the customer")
        ACCEPTED = "accepted", _("Accepted and carried out")
        DECLINED = "declined", _("Declined by the customer")
        LAPSED = "lapsed", _("Lapsed unanswered")
        REFUSED = "refused", _("Refused")

    proposal = models.ForeignKey(
        ManifestProposal, on_delete=models.CASCADE, related_name="moves", verbose_name=_("proposal")
    )
    source = models.CharField(
        max_length=10, choices=Source.choices, default=Source.BOOKING, verbose_name=_("source")
    )
    booking = models.ForeignKey(
        Booking,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="manifest_moves",
        verbose_name=_("booking"),
    )
    standby_entry = models.ForeignKey(
        "StandbyEntry",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="manifest_moves",
        verbose_name=_("standby entry"),
    )
    dedicated_request = models.ForeignKey(
        DedicatedRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="manifest_moves",
        verbose_name=_("dedicated launch request"),
    )
    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="manifest_moves",
        verbose_name=_("payload"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="manifest_moves", verbose_name=_("customer")
    )
    # Empty for a standby entry or a dedicated request: it rides no launch yet.
    from_launch = models.ForeignKey(
        Launch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from launch"),
    )
    to_launch = models.ForeignKey(
        Launch, on_delete=models.CASCADE, related_name="+", verbose_name=_("to launch")
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PROPOSED,
        db_index=True,
        verbose_name=_("status"),
    )
    reason = models.CharField(max_length=300, verbose_name=_("reason"))
    # What the booking (entry, request) was when the move was proposed: its status and the mass it
    # counted (an entry's or request's payload mass); a move whose source changed is refused.
    booking_status = models.CharField(max_length=12, verbose_name=_("booking status"))
    booking_mass_kg = models.DecimalField(max_digits=9, decimal_places=1, verbose_name=_("booking mass (kg)"))
    source_updated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("source updated at"))
    mass_kg = models.DecimalField(_("mass on the new launch (kg)"), max_digits=9, decimal_places=1)
    price_change = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), verbose_name=_("price change")
    )
    fee_waived = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("The rebooking fee the provider waives."),
        verbose_name=_("fee waived"),
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))
    offer_expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("offer expires at"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    refusal = models.CharField(max_length=300, blank=True, verbose_name=_("refusal"))
    new_booking = models.OneToOneField(
        Booking,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="manifest_move_result",
        verbose_name=_("new booking"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("manifest move")
        verbose_name_plural = _("manifest moves")
        ordering = ["proposal", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_launch=models.F("to_launch")), name="manifest_move_changes_launch"
            ),
            models.CheckConstraint(
                condition=(
                    Q(source="booking", booking__isnull=False, from_launch__isnull=False)
                    | Q(source="standby", standby_entry__isnull=False, from_launch__isnull=True)
                    | Q(source="dedicated", dedicated_request__isnull=False, from_launch__isnull=True)
                ),
                name="manifest_move_has_its_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking or self.standby_entry or self.dedicated_request} → {self.to_launch}"
