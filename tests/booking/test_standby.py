"""Standby lists: a full launch takes names; a seat that frees up is offered, in order, to the next
ready payload that fits, held until the offer's deadline; accepted, declined or lapsed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from booking import tasks
from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, Event, Launch, Notification, StandbyEntry
from booking.selectors.capacity import launch_booked_mass_kg, launch_capacity_kg
from booking.selectors.standby import payload_readiness_refusal, standby_position, waiting_standby
from booking.services.bookings import booking_cancel, booking_confirm, bookings_release_expired
from booking.services.events import event_record
from booking.services.notifications import notifications_from_events
from booking.services.standby import (
    standby_join,
    standby_offer_accept,
    standby_offer_decline,
    standby_offers_make,
    standby_withdraw,
)
from customers.models import Customer
from tests.factories import (
    BookingFactory,
    ContractFactory,
    CustomerFactory,
    DocumentFactory,
    LaunchFactory,
    PayloadFactory,
    engine_world,
)

pytestmark = pytest.mark.django_db

Status = StandbyEntry.Status


@pytest.fixture
def world():
    w = engine_world()
    with time_machine.travel(w.now, tick=False):
        DocumentFactory(customer=w.customer, payload=w.payload)
        # 250 of the launch's 300 kg are booked: the 95 kg GOMX-5A (100 kg with its adapter) does not fit.
        w.big = BookingFactory(launch=w.launch, mass_kg=Decimal("250.0"))
        yield w


def ready_payload(world, name, *, mass_kg="20.0"):
    """A payload ready to be offered a seat: screening cleared, a document approved, a contract."""
    customer = CustomerFactory(name=f"{name} Space")
    payload = PayloadFactory(customer=customer, name=name, mass_kg=Decimal(mass_kg))
    DocumentFactory(customer=customer, payload=payload)
    ContractFactory(customer=customer, provider=world.provider, reference=f"{name}-C")
    return payload


def join(world, payload=None, **target):
    payload = payload or world.payload
    target.setdefault("launch", world.launch)
    return standby_join(customer=payload.customer, payload=payload, actor=None, **target)


def test_a_full_launch_takes_a_standby_entry_and_a_free_one_says_hold_a_seat(world):
    entry = join(world)
    assert entry.status == Status.WAITING and standby_position(entry) == 1
    assert Event.objects.filter(verb="standby.joined", subject_id=entry.pk, customer=world.customer).exists()

    with pytest.raises(Conflict, match="already on this standby list"):
        join(world)
    small = ready_payload(world, "Tiny", mass_kg="10.0")
    with pytest.raises(Conflict, match="has room for Tiny now: hold a seat instead"):
        join(world, small)


def test_a_cancellation_offers_the_seat_to_the_first_ready_payload_that_fits(world):
    first = join(world)
    second = join(world, ready_payload(world, "Second", mass_kg="196.0"))
    assert standby_position(second) == 2

    booking_cancel(booking=world.big, actor=None)
    offered = standby_offers_make(launch_id=world.launch.pk)

    assert [e.pk for e in offered] == [
        first.pk
    ]  # 300 kg free: 100 kg for the first, then 200 kg left for the 201 kg second
    first.refresh_from_db()
    assert first.status == Status.OFFERED
    booking = first.offer_booking
    assert booking.status == Booking.Status.HELD and booking.payload == world.payload
    assert first.offer_expires_at == booking.hold_expires_at == world.now + timedelta(hours=24)
    assert launch_booked_mass_kg(launch=world.launch) <= launch_capacity_kg(launch=world.launch)
    second.refresh_from_db()
    assert second.status == Status.WAITING


def test_offers_never_take_more_than_fits(world):
    entries = [join(world, ready_payload(world, f"Sat{i}", mass_kg="46.0")) for i in range(7)]
    booking_cancel(booking=world.big, actor=None)

    offered = standby_offers_make(launch_id=world.launch.pk)

    # 300 kg free, each takes 51 kg with its adapter: five fit, in the order they joined.
    assert [e.pk for e in offered] == [e.pk for e in entries[:5]]
    assert launch_booked_mass_kg(launch=world.launch) == Decimal("255.0")
    assert standby_offers_make(launch_id=world.launch.pk) == []  # a second pass offers nothing more
    assert StandbyEntry.objects.filter(status=Status.WAITING).count() == 2


def test_the_offer_notifies_the_customer(world):
    entry = join(world)
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)
    event = Event.objects.get(verb="standby.offered", subject_id=entry.pk)

    notifications_from_events(event_ids=[event.pk])

    notification = Notification.objects.get(reason=Notification.Reason.STANDBY_OFFERED)
    assert notification.customer_id == world.customer.pk
    assert "GOMX-5A" in notification.subject and world.launch.name in notification.subject
    assert notification.details["portal_link"] == "/portal/standby/"


def test_accepting_confirms_the_booking(world):
    entry = join(world)
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)
    entry.refresh_from_db()

    accepted = standby_offer_accept(entry=entry, actor=None)

    assert accepted.status == Status.ACCEPTED
    accepted.offer_booking.refresh_from_db()
    assert accepted.offer_booking.status == Booking.Status.CONFIRMED
    event = Event.objects.get(verb="standby.accepted", subject_id=entry.pk)
    assert (event.before["status"], event.after["status"]) == ("offered", "accepted")
    assert (event.launch, event.provider, event.customer) == (
        world.launch,
        world.launch.provider,
        world.customer,
    )
    with pytest.raises(Conflict, match="no open offer"):
        standby_offer_accept(entry=accepted, actor=None)


def test_declining_frees_the_seat_for_the_next_entry(world):
    first = join(world)
    second = join(world, ready_payload(world, "Second", mass_kg="196.0"))
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)
    first.refresh_from_db()

    standby_offer_decline(entry=first, actor=None)
    standby_offers_make(launch_id=world.launch.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.WITHDRAWN
    assert first.offer_booking.status == Booking.Status.CANCELLED
    assert second.status == Status.OFFERED


def test_an_offer_lapses_at_its_deadline_and_the_next_entry_is_offered(world):
    first = join(world)
    second = join(world, ready_payload(world, "Second", mass_kg="196.0"))
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)

    with time_machine.travel(world.now + timedelta(hours=24, minutes=1), tick=False):
        bookings_release_expired()
        standby_offers_make(launch_id=world.launch.pk)
        first.refresh_from_db()
        with pytest.raises(Conflict, match="no open offer"):
            standby_offer_accept(entry=first, actor=None)

    second.refresh_from_db()
    assert first.status == Status.LAPSED
    assert second.status == Status.OFFERED
    assert Event.objects.filter(verb="standby.lapsed", subject_id=first.pk).exists()


def test_payloads_not_ready_wait_and_the_next_ready_one_is_offered(world):
    pending = CustomerFactory(name="Pending Space", export_screening=Customer.ExportScreening.PENDING)
    unready = PayloadFactory(customer=pending, name="Unscreened", mass_kg=Decimal("46.0"))
    DocumentFactory(customer=pending, payload=unready)
    undocumented = PayloadFactory(
        customer=CustomerFactory(name="Paperless"), name="Paperless", mass_kg=Decimal("46")
    )
    assert "export screening is pending" in payload_readiness_refusal(payload=unready, customer=pending)
    assert "no approved document" in payload_readiness_refusal(
        payload=undocumented, customer=undocumented.customer
    )
    a = join(world, unready)
    b = join(world, undocumented)
    c = join(world)
    booking_cancel(booking=world.big, actor=None)

    offered = standby_offers_make(launch_id=world.launch.pk)

    assert [e.pk for e in offered] == [c.pk]
    assert StandbyEntry.objects.get(pk=a.pk).status == Status.WAITING
    assert StandbyEntry.objects.get(pk=b.pk).status == Status.WAITING


def test_an_orbit_entry_is_offered_a_launch_that_slips_into_its_dates(world):
    other = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 later",
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.now.replace(microsecond=0) + timedelta(days=40),
    )
    wanted_from = (world.now + timedelta(days=30)).date()
    entry = standby_join(
        customer=world.customer,
        payload=world.payload,
        actor=None,
        inclination_min_deg=Decimal("97"),
        inclination_max_deg=Decimal("98"),
        earliest_date=wanted_from,
        latest_date=wanted_from + timedelta(days=20),
    )
    assert entry.launch is None and entry.orbit_family == "SSO" and entry.altitude_km == 500
    assert standby_offers_make(launch_id=world.launch.pk) == []  # full, and before the dates anyway
    assert [e.pk for e in standby_offers_make(launch_id=other.pk)] == [entry.pk]


def test_an_orbit_entry_refuses_an_orbit_other_than_the_payloads(world):
    with pytest.raises(InvalidRequest, match="registered for SSO 500 km"):
        standby_join(customer=world.customer, payload=world.payload, actor=None, orbit_family="LEO")
    with pytest.raises(InvalidRequest, match="earliest date is after the latest"):
        standby_join(
            customer=world.customer,
            payload=world.payload,
            actor=None,
            earliest_date=date(2030, 2, 1),
            latest_date=date(2030, 1, 1),
        )


def test_a_launch_slipped_into_an_entrys_dates_gets_a_pass_after_commit(
    world, django_capture_on_commit_callbacks
):
    later = world.now.replace(microsecond=0) + timedelta(days=60)
    target = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 slipping",
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.now.replace(microsecond=0) + timedelta(days=12),
    )
    entry = standby_join(
        customer=world.customer,
        payload=world.payload,
        actor=None,
        earliest_date=(later - timedelta(days=5)).date(),
    )
    assert standby_offers_make(launch_id=target.pk) == []  # before the dates

    # What a slip writes (``scheduling.launch_slip``: the window and its Event, in one transaction).
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Launch.objects.filter(pk=target.pk).update(
            window_start=later, window_end=later + timedelta(hours=2), net=later
        )
        event_record(
            verb="launch.slipped", subject=target, actor=None, launch=target, provider=world.provider
        )

    entry.refresh_from_db()
    assert entry.status == Status.OFFERED and entry.offer_booking.launch_id == target.pk


def test_a_cancellation_runs_a_pass_after_commit(world, django_capture_on_commit_callbacks):
    entry = join(world)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=world.big, actor=None)
    entry.refresh_from_db()
    assert entry.status == Status.OFFERED


def test_the_sweep_settles_and_offers_what_a_lost_task_missed(world):
    entry = join(world)
    booking_cancel(booking=world.big, actor=None)  # no on-commit pass in this test: as if the task was lost

    assert tasks.standby_sweep() >= 1

    entry.refresh_from_db()
    assert entry.status == Status.OFFERED


def test_withdrawing_an_offered_entry_cancels_its_hold(world):
    entry = join(world)
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)
    entry.refresh_from_db()

    standby_withdraw(entry=entry, actor=None)

    entry.refresh_from_db()
    assert entry.status == Status.WITHDRAWN
    assert entry.offer_booking.status == Booking.Status.CANCELLED
    with pytest.raises(Conflict, match="only a waiting or offered entry"):
        standby_withdraw(entry=entry, actor=None)


def test_a_payload_booked_otherwise_leaves_the_list_fulfilled(world):
    entry = join(world)
    other = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site)
    BookingFactory(launch=other, customer=world.customer, payload=world.payload, mass_kg=Decimal("100.0"))
    booking_cancel(booking=world.big, actor=None)

    assert standby_offers_make(launch_id=world.launch.pk) == []

    entry.refresh_from_db()
    assert entry.status == Status.FULFILLED


def test_waiting_standby_for_a_provider_lists_its_launches_and_orbit_entries(world):
    on_launch = join(world)
    orbiter = ready_payload(world, "Orbiter", mass_kg="120")
    orbit = standby_join(customer=orbiter.customer, payload=orbiter, actor=None)
    elsewhere = LaunchFactory(orbit_family="LEO", altitude_km=550, inclination_deg=Decimal("53"))
    leo = PayloadFactory(name="Leo", orbit_family="LEO", altitude_km=550, inclination_deg=Decimal("53"))
    BookingFactory(launch=elsewhere, mass_kg=Decimal("1.0"))
    standby_join(customer=leo.customer, payload=leo, actor=None)

    assert list(waiting_standby(provider=world.provider)) == [on_launch, orbit]
    assert waiting_standby().count() == 3


def test_confirming_the_offered_booking_directly_accepts_the_offer(world):
    entry = join(world)
    booking_cancel(booking=world.big, actor=None)
    standby_offers_make(launch_id=world.launch.pk)
    entry.refresh_from_db()

    booking_confirm(booking=entry.offer_booking, actor=None)
    standby_offers_make(launch_id=world.launch.pk)  # the pass booking.confirmed runs after commit

    entry.refresh_from_db()
    assert entry.status == Status.ACCEPTED
    assert Event.objects.filter(
        verb="standby.accepted", subject_id=entry.pk, actor_label="standby list"
    ).exists()
