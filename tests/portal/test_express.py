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
    response = member_client.post(
        reverse("portal:express"), {"payload": world["payload"].pk, "currency": "USD"}
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "No express launch you can confirm within 24 hours." in text
    assert refused.value.message in text


def test_express_order_books_a_launch_within_24_hours(client):
    w = schedule_world()
    ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
    ExchangeRateFactory(currency="CNY", units_per_usd=Decimal("6.48"))
    RideshareRateFactory(provider=w.provider, orbit_family="SSO")
    DedicatedPriceFactory(vehicle_model=w.model)

    customer = CustomerFactory(name="Gomspace", slug="gomspace-express")
    payload = PayloadFactory(customer=customer, name="GOMX-5B", mass_kg="3.2")
    contract = ContractFactory(customer=customer, provider=w.provider)
    member = MembershipFactory(customer=customer).user
    client.force_login(member)
    response = client.post(reverse("portal:express"), {"payload": payload.pk, "currency": "USD"})
    booking = Booking.objects.get(payload=payload)
    assert booking.status == Booking.Status.HELD
    assert response.url == reverse("portal:express_quote", args=[booking.reference])
    # The priced quote first: price lines, total, launch, contract and time left; nothing booked yet.
    text = html.unescape(client.get(response.url).content.decode())
    assert "6,000,000.00 USD" in text and "9,000,000.00 USD" in text
    assert booking.launch.name in text and contract.reference in text
    assert "Held for you until" in text and "Confirm and book" in text

    response = client.post(reverse("portal:express_confirm", args=[booking.reference]), follow=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.contract == contract
    text = response.content.decode()
    assert f"Your booking is {booking.reference}." in text
    assert "24-hour timeline" in text
    assert (booking.launch.window_start - booking.created_at).total_seconds() <= 24 * 3600


def test_an_express_quote_let_go_in_the_portal_releases_its_launch(client):
    w = schedule_world()
    ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
    DedicatedPriceFactory(vehicle_model=w.model)
    customer = CustomerFactory(name="Gomspace", slug="gomspace-express")
    payload = PayloadFactory(customer=customer, name="GOMX-5B", mass_kg="3.2")
    ContractFactory(customer=customer, provider=w.provider)
    client.force_login(MembershipFactory(customer=customer).user)
    client.post(reverse("portal:express"), {"payload": payload.pk, "currency": "USD"})
    booking = Booking.objects.get(payload=payload)

    response = client.post(reverse("portal:express_cancel", args=[booking.reference]), follow=True)
    booking.refresh_from_db()
    booking.launch.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.launch.status == "scrubbed"
    assert f"Express quote {booking.reference} let go: nothing was booked." in html.unescape(
        response.content.decode()
    )
