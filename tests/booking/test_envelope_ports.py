"""Fairings, ports and adapters: what is sold fits the rocket, a port and its slots, and is billed
for the mass it counts.

The world: ExPace's Kuaizhou-1A (300 kg to SSO 500 km, a 5 kg standard adapter) with a usable
envelope of 1.2 m × 1.6 m, a rideshare launch without ports, and one with ports.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, LaunchPort, QuoteLine
from booking.rules.envelope import Box, fairing_fit_problem, port_fit_problem
from booking.selectors.availability import availability_search
from booking.selectors.capacity import launch_booked_mass_kg, launch_ports_taken, launch_taken
from booking.selectors.prices import quote_price
from booking.services.bookings import booking_cancel, booking_confirm, booking_hold
from booking.services.payloads import payload_update
from booking.services.quotes import quote_create
from tests.factories import CustomerFactory, LaunchFactory, PayloadFactory, engine_world
from vehicles.models import Adapter

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = engine_world()
    world.vehicle_model.envelope_diameter_m = Decimal("1.20")
    world.vehicle_model.envelope_height_m = Decimal("1.60")
    world.vehicle_model.save()
    world.payload.mass_kg = Decimal("3.0")
    world.payload.save()
    return world


def _ported_launch(world, **counts):
    launch = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 ports",
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.now.replace(microsecond=0) + timedelta(days=12),
    )
    sizes = {
        "cubesat_3u": ("6.00", "0.100", "0.100", "0.3405", "15000.00"),
        "ring_15in": ("181.00", "0.610", "0.711", "0.965", "0.00"),
    }
    for kind, count in counts.items():
        mass, length, width, height, price = sizes[kind]
        LaunchPort.objects.create(
            launch=launch,
            kind=kind,
            count=count,
            max_mass_kg=Decimal(mass),
            envelope_length_m=Decimal(length),
            envelope_width_m=Decimal(width),
            envelope_height_m=Decimal(height),
            price=Decimal(price),
        )
    return launch


def _cubesat(world, name, customer=None, **sizes):
    return PayloadFactory(
        customer=customer or world.customer,
        name=name,
        mass_kg=Decimal("3.0"),
        length_m=sizes.get("length_m", Decimal("0.10")),
        width_m=sizes.get("width_m", Decimal("0.10")),
        height_m=sizes.get("height_m", Decimal("0.34")),
    )


def _dispenser():
    return Adapter.objects.create(
        name="3U CubeSat dispenser", kind="dispenser", mass_kg=Decimal("2.00"), port_kinds=["cubesat_3u"]
    )


# --- the pure rule ----------------------------------------------------------------------------


def test_a_box_fits_a_cylinder_by_its_footprint_diagonal_and_height():
    box = Box(Decimal("0.80"), Decimal("0.80"), Decimal("1.00"))  # diagonal 1.131 m
    assert (
        fairing_fit_problem(box=box, diameter_m=Decimal("1.2"), height_m=Decimal("1.6"), vehicle="X") is None
    )
    assert fairing_fit_problem(box=box, diameter_m=Decimal("1.1"), height_m=Decimal("1.6"), vehicle="X") == (
        "0.8 × 0.8 × 1.0 m does not fit X's 1.1 m × 1.6 m envelope (diameter × height): "
        "its 0.8 × 0.8 m footprint spans 1.1314 m"
    )


def test_a_box_fits_a_port_either_way_round_but_not_taller():
    envelope = Box(Decimal("0.100"), Decimal("0.2263"), Decimal("0.366"))
    assert (
        port_fit_problem(
            box=Box(Decimal("0.22"), Decimal("0.10"), Decimal("0.36")), envelope=envelope, port="6U"
        )
        is None
    )
    assert port_fit_problem(
        box=Box(Decimal("0.10"), Decimal("0.22"), Decimal("0.40")), envelope=envelope, port="6U"
    ) == ("0.1 × 0.22 × 0.4 m does not fit the 6U's 0.1 × 0.2263 × 0.366 m envelope")


# --- fairings -----------------------------------------------------------------------------------


def test_a_payload_larger_than_the_fairing_is_refused_with_the_figures(world):
    big = PayloadFactory(
        customer=world.customer,
        name="Big bird",
        mass_kg=Decimal("95.0"),
        length_m=Decimal("6.0"),
        width_m=Decimal("5.0"),
        height_m=Decimal("8.0"),
    )
    expected = (
        "^6.0 × 5.0 × 8.0 m does not fit Kuaizhou-1A's 1.2 m × 1.6 m envelope \\(diameter × height\\): "
        "its 6.0 × 5.0 m footprint spans 7.8102 m and it stands 8.0 m tall$"
    )
    with pytest.raises(Conflict, match=expected):
        quote_create(customer=world.customer, payload=big, actor=None, launch=world.launch)
    with pytest.raises(Conflict, match=expected):
        quote_create(customer=world.customer, payload=big, actor=None, vehicle_model=world.vehicle_model)
    found = availability_search(payload=big)
    assert found.options == []
    assert any(reason.startswith("6.0 × 5.0 × 8.0 m does not fit Kuaizhou-1A's") for reason in found.reasons)


def test_a_payload_grown_after_its_quote_is_refused_at_the_hold(world):
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    payload_update(payload=world.payload, actor=None, height_m=Decimal("2.0"))
    with pytest.raises(Conflict, match="0.3 × 0.3 × 2.0 m does not fit Kuaizhou-1A's 1.2 m × 1.6 m envelope"):
        booking_hold(quote=quote, actor=None)


def test_a_booked_payload_cannot_grow_out_of_its_seat(world):
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    booking = booking_hold(quote=quote, actor=None)
    with pytest.raises(
        Conflict, match=f"is booked on .* \\({booking.reference}\\) and would no longer fit: "
    ):
        payload_update(payload=world.payload, actor=None, length_m=Decimal("1.5"))
    payload_update(payload=world.payload, actor=None, length_m=Decimal("0.5"))  # still fits
    world.payload.refresh_from_db()
    assert world.payload.length_m == Decimal("0.50")


# --- sizes required before confirmation ---------------------------------------------------------


def test_confirm_refuses_a_payload_without_its_sizes_then_confirms_once_given(world):
    world.payload.length_m = world.payload.width_m = world.payload.height_m = None
    world.payload.save()
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    booking = booking_hold(quote=quote, actor=None)  # a seat can be held before the sizes are known
    with pytest.raises(
        Conflict,
        match=f"^booking {booking.reference} cannot be confirmed: payload GOMX-5A has no length, width, "
        "height yet: give its length, width and height \\(metres\\)",
    ):
        booking_confirm(booking=booking, actor=None)
    payload_update(payload=world.payload, actor=None, length_m=Decimal("0.1"), width_m=Decimal("0.1"))
    with pytest.raises(Conflict, match="has no height yet"):
        booking_confirm(booking=booking, actor=None)
    payload_update(payload=world.payload, actor=None, height_m=Decimal("0.34"))
    assert booking_confirm(booking=booking, actor=None).status == Booking.Status.CONFIRMED


# --- counted mass is billed mass ----------------------------------------------------------------


def test_the_quote_bills_the_mass_it_counts_and_shows_payload_and_adapter_apart(world):
    quote = quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
    # 3 kg payload + 5 kg standard adapter = 8 kg counted; 8 kg × 10,000 = 80,000 over the 50,000 minimum.
    assert quote.mass_kg == Decimal("8.0")
    assert quote.adapter_mass_kg == Decimal("5.00")
    line = quote.lines.get()
    assert line.description == (
        "Rideshare seat to SSO: 8 kg (3 kg payload + 5 kg Kuaizhou-1A adapter) × 10,000.00 USD/kg"
    )
    assert line.amount == quote.total == Decimal("80000.00")
    booking = booking_hold(quote=quote, actor=None)
    assert booking.mass_kg == Decimal("8.0")
    assert booking.adapter_mass_kg == Decimal("5.00")


# --- ports --------------------------------------------------------------------------------------


def test_a_launch_with_ports_needs_a_port_of_its_own_kinds(world):
    launch = _ported_launch(world, cubesat_3u=2)
    payload = _cubesat(world, "GOMX-P1")
    with pytest.raises(
        InvalidRequest, match="carries payloads on ports: choose one of cubesat_3u \\(3U CubeSat"
    ):
        quote_price(customer=world.customer, payload=payload, launch=launch)
    with pytest.raises(InvalidRequest, match="has no 15-inch ring port: choose one of cubesat_3u"):
        quote_price(customer=world.customer, payload=payload, launch=launch, port="ring_15in")
    with pytest.raises(InvalidRequest, match="has no ports to choose from"):
        quote_price(customer=world.customer, payload=payload, launch=world.launch, port="cubesat_3u")


def test_the_port_and_its_adapter_are_counted_priced_and_kept_on_the_booking(world):
    launch = _ported_launch(world, cubesat_3u=2)
    dispenser = _dispenser()
    payload = _cubesat(world, "GOMX-P1")
    quote = quote_create(
        customer=world.customer, payload=payload, actor=None, launch=launch, port="cubesat_3u"
    )
    assert quote.launch_port.kind == "cubesat_3u"
    assert quote.adapter == dispenser  # the lightest adapter that fits, by default
    assert quote.mass_kg == Decimal("5.0")  # 3 kg payload + 2 kg dispenser, not the 5 kg standard adapter
    lines = list(quote.lines.order_by("position"))
    assert (lines[0].kind, lines[0].description, lines[0].amount) == (
        QuoteLine.Kind.LAUNCH,
        "Rideshare seat to SSO: 5 kg (3 kg payload + 2 kg 3U CubeSat dispenser) × 10,000.00 USD/kg",
        Decimal("50000.00"),
    )
    assert (lines[1].kind, lines[1].description, lines[1].amount) == (
        QuoteLine.Kind.PORT,
        "3U CubeSat dispenser slot (15,000.00 USD)",
        Decimal("15000.00"),
    )
    assert quote.total == Decimal("65000.00")
    booking = booking_hold(quote=quote, actor=None)
    assert (booking.launch_port, booking.adapter, booking.mass_kg) == (
        quote.launch_port,
        dispenser,
        Decimal("5.0"),
    )


def test_an_adapter_that_does_not_fit_the_port_is_refused(world):
    launch = _ported_launch(world, cubesat_3u=2)
    ring = Adapter.objects.create(
        name="15-inch clamp band", kind="separation_system", mass_kg=Decimal("4.0"), port_kinds=["ring_15in"]
    )
    with pytest.raises(
        InvalidRequest, match="^15-inch clamp band fits 15-inch ring port, not a 3U CubeSat dispenser slot$"
    ):
        quote_price(
            customer=world.customer,
            payload=_cubesat(world, "GOMX-P1"),
            launch=launch,
            port="cubesat_3u",
            adapter=ring,
        )


def test_a_payload_too_big_or_heavy_for_the_slot_is_refused(world):
    launch = _ported_launch(world, cubesat_3u=2, ring_15in=1)
    tall = _cubesat(world, "Tall", height_m=Decimal("0.50"))
    with pytest.raises(
        Conflict,
        match="^0.1 × 0.1 × 0.5 m does not fit the 3U CubeSat dispenser slot's 0.1 × 0.1 × 0.3405 m envelope$",
    ):
        quote_price(customer=world.customer, payload=tall, launch=launch, port="cubesat_3u")
    heavy = _cubesat(world, "Heavy")
    heavy.mass_kg = Decimal("8.0")
    heavy.save()
    with pytest.raises(
        Conflict, match="^payload Heavy weighs 8 kg, more than the 6 kg a 3U CubeSat dispenser slot takes$"
    ):
        quote_price(customer=world.customer, payload=heavy, launch=launch, port="cubesat_3u")
    # The search finds the port it does fit.
    option = next(o for o in availability_search(payload=heavy).options if o.launch == launch)
    assert option.port == "ring_15in"


def test_slots_run_out_before_mass_and_free_again_when_a_booking_goes(world):
    launch = _ported_launch(world, cubesat_3u=2, ring_15in=1)
    holds = []
    for i in range(2):
        customer = CustomerFactory(name=f"Cube {i}")
        payload = _cubesat(world, f"Cube {i}", customer=customer)
        quote = quote_create(customer=customer, payload=payload, actor=None, launch=launch, port="cubesat_3u")
        holds.append(booking_hold(quote=quote, actor=None))
    late = CustomerFactory(name="Cube late")
    payload = _cubesat(world, "Cube late", customer=late)
    with pytest.raises(
        Conflict,
        match="^all 2 3U CubeSat dispenser slots on Kuaizhou-1A · SSO 500 ports are taken; still free: 1 15-inch ring port$",
    ):
        quote_create(customer=late, payload=payload, actor=None, launch=launch, port="cubesat_3u")
    assert launch_ports_taken(launch=launch, now=world.now) == {holds[0].launch_port_id: 2}
    # The fit check reads the mass and the slots in one query; it agrees with the two it replaces.
    with CaptureQueriesContext(connection) as ctx:
        taken = launch_taken(launch=launch, now=world.now)
    assert len(ctx) == 1
    assert taken.port_slots == launch_ports_taken(launch=launch, now=world.now)
    assert (
        taken.mass_kg == launch_booked_mass_kg(launch=launch, now=world.now) == sum(h.mass_kg for h in holds)
    )
    booking_cancel(booking=holds[0], actor=None)
    quote = quote_create(customer=late, payload=payload, actor=None, launch=launch, port="cubesat_3u")
    assert booking_hold(quote=quote, actor=None).launch_port.kind == "cubesat_3u"


def test_an_expired_hold_gives_its_slot_back(world):
    launch = _ported_launch(world, cubesat_3u=1)
    first = _cubesat(world, "Cube first")
    booking = booking_hold(
        quote=quote_create(
            customer=world.customer, payload=first, actor=None, launch=launch, port="cubesat_3u"
        ),
        actor=None,
    )
    later = booking.hold_expires_at + timedelta(minutes=1)
    other = CustomerFactory(name="Cube other")
    second = _cubesat(world, "Cube second", customer=other)
    quote = quote_create(
        customer=other, payload=second, actor=None, launch=launch, port="cubesat_3u", now=later
    )
    assert booking_hold(quote=quote, actor=None, now=later).launch_port == booking.launch_port


def test_a_launch_without_ports_is_limited_by_mass_alone(world):
    for i in range(12):  # more payloads than any port count: only mass limits them
        customer = CustomerFactory(name=f"Free {i}")
        payload = _cubesat(world, f"Free {i}", customer=customer)
        booking_hold(
            quote=quote_create(customer=customer, payload=payload, actor=None, launch=world.launch),
            actor=None,
        )
    assert Booking.objects.filter(launch=world.launch, launch_port__isnull=True).count() == 12
