"""Operator admin for the supply side.

A provider's own fleet (vehicle models and their curves, vehicles, mobile platforms) is edited by
its operators; global reference data (providers and who operates them, sites, pads, closures,
road routes, the adapter catalog) by platform administrators only, since a change there moves every provider's
launches (see docs/portal.md, "Who edits what in the admin").
"""

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from .admin_scoping import PlatformAdminEditsOnly, ProviderScopedAdmin
from .models import (
    Adapter,
    CancellationTier,
    CapacityPoint,
    LaunchCorridor,
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    ProviderOperator,
    Route,
    SiteClosure,
    Vehicle,
    VehicleModel,
)
from .selectors import operator_provider_ids


class ProviderOperatorInline(PlatformAdminEditsOnly, admin.TabularInline):
    model = ProviderOperator
    extra = 0
    autocomplete_fields = ["user"]


class CancellationTierInline(PlatformAdminEditsOnly, admin.TabularInline):
    """The provider's cancellation policy: the fee by days before launch."""

    model = CancellationTier
    extra = 0
    verbose_name = gettext_lazy("cancellation fee tier")
    verbose_name_plural = gettext_lazy("cancellation fee tiers")


@admin.register(Provider)
class ProviderAdmin(PlatformAdminEditsOnly, ProviderScopedAdmin):
    provider_path = "pk"
    list_display = ["name", "short_name", "country", "mobile_launch", "rebooking_fee_percent"]
    list_filter = ["mobile_launch", "country"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [CancellationTierInline, ProviderOperatorInline]


class CapacityPointInline(admin.TabularInline):
    model = CapacityPoint
    extra = 1


@admin.register(VehicleModel)
class VehicleModelAdmin(ProviderScopedAdmin):
    list_display = [
        "name",
        "provider",
        "family",
        "stages",
        "propellant",
        "mobile_launch",
        "express_capable",
        "min_pad_campaign_hours",
        "adapter_mass_kg",
        "active",
    ]
    list_filter = ["provider", "propellant", "mobile_launch", "express_capable", "active"]
    search_fields = ["name", "provider__name"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["provider"]
    inlines = [CapacityPointInline]


@admin.register(Vehicle)
class VehicleAdmin(ProviderScopedAdmin):
    provider_path = "vehicle_model__provider_id"
    list_display = [
        "serial",
        "vehicle_model",
        "status",
        "storage_site",
        "in_transit_to",
        "transit_arrives_at",
        "ready_since",
    ]
    list_filter = ["status", "vehicle_model__provider", "vehicle_model", "storage_site", "in_transit_to"]
    search_fields = ["serial", "vehicle_model__name"]
    list_select_related = ["vehicle_model", "storage_site", "in_transit_to"]


class PadInline(PlatformAdminEditsOnly, admin.TabularInline):
    model = Pad
    extra = 0
    fields = ["name", "turnaround_hours", "active", "vehicle_families"]


class LaunchCorridorInline(admin.TabularInline):
    """The azimuth arcs range safety allows; the inclinations the site reaches follow from them."""

    model = LaunchCorridor
    extra = 0
    fields = ["azimuth_from", "azimuth_to", "note", "source"]


@admin.register(LaunchSite)
class LaunchSiteAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "country",
        "latitude",
        "longitude",
        "time_zone",
        "accepts_mobile_platforms",
        "min_launch_separation_minutes",
    ]
    list_filter = ["country", "accepts_mobile_platforms"]
    search_fields = ["name", "code"]
    # Closures are saved on their own page, through the booking side's service that acts on the
    # launches they land on.
    inlines = [PadInline, LaunchCorridorInline]


@admin.register(Pad)
class PadAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    list_display = ["name", "site", "turnaround_hours", "served", "active"]
    list_filter = ["site", "active"]
    search_fields = ["name", "site__name"]
    list_select_related = ["site"]
    filter_horizontal = ["vehicle_models"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pad]:
        return super().get_queryset(request).prefetch_related("vehicle_models")

    @admin.display(description=gettext_lazy("Serves"))
    def served(self, pad: Pad) -> str:
        return ", ".join([*pad.vehicle_families, *(model.name for model in pad.vehicle_models.all())]) or "—"


@admin.register(MobilePlatform)
class MobilePlatformAdmin(ProviderScopedAdmin):
    list_display = [
        "name",
        "provider",
        "home_site",
        "road_speed_kmh",
        "setup_hours",
        "teardown_hours",
        "carries",
        "status",
    ]
    list_filter = ["provider", "status", "home_site"]
    search_fields = ["name", "provider__name"]
    list_select_related = ["provider", "home_site"]
    filter_horizontal = ["vehicle_models"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MobilePlatform]:
        return super().get_queryset(request).prefetch_related("vehicle_models")

    @admin.display(description=gettext_lazy("Carries"))
    def carries(self, platform: MobilePlatform) -> str:
        return ", ".join(model.name for model in platform.vehicle_models.all()) or "—"


@admin.register(SiteClosure)
class SiteClosureAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    list_display = ["site", "kind", "starts_at", "ends_at", "reason"]
    list_filter = ["site", "kind"]
    search_fields = ["reason", "site__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["site"]


@admin.register(Route)
class RouteAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    list_display = ["origin", "destination", "mode", "transit_hours", "note"]
    list_filter = ["mode", "origin", "destination"]
    search_fields = ["origin__name", "destination__name", "note"]
    list_select_related = ["origin", "destination"]


@admin.register(Adapter)
class AdapterAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    """The adapter catalog: platform administrators edit it; a provider operator reads the global
    adapters (offered on every launch) and its own providers' ones, not another provider's."""

    list_display = ["name", "kind", "provider", "mass_kg", "fits", "active", "source"]
    list_filter = ["kind", "active", "provider"]
    search_fields = ["name", "source"]
    list_select_related = ["provider"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Adapter]:
        qs = super().get_queryset(request)
        ids = operator_provider_ids(request.user)
        if ids is None:
            return qs
        return qs.filter(Q(provider__isnull=True) | Q(provider_id__in=ids))

    @admin.display(description=gettext_lazy("Fits"))
    def fits(self, adapter: Adapter) -> str:
        return ", ".join(adapter.port_kinds or []) or "—"
