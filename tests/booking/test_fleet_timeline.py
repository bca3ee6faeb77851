"""The fleet timeline: every platform, pad, rocket and range of a fleet on one axis, scoped to the
operator's providers, zoomable, polled with a marker, with a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking.selectors.fleet_timeline import fleet_timeline, schedule_marker
from booking.services.scheduling import launch_schedule, launch_slip
from tests.factories import (
    LaunchFactory,
    PlatformReservationFactory,
    ProviderFactory,
    SiteClosureFactory,
    UserFactory,
    VehicleFactory,
    schedule_world,
)
from tests.vehicles.factories import MobilePlatformFactory
from vehicles.models import ProviderOperator

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, tzinfo=UTC)
FLEET = reverse("admin:booking_launch_fleet")
LANES = reverse("admin:booking_launch_fleet_lanes")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    return schedule_world()


@pytest.fixture
def ops(client):
    client.force_login(UserFactory(username="fleet-ops", is_staff=True, is_superuser=True))
    return client


def scheduled(world, start, *, name, rocket, platform=None):
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
        vehicle=rocket,
        platform=platform or world.tel1,
        name=name,
    )


def lane(timeline, label):
    return next(lane for lane in timeline.lanes if lane.label == label)


def test_one_launch_draws_its_truck_rocket_and_range_and_the_idle_truck_has_a_lane(world):
    launch = scheduled(world, NOW + timedelta(days=3), name="KZ1A Y7", rocket=world.rockets[0])
    timeline = fleet_timeline(provider_ids={world.provider.pk}, start=NOW, end=NOW + timedelta(days=14))

    truck = lane(timeline, "TEL-01")
    assert [span.kind for span in truck.spans] == ["setup", "window", "teardown"]  # at home: no road
    window = next(span for span in truck.spans if span.kind == "window")
    assert (window.start, window.end) == (launch.window_start, launch.window_end)
    assert window.title == "KZ1A Y7: launch window 2030-03-04 00:00–02:00 UTC"
    assert [span.kind for span in lane(timeline, "Kuaizhou-1A KZ1A-Y7").spans] == [
        "window"
    ]  # stored at the site
    assert [span.kind for span in lane(timeline, "Jiuquan range").spans] == ["window", "separation"]
    assert lane(timeline, "TEL-02").spans == []  # idle, still on the board
    assert [lane.group for lane in timeline.lanes] == ["platform", "platform", "vehicle", "range"]
    assert timeline.problems == []


def test_a_closure_on_the_window_is_drawn_on_the_range_and_flags_the_launch(world):
    scheduled(world, NOW + timedelta(days=3), name="KZ1A Y7", rocket=world.rockets[0])
    SiteClosureFactory(
        site=world.jiuquan,
        kind="airspace",
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=1),
    )
    timeline = fleet_timeline(provider_ids=None, start=NOW, end=NOW + timedelta(days=14))

    rng = lane(timeline, "Jiuquan range")
    assert "closure" in [span.kind for span in rng.spans]
    flagged = [span for span in lane(timeline, "TEL-01").spans if span.conflict]
    assert [span.kind for span in flagged] == ["window"]
    said = [problem for problem in timeline.problems if "KZ1A Y7: Jiuquan closed for airspace" in problem]
    assert len(said) == 1  # flagged on the truck's lane and the range's, listed once


def _two_on_tel2(world, *, second_hours, second_origin):
    first = LaunchFactory(
        name="First",
        provider=world.provider,
        vehicle_model=world.model,
        site=world.jiuquan,
        window_start=NOW + timedelta(days=2),
    )
    second = LaunchFactory(
        name="Second",
        provider=world.provider,
        vehicle_model=world.model,
        site=world.jiuquan,
        window_start=NOW + timedelta(days=2, hours=second_hours),
    )
    PlatformReservationFactory(launch=first, platform=world.tel2, origin=world.jiuquan)
    PlatformReservationFactory(launch=second, platform=world.tel2, origin=second_origin)
    return first, second


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL's exclusion constraint forbids the overlap"
)
def test_an_overlapping_claim_on_one_truck_is_a_conflict(world):
    _first, second = _two_on_tel2(world, second_hours=3, second_origin=world.jiuquan)
    timeline = fleet_timeline(provider_ids=None, start=NOW, end=NOW + timedelta(days=7))
    assert lane(timeline, "TEL-02").problems == ["TEL-02: Second overlaps First"]
    assert {span.launch_id for span in lane(timeline, "TEL-02").spans if span.conflict} == {second.pk}


def test_a_truck_that_departs_from_where_its_last_launch_did_not_leave_it_is_a_conflict(world):
    _first, second = _two_on_tel2(world, second_hours=48, second_origin=world.taiyuan)
    timeline = fleet_timeline(provider_ids=None, start=NOW, end=NOW + timedelta(days=7))
    assert lane(timeline, "TEL-02").problems == [
        "TEL-02: Second departs from Taiyuan but First leaves the truck at Jiuquan"
    ]
    assert {span.launch_id for span in lane(timeline, "TEL-02").spans if span.conflict} == {second.pk}
    assert "transit" in [span.kind for span in lane(timeline, "TEL-02").spans if span.launch_id == second.pk]


def test_the_page_shows_lanes_dialog_details_and_the_slip_action(world, ops):
    launch = scheduled(world, NOW + timedelta(days=3), name="KZ1A Y7", rocket=world.rockets[0])
    page = ops.get(FLEET)
    html = page.content.decode()
    assert page.status_code == 200 and "Fleet timeline" in html
    assert 'class="seg window"' in html and f'data-launch="{launch.pk}"' in html
    assert reverse("admin:booking_launch_change", args=[launch.pk]) in html
    assert '"operable": true' in html and 'value="slip_launch"' in html
    assert "Mobile platforms" in html and "Rockets" in html and "Ranges" in html
    # The dialog's slip button posts the existing changelist action for that launch.
    slip = ops.post(
        reverse("admin:booking_launch_changelist"), {"action": "slip_launch", "_selected_action": launch.pk}
    )
    assert "Slip launch" in slip.content.decode()


def test_zoom_is_one_to_sixty_days_and_a_bad_figure_is_named(world, ops):
    one_day = ops.get(FLEET, {"days": 1, "start": "2030-03-02"}).content.decode()
    assert "02 Mar 2030 00:00 – 03 Mar 2030 00:00 UTC" in one_day
    assert "03:00" in one_day  # hourly ticks at this zoom
    assert "start=2030-03-01&amp;days=1" in one_day and "start=2030-03-03&amp;days=1" in one_day
    too_long = ops.get(FLEET, {"days": 90}).content.decode()
    assert "The timeline shows 1 to 60 days; 90 asked, showing 60." in too_long
    assert "28 Feb 2030 00:00 – 29 Apr 2030 00:00 UTC" in too_long
    assert "“soon” is not a date (YYYY-MM-DD)" in ops.get(FLEET, {"start": "soon"}).content.decode()


def test_an_operator_sees_only_its_fleet_and_platform_staff_choose_a_provider(world, ops):
    from django.test import Client

    client = Client()
    other = ProviderFactory(name="Galactic", short_name="GE", slug="galactic-t")
    MobilePlatformFactory(provider=other, name="GE-TEL", home_site=world.jiuquan)
    scheduled(world, NOW + timedelta(days=3), name="KZ1A Y7", rocket=world.rockets[0])
    staff = UserFactory(username="ge-ops", is_staff=True, is_superuser=False)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(Permission.objects.filter(codename="view_launch"))
    ProviderOperator.objects.create(user=staff, provider=other)
    client.force_login(staff)
    mine = client.get(FLEET).content.decode()
    assert "GE-TEL" in mine and "TEL-01" not in mine and "KZ1A Y7" not in mine
    assert '"operable": true' not in mine

    everyone = ops.get(FLEET).content.decode()
    assert "GE-TEL" in everyone and "TEL-01" in everyone
    expace = ops.get(FLEET, {"provider": world.provider.pk}).content.decode()
    assert "Fleet timeline: ExPace" in expace and "GE-TEL" not in expace and "TEL-01" in expace


def test_the_lanes_answer_304_until_the_schedule_changes(world, ops):
    launch = scheduled(world, NOW + timedelta(days=3), name="KZ1A Y7", rocket=world.rockets[0])
    first = ops.get(LANES)
    marker = first["ETag"]
    assert first.status_code == 200 and "KZ1A Y7" in first.content.decode()
    with CaptureQueriesContext(connection) as ctx:
        assert ops.get(LANES, headers={"If-None-Match": marker}).status_code == 304
    # session, user, the operator's providers, and the marker's three aggregates: no lanes drawn
    assert len(ctx.captured_queries) == 6, [q["sql"][:80] for q in ctx.captured_queries]

    launch_slip(
        launch=launch,
        window_start=NOW + timedelta(days=4),
        window_end=None,
        net_precision=None,
        cascade=False,
        actor=None,
        cause="provider",
    )
    changed = ops.get(LANES, headers={"If-None-Match": marker})
    assert changed.status_code == 200 and changed["ETag"] != marker
    assert "2030-03-05 00:00–02:00 UTC" in changed.content.decode()


def _fleet(world, *, trucks, launches_per_truck, prefix):
    """``trucks`` more trucks, each with its launches back to back, its own rocket each time."""
    for t in range(trucks):
        truck = MobilePlatformFactory(
            provider=world.provider, name=f"TEL-{prefix}{t:02d}", home_site=world.jiuquan
        )
        truck.vehicle_models.add(world.model)
        for n in range(launches_per_truck):
            launch = LaunchFactory(
                name=f"{prefix}{t}-{n}",
                provider=world.provider,
                vehicle_model=world.model,
                site=world.jiuquan,
                vehicle=VehicleFactory(vehicle_model=world.model, storage_site=world.jiuquan),
                platform=truck,
                window_start=NOW + timedelta(days=1 + 2 * n, hours=t % 12),
            )
            PlatformReservationFactory(launch=launch, platform=truck, origin=world.jiuquan)
        SiteClosureFactory(
            site=world.jiuquan, starts_at=NOW + timedelta(days=t), ends_at=NOW + timedelta(days=t, hours=1)
        )


def _queries(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(FLEET, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_runs_the_same_queries_for_a_small_and_a_large_fleet(world, ops):
    _fleet(world, trucks=2, launches_per_truck=2, prefix="A")
    small = _queries(ops, days=30)
    _fleet(world, trucks=8, launches_per_truck=6, prefix="B")
    large = _queries(ops, days=30)
    assert large == small
    assert small <= 14  # session, user, messages, 4 for the lanes, 3 for the marker, the providers
    assert (
        Decimal(len(fleet_timeline(provider_ids=None, start=NOW, end=NOW + timedelta(days=30)).launches))
        == 52
    )
    assert schedule_marker(provider_ids=None) == schedule_marker(provider_ids=None)


@pytest.mark.parametrize("zone", ["Asia/Shanghai"])
def test_the_page_shows_one_time_zone_the_admins_and_says_which(world, ops, settings, zone):
    settings.TIME_ZONE = zone
    launch = scheduled(world, NOW + timedelta(days=3), name="KZ1A Y7", rocket=world.rockets[0])
    html = ops.get(FLEET, {"days": 1, "start": "2030-03-02"}).content.decode()
    # Days start at midnight in the page's zone, and the span line names it.
    assert "02 Mar 2030 00:00 – 03 Mar 2030 00:00 CST" in html
    html = ops.get(FLEET).content.decode()
    local = launch.window_start.astimezone(ZoneInfo(zone))
    assert (
        f"{local:%Y-%m-%d %H:%M}" in html
        and " UTC" not in html.split('id="fleet-lanes"')[1].split("</section>")[0]
    )
