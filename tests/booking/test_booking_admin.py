"""The operator admin: bookings with price lines, milestones and history; actions call the services."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse

from booking.models import Booking, Quote
from booking.services.bookings import booking_hold
from booking.services.quotes import quote_create
from customers.models import Contract
from tests.factories import LaunchFactory, RideshareRateFactory, VehicleModelFactory, engine_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return engine_world()


@pytest.fixture
def operator(client):
    user = User.objects.create_superuser("operator", "operator@example.test", "pw")
    client.force_login(user)
    return user


def hold(world):
    quote = quote_create(
        customer=world.customer,
        payload=world.payload,
        actor=None,
        launch=world.launch,
        options=["mission_control"],
    )
    return booking_hold(quote=quote, actor=None)


def texts(response):
    return [m.message for m in get_messages(response.wsgi_request)]


def test_booking_page_shows_price_lines_milestones_and_history(client, operator, world):
    booking = hold(world)
    url = reverse("admin:booking_booking_change", args=[booking.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Rideshare seat to SSO: 100 kg (95 kg payload + 5 kg Kuaizhou-1A adapter) × 10,000.00 USD/kg" in page
    )
    assert "Mission control (100,000.00 USD)" in page
    assert "booking.held" in page
    changelist = client.get(reverse("admin:booking_booking_changelist") + "?hold=active")
    assert booking.reference in changelist.content.decode()


def test_confirm_action_calls_the_service_and_reports_its_message(client, operator, world):
    booking = hold(world)
    url = reverse("admin:booking_booking_changelist")
    response = client.post(url, {"action": "confirm_bookings", "_selected_action": [booking.pk]}, follow=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert f"{booking.reference}: confirmed; payment milestones created" in texts(response)
    page = client.get(reverse("admin:booking_booking_change", args=[booking.pk])).content.decode()
    assert f"Deposit {booking.reference} (30.00%)" in page


def test_confirm_action_shows_the_refusal(client, operator, world):
    Contract.objects.all().delete()
    booking = hold(world)
    url = reverse("admin:booking_booking_changelist")
    response = client.post(url, {"action": "confirm_bookings", "_selected_action": [booking.pk]}, follow=True)
    assert texts(response) == [
        f"{booking.reference}: confirming needs an active contract between Gomspace and ExPace: none is on file"
    ]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


def test_cancel_action(client, operator, world):
    booking = hold(world)
    url = reverse("admin:booking_booking_changelist")
    response = client.post(url, {"action": "cancel_bookings", "_selected_action": [booking.pk]}, follow=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert texts(response) == [f"{booking.reference}: cancelled"]


def second_launch(world):
    return LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Second Kuaizhou-1A rideshare",
        window_start=world.launch.window_start + timedelta(days=5),
    )


def rebook_post(client, booking, **fields):
    url = reverse("admin:booking_booking_changelist")
    return client.post(url, {"action": "rebook_bookings", "_selected_action": [booking.pk], **fields})


def shown_token(page: str, booking) -> str:
    found = re.search(rf'name="terms-{booking.pk}" value="([^"]*)"', page)
    assert found, "the terms of the move are not on the form"
    return found.group(1)


def test_rebook_action_shows_the_terms_before_it_moves_the_booking(client, operator, world):
    booking = hold(world)
    target = second_launch(world)
    other_provider = LaunchFactory(name="Someone else's launch")
    RideshareRateFactory(provider=other_provider.provider)
    form_page = rebook_post(client, booking)
    assert form_page.status_code == 200
    page = form_page.content.decode()
    assert "Second Kuaizhou-1A rideshare" in page
    assert "Someone else&#x27;s launch" not in page and "Someone else's launch" not in page
    assert 'name="apply"' not in page  # no move before its terms are shown

    terms = f"price {booking.price:,.2f} USD; a 10.00% rebooking fee of 0.00 USD; 0.00 USD carried over"
    preview = rebook_post(client, booking, preview="Show the terms", launch=target.pk)
    page = preview.content.decode()
    assert f"{booking.reference}: {terms}" in page and 'name="apply"' in page
    booking.refresh_from_db()
    assert booking.launch == world.launch  # showing the terms moves nothing

    response = rebook_post(
        client,
        booking,
        apply="Rebook",
        launch=target.pk,
        **{f"terms-{booking.pk}": shown_token(page, booking)},
        follow=True,
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD and booking.launch == target  # moved in place
    assert texts(response) == [
        f"{booking.reference} moved from {booking.quote.launch.name} to Second Kuaizhou-1A rideshare: {terms}"
    ]


def test_rebook_offers_no_move_when_every_selected_booking_is_refused(client, operator, world):
    booking = hold(world)
    tiny = VehicleModelFactory(
        provider=world.provider,
        name="Tiny rocket",
        slug="tiny-rocket",
        curve={world.launch.orbit_family: [(world.launch.altitude_km, 1)]},
    )
    too_small = LaunchFactory(
        vehicle_model=tiny,
        site=world.site,
        name="Tiny rideshare",
        window_start=world.launch.window_start + timedelta(days=5),
    )
    page = rebook_post(client, booking, preview="Show the terms", launch=too_small.pk).content.decode()
    assert f"{booking.reference}: " in page and 'data-terms="rebook"' in page  # the refusal is shown
    assert shown_token(page, booking) == ""
    assert 'name="apply"' not in page
    booking.refresh_from_db()
    assert booking.launch == world.launch


def test_rebook_without_the_terms_shown_shows_them_and_moves_nothing(client, operator, world):
    booking = hold(world)
    target = second_launch(world)
    answer = rebook_post(client, booking, apply="Rebook", launch=target.pk)
    assert answer.status_code == 200
    assert "rebooking fee of 0.00 USD" in answer.content.decode()
    booking.refresh_from_db()
    assert booking.launch == world.launch


def test_rebook_refuses_terms_other_than_those_shown(client, operator, world):
    booking = hold(world)
    target = second_launch(world)
    third = LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Third Kuaizhou-1A rideshare",
        window_start=world.launch.window_start + timedelta(days=9),
    )
    page = rebook_post(client, booking, preview="Show the terms", launch=target.pk).content.decode()
    response = rebook_post(
        client,
        booking,
        apply="Rebook",
        launch=third.pk,  # another launch chosen after the terms were shown
        **{f"terms-{booking.pk}": shown_token(page, booking)},
        follow=True,
    )
    [refusal] = texts(response)
    assert refusal.startswith(f"{booking.reference}: the terms of moving booking {booking.reference} changed")
    booking.refresh_from_db()
    assert booking.launch == world.launch


def test_quote_admin_shows_lines(client, operator, world):
    booking = hold(world)
    quote = Quote.objects.get(pk=booking.quote_id)
    page = client.get(reverse("admin:booking_quote_change", args=[quote.pk])).content.decode()
    assert "Mission control (100,000.00 USD)" in page
    assert "booking.quoted" in page


@pytest.mark.parametrize("model", ["exchangerate", "ridesharerate", "dedicatedprice", "addonservice"])
def test_operators_edit_rates(client, operator, world, model):
    assert client.get(reverse(f"admin:booking_{model}_changelist")).status_code == 200


def test_rates_are_scoped_to_the_operators_provider(client, world):
    from vehicles.models import ProviderOperator

    other = LaunchFactory(name="Other")
    RideshareRateFactory(provider=other.provider, price_per_kg=Decimal("1234.00"))
    staff = User.objects.create_user("expace-ops", password="pw", is_staff=True, is_superuser=False)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(Permission.objects.filter(codename="view_ridesharerate"))
    ProviderOperator.objects.create(user=staff, provider=world.provider)
    client.force_login(staff)
    page = client.get(reverse("admin:booking_ridesharerate_changelist")).content.decode()
    assert "10000.00" in page or "10,000.00" in page
    assert "1234.00" not in page and "1,234.00" not in page
