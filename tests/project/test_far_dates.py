"""No date the forms and the API accept ends in a 500: a year-9999 window is refused as input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from booking.api.fields import AcceptedDateTimeField
from booking.dates import LATEST_ACCEPTED, LATEST_ACCEPTED_MESSAGE
from tests.api.conftest import token_client
from tests.factories import UserFactory, schedule_world
from vehicles.models import ProviderOperator

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = schedule_world()
    operator = UserFactory(username="expace-ops", is_staff=True)
    ProviderOperator.objects.create(user=operator, provider=world.provider)
    world.api = token_client(operator)
    return world


def test_planning_a_launch_in_year_9999_is_a_400_not_a_500(world):
    body = {
        "target_orbit": {"family": "SSO", "altitude_km": 500},
        "earliest": "9999-12-31T00:00:00Z",
        "latest": "9999-12-31T12:00:00Z",
        "mass_kg": "100.0",
        "limit": 5,
    }
    answer = world.api.post("/api/v1/launches/plan/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"] == LATEST_ACCEPTED_MESSAGE


def test_a_plan_reaching_the_latest_accepted_date_is_never_a_500(world):
    earliest = (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    body = {
        "target_orbit": {"family": "SSO", "altitude_km": 500},
        "earliest": earliest.isoformat(),
        "latest": LATEST_ACCEPTED.isoformat(),
        "mass_kg": "100.0",
        "limit": 1,
    }
    assert world.api.post("/api/v1/launches/plan/", body, format="json").status_code in (200, 400)


def test_the_shared_api_date_field_refuses_dates_past_the_latest_accepted():
    class Window(serializers.Serializer):
        start = AcceptedDateTimeField()

    far = Window(data={"start": "9999-12-31T00:00:00Z"})
    assert not far.is_valid() and far.errors["start"] == [LATEST_ACCEPTED_MESSAGE]
    assert Window(data={"start": "2199-12-31T23:00:00Z"}).is_valid()


def test_the_admin_schedule_form_with_a_9999_window_is_a_form_error(world, client):
    client.force_login(UserFactory(username="admin-ops", is_staff=True, is_superuser=True))
    data = {
        "name": "Far away",
        "provider": world.provider.pk,
        "vehicle_model": world.model.pk,
        "site": world.jiuquan.pk,
        "platform": world.tel1.pk,
        "orbit_family": "SSO",
        "altitude_km": 500,
        "window_start": "9999-12-31 20:00",
        "window_end": "9999-12-31 22:00",
        "net_precision": "hour",
        "service_level": "standard",
    }
    answer = client.post(reverse("admin:booking_launch_schedule"), data)
    assert answer.status_code == 200
    assert str(LATEST_ACCEPTED_MESSAGE) in answer.content.decode()
    assert datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC) == LATEST_ACCEPTED
