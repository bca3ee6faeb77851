"""Rules the front ends ask rather than copy: the altitude ceiling and the add-on kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.api.serializers import OrbitSerializer
from booking.errors import InvalidRequest
from booking.models import AddOnService
from booking.portal.forms import PayloadForm
from booking.services.payloads import payload_orbit_problems
from booking.services.scheduling import launch_schedule
from tests.factories import schedule_world
from vehicles.orbits import MAX_ALTITUDE_KM, altitude_problem

pytestmark = pytest.mark.django_db


def test_the_altitude_ceiling_is_one_rule_the_service_applies_too():
    assert altitude_problem(MAX_ALTITUDE_KM) is None
    assert altitude_problem(MAX_ALTITUDE_KM + 1) == "The target altitude must be at most 40,000 km."
    assert payload_orbit_problems(orbit_family="GTO", altitude_km=45_000, inclination_deg=None) == {
        "altitude_km": "The target altitude must be at most 40,000 km."
    }


@pytest.mark.parametrize(
    ("altitude_km", "refusal"),
    [
        (MAX_ALTITUDE_KM + 1, "The target altitude must be at most 40,000 km."),
        (99, "The target altitude must be at least 100 km."),
    ],
)
def test_scheduling_a_launch_asks_the_same_altitude_rule(altitude_km, refusal):
    world = schedule_world()
    start = datetime(2030, 3, 11, tzinfo=UTC)
    with pytest.raises(InvalidRequest) as refused:
        launch_schedule(
            provider=world.provider,
            vehicle_model=world.model,
            site=world.jiuquan,
            orbit_family="GTO",
            altitude_km=altitude_km,
            inclination_deg=Decimal("28.50"),
            window_start=start,
            window_end=start + timedelta(hours=2),
            actor=None,
            platform=world.tel1,
            now=datetime(2030, 3, 1, tzinfo=UTC),
        )
    assert str(refused.value) == refusal


def test_forms_and_serializers_use_the_same_ceiling():
    assert PayloadForm.base_fields["altitude_km"].widget.attrs["max"] == str(MAX_ALTITUDE_KM)
    assert OrbitSerializer().fields["altitude_km"].max_value == MAX_ALTITUDE_KM


def test_add_on_kinds_come_from_the_model():
    from booking.api.serializers import QuoteRequestSerializer

    child = QuoteRequestSerializer().fields["options"].child
    assert list(child.choices) == list(AddOnService.Kind.values)


def test_the_portal_offers_the_providers_add_on_services_of_the_model():
    from booking.portal.forms import BookOptionsForm

    # The portal chooses services (one box each, a provider's own), whose kinds are the model's:
    # booking.selectors.offers.add_on_kinds_for turns them into the kinds the quote prices.
    field = BookOptionsForm.base_fields["add_ons"]
    assert field.queryset.model is AddOnService
    assert set(field.queryset.values_list("kind", flat=True)) <= set(AddOnService.Kind.values)
