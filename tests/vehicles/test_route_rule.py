"""The route table's rule: a TEL road leg stays on its range and takes hours that fit its
distance; rockets go between launch centres by rail or sea. Every writer meets it: the model's
clean (the admin's form), its save (the demo loader, scripts)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from booking.demo import load_catalog
from tests.vehicles.factories import LaunchSiteFactory
from vehicles.logistics import ROAD, SEA, route_hours_problem
from vehicles.models import Route

pytestmark = pytest.mark.django_db

JSLC = (40.96, 100.29)
NORTH = (41.68, 100.29)  # 80 km north, a second launch point on the Jiuquan range
WSLC = (19.61, 110.95)


def _hours(hours, *, mode=ROAD, there=NORTH, name="Jiuquan North"):
    return route_hours_problem(
        mode=mode,
        origin_name="Jiuquan",
        destination_name=name,
        origin_latlon=JSLC,
        destination_latlon=there,
        transit_hours=Decimal(hours),
    )


def test_a_road_leg_takes_hours_that_fit_its_distance():
    assert _hours("2.5") is None
    assert _hours("1.1") is None  # 80 km at 73 km/h: brisk, possible
    assert _hours("24") is None


def test_a_road_leg_of_days_is_refused_and_says_to_use_rail_or_sea():
    assert _hours("40") == (
        "a TEL drives on its range in hours: 40 h by road Jiuquan → Jiuquan North is more than 24 h; "
        "a journey of days between launch centres goes by rail or sea"
    )
    on_range = _hours("30", there=JSLC, name="Jiuquan")
    assert on_range is not None and "30 h by road on the Jiuquan range is more than 24 h" in on_range


def test_a_road_leg_faster_than_a_tel_drives_is_refused_with_the_figures():
    assert _hours("0.5") == (
        "a TEL cannot drive Jiuquan → Jiuquan North (80 km) in 0.5 h: at 80 km/h, faster than a "
        "loaded TEL drives, it takes 1.1 h"
    )


def test_rail_and_sea_legs_take_days_and_durations_are_never_negative():
    assert _hours("216", mode=SEA, there=WSLC, name="Wenchang") is None
    assert _hours("-1", mode=SEA, there=WSLC, name="Wenchang") == (
        "a leg cannot take -1 h: durations are never negative"
    )


@pytest.fixture
def sites():
    jiuquan = LaunchSiteFactory(
        name="Jiuquan", code="JSLC", latitude=Decimal("40.96"), longitude=Decimal("100.29")
    )
    north = LaunchSiteFactory(
        name="Jiuquan North", code="JSLC-N", latitude=Decimal("41.68"), longitude=Decimal("100.29")
    )
    wenchang = LaunchSiteFactory(
        name="Wenchang", code="WSLC", latitude=Decimal("19.61"), longitude=Decimal("110.95")
    )
    return jiuquan, north, wenchang


def test_saving_a_road_route_between_launch_centres_is_refused(sites):
    jiuquan, _north, wenchang = sites
    with pytest.raises(ValidationError) as refused:
        Route.objects.create(
            origin=jiuquan, destination=wenchang, mode=Route.Mode.ROAD, transit_hours=Decimal("40.0")
        )
    assert "a TEL drives on the range, not between launch centres: Jiuquan → Wenchang is 2,5" in str(
        refused.value
    )
    assert not Route.objects.exists()
    # By sea it is a journey of days, and fine.
    Route.objects.create(origin=jiuquan, destination=wenchang, mode=SEA, transit_hours=Decimal("216.0"))


def test_saving_a_road_route_whose_hours_do_not_fit_the_distance_is_refused(sites):
    jiuquan, north, _wenchang = sites
    with pytest.raises(ValidationError) as refused:
        Route.objects.create(origin=jiuquan, destination=north, mode=ROAD, transit_hours=Decimal("0.3"))
    assert refused.value.message_dict == {
        "transit_hours": [
            "a TEL cannot drive Jiuquan → Jiuquan North (80 km) in 0.3 h: at 80 km/h, faster than a "
            "loaded TEL drives, it takes 1.1 h"
        ]
    }
    route = Route.objects.create(origin=jiuquan, destination=north, mode=ROAD, transit_hours=Decimal("2.5"))
    route.transit_hours = Decimal("36.0")
    with pytest.raises(ValidationError, match="more than 24 h"):
        route.save()
    route.refresh_from_db()
    assert route.transit_hours == Decimal("2.5")


def test_the_admin_form_shows_the_refusal_on_the_field(sites, client):
    jiuquan, north, wenchang = sites
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    url = reverse("admin:vehicles_route_add")
    page = client.post(
        url, {"origin": jiuquan.pk, "destination": wenchang.pk, "mode": "road", "transit_hours": "40.0"}
    )
    assert page.status_code == 200
    assert "a TEL drives on the range, not between launch centres" in page.content.decode()
    page = client.post(
        url, {"origin": jiuquan.pk, "destination": north.pk, "mode": "road", "transit_hours": "30.0"}
    )
    assert "a TEL drives on its range in hours" in page.content.decode()
    assert not Route.objects.exists()
    page = client.post(
        url, {"origin": jiuquan.pk, "destination": north.pk, "mode": "road", "transit_hours": "2.5"}
    )
    assert page.status_code == 302
    assert Route.objects.get().transit_hours == Decimal("2.5")


def test_the_demo_route_table_meets_the_rule():
    load_catalog()
    assert Route.objects.count() > 0
    assert {
        route.pk: route.problems() for route in Route.objects.select_related("origin", "destination")
    } == {route.pk: {} for route in Route.objects.all()}
