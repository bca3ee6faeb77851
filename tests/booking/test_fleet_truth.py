"""Fleet truth: the planner, the express order and launch_schedule schedule only what the fleet can
really do. Each refusal here is one a provider's planner met when the product confirmed launches
its fleet cannot fly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.errors import Conflict
from booking.models import Launch, PlanStep, Reservation
from booking.readiness_templates import EXPRESS, minimum_chain_minutes
from booking.selectors.planner import plan_launch
from booking.services.scheduling import launch_schedule, launch_scrub, launch_slip
from booking.workflows.express import order_express_launch
from tests.factories import (
    CustomerFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    PadFactory,
    PayloadFactory,
    ProviderFactory,
    VehicleFactory,
    VehicleModelFactory,
    campaign_minimums_set,
    readiness_templates,
)
from vehicles.models import Route, Vehicle

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
DAY = timedelta(days=1)


def now_minute():
    return datetime.now(tz=UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)


@pytest.fixture
def centres():
    jiuquan = LaunchSiteFactory(
        name="Jiuquan", code="JSLC", latitude=Decimal("40.96"), longitude=Decimal("100.29")
    )
    taiyuan = LaunchSiteFactory(
        name="Taiyuan", code="TSLC", latitude=Decimal("38.85"), longitude=Decimal("111.61")
    )
    wenchang = LaunchSiteFactory(
        name="Wenchang", code="WSLC", latitude=Decimal("19.61"), longitude=Decimal("110.95")
    )
    Route.objects.create(origin=taiyuan, destination=jiuquan, mode="rail", transit_hours=Decimal("72.0"))
    Route.objects.create(origin=jiuquan, destination=wenchang, mode="rail", transit_hours=Decimal("120.0"))
    for site in (jiuquan, taiyuan, wenchang):
        Route.objects.create(origin=site, destination=site, mode="road", transit_hours=Decimal("3.0"))
    readiness_templates()
    return jiuquan, taiyuan, wenchang


def schedule(**kwargs):
    defaults = {
        "orbit_family": "SSO",
        "altitude_km": 500,
        "inclination_deg": None,
        "actor": None,
    }
    defaults.update(kwargs)
    return launch_schedule(**defaults)


def refusal_ten_days_out(*, now, **kwargs) -> str:
    """Schedule a two-hour window ten days after ``now``; answers the refusal's words."""
    with pytest.raises(Conflict) as refused:
        schedule(window_start=now + 10 * DAY, window_end=now + 10 * DAY + 2 * H, now=now, **kwargs)
    return str(refused.value)


def test_a_ceres_1_stored_at_jiuquan_is_not_ordered_to_wenchang_in_six_hours(centres):
    jiuquan, _taiyuan, wenchang = centres
    galactic = ProviderFactory(name="Galactic Energy", short_name="Galactic", slug="galactic")
    ceres = VehicleModelFactory(provider=galactic, name="Ceres-1", slug="ceres-1", express_capable=True)
    VehicleFactory(vehicle_model=ceres, serial="CE1-Y5", storage_site=jiuquan)
    MobilePlatformFactory(provider=galactic, name="CE-TEL-1", home_site=wenchang)
    customer = CustomerFactory()
    payload = PayloadFactory(customer=customer, mass_kg=Decimal("80"), altitude_km=500, orbit_family="SSO")
    now = now_minute()

    with pytest.raises(Conflict) as refused:
        order_express_launch(customer=customer, payload=payload, actor=None, now=now)

    text = str(refused.value)
    assert (
        "CE1-Y5 is at Jiuquan: 5 days by rail to Wenchang, then 3 h by TEL road to the launch point" in text
    )
    assert "earliest window" in text
    assert not Launch.objects.exists()


