"""The demo catalog loads idempotently and the operator admin serves it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from booking.demo import load_accounts, load_catalog, load_standby
from booking.models import Launch, StandbyEntry
from customers.models import Membership
from vehicles.models import CapacityPoint, MobilePlatform, Provider, Vehicle, VehicleModel

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(demo_catalog, db):
    return demo_catalog


def test_load_demo_twice_changes_nothing(demo):
    counts = load_catalog()
    load_accounts()
    assert counts == load_catalog()
    assert counts["providers"] == 4
    # Four rideshare launches, and the dedicated launches of InterSpace's and CMSA's requests.
    assert counts["launches"] == 6
    assert counts["dedicated launch requests"] == 3
    assert set(VehicleModel.objects.values_list("name", flat=True)) >= {
        "Kaituozhe-1",
        "Kuaizhou-1",
        "Kuaizhou-1A",
        "Kuaizhou-11",
        "Ceres-1",
        "Long March 6",
    }


def test_demo_curves_match_the_reference_figures(demo):
    kz11 = VehicleModel.objects.get(name="Kuaizhou-11")
    assert (
        CapacityPoint.objects.get(vehicle_model=kz11, orbit_family="SSO", altitude_km=700).capacity_kg == 1000
    )
    ceres = VehicleModel.objects.get(name="Ceres-1")
    assert (
        CapacityPoint.objects.get(vehicle_model=ceres, orbit_family="LEO", altitude_km=200).capacity_kg == 400
    )


def test_every_mobile_launch_provider_has_several_platforms(demo):
    for provider in Provider.objects.filter(mobile_launch=True):
        assert MobilePlatform.objects.filter(provider=provider).count() >= 2, provider


def test_demo_has_vehicles_in_ready_storage_and_scheduled_launches(demo):
    assert Vehicle.objects.filter(status=Vehicle.Status.READY_STORAGE).count() >= 5
    assert Launch.objects.filter(status=Launch.Status.SCHEDULED).count() == 6


def test_demo_customers_each_have_a_member_login(demo, client, settings):
    for username in ["gomspace", "interspace", "jilin", "cmsa"]:
        assert Membership.objects.filter(user__username=username).count() == 1
        assert client.login(username=username, password=settings.LAUNCHBOOK_DEMO_PASSWORD)


def test_demo_password_comes_from_the_environment(db, settings, client):
    settings.LAUNCHBOOK_DEMO_PASSWORD = "another-secret-42"
    load_catalog()
    load_accounts()
    assert client.login(username="operator", password="another-secret-42")
    assert not client.login(username="operator", password="launchbook-demo")


def test_load_demo_command_prints_the_logins(demo, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "operator" in out and "expace-ops" in out and "gomspace" in out


ADMIN_LISTS = [
    "vehicles_provider",
    "vehicles_vehiclemodel",
    "vehicles_vehicle",
    "vehicles_launchsite",
    "vehicles_pad",
    "vehicles_mobileplatform",
    "vehicles_siteclosure",
    "vehicles_route",
    "customers_customer",
    "customers_contract",
    "customers_paymentmilestone",
    "customers_payload",
    "customers_document",
    "booking_launch",
    "booking_booking",
    "booking_event",
]


@pytest.mark.parametrize("name", ADMIN_LISTS)
def test_operator_sees_every_admin_list(demo, client, settings, name):
    assert client.login(username="operator", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    response = client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200


def test_operator_sees_the_catalog_on_change_pages(demo, client, settings):
    assert client.login(username="operator", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    kz1a = VehicleModel.objects.get(name="Kuaizhou-1A")
    page = client.get(reverse("admin:vehicles_vehiclemodel_change", args=[kz1a.pk])).content.decode()
    assert "Capacity points" in page and 'value="300.0"' in page


def test_provider_operator_sees_only_its_own_launches_and_fleet(demo, client, settings):
    assert client.login(username="expace-ops", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    launches = client.get(reverse("admin:booking_launch_changelist")).content.decode()
    assert "Kuaizhou-1A · SSO 500 rideshare" in launches
    assert "Ceres-1 · SSO 500 rideshare" not in launches
    ceres_launch = Launch.objects.get(name="Ceres-1 · SSO 500 rideshare")
    assert client.get(reverse("admin:booking_launch_change", args=[ceres_launch.pk])).status_code == 302
    platforms = client.get(reverse("admin:vehicles_mobileplatform_changelist")).content.decode()
    assert "ExPace TEL-01" in platforms and "Landspace TEL-A" not in platforms


def test_customers_cannot_enter_the_admin(demo, client, settings):
    assert client.login(username="gomspace", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def _manage(*args, extra_env=None):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_migrations_match_the_models():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        extra_env={
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-secret-" + "x9Q2" * 12,
            "ALLOWED_HOSTS": "launchbook.example",
            "LAUNCHBOOK_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://launchbook@db.internal:5432/launchbook",
            "REDIS_URL": "redis://redis.internal:6379/0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_on_the_embedded_defaults(tmp_path):
    result = _manage(
        "check", extra_env={"DEBUG": "0", "SECRET_KEY": "s" * 50, "LAUNCHBOOK_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "DATABASE_URL and REDIS_URL must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_a_secret(tmp_path):
    result = _manage("check", extra_env={"DEBUG": "0", "SECRET_KEY": "", "LAUNCHBOOK_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_demo_accounts_need_their_own_password_in_production(tmp_path):
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "s" * 50,
        "LAUNCHBOOK_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "LAUNCHBOOK_DEMO_PASSWORD": "",
    }
    result = _manage("load_demo", extra_env=env)
    assert result.returncode != 0
    assert "set LAUNCHBOOK_DEMO_PASSWORD" in result.stderr


def test_the_demo_standby_lists_have_a_waiting_and_an_offered_entry_and_reload_unchanged(demo):
    first = load_standby()
    assert first == {"waiting": 1, "offered": 1}
    offered = StandbyEntry.objects.get(status=StandbyEntry.Status.OFFERED)
    assert offered.payload.name == "Jilin-1 Video 09"
    assert offered.offer_booking.launch.name == "Kuaizhou-1A · SSO 500 rideshare"
    rows = list(StandbyEntry.objects.order_by("pk").values())
    assert load_standby() == first
    assert list(StandbyEntry.objects.order_by("pk").values()) == rows
