"""The booking lifecycle: quote → hold → confirmed → manifested → flown, or cancelled, or rebooked."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import tasks
from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, Event, Launch, Quote
from booking.selectors.capacity import launch_booked_mass_kg, launch_capacity_kg, launch_remaining_capacity_kg
from booking.selectors.contracts import booking_milestones, contract_usage
from booking.selectors.fit import launch_selling_refusal, launches_selling_q
from booking.services import bookings as booking_services
from booking.services.bookings import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_manifest,
    booking_rebook,
    bookings_release_expired,
    launch_bookings_fly,
    payment_milestone_mark_paid,
)
from booking.services.quotes import quote_create
from booking.workflows.launch_lifecycle import launch_mark_launched
from customers.models import Contract, Customer, PaymentMilestone
from tests.factories import (
    BookingFactory,
    ContractFactory,
    CustomerFactory,
    LaunchFactory,
    PayloadFactory,
    ProviderFactory,
    RideshareRateFactory,
    UserFactory,
    engine_world,
)
from tests.reliability.racing import in_background

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = engine_world()
    with time_machine.travel(w.now, tick=False):
        yield w


def quote_for(world, payload=None, launch=None, **kwargs):
    return quote_create(
        customer=world.customer,
        payload=payload or world.payload,
        actor=world.user,
        launch=launch or world.launch,
        **kwargs,
    )


def held(world, **kwargs):
    return booking_hold(quote=quote_for(world, **kwargs), actor=world.user)


def confirmed(world, **kwargs):
    return booking_confirm(booking=held(world, **kwargs), actor=world.user)


def another_payload(world, name):
    return PayloadFactory(customer=world.customer, name=name, mass_kg=Decimal("95.0"))


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


# --- hold ----------------------------------------------------------------------------------------


def test_hold_takes_capacity_for_thirty_minutes(world):
    quote = quote_for(world)
    booking = booking_hold(quote=quote, actor=world.user)
    assert re.fullmatch(r"LB-[A-Z2-9]{6}", booking.reference)
    assert booking.status == Booking.Status.HELD
    assert booking.hold_expires_at == world.now + timedelta(minutes=30)
    assert booking.mass_kg == Decimal("100.0")
    assert booking.price == quote.total and booking.currency == "USD"
    assert booking.quote == quote and booking.launch == world.launch
    assert booking.created_by == world.user
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert launch_capacity_kg(launch=world.launch) == Decimal("300.0")
    assert launch_remaining_capacity_kg(launch=world.launch) == Decimal("200.0")
    # The hold stops counting the moment it expires, before any task runs.
    later = world.now + timedelta(minutes=30)
    assert launch_remaining_capacity_kg(launch=world.launch, now=later) == Decimal("300.0")


def test_hold_writes_a_held_event(world):
    booking = held(world)
    event = Event.objects.get(verb="booking.held")
    assert event.subject_type == "booking" and event.subject_id == booking.pk
    assert event.actor == world.user and event.launch == world.launch and event.customer == world.customer
    assert event.before["quote_status"] == "open"
    assert event.after["status"] == "held" and event.after["mass_kg"] == "100.0"
    assert event.message.startswith(
        f"{booking.reference}: GOMX-5A (100.0 kg) held on Kuaizhou-1A KZ1A-Y7 until "
    )


def test_hold_refuses_an_expired_quote(world):
    quote = quote_for(world)
    with pytest.raises(Conflict, match=rf"^quote {quote.reference} expired at .* UTC: ask for a new quote$"):
        booking_hold(quote=quote, actor=None, now=quote.valid_until)
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.EXPIRED)
    with pytest.raises(Conflict, match="ask for a new quote$"):
        booking_hold(quote=quote, actor=None)
    assert not Booking.objects.exists()


def test_hold_refuses_a_quote_already_accepted(world):
    quote = quote_for(world)
    booking_hold(quote=quote, actor=None)
    with pytest.raises(Conflict, match=f"^quote {quote.reference} was already accepted$"):
        booking_hold(quote=quote, actor=None)


def test_hold_refuses_another_customers_quote(world):
    quote = quote_for(world)
    stranger = CustomerFactory(name="Jilin", slug="jilin")
    with pytest.raises(InvalidRequest, match=f"^quote {quote.reference} belongs to another customer$"):
        booking_hold(quote=quote, actor=None, customer=stranger)
    assert booking_hold(quote=quote, actor=None, customer=world.customer).customer == world.customer


def test_hold_refuses_a_dedicated_quote_without_a_launch(world):
    quote = quote_create(
        customer=world.customer, payload=world.payload, actor=None, vehicle_model=world.vehicle_model
    )
    with pytest.raises(
        Conflict,
        match=f"^quote {quote.reference} is for a dedicated Kuaizhou-1A launch that is not scheduled yet: "
        "it can be held once an operator schedules the launch$",
    ):
        booking_hold(quote=quote, actor=None)


def test_hold_rechecks_capacity_taken_since_the_quote(world):
    quote = quote_for(world)
    BookingFactory(launch=world.launch, payload__mass_kg=Decimal("205.0"))  # 210 kg taken, 90 left
    with pytest.raises(
        Conflict, match="^payload 100 kg exceeds the 90 kg left to SSO 500 km on Kuaizhou-1A KZ1A-Y7$"
    ):
        booking_hold(quote=quote, actor=None)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.OPEN


def test_hold_counts_unexpired_holds_but_not_expired_or_cancelled_ones(world):
    other = CustomerFactory(name="Jilin", slug="jilin")
    BookingFactory(
        launch=world.launch,
        customer=other,
        status=Booking.Status.HELD,
        hold_expires_at=world.now + timedelta(minutes=5),
        payload__mass_kg=Decimal("95.0"),
    )
    BookingFactory(
        launch=world.launch,
        status=Booking.Status.HELD,
        hold_expires_at=world.now - timedelta(minutes=1),
        payload__mass_kg=Decimal("195.0"),
    )
    BookingFactory(launch=world.launch, status=Booking.Status.CANCELLED, payload__mass_kg=Decimal("195.0"))
    BookingFactory(launch=world.launch, status=Booking.Status.MANIFESTED, payload__mass_kg=Decimal("45.0"))
    assert launch_booked_mass_kg(launch=world.launch) == Decimal("150.0")
    assert held(world).status == Booking.Status.HELD
    assert launch_remaining_capacity_kg(launch=world.launch) == Decimal("50.0")


def test_hold_refuses_when_the_payload_changed_since_the_quote(world):
    quote = quote_for(world)
    world.payload.mass_kg = Decimal("96.0")
    world.payload.save()
    with pytest.raises(
        Conflict,
        match=f"^payload GOMX-5A now weighs 96.0 kg, not what quote {quote.reference} priced: ask for a new quote$",
    ):
        booking_hold(quote=quote, actor=None)


def test_hold_refuses_a_second_active_booking_of_one_payload(world):
    held(world)
    second_launch = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name="Second rideshare")
    quote = quote_for(world, launch=second_launch)
    with pytest.raises(
        Conflict, match="^payload GOMX-5A already has an active booking: one payload rides one launch$"
    ):
        booking_hold(quote=quote, actor=None)


def test_hold_refuses_a_launch_that_no_longer_sells(world):
    quote = quote_for(world)
    Launch.objects.filter(pk=world.launch.pk).update(status=Launch.Status.SCRUBBED)
    with pytest.raises(
        Conflict, match="^Kuaizhou-1A · SSO 500 rideshare is scrubbed: it can no longer be booked$"
    ):
        booking_hold(quote=quote, actor=None)


def test_hold_refuses_a_customer_refused_by_export_screening(world):
    quote = quote_for(world)
    Customer.objects.filter(pk=world.customer.pk).update(export_screening=Customer.ExportScreening.REFUSED)
    with pytest.raises(Conflict, match="^Gomspace did not pass export screening: no booking can be made$"):
        booking_hold(quote=quote, actor=None)


def test_hold_query_count_is_pinned(world, django_assert_max_num_queries):
    quote = quote_for(world)
    quote = Quote.objects.select_related("launch", "payload").get(pk=quote.pk)
    # savepoint, lock launch, re-read and lock the quote and its customer, lock the payload, booked
    # mass, capacity curve, the customer's open holds, insert booking, accept quote, insert event,
    # release savepoint; on PostgreSQL each of the three locks is preceded by its lock_timeout
    # one more than before ports: the launch's ports are read under its lock
    with django_assert_max_num_queries(15 if connection.vendor == "postgresql" else 12):
        booking_hold(quote=quote, actor=world.user)


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


# --- confirm ------------------------------------------------------------------------------------


def test_confirm_creates_deposit_and_balance_milestones(world):
    booking = confirmed(world)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.contract == world.contract
    assert booking.hold_expires_at is None
    milestones = list(
        booking_milestones(booking).values_list("label", "amount", "currency", "due_at", "paid_at")
    )
    assert milestones == [
        # The deposit gives the provider's notice (7 days by default) before it falls due.
        (
            f"Deposit {booking.reference} (30.00%)",
            Decimal("300000.00"),
            "USD",
            world.now + timedelta(days=7),
            None,
        ),
        (
            f"Balance {booking.reference}",
            Decimal("700000.00"),
            "USD",
            # Seven days before the NET, but never before the deposit.
            max(world.launch.net - timedelta(days=7), world.now + timedelta(days=7)),
            None,
        ),
    ]
    assert all(m.contract == world.contract for m in booking_milestones(booking))
    event = Event.objects.get(verb="booking.confirmed")
    assert event.before["status"] == "held" and event.after["status"] == "confirmed"
    assert event.after["contract"] == world.contract.pk
    assert len(event.after["milestones"]) == 2
    assert event.message == f"{booking.reference} confirmed under contract GOM-EXP-2018"


def test_confirm_balance_due_is_never_in_the_past(world):
    Contract.objects.filter(pk=world.contract.pk).update(balance_due_days_before_launch=60)
    booking = confirmed(world)
    # 60 days before the NET is already past: the balance falls due with the deposit, after the notice.
    notice_end = world.now + timedelta(days=7)
    assert [m.due_at for m in booking_milestones(booking)] == [notice_end, notice_end]


def test_confirm_refuses_without_a_contract(world):
    Contract.objects.all().delete()
    booking = held(world)
    with pytest.raises(
        Conflict, match="^confirming needs an active contract between Gomspace and ExPace: none is on file$"
    ):
        booking_confirm(booking=booking, actor=None)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


def test_confirm_refuses_a_terminated_or_foreign_or_other_provider_contract(world):
    booking = held(world)
    Contract.objects.filter(pk=world.contract.pk).update(status=Contract.Status.TERMINATED)
    world.contract.refresh_from_db()
    with pytest.raises(Conflict, match="^contract GOM-EXP-2018 is terminated, not active$"):
        booking_confirm(booking=booking, actor=None, contract=world.contract)
    with pytest.raises(Conflict, match="^confirming needs an active contract between Gomspace and ExPace"):
        booking_confirm(booking=booking, actor=None)
    foreign = ContractFactory(provider=world.provider, reference="JL-EXP-KZ10")
    with pytest.raises(InvalidRequest, match="^contract JL-EXP-KZ10 belongs to another customer$"):
        booking_confirm(booking=booking, actor=None, contract=foreign)
    landspace = ProviderFactory(name="Landspace", short_name="Landspace", slug="landspace")
    other = ContractFactory(customer=world.customer, provider=landspace, reference="GOM-LS-2019")
    with pytest.raises(
        Conflict,
        match="^contract GOM-LS-2019 is with Landspace; Kuaizhou-1A · SSO 500 rideshare is flown by ExPace$",
    ):
        booking_confirm(booking=booking, actor=None, contract=other)


def test_confirm_refuses_the_contract_chosen_at_the_hold_once_it_is_no_longer_active(world):
    booking = booking_hold(quote=quote_for(world), actor=world.user, contract=world.contract)
    assert booking.contract_id == world.contract.pk
    Contract.objects.filter(pk=world.contract.pk).update(status=Contract.Status.TERMINATED)
    with pytest.raises(Conflict, match="^contract GOM-EXP-2018 is terminated, not active$"):
        booking_confirm(booking=booking, actor=None)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD
    assert not PaymentMilestone.objects.filter(reference=booking.reference).exists()


def test_confirm_refuses_when_the_contract_has_no_launches_left(world):
    Contract.objects.filter(pk=world.contract.pk).update(launches_committed=1)
    earlier = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name="Earlier rideshare")
    BookingFactory(
        launch=earlier, customer=world.customer, contract=world.contract, status=Booking.Status.FLOWN
    )
    booking = held(world)
    with pytest.raises(
        Conflict, match="^contract GOM-EXP-2018 has no launches left: 1 of 1 committed are used$"
    ):
        booking_confirm(booking=booking, actor=None)


def test_a_second_payload_on_the_same_launch_uses_no_extra_contract_launch(world):
    Contract.objects.filter(pk=world.contract.pk).update(launches_committed=1)
    confirmed(world)
    second = PayloadFactory(customer=world.customer, name="GOMX-5B", mass_kg=Decimal("3.2"))
    booking = confirmed(world, payload=second)
    assert booking.status == Booking.Status.CONFIRMED
    world.contract.refresh_from_db()
    usage = contract_usage(world.contract)
    assert (usage.launches_used, usage.launches_remaining) == (1, 0)


def test_confirm_refuses_an_expired_hold_and_non_held_bookings(world):
    booking = held(world)
    later = booking.hold_expires_at
    with pytest.raises(
        Conflict, match=rf"^the hold on booking {booking.reference} expired at .* UTC: hold a seat again$"
    ):
        booking_confirm(booking=booking, actor=None, now=later)
    booking_confirm(booking=booking, actor=None)
    with pytest.raises(
        Conflict, match=f"^booking {booking.reference} is confirmed: only a held booking can be confirmed$"
    ):
        booking_confirm(booking=booking, actor=None)


def test_confirm_needs_export_screening_cleared(world):
    booking = held(world)
    Customer.objects.filter(pk=world.customer.pk).update(export_screening=Customer.ExportScreening.PENDING)
    with pytest.raises(
        Conflict, match="^Gomspace's export screening is pending: a booking is confirmed once it is cleared$"
    ):
        booking_confirm(booking=booking, actor=None)


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


# --- payments and contracts ---------------------------------------------------------------------


def test_paying_a_milestone_adds_to_the_booking(world):
    booking = confirmed(world)
    deposit = booking_milestones(booking).first()
    payment_milestone_mark_paid(milestone=deposit, actor=world.user)
    booking.refresh_from_db()
    deposit.refresh_from_db()
    assert deposit.paid_at == world.now
    assert booking.amount_paid == Decimal("300000.00")
    event = Event.objects.get(verb="milestone.paid")
    assert event.after["booking"] == booking.reference and event.after["amount_paid"] == "300000.00"
    assert event.message == f"Deposit {booking.reference} (30.00%): 300,000.00 USD paid"
    with pytest.raises(
        Conflict, match=rf"^Deposit {booking.reference} \(30.00%\) was already paid on .* UTC$"
    ):
        payment_milestone_mark_paid(milestone=deposit, actor=world.user)


def test_contract_usage_reports_launches_value_and_milestones(world):
    booking = confirmed(world)
    payment_milestone_mark_paid(milestone=booking_milestones(booking).first(), actor=None)
    usage = contract_usage(world.contract)
    assert usage.launches_committed == 2
    assert usage.launches_used == 1
    assert usage.launches_remaining == 1
    assert usage.value == Decimal("1000000.00") and usage.currency == "USD"
    assert [(m.amount, m.is_paid) for m in usage.milestones] == [
        (Decimal("300000.00"), True),
        (Decimal("700000.00"), False),
    ]
    assert usage.amount_paid == Decimal("300000.00") and usage.amount_due == Decimal("700000.00")


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

    def drop_after_the_payment_arrives(locked_booking, **why):
        booking_locked.set()
        assert payment_started.wait(timeout=10)
        threading.Event().wait(0.5)  # the payment is now waiting on its first lock
        return real_drop(locked_booking, **why)

    monkeypatch.setattr(booking_services, "_drop_unpaid_milestones", drop_after_the_payment_arrives)
    cancel = in_background(lambda: booking_cancel(booking=booking, actor=None), name="cancel")
    assert booking_locked.wait(timeout=10)
    payment_started.set()
    with pytest.raises(Conflict) as refused:
        payment_milestone_mark_paid(milestone=deposit, actor=None)
    cancelled = cancel.outcome(timeout_s=20)
    assert isinstance(cancelled, Booking), cancelled
    assert str(refused.value) == f"{deposit.label} is no longer due: its booking was cancelled or moved"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.amount_paid == Decimal("0.00")


# --- cancel, manifest, fly --------------------------------------------------------------------------


def test_cancel_frees_the_seat_and_drops_unpaid_milestones(world):
    booking = confirmed(world)
    payment_milestone_mark_paid(milestone=booking_milestones(booking).first(), actor=None)
    booking_cancel(booking=booking, actor=world.user, reason="satellite not ready")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert launch_remaining_capacity_kg(launch=world.launch) == Decimal("300.0")
    assert [m.is_paid for m in booking_milestones(booking)] == [True]
    event = Event.objects.get(verb="booking.cancelled")
    assert event.before["status"] == "confirmed" and event.after["status"] == "cancelled"
    assert event.after["reason"] == "satellite not ready"
    # No cancellation tiers on file for this provider: no fee, what was paid is refunded.
    assert event.message == (
        f"{booking.reference} cancelled: satellite not ready "
        "(a 0.00% fee of 0.00 USD, 9 days before launch; 300,000.00 USD refunded)"
    )
    assert booking.refund_due == Decimal("300000.00")


def test_cancel_refuses_flown_cancelled_and_expired_bookings(world):
    flown = BookingFactory(launch=world.launch, status=Booking.Status.FLOWN, reference="LB-FLOWN1")
    with pytest.raises(Conflict, match="^booking LB-FLOWN1 has flown: a flown booking cannot be cancelled$"):
        booking_cancel(booking=flown, actor=None)
    gone = BookingFactory(launch=world.launch, status=Booking.Status.CANCELLED, reference="LB-GONE01")
    with pytest.raises(Conflict, match="^booking LB-GONE01 is already cancelled$"):
        booking_cancel(booking=gone, actor=None)
    lapsed = BookingFactory(launch=world.launch, status=Booking.Status.EXPIRED, reference="LB-LAPSE1")
    with pytest.raises(
        Conflict, match="^the hold on booking LB-LAPSE1 has expired: there is nothing to cancel$"
    ):
        booking_cancel(booking=lapsed, actor=None)


def test_manifest_then_fly(world):
    booking = confirmed(world)
    booking_manifest(booking=booking, actor=world.user)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.MANIFESTED
    manifested = Event.objects.get(verb="booking.manifested", subject_id=booking.pk)
    assert (manifested.before["status"], manifested.after["status"]) == ("confirmed", "manifested")
    assert manifested.actor == world.user and manifested.customer == world.customer
    assert (manifested.provider, manifested.launch) == (world.launch.provider, world.launch)
    assert launch_bookings_fly(launch=world.launch, actor=None) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.FLOWN
    flown = Event.objects.get(verb="booking.flown")
    assert flown.message == f"{booking.reference} flew on {world.launch.name}"
    assert (flown.before["status"], flown.after["status"]) == ("manifested", "flown")
    assert (flown.provider, flown.launch) == (world.launch.provider, world.launch)


def test_manifest_refuses_anything_but_a_confirmed_booking(world):
    booking = held(world)
    with pytest.raises(
        Conflict, match=f"^booking {booking.reference} is held: only a confirmed booking can be manifested$"
    ):
        booking_manifest(booking=booking, actor=None)


def test_manifest_refuses_a_closed_launch(world):
    booking = confirmed(world)
    Launch.objects.filter(pk=world.launch.pk).update(status=Launch.Status.SCRUBBED)
    with pytest.raises(
        Conflict, match="^Kuaizhou-1A · SSO 500 rideshare is scrubbed: its manifest is closed$"
    ):
        booking_manifest(booking=booking, actor=None)


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


def test_lift_off_reads_no_customer_per_booking(world):
    def fly(count, name):
        launch = LaunchFactory(vehicle_model=world.vehicle_model, site=world.site, name=name)
        for n in range(count):
            confirmed(world, payload=another_payload(world, f"{name}-{n}"), launch=launch)
        Launch.objects.filter(pk=launch.pk).update(status=Launch.Status.LAUNCHED)
        return queries(lambda: launch_bookings_fly(launch=launch, actor=None))

    assert fly(3, "three") - fly(1, "one") == 2 * 2  # per booking: its UPDATE and its Event


# --- rebook --------------------------------------------------------------------------------------


@pytest.fixture
def later_launch(world):
    return LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Kuaizhou-1A · SSO 500 rideshare 2",
        window_start=world.launch.window_start + timedelta(days=20),
    )


def test_rebook_carries_over_what_was_paid_minus_the_fee(world, later_launch):
    booking = confirmed(world)
    payment_milestone_mark_paid(milestone=booking_milestones(booking).first(), actor=None)  # 300,000 paid
    booking.refresh_from_db()
    new = booking_rebook(booking=booking, launch=later_launch, actor=world.user)
    # The booking moves in place: the same row and reference, on the new launch.
    assert new.pk == booking.pk and new.reference == booking.reference and new.launch == later_launch
    assert new.status == Booking.Status.CONFIRMED and new.contract == world.contract
    assert new.price == booking.price and new.quote == booking.quote
    assert new.credit_carried_over == Decimal("270000.00")  # 300,000 less the 10 % fee
    assert new.amount_paid == Decimal("270000.00")
    # Deposit 300,000 less the 270,000 credit; the balance before the new NET; the paid deposit of
    # the earlier launch stays on record, its unpaid balance is dropped.
    milestones = list(booking_milestones(new).filter(paid_at__isnull=True).values_list("amount", "due_at"))
    assert milestones == [
        (Decimal("30000.00"), world.now + timedelta(days=7)),
        (Decimal("700000.00"), max(later_launch.net - timedelta(days=7), world.now + timedelta(days=7))),
    ]
    assert list(booking_milestones(new).filter(paid_at__isnull=False).values_list("paid_at", flat=True)) == [
        world.now
    ]
    assert launch_remaining_capacity_kg(launch=world.launch) == Decimal("300.0")
    assert launch_remaining_capacity_kg(launch=later_launch) == Decimal("200.0")
    event = Event.objects.get(verb="booking.rebooked")
    assert event.after["rebooking_fee"] == "30000.00" and event.after["credit_carried_over"] == "270000.00"
    assert event.message == (
        f"{booking.reference} moved from {world.launch.name} to {later_launch.name}: price 1,000,000.00 USD; "
        "a 10.00% rebooking fee of 30,000.00 USD; 270,000.00 USD carried over"
    )
    assert not Event.objects.filter(verb="booking.cancelled").exists()


def test_rebook_of_a_hold_stays_a_hold_with_its_deadline(world, later_launch):
    booking = held(world)
    new = booking_rebook(
        booking=booking, launch=later_launch, actor=None, now=world.now + timedelta(minutes=10)
    )
    assert new.status == Booking.Status.HELD
    # Moving between launches never restarts the hold: it lapses when the first one would have.
    assert new.hold_expires_at == booking.hold_expires_at == world.now + timedelta(minutes=30)
    assert new.amount_paid == Decimal("0") and not booking_milestones(new).exists()


def test_rebook_refuses_a_full_target_and_changes_nothing(world, later_launch):
    booking = confirmed(world)
    BookingFactory(launch=later_launch, payload__mass_kg=Decimal("245.0"))  # 250 kg taken, 50 left
    with pytest.raises(
        Conflict,
        match="^payload 100 kg exceeds the 50 kg left to SSO 500 km on Kuaizhou-1A · SSO 500 rideshare 2$",
    ):
        booking_rebook(booking=booking, launch=later_launch, actor=None)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking_milestones(booking).count() == 2
    assert not Event.objects.filter(verb__in=["booking.rebooked", "booking.cancelled"]).exists()


def test_rebook_refusals(world, later_launch):
    booking = confirmed(world)
    with pytest.raises(Conflict, match=f"^booking {booking.reference} is already on {world.launch.name}$"):
        booking_rebook(booking=booking, launch=world.launch, actor=None)
    elsewhere = LaunchFactory(name="Ceres-1 · SSO 500 rideshare")
    RideshareRateFactory(provider=elsewhere.provider)
    with pytest.raises(
        Conflict,
        match=f"^a booking moves only between launches of one provider: Ceres-1 · SSO 500 rideshare is flown by "
        f"{elsewhere.provider}, not ExPace$",
    ):
        booking_rebook(booking=booking, launch=elsewhere, actor=None)
    flown = BookingFactory(launch=world.launch, status=Booking.Status.FLOWN, reference="LB-FLOWN2")
    with pytest.raises(
        Conflict,
        match="^booking LB-FLOWN2 is flown: only a held, confirmed or manifested booking can be rebooked$",
    ):
        booking_rebook(booking=flown, launch=later_launch, actor=None)


def test_rebook_refuses_an_expired_hold(world, later_launch):
    booking = held(world)
    with pytest.raises(Conflict, match="hold a seat again$"):
        booking_rebook(booking=booking, launch=later_launch, actor=None, now=booking.hold_expires_at)


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


# --- periodic release ------------------------------------------------------------------------------


def test_release_expired_holds(world):
    booking = held(world)
    assert bookings_release_expired(now=booking.hold_expires_at - timedelta(seconds=1)) == 0
    assert bookings_release_expired(now=booking.hold_expires_at) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    event = Event.objects.get(verb="booking.expired")
    assert event.actor is None and event.actor_label == "hold expiry"
    assert event.before["status"] == "held" and event.after["status"] == "expired"
    assert bookings_release_expired(now=booking.hold_expires_at + timedelta(hours=1)) == 0


def test_tasks_call_the_services(world):
    booking = held(world)
    quote = quote_for(world, payload=PayloadFactory(customer=world.customer, name="GOMX-5B"))
    with time_machine.travel(world.now + timedelta(hours=73), tick=False):
        assert tasks.bookings_release_expired.delay().get() == 1
        assert tasks.quotes_expire.delay().get() == 1
    booking.refresh_from_db()
    quote.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert quote.status == Quote.Status.EXPIRED


@pytest.mark.postgres
def test_the_invariant_check_accepts_rebooked_bookings_and_still_flags_a_missing_event(world, later_launch):
    from django.db import connection

    from bench.invariants import bookings_without_events

    moved_hold = booking_rebook(booking=held(world), launch=later_launch, actor=None)
    assert moved_hold.status == Booking.Status.HELD
    third = LaunchFactory(
        vehicle_model=world.vehicle_model,
        site=world.site,
        name="Kuaizhou-1A · SSO 500 rideshare 3",
        window_start=world.launch.window_start + timedelta(days=40),
    )
    other_payload = PayloadFactory(customer=world.customer, mass_kg=Decimal("40.0"))
    moved_confirmed = booking_rebook(
        booking=confirmed(world, payload=other_payload), launch=third, actor=None
    )
    assert moved_confirmed.status == Booking.Status.CONFIRMED
    assert bookings_without_events(connection.connection) == []

    # A booking that appeared without any event is still reported.
    Event.objects.filter(subject_type="booking", subject_id=moved_confirmed.pk).delete()
    assert bookings_without_events(connection.connection) == [
        f"booking {moved_confirmed.reference} (confirmed) lacks the events of its state changes"
    ]


def test_confirm_query_count_is_pinned(world, django_assert_max_num_queries):
    booking = held(world)
    booking = Booking.objects.select_related("launch").get(pk=booking.pk)
    # savepoint, lock the launch, the payload and the booking, read the quote; no contract chosen at
    # the hold: the customer's contracts for the launch, its launches used, lock it, used again;
    # save the booking, insert both milestones; their invoices together: savepoint, the provider,
    # the year's invoice numbers (created here: insert, then read again), take both, none invoiced
    # yet, the other providers' prefixes, the customer, the payload and launch named in the lines,
    # insert invoices, lines and events, release; the confirmation's event, release (27 on both)
    with django_assert_max_num_queries(27):
        booking_confirm(booking=booking, actor=world.user)