def test_a_kuaizhou_11_at_taiyuan_is_not_planned_from_jiuquan_in_six_hours(centres):
    jiuquan, taiyuan, _wenchang = centres
    campaign_minimums_set()
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    kz11 = VehicleModelFactory(
        provider=expace, name="Kuaizhou-11", slug="kuaizhou-11", curve={"SSO": [(500, 1000), (700, 800)]}
    )
    VehicleFactory(vehicle_model=kz11, serial="KZ11-Y3", storage_site=taiyuan)
    MobilePlatformFactory(provider=expace, name="KZ11-TEL", home_site=jiuquan)
    now = now_minute()

    soon = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=now,
        latest=now + 6 * H,
        service_level="standard",
        mass_kg=Decimal("300"),
        now=now,
    )
    assert soon.plans == []
    assert any(
        "KZ11-Y3 is at Taiyuan: 3 days by rail to Jiuquan" in r and "earliest window" in r
        for r in soon.reasons
    )

    later = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=now,
        latest=now + 6 * DAY,
        service_level="standard",
        mass_kg=Decimal("300"),
        now=now,
    )
    best = later.plans[0]
    assert best.vehicle.serial == "KZ11-Y3"
    assert best.window_start >= now + 75 * H  # 72 h by rail, 3 h on the range
    launch = schedule(
        provider=expace,
        vehicle_model=kz11,
        site=best.site,
        window_start=best.window_start,
        window_end=best.window_end,
        vehicle=best.vehicle,
        platform=best.platform,
        now=now,
    )
    rocket = Reservation.objects.get(launch=launch, vehicle__isnull=False)
    assert rocket.occupied_from == best.window_start - 75 * H
    assert Reservation.objects.filter(launch=launch, range_site=jiuquan).exists()


def test_a_long_march_6_is_refused_on_wenchangs_long_march_5_pad(centres):
    _jiuquan, _taiyuan, wenchang = centres
    campaign_minimums_set()
    casc = ProviderFactory(name="CASC", short_name="CASC", slug="casc", mobile_launch=False)
    lm6 = VehicleModelFactory(
        provider=casc, name="Long March 6", slug="long-march-6", family="Long March 6", mobile_launch=False
    )
    pad = PadFactory(site=wenchang, name="LC-101", vehicle_families=["Long March 5"])
    now = now_minute()

    refusal = refusal_ten_days_out(now=now, provider=casc, vehicle_model=lm6, site=wenchang, pad=pad)
    assert "Wenchang pad LC-101 serves Long March 5, not Long March 6" in refusal


def test_a_kuaizhou_11_is_refused_on_a_kuaizhou_1a_truck(centres):
    jiuquan, _taiyuan, _wenchang = centres
    campaign_minimums_set()
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    kz1a = VehicleModelFactory(provider=expace, name="Kuaizhou-1A", slug="kuaizhou-1a")
    kz11 = VehicleModelFactory(provider=expace, name="Kuaizhou-11", slug="kuaizhou-11", carried_by=[])
    tel = MobilePlatformFactory(provider=expace, name="KZ1A-TEL-3", home_site=jiuquan, carries=[kz1a])
    now = now_minute()

    refusal = refusal_ten_days_out(now=now, provider=expace, vehicle_model=kz11, site=jiuquan, platform=tel)
    assert "KZ1A-TEL-3 carries Kuaizhou-1A, not Kuaizhou-11" in refusal

    VehicleFactory(vehicle_model=kz11, serial="KZ11-Y1", storage_site=jiuquan)
    result = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=now,
        latest=now + 20 * DAY,
        service_level="standard",
        mass_kg=Decimal("100"),
        now=now,
    )
    assert all(p.vehicle_model != kz11 for p in result.plans)
    assert any("no available ExPace truck carries Kuaizhou-11" in r for r in result.reasons)


def test_a_retired_model_is_never_scheduled(centres):
    jiuquan, _taiyuan, _wenchang = centres
    campaign_minimums_set()
    landspace = ProviderFactory(name="LandSpace", short_name="LandSpace", slug="landspace")
    zq1 = VehicleModelFactory(provider=landspace, name="Zhuque-1", slug="zhuque-1", active=False)
    tel = MobilePlatformFactory(provider=landspace, name="ZQ-TEL", home_site=jiuquan, carries=[zq1])
    now = now_minute()

    refusal = refusal_ten_days_out(now=now, provider=landspace, vehicle_model=zq1, site=jiuquan, platform=tel)
    assert "Zhuque-1 is retired" in refusal


def test_a_retired_serial_is_never_scheduled(centres):
    jiuquan, _taiyuan, _wenchang = centres
    campaign_minimums_set()
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    kz1a = VehicleModelFactory(provider=expace, name="Kuaizhou-1A", slug="kuaizhou-1a")
    tel = MobilePlatformFactory(provider=expace, name="TEL-1", home_site=jiuquan)
    old = VehicleFactory(
        vehicle_model=kz1a, serial="KZ1A-Y1", storage_site=None, status=Vehicle.Status.RETIRED
    )
    now = now_minute()
    refusal = refusal_ten_days_out(
        now=now, provider=expace, vehicle_model=kz1a, site=jiuquan, platform=tel, vehicle=old
    )
    assert "KZ1A-Y1 is retired and will not fly again" in refusal


