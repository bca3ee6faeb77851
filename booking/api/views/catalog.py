"""The catalog: providers, rocket models, rockets, sites, platforms (read only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from vehicles.models import LaunchSite, MobilePlatform, Provider, Vehicle
from vehicles.selectors import vehicle_models_with_curves

from .. import examples as ex
from ..serializers.catalog import (
    PlatformSerializer,
    ProviderSerializer,
    SiteSerializer,
    VehicleModelSerializer,
    VehicleSerializer,
)
from .common import ApiViewSet


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
    queryset = LaunchSite.objects.prefetch_related("pads", "corridors").order_by("name", "pk")
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
