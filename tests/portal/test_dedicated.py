"""Dedicated launch requests in the portal: the request page, the book page's dedicated option,
a dedicated quote without a launch accepted into a request, the scheduled launch quoted, held
and confirmed; a viewer may not request, another customer sees nothing of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking, DedicatedRequest, Quote
from customers.models import Customer, Membership, Payload
from tests.factories import MembershipFactory, UserFactory
from vehicles.models import VehicleModel


@pytest.fixture
def demo(demo_catalog, db):
    return demo_catalog


def login(client, settings, username):
    assert client.login(username=username, password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    return client


def _days(n: int) -> str:
    return (timezone.now() + timedelta(days=n)).date().isoformat()


def test_a_member_requests_a_dedicated_launch_from_the_request_page(demo, client, settings):
    login(client, settings, "jilin")
    page = client.get(reverse("portal:dedicated_new"))
    assert page.status_code == 200 and "Request a dedicated launch" in page.content.decode()
    answer = client.post(
        reverse("portal:dedicated_new"),
        {
            "vehicle_model": VehicleModel.objects.get(name="Kuaizhou-1A").pk,
            "payload": Payload.objects.get(name="Jilin-1 Video 10").pk,
            "earliest": _days(60),
            "latest": _days(150),
            "note": "Video 10 alone, please.",
        },
    )
    asked = DedicatedRequest.objects.get(payload__name="Jilin-1 Video 10")
    assert answer.status_code == 302 and answer.url == reverse(
        "portal:dedicated_detail", args=[asked.reference]
    )
    detail = client.get(answer.url).content.decode()
    assert asked.reference in detail and "Waiting for an operator" in detail
    listed = client.get(reverse("portal:dedicated_list")).content.decode()
    assert asked.reference in listed and "DR-DEMO-JL" in listed
    client.post(reverse("portal:dedicated_withdraw", args=[asked.reference]))
    asked.refresh_from_db()
    assert asked.status == "withdrawn"


def test_a_refused_request_says_why_on_the_form(demo, client, settings):
    login(client, settings, "cmsa")
    answer = client.post(
        reverse("portal:dedicated_new"),
        {
            "vehicle_model": VehicleModel.objects.get(name="Ceres-1").pk,
            "payload": Payload.objects.get(name="Station cargo capsule").pk,
            "earliest": _days(60),
            "latest": _days(150),
        },
    )
    assert answer.status_code == 200 and "Ceres-1 lifts" in answer.content.decode()


def test_the_book_pages_dedicated_option_links_to_the_request_and_accepting_its_quote_asks(
    demo, client, settings
):
    login(client, settings, "interspace")
    zengzhang = Payload.objects.get(name="Zengzhang-1")
    DedicatedRequest.objects.filter(payload=zengzhang).update(status="withdrawn")  # ask afresh
    book = client.get(reverse("portal:book") + f"?payload={zengzhang.pk}").content.decode()
    assert "Request this dedicated launch" in book
    ceres = VehicleModel.objects.get(name="Ceres-1")
    site = book.split(f'value="model-{ceres.pk}-', 1)[1].split('"', 1)[0]
    answer = client.post(
        reverse("portal:book"),
        {"payload": zengzhang.pk, "option": f"model-{ceres.pk}-{site}", "currency": "USD"},
    )
    quote = Quote.objects.get(payload=zengzhang, launch__isnull=True)
    assert answer.url == reverse("portal:quote_detail", args=[quote.reference])
    assert "Accept and request the launch" in client.get(answer.url).content.decode()
    accepted = client.post(answer.url)
    asked = DedicatedRequest.objects.get(quote=quote)
    assert accepted.url == reverse("portal:dedicated_detail", args=[asked.reference])
    assert asked.vehicle_model == ceres and asked.status == "requested"


def test_the_scheduled_launch_is_quoted_held_and_confirmed_from_the_request(demo, client, settings):
    login(client, settings, "cmsa")
    asked = DedicatedRequest.objects.get(reference="DR-DEMO-CARGO")
    detail = client.get(reverse("portal:dedicated_detail", args=[asked.reference])).content.decode()
    assert asked.launch.name in detail and "Get the dedicated quote" in detail
    answer = client.post(
        reverse("portal:dedicated_detail", args=[asked.reference]), {"payload": asked.payload_id}
    )
    quote = Quote.objects.get(launch=asked.launch)
    assert answer.url == reverse("portal:quote_detail", args=[quote.reference]) and quote.kind == "dedicated"
    held = client.post(answer.url)
    booking = Booking.objects.get(quote=quote)
    assert held.url == reverse("portal:booking_detail", args=[booking.reference])
    confirm = client.get(reverse("portal:booking_confirm", args=[booking.reference]))
    contract = confirm.context["form"].fields["contract"].queryset.get()
    client.post(reverse("portal:booking_confirm", args=[booking.reference]), {"contract": contract.pk})
    booking.refresh_from_db()
    asked.refresh_from_db()
    assert booking.status == "confirmed" and asked.status == "booked"


def test_a_viewer_may_not_request_and_another_customer_gets_a_404(demo, client, settings):
    viewer = UserFactory(username="gomspace-viewer")
    viewer.set_password(settings.LAUNCHBOOK_DEMO_PASSWORD)
    viewer.save()
    MembershipFactory(
        user=viewer, customer=Customer.objects.get(slug="gomspace"), role=Membership.Role.VIEWER
    )
    login(client, settings, "gomspace-viewer")
    assert "may not request launches" in client.get(reverse("portal:dedicated_new")).content.decode()
    refused = client.post(
        reverse("portal:dedicated_new"),
        {"orbit_family": "SSO", "altitude_km": 500, "earliest": _days(60), "latest": _days(150)},
    )
    assert refused.status_code == 403
    assert not DedicatedRequest.objects.filter(customer__slug="gomspace").exists()
    theirs = DedicatedRequest.objects.get(reference="DR-DEMO-ZZ1")
    assert client.get(reverse("portal:dedicated_detail", args=[theirs.reference])).status_code == 404
    assert User.objects.filter(username="gomspace-viewer").exists()
