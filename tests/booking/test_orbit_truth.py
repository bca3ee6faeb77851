"""Orbit truth in the product: capacity by inclination, the sites' corridors, one orbit rule for
payloads and launches, and refusals that say what would work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.errors import Conflict, InvalidRequest
from booking.models import Launch
from booking.selectors.capacity import launch_capacity_kg
from booking.selectors.fit import orbit_mismatch
from booking.selectors.guards import check_dedicated_fit
from booking.selectors.orbit import site_orbit_refusal, sites_with_corridors, vehicle_capacity_kg
from booking.services.capacity import capacity_curve_refusal
from booking.services.payloads import payload_create, payload_update
from booking.services.scheduling import launch_schedule
from tests.factories import (
    BookingFactory,
    CustomerFactory,
    LaunchFactory,
    LaunchSiteFactory,
    MobilePlatformFactory,
    PayloadFactory,
    ProviderFactory,
    VehicleFactory,
    VehicleModelFactory,
    campaign_minimums_set,
)
from vehicles.models import CapacityPoint, LaunchCorridor

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, tzinfo=UTC)

# The demo's sites and corridors (booking/demo.py, docs/catalog.md).
SITES = {
    "Jiuquan": ("JSLC", "40.96", "100.29", [("90", "195")]),
    "Taiyuan": ("TSLC", "38.85", "111.61", [("165", "200")]),
    "Xichang": ("XSLC", "28.25", "102.03", [("90", "145")]),
    "Wenchang": ("WSLC", "19.61", "110.95", [("90", "190")]),
}


def _sso(altitude_km: int) -> Decimal:
    from booking.rules.orbit import sso_inclination_deg

    return sso_inclination_deg(altitude_km)


@pytest.fixture
def world():
    from types import SimpleNamespace

    sites = {}
    for name, (code, lat, lon, corridors) in SITES.items():
        site = LaunchSiteFactory(name=name, code=code, latitude=Decimal(lat), longitude=Decimal(lon))
        for start, end in corridors:
            LaunchCorridor.objects.create(site=site, azimuth_from=Decimal(start), azimuth_to=Decimal(end))
        sites[name] = site
    provider = ProviderFactory(name="ExPace", short_name="ExPace", slug="expace-o")
    kz1a = VehicleModelFactory(provider=provider, name="Kuaizhou-1A", slug="kuaizhou-1a", curve={})
    for family, altitude, kg, inclination in [
        ("LEO", 200, 300, Decimal("41.00")),
        ("LEO", 500, 260, Decimal("41.00")),
        ("SSO", 400, 250, _sso(400)),
        ("SSO", 500, 230, _sso(500)),
        ("SSO", 700, 200, _sso(700)),
    ]:
        CapacityPoint.objects.create(
            vehicle_model=kz1a,
            orbit_family=family,
            altitude_km=altitude,
            capacity_kg=kg,
            inclination_deg=inclination,
        )
    cz6 = VehicleModelFactory(
        provider=provider,
        name="Long March 6",
        slug="long-march-6",
        mobile_launch=False,
        curve={"SSO": [(500, 1200), (700, 1080)], "LEO": [(200, 1500)]},
    )
    ceres = VehicleModelFactory(name="Ceres-1", slug="ceres-1", curve={"SSO": [(500, 300), (700, 230)]})
    VehicleFactory(vehicle_model=kz1a, serial="KZ1A-Y7", storage_site=sites["Jiuquan"])
    campaign_minimums_set()
    tel = MobilePlatformFactory(provider=provider, name="TEL-01", home_site=sites["Jiuquan"])
    return SimpleNamespace(provider=provider, kz1a=kz1a, cz6=cz6, ceres=ceres, tel=tel, **sites)


def schedule(world, *, site=None, **orbit):
    start = NOW + timedelta(days=10)
    return launch_schedule(
        provider=world.provider,
        vehicle_model=world.kz1a,
        site=site or world.Jiuquan,
        orbit_family=orbit.get("orbit_family", "SSO"),
        altitude_km=orbit.get("altitude_km", 500),
        inclination_deg=orbit.get("inclination_deg"),
        window_start=start,
        window_end=start + timedelta(hours=2),
        actor=None,
        platform=world.tel,
        now=NOW,
    )


# --- 1. capacity depends on inclination ------------------------------------------------------


def test_a_kuaizhou_1a_to_leo_400_km_lifts_more_at_41_than_at_97_than_at_139(world):
    lifted = {
        inclination: vehicle_capacity_kg(
            vehicle_model=world.kz1a,
            orbit_family="LEO",
            altitude_km=400,
            inclination_deg=Decimal(inclination),
        )
        for inclination in (41, 97, 139)
    }
    # 41° is where the LEO figures were measured: the altitude curve alone, 300 → 260 kg.
    assert lifted[41] == Decimal("273.3")
    assert lifted[41] > lifted[97] > lifted[139]
    # Its own curve says 40 kg for the 171.6 m/s from 200 to 500 km: 0.233 kg per m/s, times the
    # 407.7 m/s of rotation a 97° orbit loses against 41°: 95 kg.
    assert lifted[97] == Decimal("178.3")
    # Every reader asks the same rule: a launch's capacity is the one at its own inclination.
    for inclination, kg in lifted.items():
        launch = LaunchFactory(
            vehicle_model=world.kz1a,
            site=world.Jiuquan,
            orbit_family="LEO",
            altitude_km=400,
            inclination_deg=Decimal(inclination),
        )
        assert launch_capacity_kg(launch=launch) == kg


def test_an_sso_figure_counts_at_its_own_sun_synchronous_inclination(world):
    # A point that states no inclination is taken at its family's reference: SSO at the
    # altitude's sun-synchronous inclination, so the 700 km figure answers there unchanged.
    assert vehicle_capacity_kg(
        vehicle_model=world.cz6, orbit_family="SSO", altitude_km=700, inclination_deg=_sso(700)
    ) == Decimal("1080.0")
    between = vehicle_capacity_kg(
        vehicle_model=world.cz6, orbit_family="SSO", altitude_km=600, inclination_deg=_sso(600)
    )
    assert Decimal("1080") < between < Decimal("1200")


def test_a_curve_change_is_judged_at_each_launch_s_own_inclination(world):
    launch = LaunchFactory(
        vehicle_model=world.kz1a,
        site=world.Jiuquan,
        orbit_family="LEO",
        altitude_km=400,
        inclination_deg=Decimal("97"),
    )
    BookingFactory(launch=launch, payload__mass_kg=Decimal("195.0"))
    curve = [("LEO", 200, Decimal("300"), Decimal("41")), ("LEO", 500, Decimal("260"), Decimal("41"))]
    refusal = capacity_curve_refusal(vehicle_model=world.kz1a, points=curve, now=NOW)
    # At 41° the curve would give 273.3 kg and take the 200 kg; at the launch's 97° it gives 178.3.
    assert refusal is not None and "carries 200 kg; this curve would give it 178.3 kg" in refusal


# --- 2. corridors --------------------------------------------------------------------------------


def test_a_site_whose_corridors_do_not_reach_names_the_sites_that_do(world):
    sites = list(sites_with_corridors())
    jiuquan = next(site for site in sites if site.name == "Jiuquan")
    assert (
        site_orbit_refusal(site=jiuquan, inclination_deg=Decimal("30"), others=sites)
        == "Jiuquan's corridors do not reach 30°; Xichang and Wenchang do"
    )
    assert site_orbit_refusal(site=jiuquan, inclination_deg=Decimal("97.4"), others=sites) is None


@pytest.mark.parametrize(
    ("site_name", "inclination", "message"),
    [
        # Both lie inside the direct-ascent range of the latitude (40.96°–139.04°, 19.61°–160.39°):
        # only the corridors refuse them.
        (
            "Jiuquan",
            "139",
            "Jiuquan's corridors do not reach 139° (the nearest it reaches is 101.3°), and no other site does.",
        ),
        (
            "Wenchang",
            "160",
            "Wenchang's corridors do not reach 160° (the nearest it reaches is 99.4°), and no other site does.",
        ),
    ],
)
def test_retrograde_orbits_beyond_the_corridors_are_refused(world, site_name, inclination, message):
    with pytest.raises(Conflict) as refused:
        schedule(
            world,
            site=getattr(world, site_name),
            orbit_family="LEO",
            altitude_km=400,
            inclination_deg=Decimal(inclination),
        )
    assert message in str(refused.value)
    assert not Launch.objects.exists()


def test_corridors_are_in_the_admin_and_the_api(world, admin_client):
    page = admin_client.get(f"/admin/vehicles/launchsite/{world.Jiuquan.pk}/change/")
    assert page.status_code == 200 and b"corridors-TOTAL_FORMS" in page.content


# --- 3. one orbit rule for payloads and launches ------------------------------------------------


def test_a_launch_s_sso_inclination_is_held_to_the_payloads_tolerance(world):
    with pytest.raises(InvalidRequest) as refused:
        schedule(world, inclination_deg=Decimal("98.20"))
    assert str(refused.value) == (
        "A sun-synchronous orbit at 500 km is inclined 97.40°, not 98.20° (tolerance ±0.5°); "
        "leave the inclination empty to use it."
    )
    assert schedule(world, inclination_deg=Decimal("97.80")).inclination_deg == Decimal("97.80")


def test_a_launch_above_the_highest_sun_synchronous_orbit_is_refused(world):
    with pytest.raises(InvalidRequest) as refused:
        schedule(world, altitude_km=6000, inclination_deg=Decimal("180"))
    assert str(refused.value) == "No sun-synchronous orbit exists at 6,000 km: the highest is 5,974 km."


def test_a_launch_to_a_family_the_vehicle_has_no_figure_for_is_refused(world):
    with pytest.raises(Conflict) as refused:
        schedule(world, orbit_family="GTO", altitude_km=35786, inclination_deg=Decimal("41"))
    assert str(refused.value) == "Kuaizhou-1A has no GTO capacity in the catalog."


def test_rideshare_matching_uses_the_one_tolerance(world):
    launch = LaunchFactory(
        vehicle_model=world.kz1a,
        site=world.Jiuquan,
        orbit_family="LEO",
        altitude_km=400,
        inclination_deg=Decimal("41.50"),
    )
    near = PayloadFactory(orbit_family="LEO", altitude_km=400, inclination_deg=Decimal("41.90"))
    far = PayloadFactory(orbit_family="LEO", altitude_km=400, inclination_deg=Decimal("42.20"))
    assert orbit_mismatch(launch=launch, payload=near) is None
    # 0.7° away: within the old rideshare tolerance of 1°, beyond the one tolerance of 0.5°.
    assert orbit_mismatch(launch=launch, payload=far) == (
        f"{launch.name} goes to 41.5°, 0.7° from the payload's 42.2° (tolerance ±0.5°)"
    )


def test_registration_refuses_an_inclination_no_site_s_corridors_reach(world):
    with pytest.raises(InvalidRequest) as refused:
        payload_create(
            customer=CustomerFactory(),
            actor=None,
            name="Retro",
            mass_kg=Decimal("50"),
            orbit_family="LEO",
            altitude_km=400,
            inclination_deg=Decimal("139"),
        )
    assert str(refused.value) == "No launch site reaches 139°: the nearest is 105.4° from Taiyuan."


# --- 4. refusals with alternatives, warnings at registration -----------------------------------


def test_a_payload_heavier_than_the_catalog_lifts_registers_with_a_warning(world):
    payload = payload_create(
        customer=CustomerFactory(),
        actor=None,
        name="Heavy",
        mass_kg=Decimal("50000"),
        orbit_family="SSO",
        altitude_km=700,
    )
    assert payload.pk is not None
    assert payload.orbit_warnings == [
        "No vehicle in the catalog lifts more than 1,080 kg to SSO 700 km (the most is on Long March 6); "
        "a 50,000 kg payload registers, but no launch can take it yet."
    ]
    light = payload_create(
        customer=payload.customer,
        actor=None,
        name="Light",
        mass_kg=Decimal("100"),
        orbit_family="SSO",
        altitude_km=700,
    )
    assert light.orbit_warnings == []


def test_a_missing_catalog_figure_is_worded_as_missing_data(world):
    VehicleModelFactory(name="Medium", slug="medium", curve={"MEO": [(20000, 500)]})
    payload = PayloadFactory(orbit_family="MEO", altitude_km=20000, inclination_deg=Decimal("55"))
    with pytest.raises(Conflict) as refused:
        check_dedicated_fit(vehicle_model=world.ceres, payload=payload)
    assert str(refused.value) == "The catalog has no figure for Ceres-1 to MEO"
    high = PayloadFactory(orbit_family="SSO", altitude_km=900)
    with pytest.raises(Conflict) as refused:
        check_dedicated_fit(vehicle_model=world.ceres, payload=high)
    assert str(refused.value) == (
        "The catalog has no figure for Ceres-1 to SSO 900 km: its SSO figures cover 500–700 km"
    )


def test_the_warning_says_which_lower_orbit_takes_the_mass(world):
    payload = payload_create(
        customer=CustomerFactory(),
        actor=None,
        name="Big",
        mass_kg=Decimal("1150"),
        orbit_family="SSO",
        altitude_km=700,
    )
    assert payload.orbit_warnings == [
        "No vehicle in the catalog lifts more than 1,080 kg to SSO 700 km (the most is on Long March 6); "
        "a 1,150 kg payload registers, but no launch can take it yet.",
        "Lower would work: Long March 6 lifts 1,200 kg to SSO 500 km.",
    ]


def test_an_edit_that_makes_a_payload_too_heavy_warns_as_registration_does(world):
    payload = payload_create(
        customer=CustomerFactory(),
        actor=None,
        name="Grows",
        mass_kg=Decimal("100"),
        orbit_family="SSO",
        altitude_km=700,
    )
    assert payload.orbit_warnings == []
    heavier = payload_update(payload=payload, actor=None, mass_kg=Decimal("50000"))
    assert heavier.orbit_warnings == [
        "No vehicle in the catalog lifts more than 1,080 kg to SSO 700 km (the most is on Long March 6); "
        "a 50,000 kg payload registers, but no launch can take it yet."
    ]
    # A change of something else says nothing of the mass again.
    renamed = payload_update(payload=heavier, actor=None, name="Grown")
    assert renamed.orbit_warnings == []
