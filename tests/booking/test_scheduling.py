"""Scheduling launches on mobile platforms and pads: the schedule never asks one platform, pad or
rocket to be in two places at once, and every refusal says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from booking.errors import Conflict, InvalidRequest
from booking.models import Event, Launch, ReadinessPlan, Reservation
from booking.rules.chain import transit_hours
from booking.services import scheduling
from booking.services.scheduling import launch_schedule, launch_scrub, launch_slip
from tests.factories import (
    SiteClosureFactory,
    UserFactory,
    range_launch_point,
    resource_claim,
    schedule_world,
)
from vehicles.models import Route, Vehicle
from vehicles.orbits import great_circle_distance_km

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)
H = timedelta(hours=1)


@pytest.fixture
def world():
    # A TEL drives only on its own range: the launches that move a truck go to a second launch
    # point on the Jiuquan range, 80 km away (2.5 h of TEL road each way), not to another centre.
    world = schedule_world()
    range_launch_point(world)
    return world


@pytest.fixture
def operator():
    return UserFactory(username="ops")


def schedule(world, actor=None, *, site=None, start, hours=2, platform="tel1", vehicle=0, **extra):
    kwargs = {
        "provider": world.provider,
        "vehicle_model": world.model,
        "site": site or world.jiuquan,
        "orbit_family": "SSO",
        "altitude_km": 500,
        "inclination_deg": Decimal("97.40"),
        "window_start": start,
        "window_end": start + timedelta(hours=hours),
        "actor": actor,
        "vehicle": world.rockets[vehicle] if vehicle is not None else None,
        "platform": getattr(world, platform) if platform else None,
        "now": NOW,
    }
    kwargs.update(extra)
    return launch_schedule(**kwargs)


def hours_between(a, b) -> float:
    return (b - a).total_seconds() / 3600


def jiuquan_to_north_hours(world) -> float:
    """The TEL road leg across the range (the route table's 2.5 h)."""
    return transit_hours(origin=world.jiuquan, destination=world.north, road_speed_kmh=Decimal("50.0"))


def schedule_on_tel(world, name="KZ1A"):
    start = NOW + timedelta(days=10)
    return launch_schedule(
        provider=world.provider,
        vehicle_model=world.model,
        site=world.jiuquan,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=Decimal("97.40"),
        window_start=start,
        window_end=start + timedelta(hours=2),
        actor=None,
        vehicle=world.rockets[0],
        platform=world.tel1,
        name=name,
        now=NOW,
    )


def changed_while_waiting_for_the_lock(monkeypatch, launch, status):
    """Saleor-style: another transaction commits ``status`` while this one waits for the platform."""
    real_lock = scheduling._lock

    def lock_then_someone_else_wins(resource):
        real_lock(resource)
        Launch.objects.filter(pk=launch.pk).update(status=status)

    monkeypatch.setattr(scheduling, "_lock", lock_then_someone_else_wins)


# --- reserving -----------------------------------------------------------------------------------


def test_scheduling_reserves_the_platform_from_departure_to_tear_down(world, operator):
    start = NOW + 10 * DAY
    launch = schedule(world, operator, start=start, name="KZ1A rideshare")

    res = resource_claim(launch)
    assert res.platform == world.tel1 and res.origin == world.jiuquan
    # Already at its home site: no transit, 6 h set-up, 2 h window, 4 h tear-down.
    assert res.occupied_from == res.arrive_at == start - 6 * H
    assert res.ready_at == start
    assert res.occupied_until == start + 2 * H + 4 * H
    assert launch.status == Launch.Status.SCHEDULED
    assert launch.net == start and launch.inclination_deg == Decimal("97.40")
    world.rockets[0].refresh_from_db()
    assert world.rockets[0].status == Vehicle.Status.ASSIGNED
    event = Event.objects.get(verb="launch.scheduled", subject_id=launch.pk)
    assert event.actor == operator and event.launch == launch
    assert "KZ1A rideshare scheduled at Jiuquan on TEL-01" in event.message


def test_transit_is_great_circle_times_road_factor_over_road_speed(world):
    # No road leg in the route table: the truck's drive to the launch point 80 km away is
    # estimated from the distance. The rocket waits in storage at that launch point (its journey
    # is none); the truck drives over from Jiuquan to erect it.
    Route.objects.all().delete()
    Vehicle.objects.filter(pk=world.rockets[0].pk).update(storage_site=world.north)
    start = NOW + 10 * DAY
    launch = schedule(world, start=start, site=world.north)

    res = resource_claim(launch)
    km = great_circle_distance_km(
        world.jiuquan.latitude, world.jiuquan.longitude, world.north.latitude, world.north.longitude
    )
    expected = km * 1.3 / 50
    transit = hours_between(res.occupied_from, res.arrive_at)
    assert expected <= transit < expected + 1 / 60  # rounded up to the minute
    assert res.origin == world.jiuquan and res.arrive_at == start - 6 * H


def test_an_operator_road_route_replaces_the_estimate(world):
    # The TEL road across the Jiuquan range is slow today: 4 h where the distance gives about 2.
    Route.objects.filter(origin=world.jiuquan, destination=world.north, mode=Route.Mode.ROAD).update(
        transit_hours=Decimal("4.0")
    )
    Vehicle.objects.filter(pk=world.rockets[0].pk).update(storage_site=world.north)
    start = NOW + 10 * DAY
    launch = schedule(world, start=start, site=world.north)
    res = resource_claim(launch)
    assert hours_between(res.occupied_from, res.arrive_at) == 4.0


def test_a_pad_is_reserved_for_the_window_plus_its_turnaround(world):
    start = NOW + 5 * DAY
    launch = schedule(
        world,
        start=start,
        site=world.taiyuan,
        platform=None,
        pad=world.pad,
        vehicle=None,
        vehicle_model=world.pad_model,
    )
    res = resource_claim(launch)
    assert res.pad == world.pad and res.platform is None
    assert res.occupied_from == start and res.occupied_until == start + 2 * H + 72 * H


# --- refusals ------------------------------------------------------------------------------------


def test_an_overlapping_slot_on_the_same_platform_is_refused(world):
    # Jiuquan's range turns round in an hour here (Second opens two hours after First's window
    # ends): the truck alone stands in the way.
    world.jiuquan.min_launch_separation_minutes = 60
    world.jiuquan.save(update_fields=["min_launch_separation_minutes"])
    first = schedule(world, start=NOW + 10 * DAY, name="First")
    with pytest.raises(Conflict) as refused:
        schedule(world, start=NOW + 10 * DAY + 4 * H, vehicle=1, name="Second")

    assert refused.value.reasons == [
        "TEL-01 cannot reach Jiuquan before 2030-03-11 12:00 UTC: busy with First at Jiuquan until "
        "2030-03-11 06:00 UTC, then 6.0 h of set-up; Second opens 2030-03-11 04:00 UTC"
    ]
    assert len(refused.value.reasons) == 1
    assert Launch.objects.count() == 1 and Reservation.objects.get(platform__isnull=False).launch == first
    world.rockets[1].refresh_from_db()
    assert world.rockets[1].status == Vehicle.Status.READY_STORAGE


def test_back_to_back_slots_are_allowed(world):
    start = NOW + 10 * DAY
    schedule(world, start=start, name="First")  # occupies until start + 6 h
    # Next one: set-up starts the moment tear-down ends (half-open spans touch, do not overlap).
    second = schedule(world, start=start + 6 * H + 6 * H, vehicle=1, name="Second")

    first_res, second_res = Reservation.objects.filter(platform__isnull=False).order_by("occupied_from")
    assert first_res.occupied_until == second_res.occupied_from
    assert second.status == Launch.Status.SCHEDULED


def test_the_same_slot_on_another_platform_is_fine(world):
    # One range flies one launch at a time: the same slot on TEL-02 is at the range's other
    # launch point, a site with a range of its own.
    schedule(world, start=NOW + 10 * DAY)
    schedule(world, start=NOW + 10 * DAY, site=world.north, platform="tel2", vehicle=1)
    assert Reservation.objects.filter(platform__isnull=False).count() == 2
    assert set(Reservation.objects.filter(platform__isnull=False).values_list("platform", flat=True)) == {
        world.tel1.pk,
        world.tel2.pk,
    }


def test_too_little_road_time_between_two_sites_is_refused(world):
    start = NOW + 10 * DAY
    schedule(world, start=start, name="Jiuquan launch")
    transit = jiuquan_to_north_hours(world)
    # Busy until +6 h, then 2.5 h of road and 6 h of set-up: a window at +13 h is too soon.
    with pytest.raises(Conflict) as refused:
        schedule(world, start=start + 13 * H, site=world.north, vehicle=1, name="North launch")

    message = str(refused.value)
    assert "TEL-01 cannot reach Jiuquan North before " in message
    assert f"then {transit:.1f} h of road transit from Jiuquan and 6.0 h of set-up" in message

    # With enough time to drive, the same launch fits.
    later = start + 6 * H + timedelta(hours=transit) + 6 * H + 1 * H
    launch = schedule(world, start=later, site=world.north, vehicle=1)
    assert resource_claim(launch).origin == world.jiuquan


def test_a_departure_in_the_past_is_refused(world):
    transit = jiuquan_to_north_hours(world)
    # 2.5 h of road and 6 h of set-up before a window 7 h from now: the truck would leave 1.5 h ago.
    with pytest.raises(Conflict) as refused:
        schedule(world, start=NOW + 7 * H, site=world.north)
    assert "TEL-01 cannot reach Jiuquan North before " in str(refused.value)
    assert f"{transit:.1f} h of road transit from Jiuquan" in str(refused.value)


def test_a_launch_that_leaves_no_time_to_drive_to_the_next_one_is_refused(world):
    start = NOW + 10 * DAY
    schedule(world, start=start, site=world.north, name="North launch")
    # The truck is meant to leave Jiuquan 8.5 h before (2.5 h of road, 6 h of set-up); a Jiuquan
    # launch 12 h before holds it until 6 h before and would strand it.
    with pytest.raises(Conflict) as refused:
        schedule(world, start=start - 12 * H, vehicle=1, name="Jiuquan launch")
    assert "TEL-01 would have no time to get to North launch at Jiuquan North" in str(refused.value)
    assert Launch.objects.count() == 1


def test_inserting_a_launch_re_times_the_departure_of_the_next_one(world):
    start = NOW + 10 * DAY
    following = schedule(world, start=start, site=world.north, name="North launch")
    before = resource_claim(following)
    assert before.origin == world.jiuquan and before.occupied_from < before.arrive_at

    schedule(world, start=start - 3 * DAY, site=world.north, vehicle=1, name="Earlier North launch")

    after = resource_claim(following)
    assert after.origin == world.north  # it now starts from where the earlier launch left it
    assert after.occupied_from == after.arrive_at == start - 6 * H


def test_a_site_closure_over_the_window_is_refused(world):
    start = NOW + 4 * DAY + 9 * H
    SiteClosureFactory(
        site=world.north,
        kind="airspace",
        starts_at=NOW + 4 * DAY + 10 * H,
        ends_at=NOW + 4 * DAY + 16 * H,
        reason="Air force exercise",
    )
    with pytest.raises(Conflict) as refused:
        schedule(world, start=start, site=world.north)
    assert "Jiuquan North closed for airspace 2030-03-05 10:00–16:00 UTC: Air force exercise" in str(
        refused.value
    )

    # A window that ends as the closure starts is fine.
    schedule(world, start=NOW + 4 * DAY + 8 * H, site=world.north)


def test_an_inclination_the_site_cannot_reach_directly_is_refused(world):
    from vehicles.models import CapacityPoint

    CapacityPoint.objects.create(
        vehicle_model=world.model, orbit_family="LEO", altitude_km=500, capacity_kg=300, inclination_deg=10
    )
    with pytest.raises(Conflict) as refused:
        schedule(
            world,
            start=NOW + 10 * DAY,
            site=world.wenchang,
            orbit_family="LEO",
            inclination_deg=Decimal("10"),
        )
    assert str(refused.value) == (
        "Wenchang's direct ascents do not reach 10° (the nearest it reaches is 19.6°), and no other site does."
    )
    # A sun-synchronous orbit at 10° is no sun-synchronous orbit: the payloads' rule says so first.
    with pytest.raises(
        InvalidRequest, match="^A sun-synchronous orbit at 500 km is inclined 97.40°, not 10°"
    ):
        schedule(world, start=NOW + 10 * DAY, site=world.wenchang, inclination_deg=Decimal("10"))
    assert not Launch.objects.exists()


def test_a_rocket_flies_once(world):
    schedule(world, start=NOW + 10 * DAY)
    with pytest.raises(Conflict) as refused:
        schedule(world, start=NOW + 10 * DAY, platform="tel2")
    assert "KZ1A-Y7 is not in ready storage (assigned to a launch)" in str(refused.value)


def test_pad_turnaround_between_launches(world):
    kwargs = {
        "site": world.taiyuan,
        "platform": None,
        "pad": world.pad,
        "vehicle": None,
        "vehicle_model": world.pad_model,
    }
    start = NOW + 5 * DAY
    schedule(world, start=start, name="First CZ-6", **kwargs)
    with pytest.raises(Conflict) as refused:
        schedule(world, start=start + 2 * DAY, name="Second CZ-6", **kwargs)
    assert (
        "pad LC-16 at Taiyuan is occupied by First CZ-6 until 2030-03-09 02:00 UTC (window plus 72.0 h"
        in str(refused.value)
    )
    schedule(world, start=start + 2 * H + 72 * H, name="Second CZ-6", **kwargs)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"platform": None}, "A launch needs either a mobile platform or a pad (not both)."),
        ({"hours": -1}, "The launch window must not end before it starts."),
        ({"net_precision": "fortnight"}, "Unknown NET precision 'fortnight'."),
        (
            {"inclination_deg": None, "orbit_family": "LEO"},
            "An inclination is needed for orbits other than SSO.",
        ),
    ],
)
def test_bad_requests_are_refused_with_reasons(world, change, message):
    with pytest.raises(InvalidRequest) as refused:
        schedule(world, start=NOW + 10 * DAY, **change)
    assert str(refused.value) == message


