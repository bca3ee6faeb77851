"""Portal forms. They collect input; the services decide (and refuse with a message)."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from booking.form_fields import LocalTimeFormField
from booking.models import AddOnService, Launch, Notification
from booking.portal.selectors import OrbitAssessment, orbit_assessment
from booking.rules.notifications import CATEGORY_HELP
from booking.services.payloads import EDITABLE_FIELDS, payload_mission_problems
from customers.models import CargoItem, Contract, Document, Payload
from vehicles.models import Currency, OrbitFamily, PortKind
from vehicles.orbits import MAX_ALTITUDE_KM, MIN_ALTITUDE_KM


class PayloadForm(forms.ModelForm):
    """Mass, size and target orbit. The orbit is checked against the catalog while typing (htmx)."""

    ltan = LocalTimeFormField(
        label="Local time of the ascending node (LTAN)",
        help_text="Sun-synchronous payloads: the local mean solar time your orbit keeps, e.g. 10:30. "
        "Rideshare launches within the tolerance of it are offered.",
    )

    class Meta:
        model = Payload
        fields = list(EDITABLE_FIELDS)
        labels = {
            "mass_kg": "Mass (kg)",
            "length_m": "Length (m)",
            "width_m": "Width (m)",
            "height_m": "Height (m)",
            "altitude_km": "Altitude (km)",
            "inclination_deg": "Inclination (°)",
            "returnable": "Returnable (comes back to Earth in a capsule)",
            "return_mass_kg": "Comes back to Earth (kg)",
            "cargo_programme": "Station cargo programme",
            "hazards": "Hazards",
            "earliest_launch": _("Earliest launch date"),
            "latest_launch": _("Latest launch date"),
        }
        help_texts = {
            "mass_kg": "Wet mass ready for launch, without the launch adapter (a cargo mission: its up-mass).",
            "return_mass_kg": "What comes back in the capsule: returnable payloads only.",
            "hazards": "Propellants, batteries, pressure vessels or radioactive sources, if any.",
            "earliest_launch": _("The earliest day (UTC) the payload can be ready to fly; empty: any."),
            "latest_launch": _(
                "The latest day (UTC) it may still fly; if its launch slips past it, the provider "
                "proposes another. Empty: any."
            ),
        }
        widgets = {
            "mass_kg": forms.NumberInput(
                attrs={"step": "0.1", "min": "0.1", "inputmode": "decimal", "data-orbit": "mass"}
            ),
            "length_m": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "width_m": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "height_m": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "earliest_launch": forms.DateInput(attrs={"type": "date"}),
            "latest_launch": forms.DateInput(attrs={"type": "date"}),
            "orbit_family": forms.Select(attrs={"data-orbit": "family"}),
            "altitude_km": forms.NumberInput(
                attrs={
                    "min": str(MIN_ALTITUDE_KM),
                    "max": str(MAX_ALTITUDE_KM),
                    "inputmode": "numeric",
                    "data-orbit": "altitude",
                }
            ),
            "inclination_deg": forms.NumberInput(
                attrs={
                    "step": "0.01",
                    "min": "0",
                    "max": "180",
                    "inputmode": "decimal",
                    "data-orbit": "inclination",
                }
            ),
        }

    def __init__(self, *args: Any, customer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.assessment: OrbitAssessment | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        family, altitude = cleaned.get("orbit_family"), cleaned.get("altitude_km")
        if family and altitude is not None:
            assessment = self.assessment = orbit_assessment(
                orbit_family=family,
                altitude_km=altitude,
                inclination_deg=cleaned.get("inclination_deg"),
                mass_kg=cleaned.get("mass_kg"),
            )
            for name, message in assessment.errors.items():
                self.add_error(name if name in self.fields else None, message)
        if family and cleaned.get("mass_kg") is not None:
            problems = payload_mission_problems(
                orbit_family=family,
                mass_kg=cleaned["mass_kg"],
                returnable=bool(cleaned.get("returnable")),
                return_mass_kg=cleaned.get("return_mass_kg"),
                ltan=cleaned.get("ltan"),
                cargo_programme=cleaned.get("cargo_programme"),
            )
            for name, message in problems.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class CargoItemForm(forms.Form):
    """One line of a cargo mission's manifest; ``cargo_item_add`` checks it against the mission."""

    direction = forms.ChoiceField(label="Goes", choices=CargoItem.Direction.choices)
    name = forms.CharField(label="Item", max_length=120)
    mass_kg = forms.DecimalField(label="Mass (kg)", min_value=Decimal("0.1"), max_digits=9, decimal_places=1)
    priority = forms.IntegerField(
        label="Priority", min_value=1, max_value=5, initial=3, help_text="1 flies first."
    )


