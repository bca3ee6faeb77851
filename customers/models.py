"""The demand side: customer organisations, their people, contracts, payloads and documents."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vehicles.models import Currency, OrbitFamily, Provider
from vehicles.orbits import MAX_ALTITUDE_KM, MIN_ALTITUDE_KM


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Customer(models.Model):
    class ExportScreening(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLEARED = "cleared", _("Cleared")
        REFUSED = "refused", _("Refused")

    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=60, unique=True, verbose_name=_("slug"))
    country = models.CharField(
        max_length=2, help_text=_("ISO 3166-1 alpha-2 code."), verbose_name=_("country")
    )
    export_screening = models.CharField(
        max_length=10,
        choices=ExportScreening.choices,
        default=ExportScreening.PENDING,
        verbose_name=_("export screening"),
    )
    holds_before_screening = models.BooleanField(
        default=False,
        help_text=_(
            "An operator's allowance: the customer may hold seats while its export screening is "
            "still pending (confirming still needs it cleared)."
        ),
        verbose_name=_("holds before screening"),
    )
    allows_moves = models.BooleanField(
        _("bookings may be moved"),
        default=True,
        help_text=_(
            "The customer agrees that the provider may offer to move its bookings to other launches "
            "(each move is an offer the customer accepts or declines). Off: no booking of it is proposed for a move."
        ),
    )
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        verbose_name=_("calendar token"),
    )
    time_zone = models.CharField(max_length=64, default="UTC", verbose_name=_("time zone"))
    # What invoices say about the buyer.
    legal_name = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The name invoices are made out to."),
        verbose_name=_("legal name"),
    )
    billing_address = models.TextField(
        blank=True,
        help_text=_("The address printed on invoices, one line a line."),
        verbose_name=_("billing address"),
    )
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MISSION = "mission", _("Mission engineer")
        FINANCE = "finance", _("Finance")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("customer")
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ADMIN, verbose_name=_("role"))
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("The time zone this member reads times in; empty: the organisation's."),
        verbose_name=_("time zone"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.customer}"


class Contract(models.Model):
    """A framework contract with one provider, committing one or more launches."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("provider")
    )
    reference = models.CharField(max_length=40, unique=True, verbose_name=_("reference"))
    launches_committed = models.PositiveIntegerField(default=1, verbose_name=_("launches committed"))
    value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), verbose_name=_("value")
    )
    currency = models.CharField(
        max_length=3, choices=Currency.choices, default=Currency.USD, verbose_name=_("currency")
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status")
    )
    deposit_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("30.00"),
        help_text=_("Share of a booking due on confirmation."),
        verbose_name=_("deposit percent"),
    )
    balance_due_days_before_launch = models.PositiveIntegerField(
        default=30, verbose_name=_("balance due days before launch")
    )
    signed_on = models.DateField(null=True, blank=True, verbose_name=_("signed on"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["customer__name", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(launches_committed__gte=1), name="contract_launches_positive"),
            models.CheckConstraint(condition=Q(value__gte=0), name="contract_value_nonneg"),
            models.CheckConstraint(
                condition=Q(deposit_percent__gte=0) & Q(deposit_percent__lte=100),
                name="contract_deposit_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.customer} with {self.provider})"


class PaymentMilestone(models.Model):
    """An amount due under a contract; booking milestones carry the booking's reference."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("contract")
    )
    label = models.CharField(max_length=120, verbose_name=_("label"))
    reference = models.CharField(
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("What the milestone pays for, e.g. a booking reference."),
        verbose_name=_("reference"),
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, choices=Currency.choices, verbose_name=_("currency"))
    due_at = models.DateTimeField(verbose_name=_("due at"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))

    class Meta:
        verbose_name = _("payment milestone")
        verbose_name_plural = _("payment milestones")
        ordering = ["due_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="milestone_amount_nonneg")]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount} {self.currency}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class CargoProgramme(models.Model):
    """A station cargo programme: the limits every cargo mission under it keeps.

    The shipped row is CMSA's call for commercial cargo (docs/catalog.md): 1-4 t up, 100-300 kg
    back to Earth in a capsule, station waste removed and deorbited.
    """

    slug = models.SlugField(max_length=40, unique=True, verbose_name=_("slug"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    up_mass_min_kg = models.DecimalField(max_digits=9, decimal_places=1, verbose_name=_("up mass min (kg)"))
    up_mass_max_kg = models.DecimalField(max_digits=9, decimal_places=1, verbose_name=_("up mass max (kg)"))
    return_mass_min_kg = models.DecimalField(
        max_digits=9, decimal_places=1, verbose_name=_("return mass min (kg)")
    )
    return_mass_max_kg = models.DecimalField(
        max_digits=9, decimal_places=1, verbose_name=_("return mass max (kg)")
    )
    source = models.CharField(
        max_length=300, help_text=_("Where the limits come from."), verbose_name=_("source")
    )

    class Meta:
        verbose_name = _("cargo programme")
        verbose_name_plural = _("cargo programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(up_mass_min_kg__gt=0) & Q(up_mass_max_kg__gte=models.F("up_mass_min_kg")),
                name="cargoprogramme_up_range",
            ),
            models.CheckConstraint(
                condition=Q(return_mass_min_kg__gte=0)
                & Q(return_mass_max_kg__gte=models.F("return_mass_min_kg")),
                name="cargoprogramme_return_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Payload(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="payloads", verbose_name=_("customer")
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    mass_kg = models.DecimalField(
        _("mass (kg)"), max_digits=9, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    length_m = models.DecimalField(_("length (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    width_m = models.DecimalField(_("width (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    height_m = models.DecimalField(_("height (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    orbit_family = models.CharField(
        max_length=3, choices=OrbitFamily.choices, default=OrbitFamily.SSO, verbose_name=_("orbit family")
    )
    altitude_km = models.PositiveIntegerField(
        _("altitude (km)"),
        validators=[MinValueValidator(MIN_ALTITUDE_KM), MaxValueValidator(MAX_ALTITUDE_KM)],
    )
    inclination_deg = models.DecimalField(
        _("inclination (°)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(180)],
        help_text=_("Leave empty for sun-synchronous: it follows from the altitude."),
    )
    returnable = models.BooleanField(default=False, verbose_name=_("returnable"))
    return_mass_kg = models.DecimalField(
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_(
            "What comes back to Earth in the return capsule (returnable payloads only); "
            "the mass above is what goes up."
        ),
        verbose_name=_("return mass (kg)"),
    )
    ltan = models.TimeField(
        null=True,
        blank=True,
        verbose_name=_("local time of the ascending node"),
        help_text=_("Sun-synchronous payloads: the local mean solar time of the ascending node, HH:MM."),
    )
    cargo_programme = models.ForeignKey(
        "customers.CargoProgramme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payloads",
        help_text=_("A station cargo mission flies under a programme's limits (up-mass, return mass)."),
        verbose_name=_("cargo programme"),
    )
    hazards = models.CharField(max_length=200, blank=True, verbose_name=_("hazards"))
    earliest_launch = models.DateField(
        null=True,
        blank=True,
        help_text=_("The earliest launch date the payload can fly (UTC); empty: any."),
        verbose_name=_("earliest launch"),
    )
    latest_launch = models.DateField(
        null=True,
        blank=True,
        help_text=_("The latest launch date still acceptable (UTC); empty: any."),
        verbose_name=_("latest launch"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("payload")
        verbose_name_plural = _("payloads")
        ordering = ["customer__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="unique_payload_name_per_customer"),
            models.CheckConstraint(condition=Q(mass_kg__gt=0), name="payload_mass_positive"),
            models.CheckConstraint(condition=Q(altitude_km__gte=100), name="payload_altitude_min"),
            models.CheckConstraint(
                condition=Q(inclination_deg__isnull=True)
                | (Q(inclination_deg__gte=0) & Q(inclination_deg__lte=180)),
                name="payload_inclination_range",
            ),
            models.CheckConstraint(
                condition=Q(earliest_launch__isnull=True)
                | Q(latest_launch__isnull=True)
                | Q(earliest_launch__lte=models.F("latest_launch")),
                name="payload_launch_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(returnable=False, return_mass_kg__isnull=True)
                | Q(returnable=True, return_mass_kg__gt=0),
                name="payload_return_mass_when_returnable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mass_kg} kg)"


class CargoItem(models.Model):
    """One line of a cargo mission's manifest: what goes up, what comes back, what is burnt up."""

    class Direction(models.TextChoices):
        UP = "up", _("Up to the station")
        DOWN = "down", _("Back to Earth")
        WASTE = "waste", _("Station waste for deorbit")

    payload = models.ForeignKey(
        Payload, on_delete=models.CASCADE, related_name="cargo_items", verbose_name=_("payload")
    )
    direction = models.CharField(max_length=5, choices=Direction.choices, verbose_name=_("direction"))
    name = models.CharField(max_length=120, verbose_name=_("name"))
    mass_kg = models.DecimalField(
        max_digits=9,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
        verbose_name=_("mass (kg)"),
    )
    priority = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1: flies first; 5: last."),
        verbose_name=_("priority"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("cargo item")
        verbose_name_plural = _("cargo items")
        ordering = ["payload", "direction", "priority", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(mass_kg__gt=0), name="cargoitem_mass_positive"),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=5), name="cargoitem_priority_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mass_kg} kg, {self.get_direction_display().lower()})"


class Document(models.Model):
    class Kind(models.TextChoices):
        ICD = "icd", _("Interface control document")
        MASS_PROPERTIES = "mass_properties", _("Mass properties")
        EXPORT = "export", _("Export forms")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="documents", verbose_name=_("customer")
    )
    payload = models.ForeignKey(
        Payload,
        on_delete=models.CASCADE,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("payload"),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    file = models.FileField(upload_to="documents/%Y/%m/", verbose_name=_("file"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SUBMITTED, verbose_name=_("status")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))
    review_note = models.CharField(max_length=300, blank=True, verbose_name=_("review note"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.payload or self.customer}"


class UserProfile(models.Model):
    """A person's own settings, whatever organisation they act for: the language they read in.

    One row per user, written on first choice; no row (or an empty language) means the browser's
    language, then English.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language pages, e-mails and API answers are written in; empty: the browser's."),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser language'})"
