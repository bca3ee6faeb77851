"""factory_boy factories for the supply side: providers, vehicle models and their capacity curves,
sites, pads, mobile platforms, rockets and site closures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from vehicles.models import (
    CapacityPoint,
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    SiteClosure,
    Vehicle,
    VehicleModel,
)


class ProviderFactory(factory.django.DjangoModelFactory[Provider]):
    class Meta:
        model = Provider
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Provider {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")
    country = "CN"
    mobile_launch = True


#: The family every factory model belongs to and every factory pad serves (a test that checks a
#: mismatch names its own families).
TEST_FAMILY = "Test family"


class VehicleModelFactory(factory.django.DjangoModelFactory[VehicleModel]):
    class Meta:
        model = VehicleModel
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Kuaizhou-T{n}")
    slug = factory.Sequence(lambda n: f"kuaizhou-t{n}")
    mobile_launch = True
    adapter_mass_kg = Decimal("5.0")
    family = TEST_FAMILY
    express_capable = factory.LazyAttribute(lambda vm: vm.mobile_launch)

    @factory.post_generation
    def carried_by(self, create, extracted, **kwargs):
        """The trucks that carry a mobile model: given, or every truck its provider has so far."""
        if not create or not self.mobile_launch:
            return
        platforms = (
            extracted if extracted is not None else MobilePlatform.objects.filter(provider=self.provider)
        )
        for platform in platforms:
            platform.vehicle_models.add(self)

    @factory.post_generation
    def curve(self, create, extracted, **kwargs):
        """``curve={"SSO": [(500, 300), (700, 200)]}``; default: a Kuaizhou-1A-like SSO curve."""
        if not create:
            return
        points = extracted if extracted is not None else {"SSO": [(400, 350), (500, 300), (700, 200)]}
        for family, pairs in points.items():
            for altitude, capacity in pairs:
                CapacityPoint.objects.create(
                    vehicle_model=self,
                    orbit_family=family,
                    altitude_km=altitude,
                    capacity_kg=Decimal(capacity),
                )


class LaunchSiteFactory(factory.django.DjangoModelFactory[LaunchSite]):
    class Meta:
        model = LaunchSite
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Site {n}")
    code = factory.Sequence(lambda n: f"S{n}")
    country = "CN"
    latitude = Decimal("40.96")
    longitude = Decimal("100.29")
    time_zone = "Asia/Shanghai"


class PadFactory(factory.django.DjangoModelFactory[Pad]):
    class Meta:
        model = Pad

    site = factory.SubFactory(LaunchSiteFactory)
    name = factory.Sequence(lambda n: f"LC-{n}")
    turnaround_hours = Decimal("72.0")
    # A test pad is built for the test family, which every factory model belongs to.
    vehicle_families = factory.LazyFunction(lambda: [TEST_FAMILY])


class MobilePlatformFactory(factory.django.DjangoModelFactory[MobilePlatform]):
    class Meta:
        model = MobilePlatform
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"TEL-{n:02d}")
    home_site = factory.SubFactory(LaunchSiteFactory)
    road_speed_kmh = Decimal("50.0")
    setup_hours = Decimal("6.0")
    teardown_hours = Decimal("4.0")

    @factory.post_generation
    def carries(self, create, extracted, **kwargs):
        """The models the truck carries: given, or every mobile model its provider has so far."""
        if not create:
            return
        models = (
            extracted
            if extracted is not None
            else VehicleModel.objects.filter(provider=self.provider, mobile_launch=True)
        )
        self.vehicle_models.set(models)


class VehicleFactory(factory.django.DjangoModelFactory[Vehicle]):
    class Meta:
        model = Vehicle

    vehicle_model = factory.SubFactory(VehicleModelFactory)
    serial = factory.Sequence(lambda n: f"Y{n}")
    status = Vehicle.Status.READY_STORAGE
    storage_site = factory.SubFactory(LaunchSiteFactory)


class SiteClosureFactory(factory.django.DjangoModelFactory[SiteClosure]):
    class Meta:
        model = SiteClosure

    site = factory.SubFactory(LaunchSiteFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda c: c.starts_at + timedelta(hours=12))
    reason = "Range closed"
