"""A launch's ports, edited in the admin: never fewer slots than are taken, no removing a booked
port, and rebooking offers only launches with the booking's port kind."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from booking.errors import Conflict
from booking.models import Event, LaunchPort
from booking.selectors.availability import rebook_options
from booking.services.bookings import booking_hold
from booking.services.ports import launch_port_delete, launch_port_save
from booking.services.quotes import quote_create
from tests.factories import CustomerFactory, LaunchFactory, PayloadFactory, engine_world

pytestmark = pytest.mark.django_db


def _port(launch, kind, count):
    return LaunchPort.objects.create(
        launch=launch,
        kind=kind,
        count=count,
        max_mass_kg=Decimal("12.00"),
        envelope_length_m=Decimal("0.100"),
        envelope_width_m=Decimal("0.2263"),
        envelope_height_m=Decimal("0.366"),
    )


def _launch(world, name, days, **counts):
    launch = LaunchFactory(
        name=name,
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.now.replace(microsecond=0) + timedelta(days=days),
    )
    for kind, count in counts.items():
        _port(launch, kind, count)
    return launch


def _hold(launch, n, kind="cubesat_6u"):
    holds = []
    for i in range(n):
        customer = CustomerFactory(name=f"Cube {kind} {i} {launch.pk}")
        payload = PayloadFactory(
            customer=customer,
            name=f"Cube {kind} {i} {launch.pk}",
            mass_kg=Decimal("3.0"),
            length_m=Decimal("0.10"),
            width_m=Decimal("0.20"),
            height_m=Decimal("0.34"),
        )
        quote = quote_create(customer=customer, payload=payload, actor=None, launch=launch, port=kind)
        holds.append(booking_hold(quote=quote, actor=None))
    return holds


@pytest.fixture
def world():
    return engine_world()


@pytest.fixture
def ported(world):
    launch = _launch(world, "Kuaizhou-1A · ports", 12, cubesat_6u=4)
    _hold(launch, 3)
    return launch


def test_the_count_cannot_go_below_the_slots_taken(ported):
    port = ported.ports.get()
    port.count = 2
    with pytest.raises(Conflict) as refused:
        launch_port_save(port=port, actor=None)
    assert refused.value.message == (
        "3 of the 4 6U CubeSat dispenser slots on Kuaizhou-1A · ports are taken: the count cannot go below 3"
    )
    assert LaunchPort.objects.get(pk=port.pk).count == 4
    port.count = 3
    launch_port_save(port=port, actor=None)
    assert LaunchPort.objects.get(pk=port.pk).count == 3
    assert Event.objects.get(verb="launch.port_changed").after == {"count": 3}


def test_a_port_with_bookings_on_it_is_not_removed_and_an_unused_one_is(world, ported):
    port = ported.ports.get()
    with pytest.raises(Conflict, match="3 of the 4 6U CubeSat dispenser slots .* cannot be removed"):
        launch_port_delete(port=port, actor=None)
    assert LaunchPort.objects.filter(pk=port.pk).exists()
    spare = _port(ported, "cubesat_12u", 1)
    launch_port_delete(port=spare, actor=None)
    assert not LaunchPort.objects.filter(pk=spare.pk).exists()
    assert Event.objects.filter(verb="launch.port_removed").count() == 1


def test_a_port_bookings_name_keeps_its_kind(ported):
    port = ported.ports.get()
    port.kind = "cubesat_12u"
    with pytest.raises(
        Conflict,
        match="^3 bookings and 3 quotes name the 4 6U CubeSat dispenser slots on Kuaizhou-1A · ports: it cannot become 4 12U",
    ):
        launch_port_save(port=port, actor=None)
    assert LaunchPort.objects.get(pk=port.pk).kind == "cubesat_6u"


def _inline_post(client, launch, **row):
    port = launch.ports.get()
    url = reverse("admin:booking_launch_change", args=[launch.pk])
    page = client.get(url)
    assert page.status_code == 200
    [formset] = [f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is LaunchPort]
    prefix = formset.prefix
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": str(port.pk),
        f"{prefix}-0-launch": str(launch.pk),
        f"{prefix}-0-kind": port.kind,
        f"{prefix}-0-count": str(port.count),
        f"{prefix}-0-max_mass_kg": str(port.max_mass_kg),
        f"{prefix}-0-envelope_length_m": str(port.envelope_length_m),
        f"{prefix}-0-envelope_width_m": str(port.envelope_width_m),
        f"{prefix}-0-envelope_height_m": str(port.envelope_height_m),
        f"{prefix}-0-price": str(port.price),
        f"{prefix}-0-currency": port.currency,
    }
    for other in page.context["inline_admin_formsets"]:
        management = other.formset.management_form
        if other.formset.model is not LaunchPort:
            for name in management.fields:
                data[management.add_prefix(name)] = management[name].value()
            for i, form in enumerate(other.formset.initial_forms):
                data[f"{other.formset.prefix}-{i}-id"] = str(form.instance.pk)
    data.update({f"{prefix}-0-{k}": v for k, v in row.items()})
    return client.post(url, data)


def test_the_launch_admin_inline_refuses_with_the_figures_and_saves_through_the_service(ported, client):
    User.objects.create_superuser("boss", "boss@example.com", "pw")
    client.login(username="boss", password="pw")
    answer = _inline_post(client, ported, count="1")
    assert answer.status_code == 200
    assert (
        "3 of the 4 6U CubeSat dispenser slots on Kuaizhou-1A · ports are taken: the count cannot go below 3"
        in (answer.content.decode())
    )
    answer = _inline_post(client, ported, DELETE="on")
    assert answer.status_code == 200 and "cannot be removed" in answer.content.decode()
    assert ported.ports.get().count == 4
    answer = _inline_post(client, ported, count="6")
    assert answer.status_code == 302
    assert ported.ports.get().count == 6
    event = Event.objects.get(verb="launch.port_changed")
    assert event.after == {"count": 6} and event.actor.username == "boss"
    assert not Event.objects.filter(verb="admin.launchport.changed").exists()


def test_rebook_options_leave_out_launches_without_the_bookings_port_kind(world):
    source = _launch(world, "Kuaizhou-1A · 6U source", 12, cubesat_6u=2)
    with_kind = _launch(world, "Kuaizhou-1A · 6U target", 20, cubesat_6u=2)
    without = _launch(world, "Kuaizhou-1A · 12U only", 25, cubesat_12u=2)
    [booking] = _hold(source, 1)
    found = rebook_options(booking=booking)
    launches = {o.launch for o in found.options}
    assert with_kind in launches
    assert without not in launches
    assert (
        f"Kuaizhou-1A · 12U only has no 6U CubeSat dispenser slots for payload {booking.payload.name}"
        in found.reasons
    )


def test_a_rebook_option_is_priced_on_the_port_kind_the_booking_keeps(world):
    source = _launch(world, "Kuaizhou-1A · 6U source", 12, cubesat_6u=2)
    # The target's cheap 12U dispenser comes first and would take the payload too: the move keeps the
    # booking's 6U kind, and the option shows the 6U price.
    target = _launch(world, "Kuaizhou-1A · mixed", 20, cubesat_6u=2, cubesat_12u=2)
    assert [port.kind for port in target.ports.all()] == ["cubesat_12u", "cubesat_6u"]
    LaunchPort.objects.filter(launch=target, kind="cubesat_12u").update(price=Decimal("1000.00"))
    LaunchPort.objects.filter(launch=target, kind="cubesat_6u").update(price=Decimal("9000.00"))
    [booking] = _hold(source, 1)
    [option] = [o for o in rebook_options(booking=booking).options if o.launch == target]
    assert option.port == "cubesat_6u"
    on_6u = quote_create(
        customer=booking.customer, payload=booking.payload, actor=None, launch=target, port="cubesat_6u"
    )
    assert option.price == on_6u.total
