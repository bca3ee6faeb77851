"""The operator admin's home dashboard and provider scoping (expace-ops sees ExPace only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from booking.admin.dashboard import operator_dashboard
from booking.models import Booking, PlanStep, Reservation
from tests.factories import (
    BookingFactory,
    LaunchFactory,
    MobilePlatformFactory,
    ProviderFactory,
    UserFactory,
    portal_readiness_plan,
)
from vehicles.models import ProviderOperator
from vehicles.selectors import ALL_PROVIDERS_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(db):
    now = timezone.now()
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    landspace = ProviderFactory(name="Landspace", short_name="Landspace", slug="landspace")
    operators = Group.objects.create(name="Operators")
    operators.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["vehicles", "customers", "booking"])
    )
    expace_ops = UserFactory(username="expace-ops", is_staff=True)
    expace_ops.groups.add(operators)
    ProviderOperator.objects.create(user=expace_ops, provider=expace)
    operator = UserFactory(username="operator", is_staff=True)
    operator.groups.add(operators, Group.objects.create(name=ALL_PROVIDERS_GROUP))

    kz = LaunchFactory(
        name="KZ-1A Jiuquan", vehicle_model__provider=expace, window_start=now + timedelta(days=5)
    )
    zq = LaunchFactory(
        name="ZQ-1 Taiyuan", vehicle_model__provider=landspace, window_start=now + timedelta(days=6)
    )
    far = LaunchFactory(
        name="KZ-11 far away", vehicle_model__provider=expace, window_start=now + timedelta(days=45)
    )
    for launch, ref in [(kz, "LB-HOLDKZ"), (zq, "LB-HOLDZQ")]:
        BookingFactory(
            reference=ref,
            launch=launch,
            status=Booking.Status.HELD,
            hold_expires_at=now + timedelta(minutes=20),
        )
    for launch in (kz, zq):
        portal_readiness_plan(
            launch,
            [
                ("icd", "Interface control document agreed", -(7 * 24 * 60), PlanStep.Status.LATE),
                ("go", "Go/no-go poll", -30, PlanStep.Status.PENDING),
            ],
        )
        # Backdate the first step so it is really late.
        PlanStep.objects.filter(plan__launch=launch, code="icd").update(due_at=now - timedelta(hours=3))
    for launch, provider in [(kz, expace), (zq, landspace)]:
        Reservation.objects.create(
            launch=launch,
            site=launch.site,
            platform=MobilePlatformFactory(provider=provider, name=f"{provider.short_name} TEL"),
            occupied_from=now - timedelta(hours=2),
            arrive_at=now + timedelta(hours=5),
            ready_at=now + timedelta(hours=11),
            occupied_until=now + timedelta(days=7),
        )
    return {"expace_ops": expace_ops, "operator": operator, "kz": kz, "zq": zq, "far": far}


def test_dashboard_data_for_a_provider_operator_is_its_own(fleet):
    dash = operator_dashboard(user=fleet["expace_ops"])
    assert [launch.name for launch in dash.launches] == ["KZ-1A Jiuquan"]
    assert [b.reference for b in dash.holds] == ["LB-HOLDKZ"]
    assert [s.plan.launch.name for s in dash.late_steps] == ["KZ-1A Jiuquan"]
    assert [r.platform.name for r in dash.platforms_in_transit] == ["ExPace TEL"]


def test_dashboard_data_for_an_all_provider_operator_covers_the_fleet(fleet):
    dash = operator_dashboard(user=fleet["operator"])
    assert {launch.name for launch in dash.launches} == {"KZ-1A Jiuquan", "ZQ-1 Taiyuan"}  # not 45 days out
    assert {b.reference for b in dash.holds} == {"LB-HOLDKZ", "LB-HOLDZQ"}
    assert len(dash.late_steps) == 2
    assert len(dash.platforms_in_transit) == 2


def test_admin_home_shows_the_dashboard(client, fleet):
    client.force_login(fleet["expace_ops"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Launches in the next 30 days" in text
    assert "KZ-1A Jiuquan" in text and "ZQ-1 Taiyuan" not in text
    assert "LB-HOLDKZ" in text and "LB-HOLDZQ" not in text
    assert "Interface control document agreed" in text
    assert "ExPace TEL" in text and "Landspace TEL" not in text


def test_expace_ops_cannot_see_another_providers_launches_in_the_admin(client, fleet):
    client.force_login(fleet["expace_ops"])
    listing = client.get(reverse("admin:booking_launch_changelist")).content.decode()
    assert "KZ-1A Jiuquan" in listing and "ZQ-1 Taiyuan" not in listing
    response = client.get(reverse("admin:booking_launch_change", args=[fleet["zq"].pk]))
    assert response.status_code == 302  # "doesn't exist", back to the admin home
    assert client.get(reverse("admin:booking_launch_change", args=[fleet["kz"].pk])).status_code == 200
    bookings = client.get(reverse("admin:booking_booking_changelist")).content.decode()
    assert "LB-HOLDKZ" in bookings and "LB-HOLDZQ" not in bookings
    platforms = client.get(reverse("admin:vehicles_mobileplatform_changelist")).content.decode()
    assert "ExPace TEL" in platforms and "Landspace TEL" not in platforms


def test_all_provider_operator_sees_every_launch(client, fleet):
    client.force_login(fleet["operator"])
    listing = client.get(reverse("admin:booking_launch_changelist")).content.decode()
    assert "KZ-1A Jiuquan" in listing and "ZQ-1 Taiyuan" in listing


def test_dashboard_links_the_schedule_timelines_of_the_operators_platforms(client, fleet):
    client.force_login(fleet["expace_ops"])
    text = client.get(reverse("admin:index")).content.decode()
    assert "Schedule timeline" in text
    expace_tel = fleet["kz"].reservations.get(platform__isnull=False).platform
    landspace_tel = fleet["zq"].reservations.get(platform__isnull=False).platform
    assert reverse("admin:booking_launch_timeline_platform", args=[expace_tel.pk]) in text
    assert reverse("admin:booking_launch_timeline_platform", args=[landspace_tel.pk]) not in text
    assert reverse("admin:booking_launch_schedule") in text
    assert reverse("admin:booking_readinessplan_board") in text
    assert (
        client.get(reverse("admin:booking_launch_timeline_platform", args=[expace_tel.pk])).status_code == 200
    )


def test_the_dashboard_reads_launches_with_their_rockets_and_pads_in_one_query(fleet):
    """More launches on the board cost no more queries (rocket model and pad site come along)."""
    from tests.factories import LaunchFactory, PadFactory, VehicleFactory

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            dash = operator_dashboard(user=fleet["operator"])
            [
                (launch.vehicle and str(launch.vehicle), launch.pad and str(launch.pad))
                for launch in dash.launches
            ]
        return len(ctx.captured_queries), len(dash.launches)

    before, shown = count()
    start = timezone.now()
    for n in range(4):
        pad = PadFactory()
        opens = start + timedelta(days=1 + n)
        LaunchFactory(
            name=f"Board {n}",
            vehicle=VehicleFactory(serial=f"BRD-{n}"),
            pad=pad,
            site=pad.site,
            net=opens,
            window_start=opens,
            window_end=opens + timedelta(hours=2),
        )
    assert count() == (before, shown + 4)
