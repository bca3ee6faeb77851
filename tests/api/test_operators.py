"""Provider operators change only their own provider's launches through the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from booking.models import Launch
from booking.services.scheduling import launch_schedule
from tests.factories import ProviderFactory, UserFactory, schedule_world
from vehicles.models import ProviderOperator

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = schedule_world()
    start = timezone.now().replace(microsecond=0) + timedelta(days=20)

    def schedule(start, rocket, platform):
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
            vehicle=world.rockets[rocket],
            platform=platform,
        )

    world.start = start
    world.launch = schedule(start, 0, world.tel1)
    world.next_on_tel1 = schedule(start + timedelta(days=1), 1, world.tel1)
    operator = UserFactory(username="expace-ops", is_staff=True)
    ProviderOperator.objects.create(user=operator, provider=world.provider)
    world.operator = token_client(operator)
    stranger = UserFactory(username="other-ops", is_staff=True)
    ProviderOperator.objects.create(user=stranger, provider=ProviderFactory())
    world.other_operator = token_client(stranger)
    return world


def test_an_operator_slips_their_launch(world):
    new_start = world.start + timedelta(hours=6)
    answer = world.operator.post(
        f"/api/v1/launches/{world.launch.pk}/slip/",
        {"window_start": new_start.isoformat(), "cause": "weather"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert datetime_of(body["launch"]["window_start"]) == new_start
    assert body["cascaded"] == [] and "slipped" in body["message"]


def test_a_slip_onto_a_taken_platform_is_409_with_reasons_and_nothing_moves(world):
    answer = world.operator.post(
        f"/api/v1/launches/{world.launch.pk}/slip/",
        {"window_start": (world.start + timedelta(days=1)).isoformat(), "cause": "range"},
        format="json",
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] and answer.json()["reasons"]
    world.launch.refresh_from_db()
    assert world.launch.window_start == world.start


def test_other_providers_operators_and_customers_cannot_touch_it(world, tenant_a):
    url = f"/api/v1/launches/{world.launch.pk}/scrub/"
    assert world.other_operator.post(url, {"reason": "x"}, format="json").status_code == 404
    refused = tenant_a.client.post(url, {"reason": "x"}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only a provider's operators can change its launches."}
    assert Launch.objects.get(pk=world.launch.pk).status == Launch.Status.SCHEDULED


def test_an_operator_scrubs_their_launch_with_a_reason(world):
    url = f"/api/v1/launches/{world.launch.pk}/scrub/"
    assert world.operator.post(url, {"reason": ""}, format="json").status_code == 400
    answer = world.operator.post(url, {"reason": "Second stage anomaly", "cause": "provider"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "scrubbed"
    again = world.operator.post(url, {"reason": "again", "cause": "provider"}, format="json")
    # The launch's state is in the way: a conflict, as the API guide says.
    assert again.status_code == 409 and "cannot be scrubbed" in again.json()["detail"]


def datetime_of(text):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_slipping_a_scrubbed_launch_is_a_conflict(world):
    """The launch's state is in the way, not the input: 409, as the API guide says."""
    assert (
        world.operator.post(
            f"/api/v1/launches/{world.launch.pk}/scrub/",
            {"reason": "anomaly", "cause": "provider"},
            format="json",
        )
    ).status_code == 200
    moved = world.operator.post(
        f"/api/v1/launches/{world.launch.pk}/slip/",
        {"window_start": (world.launch.window_start + timedelta(days=2)).isoformat(), "cause": "provider"},
        format="json",
    )
    assert moved.status_code == 409
    assert moved.json()["detail"] == f"{world.launch.name} is scrubbed; it cannot slip."
