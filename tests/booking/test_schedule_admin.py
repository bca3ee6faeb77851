"""The operator admin: schedule, slip and scrub through the services, and the schedule timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin import helpers
from django.urls import reverse

from booking.models import Launch, Reservation
from booking.services.scheduling import launch_schedule
from tests.factories import SiteClosureFactory, UserFactory, schedule_world

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, tzinfo=UTC)


@pytest.fixture
def world():
    return schedule_world()


@pytest.fixture
def ops(client):
    user = UserFactory(username="admin-ops", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def scheduled(world, start, name="KZ1A", vehicle=0):
    return launch_schedule(
        provider=world.provider,
        vehicle_model=world.model,
        site=world.jiuquan,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        window_start=start,
        window_end=start + timedelta(hours=2),
        actor=None,
        vehicle=world.rockets[vehicle],
        platform=world.tel1,
        name=name,
    )


def test_the_schedule_form_calls_the_service(world, ops):
    url = reverse("admin:booking_launch_schedule")
    assert ops.get(reverse("admin:booking_launch_add")).url == url
    data = {
        "name": "From the admin",
        "provider": world.provider.pk,
        "vehicle_model": world.model.pk,
        "site": world.jiuquan.pk,
        "platform": world.tel1.pk,
        "vehicle": world.rockets[0].pk,
        "orbit_family": "SSO",
        "altitude_km": 500,
        # Jiuquan's local time (Asia/Shanghai, UTC+8): 06:00 UTC.
        "window_start": "2030-03-10T14:00",
        "window_end": "2030-03-10T16:00",
        "net_precision": "hour",
        "service_level": "standard",
    }
    response = ops.post(url, data)
    launch = Launch.objects.get(name="From the admin")
    assert response.status_code == 302 and Reservation.objects.filter(launch=launch).exists()
    assert launch.window_start == datetime(2030, 3, 10, 6, tzinfo=UTC)

    data["name"], data["vehicle"] = "Clash", world.rockets[1].pk
    response = ops.post(url, data, follow=True)
    assert "Cannot schedule Clash on TEL-01 at Jiuquan" in response.content.decode()
    assert not Launch.objects.filter(name="Clash").exists()


def test_slip_action_asks_for_the_new_window_and_shows_the_service_message(world, ops):
    first = scheduled(world, NOW + timedelta(days=10), name="First")
    scheduled(world, NOW + timedelta(days=11), name="Second", vehicle=1)
    changelist = reverse("admin:booking_launch_changelist")
    base = {"action": "slip_launch", helpers.ACTION_CHECKBOX_NAME: [first.pk]}

    form = ops.post(changelist, base)
    assert form.status_code == 200 and "Slip launch" in form.content.decode()

    refused = ops.post(
        changelist,
        {**base, "apply": "1", "window_start": "2030-03-11 20:00", "cause": "provider"},
        follow=True,
    )
    assert "Slip with cascade to move the following launches" in refused.content.decode()

    done = ops.post(
        changelist,
        {**base, "apply": "1", "window_start": "2030-03-11 20:00", "cascade": "on", "cause": "provider"},
        follow=True,
    )
    assert "First slipped by 20 h to 2030-03-11 20:00 UTC. Cascaded: Second +8 h." in done.content.decode()


def test_scrub_action_needs_a_reason_and_releases_the_platform(world, ops):
    launch = scheduled(world, NOW + timedelta(days=10))
    changelist = reverse("admin:booking_launch_changelist")
    base = {"action": "scrub_launches", helpers.ACTION_CHECKBOX_NAME: [launch.pk]}
    assert "Scrub launches" in ops.post(changelist, base).content.decode()
    done = ops.post(changelist, {**base, "apply": "1", "reason": "Weather", "cause": "weather"}, follow=True)
    assert "KZ1A scrubbed: Weather; 1 reservation released" in done.content.decode()
    launch.refresh_from_db()
    assert launch.status == Launch.Status.SCRUBBED


def test_timelines_show_phases_closures_and_conflicts(world, ops):
    launch = scheduled(world, NOW + timedelta(days=3))
    SiteClosureFactory(
        site=world.jiuquan,
        kind="airspace",
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=1),
    )
    page = ops.get(reverse("admin:booking_launch_timeline_platform", args=[world.tel1.pk])).content.decode()
    assert "Schedule timeline: TEL-01" in page
    assert launch.name in page and 'class="seg setup"' in page and 'class="seg window"' in page
    assert 'class="seg closure"' in page
    assert 'class="row conflict"' in page and "Jiuquan closed for airspace" in page

    site_page = ops.get(
        reverse("admin:booking_launch_timeline_site", args=[world.jiuquan.pk])
    ).content.decode()
    assert "TEL-01: " + launch.name in site_page

    platform_page = ops.get(
        reverse("admin:vehicles_mobileplatform_change", args=[world.tel1.pk])
    ).content.decode()
    assert reverse("admin:booking_launch_timeline_platform", args=[world.tel1.pk]) in platform_page
    site_change = ops.get(
        reverse("admin:vehicles_launchsite_change", args=[world.jiuquan.pk])
    ).content.decode()
    assert reverse("admin:booking_launch_timeline_site", args=[world.jiuquan.pk]) in site_change
    changelist = ops.get(reverse("admin:booking_launch_changelist")).content.decode()
    assert reverse("admin:booking_launch_timeline_platform", args=[world.tel1.pk]) in changelist
    assert ops.get(reverse("admin:booking_reservation_changelist")).status_code == 200
    assert Decimal(launch.inclination_deg) == Decimal("97.40")


def test_a_platform_timeline_reads_closures_once_however_many_launches(world, django_assert_max_num_queries):
    from booking.selectors.timeline import resource_timeline

    for day in range(3):
        scheduled(world, NOW + timedelta(days=3 + 2 * day), name=f"KZ1A-{day}", vehicle=day)
        SiteClosureFactory(
            site=world.jiuquan,
            starts_at=NOW + timedelta(days=3 + 2 * day),
            ends_at=NOW + timedelta(days=3 + 2 * day, hours=1),
        )
    with django_assert_max_num_queries(3):  # reservations, closures, road routes
        bars = resource_timeline(platform=world.tel1, start=NOW, end=NOW + timedelta(days=30))
    assert len(bars) == 3
    assert all(any("Jiuquan closed" in problem for problem in bar.problems) for bar in bars)
