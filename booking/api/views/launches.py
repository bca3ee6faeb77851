"""Launches: the public schedule, readiness, and the operators' plan, schedule, slip and scrub."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.models import Launch
from booking.rules.permissions import Action
from booking.selectors.access import get_launches_for_operator, get_readiness_plan_for
from booking.selectors.capacity import launches_with_capacity
from booking.selectors.planner import plan_launch
from booking.selectors.readiness import plan_for_customer
from booking.services.scheduling import launch_schedule, launch_scrub, launch_slip

from .. import examples as ex
from ..filtering import StrictFilterSet
from ..permissions import acting_membership
from ..serializers.launches import (
    LaunchScheduleSerializer,
    LaunchScrubSerializer,
    LaunchSerializer,
    LaunchSlipResultSerializer,
    LaunchSlipSerializer,
    PlanningSerializer,
    PlanRequestSerializer,
    ReadinessSerializer,
)
from .common import CONFLICT, NOT_FOUND, ApiViewSet


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
    rule_actions = {
        **ApiViewSet.rule_actions,
        "readiness": Action.READ,
        "create": Action.LAUNCH_OPERATE,
        "plan": Action.LAUNCH_OPERATE,
        "slip": Action.LAUNCH_OPERATE,
        "scrub": Action.LAUNCH_OPERATE,
    }

    def get_queryset(self):
        return launches_with_capacity().order_by("net", "pk")

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
            ltan=data.get("ltan"),
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
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
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
            ex.ex("Slip a day", {"window_start": "2025-06-02T02:00:00Z", "cause": "weather"}, request=True),
            ex.ex(
                "Slipped",
                {"launch": ex.LAUNCH, "cascaded": [], "message": "Kuaizhou-1A Y7 slipped"},
                response=True,
            ),
            ex.ex("Platform taken", ex.CONFLICT, response=True, status="409"),
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
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
            cause=data["cause"],
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
            ex.ex(
                "Scrub",
                {"reason": "Second stage anomaly on the test stand", "cause": "provider"},
                request=True,
            ),
            ex.ex("Scrubbed", {**ex.LAUNCH, "status": "scrubbed"}, response=True),
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def scrub(self, request, pk=None):
        launch = self._operator_launch(pk)
        serializer = LaunchScrubSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        launch = launch_scrub(
            launch=launch,
            actor=request.user,
            reason=serializer.validated_data["reason"],
            cause=serializer.validated_data["cause"],
        )
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
        if get_launches_for_operator(request.user).filter(pk=launch.pk).exists():
            plan = get_readiness_plan_for(request.user, launch=launch)
        else:
            # A customer sees it for the organisation the request acts for, not any other of theirs.
            membership = acting_membership(request)
            plan = plan_for_customer(membership.customer, launch) if membership else None
        if plan is None:
            return Response(
                {"detail": "This launch has no readiness plan that you can see."},
                status=status.HTTP_404_NOT_FOUND,
            )
        data = {"launch": launch.pk, "status": plan.status, "steps": plan.steps.all()}
        return Response(ReadinessSerializer(data).data)
