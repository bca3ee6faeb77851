"""The public schedule with capacity, the catalog, and registering payloads."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Booking, Event, OwnerRole, PlanStep, ReadinessPlan, ReadinessTemplate
from customers.models import Payload
from tests.factories import (
    BookingFactory,
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    ProviderFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db


def test_the_schedule_shows_the_contracted_fields_and_capacity_left(tenant_a, tenant_b):
    launch = LaunchFactory(platform=MobilePlatformFactory())  # SSO 500 km: 300 kg on the default curve
    BookingFactory(launch=launch, mass_kg=Decimal("40.0"), status=Booking.Status.CONFIRMED)
    BookingFactory(
        launch=launch,
        mass_kg=Decimal("8.0"),
        status=Booking.Status.HELD,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
    )
    BookingFactory(  # an expired hold no longer counts
        launch=launch,
        mass_kg=Decimal("100.0"),
        status=Booking.Status.HELD,
        hold_expires_at=timezone.now() - timedelta(minutes=1),
    )
    BookingFactory(launch=launch, mass_kg=Decimal("50.0"), status=Booking.Status.CANCELLED)
    row = tenant_a.client.get(f"/api/v1/launches/{launch.pk}/").json()
    assert set(row) >= {
        "provider",
        "vehicle_model",
        "site",
        "platform",
        "window_start",
        "window_end",
        "net",
        "net_precision",
        "status",
        "target_orbit",
        "capacity_kg",
        "remaining_capacity_kg",
    }
    assert row["target_orbit"] == {"family": "SSO", "altitude_km": 500, "inclination_deg": "97.40"}
    assert row["capacity_kg"] == "300.0"
    assert row["remaining_capacity_kg"] == "252.0"
    assert row["provider"] == launch.provider_id and row["platform"] == launch.platform_id


def test_the_schedule_list_costs_the_same_queries_for_3_or_30_launches(tenant_a):
    def queries_for_list():
        with CaptureQueriesContext(connection) as ctx:
            assert tenant_a.client.get("/api/v1/launches/?page_size=100").status_code == 200
        return len(ctx)

    for _ in range(3):
        BookingFactory(launch=LaunchFactory())
    queries_for_list()  # the token's first use of the minute records last_used_at
    few = queries_for_list()
    for _ in range(27):
        BookingFactory(launch=LaunchFactory())
    assert queries_for_list() == few


def test_schedule_filters_and_ordering(tenant_a):
    provider = ProviderFactory()
    site = LaunchSiteFactory()
    now = timezone.now().replace(microsecond=0)
    soon = LaunchFactory(vehicle_model__provider=provider, site=site, window_start=now + timedelta(days=2))
    later = LaunchFactory(
        vehicle_model__provider=provider, window_start=now + timedelta(days=20), status="planned"
    )
    other = LaunchFactory(window_start=now + timedelta(days=5))

    def ids(query):
        answer = tenant_a.client.get(f"/api/v1/launches/?{query}")
        assert answer.status_code == 200, answer.json()
        return [row["id"] for row in answer.json()["results"]]

    assert ids("") == [soon.pk, other.pk, later.pk]
    assert ids(f"provider={provider.pk}") == [soon.pk, later.pk]
    assert ids(f"site={site.pk}") == [soon.pk]
    assert ids("status=planned") == [later.pk]
    gte = (now + timedelta(days=3)).isoformat().replace("+00:00", "Z")
    lte = (now + timedelta(days=10)).isoformat().replace("+00:00", "Z")
    assert ids(f"net__gte={gte}") == [other.pk, later.pk]
    assert ids(f"net__gte={gte}&net__lte={lte}") == [other.pk]
    assert ids("ordering=-net") == [later.pk, other.pk, soon.pk]
    assert tenant_a.client.get("/api/v1/launches/?net__gte=not-a-date").status_code == 400
    assert tenant_a.client.get("/api/v1/launches/?status=flying").status_code == 400
    assert tenant_a.client.get("/api/v1/launches/?provider=99999999999999999999").status_code == 400


def test_vehicle_models_carry_their_capacity_points(tenant_a):
    model = VehicleModelFactory(curve={"SSO": [(500, 300), (700, 200)], "LEO": [(200, 400)]})
    row = tenant_a.client.get(f"/api/v1/vehicle-models/{model.pk}/").json()
    assert row["capacity_points"] == [
        {"orbit_family": "LEO", "altitude_km": 200, "capacity_kg": "400.0", "inclination_deg": None},
        {"orbit_family": "SSO", "altitude_km": 500, "capacity_kg": "300.0", "inclination_deg": None},
        {"orbit_family": "SSO", "altitude_km": 700, "capacity_kg": "200.0", "inclination_deg": None},
    ]
    for url in ("/api/v1/providers/", "/api/v1/vehicles/", "/api/v1/sites/", "/api/v1/platforms/"):
        assert tenant_a.client.get(url).status_code == 200


def test_readiness_of_a_booked_launch_lists_its_steps(tenant_a):
    launch = LaunchFactory()
    BookingFactory(customer=tenant_a.customer, launch=launch)
    assert tenant_a.client.get(f"/api/v1/launches/{launch.pk}/readiness/").json() == {
        "detail": "This launch has no readiness plan that you can see."
    }
    plan = ReadinessPlan.objects.create(
        launch=launch, template=ReadinessTemplate.objects.create(slug="express", name="Express")
    )
    for position, (code, role, blocking) in enumerate(
        [("go-poll", OwnerRole.OPERATIONS, True), ("recovery", OwnerRole.PAYLOAD, False)], start=1
    ):
        PlanStep.objects.create(
            plan=plan,
            position=position,
            code=code,
            name=code.title(),
            owner_role=role,
            kind="manual",
            blocking=blocking,
            offset_minutes=position * 30,
            due_at=launch.net + timedelta(minutes=position * 30),
        )
    body = tenant_a.client.get(f"/api/v1/launches/{launch.pk}/readiness/").json()
    assert body["status"] == "active"
    assert [(s["name"], s["status"], s["owner_role"], s["blocking"]) for s in body["steps"]] == [
        ("Go-Poll", "pending", "operations", True),
        ("Recovery", "pending", "payload", False),
    ]
    assert all(s["due_at"] for s in body["steps"])


# --- payloads ------------------------------------------------------------------------------------


@pytest.fixture
def catalog(db):
    VehicleModelFactory(curve={"SSO": [(400, 350), (500, 300), (700, 200)], "LEO": [(200, 400), (600, 250)]})
    LaunchSiteFactory(name="Wenchang", latitude=Decimal("19.61"))
    LaunchSiteFactory(name="Jiuquan", latitude=Decimal("40.96"))


def post_payload(tenant, **overrides):
    body = {"name": "GOMX-5", "mass_kg": "3.0", "orbit": {"family": "SSO", "altitude_km": 500}}
    body.update(overrides)
    return tenant.client.post("/api/v1/payloads/", body, format="json")


def test_a_payloads_sizes_are_stored_not_dropped(tenant_a, catalog):
    answer = post_payload(tenant_a, length_m="0.10", width_m=0.1, height_m="0.34")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["length_m"], body["width_m"], body["height_m"]) == ("0.10", "0.10", "0.34")
    payload = Payload.objects.get(pk=body["id"])
    assert (payload.length_m, payload.width_m, payload.height_m) == (
        Decimal("0.10"),
        Decimal("0.10"),
        Decimal("0.34"),
    )
    refused = post_payload(tenant_a, name="Flat", length_m="0")
    assert refused.status_code == 400 and set(refused.json()) == {"length_m"}, refused.json()


def test_a_payload_registered_without_its_size_gets_it_by_an_edit(tenant_a, tenant_b, catalog):
    created = post_payload(tenant_a)
    assert created.status_code == 201, created.json()
    url = f"/api/v1/payloads/{created.json()['id']}/"
    edited = tenant_a.client.patch(
        url, {"length_m": "0.10", "width_m": "0.10", "height_m": "0.34"}, format="json"
    )
    assert edited.status_code == 200, edited.json()
    assert (edited.json()["length_m"], edited.json()["height_m"]) == ("0.10", "0.34")
    payload = Payload.objects.get(pk=created.json()["id"])
    assert (payload.length_m, payload.width_m, payload.height_m) == (
        Decimal("0.10"),
        Decimal("0.10"),
        Decimal("0.34"),
    )
    assert payload.mass_kg == Decimal("3.0")  # what the edit did not name stays
    assert Event.objects.filter(verb="payload.updated", subject_id=payload.pk).count() == 1
    # Another organisation's payload is not there for it; a whole-payload PUT is not offered.
    assert tenant_b.client.patch(url, {"length_m": "1.0"}, format="json").status_code == 404
    assert tenant_a.client.put(url, created.json(), format="json").status_code == 405


def test_an_edit_is_held_to_the_rules_and_loses_nothing(tenant_a, catalog):
    created = post_payload(tenant_a)
    url = f"/api/v1/payloads/{created.json()['id']}/"
    unreachable = tenant_a.client.patch(url, {"orbit": {"family": "SSO", "altitude_km": 7000}}, format="json")
    assert unreachable.status_code == 400, unreachable.json()
    assert "7,000 km" in unreachable.json()["detail"]
    flat = tenant_a.client.patch(url, {"length_m": "0"}, format="json")
    assert flat.status_code == 400 and set(flat.json()) == {"length_m"}, flat.json()
    payload = Payload.objects.get(pk=created.json()["id"])
    assert (payload.altitude_km, payload.length_m) == (500, None)
    BookingFactory(customer=tenant_a.customer, payload=payload, status=Booking.Status.CONFIRMED)
    booked = tenant_a.client.patch(url, {"mass_kg": "4.0"}, format="json")
    assert booked.status_code == 409, booked.json()
    assert "cannot change while booked" in booked.json()["detail"]
    payload.refresh_from_db()
    assert payload.mass_kg == Decimal("3.0")


def test_a_customer_registers_a_payload_and_it_is_logged(tenant_a, catalog):
    answer = post_payload(tenant_a, returnable=True, return_mass_kg="2.5")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["orbit"] == {"family": "SSO", "altitude_km": 500, "inclination_deg": None}
    assert body["returnable"] is True and body["customer"] == tenant_a.customer.pk
    assert body["return_mass_kg"] == "2.5"
    payload = Payload.objects.get(pk=body["id"])
    assert payload.mass_kg == Decimal("3.0") and payload.customer == tenant_a.customer
    assert payload.return_mass_kg == Decimal("2.5")
    assert Event.objects.filter(
        verb="payload.created", subject_id=payload.pk, customer=tenant_a.customer
    ).exists()


@pytest.mark.parametrize(
    ("orbit", "field", "message"),
    [
        (
            {"family": "SSO", "altitude_km": 5000},
            "altitude_km",
            "No vehicle in the catalog reaches SSO 5,000 km",
        ),
        (
            {"family": "SSO", "altitude_km": 7000},
            "altitude_km",
            "No sun-synchronous orbit exists at 7,000 km",
        ),
        (
            {"family": "SSO", "altitude_km": 500, "inclination_deg": 45},
            "inclination_deg",
            "A sun-synchronous orbit at 500 km is inclined 97.4",
        ),
        (
            {"family": "LEO", "altitude_km": 400, "inclination_deg": 5},
            "inclination_deg",
            "No launch site reaches 5°: the nearest is 19.6° from Wenchang",
        ),
        ({"family": "GTO", "altitude_km": 400}, "family", "No vehicle in the catalog flies to GTO."),
        ({"family": "XYZ", "altitude_km": 400}, "family", "is not a valid choice"),
        ({"family": "LEO", "altitude_km": 50}, "altitude_km", "greater than or equal to 100"),
        (
            {"family": "LEO", "altitude_km": 400, "inclination_deg": 181},
            "inclination_deg",
            "less than or equal to 180",
        ),
    ],
)
def test_an_invalid_or_unreachable_orbit_is_400_per_field(tenant_a, catalog, orbit, field, message):
    answer = post_payload(tenant_a, orbit=orbit)
    assert answer.status_code == 400
    errors = answer.json()["orbit"][field]
    assert any(message in e for e in errors), errors
    assert not Payload.objects.exists()


def test_payload_field_errors(tenant_a, catalog):
    answer = post_payload(tenant_a, mass_kg="-1", name="")
    assert answer.status_code == 400
    assert set(answer.json()) == {"mass_kg", "name"}
    assert post_payload(tenant_a, orbit=None).json() == {"orbit": ["This field may not be null."]}
    assert post_payload(tenant_a).status_code == 201
    duplicate = post_payload(tenant_a)
    assert duplicate.status_code == 400
    assert duplicate.json() == {"detail": "Gomspace already has a payload named 'GOMX-5'."}
