"""The business: launches, bookings and the audit log of every change."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from customers.models import Contract, Customer, Payload
from vehicles.models import (
    Currency,
    LaunchSite,
    MobilePlatform,
    OrbitFamily,
    Pad,
    Provider,
    Vehicle,
    VehicleModel,
)


class Launch(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        SCHEDULED = "scheduled", "Scheduled"
        HOLD = "hold", "On hold"
        GO = "go", "Go for launch"
        LAUNCHED = "launched", "Launched"
        SUCCESS = "success", "Success"
        PARTIAL_FAILURE = "partial_failure", "Partial failure"
        FAILURE = "failure", "Failure"
        SCRUBBED = "scrubbed", "Scrubbed"

    # Launches in these states still occupy a vehicle, a pad or a platform, and sell seats.
    ACTIVE_STATUSES = (Status.PLANNED, Status.SCHEDULED, Status.HOLD, Status.GO)
    FINAL_STATUSES = (Status.SUCCESS, Status.PARTIAL_FAILURE, Status.FAILURE, Status.SCRUBBED)

    class NetPrecision(models.TextChoices):
        MINUTE = "minute", "Minute"
        HOUR = "hour", "Hour"
        DAY = "day", "Day"
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"

    class ServiceLevel(models.TextChoices):
        STANDARD = "standard", "Standard campaign"
        EXPRESS = "express", "Express (24-hour)"

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
    altitude_km = models.PositiveIntegerField()
    inclination_deg = models.DecimalField(max_digits=6, decimal_places=2)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    net = models.DateTimeField(help_text="No earlier than: the best current estimate of lift-off.")
    net_precision = models.CharField(max_length=8, choices=NetPrecision.choices, default=NetPrecision.HOUR)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True)
    service_level = models.CharField(
        max_length=10, choices=ServiceLevel.choices, default=ServiceLevel.STANDARD
    )
    rideshare = models.BooleanField(default=True, help_text="Sells seats to more than one customer.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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
        HELD = "held", "Held"
        CONFIRMED = "confirmed", "Confirmed"
        MANIFESTED = "manifested", "Manifested"
        FLOWN = "flown", "Flown"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Hold expired"

    # Bookings in these states take capacity on their launch (held ones only until they expire).
    CAPACITY_STATUSES = (Status.HELD, Status.CONFIRMED, Status.MANIFESTED)

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
        max_digits=9, decimal_places=1, help_text="Payload plus adapter mass counted against the launch."
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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


class Event(models.Model):
    """One state change: who did what to which object, with the state before and after.

    The audit history in the admin, the customer's events, notifications and webhooks are all
    read from these rows.
    """

    verb = models.CharField(max_length=60, db_index=True, help_text='e.g. "booking.confirmed".')
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120, help_text="The actor's name, or the system process.")
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
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["customer", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.subject_type}#{self.subject_id} by {self.actor_label}"


class Reservation(models.Model):
    """A launch's claim on a mobile platform or a pad for a span of time.

    For a platform the span runs from departure (transit from its last location) through set-up,
    the launch window and tear-down; for a pad it runs from the window through the pad's
    turnaround. Spans are half-open [occupied_from, occupied_until), so back-to-back claims fit.
    On PostgreSQL an exclusion constraint (btree_gist) forbids two live claims on one platform
    or pad from overlapping; see migration 0002.
    """

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="reservations")
    platform = models.ForeignKey(
        MobilePlatform, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    pad = models.ForeignKey(Pad, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    origin = models.ForeignKey(
        LaunchSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the platform departs from (its last location).",
    )
    occupied_from = models.DateTimeField()
    arrive_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True, help_text="Set-up done, rocket erected.")
    occupied_until = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occupied_from", "pk"]
        indexes = [
            models.Index(fields=["platform", "occupied_from", "occupied_until"]),
            models.Index(fields=["pad", "occupied_from", "occupied_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(platform__isnull=False) & Q(pad__isnull=True))
                | (Q(platform__isnull=True) & Q(pad__isnull=False)),
                name="reservation_platform_xor_pad",
            ),
            models.CheckConstraint(
                condition=Q(occupied_until__gt=models.F("occupied_from")), name="reservation_span_order"
            ),
        ]

    def __str__(self) -> str:
        what = self.platform or self.pad
        return f"{what} for {self.launch}: {self.occupied_from:%Y-%m-%d %H:%M}–{self.occupied_until:%Y-%m-%d %H:%M}"
