"""The demo fleet is the true one docs/catalog.md sources: the figures, what is retired, where
every rocket is, and that what is retired is never offered from it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from booking.demo import load_catalog
from booking.errors import Conflict
from booking.selectors.availability import availability_search
from booking.selectors.planner import plan_launch
from booking.services.quotes import quote_create
from customers.models import Customer
from tests.factories import PayloadFactory
from vehicles.models import CapacityPoint, Pad, Vehicle, VehicleModel

pytestmark = pytest.mark.django_db
CATALOG = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


@pytest.fixture
def demo():
    load_catalog()


def capacity(model: str, family: str, altitude_km: int) -> Decimal:
    return CapacityPoint.objects.get(
        vehicle_model__name=model, orbit_family=family, altitude_km=altitude_km
    ).capacity_kg


def test_the_demo_curves_are_the_sourced_figures(demo):
    assert capacity("Ceres-1", "LEO", 200) == 400 and capacity("Ceres-1", "SSO", 500) == 300
    assert capacity("Kuaizhou-1A", "LEO", 200) == 300 and capacity("Kuaizhou-1A", "SSO", 700) == 200
    assert capacity("Long March 6", "SSO", 700) == 1080
    # A curve, not a point: the planner interpolates Long March 6 between two SSO altitudes.
    assert CapacityPoint.objects.filter(vehicle_model__name="Long March 6", orbit_family="SSO").count() > 1
    lm6 = VehicleModel.objects.get(name="Long March 6")
    assert not lm6.mobile_launch and not lm6.express_capable
    assert [
        pad.name for pad in Pad.objects.filter(site__code="TSLC") if "Long March 6" in pad.vehicle_families
    ] == ["LC-16"]


def test_what_never_sells_is_retired_with_its_rockets(demo):
    retired = set(VehicleModel.objects.filter(active=False).values_list("name", flat=True))
    # Kuaizhou-1's upper stage was its own satellite: never a third-party launcher.
    assert {"Zhuque-1", "Kuaizhou-1", "Kaituozhe-1"} <= retired
    assert not Vehicle.objects.filter(vehicle_model__active=False).exclude(status__in=Vehicle.GONE).exists()


def test_every_rocket_that_can_fly_is_somewhere(demo):
    for vehicle in Vehicle.objects.exclude(status__in=Vehicle.GONE):
        assert vehicle.storage_site_id or vehicle.in_transit_to_id, vehicle.serial


def test_every_demo_model_and_its_figures_are_in_the_catalog_page(demo):
    page = CATALOG.read_text()
    for name in VehicleModel.objects.values_list("name", flat=True):
        assert f"| {name} |" in page, name
    for figure in ("**LEO 200 km: 400 kg**", "**SSO 500 km: 300 kg**", "**SSO 700 km: 1,080 kg**"):
        assert figure in page


def test_nothing_retired_is_offered_from_the_demo(demo):
    gomspace = Customer.objects.get(slug="gomspace")
    cubesat = PayloadFactory(
        customer=gomspace, name="GOMX-test", mass_kg=Decimal("20.0"), orbit_family="SSO", altitude_km=500
    )
    found = availability_search(payload=cubesat)
    offered = {option.vehicle_model.name for option in found.options}
    assert offered and not offered & {"Zhuque-1", "Kuaizhou-1", "Kaituozhe-1"}
    with pytest.raises(Conflict, match="^Zhuque-1 is retired: it is no longer scheduled, quoted or offered$"):
        quote_create(
            customer=gomspace,
            payload=cubesat,
            actor=None,
            vehicle_model=VehicleModel.objects.get(name="Zhuque-1"),
        )
    now = timezone.now()
    plans = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=now + timedelta(days=80),
        latest=now + timedelta(days=120),
        service_level="standard",
        mass_kg=Decimal("20"),
        limit=50,
        now=now,
    ).plans
    assert plans and not {plan.vehicle_model.name for plan in plans} & {"Zhuque-1", "Kuaizhou-1"}
