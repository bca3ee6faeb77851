"""Serializers shape JSON; they hold no business rule. Writes go through services in the views."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.api.fields import (
    CustomerSecretField,
    NumberOrDecimalStringField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictURLField,
)
from booking.errors import InvalidRequest
from booking.models import (
    ApiToken,
    Booking,
    Event,
    Launch,
    PlanStep,
    Quote,
    QuoteLine,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from booking.selectors.access import get_contracts_for, get_payloads_for, get_quotes_for
from booking.selectors.capacity import launch_capacity_kg, launch_remaining_capacity_kg
from booking.selectors.planner import plan_fleet_default, plan_span_problem
from booking.services.payloads import payload_orbit_problems
from customers.models import Contract, Payload
from vehicles.models import (
    CapacityPoint,
    Currency,
    LaunchSite,
    MobilePlatform,
    OrbitFamily,
    Pad,
    Provider,
    Vehicle,
    VehicleModel,
)
from vehicles.selectors import (
    operator_provider_ids,
    platforms_for_operator,
    providers_for_operator,
    vehicle_models_for_operator,
    vehicles_for_operator,
)

MASS_MAX_DIGITS = 9


class ComputedKgField(serializers.DecimalField):
    """A read-only mass in kg computed from the whole object by a selector."""

    def __init__(self, compute, **kwargs):
        self.compute = compute
        super().__init__(max_digits=12, decimal_places=1, read_only=True, source="*", **kwargs)

    def to_representation(self, instance):
        return super().to_representation(self.compute(launch=instance))


# --- catalog -------------------------------------------------------------------------------------


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "name", "short_name", "slug", "country", "description", "mobile_launch"]


class CapacityPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = CapacityPoint
        fields = ["orbit_family", "altitude_km", "capacity_kg"]


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


# --- launches ------------------------------------------------------------------------------------


class LaunchOrbitSerializer(serializers.Serializer):
    family = serializers.ChoiceField(source="orbit_family", choices=OrbitFamily.choices, read_only=True)
    altitude_km = serializers.IntegerField(read_only=True)
    inclination_deg = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)


class LaunchSerializer(serializers.ModelSerializer):
    target_orbit = LaunchOrbitSerializer(source="*", read_only=True)
    capacity_kg = ComputedKgField(launch_capacity_kg, help_text="What the vehicle lifts to the target orbit.")
    remaining_capacity_kg = ComputedKgField(
        launch_remaining_capacity_kg,
        help_text="Capacity less confirmed bookings and unexpired holds.",
    )

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
            "net",
            "net_precision",
            "status",
            "service_level",
            "rideshare",
            "target_orbit",
            "capacity_kg",
            "remaining_capacity_kg",
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


# --- payloads ------------------------------------------------------------------------------------


class OrbitSerializer(serializers.Serializer):
    family = serializers.ChoiceField(choices=OrbitFamily.choices, source="orbit_family")
    altitude_km = StrictIntegerField(min_value=100, max_value=40000)
    inclination_deg = NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("180"),
        required=False,
        allow_null=True,
        help_text="Leave out for sun-synchronous: it follows from the altitude.",
    )


class PayloadSerializer(serializers.ModelSerializer):
    name = StrictCharField(max_length=120)
    mass_kg = NumberOrDecimalStringField(
        max_digits=MASS_MAX_DIGITS,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("99999999.9"),
    )
    orbit = OrbitSerializer(source="*")
    returnable = StrictBooleanField(required=False, default=False)

    class Meta:
        model = Payload
        fields = ["id", "customer", "name", "mass_kg", "orbit", "returnable", "created_at"]
        read_only_fields = ["id", "customer", "created_at"]
        # Uniqueness per customer is the service's to say: the customer is not an input.
        validators: list = []

    def validate(self, attrs):
        problems = payload_orbit_problems(
            orbit_family=attrs["orbit_family"],
            altitude_km=attrs["altitude_km"],
            inclination_deg=attrs.get("inclination_deg"),
        )
        if problems:
            raise serializers.ValidationError({"orbit": {field: [msg] for field, msg in problems.items()}})
        return attrs


# --- contracts, events -----------------------------------------------------------------------


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "customer",
            "provider",
            "launches_committed",
            "value",
            "currency",
            "status",
            "deposit_percent",
            "balance_due_days_before_launch",
            "signed_on",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    before = serializers.DictField(read_only=True)
    after = serializers.DictField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "verb",
            "actor_label",
            "subject_type",
            "subject_id",
            "customer",
            "provider",
            "launch",
            "message",
            "before",
            "after",
            "created_at",
        ]
        read_only_fields = fields


# --- quotes and bookings -------------------------------------------------------------------------


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, source="total", read_only=True)
    currency = serializers.ChoiceField(choices=Currency.choices, read_only=True)


class QuoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = ["position", "kind", "description", "amount"]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    lines = QuoteLineSerializer(many=True, read_only=True)
    total = MoneySerializer(source="*", read_only=True)
    options = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "reference",
            "customer",
            "payload",
            "kind",
            "service_level",
            "launch",
            "vehicle_model",
            "provider",
            "mass_kg",
            "options",
            "declared_value",
            "lines",
            "total",
            "status",
            "valid_until",
            "created_at",
        ]
        read_only_fields = fields


class BookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = [
            "id",
            "reference",
            "customer",
            "payload",
            "launch",
            "quote",
            "contract",
            "status",
            "price",
            "currency",
            "mass_kg",
            "hold_expires_at",
            "rebooked_from",
            "credit_carried_over",
            "amount_paid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- webhooks ------------------------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = StrictURLField(max_length=500)
    event_types = serializers.ListField(
        child=StrictCharField(max_length=60),
        required=False,
        max_length=20,
        help_text='Patterns of events to receive, e.g. ["booking.*", "launch.slipped"]; empty: all.',
    )
    active = StrictBooleanField(required=False)
    secret = CustomerSecretField(help_text="The signing secret; null for viewers, who may not read it.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "customer", "url", "event_types", "active", "disabled_reason", "secret", "created_at"]
        read_only_fields = ["id", "customer", "disabled_reason", "secret", "created_at"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "attempted_at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.verb", read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields


# --- auth ----------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)
    name = StrictCharField(
        max_length=80, required=False, help_text="What the token is for; shown when you list your tokens."
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Token <token>'. Shown only once.")
    name = serializers.CharField()
    prefix = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), required=False)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = fields


# --- booking engine: availability, quotes, holds -------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class _ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id among the rows the caller may see (``get_*_for(user)``); anything else is "not found"."""

    default_error_messages = {
        "does_not_exist": "No {model} of yours has id {pk_value}.",
        "incorrect_type": "Send the id as a whole number.",
    }

    def __init__(self, *, fetcher, model_name: str, owned: bool = True, **kwargs):
        self.fetcher, self.model_name = fetcher, model_name
        super().__init__(**kwargs)
        if not owned:
            self.error_messages["does_not_exist"] = "No {model} has id {pk_value}."

    def get_queryset(self):
        return self.fetcher(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            self.fail("incorrect_type")
        queryset = self.get_queryset()
        try:
            return queryset.get(pk=data)
        except queryset.model.DoesNotExist:
            self.fail("does_not_exist", model=self.model_name, pk_value=data)


class _LaunchField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No launch has id {pk_value}.",
        "incorrect_type": "Send the launch id as a whole number.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            self.fail("incorrect_type")
        return super().to_internal_value(data)


class StrictQuerySerializer(serializers.Serializer):
    """Query parameters: each given once and not empty (an empty value is a mistake, not "unset")."""

    def to_internal_value(self, data):
        errors = {}
        for name in self.fields:
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            if name not in data:
                continue
            if len(values) != 1:
                errors[name] = ["Send this parameter once."]
            elif not str(values[0]).strip():
                errors[name] = ["Send a value, or leave the parameter out."]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class AvailabilityQuerySerializer(StrictQuerySerializer):
    payload = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="One of your payloads.")
    earliest = serializers.DateTimeField(required=False, help_text="No launch before this (default: now).")
    latest = serializers.DateTimeField(required=False, help_text="No launch after this.")
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.USD)


class AvailabilityOptionSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 is the best option (earliest, then cheapest).")
    kind = serializers.ChoiceField(choices=Quote.Kind.choices)
    launch = serializers.IntegerField(allow_null=True, help_text="The rideshare launch; null for dedicated.")
    vehicle_model = serializers.IntegerField()
    provider = serializers.IntegerField()
    site = serializers.IntegerField()
    net = serializers.DateTimeField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=Currency.choices)
    remaining_capacity_kg = serializers.DecimalField(max_digits=12, decimal_places=1)
    why = serializers.CharField()


class AvailabilitySerializer(serializers.Serializer):
    payload = serializers.IntegerField()
    options = AvailabilityOptionSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why nothing (else) fits.")


class QuoteRequestSerializer(serializers.Serializer):
    payload = _ScopedPrimaryKeyField(fetcher=get_payloads_for, model_name="payload")
    service_level = serializers.ChoiceField(choices=Launch.ServiceLevel.choices, default="standard")
    launch = _LaunchField(
        queryset=Launch.objects.all(),
        required=False,
        allow_null=True,
        help_text="A rideshare seat on this launch.",
    )
    vehicle_model = serializers.PrimaryKeyRelatedField(
        queryset=VehicleModel.objects.all(),
        required=False,
        allow_null=True,
        help_text="Instead of a launch: a dedicated launch of this model.",
    )
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.USD)
    options = serializers.ListField(
        child=serializers.ChoiceField(choices=["insurance", "mission_control", "it_support"]),
        required=False,
        max_length=3,
    )
    declared_value = NumberOrDecimalStringField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="The payload's value, in the quote's currency (prices insurance).",
    )