class OrbitCheckForm(forms.Form):
    """The fields the live orbit check needs; lenient, since the user is still typing."""

    orbit_family = forms.CharField(required=False)
    altitude_km = forms.IntegerField(
        label="Altitude", required=False, min_value=MIN_ALTITUDE_KM, max_value=MAX_ALTITUDE_KM
    )
    inclination_deg = forms.DecimalField(label="Inclination", required=False, min_value=0, max_value=180)
    mass_kg = forms.DecimalField(label="Mass", required=False, min_value=Decimal("0.1"))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Document", choices=Document.Kind.choices)
    payload = forms.ModelChoiceField(
        label="Payload", queryset=Payload.objects.none(), required=False, empty_label="(whole organisation)"
    )
    file = forms.FileField(
        label="File",
        help_text="PDF, Word, Excel, OpenDocument, text, CSV, ZIP or STEP; at most 20 MB.",
    )

    def __init__(self, *args: Any, customer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payload_field = self.fields["payload"]
        assert isinstance(payload_field, forms.ModelChoiceField)
        payload_field.queryset = Payload.objects.filter(customer=customer).order_by("name")


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Show times in",
        required=False,
        help_text="Readiness steps, launch times and due dates are shown in this time zone.",
    )

    def __init__(self, *args: Any, organisation_time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = ("", f"The organisation's time zone ({organisation_time_zone})")
        time_zone_field = self.fields["time_zone"]
        assert isinstance(time_zone_field, forms.ChoiceField)
        time_zone_field.choices = [default, *_time_zone_choices()]


class CustomerSwitchForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=80,
        help_text="What will use it, e.g. “mission control scheduler”.",
    )


class BookOptionsForm(forms.Form):
    """What to price: one availability option, the currency, add-on services, declared value."""

    option = forms.CharField(label="Launch option")
    currency = forms.ChoiceField(label="Currency", choices=Currency.choices, initial=Currency.USD)
    add_ons = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Add-on services"),
        queryset=AddOnService.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The launch's provider's own services, each chosen by itself."),
    )
    port = forms.ChoiceField(
        label="Port",
        choices=[("", "(the port the option lists)"), *PortKind.choices],
        required=False,
        help_text="On a launch with ports: the kind of slot the payload rides on, with its adapter.",
    )
    declared_value = forms.DecimalField(
        label="Declared payload value",
        required=False,
        min_value=0,
        decimal_places=2,
        help_text="Needed for launch insurance, which is priced as a share of it (in the chosen currency).",
    )

    def __init__(self, *args: Any, options: list[str] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_options = options

    def clean_option(self) -> str:
        value = self.cleaned_data["option"]
        if self.allowed_options is not None and value not in self.allowed_options:
            raise forms.ValidationError("Choose one of the options listed.")
        if not (value.startswith("launch-") or value.startswith("model-")):
            raise forms.ValidationError("Choose one of the options listed.")
        return value


class ConfirmForm(forms.Form):
    contract = forms.ModelChoiceField(
        label="Contract",
        queryset=Contract.objects.none(),
        required=False,
        empty_label="(the first contract with launches left)",
        help_text="A contract with this launch's provider uses one of its committed launches.",
    )

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contract_field = self.fields["contract"]
        assert isinstance(contract_field, forms.ModelChoiceField)
        contract_field.queryset = contracts
        if len(contracts) == 1:
            contract_field.initial = contracts[0].pk


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        required=False,
        help_text="Optional; launch operations see it.",
    )


