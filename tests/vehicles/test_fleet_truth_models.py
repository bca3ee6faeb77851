"""Fleet rows hold their truths: every rocket has a place, routes have a mode, express needs a TEL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    LaunchSiteFactory,
    MobilePlatformFactory,
    PadFactory,
    VehicleFactory,
    VehicleModelFactory,
)
from vehicles.logistics import DEFAULT_LAUNCH_SEPARATION_MINUTES
from vehicles.models import Route, Vehicle

pytestmark = pytest.mark.django_db


def test_a_rocket_that_can_fly_is_stored_somewhere_or_on_its_way():
    with pytest.raises(IntegrityError, match="vehicle_has_a_place"), transaction.atomic():
        VehicleFactory(storage_site=None, status=Vehicle.Status.READY_STORAGE)
    site = LaunchSiteFactory()
    travelling = VehicleFactory(
        storage_site=None, in_transit_to=site, transit_arrives_at=timezone.now() + timedelta(days=3)
    )
    assert travelling.in_transit and travelling.place_text == f"in transit to {site}"
    retired = VehicleFactory(storage_site=None, status=Vehicle.Status.RETIRED)
    assert retired.place_text == "retired"
    stored = VehicleFactory(storage_site=site)
    assert stored.place_text == f"at {site}"


def test_a_rocket_in_transit_has_a_destination_an_arrival_and_goes_elsewhere():
    site = LaunchSiteFactory()
    with (
        pytest.raises(IntegrityError, match="vehicle_transit_has_destination_and_arrival"),
        transaction.atomic(),
    ):
        VehicleFactory(storage_site=site, in_transit_to=LaunchSiteFactory())
    with pytest.raises(IntegrityError, match="vehicle_transit_goes_elsewhere"), transaction.atomic():
        VehicleFactory(storage_site=site, in_transit_to=site, transit_arrives_at=timezone.now())


def test_express_terms_need_a_mobile_launcher():
    with pytest.raises(IntegrityError, match="vehiclemodel_express_needs_mobile"), transaction.atomic():
        VehicleModelFactory(mobile_launch=False, express_capable=True)
    assert VehicleModelFactory(mobile_launch=True, express_capable=True).express_capable


def test_a_minimum_pad_campaign_is_never_negative():
    with pytest.raises(IntegrityError, match="vehiclemodel_min_pad_campaign_nonneg"), transaction.atomic():
        VehicleModelFactory(min_pad_campaign_hours=Decimal("-1.0"))


def test_trucks_and_pads_list_what_they_take():
    kz1a = VehicleModelFactory(name="Kuaizhou-1A", slug="kuaizhou-1a", family="Kuaizhou")
    platform = MobilePlatformFactory()
    platform.vehicle_models.add(kz1a)
    pad = PadFactory(vehicle_families=["Long March 5"])
    pad.vehicle_models.add(kz1a)
    assert list(kz1a.platforms.all()) == [platform]
    assert list(kz1a.pads.all()) == [pad]
    assert pad.vehicle_families == ["Long March 5"]


def test_a_site_flies_one_launch_per_separation_by_default():
    assert LaunchSiteFactory().min_launch_separation_minutes == DEFAULT_LAUNCH_SEPARATION_MINUTES == 240


def test_routes_have_a_mode_and_road_routes_are_the_road_legs():
    jiuquan, taiyuan = LaunchSiteFactory(name="Jiuquan"), LaunchSiteFactory(name="Taiyuan")
    road = Route.objects.create(origin=jiuquan, destination=taiyuan, transit_hours=Decimal("4.0"))
    Route.objects.create(
        origin=jiuquan, destination=taiyuan, mode=Route.Mode.RAIL, transit_hours=Decimal("72.0")
    )
    assert Route.objects.count() == 2
    assert road.mode == Route.Mode.ROAD  # a leg is a TEL drive unless it says otherwise
    assert list(Route.objects.filter(mode=Route.Mode.ROAD)) == [road]
    with pytest.raises(IntegrityError), transaction.atomic():
        Route.objects.create(origin=jiuquan, destination=taiyuan, mode="rail", transit_hours=Decimal("60.0"))


def test_only_a_tel_drive_starts_and_ends_at_one_site():
    jiuquan = LaunchSiteFactory()
    Route.objects.create(origin=jiuquan, destination=jiuquan, mode="road", transit_hours=Decimal("3.0"))
    with pytest.raises(ValidationError, match="a rail leg joins two sites"):
        Route.objects.create(origin=jiuquan, destination=jiuquan, mode="rail", transit_hours=Decimal("1.0"))
    # The database holds it too, for a writer that skips the model (bulk_create).
    with pytest.raises(IntegrityError, match="route_distinct_sites_unless_road"), transaction.atomic():
        Route.objects.bulk_create(
            [Route(origin=jiuquan, destination=jiuquan, mode="rail", transit_hours=Decimal("1.0"))]
        )


def test_the_route_form_refuses_a_tel_drive_between_launch_centres():
    jiuquan = LaunchSiteFactory(name="Jiuquan", latitude=Decimal("40.96"), longitude=Decimal("100.29"))
    wenchang = LaunchSiteFactory(name="Wenchang", latitude=Decimal("19.61"), longitude=Decimal("110.95"))
    route = Route(origin=jiuquan, destination=wenchang, mode="road", transit_hours=Decimal("62.0"))
    with pytest.raises(ValidationError) as refused:
        route.full_clean()
    assert "a TEL drives on the range, not between launch centres" in str(refused.value)
    Route(origin=jiuquan, destination=wenchang, mode="sea", transit_hours=Decimal("216.0")).full_clean()
