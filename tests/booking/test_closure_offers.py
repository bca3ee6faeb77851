"""A closure saved over a scheduled launch is acted on where operators look: the launch's admin
page and the operator dashboard name the closure and offer the planner's next feasible window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from booking.models import Launch
from booking.selectors.closures import next_window_for
from booking.services.closures import site_closure_create
from booking.services.scheduling import launch_schedule
from tests.factories import schedule_world

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def closed(client):
    world = schedule_world()
    now = timezone.now().replace(second=0, microsecond=0)
    start = (now + timedelta(days=10)).replace(hour=10, minute=0)
    launch = launch_schedule(
        provider=world.provider,
        vehicle_model=world.model,
        site=world.jiuquan,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=None,
        window_start=start,
        window_end=start + 2 * H,
        actor=None,
        vehicle=world.rockets[0],
        platform=world.tel1,
        name="Kuaizhou-1A · SSO 500",
        now=now,
    )
    site_closure_create(
        actor=None,
        site=world.jiuquan,
        kind="range",
        starts_at=start - H,
        ends_at=start + 30 * H,
        reason="sandstorm",
    )
    launch.refresh_from_db()
    assert launch.status == Launch.Status.HOLD
    client.force_login(get_user_model().objects.create_superuser("ops-root", "ops@example.com", "x"))
    offer = next_window_for(launch=launch)
    assert offer is not None and offer.window_start >= start + 30 * H
    return launch, offer


def test_the_launch_page_names_the_closure_and_offers_the_next_window(client, closed):
    launch, offer = closed
    page = client.get(reverse("admin:booking_launch_change", args=[launch.pk])).content.decode()
    assert "sandstorm" in page
    assert f"Next feasible window: {offer.describe()}" in page


def test_the_operator_dashboard_lists_the_launch_with_its_next_window(client, closed):
    launch, offer = closed
    page = client.get(reverse("admin:index")).content.decode()
    closures = page[page.index('id="dash-closures"') :]
    closures = closures[: closures.index("</table>")]
    assert "Launches under a site closure" in closures
    assert launch.name in closures and offer.describe() in closures
