"""The admin schedules an SSO launch with an LTAN, shows its daily window, and holds a payload's
masses to the one rule."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from booking.models import Launch
from tests.factories import (
    CustomerFactory,
    LaunchSiteFactory,
    PayloadFactory,
    UserFactory,
    VehicleModelFactory,
    schedule_world,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, tzinfo=UTC)


@pytest.fixture
def ops(client):
    client.force_login(UserFactory(username="admin-ops", is_staff=True, is_superuser=True))
    return client


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_schedule_form_takes_an_ltan_and_the_launch_page_shows_the_daily_window(ops):
    world = schedule_world()
    data = {
        "name": "Plane 22:30",
        "provider": world.provider.pk,
        "vehicle_model": world.model.pk,
        "site": world.jiuquan.pk,
        "platform": world.tel1.pk,
        "orbit_family": "SSO",
        "altitude_km": 500,
        "window_start": "2030-03-10 11:00",  # Jiuquan time (UTC+8): 03:00 UTC
        "window_end": "2030-03-10 13:00",
        "net_precision": "minute",
        "service_level": "standard",
        "ltan": "22:30",
    }
    url = reverse("admin:booking_launch_schedule")
    assert ops.post(url, data).status_code == 302
    launch = Launch.objects.get(name="Plane 22:30")
    assert launch.ltan == time(22, 30)
    assert launch.window_start == datetime(2030, 3, 10, 4, 14, 44, tzinfo=UTC)
    page = ops.get(reverse("admin:booking_launch_change", args=[launch.pk])).content.decode()
    assert "window 04:14 UTC daily, LTAN 22:30" in page

    response = ops.post(url, {**data, "name": "Bad", "ltan": "4:99"})
    assert "4:99 is not a time of day" in response.content.decode()
    assert not Launch.objects.filter(name="Bad").exists()


def test_the_payload_admin_holds_the_return_mass_to_the_rule(ops):
    VehicleModelFactory(curve={"SSO": [(300, 300), (700, 160)]})
    LaunchSiteFactory(latitude=Decimal("40.96"))
    payload = PayloadFactory(customer=CustomerFactory(), name="Capsule", mass_kg=Decimal("220.0"))
    url = reverse("admin:customers_payload_change", args=[payload.pk])
    data = {
        "customer": payload.customer_id,
        "name": "Capsule",
        "mass_kg": "220.0",
        "orbit_family": "SSO",
        "altitude_km": "500",
        "returnable": "on",
        "return_mass_kg": "250.0",
        "hazards": "",
        "cargo_items-TOTAL_FORMS": "0",
        "cargo_items-INITIAL_FORMS": "0",
    }
    response = ops.post(url, data)
    assert response.status_code == 200
    assert "The return mass 250 kg is more than the payload&#x27;s 220 kg" in response.content.decode()
    payload.refresh_from_db()
    assert not payload.returnable
    saved = ops.post(url, {**data, "return_mass_kg": "180.0"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    payload.refresh_from_db()
    assert payload.returnable and payload.return_mass_kg == Decimal("180.0")
