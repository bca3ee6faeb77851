"""No customer's data in shared views: launch names, the schedule and the public calendar.

An express order creates a launch of its own; its name, and every field another customer or an
anonymous reader of the public calendar can see, carry no payload or customer name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from booking.models import Launch
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

from .conftest import make_tenant, token_client

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
SECRET_PAYLOAD = "Nightjar-Classified-7"
SECRET_CUSTOMER = "Obscura Orbital"


@pytest.fixture
def express_launch():
    with time_machine.travel(NOW, tick=False):
        world = schedule_world()
        customer = CustomerFactory(name=SECRET_CUSTOMER, slug="obscura")
        payload = PayloadFactory(customer=customer, name=SECRET_PAYLOAD, mass_kg=Decimal("95.0"))
        ContractFactory(customer=customer, provider=world.provider, launches_committed=4)
        ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
        RideshareRateFactory(provider=world.provider, orbit_family="SSO")
        DedicatedPriceFactory(vehicle_model=world.model)
        user = UserFactory(username="obscura-mission")
        MembershipFactory(user=user, customer=customer, role=Membership.Role.MISSION)
        answer = token_client(user).post(
            "/api/v1/express-orders/", {"payload": payload.pk, "max_price": "100000000"}, format="json"
        )
        assert answer.status_code == 201, answer.json()
        return Launch.objects.get(pk=answer.json()["launch"]["id"])


def _assert_private(text: str) -> None:
    assert SECRET_PAYLOAD not in text
    assert SECRET_CUSTOMER not in text
    assert "Obscura" not in text and "Nightjar" not in text


def test_an_express_launch_is_named_by_orbit_and_rocket_not_by_payload(express_launch):
    assert express_launch.name.startswith("Express · SSO 500 km · ")
    _assert_private(express_launch.name)


def test_another_customer_sees_no_name_of_the_express_customer(express_launch):
    other = make_tenant("Gomspace")
    with time_machine.travel(NOW, tick=False):
        listing = other.client.get("/api/v1/launches/")
        detail = other.client.get(f"/api/v1/launches/{express_launch.pk}/")
    assert listing.status_code == 200 and detail.status_code == 200
    assert express_launch.pk in [row["id"] for row in listing.json()["results"]]
    _assert_private(listing.content.decode())
    _assert_private(detail.content.decode())


def test_the_anonymous_calendar_carries_no_customer_data(express_launch):
    with time_machine.travel(NOW, tick=False):
        feed = APIClient().get("/api/v1/launches.ics")
    assert feed.status_code == 200
    body = feed.content.decode()
    assert f"launch-{express_launch.pk}@" in body
    _assert_private(body)