class ExpressOrderForm(forms.Form):
    payload = forms.ModelChoiceField(
        label=_("Payload"),
        queryset=Payload.objects.none(),
        empty_label=_("Choose a payload…"),
        help_text=_(
            "A vehicle from ready storage, a mobile platform and a site are found for a launch within "
            "24 hours; you see the price and confirm it."
        ),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.USD)
    contract = forms.ModelChoiceField(
        label=_("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        empty_label=_("Any active contract with a launch left"),
        help_text=_("Only launches of this contract's provider are offered."),
    )

    def __init__(self, *args: Any, customer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payload_field = self.fields["payload"]
        assert isinstance(payload_field, forms.ModelChoiceField)
        payload_field.queryset = Payload.objects.filter(customer=customer).order_by("name")
        contract_field = self.fields["contract"]
        assert isinstance(contract_field, forms.ModelChoiceField)
        contract_field.queryset = (
            Contract.objects.filter(customer=customer, status=Contract.Status.ACTIVE)
            .select_related("provider")
            .order_by("signed_on", "pk")
        )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label="Endpoint URL", max_length=500, assume_scheme="https")
    event_types = forms.CharField(
        label="Events",
        required=False,
        help_text="Comma-separated, e.g. “booking.*, launch.slipped”; empty for every event.",
    )

    def clean_event_types(self) -> list[str]:
        return [item.strip() for item in self.cleaned_data["event_types"].split(",") if item.strip()]


class NotificationPreferencesForm(forms.Form):
    """One box per category: receive it by e-mail. The portal lists every notification either way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in Notification.Category:
            self.fields[category.value] = forms.BooleanField(
                label=category.label,
                required=False,
                help_text=f"E-mail me when {CATEGORY_HELP[category]}.",
            )

    def email_by_category(self) -> dict[str, bool]:
        return {
            category.value: bool(self.cleaned_data.get(category.value)) for category in Notification.Category
        }


class PriceLaunchForm(forms.Form):
    """A mass and an orbit, before a payload is described: what "Price a launch" searches for."""

    mass_kg = forms.DecimalField(
        label=gettext_lazy("Mass (kg)"),
        min_value=Decimal("0.1"),
        max_digits=9,
        decimal_places=1,
        help_text=gettext_lazy("The payload's own mass; the launch's adapter is added to it."),
    )
    orbit_family = forms.ChoiceField(
        label=gettext_lazy("Orbit family"), choices=OrbitFamily.choices, initial=OrbitFamily.SSO
    )
    altitude_km = forms.IntegerField(
        label=gettext_lazy("Altitude (km)"), min_value=MIN_ALTITUDE_KM, max_value=MAX_ALTITUDE_KM
    )
    inclination_deg = forms.DecimalField(
        label=gettext_lazy("Inclination (°)"),
        required=False,
        min_value=0,
        max_value=180,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty for sun-synchronous: it follows from the altitude."),
    )
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency"), choices=Currency.choices, initial=Currency.USD
    )


class DedicatedRequestForm(forms.Form):
    """A dedicated launch of one's own: the vehicle (or any), the payload or its orbit, the dates."""

    vehicle_model: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Any vehicle that can fly it"),
        label=gettext_lazy("Vehicle"),
    )
    payload: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=gettext_lazy("No payload yet: I give the orbit"),
        label=gettext_lazy("Payload"),
        help_text=gettext_lazy("The payload's orbit is the request's; without one, give the orbit below."),
    )
    orbit_family = forms.ChoiceField(
        choices=[("", "—"), *OrbitFamily.choices], required=False, label=gettext_lazy("Orbit")
    )
    altitude_km = forms.IntegerField(
        min_value=MIN_ALTITUDE_KM,
        max_value=MAX_ALTITUDE_KM,
        required=False,
        label=gettext_lazy("Altitude (km)"),
    )
    inclination_deg = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("180"),
        required=False,
        label=gettext_lazy("Inclination (°)"),
        help_text=gettext_lazy("Leave empty for SSO: follows from the altitude."),
    )
    ltan = LocalTimeFormField(
        label=gettext_lazy("LTAN"),
        help_text=gettext_lazy("Sun-synchronous orbits: the local time of the ascending node, HH:MM."),
    )
    earliest = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label=gettext_lazy("Earliest")
    )
    latest = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label=gettext_lazy("Latest")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000, label=gettext_lazy("Note")
    )

    def __init__(self, *args: Any, payloads: Any, vehicle_models: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payload"].queryset = payloads  # type: ignore[attr-defined]
        self.fields["vehicle_model"].queryset = vehicle_models  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("payload") and not data.get("orbit_family"):
            self.add_error("orbit_family", gettext_lazy("Choose a payload, or give the orbit."))
        if data.get("orbit_family") and not data.get("payload") and data.get("altitude_km") is None:
            self.add_error("altitude_km", gettext_lazy("Give the altitude of the orbit."))
        return data


class DedicatedQuoteForm(forms.Form):
    payload: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Payload"))

    def __init__(self, *args: Any, payloads: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payload"].queryset = payloads  # type: ignore[attr-defined]


class StandbyJoinForm(forms.Form):
    """A payload and what it waits for: one launch, or (no launch) its orbit between dates."""

    payload = forms.ModelChoiceField(queryset=Payload.objects.none(), label=_("Payload"))
    launch = forms.ModelChoiceField(
        queryset=Launch.objects.none(),
        required=False,
        label=_("Launch"),
        empty_label=_("Any launch to the payload's orbit"),
    )
    inclination_min_deg = forms.DecimalField(
        required=False, min_value=0, max_value=180, decimal_places=2, label=_("Lowest inclination (°)")
    )
    inclination_max_deg = forms.DecimalField(
        required=False, min_value=0, max_value=180, decimal_places=2, label=_("Highest inclination (°)")
    )
    earliest_date = forms.DateField(
        required=False, label=_("Earliest launch day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    latest_date = forms.DateField(
        required=False, label=_("Latest launch day"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, payloads: list[Payload], launches: list[Launch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payload_field = self.fields["payload"]
        launch_field = self.fields["launch"]
        assert isinstance(payload_field, forms.ModelChoiceField)
        assert isinstance(launch_field, forms.ModelChoiceField)
        payload_field.queryset = Payload.objects.filter(pk__in=[p.pk for p in payloads]).order_by("name")
        launch_field.queryset = Launch.objects.filter(pk__in=[launch.pk for launch in launches]).order_by(
            "net", "pk"
        )
