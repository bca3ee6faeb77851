"""Notifications reach people: by e-mail after commit, once each, as each member chose, retried
when the mail server refuses, and never left queued by a worker that died."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from booking import tasks
from booking.models import Notification, NotificationDelivery, NotificationPreference, PlanStep
from booking.rules.notifications import MAX_ATTEMPTS, SEND_LEASE, retry_delay
from booking.services import notifications as notes
from booking.services.bookings import booking_cancel, booking_confirm, booking_hold, booking_rebook
from booking.services.payloads import document_review
from booking.services.quotes import quote_create
from booking.services.scheduling import launch_scrub
from booking.workflows.launch_lifecycle import launch_mark_launched
from customers.models import Membership
from tests.factories import (
    BookingFactory,
    CustomerFactory,
    DocumentFactory,
    LaunchFactory,
    MembershipFactory,
    PaymentMilestoneFactory,
    UserFactory,
)
from vehicles.models import ProviderOperator

pytestmark = pytest.mark.django_db

Status = NotificationDelivery.Status


def hold(world):
    quote = quote_create(
        customer=world.customer, payload=world.payload, actor=world.user, launch=world.launch
    )
    return booking_hold(quote=quote, actor=world.members["mission"].user)


def sent_to(reason: str) -> list[str]:
    return sorted(
        NotificationDelivery.objects.filter(notification__reason=reason, status=Status.SENT).values_list(
            "email", flat=True
        )
    )


def test_a_held_seat_mails_every_member_in_text_and_html(world, committed):
    booking = committed(hold, world)
    assert sent_to("booking_held") == [
        "ana@example.test",
        "fi@example.test",
        "mo@example.test",
        "vi@example.test",
    ]
    assert len(mail.outbox) == 4
    message = next(m for m in mail.outbox if m.to == ["vi@example.test"])
    assert message.subject == f"[Launchbook] Seat held on {world.launch.name}: booking {booking.reference}"
    assert booking.reference in message.body and "Hello vi," in message.body
    assert f"http://127.0.0.1:8000/portal/bookings/{booking.reference}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert booking.reference in html and "<table" in html
    notification = Notification.objects.get(reason="booking_held")
    assert notification.category == "bookings" and notification.sent_at is not None
    assert NotificationDelivery.objects.filter(notification=notification, attempts=1).count() == 4


def test_a_change_rolled_back_sends_nothing(world, committed):
    def hold_then_fail():
        with transaction.atomic():
            hold(world)
            raise RuntimeError("something later in the same change failed")

    with pytest.raises(RuntimeError):
        committed(hold_then_fail)
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_member_who_turned_bookings_off_is_skipped_but_still_sees_it_in_the_portal(world, committed):
    notes.notification_preferences_set(
        membership=world.members["viewer"], email_by_category={"bookings": False}, actor=None
    )
    committed(hold, world)
    assert "vi@example.test" not in sent_to("booking_held")
    skipped = NotificationDelivery.objects.get(user=world.members["viewer"].user)
    assert skipped.status == Status.SKIPPED and "preferences" in skipped.last_error
    assert skipped.read_at is None  # listed, unread, in the portal
    assert len(mail.outbox) == 3


def test_confirm_and_cancel_notify_once_each(world, committed):
    booking = committed(hold, world)
    committed(booking_confirm, booking=booking, actor=world.members["finance"].user)
    committed(booking_cancel, booking=booking, actor=world.members["admin"].user, reason="payload delayed")
    subjects = sorted({m.subject for m in mail.outbox})
    assert f"[Launchbook] Booking {booking.reference} confirmed" in subjects
    assert f"[Launchbook] Booking {booking.reference} cancelled" in subjects
    # Repeating the hand-off (a retried after-commit hook) tells nobody twice.
    event_ids = list(Notification.objects.values_list("event_id", flat=True))
    committed(notes.notifications_from_events, event_ids=event_ids)
    assert len(mail.outbox) == 12


def test_a_change_whose_notification_task_was_lost_is_caught_up_once(world, committed, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.events_after_commit, "delay", broker_down)
    booking = committed(hold, world)  # the hold stands; its notification task never left
    assert booking.pk is not None and not Notification.objects.exists()
    monkeypatch.undo()
    told = committed(notes.notifications_catch_up)
    assert [n.reason for n in told] == ["booking_held"]
    assert len(mail.outbox) == 4
    assert committed(notes.notifications_catch_up) == []  # once only
    # An Event older than the catch-up's window is left alone.
    with time_machine.travel(world.now + notes.CATCH_UP_WINDOW + timedelta(minutes=1), tick=False):
        booking_cancel(booking=booking, actor=None, reason="later")
    Notification.objects.all().delete()
    with time_machine.travel(world.now + 2 * notes.CATCH_UP_WINDOW + timedelta(minutes=2), tick=False):
        assert committed(notes.notifications_catch_up) == []


def test_launch_news_reaches_the_booked_customers_and_nobody_else(world, committed):
    BookingFactory(customer=world.customer, launch=world.launch, status="confirmed")
    stranger = CustomerFactory(name="Not booked")
    MembershipFactory(customer=stranger, user=UserFactory(username="stranger"))
    cancelled = CustomerFactory(name="Cancelled earlier")
    MembershipFactory(customer=cancelled, user=UserFactory(username="gone"))
    BookingFactory(customer=cancelled, launch=world.launch, status="cancelled")

    committed(launch_scrub, launch=world.launch, actor=None, cause="provider", reason="second stage anomaly")
    recipients = sent_to("launch_scrubbed")
    assert recipients == ["ana@example.test", "fi@example.test", "mo@example.test", "vi@example.test"]
    message = mail.outbox[0]
    assert message.subject == f"[Launchbook] {world.launch.name} scrubbed"
    assert "second stage anomaly" in message.body


def test_lift_off_notifies_the_booked_customers(world, committed):
    BookingFactory(customer=world.customer, launch=world.launch, status="confirmed")
    world.launch.status = "go"
    world.launch.save(update_fields=["status"])
    committed(launch_mark_launched, launch=world.launch, actor=None)
    assert len(sent_to("launch_launched")) == 4
    assert any(m.subject == f"[Launchbook] {world.launch.name} has launched" for m in mail.outbox)


def test_a_reviewed_document_tells_the_customers_mission_side(world, committed):
    document = DocumentFactory(customer=world.customer, payload=world.payload, kind="icd")
    committed(document_review, document=document, approve=False, actor=None, note="pin-out table missing")
    assert sent_to("document_reviewed") == ["ana@example.test", "mo@example.test"]
    message = next(m for m in mail.outbox if m.to == ["mo@example.test"])
    assert message.subject == "[Launchbook] Interface control document rejected"
    assert "pin-out table missing" in message.body


# --- readiness and closures ----------------------------------------------------------------------


def test_a_late_step_mails_the_member_who_owns_it(world, committed):
    from booking.services import readiness

    operator = UserFactory(username="ops")
    ProviderOperator.objects.create(user=operator, provider=world.provider)
    BookingFactory(customer=world.customer, launch=world.launch, status="confirmed")
    with time_machine.travel(world.now - timedelta(days=400), tick=False):
        readiness.plan_start(launch=world.launch, actor=None)
    step = PlanStep.objects.filter(plan__launch=world.launch, owner_role="payload").order_by("due_at").first()
    ops_step = PlanStep.objects.filter(plan__launch=world.launch, owner_role="operations").first()
    assert step is not None and ops_step is not None
    PlanStep.objects.filter(plan__launch=world.launch).exclude(pk__in=[step.pk, ops_step.pk]).update(
        status="done", wake_at=None
    )
    PlanStep.objects.filter(pk__in=[step.pk, ops_step.pk]).update(
        due_at=world.now - timedelta(days=5),
        wake_at=world.now - timedelta(days=1),
        kind="manual",
        check_name="",
    )
    committed(readiness.readiness_reconcile, now=world.now)

    late = NotificationDelivery.objects.filter(notification__reason="late")
    by_step = {(d.notification.step_id, d.email) for d in late}
    assert by_step == {
        (step.pk, "ana@example.test"),
        (step.pk, "mo@example.test"),
        (ops_step.pk, "ops@example.test"),
    }
    ops_mail = next(m for m in mail.outbox if m.to == ["ops@example.test"] and "late" in m.subject)
    assert f"/admin/booking/launch/{world.launch.pk}/change/" in ops_mail.body
    member_mail = next(m for m in mail.outbox if m.to == ["mo@example.test"] and "late" in m.subject)
    assert f"/portal/launches/{world.launch.pk}/readiness/" in member_mail.body
    # The next pass tells nobody again.
    before = len(mail.outbox)
    committed(readiness.readiness_reconcile, now=world.now + timedelta(minutes=5))
    assert len([m for m in mail.outbox[before:] if "late" in m.subject]) == 0


# --- payments ------------------------------------------------------------------------------------


def test_payments_due_soon_and_overdue_are_told_once_each_to_finance(world, committed):
    soon = PaymentMilestoneFactory(
        contract=world.contract,
        label="Deposit LB-SOON",
        amount=Decimal("1000"),
        due_at=world.now + timedelta(days=2),
    )
    later = PaymentMilestoneFactory(
        contract=world.contract,
        label="Balance LB-LATER",
        amount=Decimal("9000"),
        due_at=world.now + timedelta(days=20),
    )
    late = PaymentMilestoneFactory(
        contract=world.contract,
        label="Deposit LB-LATE",
        amount=Decimal("500"),
        due_at=world.now - timedelta(hours=1),
    )
    PaymentMilestoneFactory(
        contract=world.contract,
        label="Paid",
        amount=Decimal("1"),
        due_at=world.now - timedelta(days=1),
        paid_at=world.now - timedelta(days=2),
    )
    assert committed(notes.payment_reminders_notify, now=world.now) == 2
    assert sent_to("payment_due") == ["ana@example.test", "fi@example.test"]
    assert sent_to("payment_overdue") == ["ana@example.test", "fi@example.test"]
    subjects = {m.subject for m in mail.outbox}
    assert "[Launchbook] Payment overdue: Deposit LB-LATE" in subjects
    assert any(s.startswith("[Launchbook] Payment due ") and s.endswith("Deposit LB-SOON") for s in subjects)
    assert committed(notes.payment_reminders_notify, now=world.now + timedelta(minutes=15)) == 0

    # Time passes: the soon one falls overdue (told once more), the later one comes due.
    assert committed(notes.payment_reminders_notify, now=world.now + timedelta(days=18)) == 2
    keys = set(Notification.objects.values_list("key", flat=True))
    assert {
        f"milestone:{soon.pk}:payment_due",
        f"milestone:{soon.pk}:payment_overdue",
        f"milestone:{later.pk}:payment_due",
        f"milestone:{late.pk}:payment_overdue",
    } == keys


# --- delivery: failures, retries, a dead worker ------------------------------------------------


class RefusingBackend:
    """An SMTP server that refuses, for as many sends as asked."""

    refusals = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if RefusingBackend.refusals > 0:
            RefusingBackend.refusals -= 1
            raise ConnectionRefusedError("[Errno 111] Connection refused")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.refusals = 0
    return RefusingBackend


def one_queued_delivery(world, committed) -> NotificationDelivery:
    Membership.objects.exclude(pk=world.members["finance"].pk).delete()
    committed(hold, world)
    return NotificationDelivery.objects.get()


def test_a_refused_send_is_retried_with_backoff_by_the_sweep(world, committed, refusing):
    refusing.refusals = 2
    delivery = one_queued_delivery(world, committed)
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.attempts == 1
    assert "Connection refused" in delivery.last_error
    assert delivery.next_attempt_at == world.now + retry_delay(1)
    # Before the wait is over the sweep leaves it; after, it tries again (and is refused again).
    assert notes.notifications_claim_due(now=world.now + timedelta(seconds=30)) == []
    assert notes.notifications_claim_due(now=world.now + timedelta(minutes=1)) == [delivery.pk]
    notes.notification_deliver(delivery_id=delivery.pk, now=world.now + timedelta(minutes=1))
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == world.now + timedelta(
        minutes=1
    ) + retry_delay(2)
    assert retry_delay(2) > retry_delay(1)
    third = world.now + timedelta(minutes=7)
    with time_machine.travel(third, tick=False):
        assert tasks.notifications_deliver_due() == 1  # the beat task queues it; eager Celery sends it
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 3 and delivery.last_error == ""
    assert [m.to for m in mail.outbox] == [["fi@example.test"]]


def test_a_send_refused_every_time_is_marked_failed_with_the_error(world, committed, refusing):
    refusing.refusals = 100
    delivery = one_queued_delivery(world, committed)
    at = world.now
    for _ in range(MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        at = delivery.next_attempt_at
        notes.notification_deliver(delivery_id=delivery.pk, now=at)
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None and "Connection refused" in delivery.last_error
    assert notes.notifications_claim_due(now=at + timedelta(days=1)) == []


def test_a_delivery_left_queued_by_a_dead_worker_is_sent_by_the_sweep_once(world, committed):
    # The broker was down when the change committed: the task never ran.
    Membership.objects.exclude(pk=world.members["finance"].pk).delete()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.notification_deliver, "delay", _broker_down)
        committed(hold, world)
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == Status.QUEUED and delivery.attempts == 0 and mail.outbox == []

    # A worker takes it and dies mid-send: the claim holds it for the lease, then lets go.
    taken_at = world.now + timedelta(seconds=5)
    assert NotificationDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=taken_at + SEND_LEASE)
    assert notes.notifications_claim_due(now=taken_at + SEND_LEASE - timedelta(seconds=1)) == []
    # A twin of the dead worker's task, delivered again by the broker, steps aside during the lease.
    notes.notification_deliver(delivery_id=delivery.pk, now=taken_at + timedelta(seconds=10))
    assert mail.outbox == []

    after_lease = taken_at + SEND_LEASE + timedelta(seconds=1)
    with time_machine.travel(after_lease, tick=False):
        assert tasks.notifications_deliver_due() == 1
        assert tasks.notifications_deliver_due() == 0  # settled: nothing left queued
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and len(mail.outbox) == 1


def _broker_down(*args, **kwargs):
    raise ConnectionError("broker unreachable")


def test_a_member_who_opts_out_while_the_mail_waits_is_not_mailed(world, committed):
    Membership.objects.exclude(pk=world.members["finance"].pk).delete()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.notification_deliver, "delay", _broker_down)
        committed(hold, world)
    notes.notification_preferences_set(
        membership=world.members["finance"], email_by_category={"bookings": False}, actor=None
    )
    delivery = NotificationDelivery.objects.get()
    notes.notification_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Status.SKIPPED and mail.outbox == []


def test_members_without_an_address_are_skipped_and_say_why(world, committed):
    Membership.objects.exclude(pk=world.members["finance"].pk).delete()
    world.members["finance"].user.email = ""
    world.members["finance"].user.save()
    committed(hold, world)
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == Status.SKIPPED and delivery.last_error == "no e-mail address on the account"


def test_preferences_name_the_categories_when_one_is_unknown(world):
    from booking.errors import InvalidRequest

    with pytest.raises(
        InvalidRequest, match="Unknown notification categories: weather; choose from Bookings"
    ):
        notes.notification_preferences_set(
            membership=world.members["viewer"], email_by_category={"weather": False}, actor=None
        )
    assert not NotificationPreference.objects.exists()


def test_a_user_in_two_booked_organisations_hears_of_a_launch_once(world, committed):
    partner = CustomerFactory(name="Partner Sat")
    MembershipFactory(customer=partner, user=world.members["viewer"].user, role="viewer")
    BookingFactory(customer=world.customer, launch=world.launch, status="confirmed")
    BookingFactory(customer=partner, launch=LaunchFactory(), status="confirmed")
    BookingFactory(customer=partner, launch=world.launch, status="confirmed")
    committed(launch_scrub, launch=world.launch, actor=None, cause="provider", reason="weather")
    assert sent_to("launch_scrubbed").count("vi@example.test") == 1


def test_operators_see_the_e_mails_about_their_launches_in_the_admin(world, committed, client):
    from django.contrib.auth.models import Permission

    booking = committed(hold, world)
    may_view = Permission.objects.get(codename="view_notificationdelivery")
    other_provider_operator = UserFactory(username="elsewhere", is_staff=True)
    ProviderOperator.objects.create(user=other_provider_operator, provider=LaunchFactory().provider)
    own = UserFactory(username="own-ops", is_staff=True)
    ProviderOperator.objects.create(user=own, provider=world.provider)
    for operator in (own, other_provider_operator):
        operator.user_permissions.add(may_view)
    url = "/admin/booking/notificationdelivery/"
    client.force_login(own)
    page = client.get(url).content.decode()
    assert "vi@example.test" in page and booking.reference in page
    client.force_login(other_provider_operator)
    assert "vi@example.test" not in client.get(url).content.decode()


def test_writing_notifications_costs_the_same_queries_for_one_or_twenty(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    launches = [LaunchFactory(vehicle_model=world.vehicle_model) for _ in range(20)]
    for launch in launches:
        BookingFactory(customer=world.customer, launch=launch, status="confirmed")

    def write(batch, tag):
        rows = [
            Notification(reason="launch_slipped", launch=launch, key=f"{tag}:{launch.pk}", message="slipped")
            for launch in batch
        ]
        with CaptureQueriesContext(connection) as queries:
            notes.notifications_write(rows)
        return len(queries)

    # (Past some hundred deliveries SQLite's limit on query parameters splits the insert in batches.)
    one, twenty = write(launches[:1], "one"), write(launches, "twenty")
    assert one == twenty <= 9
    assert NotificationDelivery.objects.filter(notification__key__startswith="twenty:").count() == 20 * 4


def test_a_closure_on_a_booked_launch_mails_its_customers_members_and_the_operators(world, committed):
    from booking.services import readiness
    from booking.services.closures import site_closure_create

    operator = UserFactory(username="ops")
    ProviderOperator.objects.create(user=operator, provider=world.provider)
    BookingFactory(customer=world.customer, launch=world.launch, status="confirmed")
    with time_machine.travel(world.now - timedelta(days=400), tick=False):
        readiness.plan_start(launch=world.launch, actor=None)

    impact = committed(
        site_closure_create,
        actor=None,
        site=world.launch.site,
        kind="range",
        starts_at=world.launch.window_start - timedelta(hours=1),
        ends_at=world.launch.window_end + timedelta(hours=1),
        reason="sandstorm over the range",
    )

    assert [launch.pk for launch in impact.affected] == [world.launch.pk]
    assert sent_to("closure") == [
        "ana@example.test",
        "fi@example.test",
        "mo@example.test",
        "ops@example.test",
        "vi@example.test",
    ]
    member_mail = next(
        m for m in mail.outbox if m.to == ["vi@example.test"] and "closure" in m.subject.lower()
    )
    assert world.launch.name in member_mail.subject
    assert "sandstorm over the range" in member_mail.body


def test_a_moved_booking_tells_its_members_it_kept_its_reference(world, committed):
    booking = committed(hold, world)
    later = LaunchFactory(
        vehicle_model=world.launch.vehicle_model,
        site=world.launch.site,
        name="Kuaizhou-1A · second rideshare",
        window_start=world.launch.window_start + timedelta(days=20),
    )
    committed(booking_rebook, booking=booking, launch=later, actor=world.user)
    assert "vi@example.test" in sent_to("booking_moved")
    message = next(m for m in mail.outbox if m.subject.endswith(f"moved to {later.name}"))
    assert message.subject == f"[Launchbook] Booking {booking.reference} moved to {later.name}"
    assert "keeps its reference" in message.body and booking.reference in message.body
