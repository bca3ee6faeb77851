"""API views: fetch through get_*_for selectors, change through services, nothing else."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.models import ApiToken, Launch
from booking.selectors.access import (
    get_bookings_for,
    get_contracts_for,
    get_events_for,
    get_launches_for_operator,
    get_payloads_for,
    get_quotes_for,
    get_readiness_plan_for,
    get_webhook_deliveries_for,
    get_webhook_endpoints_for,
)
from booking.selectors.availability import availability_search
from booking.selectors.capacity import launches_with_capacity
from booking.selectors.planner import plan_launch
from booking.services.bookings import booking_cancel, booking_confirm, booking_hold, booking_rebook
from booking.services.payloads import payload_create
from booking.services.quotes import quote_create
from booking.services.scheduling import launch_schedule, launch_scrub, launch_slip
from booking.services.tokens import api_token_create, api_token_revoke
from booking.services.webhooks import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_ping,
)
from booking.workflows.express import order_express_launch
from vehicles.models import LaunchSite, MobilePlatform, Provider, Vehicle
from vehicles.selectors import vehicle_models_with_curves

from . import examples as ex
from . import fields as _fields  # noqa: F401 - registers the schema extension
from .base import ApiViewMixin, LoginRateThrottle
from .filtering import StrictFilterSet
from .permissions import CustomerWritePermission, ProviderOperatorPermission, acting_membership
from .serializers import (
    ApiTokenSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingCancelSerializer,
    BookingConfirmSerializer,
    BookingHoldSerializer,
    BookingRebookSerializer,
    BookingSerializer,
    ContractSerializer,
    ErrorSerializer,
    EventSerializer,
    ExpressOrderRequestSerializer,
    ExpressOrderSerializer,
    LaunchScheduleSerializer,
    LaunchScrubSerializer,
    LaunchSerializer,
    LaunchSlipResultSerializer,
    LaunchSlipSerializer,
    PayloadSerializer,
    PlanningSerializer,
    PlanRequestSerializer,
    PlatformSerializer,
    ProviderSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
    ReadinessSerializer,
    SiteSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    VehicleModelSerializer,
    VehicleSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
)

ID_REGEX = r"[0-9]{1,18}"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or not yours.")
BAD_REQUEST = OpenApiResponse(description="Invalid input: a message per field.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="Conflicts with the schedule or capacity.")


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_REGEX
    permission_classes = [CustomerWritePermission]


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return JsonResponse(
        {"detail": "No API route matches this path (routes end with a slash, ids are numbers)."}, status=404
    )


# --- auth ------------------------------------------------------------------------------------------


class AuthTokenView(ApiViewMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        summary="Exchange a username and password for an API token",
        description=(
            "Issues a new named API token. Send it on every call as `Authorization: Token <token>`. "
            "The token is shown only in this answer; only a digest is stored. Attempts are throttled "
            "per client address."
        ),
        request=TokenRequestSerializer,
        responses={201: TokenResponseSerializer},
        auth=[],
        examples=[
            ex.ex("Log in", ex.TOKEN_REQUEST, request=True),
            ex.ex("Token", ex.TOKEN, response=True, status="201"),
        ],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            return Response(
                {"detail": "The username or password is wrong."}, status=status.HTTP_400_BAD_REQUEST
            )
        token, key = api_token_create(user=user, name=data.get("name") or "API")
        return Response(
            {"token": key, "name": token.name, "prefix": token.prefix}, status=status.HTTP_201_CREATED
        )


# --- catalog ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="Launch providers (operators of rockets and mobile platforms).",
        examples=[ex.ex("Providers", ex.PROVIDER, response=True)],
    ),
    retrieve=extend_schema(
        description="One launch provider.", examples=[ex.ex("Provider", ex.PROVIDER, response=True)]
    ),
)
class ProviderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = Provider.objects.all()
    serializer_class = ProviderSerializer
    ordering_fields = ["name", "id"]


@extend_schema_view(
    list=extend_schema(
        description="Rocket models with their capacity curves (kg per orbit family and altitude).",
        examples=[ex.ex("Vehicle models", ex.VEHICLE_MODEL, response=True)],
    ),
    retrieve=extend_schema(
        description="One rocket model with its capacity points.",
        examples=[ex.ex("Vehicle model", ex.VEHICLE_MODEL, response=True)],
    ),
)
class VehicleModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = VehicleModelSerializer
    filterset_fields = ["provider", "active"]
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        return vehicle_models_with_curves().order_by("provider__name", "name", "pk")


@extend_schema_view(
    list=extend_schema(
        description="Individual rockets by serial and their state (in production, ready, assigned, flown).",
        examples=[ex.ex("Vehicles", ex.VEHICLE, response=True)],
    ),
    retrieve=extend_schema(
        description="One rocket, by its id.", examples=[ex.ex("Vehicle", ex.VEHICLE, response=True)]
    ),
)
class VehicleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = Vehicle.objects.select_related("vehicle_model").order_by("vehicle_model__name", "serial", "pk")
    serializer_class = VehicleSerializer
    filterset_fields = ["vehicle_model", "status", "storage_site"]
    ordering_fields = ["serial", "id"]


@extend_schema_view(
    list=extend_schema(
        description="Launch sites with their coordinates, time zone and pads.",
        examples=[ex.ex("Sites", ex.SITE, response=True)],
    ),
    retrieve=extend_schema(description="One launch site.", examples=[ex.ex("Site", ex.SITE, response=True)]),
)
class SiteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = LaunchSite.objects.prefetch_related("pads").order_by("name", "pk")
    serializer_class = SiteSerializer
    ordering_fields = ["name", "id"]


@extend_schema_view(
    list=extend_schema(
        description="Mobile launch platforms (transporter-erector-launchers), their speed and set-up times.",
        examples=[ex.ex("Platforms", ex.PLATFORM, response=True)],
    ),
    retrieve=extend_schema(
        description="One mobile launch platform.", examples=[ex.ex("Platform", ex.PLATFORM, response=True)]
    ),
)
class PlatformViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = MobilePlatform.objects.order_by("provider__name", "name", "pk")
    serializer_class = PlatformSerializer
    filterset_fields = ["provider", "home_site", "status"]
    ordering_fields = ["name", "id"]


# --- launches --------------------------------------------------------------------------------------


class LaunchFilter(StrictFilterSet):
    net__gte = filters.IsoDateTimeFilter(field_name="net", lookup_expr="gte")
    net__lte = filters.IsoDateTimeFilter(field_name="net", lookup_expr="lte")

    class Meta:
        model = Launch
        fields = ["provider", "site", "status", "vehicle_model", "service_level"]


@extend_schema_view(
    list=extend_schema(
        description=(
            "The public launch schedule with capacity left to sell. Filter by `provider`, `site`, "
            "`status`, `net__gte`, `net__lte`; order with `ordering` (e.g. `-net`)."
        ),
        examples=[ex.ex("Schedule", ex.LAUNCH, response=True)],
    ),
    retrieve=extend_schema(
        description="One launch of the public schedule.", examples=[ex.ex("Launch", ex.LAUNCH, response=True)]
    ),
)
class LaunchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = LaunchSerializer
    filterset_class = LaunchFilter
    ordering_fields = ["net", "window_start", "id", "name"]

    def get_queryset(self):
        return launches_with_capacity().order_by("net", "pk")

    def get_permissions(self):
        if self.action == "create":
            return [ProviderOperatorPermission()]
        return super().get_permissions()

    def _operator_launch(self, pk):
        return get_object_or_404(get_launches_for_operator(self.request.user), pk=pk)

    @extend_schema(
        description=(
            "For the provider's operators: schedule a launch on a mobile platform (transit from "
            "where it will be, set-up, window, tear-down) or a pad (window plus turnaround), assign "
            "the rocket and start its readiness plan. A plan from `launches/plan/` can be sent as "
            "it is. All or nothing: a clash with a platform, pad, rocket, closure or the site's "
            "inclination limits is a 409 listing every reason."
        ),
        request=LaunchScheduleSerializer,
        responses={201: LaunchSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Schedule", ex.LAUNCH_SCHEDULE_REQUEST, request=True),
            ex.ex("Scheduled", {**ex.LAUNCH, "net": ex.LAUNCH["window_start"]}, response=True, status="201"),
            ex.ex("Platform taken", ex.CONFLICT, response=True, status="409"),
        ],
    )
    def create(self, request):
        serializer = LaunchScheduleSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        orbit, model = data["target_orbit"], data["vehicle_model"]
        launch = launch_schedule(
            provider=model.provider,
            vehicle_model=model,
            site=data["site"],
            orbit_family=orbit["orbit_family"],
            altitude_km=orbit["altitude_km"],
            inclination_deg=orbit.get("inclination_deg"),
            window_start=data["window_start"],
            window_end=data["window_end"],
            actor=request.user,
            vehicle=data.get("vehicle"),
            platform=data.get("platform"),
            pad=data.get("pad"),
            name=data.get("name", ""),
            net=data.get("net"),
            net_precision=data["net_precision"],
            service_level=data["service_level"],
        )
        return Response(LaunchSerializer(self._launch_answer(launch)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        description=(
            "For the provider's operators: where, on what and when a launch could fly. Ranked "
            "plans (earliest window, then shortest road, then site, platform or pad, rocket), each "
            "with its timeline; `reasons` say why other candidates do not fit, the closest first. "
            "Nothing is reserved: send a plan to `POST launches/` to schedule it."
        ),
        request=PlanRequestSerializer,
        responses={200: PlanningSerializer},
        examples=[
            ex.ex("Plan", ex.PLAN_REQUEST, request=True),
            ex.ex("Plans", ex.PLANNING, response=True),
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        permission_classes=[ProviderOperatorPermission],
        filter_backends=[],
        pagination_class=None,
    )
    def plan(self, request):
        serializer = PlanRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        orbit = data["target_orbit"]
        result = plan_launch(
            orbit_family=orbit["orbit_family"],
            altitude_km=orbit["altitude_km"],
            inclination_deg=orbit.get("inclination_deg"),
            earliest=data["earliest"],
            latest=data["latest"],
            service_level=data["service_level"],
            mass_kg=data.get("mass_kg"),
            provider=data["provider"],
            limit=data["limit"],
        )
        return Response(PlanningSerializer(result).data)

    def _launch_answer(self, launch):
        return launches_with_capacity().get(pk=launch.pk)

    @extend_schema(
        description=(
            "For the provider's operators: move a launch's window (and NET). All or nothing: a "
            "conflict with a platform, pad, vehicle or site closure is a 409 listing every reason. "
            "Customers with bookings on it hear of it through `launch.slipped` webhooks."
        ),
        request=LaunchSlipSerializer,
        responses={200: LaunchSlipResultSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[
            ex.ex("Slip a day", {"window_start": "2025-06-02T02:00:00Z"}, request=True),
            ex.ex(
                "Slipped",
                {"launch": ex.LAUNCH, "cascaded": [], "message": "Kuaizhou-1A Y7 slipped"},
                response=True,
            ),
            ex.ex("Platform taken", ex.CONFLICT, response=True, status="409"),
        ],
    )
    @action(
        detail=True, methods=["post"], permission_classes=[ProviderOperatorPermission], filter_backends=[]
    )
    def slip(self, request, pk=None):
        launch = self._operator_launch(pk)
        serializer = LaunchSlipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = launch_slip(
            launch=launch,
            window_start=data["window_start"],
            window_end=data.get("window_end"),
            net_precision=data.get("net_precision"),
            cascade=data["cascade"],
            actor=request.user,
        )
        body = {
            "launch": self._launch_answer(result.launch),
            "cascaded": [moved.pk for moved, _ in result.cascaded],
            "message": result.message,
        }
        return Response(LaunchSlipResultSerializer(body).data)

    @extend_schema(
        description=(
            "For the provider's operators: scrub a launch, releasing its platform or pad and its "
            "rocket and cancelling its readiness plan."
        ),
        request=LaunchScrubSerializer,
        responses={200: LaunchSerializer, 404: NOT_FOUND},
        examples=[
            ex.ex("Scrub", {"reason": "Second stage anomaly on the test stand"}, request=True),
            ex.ex("Scrubbed", {**ex.LAUNCH, "status": "scrubbed"}, response=True),
        ],
    )
    @action(
        detail=True, methods=["post"], permission_classes=[ProviderOperatorPermission], filter_backends=[]
    )
    def scrub(self, request, pk=None):
        launch = self._operator_launch(pk)
        serializer = LaunchScrubSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        launch = launch_scrub(launch=launch, actor=request.user, reason=serializer.validated_data["reason"])
        return Response(LaunchSerializer(self._launch_answer(launch)).data)

    @extend_schema(
        description=(
            "The readiness plan of a launch: each step with its due time, status, owner and whether "
            "it can hold the launch. Visible to the provider's operators and to customers with a "
            "live booking on the launch (not once the plan is cancelled)."
        ),
        responses={200: ReadinessSerializer, 404: NOT_FOUND},
        examples=[ex.ex("Readiness", ex.READINESS, response=True)],
    )
    @action(detail=True, methods=["get"], url_path="readiness", filter_backends=[], pagination_class=None)
    def readiness(self, request, pk=None):
        launch = get_object_or_404(Launch, pk=pk)
        plan = get_readiness_plan_for(request.user, launch=launch)
        if plan is None:
            return Response(
                {"detail": "This launch has no readiness plan that you can see."},
                status=status.HTTP_404_NOT_FOUND,
            )
        data = {"launch": launch.pk, "status": plan.status, "steps": plan.steps.all()}
        return Response(ReadinessSerializer(data).data)


# --- the customer's own rows ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's payloads.",
        examples=[ex.ex("Payloads", ex.PAYLOAD, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your payloads.", examples=[ex.ex("Payload", ex.PAYLOAD, response=True)]
    ),
    create=extend_schema(
        description=(
            "Register a payload: its mass and target orbit. The orbit must be one the catalog can "
            "reach (a vehicle with capacity at that altitude, a site that reaches the inclination); "
            "otherwise 400 with a message per field. Send an `Idempotency-Key` to retry safely."
        ),
        responses={201: PayloadSerializer, 400: BAD_REQUEST},
        examples=[
            ex.ex("New payload", ex.PAYLOAD_REQUEST, request=True),
            ex.ex("Created", ex.PAYLOAD, response=True, status="201"),
            ex.ex("Unreachable orbit", ex.PAYLOAD_INVALID, response=True, status="400"),
        ],
    ),
)
class PayloadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    serializer_class = PayloadSerializer
    ordering_fields = ["name", "created_at", "id"]

    def get_queryset(self):
        return get_payloads_for(self.request.user).order_by("name", "pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payload = payload_create(
            customer=acting_membership(request).customer,
            actor=request.user,
            name=data["name"],
            mass_kg=data["mass_kg"],
            orbit_family=data["orbit_family"],
            altitude_km=data["altitude_km"],
            inclination_deg=data.get("inclination_deg"),
            returnable=data.get("returnable", False),
        )
        return Response(self.get_serializer(payload).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's framework contracts with launch providers.",
        examples=[ex.ex("Contracts", ex.CONTRACT, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your contracts.", examples=[ex.ex("Contract", ex.CONTRACT, response=True)]
    ),
)
class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ContractSerializer
    filterset_fields = ["provider", "status"]
    ordering_fields = ["reference", "id"]

    def get_queryset(self):
        return get_contracts_for(self.request.user).order_by("reference", "pk")


class EventFilter(StrictFilterSet):
    verb = filters.CharFilter(max_length=60)
    verb__startswith = filters.CharFilter(field_name="verb", lookup_expr="startswith", max_length=60)
    created_at__gte = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = EventSerializer.Meta.model
        fields = ["launch", "subject_type"]


@extend_schema_view(
    list=extend_schema(
        description="The audit log of your organisation: every change to your payloads, quotes and bookings.",
        examples=[ex.ex("Events", ex.EVENT, response=True)],
    ),
    retrieve=extend_schema(
        description="One event of your organisation's audit log.",
        examples=[ex.ex("Event", ex.EVENT, response=True)],
    ),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return get_events_for(self.request.user).order_by("-created_at", "-pk")


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's quotes, with their priced lines.",
        examples=[ex.ex("Quotes", ex.QUOTE, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your quotes.", examples=[ex.ex("Quote", ex.QUOTE, response=True)]
    ),
    create=extend_schema(
        description=(
            "Price a payload: a rideshare seat on `launch`, or a dedicated launch on `vehicle_model`; "
            "`service_level` express adds the provider's premium; `options` add insurance (a share "
            "of `declared_value`), mission control or IT support. The quote lists its lines and "
            "total and is valid 72 hours. A payload that does not fit is a 409 saying why."
        ),
        request=QuoteRequestSerializer,
        responses={201: QuoteSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Rideshare seat with insurance", ex.QUOTE_REQUEST, request=True),
            ex.ex("Quote", ex.QUOTE, response=True, status="201"),
            ex.ex("Does not fit", ex.CONFLICT, response=True, status="409"),
        ],
    ),
)
class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    serializer_class = QuoteSerializer
    filterset_fields = ["status", "payload", "launch"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return get_quotes_for(self.request.user).order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        serializer = QuoteRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        quote = quote_create(
            customer=acting_membership(request).customer,
            payload=data["payload"],
            actor=request.user,
            service_level=data["service_level"],
            launch=data.get("launch"),
            vehicle_model=data.get("vehicle_model"),
            currency=data["currency"],
            options=data.get("options", []),
            declared_value=data.get("declared_value"),
        )
        return Response(
            QuoteSerializer(self.get_queryset().get(pk=quote.pk)).data, status=status.HTTP_201_CREATED
        )


def _booking_action_schema(description: str, request, example_request):
    return extend_schema(
        description=description,
        request=request,
        responses={200: BookingSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[
            *([ex.ex("Request", example_request, request=True)] if example_request is not None else []),
            ex.ex("Booking", ex.BOOKING, response=True),
            ex.ex("Refused", ex.CONFLICT, response=True, status="409"),
        ],
    )


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's bookings (holds, confirmed, cancelled, …).",
        examples=[ex.ex("Bookings", ex.BOOKING, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your bookings; another organisation's booking is a 404.",
        responses={200: BookingSerializer, 404: NOT_FOUND},
        examples=[ex.ex("Booking", ex.BOOKING, response=True)],
    ),
    create=extend_schema(
        description=(
            "Hold a seat for an open quote: a held booking that counts against the launch's capacity "
            "for 30 minutes. Confirm it before `hold_expires_at`. 409 when the launch has no room "
            "left, the quote has expired or the payload is already booked."
        ),
        request=BookingHoldSerializer,
        responses={201: BookingSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Hold", {"quote": 31}, request=True),
            ex.ex("Held", ex.BOOKING, response=True, status="201"),
            ex.ex("Full", ex.CONFLICT, response=True, status="409"),
        ],
    ),
    confirm=_booking_action_schema(
        "Confirm a held booking under your contract with the launch's provider (the active one "
        "with launches left unless `contract` is given); creates the payment milestones.",
        BookingConfirmSerializer,
        {"contract": 7},
    ),
    cancel=_booking_action_schema(
        "Cancel a booking; its capacity is released at once.",
        BookingCancelSerializer,
        {"reason": "Satellite not ready"},
    ),
    rebook=_booking_action_schema(
        "Move a booking to another launch of the same provider, keeping its price; refused with 409 "
        "if the new launch cannot carry the payload.",
        BookingRebookSerializer,
        {"launch": 12},
    ),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    serializer_class = BookingSerializer
    filterset_fields = ["status", "launch", "payload"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return get_bookings_for(self.request.user).order_by("-created_at", "-pk")

    def _answer(self, booking, code=status.HTTP_200_OK):
        return Response(BookingSerializer(self.get_queryset().get(pk=booking.pk)).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = self._input(BookingHoldSerializer)
        customer = acting_membership(request).customer
        booking = booking_hold(quote=data["quote"], actor=request.user, customer=customer)
        return self._answer(booking, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        booking = self.get_object()
        data = self._input(BookingConfirmSerializer)
        return self._answer(
            booking_confirm(booking=booking, actor=request.user, contract=data.get("contract"))
        )

    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        data = self._input(BookingCancelSerializer)
        return self._answer(booking_cancel(booking=booking, actor=request.user, reason=data["reason"]))

    @action(detail=True, methods=["post"], filter_backends=[])
    def rebook(self, request, pk=None):
        booking = self.get_object()
        data = self._input(BookingRebookSerializer)
        return self._answer(booking_rebook(booking=booking, launch=data["launch"], actor=request.user))


class ExpressOrderView(ApiViewMixin, APIView):
    permission_classes = [CustomerWritePermission]

    @extend_schema(
        tags=["express-orders"],
        operation_id="express_order_create",
        description=(
            "Order a 24-hour express launch for a payload: a rocket from ready storage, a mobile "
            "platform in reach and a free window opening within 24 hours are scheduled, and the "
            "payload is booked and confirmed on it, all or nothing. When 24 hours is impossible the "
            "answer is 409: `detail` gives the earliest feasible time and why, `reasons` list every "
            "candidate's obstacle, and nothing has changed."
        ),
        request=ExpressOrderRequestSerializer,
        responses={201: ExpressOrderSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Order", {"payload": 21}, request=True),
            ex.ex("Booked", ex.EXPRESS_ORDER, response=True, status="201"),
            ex.ex("Not within 24 hours", ex.EXPRESS_CONFLICT, response=True, status="409"),
        ],
    )
    def post(self, request):
        serializer = ExpressOrderRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        order = order_express_launch(
            customer=acting_membership(request).customer,
            payload=serializer.validated_data["payload"],
            actor=request.user,
        )
        body = {
            "booking": get_bookings_for(request.user).get(pk=order.booking.pk),
            "launch": launches_with_capacity().get(pk=order.launch.pk),
        }
        return Response(ExpressOrderSerializer(body).data, status=status.HTTP_201_CREATED)


class AvailabilityView(ApiViewMixin, APIView):
    permission_classes = [CustomerWritePermission]

    @extend_schema(
        tags=["availability"],
        operation_id="availability_search",
        description=(
            "Where and when a payload of yours can fly: rideshare seats on scheduled launches with "
            "room left, and dedicated launches, ranked by NET then price (standard price, in "
            "`currency`). `reasons` say why other launches do not fit."
        ),
        parameters=[AvailabilityQuerySerializer],
        responses={200: AvailabilitySerializer},
        examples=[ex.ex("Options", ex.AVAILABILITY, response=True)],
    )
    def get(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        payload = get_payloads_for(request.user).filter(pk=data["payload"]).first()
        if payload is None:
            raise ValidationError({"payload": [f"No payload of yours has id {data['payload']}."]})
        found = availability_search(
            payload=payload,
            earliest=data.get("earliest"),
            latest=data.get("latest"),
            currency=data["currency"],
        )
        options = [
            {
                "rank": rank,
                "kind": option.kind,
                "launch": option.launch.pk if option.launch else None,
                "vehicle_model": option.vehicle_model.pk,
                "provider": option.provider.pk,
                "site": option.site.pk,
                "net": option.net,
                "price": option.price,
                "currency": option.currency,
                "remaining_capacity_kg": option.remaining_capacity_kg,
                "why": option.why,
            }
            for rank, option in enumerate(found.options, start=1)
        ]
        body = {"payload": payload.pk, "options": options, "reasons": found.reasons}
        return Response(AvailabilitySerializer(body).data)


# --- webhooks --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="Your webhook endpoints.",
        examples=[ex.ex("Endpoints", ex.WEBHOOK, response=True)],
    ),
    retrieve=extend_schema(
        description="One webhook endpoint.", examples=[ex.ex("Endpoint", ex.WEBHOOK, response=True)]
    ),
    create=extend_schema(
        description=(
            "Add an endpoint. Events are POSTed as JSON with the header `Launchbook-Signature: "
            "t=<unix seconds>,v1=<hex>`, where hex is HMAC-SHA256 with the endpoint's `secret` over "
            "`<t>.<raw body>`. Failed deliveries are retried with exponential backoff for a day; an "
            "endpoint answering 410 Gone is disabled."
        ),
        responses={201: WebhookEndpointSerializer, 400: BAD_REQUEST},
        examples=[
            ex.ex("New endpoint", ex.WEBHOOK_REQUEST, request=True),
            ex.ex("Created", ex.WEBHOOK, response=True, status="201"),
        ],
    ),
    update=extend_schema(
        description="Replace an endpoint's URL and event types; `active: true` re-enables a disabled one.",
        examples=[
            ex.ex("Change", ex.WEBHOOK_REQUEST, request=True),
            ex.ex("Endpoint", ex.WEBHOOK, response=True),
        ],
    ),
    partial_update=extend_schema(
        description="Change some of an endpoint's fields.",
        examples=[
            ex.ex("Disable", {"active": False}, request=True),
            ex.ex("Endpoint", ex.WEBHOOK, response=True),
        ],
    ),
    destroy=extend_schema(
        description="Remove an endpoint; pending deliveries to it are dropped.",
        examples=[ex.ex("Removed", None, response=True, status="204")],
    ),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ApiViewSet,
):
    serializer_class = WebhookEndpointSerializer
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return get_webhook_endpoints_for(self.request.user).order_by("pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(
            customer=acting_membership(request).customer,
            url=serializer.validated_data["url"],
            event_types=serializer.validated_data.get("event_types", []),
            actor=request.user,
        )
        return Response(self.get_serializer(endpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        serializer = self.get_serializer(endpoint, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(
            endpoint=endpoint,
            actor=request.user,
            url=serializer.validated_data.get("url"),
            event_types=serializer.validated_data.get("event_types"),
            active=serializer.validated_data.get("active"),
        )
        return Response(self.get_serializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        webhook_endpoint_delete(endpoint=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        description="Deliveries to this endpoint, newest first, each with every attempt made.",
        responses={200: WebhookDeliverySerializer(many=True)},
        examples=[ex.ex("Deliveries", ex.DELIVERY, response=True)],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        page = self.paginate_queryset(get_webhook_deliveries_for(request.user, endpoint=endpoint))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        description=(
            "Send a signed `webhook.ping` event to this endpoint now, to check that it receives and "
            "verifies deliveries. Answers with the delivery (202), whose attempts show the outcome."
        ),
        request=None,
        responses={202: WebhookDeliverySerializer, 400: ErrorSerializer, 404: NOT_FOUND},
        examples=[ex.ex("Ping queued", ex.DELIVERY, response=True, status="202")],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def ping(self, request, pk=None):
        endpoint = self.get_object()
        delivery = webhook_ping(endpoint=endpoint, actor=request.user)
        delivery = get_webhook_deliveries_for(request.user, endpoint=endpoint).get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


# --- tokens ----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=["auth"],
        description="Your API tokens (never their keys): name, prefix, last use.",
        examples=[
            ex.ex(
                "Tokens",
                {
                    "id": 3,
                    "name": "mission-control",
                    "prefix": "kR1xQ2aB",
                    "created_at": "2025-05-01T08:00:00Z",
                    "last_used_at": None,
                },
                response=True,
            )
        ],
    ),
    destroy=extend_schema(
        tags=["auth"],
        description="Revoke one of your tokens; it stops working at once.",
        examples=[ex.ex("Revoked", None, response=True, status="204")],
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    permission_classes = [IsAuthenticated]
    ordering_fields = ["created_at", "id"]

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user, revoked_at__isnull=True).order_by(
            "-created_at", "-pk"
        )

    def destroy(self, request, *args, **kwargs):
        api_token_revoke(token=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
