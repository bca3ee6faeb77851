"""Operators plan and schedule launches through the API: ranked plans with their timelines, the
reasons when nothing fits, and a plan sent back as it is to schedule it; only their own fleet."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from booking.models import Launch, ReadinessPlan
from tests.factories import ProviderFactory, UserFactory, resource_claim, schedule_world
from vehicles.models import ProviderOperator

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = schedule_world()
    world.earliest = (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    operator = UserFactory(username="expace-ops", is_staff=True)
    ProviderOperator.objects.create(user=operator, provider=world.provider)
    world.operator = token_client(operator)
    stranger = UserFactory(username="other-ops", is_staff=True)
    world.other_provider = ProviderFactory(name="Landspace", short_name="Landspace", slug="landspace-t")
    ProviderOperator.objects.create(user=stranger, provider=world.other_provider)
    world.other_operator = token_client(stranger)
    return world


def plan_request(world, **changes):
    body = {
        "target_orbit": {"family": "SSO", "altitude_km": 500},
        "earliest": world.earliest.isoformat(),
        "latest": (world.earliest + timedelta(days=2)).isoformat(),
        "mass_kg": "100.0",
        "limit": 5,
    }
    body.update(changes)
    return body


def test_an_operator_gets_ranked_plans_with_their_timelines(world):
    answer = world.operator.post("/api/v1/launches/plan/", plan_request(world), format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    # The TELs drive on Jiuquan's range only (no road to Taiyuan or Wenchang): TEL-01 and TEL-02
    # at Jiuquan and the Long March 6 on Taiyuan's pad are every plan there is.
    assert len(body["plans"]) == 3 and body["candidates"] >= 3 and body["walked"] >= 3
    best = body["plans"][0]
    # Both TELs wait at Jiuquan: the window opens at once there, no road.
    assert best["site_name"] == "Jiuquan" and best["resource"] == "TEL-01" and best["transit_hours"] == 0
    assert best["platform"] == world.tel1.pk and best["pad"] is None and best["origin"] == world.jiuquan.pk
    assert best["vehicle_serial"] == "KZ1A-Y7" and best["vehicle_model"] == world.model.pk
    assert [phase["phase"] for phase in best["timeline"]] == [
        "transit",
        "set-up",
        "launch window",
        "tear-down",
    ]
    assert best["window_start"] == best["timeline"][2]["start"]
    starts = [plan["window_start"] for plan in body["plans"]]
    assert starts == sorted(starts)


def test_a_plan_sent_back_is_scheduled_with_its_readiness_plan(world):
    best = world.operator.post("/api/v1/launches/plan/", plan_request(world), format="json").json()["plans"][
        0
    ]
    answer = world.operator.post(
        "/api/v1/launches/",
        {
            "vehicle_model": best["vehicle_model"],
            "site": best["site"],
            "target_orbit": {"family": "SSO", "altitude_km": 500},
            "window_start": best["window_start"],
            "window_end": best["window_end"],
            "vehicle": best["vehicle"],
            "platform": best["platform"],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    launch = Launch.objects.get(pk=answer.json()["id"])
    assert launch.platform == world.tel1 and launch.vehicle.serial == "KZ1A-Y7"
    assert resource_claim(launch).site == world.jiuquan
    assert ReadinessPlan.objects.get(launch=launch).template.slug == "standard-campaign"
    # The same again: TEL-01 and the rocket are taken now, so it is a 409 with the reasons.
    again = world.operator.post(
        "/api/v1/launches/",
        {
            "vehicle_model": best["vehicle_model"],
            "site": best["site"],
            "target_orbit": {"family": "SSO", "altitude_km": 500},
            "window_start": best["window_start"],
            "window_end": best["window_end"],
            "platform": best["platform"],
        },
        format="json",
    )
    assert again.status_code == 409 and again.json()["reasons"]
    assert Launch.objects.count() == 1
    # And the next plan no longer offers TEL-01 at that time.
    replanned = world.operator.post("/api/v1/launches/plan/", plan_request(world), format="json").json()
    first = replanned["plans"][0]
    assert not (first["resource"] == "TEL-01" and first["window_start"] == best["window_start"])
    # TEL-02 is free, but Jiuquan's range flies one launch at a time: the pad at Taiyuan comes
    # first, and TEL-02 waits for the range's separation after that launch.
    assert first["resource"] == "pad LC-16"
    tel2 = [p for p in replanned["plans"] if p["resource"] == "TEL-02"]
    assert tel2 and all(
        datetime.fromisoformat(p["window_start"].replace("Z", "+00:00"))
        >= datetime.fromisoformat(best["window_end"].replace("Z", "+00:00")) + timedelta(minutes=240)
        for p in tel2
    )


def test_nothing_fits_gives_the_reasons(world):
    answer = world.operator.post(
        "/api/v1/launches/plan/",
        plan_request(world, mass_kg="2000.0"),
        format="json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["plans"] == []
    assert "Kuaizhou-1A lifts 300.0 kg to SSO 500 km, less than 2005.0 kg with adapter" in body["reasons"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"latest": "2020-01-01T00:00:00Z"}, "latest", "must not be before the earliest"),
        ({"target_orbit": {"family": "LEO", "altitude_km": 500}}, "detail", "An inclination is needed"),
        ({"limit": 0}, "limit", "greater than or equal to 1"),
        (
            {"target_orbit": {"family": "SSO", "altitude_km": 50}},
            "target_orbit",
            "greater than or equal to 100",
        ),
        ({"earliest": "tomorrow"}, "earliest", "Datetime has wrong format"),
    ],
)
def test_bad_plan_requests_are_400_with_the_reason(world, changes, field, message):
    answer = world.operator.post("/api/v1/launches/plan/", plan_request(world, **changes), format="json")
    assert answer.status_code == 400
    assert message in str(answer.json()[field]), answer.json()


def test_a_search_longer_than_a_year_is_refused(world):
    body = plan_request(world, latest=(world.earliest + timedelta(days=400)).isoformat())
    answer = world.operator.post("/api/v1/launches/plan/", body, format="json")
    assert answer.status_code == 400 and "at most 366 days" in str(answer.json()["latest"])


def test_operators_plan_and_schedule_only_their_own_fleet(world, tenant_a):
    # Another provider's operator: their fleet has no rockets, and ExPace's are not theirs.
    other = world.other_operator.post("/api/v1/launches/plan/", plan_request(world), format="json")
    assert other.status_code == 200 and other.json()["plans"] == []
    named = world.other_operator.post(
        "/api/v1/launches/plan/", plan_request(world, provider=world.provider.pk), format="json"
    )
    assert named.status_code == 400 and "No provider of yours" in str(named.json()["provider"])
    scheduled = world.other_operator.post(
        "/api/v1/launches/",
        {
            "vehicle_model": world.model.pk,
            "site": world.jiuquan.pk,
            "target_orbit": {"family": "SSO", "altitude_km": 500},
            "window_start": world.earliest.isoformat(),
            "window_end": (world.earliest + timedelta(hours=2)).isoformat(),
            "platform": world.tel1.pk,
        },
        format="json",
    )
    assert scheduled.status_code == 400 and "No vehicle model of yours" in str(
        scheduled.json()["vehicle_model"]
    )
    # Customers neither plan nor schedule.
    assert (
        tenant_a.client.post("/api/v1/launches/plan/", plan_request(world), format="json").status_code == 403
    )
    assert tenant_a.client.post("/api/v1/launches/", {}, format="json").status_code == 403
    assert Launch.objects.count() == 0


def test_an_operator_of_several_providers_names_the_fleet(world):
    both = UserFactory(username="both-ops", is_staff=True)
    ProviderOperator.objects.create(user=both, provider=world.provider)
    ProviderOperator.objects.create(user=both, provider=world.other_provider)
    client = token_client(both)
    unnamed = client.post("/api/v1/launches/plan/", plan_request(world), format="json")
    assert unnamed.status_code == 400 and "choose whose fleet" in str(unnamed.json()["provider"])
    named = client.post(
        "/api/v1/launches/plan/", plan_request(world, provider=world.provider.pk), format="json"
    )
    assert named.status_code == 200 and named.json()["plans"]