def test_sso_inclination_follows_from_the_altitude(world):
    launch = schedule(world, start=NOW + 10 * DAY, inclination_deg=None)
    assert launch.inclination_deg == Decimal("97.40")


# --- slips ---------------------------------------------------------------------------------------


def test_a_slip_moves_window_net_and_reservation_and_keeps_the_precision(world, operator):
    start = NOW + 10 * DAY + 3 * H
    launch = schedule(world, start=start, net_precision="hour", name="KZ1A")

    result = launch_slip(
        launch=launch, window_start=start + 26 * H, actor=operator, cause="provider", now=NOW
    )

    launch.refresh_from_db()
    assert launch.window_start == start + 26 * H and launch.window_end == start + 28 * H
    assert launch.net == start + 26 * H and launch.net_precision == "hour"
    res = resource_claim(launch)
    assert res.occupied_from == start + 20 * H and res.occupied_until == start + 32 * H
    assert result.message == "KZ1A slipped by 1 d 2 h to 2030-03-12 05:00 UTC."
    assert result.cascaded == []
    event = Event.objects.get(verb="launch.slipped")
    assert event.before["window_start"] == start.isoformat().replace("+00:00", "Z")
    assert event.actor == operator
    assert event.after["cause"] == "provider"  # what the rebooking fee's waiver reads


