"""The launch schedule form of the operator admin, and the planner beside it.

The window is typed in the launch site's local time (``<input type="datetime-local">``) and
converted to UTC with ``booking.dates.local_to_utc``. The trucks, pads and rockets offered are the
operator's own, and each option carries the vehicle models it fits (``data-models``; a pad also
its site, ``data-site``) so the page's script hides what does not fit the chosen model; the form
asks ``vehicles.compatibility`` again when it is sent. The planner's top plans
(``booking.selectors.planner.plan_launch``) each fill the form in one click: a link back to the
form with the plan as its initial values.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.dates import (
    LocalTimeError,
    day_iso,
    local_to_utc,
    utc_to_local_input,
    validate_accepted_datetime,
)
from booking.errors import InvalidRequest
from booking.form_fields import LocalTimeFormField
from booking.models import DedicatedRequest, Launch
from booking.rules.local_time import clock
from booking.selectors.planner import Plan, plan_fleet_default, plan_launch, plan_span_problem
from vehicles.compatibility import pad_serves_problem, platform_carries_problem
from vehicles.models import LaunchSite, MobilePlatform, OrbitFamily, Pad, Provider, Vehicle, VehicleModel
from vehicles.orbits import MAX_ALTITUDE_KM, MIN_ALTITUDE_KM
from vehicles.selectors import (
    operator_provider_ids,
    platforms_for_operator,
    providers_for_operator,
    vehicle_models_for_operator,
    vehicles_for_operator,
)

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
#: How many of the planner's plans the form offers.
TOP_PLANS = 5


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time as typed, left naive: the form knows the zone (the site's) only once the
    site is read, in ``clean``. A time with an explicit offset keeps it."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)
    input_formats = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
        for fmt in self.input_formats:
            try:
                return datetime.strptime(text, fmt)  # noqa: DTZ007 - wall-clock, zoned in clean()
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class FitSelect(forms.Select):
    """A select whose options carry what they fit (``data-models``, ``data-site``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_data: dict[str, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # type: ignore[no-untyped-def]
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        extra = self.option_data.get(str(getattr(value, "value", value)))
        if extra:
            option["attrs"] = {**option["attrs"], **extra}
        return option


def _platform_data(platforms: list[MobilePlatform]) -> dict[str, dict[str, str]]:
    return {
        str(p.pk): {"data-models": " ".join(str(pk) for pk in sorted(m.pk for m in p.vehicle_models.all()))}
        for p in platforms
    }


def _pad_data(pads: list[Pad], models: list[VehicleModel]) -> dict[str, dict[str, str]]:
    data = {}
    for pad in pads:
        served = {m.pk for m in pad.vehicle_models.all()}
        families = set(pad.vehicle_families or [])
        fits = [m.pk for m in models if m.pk in served or (m.family and m.family in families)]
        data[str(pad.pk)] = {"data-models": " ".join(map(str, fits)) or "none", "data-site": str(pad.site_id)}
    return data


class ScheduleForm(forms.Form):
    name = forms.CharField(max_length=120, required=False, label=gettext_lazy("Name"))
    provider = forms.ModelChoiceField(queryset=Provider.objects.all(), label=gettext_lazy("Provider"))
    vehicle_model = forms.ModelChoiceField(
        queryset=VehicleModel.objects.filter(active=True), label=gettext_lazy("Vehicle model")
    )
    site = forms.ModelChoiceField(queryset=LaunchSite.objects.all(), label=gettext_lazy("Site"))
    platform = forms.ModelChoiceField(
        queryset=MobilePlatform.objects.all(),
        required=False,
        widget=FitSelect,
        label=gettext_lazy("Platform"),
    )
    pad = forms.ModelChoiceField(
        queryset=Pad.objects.select_related("site"),
        required=False,
        widget=FitSelect,
        label=gettext_lazy("Pad"),
    )
    vehicle = forms.ModelChoiceField(
        queryset=Vehicle.objects.filter(status=Vehicle.Status.READY_STORAGE).select_related("vehicle_model"),
        required=False,
        widget=FitSelect,
        help_text=gettext_lazy("A rocket in ready storage (optional: assign later)."),
        label=gettext_lazy("Rocket"),
    )
    orbit_family = forms.ChoiceField(choices=OrbitFamily.choices, label=gettext_lazy("Orbit family"))
    altitude_km = forms.IntegerField(
        min_value=MIN_ALTITUDE_KM, max_value=MAX_ALTITUDE_KM, label=gettext_lazy("Altitude (km)")
    )
    inclination_deg = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        label=gettext_lazy("Inclination (°)"),
        help_text=gettext_lazy("Leave empty for SSO: follows from the altitude."),
    )
    window_start = LocalDateTimeField(
        label=gettext_lazy("Window opens"),
        help_text=gettext_lazy("Local time at the launch site (its time zone); stored in UTC."),
    )
    window_end = LocalDateTimeField(
        label=gettext_lazy("Window closes"), help_text=gettext_lazy("Local time at the launch site.")
    )
    net_precision = forms.ChoiceField(
        choices=Launch.NetPrecision.choices, initial="hour", label=gettext_lazy("NET precision")
    )
    service_level = forms.ChoiceField(
        choices=Launch.ServiceLevel.choices, initial="standard", label=gettext_lazy("Service level")
    )
    ltan = LocalTimeFormField(
        label=gettext_lazy("LTAN"),
        help_text=gettext_lazy(
            "SSO: local time of the ascending node, HH:MM. The window opens at the daily launch "
            "time it gives from the site."
        ),
    )
    # Scheduling for a customer's dedicated launch request: the launch is linked to it.
    dedicated_request = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        models = list(vehicle_models_for_operator(user).filter(active=True).order_by("name"))
        platforms = list(platforms_for_operator(user).prefetch_related("vehicle_models").order_by("name"))
        pads = list(Pad.objects.filter(active=True).select_related("site").prefetch_related("vehicle_models"))
        vehicles = vehicles_for_operator(user).filter(status=Vehicle.Status.READY_STORAGE)
        fields = self.fields
        fields["provider"].queryset = providers_for_operator(user)  # type: ignore[attr-defined]
        fields["vehicle_model"].queryset = vehicle_models_for_operator(user).filter(active=True)  # type: ignore[attr-defined]
        fields["platform"].queryset = platforms_for_operator(user)  # type: ignore[attr-defined]
        fields["pad"].queryset = Pad.objects.filter(active=True).select_related("site")  # type: ignore[attr-defined]
        fields["vehicle"].queryset = vehicles.select_related("vehicle_model", "storage_site")  # type: ignore[attr-defined]
        fields["platform"].widget.option_data = _platform_data(platforms)  # type: ignore[attr-defined]
        fields["pad"].widget.option_data = _pad_data(pads, models)  # type: ignore[attr-defined]
        fields["vehicle"].widget.option_data = {  # type: ignore[attr-defined]
            str(pk): {"data-models": str(model_id)}
            for pk, model_id in vehicles.values_list("pk", "vehicle_model_id")
        }

    def _zoned(self, name: str, zone: ZoneInfo) -> None:
        wall = self.cleaned_data.get(name)
        if wall is None:
            return
        try:
            moment = local_to_utc(wall, zone)
            validate_accepted_datetime(moment)
        except (LocalTimeError, forms.ValidationError) as exc:
            self.add_error(name, exc.messages if isinstance(exc, forms.ValidationError) else str(exc))
            return
        self.cleaned_data[name] = moment

    def _fits(self) -> None:
        """The truck carries the model, the pad serves it: asked of ``vehicles.compatibility``."""
        data = self.cleaned_data
        model, platform, pad = data.get("vehicle_model"), data.get("platform"), data.get("pad")
        if model is None:
            return
        if platform is not None:
            problem = platform_carries_problem(
                platform_name=platform.name,
                carried_model_names=[m.name for m in platform.vehicle_models.all()],
                model_name=model.name,
            )
            if problem:
                self.add_error("platform", problem)
        if pad is not None:
            problem = pad_serves_problem(
                pad_label=str(pad),
                served_model_names=[m.name for m in pad.vehicle_models.all()],
                served_families=pad.vehicle_families or [],
                model_name=model.name,
                model_family=model.family,
            )
            if problem:
                self.add_error("pad", problem)
        vehicle = data.get("vehicle")
        if vehicle is not None and vehicle.vehicle_model_id != model.pk:
            self.add_error(
                "vehicle",
                _("%(serial)s is a %(its)s, not a %(model)s.")
                % {"serial": vehicle.serial, "its": vehicle.vehicle_model.name, "model": model.name},
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        site = self.cleaned_data.get("site")
        if site is not None:
            for name in ("window_start", "window_end"):
                self._zoned(name, site.tzinfo)
        self._fits()
        return self.cleaned_data


def initial_from_query(query: Any) -> dict[str, Any]:
    """The schedule form's initial values from a plan's link (``?vehicle_model=…&window_start=…``)."""
    return {name: query[name] for name in ScheduleForm.base_fields if query.get(name)}


# --- the planner beside the form ------------------------------------------------------------


class PlanSearchForm(forms.Form):
    """What to plan for: the orbit and the span of days to search (UTC days)."""

    orbit_family = forms.ChoiceField(
        choices=OrbitFamily.choices, initial="SSO", label=gettext_lazy("Orbit family")
    )
    altitude_km = forms.IntegerField(
        min_value=MIN_ALTITUDE_KM, max_value=MAX_ALTITUDE_KM, initial=500, label=gettext_lazy("Altitude (km)")
    )
    inclination_deg = forms.DecimalField(
        max_digits=6, decimal_places=2, required=False, label=gettext_lazy("Inclination (°)")
    )
    earliest = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label=gettext_lazy("From")
    )
    latest = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label=gettext_lazy("To")
    )
    service_level = forms.ChoiceField(
        choices=Launch.ServiceLevel.choices, initial="standard", label=gettext_lazy("Service level")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("earliest") and data.get("latest"):
            data["earliest_at"] = datetime.combine(data["earliest"], time.min, tzinfo=UTC)
            data["latest_at"] = datetime.combine(data["latest"], time.max, tzinfo=UTC)
            problem = plan_span_problem(earliest=data["earliest_at"], latest=data["latest_at"])
            if problem:
                self.add_error("latest", problem[1])
        return data


def _plan_link(
    plan: Plan,
    provider: Provider | None,
    data: dict[str, Any],
    search: dict[str, str],
    carry: dict[str, str] | None = None,
) -> str:
    zone = plan.site.tzinfo
    values = {
        "provider": plan.vehicle_model.provider_id if provider is None else provider.pk,
        "vehicle_model": plan.vehicle_model.pk,
        "site": plan.site.pk,
        "platform": plan.platform.pk if plan.platform else "",
        "pad": plan.pad.pk if plan.pad else "",
        "vehicle": plan.vehicle.pk,
        "orbit_family": data["orbit_family"],
        "altitude_km": data["altitude_km"],
        "inclination_deg": data["inclination_deg"] if data["inclination_deg"] is not None else "",
        "window_start": utc_to_local_input(plan.window_start, zone),
        # A local time of the ascending node opens the window at its daily launch time: the window
        # is given a day more, so that time falls inside it (launch_schedule moves the start there).
        "window_end": utc_to_local_input(
            plan.window_end + (timedelta(days=1) if (carry or {}).get("ltan") else timedelta()), zone
        ),
        "service_level": data["service_level"],
        **(carry or {}),
    }
    # The search rides along, so the planner beside the filled form still shows its plans.
    return "?" + urlencode({**{k: v for k, v in values.items() if v != ""}, **search})


def top_plans(
    form: PlanSearchForm, *, user: Any, carry: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The planner's first plans for the operator's fleet, each with the link that fills the
    schedule form (with ``carry``'s values too: a dedicated request's id, its LTAN); or, when
    none fits, the planner's reasons."""
    data = form.cleaned_data
    search = {key: str(value) for key, value in form.data.items() if key.startswith(f"{form.prefix}-")}
    try:
        provider = plan_fleet_default(provider=None, runs=operator_provider_ids(user))
        result = plan_launch(
            orbit_family=data["orbit_family"],
            altitude_km=data["altitude_km"],
            inclination_deg=data["inclination_deg"],
            earliest=data["earliest_at"],
            latest=data["latest_at"],
            service_level=data["service_level"],
            provider=provider,
            limit=TOP_PLANS,
        )
    except InvalidRequest as exc:
        return [], [exc.message]
    plans = [
        {
            "plan": plan,
            "describe": plan.describe(),
            "local": utc_to_local_input(plan.window_start, plan.site.tzinfo).replace("T", " "),
            "zone": plan.site.time_zone,
            "link": _plan_link(plan, provider, data, search, carry),
        }
        for plan in result.plans[:TOP_PLANS]
    ]
    return plans, ([] if plans else result.reasons[:5])


def plan_search_initial(now: datetime) -> dict[str, Any]:
    today = now.astimezone(UTC).date()
    # A standard campaign needs weeks of readiness work: search a season ahead.
    return {"earliest": today + timedelta(days=7), "latest": today + timedelta(days=120)}


def dedicated_request_query(request: DedicatedRequest) -> str:
    """The schedule form's link for a dedicated launch request: the form pre-filled with its
    orbit and vehicle, and the planner beside it searching its dates, so its plans are one
    click away."""
    values: dict[str, Any] = {
        "dedicated_request": request.pk,
        "orbit_family": request.orbit_family,
        "altitude_km": request.altitude_km,
        "inclination_deg": request.inclination_deg if request.inclination_deg is not None else "",
        "ltan": clock(request.ltan) if request.ltan else "",
        "vehicle_model": request.vehicle_model_id or "",
        "provider": request.vehicle_model.provider_id if request.vehicle_model else "",
        "plan-orbit_family": request.orbit_family,
        "plan-altitude_km": request.altitude_km,
        "plan-inclination_deg": request.inclination_deg if request.inclination_deg is not None else "",
        "plan-earliest": day_iso(request.earliest),
        "plan-latest": day_iso(request.latest),
        "plan-service_level": Launch.ServiceLevel.STANDARD,
    }
    return "?" + urlencode({k: v for k, v in values.items() if v != ""})
