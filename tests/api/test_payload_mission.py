"""The API speaks the same rules: a payload's return mass, LTAN and cargo programme, a cargo mission's
manifest lines, and an SSO launch scheduled with an LTAN at its daily launch time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import CargoProgramme, Payload
from customers.programmes import CMSA_SLUG, install_cargo_programmes
from tests.factories import LaunchSiteFactory, UserFactory, VehicleModelFactory, schedule_world
from vehicles.models import ProviderOperator

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    install_cargo_programmes(CargoProgramme)
    VehicleModelFactory(curve={"SSO": [(400, 350), (700, 200)], "LEO": [(200, 4000), (600, 2500)]})
    LaunchSiteFactory(name="Wenchang", latitude=Decimal("19.61"))


def post_payload(tenant, **overrides):
    body = {"name": "GOMX-5", "mass_kg": "3.0", "orbit": {"family": "SSO", "altitude_km": 500}}
    body.update(overrides)
    return tenant.client.post("/api/v1/payloads/", body, format="json")


def test_a_payload_registers_its_ltan_and_answers_it_as_hh_mm(tenant_a, catalog):
    answer = post_payload(tenant_a, ltan="10:30")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["ltan"] == "10:30"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"ltan": "24:10"}, "ltan", "24:10 is not a time of day"),
        ({"ltan": 1030}, "ltan", 'as a string "HH:MM"'),
        ({"returnable": True}, "return_mass_kg", "A returnable payload states its return mass"),
        ({"return_mass_kg": "1.0"}, "return_mass_kg", "belongs to a returnable payload"),
        (
            {"orbit": {"family": "LEO", "altitude_km": 400, "inclination_deg": "41.5"}, "ltan": "10:30"},
            "ltan",
            "belongs to a sun-synchronous orbit, not to LEO",
        ),
        (
            {"cargo_programme": CMSA_SLUG, "returnable": True, "return_mass_kg": "200"},
            "mass_kg",
            "carries 1,000 kg to 4,000 kg up; this mission's up-mass is 3 kg",
        ),
    ],
)
def test_a_payload_that_does_not_hold_together_is_400_on_its_field(tenant_a, catalog, body, field, words):
    answer = post_payload(tenant_a, **body)
    assert answer.status_code == 400
    assert words in answer.json()[field][0]


def test_a_cargo_mission_adds_manifest_lines_within_its_limits(tenant_a, catalog):
    created = post_payload(
        tenant_a,
        name="Station cargo",
        mass_kg="1200.0",
        orbit={"family": "LEO", "altitude_km": 400, "inclination_deg": "41.50"},
        returnable=True,
        return_mass_kg="250.0",
        cargo_programme=CMSA_SLUG,
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/payloads/{created.json()['id']}/cargo-items/"
    line = {"direction": "down", "name": "Samples", "mass_kg": "240.0", "priority": 1}
    answer = tenant_a.client.post(url, line, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["cargo_items"] == [{"id": body["cargo_items"][0]["id"], **line}]
    assert body["manifest_totals"] == {"up_kg": "0.0", "down_kg": "240.0", "waste_kg": "0.0"}
    refused = tenant_a.client.post(url, {**line, "name": "Film", "mass_kg": "20.0"}, format="json")
    assert refused.status_code == 400
    assert (
        "items back to Earth weigh 260 kg, more than the mission's return mass of 250 kg"
        in refused.json()["detail"]
    )
    assert Payload.objects.get(name="Station cargo").cargo_items.count() == 1


def test_an_operator_schedules_an_sso_launch_at_its_daily_launch_time():
    world = schedule_world()
    operator = UserFactory(username="expace-ops", is_staff=True)
    ProviderOperator.objects.create(user=operator, provider=world.provider)
    client = token_client(operator)
    day = (timezone.now() + timedelta(days=20)).date()
    start = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)
    body = {
        "vehicle_model": world.model.pk,
        "site": world.jiuquan.pk,
        "target_orbit": {"family": "SSO", "altitude_km": 500},
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(hours=2)).isoformat(),
        "platform": world.tel1.pk,
        "ltan": "22:30",
    }
    answer = client.post("/api/v1/launches/", body, format="json")
    assert answer.status_code == 201, answer.json()
    launch = answer.json()
    assert launch["ltan"] == "22:30" and launch["daily_window_utc"] == "04:14"
    assert launch["window_text"] == "window 04:14 UTC daily, LTAN 22:30"
    assert launch["window_start"].startswith(f"{day.isoformat()}T04:14:44")
    early = client.post(
        "/api/v1/launches/",
        {**body, "window_end": (start + timedelta(minutes=30)).isoformat()},
        format="json",
    )
    assert early.status_code == 400
    assert (
        "does not contain the daily launch time 04:14 UTC for LTAN 22:30 from Jiuquan"
        in early.json()["detail"]
    )
