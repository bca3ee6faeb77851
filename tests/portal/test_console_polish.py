"""Wording and finish: verbose names that read as words, the favicon, the home page, no countdown
on a cancelled booking, and history entries in the page's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from booking.dates import rezone_text
from booking.models import AddOnService, Booking, Event, ExchangeRate, WebhookDelivery
from booking.rules.text import count_text
from customers.models import Payload
from tests.factories import UserFactory
from vehicles.models import MobilePlatform

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    client = Client()
    client.force_login(UserFactory(username="wording-ops", is_staff=True, is_superuser=True))
    return client


def test_model_and_field_names_read_as_words():
    assert WebhookDelivery._meta.verbose_name_plural == "webhook deliveries"
    assert AddOnService._meta.verbose_name_plural == "add-on services"
    assert ExchangeRate._meta.get_field("units_per_usd").verbose_name == "units per USD"
    assert Payload._meta.get_field("altitude_km").verbose_name == "altitude (km)"
    assert MobilePlatform._meta.get_field("road_speed_kmh").verbose_name == "road speed (km/h)"
    assert [count_text(n, "reservation") for n in (0, 1, 2)] == [
        "0 reservations",
        "1 reservation",
        "2 reservations",
    ]


def test_the_admin_shows_the_words(staff):
    index = staff.get(reverse("admin:index")).content.decode()
    assert "Webhook deliveries" in index and "Add-on services" in index and "API tokens" in index
    rates = staff.get(reverse("admin:booking_exchangerate_add")).content.decode()
    assert "Units per USD" in rates
    payload = staff.get(reverse("admin:customers_payload_add")).content.decode()
    assert "Altitude (km):" in payload and "Mass (kg):" in payload


def test_a_favicon_on_every_front_and_a_home_page_that_leads_on(staff, member_client):
    assert (Path(settings.BASE_DIR) / "launchbook" / "static" / "favicon.svg").exists()
    icon = 'rel="icon" href="/static/favicon.svg"'
    assert icon in staff.get(reverse("admin:index")).content.decode()
    assert icon in member_client.get(reverse("portal:dashboard")).content.decode()
    home = Client().get("/").content.decode()
    assert icon in home
    for door in ('href="/portal/"', 'href="/admin/"', 'href="/api/docs/"'):
        assert door in home
    assert "<style>" in home and "Operations console" in home


def test_a_cancelled_booking_shows_no_live_countdown(world, member_client):
    url = reverse("portal:booking_detail", args=["LB-GOM01"])
    assert "data-countdown" in member_client.get(url).content.decode()
    Booking.objects.filter(pk=world["booking"].pk).update(status=Booking.Status.CANCELLED)
    page = member_client.get(url).content.decode()
    assert "data-countdown" not in page and "Countdown" not in page


def test_history_entries_use_the_pages_time_zone(world, member_client):
    Event.objects.create(
        verb="launch.slipped",
        actor_label="ops",
        subject_type="launch",
        subject_id=world["launch"].pk,
        launch=world["launch"],  # launch-wide: shown on each booking of the launch
        message="Kuaizhou-1A rideshare slipped by 20 h to 2030-03-11 20:00 UTC.",
    )
    page = member_client.get(reverse("portal:booking_detail", args=["LB-GOM01"])).content.decode()
    # Gomspace reads its pages in Copenhagen time: 21:00 CET, and no UTC time in the history.
    history = page[page.index('id="events-h"') :]
    assert "slipped by 20 h to 2030-03-11 21:00 CET." in history
    assert not re.search(r"\d{2}:\d{2} UTC", history)


def test_rezone_text_handles_spans_and_midnight():
    shanghai = ZoneInfo("Asia/Shanghai")
    assert rezone_text("window 2030-03-05 10:00–12:00 UTC", shanghai) == "window 2030-03-05 18:00–20:00 CST"
    assert rezone_text("window 2030-03-05 15:00–17:00 UTC", shanghai) == (
        "window 2030-03-05 23:00 CST – 2030-03-06 01:00 CST"
    )
    assert rezone_text("at 2030-03-05 10:00 UTC", UTC) == "at 2030-03-05 10:00 UTC"
    assert datetime(2030, 1, 1, tzinfo=UTC).tzname() == "UTC"