def test_a_long_march_6_is_never_express(centres):
    _jiuquan, taiyuan, _wenchang = centres
    casc = ProviderFactory(name="CASC", short_name="CASC", slug="casc", mobile_launch=False)
    lm6 = VehicleModelFactory(
        provider=casc,
        name="Long March 6",
        slug="long-march-6",
        mobile_launch=False,
        propellant="liquid",
        curve={"SSO": [(500, 1200), (700, 1080)]},
    )
    VehicleFactory(vehicle_model=lm6, serial="CZ6-Y9", storage_site=taiyuan)
    pad = PadFactory(site=taiyuan, name="LC-16")
    now = now_minute()

    with pytest.raises(Conflict) as refused:
        schedule(
            provider=casc,
            vehicle_model=lm6,
            site=taiyuan,
            window_start=now + 20 * H,
            window_end=now + 21 * H,
            pad=pad,
            service_level="express",
            now=now,
        )
    assert (
        "Long March 6 cannot be launched on express terms: it is liquid-fuelled and it flies from a fixed pad"
        in str(refused.value)
    )
    offered = plan_launch(
        orbit_family="SSO",
        altitude_km=700,
        inclination_deg=None,
        earliest=now,
        latest=now + 24 * H,
        service_level="express",
        mass_kg=Decimal("100"),
        now=now,
    )
    assert offered.plans == []
    assert any("Long March 6 cannot be launched on express terms" in r for r in offered.reasons)


def test_jiuquan_flies_one_launch_at_a_time(centres):
    jiuquan, _taiyuan, _wenchang = centres
    campaign_minimums_set()
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    kz1a = VehicleModelFactory(provider=expace, name="Kuaizhou-1A", slug="kuaizhou-1a")
    tels = [MobilePlatformFactory(provider=expace, name=f"TEL-{n}", home_site=jiuquan) for n in (1, 2, 3)]
    rockets = [
        VehicleFactory(vehicle_model=kz1a, serial=f"KZ1A-Y{n}", storage_site=jiuquan) for n in (1, 2, 3)
    ]
    now = now_minute()
    start = (now + 10 * DAY).replace(hour=10, minute=0)
    first = schedule(
        provider=expace,
        vehicle_model=kz1a,
        site=jiuquan,
        window_start=start,
        window_end=start + 1 * H,
        platform=tels[0],
        vehicle=rockets[0],
        name="Kuaizhou-1A · SSO 500",
        now=now,
    )
    for n, offset in ((1, timedelta(minutes=20)), (2, timedelta(minutes=40))):
        with pytest.raises(Conflict) as refused:
            schedule(
                provider=expace,
                vehicle_model=kz1a,
                site=jiuquan,
                window_start=start + offset,
                window_end=start + offset + 1 * H,
                platform=tels[n],
                vehicle=rockets[n],
                now=now,
            )
        # 10:00–11:00 UTC plus 240 min is 15:00 UTC, 23:00 at Jiuquan.
        assert "Jiuquan range busy with Kuaizhou-1A · SSO 500 until 23:00" in str(refused.value)

    # The planner offers the first window the range allows, and launch_schedule takes it.
    result = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=start,
        latest=start + 2 * DAY,
        service_level="standard",
        mass_kg=Decimal("100"),
        now=now,
    )
    assert result.plans[0].window_start == start + 1 * H + 240 * timedelta(minutes=1)

    # A slip moves the range claim; a scrub frees it.
    launch_slip(launch=first, window_start=start + 1 * DAY, actor=None, cause="provider", now=now)
    claim = Reservation.objects.get(launch=first, range_site=jiuquan, released_at__isnull=True)
    assert claim.occupied_from == start + 1 * DAY
    rocket = Reservation.objects.get(launch=first, vehicle=rockets[0], released_at__isnull=True)
    assert rocket.occupied_until == start + 1 * DAY + 1 * H
    launch_scrub(launch=first, actor=None, cause="provider", reason="weather", now=now)
    assert not Reservation.objects.filter(launch=first, released_at__isnull=True).exists()


def test_a_standard_campaign_cannot_be_booked_three_days_out(centres):
    jiuquan, _taiyuan, _wenchang = centres
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    kz1a = VehicleModelFactory(provider=expace, name="Kuaizhou-1A", slug="kuaizhou-1a")
    tel = MobilePlatformFactory(provider=expace, name="TEL-1", home_site=jiuquan)
    now = now_minute()
    with pytest.raises(Conflict) as refused:
        schedule(
            provider=expace,
            vehicle_model=kz1a,
            site=jiuquan,
            window_start=now + 3 * DAY,
            window_end=now + 3 * DAY + 2 * H,
            platform=tel,
            now=now,
        )
    assert "Standard campaign readiness work takes at least 69 days" in str(refused.value)
    result = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=now + 3 * DAY,
        latest=now + 4 * DAY,
        service_level="standard",
        mass_kg=Decimal("100"),
        now=now,
    )
    assert result.plans == []
    assert any("readiness work takes at least 69 days" in r for r in result.reasons)


