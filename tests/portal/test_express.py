"""Express order in the portal: the launch with its timeline, or the earliest feasible time and why."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from booking.errors import Conflict
from booking.models import Booking
from booking.workflows.express import order_express_launch
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    DedicatedPriceFactory,
    ExchangeRateFactory,
    MembershipFactory,
    PayloadFactory,
    RideshareRateFactory,
    schedule_world,
)

pytestmark = pytest.mark.django_db


def test_express_order_is_refused_with_the_services_reason(member_client, world):
    with pytest.raises(Conflict) as refused:
        order_express_launch(customer=world["customer"], payload=world["payload"], actor=world["member"])
    world["booking"].status = "cancelled"
    world["booking"].save()
    response = member_client.post(reverse("portal:express"), {"payload": world["payload"].pk})
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "Not within 24 hours." in text
    assert refused.value.message in text


def test_express_order_books_a_launch_within_24_hours(client):
    w = schedule_world()
    ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
    ExchangeRateFactory(currency="CNY", units_per_usd=Decimal("6.48"))
    RideshareRateFactory(provider=w.provider, orbit_family="SSO")
    DedicatedPriceFactory(vehicle_model=w.model)

    customer = CustomerFactory(name="Gomspace", slug="gomspace-express")
    payload = PayloadFactory(customer=customer, name="GOMX-5B", mass_kg="3.2")
    ContractFactory(customer=customer, provider=w.provider)
    member = MembershipFactory(customer=customer).user
    client.force_login(member)
    response = client.post(reverse("portal:express"), {"payload": payload.pk}, follow=True)
    booking = Booking.objects.get(payload=payload)
    text = response.content.decode()
    assert f"Your booking is {booking.reference}." in text
    assert "24-hour timeline" in text
    assert (booking.launch.window_start - booking.created_at).total_seconds() <= 24 * 3600
