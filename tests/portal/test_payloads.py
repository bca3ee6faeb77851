"""Payloads: create and edit; the orbit is explained before the form is submitted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from booking.errors import Conflict
from booking.models import Event
from booking.portal.selectors import orbit_assessment
from booking.services.payloads import payload_update
from customers.models import Payload
from tests.factories import VehicleModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def leo_rocket(db):
    """A rocket that flies to LEO as well as SSO, so LEO orbits are judged on their inclination."""
    return VehicleModelFactory(
        name="Ceres-1", curve={"SSO": [(300, 300), (700, 160)], "LEO": [(200, 350), (500, 280)]}
    )


def _form(**overrides):
    data = {
        "name": "GOMX-6",
        "mass_kg": "6.5",
        "length_m": "0.10",
        "width_m": "0.20",
        "height_m": "0.34",
        "orbit_family": "SSO",
        "altitude_km": "500",
        "inclination_deg": "",
        "hazards": "",
    }
    data.update(overrides)
    return data


def test_too_low_inclination_names_the_site_that_gets_closest(world):
    result = orbit_assessment(orbit_family="LEO", altitude_km=500, inclination_deg=Decimal("10"))
    assert result.errors == {
        "inclination_deg": "No launch site reaches 10°: the nearest is 19.6° from Wenchang."
    }


def test_retrograde_beyond_reach_names_the_highest_inclination(world):
    result = orbit_assessment(orbit_family="LEO", altitude_km=500, inclination_deg=Decimal("170"))
    assert result.errors["inclination_deg"] == (
        "No launch site reaches 170°: the nearest is 160.4° from Wenchang."
    )


def test_sun_synchronous_inclination_follows_from_the_altitude(world):
    result = orbit_assessment(orbit_family="SSO", altitude_km=500, inclination_deg=None)
    assert result.ok
    assert result.inclination_deg == Decimal("97.40")
    assert (
        "A sun-synchronous orbit at 500 km has an inclination of 97.4°, computed from the altitude."
        in result.notes
    )
    assert "97.4° is reachable from Jiuquan and Wenchang." in result.notes


def test_sun_synchronous_with_a_wrong_inclination_is_explained(world):
    result = orbit_assessment(orbit_family="SSO", altitude_km=700, inclination_deg=Decimal("45"))
    assert result.errors["inclination_deg"] == (
        "A sun-synchronous orbit at 700 km is inclined 98.19°, not 45° (tolerance ±0.5°); leave the inclination empty to use it."
    )


def test_no_sun_synchronous_orbit_that_high(world):
    result = orbit_assessment(orbit_family="SSO", altitude_km=6500, inclination_deg=None)
    assert "No sun-synchronous orbit exists at 6,500 km" in result.errors["altitude_km"]


def test_a_mass_no_rocket_lifts_is_a_warning_naming_the_biggest(world):
    VehicleModelFactory(name="Kuaizhou-11", curve={"SSO": [(500, 1200), (700, 1000)]})
    result = orbit_assessment(
        orbit_family="SSO", altitude_km=600, inclination_deg=None, mass_kg=Decimal("1500")
    )
    assert result.ok
    assert result.warnings == [
        "No vehicle in the catalog lifts more than 1,100.1 kg to SSO 600 km (the most is on Kuaizhou-11); "
        "a 1,500 kg payload registers, but no launch can take it yet."
    ]


def test_live_orbit_check_endpoint_explains_the_unreachable_orbit(member_client, world):
    response = member_client.post(
        reverse("portal:payload_orbit_check"),
        {"orbit_family": "LEO", "altitude_km": "500", "inclination_deg": "10"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "No launch site reaches 10°: the nearest is 19.6° from Wenchang." in text
    assert "<html" not in text  # a fragment for htmx


def test_live_orbit_check_with_half_typed_input_says_what_is_wrong(member_client, world):
    response = member_client.post(
        reverse("portal:payload_orbit_check"), {"orbit_family": "LEO", "altitude_km": "50"}
    )
    assert "Altitude: Ensure this value is greater than or equal to 100." in response.content.decode()


def test_member_describes_a_payload(member_client, world):
    response = member_client.post(reverse("portal:payload_create"), _form())
    assert response.status_code == 302
    payload = Payload.objects.get(name="GOMX-6")
    assert payload.customer == world["customer"]
    assert payload.mass_kg == Decimal("6.5")
    event = Event.objects.get(verb="payload.created")
    assert event.customer == world["customer"] and event.actor == world["member"]


def test_unreachable_orbit_is_refused_with_the_error_tied_to_the_field(member_client, world):
    response = member_client.post(
        reverse("portal:payload_create"), _form(orbit_family="LEO", inclination_deg="10")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "No launch site reaches 10°: the nearest is 19.6° from Wenchang." in text
    assert 'aria-describedby="id_inclination_deg_helptext id_inclination_deg_error"' in text
    assert 'id="id_inclination_deg_error"' in text
    assert 'aria-invalid="true"' in text
    assert not Payload.objects.filter(name="GOMX-6").exists()


def test_every_field_has_a_label(member_client, world):
    text = member_client.get(reverse("portal:payload_create")).content.decode()
    for name in [
        "name",
        "mass_kg",
        "length_m",
        "orbit_family",
        "altitude_km",
        "inclination_deg",
        "returnable",
    ]:
        assert f'for="id_{name}"' in text, name
    assert 'aria-describedby="id_mass_kg_helptext"' in text


def test_duplicate_name_is_refused(member_client, world):
    response = member_client.post(reverse("portal:payload_create"), _form(name="GOMX-5A"))
    assert "Gomspace already has a payload named &#x27;GOMX-5A&#x27;." in response.content.decode()


def test_member_edits_a_payload_that_is_not_booked(member_client, world):
    world["booking"].status = "cancelled"
    world["booking"].save()
    payload = world["payload"]
    response = member_client.post(
        reverse("portal:payload_edit", args=[payload.pk]),
        _form(name=payload.name, mass_kg="4.0", length_m="0.30", width_m="0.30", height_m="0.30"),
    )
    assert response.status_code == 302
    payload.refresh_from_db()
    assert payload.mass_kg == Decimal("4.0")
    assert Event.objects.get(verb="payload.updated").before == {"mass_kg": "3.0"}


def test_mass_of_a_booked_payload_cannot_change(member_client, world):
    payload = world["payload"]
    response = member_client.post(
        reverse("portal:payload_edit", args=[payload.pk]), _form(name=payload.name, mass_kg="9.0")
    )
    assert response.status_code == 200
    assert (
        "GOMX-5A holds a seat on Kuaizhou-1A rideshare (LB-GOM01): its mass and orbit cannot change while booked."
        in response.content.decode()
    )
    with pytest.raises(Conflict, match="cannot change while booked"):
        payload_update(payload=payload, actor=None, mass_kg=Decimal("9.0"))
    # Renaming is fine.
    payload_update(payload=payload, actor=None, name="GOMX-5A prime")
    payload.refresh_from_db()
    assert payload.name == "GOMX-5A prime"


def test_a_payload_heavier_than_any_rocket_saves_with_the_warning_shown(member_client, world):
    response = member_client.post(
        reverse("portal:payload_create"), _form(mass_kg="5000", altitude_km="700"), follow=True
    )
    assert response.status_code == 200
    assert Payload.objects.filter(name="GOMX-6").exists()
    text = response.content.decode()
    assert "Payload GOMX-6 saved." in text
    assert "No vehicle in the catalog lifts more than 200 kg to SSO 700 km" in text
