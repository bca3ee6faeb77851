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

    PROVIDER = "provider", "Provider or technical"
    WEATHER = "weather", "Weather"
    RANGE = "range", "Range"
    CUSTOMER = "customer", "Customer"


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

    name = models.CharField(max_length=120)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="launches")
    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, related_name="launches")
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="launches"
    )
    site = models.ForeignKey(LaunchSite, on_delete=models.PROTECT, related_name="launches")
    pad = models.ForeignKey(Pad, on_delete=models.PROTECT, null=True, blank=True, related_name="launches")
    platform = models.ForeignKey(
        MobilePlatform, on_delete=models.PROTECT, null=True, blank=True, related_name="launches"
    )
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices)
    altitude_km = models.PositiveIntegerField(_("altitude (km)"))
    inclination_deg = models.DecimalField(_("inclination (°)"), max_digits=6, decimal_places=2)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
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
        "NET precision", max_length=8, choices=NetPrecision.choices, default=NetPrecision.HOUR
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True)
    service_level = models.CharField(
        max_length=10, choices=ServiceLevel.choices, default=ServiceLevel.STANDARD
    )
    rideshare = models.BooleanField(default=True, help_text=_("Sells seats to more than one customer."))
    dedicated_customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dedicated_launches",
        help_text=_("A dedicated launch sold to one customer: no other customer books on it."),
    )
    held_by = models.CharField(
        max_length=10,
        choices=HeldBy.choices,
        default=HeldBy.NOBODY,
        blank=True,
        help_text=_(
            "Who put the launch on hold, read while it is on hold: readiness releases only its own holds."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    reference = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="bookings")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    payload = models.ForeignKey(Payload, on_delete=models.PROTECT, related_name="bookings")
    launch = models.ForeignKey(Launch, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.HELD, db_index=True)
    price = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    mass_kg = models.DecimalField(
        "mass (kg)",
        max_digits=9,
        decimal_places=1,
        help_text=_("Payload plus adapter mass counted against the launch."),
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    quote = models.ForeignKey(
        "Quote", on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    # The port it takes (none on a launch without ports) and the adapter whose mass mass_kg counts.
    launch_port = models.ForeignKey(
        "LaunchPort", on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    adapter = models.ForeignKey(Adapter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    adapter_mass_kg = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    rebooked_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rebooked_to"
    )
    credit_carried_over = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Paid before the booking last moved to another launch, less the rebooking fee."),
    )
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    fees_charged = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Rebooking and cancellation fees charged, as the customer agreed them.",
    )
    refund_due = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Owed back to the customer: paid beyond the fee on cancelling, or beyond a lower price after a move.",
    )
    may_move = models.BooleanField(
        "may be moved",
        default=True,
        help_text="The customer agrees that the provider may offer to move this booking to another launch "
        "(each move is still an offer the customer accepts or declines).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
        REQUESTED = "requested", "Requested"
        SCHEDULED = "scheduled", "Scheduled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DECLINED = "declined", "Declined"
        BOOKED = "booked", "Booked"
        MET = "met", "Met by a rideshare seat"

    OPEN_STATUSES = (Status.REQUESTED,)

    reference = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="dedicated_requests")
    payload = models.ForeignKey(
        Payload, on_delete=models.PROTECT, null=True, blank=True, related_name="dedicated_requests"
    )
    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dedicated_requests",
        help_text="Empty: any vehicle model that can fly the orbit.",
    )
    providers = models.ManyToManyField(
        Provider,
        related_name="dedicated_requests",
        blank=True,
        help_text="The providers whose operators see it: the model's, or for any model each provider "
        "with a model that can fly the orbit.",
    )
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices)
    altitude_km = models.PositiveIntegerField("altitude (km)")
    inclination_deg = models.DecimalField(
        "inclination (°)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    ltan = models.TimeField(null=True, blank=True, verbose_name="local time of the ascending node")
    earliest = models.DateTimeField()
    latest = models.DateTimeField()
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    launch = models.OneToOneField(
        Launch, on_delete=models.PROTECT, null=True, blank=True, related_name="dedicated_request"
    )
    decline_reason = models.CharField(max_length=300, blank=True)
    quote = models.ForeignKey(
        "Quote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The dedicated quote the request was made from, if any.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "dedicated launch request"
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

    verb = models.CharField(max_length=60, db_index=True, help_text='e.g. "booking.confirmed".')
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120, help_text=_("The actor's name, or the system process."))
    subject_type = models.CharField(max_length=40)
    subject_id = models.PositiveBigIntegerField()
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    launch = models.ForeignKey(
        Launch, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

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

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="reservations")
    platform = models.ForeignKey(
        MobilePlatform, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    pad = models.ForeignKey(Pad, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    range_site = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="range_reservations",
        help_text=_("The site whose range this claim holds (kind range): always the reservation's site."),
    )
    origin = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where the platform departs from (its last location)."),
    )
    site = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the platform or pad is for this launch: the launch's site when reserved."),
    )
    occupied_from = models.DateTimeField()
    arrive_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True, help_text=_("Set-up done, rocket erected."))
    occupied_until = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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

    currency = models.CharField(max_length=3, choices=Currency.choices, unique=True)
    units_per_usd = models.DecimalField(_("units per USD"), max_digits=14, decimal_places=6)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency"]
        constraints = [models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="exchangerate_positive")]

    def __str__(self) -> str:
        return f"1 USD = {self.units_per_usd} {self.currency}"


