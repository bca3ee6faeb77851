"""A retired vehicle model, or a rocket that has flown its last, is never quoted, offered or
booked: the quote, the availability search, the dedicated quote, the confirmation and the API
all ask ``booking.selectors.fit`` and refuse in the same words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.errors import Conflict
from booking.selectors.availability import availability_search
from booking.services.bookings import booking_confirm, booking_hold
from booking.services.quotes import quote_create
from customers.models import Membership
from tests.api.conftest import token_client
from tests.factories import (
    DedicatedPriceFactory,
    LaunchFactory,
    MembershipFactory,
    VehicleFactory,
    VehicleModelFactory,
    engine_world,
)
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

RETIRED = "Zhuque-1 is retired: it is no longer scheduled, quoted or offered"


@pytest.fixture
def world():
    world = engine_world()
    # Landspace's Zhuque-1 flew once (27 Oct 2018, third stage failed) and is retired; a seat on
    # a launch of it was left on the books.
    zhuque = VehicleModelFactory(provider=world.provider, name="Zhuque-1", slug="zhuque-1", family="Zhuque")
    DedicatedPriceFactory(vehicle_model=zhuque)
    world.zhuque = zhuque
    world.zhuque_launch = LaunchFactory(
        name="Zhuque-1 · SSO 500 rideshare",
        vehicle_model=zhuque,
        vehicle=VehicleFactory(vehicle_model=zhuque, serial="ZQ1-Y2", storage_site=world.site),
        site=world.site,
        window_start=world.launch.window_start + timedelta(days=1),
    )
    zhuque.active = False
    zhuque.save()
    return world


def test_quoting_a_seat_on_a_launch_of_a_retired_model_is_refused(world):
    with pytest.raises(Conflict, match=f"^{RETIRED}$"):
        quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.zhuque_launch)


def test_a_launch_whose_rocket_is_retired_is_refused_naming_the_serial(world):
    Vehicle.objects.filter(pk=world.vehicle.pk).update(status=Vehicle.Status.RETIRED)
    world.launch.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    assert refused.value.message == (
        "Kuaizhou-1A · SSO 500 rideshare can no longer be booked: KZ1A-Y7 is retired and will not fly again"
    )


def test_a_dedicated_quote_for_a_retired_model_is_refused(world):
    with pytest.raises(Conflict, match=f"^{RETIRED}$"):
        quote_create(customer=world.customer, payload=world.payload, actor=None, vehicle_model=world.zhuque)


def test_availability_lists_neither_the_retired_models_launches_nor_a_dedicated_one(world):
    found = availability_search(payload=world.payload, now=world.now)
    offered = {(option.kind, option.vehicle_model.name) for option in found.options}
    assert ("rideshare", "Kuaizhou-1A") in offered and ("dedicated", "Kuaizhou-1A") in offered
    assert not any(name == "Zhuque-1" for _, name in offered)
    # Retire the Kuaizhou-1A's rocket: its rideshare goes too; the model itself is still offered.
    Vehicle.objects.filter(pk=world.vehicle.pk).update(status=Vehicle.Status.RETIRED)
    found = availability_search(payload=world.payload, now=world.now)
    assert {(option.kind, option.vehicle_model.name) for option in found.options} == {
        ("dedicated", "Kuaizhou-1A")
    }


def test_a_held_seat_is_not_confirmed_once_the_model_is_retired(world):
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    booking = booking_hold(quote=quote, actor=None)
    world.vehicle_model.active = False
    world.vehicle_model.save()
    with pytest.raises(Conflict) as refused:
        booking_confirm(booking=booking, actor=None)
    assert refused.value.message == (
        f"booking {booking.reference} cannot be confirmed: "
        "Kuaizhou-1A is retired: it is no longer scheduled, quoted or offered"
    )


def test_the_api_answers_409_for_a_retired_model_and_leaves_it_out_of_availability(world):
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.ADMIN)
    client = token_client(world.user)
    seat = client.post(
        "/api/v1/quotes/", {"payload": world.payload.pk, "launch": world.zhuque_launch.pk}, format="json"
    )
    assert seat.status_code == 409 and seat.json()["detail"] == RETIRED
    dedicated = client.post(
        "/api/v1/quotes/", {"payload": world.payload.pk, "vehicle_model": world.zhuque.pk}, format="json"
    )
    assert dedicated.status_code == 409 and dedicated.json()["detail"] == RETIRED
    listed = client.get(f"/api/v1/availability/?payload={world.payload.pk}").json()["options"]
    assert listed and world.zhuque_launch.pk not in {option.get("launch") for option in listed}
    assert world.zhuque.pk not in {option.get("vehicle_model") for option in listed}
