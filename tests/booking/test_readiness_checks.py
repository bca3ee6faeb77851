"""The automatic readiness checks, each answering (passed, detail) in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from booking.models import Launch, PlanStep
from booking.services import checks, readiness
from customers.models import Customer, Document
from tests.factories import (
    BookingFactory,
    DocumentFactory,
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    PaymentMilestoneFactory,
    PlatformReservationFactory,
    SiteClosureFactory,
    VehicleFactory,
    readiness_templates,
)
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 18, 0, tzinfo=UTC)  # the express order: T0 less its 7 h 40 min chain, and some
T0 = datetime(2027, 3, 11, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    readiness_templates()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def launch() -> Launch:
    site = LaunchSiteFactory.create(code="JSLC", name="Jiuquan")
    vehicle = VehicleFactory.create(status=Vehicle.Status.ASSIGNED, serial="Y7")
    return LaunchFactory.create(
        name="KZ-1A Y7",
        vehicle=vehicle,
        vehicle_model=vehicle.vehicle_model,
        site=site,
        window_start=T0,
        window_end=T0 + timedelta(hours=2),
        net=T0,
        service_level="express",
    )


def step(launch: Launch, code: str = "final-checks") -> PlanStep:
    if not PlanStep.objects.filter(plan__launch=launch).exists():
        readiness.plan_start(launch=launch, actor=None)
    return PlanStep.objects.get(plan__launch=launch, code=code)


def run(name: str, launch: Launch, code: str = "final-checks"):
    return checks.CHECKS[name](launch=launch, step=step(launch, code), now=NOW)


def test_payment_milestones_due_by_the_step_must_be_paid(launch):
    booking = BookingFactory(launch=launch, reference="LB-00042")
    assert run("payment_paid", launch) == (True, "no payment milestone is due yet")
    milestone = PaymentMilestoneFactory(
        reference="LB-00042", due_at=NOW - timedelta(days=1), amount=Decimal("27000")
    )
    PaymentMilestoneFactory(
        reference="LB-00042", due_at=T0 + timedelta(days=30), label="Balance"
    )  # not due yet
    assert run("payment_paid", launch) == (False, "unpaid: LB-00042 Deposit 27,000.00 USD due 09 Mar 2027")
    milestone.paid_at = NOW - timedelta(hours=1)
    milestone.save()
    assert run("payment_paid", launch) == (True, "1 payment milestone paid")
    assert booking.reference == "LB-00042"


def test_every_booked_payload_needs_an_approved_document(launch):
    booking = BookingFactory(launch=launch, payload__name="GOMX-5")
    DocumentFactory(customer=booking.customer, payload=booking.payload, status=Document.Status.SUBMITTED)
    DocumentFactory(customer=booking.customer, payload=booking.payload, status=Document.Status.REJECTED)
    assert run("documents_approved", launch) == (
        False,
        "GOMX-5: no approved document (1 awaiting review, 1 rejected)",
    )
    DocumentFactory(customer=booking.customer, payload=booking.payload, kind=Document.Kind.EXPORT)
    assert run("documents_approved", launch) == (True, "document approved for 1 payload")
    assert run("icd_approved", launch) == (
        False,
        "GOMX-5: no approved interface control document (1 awaiting review, 1 rejected)",
    )


def test_export_screening_must_be_cleared(launch):
    booking = BookingFactory(launch=launch, customer__name="Gomspace")
    assert run("export_cleared", launch)[0] is True
    Customer.objects.filter(pk=booking.customer_id).update(export_screening=Customer.ExportScreening.PENDING)
    assert run("export_cleared", launch) == (False, "Gomspace: export screening pending")


def test_the_platform_is_on_site_once_its_reservation_says_it_arrived(launch):
    platform = MobilePlatformFactory(name="TEL-07")
    Launch.objects.filter(pk=launch.pk).update(platform=platform)
    launch.refresh_from_db()
    assert run("platform_on_site", launch) == (False, "TEL-07 has no reservation for KZ-1A Y7")
    reservation = PlatformReservationFactory(
        launch=launch, platform=platform, arrive_before=timedelta(hours=4)
    )
    assert run("platform_on_site", launch) == (False, "TEL-07 arrives at Jiuquan at 10 Mar 22:00 UTC")
    reservation.arrive_at = NOW - timedelta(minutes=1)
    reservation.save()
    assert run("platform_on_site", launch) == (True, "TEL-07 arrived at Jiuquan at 10 Mar 17:59 UTC")


def test_the_vehicle_must_be_assigned(launch):
    assert run("vehicle_assigned", launch)[0] is True
    Vehicle.objects.filter(pk=launch.vehicle_id).update(status=Vehicle.Status.READY_STORAGE)
    passed, detail = run("vehicle_assigned", launch)
    assert not passed and detail.endswith("Y7 is ready storage, not assigned")


def test_weather_and_range_come_from_closures_and_the_pluggable_source(launch, settings):
    # The built-in simulator is deterministic: Jiuquan at 02:00 UTC that day is go.
    assert run("weather_range", launch) == (
        True,
        "range open; wind 10 m/s, no lightning at Jiuquan at 02:00 UTC",
    )
    assert checks.simulated_weather(site=launch.site, at=T0 + timedelta(hours=6)) == (
        False,
        "lightning within 10 km of Jiuquan at 08:00 UTC",
    )
    settings.LAUNCHBOOK_WEATHER_SOURCE = "tests.reliability.weather_sources.always_go"
    assert run("weather_range", launch) == (True, "range open; clear over Jiuquan")
    SiteClosureFactory(
        site=launch.site,
        starts_at=T0 - timedelta(hours=1),
        ends_at=T0 + timedelta(hours=1),
        reason="airspace for a state launch",
        kind="airspace",
    )
    assert run("weather_range", launch) == (
        False,
        "airspace closed 11 Mar 01:00–03:00 UTC: airspace for a state launch",
    )


def test_booked_mass_must_fit_the_capacity_curve(launch):
    BookingFactory(launch=launch, mass_kg=Decimal("250.0"))
    assert run("mass_within_capacity", launch) == (True, "250.0 kg booked of 300.0 kg to SSO 500 km at 97.4°")
    BookingFactory(launch=launch, mass_kg=Decimal("60.0"))
    assert run("mass_within_capacity", launch) == (
        False,
        "booked mass 310.0 kg exceeds the 300.0 kg capacity to SSO 500 km at 97.4°",
    )
    Launch.objects.filter(pk=launch.pk).update(altitude_km=900)
    launch.refresh_from_db()
    passed, detail = run("mass_within_capacity", launch)
    assert (
        not passed
        and detail
        == f"the catalog has no figure for {launch.vehicle_model.name} to SSO 900 km: "
        "its SSO figures cover 400–700 km"
    )


def test_return_mass_not_up_mass_must_fit_the_vehicles_capsule(launch):
    launch.vehicle_model.return_capsule_kg = Decimal("300.0")
    launch.vehicle_model.save(update_fields=["return_capsule_kg"])
    # 900 kg goes up, 280 kg comes back: only the 280 kg meets the capsule's limit.
    BookingFactory(
        launch=launch,
        payload__returnable=True,
        payload__mass_kg=Decimal("900.0"),
        payload__return_mass_kg=Decimal("280.0"),
    )
    assert run("return_mass_within_limit", launch) == (True, "return mass 280.0 kg of 300.0 kg")
    BookingFactory(
        launch=launch,
        payload__returnable=True,
        payload__mass_kg=Decimal("40.0"),
        payload__return_mass_kg=Decimal("40.0"),
    )
    assert run("return_mass_within_limit", launch) == (
        False,
        "return mass 320.0 kg exceeds the capsule's 300.0 kg",
    )


def test_return_mass_check_fails_on_a_vehicle_without_a_capsule(launch):
    BookingFactory(launch=launch, payload__returnable=True, payload__mass_kg=Decimal("20.0"))
    passed, detail = run("return_mass_within_limit", launch)
    assert not passed
    assert detail == f"{launch.vehicle_model.name} flies no return capsule; 20.0 kg is booked to come back"


def test_orbit_is_confirmed_only_after_lift_off(launch):
    assert run("orbit_confirmed", launch, "orbit-confirmation") == (
        False,
        "KZ-1A Y7 has not lifted off yet (scheduled)",
    )
    Launch.objects.filter(pk=launch.pk).update(status=Launch.Status.LAUNCHED)
    launch.refresh_from_db()
    assert run("orbit_confirmed", launch, "orbit-confirmation") == (True, "KZ-1A Y7 reached SSO 500 km")


def test_a_broken_source_is_reported_as_not_passed(launch, settings):
    settings.LAUNCHBOOK_WEATHER_SOURCE = "tests.reliability.weather_sources.does_not_exist"
    passed, detail = checks.check_run(step=step(launch), launch=launch, now=NOW)
    assert not passed and detail.startswith("the check could not run:")
