"""Launches: the schedule, readiness, and the operators' plan, schedule, slip and scrub."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.api.fields import (
    LocalTimeField,
    NumberOrDecimalStringField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from booking.errors import InvalidRequest
from booking.models import DelayCause, Launch, PlanStep
from booking.rules.local_time import clock
from booking.selectors.capacity import launch_capacity_kg, launch_ports_free, launch_remaining_capacity_kg
from booking.selectors.local_time import launch_daily_window, launch_window_text
from booking.selectors.planner import plan_fleet_default, plan_span_problem
from vehicles.models import LaunchSite, OrbitFamily, Pad
from vehicles.selectors import (
    operator_provider_ids,
    platforms_for_operator,
    providers_for_operator,
    vehicle_models_for_operator,
    vehicles_for_operator,
)

from .common import MASS_MAX_DIGITS, ComputedKgField, OrbitSerializer, ScopedPrimaryKeyField


class LaunchOrbitSerializer(serializers.Serializer):
    family = serializers.ChoiceField(source="orbit_family", choices=OrbitFamily.choices, read_only=True)
    altitude_km = serializers.IntegerField(read_only=True)
    inclination_deg = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)


class LaunchPortSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_kind_display", read_only=True)
    count = serializers.IntegerField(read_only=True)
    free = serializers.IntegerField(
        read_only=True, help_text="Slots not taken by bookings or unexpired holds."
    )
    max_mass_kg = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    envelope_length_m = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True)
    envelope_width_m = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True)
    envelope_height_m = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)


class LaunchSerializer(serializers.ModelSerializer):
    target_orbit = LaunchOrbitSerializer(source="*", read_only=True)
    ports = serializers.SerializerMethodField(
        help_text="Ports a rideshare payload rides on (empty: payloads ride on the vehicle's adapter, mass alone limits)."
    )

    @extend_schema_field(LaunchPortSerializer(many=True))
    def get_ports(self, launch: Launch) -> list[dict]:
        if not launch.ports.all():
            return []
        rows = []
        for port, free in launch_ports_free(launch=launch, now=timezone.now()):
            port.free = free  # type: ignore[attr-defined]
            rows.append(port)
        return list(LaunchPortSerializer(rows, many=True).data)

    capacity_kg = ComputedKgField(launch_capacity_kg, help_text="What the vehicle lifts to the target orbit.")
    remaining_capacity_kg = ComputedKgField(
        launch_remaining_capacity_kg,
        help_text="Capacity less confirmed bookings and unexpired holds.",
    )
    ltan = LocalTimeField(
        read_only=True, help_text="Sun-synchronous launches: the plane's local time of the ascending node."
    )
    daily_window_utc = serializers.SerializerMethodField(
        help_text='The UTC time of day the instantaneous window opens, every day ("HH:MM"); null without an LTAN.'
    )
    window_text = serializers.SerializerMethodField(help_text='"window 04:14 UTC daily, LTAN 22:30", or "".')

    @extend_schema_field({"type": "string", "nullable": True, "example": "04:14"})
    def get_daily_window_utc(self, launch) -> str | None:
        window = launch_daily_window(launch)
        return clock(window.utc) if window is not None else None

    def get_window_text(self, launch) -> str:
        return launch_window_text(launch)

    class Meta:
        model = Launch
        fields = [
            "id",
            "name",
            "provider",
            "vehicle_model",
            "site",
            "platform",
            "window_start",
            "window_end",
            "ltan",
            "daily_window_utc",
            "window_text",
            "net",
            "net_precision",
            "status",
            "service_level",
            "rideshare",
            "target_orbit",
            "capacity_kg",
            "remaining_capacity_kg",
            "ports",
        ]
        read_only_fields = fields


class ReadinessStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanStep
        fields = ["position", "code", "name", "due_at", "status", "owner_role", "blocking", "completed_at"]
        read_only_fields = fields


class ReadinessSerializer(serializers.Serializer):
    launch = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="active, completed or cancelled.")
    steps = ReadinessStepSerializer(many=True, read_only=True)


class LaunchSlipSerializer(serializers.Serializer):
    window_start = serializers.DateTimeField(help_text="The new opening of the launch window.")
    window_end = serializers.DateTimeField(required=False, help_text="Default: keeps the window's length.")
    net_precision = serializers.ChoiceField(choices=Launch.NetPrecision.choices, required=False)
    cascade = StrictBooleanField(
        required=False,
        default=False,
        help_text="Also slip the launches that follow on the same platform or pad.",
    )
    cause = serializers.ChoiceField(
        choices=DelayCause.choices,
        help_text=(
            "What caused the slip: provider (or technical), weather, range or customer. A provider or "
            "weather slip lets its bookings move without a rebooking fee."
        ),
    )


class LaunchSlipResultSerializer(serializers.Serializer):
    launch = LaunchSerializer()
    cascaded = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of launches slipped too."
    )
    message = serializers.CharField()


def _sites(user):
    return LaunchSite.objects.all()


def _pads(user):
    return Pad.objects.all()


class PlanRequestSerializer(serializers.Serializer):
    provider = ScopedPrimaryKeyField(
        fetcher=providers_for_operator,
        model_name="provider",
        required=False,
        help_text="Plan this provider's fleet; needed when you run more than one.",
    )
    target_orbit = OrbitSerializer()
    earliest = serializers.DateTimeField(help_text="No window opens before this (nor before now).")
    latest = serializers.DateTimeField(help_text="No window opens after this.")
    service_level = serializers.ChoiceField(
        choices=Launch.ServiceLevel.choices,
        default=Launch.ServiceLevel.STANDARD,
        help_text="express: one-hour windows; standard: two hours.",
    )
    mass_kg = NumberOrDecimalStringField(
        max_digits=MASS_MAX_DIGITS,
        decimal_places=1,
        min_value=Decimal("0.1"),
        required=False,
        help_text="The payload's mass: rockets that cannot lift it (with their adapter) are left out.",
    )
    limit = StrictIntegerField(min_value=1, max_value=50, default=10, help_text="How many plans, best first.")

    def validate(self, data):
        # The planner's rules: whose fleet (one at a time) and how long a span.
        try:
            data["provider"] = plan_fleet_default(
                provider=data.get("provider"), runs=operator_provider_ids(self.context["request"].user)
            )
        except InvalidRequest as exc:
            raise serializers.ValidationError({"provider": [exc.message]}) from exc
        problem = plan_span_problem(earliest=data["earliest"], latest=data["latest"])
        if problem:
            raise serializers.ValidationError({problem[0]: [problem[1]]})
        return data


class PlanPhaseSerializer(serializers.Serializer):
    phase = serializers.CharField(help_text="transit, set-up, launch window, tear-down or pad turnaround.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class PlanSerializer(serializers.Serializer):
    site = serializers.IntegerField(source="site.pk")
    site_name = serializers.CharField(source="site.name")
    vehicle_model = serializers.IntegerField(source="vehicle_model.pk")
    vehicle = serializers.IntegerField(source="vehicle.pk", help_text="The rocket longest in ready storage.")
    vehicle_serial = serializers.CharField(source="vehicle.serial")
    platform = serializers.IntegerField(source="platform.pk", allow_null=True, help_text="Mobile launches.")
    pad = serializers.IntegerField(source="pad.pk", allow_null=True, help_text="Launches from a fixed pad.")
    resource = serializers.CharField(source="resource_label")
    origin = serializers.IntegerField(
        source="origin.pk", allow_null=True, help_text="The site the platform drives from."
    )
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    depart = serializers.DateTimeField()
    arrive = serializers.DateTimeField()
    teardown_end = serializers.DateTimeField(help_text="When the platform or pad is free again.")
    transit_hours = serializers.FloatField()
    capacity_kg = serializers.DecimalField(max_digits=MASS_MAX_DIGITS, decimal_places=1, allow_null=True)
    timeline = serializers.SerializerMethodField()
    description = serializers.CharField(source="describe")

    @extend_schema_field(PlanPhaseSerializer(many=True))
    def get_timeline(self, plan) -> list:
        phases = [{"phase": phase, "start": start, "end": end} for phase, start, end in plan.timeline]
        return list(PlanPhaseSerializer(phases, many=True).data)


class PlanningSerializer(serializers.Serializer):
    plans = PlanSerializer(many=True)
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why other candidates do not fit, the closest first."
    )
    reasons_omitted = serializers.IntegerField(help_text="Reasons left out of the list.")
    candidates = serializers.IntegerField(help_text="Platform or pad and site pairs considered.")
    walked = serializers.IntegerField(
        help_text="Candidates whose schedule was walked; the rest could not rank."
    )


class LaunchScheduleSerializer(serializers.Serializer):
    vehicle_model = ScopedPrimaryKeyField(
        fetcher=vehicle_models_for_operator,
        model_name="vehicle model",
        help_text="Its provider flies the launch.",
    )
    site = ScopedPrimaryKeyField(fetcher=_sites, model_name="site", owned=False)
    target_orbit = OrbitSerializer()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    vehicle = ScopedPrimaryKeyField(
        fetcher=vehicles_for_operator, model_name="vehicle", required=False, allow_null=True
    )
    platform = ScopedPrimaryKeyField(
        fetcher=platforms_for_operator,
        model_name="platform",
        required=False,
        allow_null=True,
        help_text="A mobile platform, or",
    )
    pad = ScopedPrimaryKeyField(
        fetcher=_pads, model_name="pad", owned=False, required=False, allow_null=True, help_text="a pad."
    )
    name = StrictCharField(
        max_length=200, required=False, allow_blank=True, help_text="Default: model and serial."
    )
    net = serializers.DateTimeField(required=False, help_text="Default: the window's start.")
    net_precision = serializers.ChoiceField(
        choices=Launch.NetPrecision.choices, default=Launch.NetPrecision.HOUR
    )
    service_level = serializers.ChoiceField(
        choices=Launch.ServiceLevel.choices, default=Launch.ServiceLevel.STANDARD
    )
    ltan = LocalTimeField(
        default=None,
        help_text='Sun-synchronous launches: the local time of the ascending node, "HH:MM". The window then '
        "opens at the daily launch time it gives from the site; a window without one is refused.",
    )


class LaunchScrubSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200, help_text="Why the launch is scrubbed.")
    cause = serializers.ChoiceField(
        choices=DelayCause.choices,
        help_text=(
            "What caused the scrub: provider (or technical), weather, range or customer. A provider or "
            "weather scrub lets its bookings move without a rebooking fee."
        ),
    )
