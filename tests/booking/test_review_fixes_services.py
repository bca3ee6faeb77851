"""Fixes from the services review: bookings fly at lift-off, nothing is sold or moved on a launch
that no longer sells, slips and scrubs re-check the launch under the lock, one lock order for
payments, and no queries per row in the loops."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, Event, Launch, Quote
from booking.selectors.availability import availability_search
from booking.selectors.contracts import booking_milestones
from booking.selectors.fit import launch_selling_refusal, launches_selling_q
from booking.services import bookings as booking_services
from booking.services import scheduling
from booking.services.bookings import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_manifest,
    booking_rebook,
    launch_bookings_fly,
    payment_milestone_mark_paid,
)
from booking.services.quotes import quote_create, quotes_expire
from booking.services.scheduling import launch_schedule, launch_scrub, launch_slip
from booking.workflows.launch_lifecycle import launch_mark_launched
from tests.factories import (
    DedicatedPriceFactory,
    LaunchFactory,
    LaunchSiteFactory,
    PayloadFactory,
    UserFactory,
    VehicleModelFactory,
    engine_world,
    schedule_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = engine_world()
    with time_machine.travel(w.now, tick=False):
        yield w


def held(world, payload=None, launch=None):
    quote = quote_create(
        customer=world.customer,
        payload=payload or world.payload,
        actor=world.user,
        launch=launch or world.launch,
    )
    return booking_hold(quote=quote, actor=world.user)


def confirmed(world, payload=None, launch=None):
    return booking_confirm(booking=held(world, payload, launch), actor=world.user)


def another_payload(world, name):
    return PayloadFactory(customer=world.customer, name=name, mass_kg=Decimal("95.0"))


@pytest.fixture
def later_launch(world):
    return LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Kuaizhou-1A · SSO 500 rideshare 2",
        window_start=world.launch.window_start + timedelta(days=20),
    )


# --- 1. bookings fly at lift-off; nothing is cancelled or moved after it --------------------------


def test_lift_off_flies_confirmed_and_manifested_bookings_and_lapses_holds(world):
    on_manifest = confirmed(world)
    booking_manifest(booking=on_manifest, actor=world.user)
    confirmed_only = confirmed(world, payload=another_payload(world, "GOMX-5B"))
    still_held = held(world, payload=another_payload(world, "GOMX-5C"))
    Launch.objects.filter(pk=world.launch.pk).update(status=Launch.Status.GO)

    launch_mark_launched(launch=world.launch, actor=world.user)

    statuses = dict(Booking.objects.values_list("reference", "status"))
    assert statuses == {
        on_manifest.reference: Booking.Status.FLOWN,
        confirmed_only.reference: Booking.Status.FLOWN,
        still_held.reference: Booking.Status.EXPIRED,
    }
    assert Event.objects.filter(verb="booking.flown").count() == 2
    assert Event.objects.get(verb="booking.expired").message == (
        f"The hold on {still_held.reference} lapsed: {world.launch.name} lifted off before it was confirmed"
    )
    with pytest.raises(
        Conflict, match=f"^booking {confirmed_only.reference} has flown: a flown booking cannot be cancelled$"
    ):
        booking_cancel(booking=confirmed_only, actor=world.user)


def test_a_booking_on_a_launch_that_lifted_off_cannot_be_cancelled_or_rebooked(world, later_launch):
    booking = confirmed(world)
    Launch.objects.filter(pk=world.launch.pk).update(status=Launch.Status.SUCCESS)
    with pytest.raises(
        Conflict, match=f"^{world.launch.name} has launched; a flown booking cannot be cancelled$"
    ):
        booking_cancel(booking=booking, actor=world.user)
    with pytest.raises(
        Conflict, match=f"^{world.launch.name} has launched; a flown booking cannot be rebooked$"
    ):
        booking_rebook(booking=booking, launch=later_launch, actor=world.user)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert not Booking.objects.filter(rebooked_from=booking).exists()


def test_a_booking_on_a_scrubbed_launch_can_still_be_moved_or_cancelled(world, later_launch):
    """A scrub is not a flight: rebooking is the remedy for it, so it stays open."""
    moved = confirmed(world)
    cancelled = confirmed(world, payload=another_payload(world, "GOMX-5B"))
    Launch.objects.filter(pk=world.launch.pk).update(status=Launch.Status.SCRUBBED)
    new = booking_rebook(booking=moved, launch=later_launch, actor=world.user)
    assert new.launch == later_launch and new.status == Booking.Status.CONFIRMED
    assert booking_cancel(booking=cancelled, actor=world.user).status == Booking.Status.CANCELLED


# --- 2. confirm only while the launch still sells -----------------------------------------------


def test_confirm_refuses_a_scrubbed_launch(world):
    booking = held(world)
    Launch.objects.filter(pk=world.launch.pk).update(status=Launch.Status.SCRUBBED)
    with pytest.raises(
        Conflict,
        match=f"^booking {booking.reference} cannot be confirmed: {world.launch.name} is scrubbed: "
        "it can no longer be booked$",
    ):
        booking_confirm(booking=booking, actor=world.user)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD and not booking_milestones(booking).exists()


def test_confirm_refuses_a_launch_past_its_net(world):
    soon = world.now.replace(microsecond=0) + timedelta(minutes=10)
    Launch.objects.filter(pk=world.launch.pk).update(
        window_start=soon, net=soon, window_end=soon + timedelta(hours=2)
    )
    world.launch.refresh_from_db()
    booking = held(world)  # holds for 30 minutes: still held when the NET passes
    with pytest.raises(
        Conflict,
        match=f"^booking {booking.reference} cannot be confirmed: {world.launch.name} had its NET at "
        f"{soon:%Y-%m-%d %H:%M} UTC: it can no longer be booked$",
    ):
        booking_confirm(booking=booking, actor=world.user, now=soon + timedelta(minutes=5))


# --- 3. slip and scrub re-check the launch under the lock ------------------------------------------

NOW = datetime(2030, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def fleet():
    return schedule_world()


def schedule_on_tel(fleet, name="KZ1A"):
    start = NOW + timedelta(days=10)
    return launch_schedule(
        provider=fleet.provider,
        vehicle_model=fleet.model,
        site=fleet.jiuquan,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=Decimal("97.40"),
        window_start=start,
        window_end=start + timedelta(hours=2),
        actor=None,
        vehicle=fleet.rockets[0],
        platform=fleet.tel1,
        name=name,
        now=NOW,
    )


def changed_while_waiting_for_the_lock(monkeypatch, launch, status):
    """Saleor-style: another transaction commits ``status`` while this one waits for the platform."""
    real_lock = scheduling._lock

    def lock_then_someone_else_wins(resource):
        real_lock(resource)
        Launch.objects.filter(pk=launch.pk).update(status=status)

    monkeypatch.setattr(scheduling, "_lock", lock_then_someone_else_wins)


def test_a_slip_racing_a_scrub_is_refused_on_the_locked_row(fleet, monkeypatch):
    launch = schedule_on_tel(fleet)
    changed_while_waiting_for_the_lock(monkeypatch, launch, Launch.Status.SCRUBBED)
    with pytest.raises(Conflict, match="^KZ1A is scrubbed; it cannot slip.$"):
        launch_slip(launch=launch, window_start=launch.window_start + timedelta(days=1), actor=None, now=NOW)
    assert not Event.objects.filter(verb="launch.slipped").exists()


def test_a_scrub_racing_lift_off_is_refused_on_the_locked_row(fleet, monkeypatch):
    launch = schedule_on_tel(fleet)
    changed_while_waiting_for_the_lock(monkeypatch, launch, Launch.Status.LAUNCHED)
    with pytest.raises(Conflict, match="^KZ1A is launched; it cannot be scrubbed.$"):
        launch_scrub(launch=launch, actor=None, reason="weather", now=NOW)
    assert not Event.objects.filter(verb="launch.scrubbed").exists()


def test_no_launch_slips_into_the_past(fleet):
    start = NOW + timedelta(days=5)
    on_pad = launch_schedule(
        provider=fleet.provider,
        vehicle_model=fleet.pad_model,
        site=fleet.taiyuan,
        orbit_family="SSO",
        altitude_km=500,
        inclination_deg=Decimal("97.40"),
        window_start=start,
        window_end=start + timedelta(hours=2),
        actor=None,
        pad=fleet.pad,
        name="CZ6",
        now=NOW,
    )
    with pytest.raises(
        InvalidRequest,
        match="^A launch can only slip to a window that opens in the future \\(it is 2030-03-01 00:00 UTC now\\).$",
    ):
        launch_slip(launch=on_pad, window_start=NOW - timedelta(hours=1), actor=None, now=NOW)
    on_pad.refresh_from_db()
    assert on_pad.window_start == start


# --- 4. paying a milestone locks the booking first ---------------------------------------------


def test_paying_a_milestone_that_a_cancel_dropped_says_so(world):
    booking = confirmed(world)
    deposit = booking_milestones(booking).first()
    booking_cancel(booking=booking, actor=world.user)
    with pytest.raises(
        Conflict, match=f"^{re.escape(deposit.label)} is no longer due: its booking was cancelled or moved$"
    ):
        payment_milestone_mark_paid(milestone=deposit, actor=world.user)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_paying_while_a_cancel_drops_the_milestones_waits_for_it_and_never_deadlocks(monkeypatch):
    """Cancel holds the booking and is about to delete its milestones; the payment arrives.

    Locking the milestone first (the old order) deadlocks with the cancel's delete, and one of
    them fails as busy. Booking first, the payment waits, then finds the milestone gone.
    """
    w = engine_world()
    booking = booking_confirm(
        booking=booking_hold(
            quote=quote_create(customer=w.customer, payload=w.payload, actor=w.user, launch=w.launch),
            actor=w.user,
        ),
        actor=w.user,
    )
    deposit = booking_milestones(booking).first()
    booking_locked, payment_started = threading.Event(), threading.Event()
    real_drop = booking_services._drop_unpaid_milestones

    def drop_after_the_payment_arrives(locked_booking):
        booking_locked.set()
        assert payment_started.wait(timeout=10)
        threading.Event().wait(0.5)  # the payment is now waiting on its first lock
        return real_drop(locked_booking)

    monkeypatch.setattr(booking_services, "_drop_unpaid_milestones", drop_after_the_payment_arrives)
    results: dict = {}

    def cancel():
        try:
            results["cancel"] = booking_cancel(booking=booking, actor=None)
        except BaseException as exc:  # surfaced by the assertions below
            results["cancel"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=cancel)
    thread.start()
    assert booking_locked.wait(timeout=10)
    payment_started.set()
    with pytest.raises(Conflict) as refused:
        payment_milestone_mark_paid(milestone=deposit, actor=None)
    thread.join(timeout=20)
    assert isinstance(results["cancel"], Booking), results["cancel"]
    assert str(refused.value) == f"{deposit.label} is no longer due: its booking was cancelled or moved"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.amount_paid == Decimal("0.00")


# --- 5. no queries per row --------------------------------------------------------------------


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_quotes_expire_costs_the_same_per_quote_whatever_it_reads(world):
    def expire_quotes(count):
        for _ in range(count):
            quote_create(customer=world.customer, payload=world.payload, actor=None, launch=world.launch)
        later = world.now + timedelta(days=4)
        return queries(lambda: quotes_expire(now=later)), Quote.objects.filter(status="expired").count()

    one, _ = expire_quotes(1)
    three, expired = expire_quotes(3)
    assert expired == 4
    assert three - one == 2 * 2  # per quote: its UPDATE and its Event, nothing read


def test_lift_off_reads_no_customer_per_booking(world):
    def fly(count, name):
        launch = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name=name)
        for n in range(count):
            confirmed(world, payload=another_payload(world, f"{name}-{n}"), launch=launch)
        Launch.objects.filter(pk=launch.pk).update(status=Launch.Status.LAUNCHED)
        return queries(lambda: launch_bookings_fly(launch=launch, actor=None))

    assert fly(3, "three") - fly(1, "one") == 2 * 2  # per booking: its UPDATE and its Event


def test_availability_search_query_count_does_not_grow_with_the_fleet(world, django_assert_max_num_queries):
    LaunchSiteFactory(name="Wenchang", code="WSLC", latitude=Decimal("19.61"), longitude=Decimal("110.95"))

    def grow(index):
        model = VehicleModelFactory(provider=world.provider, name=f"Model {index}", slug=f"model-{index}")
        DedicatedPriceFactory(vehicle_model=model, currency="CNY")
        LaunchFactory(
            vehicle_model=world.vehicle_model,
            site=world.site,
            name=f"Rideshare {index}",
            window_start=world.launch.window_start + timedelta(days=index),
        )

    grow(1)
    small = queries(lambda: availability_search(payload=world.payload, now=world.now, currency="EUR"))
    for index in range(2, 7):
        grow(index)
    with django_assert_max_num_queries(small):
        result = availability_search(payload=world.payload, now=world.now, currency="EUR")
    assert len([o for o in result.options if o.kind == "dedicated"]) == 7
    assert len([o for o in result.options if o.kind == "rideshare"]) == 7
    assert small <= 10


# --- 6. one selling rule -----------------------------------------------------------------------


def test_the_selling_rule_and_its_query_filter_agree(world):
    now = world.now
    for status in Launch.Status.values:
        for net in (now - timedelta(hours=1), now + timedelta(hours=1)):
            LaunchFactory(name=f"{status} {net:%H}", status=status, window_start=net)
    selling = set(Launch.objects.filter(launches_selling_q(now=now)).values_list("pk", flat=True))
    for launch in Launch.objects.all():
        assert (launch.pk in selling) == (launch_selling_refusal(launch=launch, now=now) is None), launch.name
    assert launch_selling_refusal(
        launch=Launch.objects.get(name=f"go {now + timedelta(hours=1):%H}"), now=now
    ) == (f"go {now + timedelta(hours=1):%H} is go for launch: it can no longer be booked")


def test_the_admin_rebook_form_offers_only_launches_that_still_sell(world, later_launch, client):
    from django.urls import reverse

    booking = confirmed(world)
    LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Past its NET",
        window_start=world.now - timedelta(hours=1),
    )
    LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name="Scrubbed one", status="scrubbed")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:booking_booking_changelist"),
        {"action": "rebook_bookings", "_selected_action": [booking.pk]},
    )
    assert response.status_code == 200
    offered = {launch.name for launch in response.context["form"].fields["launch"].queryset}
    assert offered == {world.launch.name, later_launch.name}