class BookingHoldSerializer(serializers.Serializer):
    quote = _ScopedPrimaryKeyField(
        fetcher=get_quotes_for, model_name="quote", help_text="An open quote of yours."
    )


class BookingConfirmSerializer(serializers.Serializer):
    contract = _ScopedPrimaryKeyField(
        fetcher=get_contracts_for,
        model_name="contract",
        required=False,
        allow_null=True,
        help_text="Default: your active contract with the launch's provider.",
    )


class BookingCancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class BookingRebookSerializer(serializers.Serializer):
    launch = _LaunchField(queryset=Launch.objects.all(), help_text="Another launch of the same provider.")


class ExpressOrderRequestSerializer(serializers.Serializer):
    payload = _ScopedPrimaryKeyField(
        fetcher=get_payloads_for, model_name="payload", help_text="One of your payloads."
    )


class ExpressOrderSerializer(serializers.Serializer):
    booking = BookingSerializer()
    launch = LaunchSerializer()


class LaunchSlipSerializer(serializers.Serializer):
    window_start = serializers.DateTimeField(help_text="The new opening of the launch window.")
    window_end = serializers.DateTimeField(required=False, help_text="Default: keeps the window's length.")
    net_precision = serializers.ChoiceField(choices=Launch.NetPrecision.choices, required=False)
    cascade = StrictBooleanField(
        required=False,
        default=False,
        help_text="Also slip the launches that follow on the same platform or pad.",
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
    provider = _ScopedPrimaryKeyField(
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
        return PlanPhaseSerializer(phases, many=True).data


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
    vehicle_model = _ScopedPrimaryKeyField(
        fetcher=vehicle_models_for_operator,
        model_name="vehicle model",
        help_text="Its provider flies the launch.",
    )
    site = _ScopedPrimaryKeyField(fetcher=_sites, model_name="site", owned=False)
    target_orbit = OrbitSerializer()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    vehicle = _ScopedPrimaryKeyField(
        fetcher=vehicles_for_operator, model_name="vehicle", required=False, allow_null=True
    )
    platform = _ScopedPrimaryKeyField(
        fetcher=platforms_for_operator,
        model_name="platform",
        required=False,
        allow_null=True,
        help_text="A mobile platform, or",
    )
    pad = _ScopedPrimaryKeyField(
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


class LaunchScrubSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200, help_text="Why the launch is scrubbed.")
