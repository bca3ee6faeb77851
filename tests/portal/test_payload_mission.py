"""The portal payload form takes a local time of the node, a return mass and a cargo programme, and a
cargo mission's page keeps its manifest; the launch page shows an SSO launch's daily window."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import CargoProgramme, Payload
from customers.programmes import CMSA_SLUG, install_cargo_programmes
from tests.factories import PayloadFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rockets(db):
    install_cargo_programmes(CargoProgramme)
    return VehicleModelFactory(curve={"SSO": [(300, 300), (700, 160)], "LEO": [(200, 4000), (500, 3000)]})


def _form(**overrides):
    data = {"name": "GOMX-6", "mass_kg": "6.5", "orbit_family": "SSO", "altitude_km": "500", "hazards": ""}
    data.update(overrides)
    return data


def test_an_sso_payload_asks_for_its_ltan(member_client, world):
    response = member_client.post(reverse("portal:payload_create"), _form(ltan="22:30"))
    assert response.status_code == 302
    assert Payload.objects.get(name="GOMX-6").ltan == time(22, 30)


def test_a_local_time_that_is_not_one_is_refused_on_its_field(member_client, world):
    response = member_client.post(reverse("portal:payload_create"), _form(ltan="25:00"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "25:00 is not a time of day: hours run 00-23, minutes 00-59." in text
    assert 'id="id_ltan_error"' in text


def test_a_returnable_payload_without_its_return_mass_is_refused(member_client, world):
    response = member_client.post(reverse("portal:payload_create"), _form(returnable="on"))
    assert "A returnable payload states its return mass" in response.content.decode()
    response = member_client.post(
        reverse("portal:payload_create"), _form(returnable="on", return_mass_kg="4.0")
    )
    assert response.status_code == 302
    assert Payload.objects.get(name="GOMX-6").return_mass_kg == Decimal("4.0")


def test_a_cargo_mission_keeps_its_manifest_on_its_page(member_client, world):
    payload = PayloadFactory(
        customer=world["customer"],
        name="Station cargo",
        orbit_family="LEO",
        altitude_km=400,
        inclination_deg=Decimal("41.50"),
        mass_kg=Decimal("1200.0"),
        returnable=True,
        return_mass_kg=Decimal("250.0"),
        cargo_programme=CargoProgramme.objects.get(slug=CMSA_SLUG),
    )
    add = reverse("portal:payload_cargo_add", args=[payload.pk])
    member_client.post(
        add, {"direction": "up", "name": "Crew provisions", "mass_kg": "1100", "priority": "1"}
    )
    response = member_client.post(
        add, {"direction": "up", "name": "Spare pump", "mass_kg": "200", "priority": "3"}, follow=True
    )
    text = response.content.decode()
    assert (
        "The items up weigh 1,300 kg, more than the mission&#x27;s up-mass of 1,200 kg (100 kg over)." in text
    )
    assert "Crew provisions" in text and "Spare pump" not in text
    assert list(payload.cargo_items.values_list("name", flat=True)) == ["Crew provisions"]


def test_the_launch_page_shows_the_daily_window(member_client, world):
    launch = world["launch"]
    launch.ltan = time(22, 30)
    launch.save(update_fields=["ltan"])
    response = member_client.get(reverse("portal:launch_detail", args=[launch.pk]))
    assert "UTC daily, LTAN 22:30" in response.content.decode()