def test_a_slip_can_change_the_net_precision(world):
    start = NOW + 10 * DAY + 3 * H
    launch = schedule(world, start=start, hours=30)
    launch_slip(
        launch=launch,
        window_start=start + 2 * DAY,
        actor=None,
        cause="provider",
        net_precision="day",
        now=NOW,
    )
    launch.refresh_from_db()
    assert launch.net_precision == "day"
    # Truncated to the day, but never before the window opens.
    assert launch.net == start + 2 * DAY

    launch_slip(launch=launch, window_start=start + 3 * DAY - 3 * H, actor=None, cause="provider", now=NOW)
    launch.refresh_from_db()
    assert launch.net == datetime(2030, 3, 14, tzinfo=UTC) and launch.net_precision == "day"


def test_a_slip_into_the_next_launch_is_refused_and_changes_nothing(world):
    start = NOW + 10 * DAY
    first = schedule(world, start=start, name="First")
    schedule(world, start=start + 1 * DAY, vehicle=1, name="Second")
    reservations_before = list(Reservation.objects.order_by("pk").values())

    with pytest.raises(Conflict) as refused:
        launch_slip(launch=first, window_start=start + 20 * H, actor=None, cause="provider", now=NOW)

    assert str(refused.value).startswith("Cannot slip First to 2030-03-11 20:00–22:00 UTC: ")
    assert "TEL-01 would have no time to get to Second at Jiuquan" in str(refused.value)
    assert str(refused.value).endswith(
        "Slip with cascade to move the following launches on the same platform or pad."
    )
    first.refresh_from_db()
    assert first.window_start == start
    assert list(Reservation.objects.order_by("pk").values()) == reservations_before
    assert not Event.objects.filter(verb="launch.slipped").exists()


