"""Rules the front ends ask rather than copy: the altitude ceiling and the add-on kinds."""

from __future__ import annotations

import pytest

from booking.api.serializers import OrbitSerializer
from booking.models import AddOnService
from booking.portal.forms import PayloadForm
from booking.services.payloads import payload_orbit_problems
from vehicles.orbits import MAX_ALTITUDE_KM, altitude_problem

pytestmark = pytest.mark.django_db


def test_the_altitude_ceiling_is_one_rule_the_service_applies_too():
    assert altitude_problem(MAX_ALTITUDE_KM) is None
    assert altitude_problem(MAX_ALTITUDE_KM + 1) == "The target altitude must be at most 40,000 km."
    assert payload_orbit_problems(orbit_family="GTO", altitude_km=45_000, inclination_deg=None) == {
        "altitude_km": "The target altitude must be at most 40,000 km."
    }


def test_forms_and_serializers_use_the_same_ceiling():
    assert PayloadForm.base_fields["altitude_km"].widget.attrs["max"] == str(MAX_ALTITUDE_KM)
    assert OrbitSerializer().fields["altitude_km"].max_value == MAX_ALTITUDE_KM


def test_add_on_kinds_come_from_the_model():
    from booking.api.serializers import QuoteRequestSerializer

    child = QuoteRequestSerializer().fields["options"].child
    assert list(child.choices) == list(AddOnService.Kind.values)
