"""Express orders through the API: a launch opening within 24 hours, or 409 with the earliest time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from booking.models import Booking, Launch
from customers.models import Membership
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    DedicatedPriceFactory,
    ExchangeRateFactory,
    MembershipFactory,
    PayloadFactory,
    RideshareRateFactory,
    UserFactory,
    schedule_world,
)
from vehicles.models import Vehicle

from .conftest import make_tenant, token_client

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        world = schedule_world()
        world.customer = CustomerFactory(name="Gomspace", slug="gomspace")
        world.payload = PayloadFactory(customer=world.customer, name="GOMX-5A", mass_kg=Decimal("95.0"))
        ContractFactory(customer=world.customer, provider=world.provider, launches_committed=4)
        ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
        RideshareRateFactory(provider=world.provider, orbit_family="SSO")
        DedicatedPriceFactory(vehicle_model=world.model)
        user = UserFactory(username="gomspace-engineer")
        MembershipFactory(user=user, customer=world.customer, role=Membership.Role.MISSION)
        world.client = token_client(user)
        yield world


def order(world, payload_id):
    with time_machine.travel(NOW, tick=False):
        return world.client.post("/api/v1/express-orders/", {"payload": payload_id}, format="json")


def test_an_express_order_answers_the_booking_and_a_launch_within_24_hours(world):
    answer = order(world, world.payload.pk)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["booking"]["status"] == "confirmed" and body["booking"]["payload"] == world.payload.pk
    launch = body["launch"]
    assert launch["id"] == body["booking"]["launch"] and launch["service_level"] == "express"
    window_start = datetime.fromisoformat(launch["window_start"])
    assert NOW < window_start <= NOW + timedelta(hours=24)
    assert launch["platform"] == world.tel1.pk


def test_no_rocket_ready_is_409_with_the_reasons_and_nothing_changes(world):
    Vehicle.objects.update(status=Vehicle.Status.IN_PRODUCTION)
    answer = order(world, world.payload.pk)
    assert answer.status_code == 409
    body = answer.json()
    assert body["detail"].startswith("No express launch for GOMX-5A can open by 2030-03-02 08:00 UTC")
    assert "no Kuaizhou-1A in ready storage" in body["reasons"]
    assert not Launch.objects.exists() and not Booking.objects.exists()


def test_another_customers_payload_cannot_be_ordered(world):
    other = make_tenant("InterSpace Explore")
    with time_machine.travel(NOW, tick=False):
        answer = other.client.post("/api/v1/express-orders/", {"payload": world.payload.pk}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"payload": [f"No payload of yours has id {world.payload.pk}."]}
    assert not Launch.objects.exists()
