"""The demo catalog's launches are scheduled through the service: they hold reservations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking.demo import DEDICATED_REQUESTS, LAUNCHES, load_catalog
from booking.models import Event, Launch, Reservation
from tests.factories import resource_claim
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 9, 30, tzinfo=UTC)


def test_demo_launches_hold_reservations_and_loading_again_changes_nothing():
    load_catalog(now=NOW)
    # The demo's launches, and one per scheduled dedicated launch request.
    demo_launches = len(LAUNCHES) + sum(spec.scheduled for spec in DEDICATED_REQUESTS)
    assert Launch.objects.count() == demo_launches
    for launch in Launch.objects.all():
        res = resource_claim(launch, released_at__isnull=True)
        assert (res.platform_id is not None) == (launch.platform_id is not None)
        assert res.occupied_from <= launch.window_start < launch.window_end < res.occupied_until
        assert launch.vehicle.status == Vehicle.Status.ASSIGNED
        # Beside it, the launch holds its rocket from its journey to the window and its range.
        assert Reservation.objects.filter(
            launch=launch, vehicle=launch.vehicle, released_at__isnull=True
        ).exists()
        assert Reservation.objects.filter(
            launch=launch, range_site=launch.site, released_at__isnull=True
        ).exists()
    assert Event.objects.filter(verb="launch.scheduled").count() == demo_launches

    before = list(Reservation.objects.order_by("pk").values())
    load_catalog(now=NOW)
    assert list(Reservation.objects.order_by("pk").values()) == before
    assert Event.objects.filter(verb="launch.scheduled").count() == demo_launches
