"""Reminders name the invoice and what is left on it: a part payment lowers the figure; a paid
invoice is not reminded; each reminder (due soon, overdue) is sent once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from booking.models import Notification
from booking.services import notifications as notes
from booking.services.invoices import invoice_issue, payment_record
from tests.booking.test_notifications import sent_to
from tests.customers.factories import PaymentMilestoneFactory

pytestmark = pytest.mark.django_db


def test_a_part_paid_invoice_is_reminded_of_what_is_left(world, committed):  # noqa: F811
    soon = PaymentMilestoneFactory(
        contract=world.contract,
        label="Deposit LB-SOON",
        amount=Decimal("1000.00"),
        due_at=world.now + timedelta(days=2),
    )
    paid = PaymentMilestoneFactory(
        contract=world.contract,
        label="Deposit LB-PAID",
        amount=Decimal("50.00"),
        due_at=world.now + timedelta(days=1),
    )
    invoice = invoice_issue(milestone=soon, actor=None, now=world.now - timedelta(days=5))
    payment_record(
        invoice=invoice, amount=Decimal("400.00"), paid_on=world.now.date(), reference="", actor=None
    )
    payment_record(
        invoice=invoice_issue(milestone=paid, actor=None, now=world.now - timedelta(days=5)),
        amount=Decimal("50.00"),
        paid_on=world.now.date(),
        reference="",
        actor=None,
    )
    assert committed(notes.payment_reminders_notify, now=world.now) == 1
    note = Notification.objects.get(reason="payment_due")
    assert note.details["invoice"] == invoice.number and note.details["amount"] == "600.00 USD"
    assert f"(invoice {invoice.number}): 600.00 USD is due" in note.message
    assert sent_to("payment_due") == ["ana@example.test", "fi@example.test"]
    body = next(m for m in mail.outbox if "Deposit LB-SOON" in m.subject).body
    assert f"Invoice: {invoice.number}" in body and "Left to pay: 600.00 USD" in body
    assert committed(notes.payment_reminders_notify, now=world.now + timedelta(hours=1)) == 0
    # Past the due date: the overdue reminder, once.
    assert committed(notes.payment_reminders_notify, now=world.now + timedelta(days=3)) == 1
    assert committed(notes.payment_reminders_notify, now=world.now + timedelta(days=3, hours=1)) == 0
    assert Notification.objects.filter(reason="payment_overdue", details__invoice=invoice.number).count() == 1
