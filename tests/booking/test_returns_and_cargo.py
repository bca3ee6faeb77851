"""Returnable payloads and station cargo: up-mass, return mass and waste are separate figures; a
returnable booking brings the capsule's steps to the launch's plan whenever it is booked and must fit
the capsule; a cargo mission's manifest stays within its programme's limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from booking.errors import Conflict, InvalidRequest
from booking.models import Event, PlanStep
from booking.rules.cargo import ProgrammeLimits, return_mass_problems
from booking.services import checks, readiness
from booking.services.bookings import booking_hold
from booking.services.payloads import cargo_item_add, cargo_item_remove, payload_create, payload_update
from booking.services.quotes import quote_create
from customers.models import CargoItem, CargoProgramme
from customers.programmes import install_cargo_programmes
from tests.factories import BookingFactory, LaunchFactory, PayloadFactory, engine_world

pytestmark = pytest.mark.django_db

CMSA = ProgrammeLimits(
    "CMSA commercial cargo", Decimal("1000"), Decimal("4000"), Decimal("100"), Decimal("300")
)


# --- the rule ------------------------------------------------------------------------------------


def test_a_returnable_payload_states_its_return_mass():
    assert return_mass_problems(
        returnable=True, mass_kg=Decimal("220"), return_mass_kg=None, programme=None
    ) == {
        "return_mass_kg": "A returnable payload states its return mass: what comes back in the capsule, in kg."
    }
    assert (
        return_mass_problems(
            returnable=True, mass_kg=Decimal("220"), return_mass_kg=Decimal("150"), programme=None
        )
        == {}
    )


def test_a_payload_that_stays_up_has_no_return_mass():
    problems = return_mass_problems(
        returnable=False, mass_kg=Decimal("95"), return_mass_kg=Decimal("10"), programme=None
    )
    assert problems["return_mass_kg"].startswith("A return mass (10 kg) belongs to a returnable payload")


def test_a_satellite_cannot_bring_back_more_than_it_weighs():
    problems = return_mass_problems(
        returnable=True, mass_kg=Decimal("220"), return_mass_kg=Decimal("250"), programme=None
    )
    assert problems["return_mass_kg"].startswith("The return mass 250 kg is more than the payload's 220 kg")


def test_a_cargo_mission_keeps_the_programmes_ranges():
    assert return_mass_problems(
        returnable=True, mass_kg=Decimal("900"), return_mass_kg=Decimal("350"), programme=CMSA
    ) == {
        "mass_kg": "CMSA commercial cargo carries 1,000 kg to 4,000 kg up; this mission's up-mass is 900 kg.",
        "return_mass_kg": "CMSA commercial cargo brings 100 kg to 300 kg back; this mission's return mass is 350 kg.",
    }
    # Station cargo's return is its own figure: more than the up-mass is no problem under a programme.
    assert (
        return_mass_problems(
            returnable=True, mass_kg=Decimal("1200"), return_mass_kg=Decimal("250"), programme=CMSA
        )
        == {}
    )


# --- payloads and manifests ----------------------------------------------------------------------


@pytest.fixture
def world():
    w = engine_world()  # the shipped templates, campaign minimums set to 0 for a launch 10 days out
    with time_machine.travel(w.now, tick=False):
        yield w


@pytest.fixture
def programme():
    # The shipped row from CMSA's call (seed article 002), as the migration installs it.
    install_cargo_programmes(CargoProgramme)
    return CargoProgramme.objects.get(slug="cmsa-station-cargo")


def cargo_payload(world, programme, **values):
    fields = {
        "name": "Station cargo capsule",
        "mass_kg": Decimal("1200.0"),
        "orbit_family": "SSO",
        "altitude_km": 500,
        "returnable": True,
        "return_mass_kg": Decimal("250.0"),
        "cargo_programme": programme,
    }
    fields.update(values)
    return PayloadFactory(customer=world.customer, **fields)


def test_the_shipped_programme_is_cmsas_call(programme):
    assert (programme.up_mass_min_kg, programme.up_mass_max_kg) == (Decimal("1000.0"), Decimal("4000.0"))
    assert (programme.return_mass_min_kg, programme.return_mass_max_kg) == (
        Decimal("100.0"),
        Decimal("300.0"),
    )
    assert "CMSA" in programme.source


def test_registering_a_cargo_mission_below_the_programmes_up_mass_is_refused(world, programme):
    with pytest.raises(InvalidRequest) as refused:
        payload_create(
            customer=world.customer,
            actor=world.user,
            name="Too light",
            mass_kg=Decimal("900.0"),
            orbit_family="SSO",
            altitude_km=500,
            returnable=True,
            return_mass_kg=Decimal("200.0"),
            cargo_programme=programme,
        )
    assert refused.value.message == (
        "CMSA commercial cargo to the space station carries 1,000 kg to 4,000 kg up; "
        "this mission's up-mass is 900 kg."
    )


def test_a_returnable_payload_is_registered_with_its_own_return_mass(world):
    payload = payload_create(
        customer=world.customer,
        actor=world.user,
        name="Zengzhang-1",
        mass_kg=Decimal("220.0"),
        orbit_family="SSO",
        altitude_km=500,
        returnable=True,
        return_mass_kg=Decimal("120.0"),
    )
    assert (payload.mass_kg, payload.return_mass_kg) == (Decimal("220.0"), Decimal("120.0"))
    with pytest.raises(InvalidRequest, match="states its return mass"):
        payload_update(payload=payload, actor=world.user, return_mass_kg=None)


def test_a_manifest_fits_the_missions_up_and_return_mass(world, programme):
    payload = cargo_payload(world, programme)
    cargo_item_add(
        payload=payload,
        actor=world.user,
        direction="up",
        name="Crew food",
        mass_kg=Decimal("700"),
        priority=1,
    )
    cargo_item_add(
        payload=payload, actor=world.user, direction="up", name="Experiment racks", mass_kg=Decimal("450")
    )
    with pytest.raises(InvalidRequest) as refused:
        cargo_item_add(
            payload=payload, actor=world.user, direction="up", name="Spare pump", mass_kg=Decimal("80")
        )
    assert refused.value.message == (
        "Station cargo capsule: The items up weigh 1,230 kg, more than the mission's up-mass of 1,200 kg (30 kg over)."
    )
    cargo_item_add(
        payload=payload, actor=world.user, direction="down", name="Samples", mass_kg=Decimal("240")
    )
    with pytest.raises(
        InvalidRequest,
        match=r"items back to Earth weigh 260 kg, more than the mission's return mass of 250 kg",
    ):
        cargo_item_add(
            payload=payload, actor=world.user, direction="down", name="Film", mass_kg=Decimal("20")
        )
    # Waste burns up with the vehicle: it has its own figure and does not count against either.
    cargo_item_add(
        payload=payload, actor=world.user, direction="waste", name="Packaging", mass_kg=Decimal("600")
    )
    assert list(payload.cargo_items.values_list("direction", "name")) == [
        ("down", "Samples"),
        ("up", "Crew food"),
        ("up", "Experiment racks"),
        ("waste", "Packaging"),
    ]
    assert Event.objects.filter(verb="payload.cargo_added", subject_id=payload.pk).count() == 4
    cargo_item_remove(item=payload.cargo_items.get(name="Samples"), actor=world.user)
    assert not CargoItem.objects.filter(name="Samples").exists()


def test_only_a_cargo_mission_carries_a_manifest(world):
    with pytest.raises(InvalidRequest, match="Only a cargo mission"):
        cargo_item_add(
            payload=world.payload, actor=world.user, direction="up", name="Box", mass_kg=Decimal("5")
        )


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"direction": "sideways"}, "goes up, down, waste, not 'sideways'"),
        ({"mass_kg": Decimal("0")}, "mass must be above 0 kg"),
        ({"priority": 9}, "priority runs from 1 \\(flies first\\) to 5, not 9"),
    ],
)
def test_a_bad_manifest_line_is_refused_in_words(world, programme, values, words):
    line = {"direction": "up", "name": "Box", "mass_kg": Decimal("5"), "priority": 3, **values}
    with pytest.raises(InvalidRequest, match=words):
        cargo_item_add(payload=cargo_payload(world, programme), actor=world.user, **line)


# --- booking a returnable payload ----------------------------------------------------------------


def hold(world, payload):
    quote = quote_create(customer=world.customer, payload=payload, actor=world.user, launch=world.launch)
    return booking_hold(quote=quote, actor=world.user)


def returnable(world, name="Zengzhang-1", mass="60.0", back="60.0"):
    return PayloadFactory(
        customer=world.customer,
        name=name,
        mass_kg=Decimal(mass),
        returnable=True,
        return_mass_kg=Decimal(back),
    )


def test_a_launch_without_a_return_capsule_refuses_a_returnable_payload(world):
    with pytest.raises(Conflict) as refused:
        hold(world, returnable(world))
    assert (
        refused.value.message
        == "Kuaizhou-1A KZ1A-Y7 flies no return capsule; Zengzhang-1 brings 60 kg back to Earth"
    )


def test_the_return_mass_booked_must_fit_the_capsule(world):
    world.vehicle_model.return_capsule_kg = Decimal("100.0")
    world.vehicle_model.save(update_fields=["return_capsule_kg"])
    hold(world, returnable(world, "First", mass="65.0", back="60.0"))
    with pytest.raises(Conflict) as refused:
        hold(world, returnable(world, "Second", mass="55.0", back="50.0"))
    assert refused.value.message == (
        "return mass 50 kg with the 60 kg already booked to come back exceeds the 100 kg the return capsule "
        "on Kuaizhou-1A KZ1A-Y7 brings back (40 kg left)"
    )
    # The up-mass is not the return mass: a 75 kg payload bringing 40 kg back still fits.
    hold(world, returnable(world, "Third", mass="75.0", back="40.0"))


def test_booking_a_returnable_payload_adds_the_capsules_steps_to_the_plan(world):
    world.vehicle_model.return_capsule_kg = Decimal("300.0")
    world.vehicle_model.save(update_fields=["return_capsule_kg"])
    plan = readiness.plan_start(launch=world.launch, actor=None)  # made at scheduling, nothing booked
    assert plan.template.slug == "standard-campaign"
    assert not plan.steps.filter(code__in=["return-mass", "capsule-recovery"]).exists()

    hold(world, returnable(world))

    codes = list(plan.steps.order_by("position").values_list("code", flat=True))
    assert codes.index("return-mass") < codes.index("launch-readiness-review")
    assert codes[-1] == "capsule-recovery"
    assert list(plan.steps.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(codes) + 1)
    )
    step = plan.steps.get(code="return-mass")
    assert step.check_name == "return_mass_within_limit" and step.blocking
    assert step.due_at <= world.launch.window_start
    assert step.due_at >= world.now  # never due in the past
    assert Event.objects.filter(verb="readiness.steps_added").count() == 1
    # A second returnable payload finds the steps there already.
    hold(world, returnable(world, "Zengzhang-2"))
    assert plan.steps.filter(code="return-mass").count() == 1
    assert checks.check_return_mass_within_limit(launch=world.launch, step=step, now=world.now) == (
        True,
        "return mass 120.0 kg of 300.0 kg",
    )


def test_a_payload_that_stays_up_leaves_the_plan_alone(world):
    plan = readiness.plan_start(launch=world.launch, actor=None)
    before = plan.steps.count()
    hold(world, world.payload)
    assert plan.steps.count() == before


# --- waste for deorbit: a planned step with its mass -----------------------------------------------


def test_the_waste_step_checks_the_manifested_waste_and_its_mass(world, programme):
    launch = LaunchFactory(
        vehicle_model=world.vehicle_model, site=world.site, window_start=world.launch.window_start
    )
    plan = readiness.plan_start(
        launch=launch, actor=None, template=readiness.template_for(service_level="standard", returnable=True)
    )
    step = plan.steps.get(code="waste-deorbit")
    assert step.kind == PlanStep._meta.get_field("kind").choices[1][0]  # automatic, no longer a bare sign-off
    assert step.check_name == "waste_manifested"
    payload = cargo_payload(world, programme)
    BookingFactory(launch=launch, customer=world.customer, payload=payload)
    assert checks.check_waste_manifested(launch=launch, step=step, now=world.now) == (
        False,
        "no station waste is manifested for deorbit yet",
    )
    cargo_item_add(payload=payload, actor=None, direction="waste", name="Packaging", mass_kg=Decimal("520"))
    cargo_item_add(
        payload=payload, actor=None, direction="waste", name="Used filters", mass_kg=Decimal("300")
    )
    assert checks.check_waste_manifested(launch=launch, step=step, now=world.now) == (
        True,
        "820.0 kg of station waste in 2 items manifested for deorbit",
    )