def test_a_slip_with_cascade_moves_the_following_launches_by_what_they_lack(world):
    start = NOW + 10 * DAY
    first = schedule(world, start=start, name="First")
    second = schedule(world, start=start + 1 * DAY, vehicle=1, name="Second")
    third = schedule(world, start=start + 5 * DAY, vehicle=2, name="Third")

    result = launch_slip(
        launch=first, window_start=start + 20 * H, actor=None, cause="provider", cascade=True, now=NOW
    )

    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    # First now ends at +22 h, torn down at +26 h; Second needs 6 h of set-up: window at +32 h.
    assert first.window_start == start + 20 * H
    assert second.window_start == start + 32 * H and second.net == start + 32 * H
    assert third.window_start == start + 5 * DAY  # had room to spare
    assert [(launch.name, shift) for launch, shift in result.cascaded] == [("Second", 8 * H)]
    assert result.message == "First slipped by 20 h to 2030-03-11 20:00 UTC. Cascaded: Second +8 h."
    # Neither the truck nor the range is held twice at once (each rocket has a claim of its own).
    for held in ({"platform": world.tel1}, {"range_site": world.jiuquan}):
        spans = list(
            Reservation.objects.filter(released_at__isnull=True, **held)
            .order_by("occupied_from")
            .values_list("occupied_from", "occupied_until")
        )
        assert len(spans) == 3
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    # Each rocket's claim followed its launch.
    rockets = dict(
        Reservation.objects.filter(vehicle__isnull=False, released_at__isnull=True).values_list(
            "launch", "occupied_until"
        )
    )
    assert rockets == {launch.pk: launch.window_end for launch in (first, second, third)}
    messages = list(Event.objects.filter(verb="launch.slipped").values_list("message", flat=True))
    assert any(
        "Second slipped from 2030-03-12 00:00 UTC to 2030-03-12 08:00 UTC (cascade from First)" in m
        for m in messages
    )


