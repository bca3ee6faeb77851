"""The database itself refuses impossible fleet and site data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    LaunchSiteFactory,
    MobilePlatformFactory,
    VehicleFactory,
    VehicleModelFactory,
)
from vehicles.models import CapacityPoint, LaunchSite, SiteClosure

pytestmark = pytest.mark.django_db


def test_capacity_points_are_unique_per_model_family_and_altitude():
    model = VehicleModelFactory(curve={"SSO": [(500, 300)]})
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityPoint.objects.create(
            vehicle_model=model, orbit_family="SSO", altitude_km=500, capacity_kg=250
        )


def test_capacity_must_be_positive():
    model = VehicleModelFactory(curve={})
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityPoint.objects.create(vehicle_model=model, orbit_family="LEO", altitude_km=300, capacity_kg=0)


@pytest.mark.parametrize(("latitude", "longitude"), [(Decimal("90.5"), 0), (0, Decimal("-180.5"))])
def test_site_coordinates_must_be_on_earth(latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        LaunchSite.objects.create(
            name="Nowhere", code="NOW", country="CN", latitude=latitude, longitude=longitude
        )


def test_vehicle_serials_are_unique():
    VehicleFactory(serial="KZ1A-Y7")
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleFactory(serial="KZ1A-Y7")


def test_platform_road_speed_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        MobilePlatformFactory(road_speed_kmh=Decimal("0"))


def test_site_closure_must_end_after_it_starts():
    site = LaunchSiteFactory()
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteClosure.objects.create(site=site, starts_at=start, ends_at=start - timedelta(hours=1))


def test_a_vehicle_model_in_use_cannot_be_deleted():
    from django.db.models import ProtectedError

    vehicle = VehicleFactory()
    with pytest.raises(ProtectedError):
        vehicle.vehicle_model.delete()


def test_a_capacity_point_is_unique_per_altitude_and_measured_inclination():
    model = VehicleModelFactory(curve={})
    CapacityPoint.objects.create(
        vehicle_model=model,
        orbit_family="LEO",
        altitude_km=400,
        capacity_kg=480,
        inclination_deg=Decimal("41"),
    )
    # The same altitude measured at another inclination is a second point of the curve.
    CapacityPoint.objects.create(
        vehicle_model=model,
        orbit_family="LEO",
        altitude_km=400,
        capacity_kg=380,
        inclination_deg=Decimal("97"),
    )
    CapacityPoint.objects.create(vehicle_model=model, orbit_family="LEO", altitude_km=400, capacity_kg=470)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityPoint.objects.create(
            vehicle_model=model,
            orbit_family="LEO",
            altitude_km=400,
            capacity_kg=1,
            inclination_deg=Decimal("97"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityPoint.objects.create(vehicle_model=model, orbit_family="LEO", altitude_km=400, capacity_kg=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityPoint.objects.create(
            vehicle_model=model,
            orbit_family="LEO",
            altitude_km=500,
            capacity_kg=1,
            inclination_deg=Decimal("181"),
        )