def test_an_express_plan_is_never_squeezed_below_what_the_work_takes(centres):
    jiuquan, _taiyuan, _wenchang = centres
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    kz1a = VehicleModelFactory(provider=expace, name="Kuaizhou-1A", slug="kuaizhou-1a", express_capable=True)
    VehicleFactory(vehicle_model=kz1a, serial="KZ1A-Y7", storage_site=jiuquan)
    tel = MobilePlatformFactory(provider=expace, name="TEL-1", home_site=jiuquan)
    now = now_minute()

    # Six hours out is less than the express work's minimum chain: refused, with the earliest.
    with pytest.raises(Conflict) as refused:
        schedule(
            provider=expace,
            vehicle_model=kz1a,
            site=jiuquan,
            window_start=now + 6 * H,
            window_end=now + 7 * H,
            platform=tel,
            service_level="express",
            now=now,
        )
    assert "readiness work takes at least 7 h 40 min from the order" in str(refused.value)

    # The planner's earliest express window is the order plus that chain (the truck sets up
    # within it), and its plan lays the steps out no tighter than each takes.
    result = plan_launch(
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        earliest=now,
        latest=now + 24 * H,
        service_level="express",
        mass_kg=Decimal("100"),
        now=now,
    )
    best = result.plans[0]
    chain = timedelta(minutes=minimum_chain_minutes(EXPRESS.steps))
    assert best.window_start >= now + chain
    launch = schedule(
        provider=expace,
        vehicle_model=kz1a,
        site=jiuquan,
        window_start=best.window_start,
        window_end=best.window_end,
        platform=best.platform,
        vehicle=best.vehicle,
        service_level="express",
        now=now,
    )
    steps = {step.code: step for step in PlanStep.objects.filter(plan__launch=launch)}
    mating = steps["payload-mated"]
    assert launch.window_start - mating.due_at > timedelta(minutes=30)
    minimums = {spec.code: spec.min_duration_minutes for spec in EXPRESS.steps}
    ordered = sorted((s for s in steps.values() if s.offset_minutes <= 0), key=lambda s: s.offset_minutes)
    previous_due = None
    for step in ordered:
        if previous_due is not None and step.due_at > previous_due:
            assert step.due_at - previous_due >= timedelta(minutes=minimums[step.code])
        previous_due = step.due_at if previous_due is None else max(previous_due, step.due_at)


def test_a_closure_saved_after_scheduling_holds_the_launch_and_offers_the_next_window(centres):
    from booking.models import Event, Notification
    from booking.selectors.closures import next_window_for
    from booking.services.closures import site_closure_create

    jiuquan, _taiyuan, _wenchang = centres
    campaign_minimums_set()
    expace = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace")
    kz1a = VehicleModelFactory(provider=expace, name="Kuaizhou-1A", slug="kuaizhou-1a")
    tel = MobilePlatformFactory(provider=expace, name="TEL-1", home_site=jiuquan)
    rockets = [VehicleFactory(vehicle_model=kz1a, serial=f"KZ1A-Y{n}", storage_site=jiuquan) for n in (1, 2)]
    now = now_minute()
    start = (now + 10 * DAY).replace(hour=10, minute=0)
    launch = schedule(
        provider=expace,
        vehicle_model=kz1a,
        site=jiuquan,
        window_start=start,
        window_end=start + 2 * H,
        platform=tel,
        vehicle=rockets[0],
        name="Kuaizhou-1A · SSO 500",
        now=now,
    )

    impact = site_closure_create(
        actor=None,
        site=jiuquan,
        kind="range",
        starts_at=start - 1 * H,
        ends_at=start + 1 * DAY,
        reason="sandstorm",
    )

    launch.refresh_from_db()
    assert [a.pk for a in impact.affected] == [launch.pk]
    assert launch.status == Launch.Status.HOLD
    conflict = Event.objects.get(verb="launch.closure_conflict", launch=launch)
    assert "sandstorm" in conflict.message
    assert Notification.objects.filter(step__plan__launch=launch, reason=Notification.Reason.CLOSURE).exists()
    offer = next_window_for(launch=launch, now=now)
    assert offer is not None and offer.window_start >= start + 1 * DAY