class RideshareRate(models.Model):
    """A provider's price per kg for a rideshare seat to one orbit family, with a minimum charge."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="rideshare_rates")
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices)
    price_per_kg = models.DecimalField(_("price per kg"), max_digits=12, decimal_places=2)
    minimum_charge = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, choices=Currency.choices)

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
        VehicleModel, on_delete=models.CASCADE, related_name="dedicated_price"
    )
    price = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)

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

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="add_on_services")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=120)
    flat_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    percent_of_declared_value = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "add-on service"
        verbose_name_plural = "add-on services"
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

    reference = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes")
    payload = models.ForeignKey(Payload, on_delete=models.PROTECT, related_name="quotes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    service_level = models.CharField(
        max_length=10, choices=Launch.ServiceLevel.choices, default=Launch.ServiceLevel.STANDARD
    )
    launch = models.ForeignKey(Launch, on_delete=models.PROTECT, null=True, blank=True, related_name="quotes")
    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, related_name="quotes")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="quotes")
    mass_kg = models.DecimalField(
        "mass (kg)", max_digits=9, decimal_places=1, help_text=_("Payload plus adapter mass.")
    )
    launch_port = models.ForeignKey(
        "LaunchPort", on_delete=models.PROTECT, null=True, blank=True, related_name="quotes"
    )
    adapter = models.ForeignKey(Adapter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    adapter_mass_kg = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    options = models.JSONField(default=list, blank=True)
    declared_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    chosen_because = models.CharField(
        max_length=400,
        blank=True,
        help_text="When the customer named no launch and no vehicle model: why this option was chosen.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    valid_until = models.DateTimeField()
    launch_made_for_it = models.BooleanField(
        default=False,
        help_text="The launch was scheduled for this quote (an express order): it is priced as the "
        "payload's own launch and scrubbed if the quote's hold lapses or is cancelled unconfirmed.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

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

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

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
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    service_level = models.CharField(max_length=10, choices=Launch.ServiceLevel.choices, blank=True)
    active = models.BooleanField(default=True)

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

    template = models.ForeignKey(ReadinessTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    offset_minutes = models.IntegerField(
        "offset (minutes)", help_text=_("When the step is due, in minutes from T-0 (negative: before).")
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    owner_role = models.CharField(max_length=16, choices=OwnerRole.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    check_name = models.CharField(
        max_length=40, blank=True, help_text=_("Automatic check to run (kind automatic).")
    )
    blocking = models.BooleanField(default=True, help_text=_("A failed or late step holds the launch."))
    grace_minutes = models.PositiveIntegerField(
        "grace (minutes)", default=30, help_text=_("How late the step may run before it holds.")
    )
    min_duration_minutes = models.PositiveIntegerField(
        "minimum duration (minutes)",
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

    launch = models.OneToOneField(Launch, on_delete=models.CASCADE, related_name="readiness_plan")
    template = models.ForeignKey(ReadinessTemplate, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)

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

    plan = models.ForeignKey(ReadinessPlan, on_delete=models.CASCADE, related_name="steps")
    template_step = models.ForeignKey(TemplateStep, on_delete=models.SET_NULL, null=True, blank=True)
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    owner_role = models.CharField(max_length=16, choices=OwnerRole.choices)
    kind = models.CharField(max_length=10, choices=TemplateStep.Kind.choices)
    check_name = models.CharField(max_length=40, blank=True)
    blocking = models.BooleanField(default=True)
    offset_minutes = models.IntegerField(_("offset (minutes)"))
    grace_minutes = models.PositiveIntegerField(_("grace (minutes)"), default=30)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    check_attempts = models.PositiveIntegerField(default=0)
    duration_minutes = models.PositiveIntegerField(
        "duration (minutes)",
        default=60,
        help_text=_("How long before its due time the step may be worked on or checked."),
    )
    # When the reconciler next has work on this step: run its check, or mark it late. Empty when
    # there is nothing left for the reconciler (closed, or late and waiting for people). A check
    # lost with a crashed worker is queued afresh when this time comes round again.
    wake_at = models.DateTimeField(null=True, blank=True)

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

    step = models.ForeignKey(PlanStep, on_delete=models.CASCADE, related_name="check_runs")
    attempt = models.PositiveIntegerField()
    result = models.CharField(max_length=8, choices=Result.choices)
    detail = models.CharField(max_length=300, blank=True)
    ran_at = models.DateTimeField(auto_now_add=True)

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
        PlanStep, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.READINESS)
    # The audience: a step's owners (``recipient_role``), one customer's members (``customer``),
    # or, with neither, the customers booked on ``launch``.
    recipient_role = models.CharField(max_length=16, choices=OwnerRole.choices, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    launch = models.ForeignKey(
        Launch, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    event = models.ForeignKey(
        "Event", on_delete=models.SET_NULL, related_name="notifications", null=True, blank=True
    )
    # What makes it "once each": e.g. "event:12", "milestone:7:payment_due". Step notifications are
    # kept single by (step, reason).
    key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=300)
    # Strings the e-mail templates show (reference, launch, amount, due, link).
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the first of its e-mails went out.
    sent_at = models.DateTimeField(null=True, blank=True)

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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    # The organisation the token acts for, with that membership's role; leaving the organisation
    # ends the token. Empty for users who belong to none (provider operators).
    membership = models.ForeignKey(
        "customers.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=8, help_text=_("First characters of the key, to recognise it."))
    key_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty: never expires."))

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyKey(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_digest = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key_per_user")
        ]


class WebhookEndpoint(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=64)
    event_types = models.JSONField(
        default=list, blank=True, help_text='Empty: every event. e.g. ["booking.*"].'
    )
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="webhook_deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="unique_delivery_per_event")
        ]


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
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

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="ports")
    kind = models.CharField(max_length=16, choices=PortKind.choices)
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    max_mass_kg = models.DecimalField(
        max_digits=8, decimal_places=2, help_text=_("Heaviest payload one slot takes, without its adapter.")
    )
    envelope_length_m = models.DecimalField(max_digits=6, decimal_places=4)
    envelope_width_m = models.DecimalField(max_digits=6, decimal_places=4)
    envelope_height_m = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        help_text=_("Along the rocket's axis (a dispenser's deployment axis)."),
    )
    price = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), help_text=_("Added to the seat's price.")
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)

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

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_deliveries"
    )
    # The organisation it reaches the user as (a member); empty for a provider's operators.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="notification_deliveries", null=True, blank=True
    )
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # When a sender may next take it: the next retry, or the end of a running send's lease (a
    # sender that died leaves it queued, and the sweep sends it when this time comes).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

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
        "customers.Membership", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=10, choices=Notification.Category.choices)
    email = models.BooleanField(default=True)

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
        INVOICE = "invoice", "Invoice"
        RECEIPT = "receipt", "Receipt"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="number_series")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
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

    number = models.CharField(max_length=30, unique=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="invoices")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="invoices")
    milestone = models.OneToOneField(
        PaymentMilestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoice"
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True, help_text="When the last of its amount was paid.")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    seller_name = models.CharField(max_length=200)
    seller_address = models.TextField(blank=True)
    seller_tax_id = models.CharField(max_length=40, blank=True)
    buyer_name = models.CharField(max_length=200)
    buyer_address = models.TextField(blank=True)
    buyer_tax_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["customer", "due_at"])]
        constraints = [
            models.UniqueConstraint(fields=["provider", "year", "sequence"], name="unique_invoice_sequence"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("1"))
    unit_amount = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["invoice", "position", "pk"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against an invoice, recorded by the provider's finance people; each has a
    numbered receipt ("EXP-R-2026-00007")."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    paid_on = models.DateField(help_text="The day the money arrived.")
    reference = models.CharField(max_length=80, blank=True, help_text="The bank's or the payer's reference.")
    receipt_number = models.CharField(max_length=30, unique=True)
    receipt_year = models.PositiveSmallIntegerField()
    receipt_sequence = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
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
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a seat"
        ACCEPTED = "accepted", "Accepted"
        LAPSED = "lapsed", "Offer lapsed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        FULFILLED = "fulfilled", "Booked otherwise"

    #: Entries still on the list: at most one per payload and target.
    ACTIVE_STATUSES = (Status.WAITING, Status.OFFERED)

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="standby_entries")
    payload = models.ForeignKey(Payload, on_delete=models.CASCADE, related_name="standby_entries")
    # The target: one launch, or (no launch) an orbit between two dates.
    launch = models.ForeignKey(
        Launch, on_delete=models.CASCADE, null=True, blank=True, related_name="standby_entries"
    )
    orbit_family = models.CharField(max_length=3, choices=OrbitFamily.choices, blank=True)
    altitude_km = models.PositiveIntegerField("altitude (km)", null=True, blank=True)
    inclination_min_deg = models.DecimalField(
        "lowest inclination (°)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    inclination_max_deg = models.DecimalField(
        "highest inclination (°)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    ltan = models.TimeField("local time of the ascending node", null=True, blank=True)
    earliest_date = models.DateField(null=True, blank=True, help_text="Launches on or after this day (UTC).")
    latest_date = models.DateField(null=True, blank=True, help_text="Launches on or before this day (UTC).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    offer_booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="standby_offers"
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "standby entries"
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
        OPERATOR = "operator", "Asked for by an operator"
        SLIP = "slip", "A launch slipped"
        SCRUB = "scrub", "A launch was scrubbed"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="manifest_proposals")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.OPERATOR)
    trigger_launch = models.ForeignKey(
        Launch, on_delete=models.SET_NULL, null=True, blank=True, related_name="manifest_proposals"
    )
    demands = models.PositiveIntegerField(default=0, help_text="Payloads the optimiser placed or tried to.")
    launches = models.PositiveIntegerField(default=0)
    mass_before_kg = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal("0"))
    mass_after_kg = models.DecimalField(max_digits=12, decimal_places=1, default=Decimal("0"))
    objective = models.BigIntegerField(default=0)
    best_bound = models.BigIntegerField(default=0)
    gap = models.FloatField(
        default=0, help_text="(best bound - objective) / best bound; 0 when proved optimal."
    )
    solver_status = models.CharField(max_length=20, blank=True)
    solve_seconds = models.FloatField(default=0)
    summary = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
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
        BOOKING = "booking", "A booking"
        STANDBY = "standby", "A standby entry"
        DEDICATED = "dedicated", "A dedicated launch request"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        OFFERED = "offered", "Offered to the customer"
        ACCEPTED = "accepted", "Accepted and carried out"
        DECLINED = "declined", "Declined by the customer"
        LAPSED = "lapsed", "Lapsed unanswered"
        REFUSED = "refused", "Refused"

    proposal = models.ForeignKey(ManifestProposal, on_delete=models.CASCADE, related_name="moves")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BOOKING)
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="manifest_moves"
    )
    standby_entry = models.ForeignKey(
        "StandbyEntry", on_delete=models.CASCADE, null=True, blank=True, related_name="manifest_moves"
    )
    dedicated_request = models.ForeignKey(
        DedicatedRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="manifest_moves"
    )
    payload = models.ForeignKey(
        Payload, on_delete=models.CASCADE, null=True, blank=True, related_name="manifest_moves"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="manifest_moves")
    # Empty for a standby entry or a dedicated request: it rides no launch yet.
    from_launch = models.ForeignKey(Launch, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    to_launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    reason = models.CharField(max_length=300)
    # What the booking (entry, request) was when the move was proposed: its status and the mass it
    # counted (an entry's or request's payload mass); a move whose source changed is refused.
    booking_status = models.CharField(max_length=12)
    booking_mass_kg = models.DecimalField(max_digits=9, decimal_places=1)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    mass_kg = models.DecimalField("mass on the new launch (kg)", max_digits=9, decimal_places=1)
    price_change = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    fee_waived = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="The rebooking fee the provider waives.",
    )
    currency = models.CharField(max_length=3, choices=Currency.choices)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    refusal = models.CharField(max_length=300, blank=True)
    new_booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="manifest_move_result"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