def test_a_cascade_that_would_land_in_a_closure_changes_nothing(world):
    start = NOW + 10 * DAY
    first = schedule(world, start=start, name="First")
    second = schedule(world, start=start + 1 * DAY, vehicle=1, name="Second")
    SiteClosureFactory(
        site=world.jiuquan, kind="range", starts_at=start + 30 * H, ends_at=start + 40 * H, reason=""
    )

    with pytest.raises(Conflict) as refused:
        launch_slip(
            launch=first, window_start=start + 20 * H, actor=None, cause="provider", cascade=True, now=NOW
        )

    assert (
        "Second (slipped to 2030-03-12 08:00 UTC): Jiuquan closed for range 2030-03-12 06:00–16:00 UTC"
        in str(refused.value)
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.window_start == start and second.window_start == start + 1 * DAY


def test_a_slip_earlier_than_the_platform_can_arrive_is_refused(world):
    start = NOW + 10 * DAY
    schedule(world, start=start, name="Jiuquan launch")
    transit = jiuquan_to_north_hours(world)
    north = schedule(world, start=start + 8 * DAY, site=world.north, vehicle=1, name="North launch")
    # The truck is free at +6 h and needs 2.5 h of road and 6 h of set-up: +12 h is too soon.
    with pytest.raises(Conflict) as refused:
        launch_slip(
            launch=north, window_start=start + 12 * H, actor=None, cause="provider", cascade=True, now=NOW
        )
    assert f"busy with Jiuquan launch at Jiuquan until 2030-03-11 06:00 UTC, then {transit:.1f} h" in str(
        refused.value
    )


def test_slipping_past_the_next_launch_reorders_the_chain(world):
    start = NOW + 10 * DAY
    first = schedule(world, start=start, name="First")
    second = schedule(world, start=start + 1 * DAY, vehicle=1, name="Second")
    launch_slip(launch=first, window_start=start + 3 * DAY, actor=None, cause="provider", now=NOW)
    res_first = resource_claim(first)
    res_second = resource_claim(second)
    assert res_second.occupied_until <= res_first.occupied_from


def test_a_slip_racing_a_scrub_is_refused_on_the_locked_row(world, monkeypatch):
    launch = schedule_on_tel(world)
    changed_while_waiting_for_the_lock(monkeypatch, launch, Launch.Status.SCRUBBED)
    with pytest.raises(Conflict, match="^KZ1A is scrubbed; it cannot slip.$"):
        launch_slip(
            launch=launch,
            window_start=launch.window_start + timedelta(days=1),
            actor=None,
            cause="provider",
            now=NOW,
        )
    assert not Event.objects.filter(verb="launch.slipped").exists()


def test_no_launch_slips_into_the_past(world):
    start = NOW + timedelta(days=5)
    on_pad = launch_schedule(
        provider=world.provider,
        vehicle_model=world.pad_model,
        site=world.taiyuan,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=Decimal("97.40"),
        window_start=start,
        window_end=start + timedelta(hours=2),
        actor=None,
        pad=world.pad,
        name="CZ6",
        now=NOW,
    )
    with pytest.raises(
        InvalidRequest,
        match="^A launch can only slip to a window that opens in the future \\(it is 2030-03-01 00:00 UTC now\\).$",
    ):
        launch_slip(
            launch=on_pad, window_start=NOW - timedelta(hours=1), actor=None, cause="provider", now=NOW
        )
    on_pad.refresh_from_db()
    assert on_pad.window_start == start


# --- scrubs --------------------------------------------------------------------------------------


def test_a_scrub_releases_platform_and_rocket(world, operator):
    start = NOW + 10 * DAY
    launch = schedule(world, start=start, name="KZ1A")
    scrubbed = launch_scrub(
        launch=launch, actor=operator, cause="provider", reason="Second stage anomaly", now=NOW
    )

    assert scrubbed.status == Launch.Status.SCRUBBED
    assert resource_claim(launch).released_at == NOW
    world.rockets[0].refresh_from_db()
    assert world.rockets[0].status == Vehicle.Status.READY_STORAGE
    event = Event.objects.get(verb="launch.scrubbed")
    assert event.message == (
        "KZ1A scrubbed: Second stage anomaly; 1 reservation released and 2 rocket and range claims "
        "freed, KZ1A-Y7 back in ready storage"
    )
    assert not Reservation.objects.filter(launch=launch, released_at__isnull=True).exists()
    # The slot is free again, and so is the rocket.
    schedule(world, start=start, name="KZ1A again")
    with pytest.raises(Conflict):
        launch_scrub(launch=launch, actor=operator, cause="provider", reason="again", now=NOW)


def test_a_scrub_re_times_the_next_departure_from_where_the_platform_really_is(world):
    start = NOW + 10 * DAY
    middle = schedule(world, start=start, site=world.north, name="North launch")
    following = schedule(world, start=start + 4 * DAY, site=world.north, vehicle=1, name="Next North launch")
    assert resource_claim(following).origin == world.north

    launch_scrub(launch=middle, actor=None, cause="provider", reason="Customer withdrew", now=NOW)

    res = resource_claim(following)
    assert res.origin == world.jiuquan  # it never left home
    assert res.occupied_from < res.arrive_at


def test_a_scrub_racing_lift_off_is_refused_on_the_locked_row(world, monkeypatch):
    launch = schedule_on_tel(world)
    changed_while_waiting_for_the_lock(monkeypatch, launch, Launch.Status.LAUNCHED)
    with pytest.raises(Conflict, match="^KZ1A is launched; it cannot be scrubbed.$"):
        launch_scrub(launch=launch, actor=None, cause="provider", reason="weather", now=NOW)
    assert not Event.objects.filter(verb="launch.scrubbed").exists()


# --- readiness ---------------------------------------------------------------------------------


def test_scheduling_starts_and_slipping_re_times_the_readiness_plan(world):
    launch = schedule(world, start=NOW + 10 * DAY, name="KZ1A")
    plan = ReadinessPlan.objects.get(launch=launch)
    assert plan.status == ReadinessPlan.Status.ACTIVE
    first_due = {step.code: step.due_at for step in plan.steps.all()}
    assert first_due

    launch_slip(launch=launch, window_start=NOW + 11 * DAY, actor=None, cause="provider", now=NOW)
    moved = {step.code: step.due_at for step in plan.steps.all()}
    assert all(moved[code] - first_due[code] == DAY for code in first_due)

    launch_scrub(launch=launch, actor=None, cause="provider", reason="weather", now=NOW)
    plan.refresh_from_db()
    assert plan.status == ReadinessPlan.Status.CANCELLED


# --- the database backstop -----------------------------------------------------------------------


@pytest.mark.postgres
def test_an_exclusion_violation_becomes_a_conflict_not_a_500(world, monkeypatch):
    """Bypass the service's own check: the PostgreSQL exclusion constraint refuses the overlap and
    the service answers with a Conflict."""
    schedule(world, start=NOW + 10 * DAY, name="First")
    evaluate = scheduling._chain_evaluate

    def spans_without_check(*args, **kwargs):
        evaluate(*args, **kwargs)  # still compute the spans to write
        return []

    monkeypatch.setattr(scheduling, "_chain_evaluate", spans_without_check)
    # At the range's other launch point, so the range (a site of its own) is free and only the
    # truck is held twice.
    with pytest.raises(Conflict) as refused:
        schedule(world, start=NOW + 10 * DAY + 1 * H, site=world.north, vehicle=1, name="Overlapping")
    assert str(refused.value) == (
        "TEL-01 was reserved for an overlapping time by someone else a moment ago; please plan again."
    )
    assert connection.vendor == "postgresql"
    assert Launch.objects.count() == 1
