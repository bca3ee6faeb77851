"""A confirmed booking's milestones each come with a numbered invoice; finance records payments
against them (partly, or in full), each with a receipt; the booking's amount paid follows."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from booking.errors import Conflict, InvalidRequest
from booking.invoice_pdf import invoice_pdf, receipt_pdf
from booking.models import Event, Invoice, NumberSeries, Payment
from booking.rules.money import InvoiceStatus, document_prefix, invoice_number, receipt_number
from booking.selectors.invoices import booking_amount_paid, invoice_rows
from booking.services import invoices as invoice_services
from booking.services.bookings import (
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_rebook,
    payment_milestone_mark_paid,
)
from booking.services.invoices import payment_record
from booking.services.quotes import quote_create
from tests.customers.factories import ContractFactory, PaymentMilestoneFactory
from tests.factories import LaunchFactory, UserFactory, engine_world
from tests.reliability.racing import in_background

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    """The strings a page draws (``(…) Tj`` operators of an uncompressed PDF), one a line."""
    assert pdf.startswith(b"%PDF-")
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", pdf)
    return "\n".join(_unescape(s).decode("cp1252") for s in strings)


def _unescape(string: bytes) -> bytes:
    """PDF string escapes: ``\\(`` and ``\\)``, and octal codes (``\\267`` is "·")."""
    return re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1],
        string,
    )


def confirmed(world, *, user=None):
    user = user or UserFactory()
    quote = quote_create(customer=world.customer, payload=world.payload, actor=user, launch=world.launch)
    return booking_confirm(booking=booking_hold(quote=quote, actor=user), actor=user)


@pytest.fixture
def world():
    world = engine_world()
    world.provider.legal_name = "Expace Technology Co., Ltd."
    world.provider.billing_address = "No. 9 Demo Road\nWuhan, Hubei, China"
    world.provider.tax_id = "DEMO-EXP-0001"
    world.provider.save()
    world.customer.legal_name = "GomSpace A/S"
    world.customer.billing_address = "Langagervej 6\n9220 Aalborg East, Denmark"
    world.customer.tax_id = "DEMO-DK-0002"
    world.customer.save()
    return world


def test_numbers_read_as_finance_expects():
    assert document_prefix(invoice_prefix="", short_name="ExPace") == "EXP"
    assert document_prefix(invoice_prefix="gal", short_name="Galactic Energy") == "GAL"
    # Two providers whose prefixes would be the same write different numbers: the id follows.
    assert (
        document_prefix(invoice_prefix="", short_name="Expert Space", provider_id=7, others=["EXP"]) == "EXP7"
    )
    assert (
        document_prefix(invoice_prefix="", short_name="ExPace", provider_id=3, others=["LAN", "GAL"]) == "EXP"
    )
    assert invoice_number(prefix="EXP", year=2026, sequence=42) == "EXP-2026-00042"
    assert receipt_number(prefix="EXP", year=2026, sequence=7) == "EXP-R-2026-00007"


def test_confirming_issues_one_numbered_invoice_per_milestone(world):
    booking = confirmed(world)
    year = timezone.now().year
    deposit, balance = Invoice.objects.filter(booking=booking).order_by("sequence")
    assert [deposit.number, balance.number] == [f"EXP-{year}-00001", f"EXP-{year}-00002"]
    assert deposit.milestone.label.startswith("Deposit") and deposit.amount == deposit.milestone.amount
    assert deposit.amount + balance.amount == booking.price
    assert deposit.due_at == deposit.milestone.due_at > timezone.now()
    assert deposit.seller_name == "Expace Technology Co., Ltd." and deposit.buyer_tax_id == "DEMO-DK-0002"
    assert NumberSeries.objects.get(provider=world.provider, kind="invoice", year=year).last_number == 2
    assert Event.objects.filter(verb="invoice.issued").count() == 2
    rows = invoice_rows(Invoice.objects.filter(booking=booking), now=timezone.now())
    assert [r.status for r in rows] == [InvoiceStatus.DUE, InvoiceStatus.DUE]


def test_milestones_of_two_providers_are_numbered_in_their_own_series_in_the_order_given(world):
    year = timezone.now().year
    other = ContractFactory(customer=world.customer)
    theirs = other.provider
    milestones = [
        PaymentMilestoneFactory(contract=world.contract, label="First"),
        PaymentMilestoneFactory(contract=other, label="Theirs one"),
        PaymentMilestoneFactory(contract=world.contract, label="Second"),
        PaymentMilestoneFactory(contract=other, label="Theirs two"),
    ]
    issued = invoice_services.invoices_issue(milestones=milestones, actor=None)
    prefix = document_prefix(
        invoice_prefix=theirs.invoice_prefix,
        short_name=theirs.short_name,
        provider_id=theirs.pk,
        others=["EXP"],
    )
    assert [(i.milestone.label, i.number) for i in issued] == [
        ("First", f"EXP-{year}-00001"),
        ("Theirs one", f"{prefix}-{year}-00001"),
        ("Second", f"EXP-{year}-00002"),
        ("Theirs two", f"{prefix}-{year}-00002"),
    ]
    assert [i.provider_id for i in issued] == [world.provider.pk, theirs.pk, world.provider.pk, theirs.pk]
    assert [line.description for i in issued for line in i.lines.all()] == [m.label for m in milestones]
    events = Event.objects.filter(verb="invoice.issued").order_by("pk")
    assert [(e.subject_id, e.provider_id, e.after["number"]) for e in events] == [
        (i.pk, i.provider_id, i.number) for i in issued
    ]


def test_an_issue_with_one_milestone_already_invoiced_issues_none_and_keeps_the_numbers(world):
    year = timezone.now().year
    done = PaymentMilestoneFactory(contract=world.contract, label="Done")
    invoice_services.invoice_issue(milestone=done, actor=None)
    fresh = PaymentMilestoneFactory(contract=world.contract, label="Fresh")
    with pytest.raises(Conflict, match="Done already has an invoice"):
        invoice_services.invoices_issue(milestones=[fresh, done], actor=None)
    assert not Invoice.objects.filter(milestone=fresh).exists()
    assert NumberSeries.objects.get(provider=world.provider, kind="invoice", year=year).last_number == 1
    assert invoice_services.invoice_issue(milestone=fresh, actor=None).number == f"EXP-{year}-00002"


def test_the_invoice_pdf_says_who_owes_whom_what_by_when(world):
    booking = confirmed(world)
    invoice = Invoice.objects.filter(booking=booking).order_by("sequence").first()
    text = pdf_text(invoice_pdf(invoice, lines=list(invoice.lines.all()), paid=Decimal("0.00")))
    for expected in (
        invoice.number,
        "Expace Technology Co., Ltd.",
        "Wuhan, Hubei, China",
        "Tax ID: DEMO-EXP-0001",
        "GomSpace A/S",
        "9220 Aalborg East, Denmark",
        "Tax ID: DEMO-DK-0002",
        booking.reference,
        world.contract.reference,
        f"{invoice.amount:,.2f} USD",
        invoice.due_at.strftime("%d %b %Y"),
        f"{world.payload.name} on {world.launch.name}",
    ):
        assert expected in text, expected


def test_payments_part_and_whole_each_with_a_receipt(world):
    finance = UserFactory(username="finance-ops")
    booking = confirmed(world)
    invoice = Invoice.objects.filter(booking=booking).order_by("sequence").first()
    today = timezone.localdate()
    half = (invoice.amount / 2).quantize(Decimal("0.01"))
    first = payment_record(invoice=invoice, amount=half, paid_on=today, reference="SWIFT 1", actor=finance)
    invoice.refresh_from_db()
    booking.refresh_from_db()
    assert first.receipt_number == f"EXP-R-{today.year}-00001"
    assert invoice.paid_at is None and invoice.milestone.paid_at is None
    assert booking.amount_paid == half == booking_amount_paid(booking)
    [row] = invoice_rows(Invoice.objects.filter(pk=invoice.pk), now=timezone.now())
    assert row.status == InvoiceStatus.PART_PAID and row.outstanding == invoice.amount - half

    with pytest.raises(InvalidRequest) as refused:
        payment_record(invoice=invoice, amount=invoice.amount, paid_on=today, reference="", actor=finance)
    left = invoice.amount - half
    assert f"more than the {left:,.2f} USD left to pay on invoice {invoice.number}" in refused.value.message
    assert f"record at most {left:,.2f} USD" in refused.value.message
    with pytest.raises(InvalidRequest, match="is in USD, not EUR"):
        payment_record(
            invoice=invoice, amount=left, paid_on=today, reference="", actor=finance, currency="EUR"
        )
    with pytest.raises(InvalidRequest, match="in the future"):
        payment_record(
            invoice=invoice, amount=left, paid_on=today + timedelta(days=2), reference="", actor=finance
        )

    second = payment_record(invoice=invoice, amount=left, paid_on=today, reference="SWIFT 2", actor=finance)
    assert second.receipt_number == f"EXP-R-{today.year}-00002"
    invoice.refresh_from_db()
    booking.refresh_from_db()
    assert invoice.paid_at is not None and invoice.milestone.paid_at is not None
    assert booking.amount_paid == invoice.amount
    assert Event.objects.filter(verb="milestone.paid", subject_id=invoice.milestone.pk).exists()
    with pytest.raises(Conflict, match="already paid in full"):
        payment_record(invoice=invoice, amount=Decimal("1"), paid_on=today, reference="", actor=finance)
    text = pdf_text(receipt_pdf(second))
    assert second.receipt_number in text and invoice.number in text and "SWIFT 2" in text
    assert f"{left:,.2f} USD" in text


def test_mark_paid_records_what_is_left_as_one_payment(world):
    booking = confirmed(world)
    invoice = Invoice.objects.filter(booking=booking).order_by("sequence").first()
    payment_record(
        invoice=invoice, amount=Decimal("100.00"), paid_on=timezone.localdate(), reference="", actor=None
    )
    milestone = payment_milestone_mark_paid(milestone=invoice.milestone, actor=None)
    assert milestone.paid_at is not None
    assert sum(p.amount for p in Payment.objects.filter(invoice=invoice)) == invoice.amount
    booking.refresh_from_db()
    assert booking.amount_paid == invoice.amount


def test_cancelling_voids_the_open_invoices_and_keeps_their_numbers(world):
    booking = confirmed(world)
    deposit, balance = Invoice.objects.filter(booking=booking).order_by("sequence")
    payment_record(
        invoice=deposit, amount=Decimal("500.00"), paid_on=timezone.localdate(), reference="", actor=None
    )
    booking_cancel(booking=booking, actor=None, reason="payload late")
    deposit.refresh_from_db()
    balance.refresh_from_db()
    assert deposit.voided_at is not None and balance.voided_at is not None
    assert deposit.milestone is None and "cancelled" in balance.void_reason
    booking.refresh_from_db()
    # The 500 paid went to the cancellation fee and the refund; none of it pays for a launch now.
    assert min(booking.fees_charged, Decimal("500.00")) + booking.refund_due == Decimal("500.00")
    assert booking.amount_paid == Decimal("0.00") == booking_amount_paid(booking)
    with pytest.raises(Conflict, match="is void"):
        payment_record(
            invoice=balance, amount=Decimal("1"), paid_on=timezone.localdate(), reference="", actor=None
        )


def test_a_rebooked_booking_gets_fresh_invoices_numbered_on(world):
    booking = confirmed(world)
    deposit = Invoice.objects.filter(booking=booking).order_by("sequence").first()
    payment_record(
        invoice=deposit, amount=deposit.amount, paid_on=timezone.localdate(), reference="", actor=None
    )
    later = LaunchFactory(
        name="Kuaizhou-1A · later",
        vehicle_model=world.vehicle_model,
        site=world.site,
        window_start=world.launch.window_start + timedelta(days=40),
    )
    before = set(Invoice.objects.filter(booking=booking).values_list("pk", flat=True))
    moved = booking_rebook(booking=booking, launch=later, actor=None)
    assert moved.reference == booking.reference  # moved in place: its invoices stay with it
    year = timezone.now().year
    fresh = Invoice.objects.filter(booking=moved).exclude(pk__in=before).order_by("sequence")
    numbers = list(fresh.values_list("number", flat=True))
    assert numbers and numbers[0] == f"EXP-{year}-00003"
    # The paid deposit stays paid; the unpaid balance of the old launch is void.
    assert Invoice.objects.get(pk=deposit.pk).paid_at is not None
    assert Invoice.objects.filter(pk__in=before, voided_at__isnull=False).count() == len(before) - 1
    moved.refresh_from_db()
    assert moved.amount_paid == moved.credit_carried_over == booking_amount_paid(moved)
    assert moved.amount_paid == deposit.amount - moved.fees_charged
    for invoice in fresh:
        assert invoice.due_at > timezone.now()


def test_a_provider_without_notice_still_gives_a_day(world):
    world.provider.payment_notice_days = 0
    world.provider.save()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        booking = confirmed(world)
    deposit = Invoice.objects.filter(booking=booking).order_by("sequence").first()
    assert deposit.due_at == now + timedelta(days=1)
    [row, _] = invoice_rows(Invoice.objects.filter(booking=booking), now=now + timedelta(hours=2))
    assert row.status == InvoiceStatus.DUE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_arriving_while_the_booking_is_cancelled_waits_and_finds_the_invoice_void(monkeypatch):
    """The cancel holds the booking and is about to void its invoices; the payment waits on the
    booking (the lock order: booking, milestone, invoice), then finds its invoice void."""
    world = engine_world()
    booking = confirmed(world)
    deposit = Invoice.objects.filter(booking=booking).order_by("sequence").first()
    booking_locked, payment_started = threading.Event(), threading.Event()
    real_void = invoice_services.invoices_void

    def void_after_the_payment_arrives(**kwargs):
        booking_locked.set()
        assert payment_started.wait(timeout=10)
        threading.Event().wait(0.5)  # the payment is now waiting on the booking's lock
        return real_void(**kwargs)

    monkeypatch.setattr(invoice_services, "invoices_void", void_after_the_payment_arrives)
    cancel = in_background(lambda: booking_cancel(booking=booking, actor=None), name="cancel")
    assert booking_locked.wait(timeout=10)
    payment_started.set()
    with pytest.raises(Conflict, match=f"invoice {deposit.number} is void"):
        payment_record(
            invoice=deposit, amount=deposit.amount, paid_on=timezone.localdate(), reference="", actor=None
        )
    assert not isinstance(cancel.outcome(timeout_s=20), BaseException)
    assert not Payment.objects.exists()


def test_a_milestone_marked_paid_before_payments_were_recorded_still_counts(world):
    booking = confirmed(world)
    deposit, balance = Invoice.objects.filter(booking=booking).order_by("sequence")
    # A deposit marked paid the old way: a paid milestone with no payment behind it.
    milestone = deposit.milestone
    Invoice.objects.filter(pk=deposit.pk).delete()
    milestone.paid_at = timezone.now()
    milestone.save(update_fields=["paid_at"])
    payment_record(
        invoice=balance, amount=Decimal("1000.00"), paid_on=timezone.localdate(), reference="", actor=None
    )
    booking.refresh_from_db()
    assert booking.amount_paid == deposit.amount + Decimal("1000.00") == booking_amount_paid(booking)
    # Issued now, its invoice says paid, and takes no payment.
    reissued = invoice_services.invoice_issue(milestone=milestone, actor=None)
    [row] = invoice_rows(Invoice.objects.filter(pk=reissued.pk), now=timezone.now())
    assert row.status == InvoiceStatus.PAID and row.outstanding == 0
    with pytest.raises(Conflict, match="already paid in full"):
        payment_record(
            invoice=reissued, amount=Decimal("1"), paid_on=timezone.localdate(), reference="", actor=None
        )
    with pytest.raises(Conflict, match="already has an invoice"):
        invoice_services.invoice_issue(milestone=milestone, actor=None)
