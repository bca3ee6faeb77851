"""Invoices and payments as finance reads them: what each invoice says, what was paid against it,
what is left, its status (paid, part paid, due, overdue, void) and what a booking has paid.

``invoice_rows`` is the one list the portal's Payments page, the API and exports read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from booking.models import Booking, Invoice, Payment
from booking.rules.money import InvoiceStatus, invoice_status
from customers.models import PaymentMilestone

ZERO = Decimal("0.00")


def with_paid(qs: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Each invoice with ``paid_amount``: the sum of its payments (0 without any)."""
    return qs.annotate(
        paid_amount=Coalesce(
            Sum("payments__amount"), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
        )
    )


def invoice_paid(invoice: Invoice) -> Decimal:
    """What was paid against ``invoice`` so far (fresh from its payments)."""
    total = Payment.objects.filter(invoice=invoice).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    paid: Decimal
    outstanding: Decimal
    status: InvoiceStatus

    @property
    def overdue(self) -> bool:
        return self.status == InvoiceStatus.OVERDUE


def invoice_row(invoice: Invoice, *, now: datetime, paid: Decimal | None = None) -> InvoiceRow:
    paid = invoice_paid(invoice) if paid is None else paid
    if invoice.paid_at is not None and paid < invoice.amount:
        # Issued for a milestone marked paid before payments were recorded: paid, in full.
        paid = invoice.amount
    return InvoiceRow(
        invoice=invoice,
        paid=paid,
        outstanding=max(invoice.amount - paid, ZERO) if invoice.voided_at is None else ZERO,
        status=invoice_status(
            amount=invoice.amount,
            paid=paid,
            due_at=invoice.due_at,
            voided=invoice.voided_at is not None,
            now=now,
        ),
    )


def invoice_rows(
    invoices: QuerySet[Invoice],
    *,
    now: datetime,
    statuses: Iterable[str] = (),
) -> list[InvoiceRow]:
    """Rows of ``invoices`` (a scoped queryset: ``get_invoices_for``, or a provider's for an
    export), oldest due first, each with what was paid and its status; ``statuses`` narrows them
    (e.g. ``["overdue"]``). Two queries whatever the number of invoices."""
    wanted = {InvoiceStatus(s) for s in statuses}
    rows = [
        invoice_row(invoice, now=now, paid=invoice.paid_amount)  # type: ignore[attr-defined]
        for invoice in with_paid(invoices).order_by("due_at", "pk")
    ]
    return [row for row in rows if not wanted or row.status in wanted]


def invoice_of_milestone(milestone: PaymentMilestone) -> Invoice | None:
    return Invoice.objects.filter(milestone=milestone).select_related("provider").first()


def booking_invoices(booking: Booking) -> QuerySet[Invoice]:
    return Invoice.objects.filter(booking=booking).order_by("due_at", "pk")


def invoice_payments(invoice: Invoice) -> list[Payment]:
    return list(invoice.payments.order_by("paid_on", "pk"))


def booking_amount_paid(booking: Booking) -> Decimal:
    """What a booking has paid towards its price: every payment against its invoices, plus any
    milestone of it marked paid before payments were recorded (paid, with no payment behind it),
    less the fees it was charged (a move's rebooking fee, a cancellation fee) and the refunds it is
    due. A booking moved keeps its invoices and payments, so what it paid moves with it; one moved
    before moves kept their booking carries the credit of the booking it came from.
    ``Booking.amount_paid`` holds this figure; the payment and booking services set it."""
    paid = Payment.objects.filter(invoice__booking=booking).aggregate(total=Sum("amount"))["total"] or ZERO
    earlier = ZERO
    if booking.contract_id is not None:  # a hold has no milestones
        milestones = PaymentMilestone.objects.filter(
            reference=booking.reference, contract_id=booking.contract_id, paid_at__isnull=False
        )
        earlier = (
            milestones.exclude(invoice__payments__isnull=False).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
    carried = booking.credit_carried_over if booking.rebooked_from_id is not None else ZERO
    return max(carried + paid + earlier - booking.fees_charged - booking.refund_due, ZERO)


def invoices_due_q(*, due_before: datetime) -> Q:
    """Invoices not void, not fully paid and due before ``due_before``."""
    return Q(voided_at__isnull=True, paid_at__isnull=True, due_at__lt=due_before)
