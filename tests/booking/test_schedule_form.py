"""The schedule form: the window in the site's local time (stored in UTC), only the operator's
own trucks, pads and rockets that fit, and the planner's top plans one click from the form."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from booking.admin.schedule_form import ScheduleForm
from booking.dates import LocalTimeError, in_zone, local_to_utc, utc_to_local_input
from booking.models import Launch
from tests.factories import ProviderFactory, UserFactory, schedule_world
from tests.vehicles.factories import MobilePlatformFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 1, tzinfo=UTC)
SCHEDULE = reverse("admin:booking_launch_schedule")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    return schedule_world()


@pytest.fixture
def admin_user():
    return UserFactory(username="schedule-ops", is_staff=True, is_superuser=True)


@pytest.fixture
def ops(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def form_data(world, **changes):
    data = {
        "name": "Local time",
        "provider": world.provider.pk,
        "vehicle_model": world.model.pk,
        "site": world.jiuquan.pk,
        "platform": world.tel1.pk,
        "vehicle": world.rockets[0].pk,
        "orbit_family": "SSO",
        "altitude_km": 500,
        "window_start": "2030-03-10T14:00",
        "window_end": "2030-03-10T16:00",
        "net_precision": "hour",
        "service_level": "standard",
    }
    return {**data, **changes}


def test_local_wall_clock_times_convert_to_utc_across_daylight_saving():
    assert local_to_utc(datetime(2030, 1, 15, 10, 0), NEW_YORK) == datetime(2030, 1, 15, 15, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2030, 7, 1, 10, 0), NEW_YORK) == datetime(2030, 7, 1, 14, 0, tzinfo=UTC)
    # 2030-03-10 02:30 is skipped in New York (clocks go from 02:00 to 03:00).
    with pytest.raises(LocalTimeError, match="2030-03-10 02:30 does not exist in America/New_York"):
        local_to_utc(datetime(2030, 3, 10, 2, 30), NEW_YORK)
    # 01:30 on 3 Nov happens twice: the first (still daylight time, UTC-4).
    assert local_to_utc(datetime(2030, 11, 3, 1, 30), NEW_YORK) == datetime(2030, 11, 3, 5, 30, tzinfo=UTC)
    assert (
        utc_to_local_input(datetime(2030, 3, 10, 6, 0, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))
        == "2030-03-10T14:00"
    )
    assert (
        in_zone(datetime(2030, 3, 10, 6, 0, tzinfo=UTC), ZoneInfo("Asia/Shanghai")) == "2030-03-10 14:00 CST"
    )


def test_the_window_is_typed_in_the_sites_time_zone_and_stored_in_utc(world, ops):
    page = ops.get(SCHEDULE).content.decode()
    assert 'type="datetime-local"' in page and "local time" in page.lower()
    response = ops.post(SCHEDULE, form_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    launch = Launch.objects.get(name="Local time")
    assert launch.window_start == datetime(2030, 3, 10, 6, 0, tzinfo=UTC)  # 14:00 in Jiuquan (UTC+8)
    assert launch.window_end == datetime(2030, 3, 10, 8, 0, tzinfo=UTC)


def test_a_time_the_sites_clocks_skip_is_refused_with_the_zone(world, admin_user):
    world.jiuquan.time_zone = "America/New_York"
    world.jiuquan.save()
    form = ScheduleForm(
        form_data(world, window_start="2030-03-10T02:30", window_end="2030-03-10T04:00"), user=admin_user
    )
    assert not form.is_valid()
    assert form.errors["window_start"] == [
        "2030-03-10 02:30 does not exist in America/New_York: the clocks skip that hour (the same moment reads 03:30)."
    ]


def test_only_own_and_fitting_trucks_pads_and_rockets_are_offered(world, admin_user):
    other = ProviderFactory(name="Galactic", slug="galactic-s")
    MobilePlatformFactory(provider=other, name="GE-TEL", home_site=world.jiuquan)
    ceres = VehicleModelFactory(provider=world.provider, name="Ceres-like", slug="ceres-like")
    odd = MobilePlatformFactory(provider=world.provider, name="TEL-ODD", home_site=world.jiuquan)
    odd.vehicle_models.set([ceres])
    staff = UserFactory(username="expace-sched", is_staff=True, is_superuser=False)
    from vehicles.models import ProviderOperator

    ProviderOperator.objects.create(user=staff, provider=world.provider)
    form = ScheduleForm(user=staff)
    html = form.as_p()
    assert "GE-TEL" not in html and "TEL-ODD" in html
    assert f'value="{odd.pk}" data-models="{ceres.pk}"' in html
    carried = re.search(rf'value="{world.tel1.pk}" data-models="([0-9 ]+)"', html)
    assert carried and str(world.model.pk) in carried[1].split()
    assert f'data-site="{world.taiyuan.pk}"' in html  # pads carry their site

    refused = ScheduleForm(form_data(world, platform=odd.pk), user=staff)
    assert not refused.is_valid()
    assert refused.errors["platform"] == ["TEL-ODD carries Ceres-like, not Kuaizhou-1A"]
    world.pad.vehicle_families = ["Long March"]  # built for the Long March family only
    world.pad.save()
    wrong_pad = ScheduleForm(form_data(world, platform="", pad=world.pad.pk), user=staff)
    assert not wrong_pad.is_valid()
    assert "TSLC LC-16" in wrong_pad.errors["pad"][0] and "not Kuaizhou-1A" in wrong_pad.errors["pad"][0]
    wrong_rocket = ScheduleForm(form_data(world, vehicle=world.pad_rockets[0].pk), user=staff)
    assert not wrong_rocket.is_valid()
    assert wrong_rocket.errors["vehicle"] == ["CZ6-Y5 is a Long March 6, not a Kuaizhou-1A."]


def test_a_plan_from_the_planner_fills_the_form_in_one_click(world, ops):
    found = ops.get(
        SCHEDULE,
        {
            "plan-orbit_family": "SSO",
            "plan-altitude_km": 500,
            "plan-earliest": "2030-03-08",
            "plan-latest": "2030-03-20",
            "plan-service_level": "standard",
        },
    ).content.decode()
    assert "Use this plan" in found, found[found.find('id="planner"') :][:3000]
    link = found.split('href="?provider=')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs("provider=" + link)
    assert query["vehicle_model"] == [str(world.model.pk)] and query["site"] == [str(world.jiuquan.pk)]
    filled = ops.get(SCHEDULE + "?provider=" + link).content.decode()
    start = query["window_start"][0]
    assert f'value="{start}"' in filled and 'name="window_start"' in filled
    # Sending the filled form schedules the plan's window (local time read back to UTC).
    data = {k: v[0] for k, v in query.items()} | {"name": "From a plan", "net_precision": "hour"}
    assert ops.post(SCHEDULE, data).status_code == 302
    launch = Launch.objects.get(name="From a plan")
    assert utc_to_local_input(launch.window_start, world.jiuquan.tzinfo) == start
    assert urlparse(SCHEDULE).path == SCHEDULE


def test_a_planning_span_too_long_is_refused_with_the_limit(world, ops):
    page = ops.get(
        SCHEDULE,
        {
            "plan-orbit_family": "SSO",
            "plan-altitude_km": 500,
            "plan-earliest": "2030-03-08",
            "plan-latest": "2031-06-01",
            "plan-service_level": "standard",
        },
    ).content.decode()
    assert "Search at most 366 days at a time." in page
