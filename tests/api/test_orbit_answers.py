"""The API answers the orbit rule: registration warnings, capacity points' inclinations, corridors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import LaunchSiteFactory, VehicleModelFactory
from vehicles.models import LaunchCorridor

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    site = LaunchSiteFactory(name="Jiuquan", code="JSLC", latitude=Decimal("40.96"))
    LaunchCorridor.objects.create(
        site=site, azimuth_from=Decimal("90"), azimuth_to=Decimal("195"), note="SE to SSW", source="demo"
    )
    VehicleModelFactory(name="Long March 6", slug="long-march-6", curve={"SSO": [(500, 1200), (700, 1080)]})
    return site


def test_the_api_answers_the_registration_warning(world, tenant_a):
    answer = tenant_a.client.post(
        "/api/v1/payloads/",
        {"name": "Heavy", "mass_kg": "50000.0", "orbit": {"family": "SSO", "altitude_km": 700}},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["warnings"] == [
        "No vehicle in the catalog lifts more than 1,080 kg to SSO 700 km (the most is on Long March 6); "
        "a 50,000 kg payload registers, but no launch can take it yet."
    ]


def test_sites_list_their_corridors(world, tenant_a):
    rows = tenant_a.client.get("/api/v1/sites/").json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    jiuquan = next(row for row in rows if row["code"] == "JSLC")
    assert jiuquan["corridors"] == [
        {"azimuth_from": "90.0", "azimuth_to": "195.0", "note": "SE to SSW", "source": "demo"}
    ]


def test_the_api_answers_the_warning_on_an_edit_too(world, tenant_a):
    created = tenant_a.client.post(
        "/api/v1/payloads/",
        {"name": "Grows", "mass_kg": "100.0", "orbit": {"family": "SSO", "altitude_km": 700}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["warnings"] == []
    edited = tenant_a.client.patch(
        f"/api/v1/payloads/{created.json()['id']}/", {"mass_kg": "50000.0"}, format="json"
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["warnings"] == [
        "No vehicle in the catalog lifts more than 1,080 kg to SSO 700 km (the most is on Long March 6); "
        "a 50,000 kg payload registers, but no launch can take it yet."
    ]
