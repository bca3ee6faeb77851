"""Invoices and payments: issuing a milestone's numbered invoice, voiding it when the milestone
is no longer due, and recording the money received against it (each payment with a numbered
receipt).

Numbers: per provider, per kind (invoice, receipt) and per year, taken from a ``NumberSeries``
row locked until the commit (``locking.lock_number_series``, last in the lock order), so numbers
run without gaps or duplicates however many issue at once.

Paid: a milestone (and its invoice) is paid when its payments add up to the invoice's amount;
``Booking.amount_paid`` is set from ``booking.selectors.invoices.booking_amount_paid``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, Event, Invoice, InvoiceLine, NumberSeries, Payment
from booking.rules.money import document_prefix, fmt_money, invoice_number, money, receipt_number
from booking.selectors.invoices import booking_amount_paid, invoice_paid
from customers.models import PaymentMilestone
from vehicles.models import Provider

from . import locking
from .events import Actor, event_new, event_record, events_record, user_or_none


def _next_numbers(*, provider: Provider, kind: str, year: int, count: int = 1) -> range:
    """The next ``count`` numbers of the provider's series for the year, taken in one step."""
    series = locking.lock_number_series(provider_id=provider.pk, kind=kind, year=year)
    first = series.last_number + 1
    series.last_number += count
    series.save(update_fields=["last_number"])
    return range(first, series.last_number + 1)


def invoice_issue(
    *, milestone: PaymentMilestone, actor: Actor, booking: Booking | None = None, now: datetime | None = None
) -> Invoice:
    """Issue the invoice of ``milestone``: ``invoices_issue`` for one."""
    return invoices_issue(milestones=[milestone], actor=actor, booking=booking, now=now)[0]


def invoices_issue(
    *,
    milestones: Sequence[PaymentMilestone],
    actor: Actor,
    booking: Booking | None = None,
    now: datetime | None = None,
) -> list[Invoice]:
    """Issue the invoice of each milestone, in the order given (one line each: what the milestone
    pays for), numbered next in its provider's series for the year, with the seller's and buyer's
    details as they are now; written together, so a booking's deposit and balance cost one
    series lock and one insert of each kind.

    Refused, with nothing issued, when a milestone already has one. ``booking``: the booking the
    milestones pay for, when the caller has it (booking milestones carry its reference).
    """
    now = now or timezone.now()
    if not milestones:
        return []
    year = now.year
    with transaction.atomic():
        providers: dict[int, Provider] = {}
        for milestone in milestones:
            providers.setdefault(milestone.contract.provider_id, milestone.contract.provider)
        # One series per provider, locked in the provider order (two issues never wait on each other
        # in a circle); the numbers follow the milestones' order.
        numbers: dict[int, Iterator[int]] = {}
        for provider_id in sorted(providers):
            wanted = sum(1 for m in milestones if m.contract.provider_id == provider_id)
            numbers[provider_id] = iter(
                _next_numbers(
                    provider=providers[provider_id], kind=NumberSeries.Kind.INVOICE, year=year, count=wanted
                )
            )
        # Checked under the series lock: two issues of one milestone queue there, and the second
        # sees the first one's invoice (and gives its numbers back by refusing).
        invoiced = set(
            Invoice.objects.filter(milestone__in=[m.pk for m in milestones]).values_list(
                "milestone_id", flat=True
            )
        )
        for milestone in milestones:
            if milestone.pk in invoiced:
                raise Conflict(
                    _("%(label)s already has an invoice: one milestone is invoiced once")
                    % {"label": milestone.label}
                )
        prefixes = {provider_id: _prefix(provider) for provider_id, provider in providers.items()}
        found: dict[tuple[str, int], Booking | None] = {}  # a booking's milestones name it once
        paying = [(milestone, booking or _booking_of(milestone, found)) for milestone in milestones]
        issued = Invoice.objects.bulk_create(
            [
                _invoice_new(
                    milestone,
                    sequence=next(numbers[milestone.contract.provider_id]),
                    prefix=prefixes[milestone.contract.provider_id],
                    booking=paid_for,
                    year=year,
                    now=now,
                )
                for milestone, paid_for in paying
            ]
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=invoice,
                    position=1,
                    description=_line_text(milestone, paid_for)[:300],
                    quantity=Decimal("1"),
                    unit_amount=milestone.amount,
                    amount=milestone.amount,
                )
                for invoice, (milestone, paid_for) in zip(issued, paying, strict=True)
            ]
        )
        events_record(
            [
                _issued_event(invoice, milestone=milestone, booking=paid_for, actor=actor)
                for invoice, (milestone, paid_for) in zip(issued, paying, strict=True)
            ]
        )
    return issued


def _booking_of(milestone: PaymentMilestone, found: dict[tuple[str, int], Booking | None]) -> Booking | None:
    """The booking a milestone pays for (by its reference under its contract), read once per batch."""
    if not milestone.reference:
        return None
    key = (milestone.reference, milestone.contract_id)
    if key not in found:
        found[key] = Booking.objects.filter(
            reference=milestone.reference, contract_id=milestone.contract_id
        ).first()
    return found[key]


def _invoice_new(
    milestone: PaymentMilestone,
    *,
    sequence: int,
    prefix: str,
    booking: Booking | None,
    year: int,
    now: datetime,
) -> Invoice:
    contract = milestone.contract
    provider, customer = contract.provider, contract.customer
    return Invoice(
        number=invoice_number(prefix=prefix, year=year, sequence=sequence),
        provider=provider,
        customer=customer,
        contract=contract,
        milestone=milestone,
        booking=booking,
        year=year,
        sequence=sequence,
        currency=milestone.currency,
        amount=milestone.amount,
        issued_at=now,
        due_at=milestone.due_at,
        paid_at=milestone.paid_at,
        seller_name=provider.legal_name or provider.name,
        seller_address=provider.billing_address,
        seller_tax_id=provider.tax_id,
        buyer_name=customer.legal_name or customer.name,
        buyer_address=customer.billing_address,
        buyer_tax_id=customer.tax_id,
    )


def _line_text(milestone: PaymentMilestone, booking: Booking | None) -> str:
    if booking is None:
        return milestone.label
    return _("%(label)s: %(payload)s on %(launch)s") % {
        "label": milestone.label,
        "payload": booking.payload.name,
        "launch": booking.launch.name,
    }


def _issued_event(
    invoice: Invoice, *, milestone: PaymentMilestone, booking: Booking | None, actor: Actor
) -> Event:
    return event_new(
        verb="invoice.issued",
        subject_type="invoice",
        subject_id=invoice.pk,
        actor=actor,
        after={
            "number": invoice.number,
            "amount": invoice.amount,
            "currency": invoice.currency,
            "due_at": invoice.due_at,
            "milestone": milestone.pk,
            "booking": booking.reference if booking is not None else None,
        },
        message=_("invoice %(number)s: %(amount)s for %(label)s")
        % {
            "number": invoice.number,
            "amount": fmt_money(invoice.amount, invoice.currency),
            "label": milestone.label,
        },
        customer=invoice.customer,
        provider_id=invoice.provider_id,
        launch_id=booking.launch_id if booking is not None else None,
        system="system",
    )


def invoices_void(
    *, milestones: Sequence[PaymentMilestone], reason: str, actor: Actor, now: datetime
) -> list[str]:
    """Void the invoices of milestones that are no longer due (the booking was cancelled or moved)
    before the milestones go; answers their numbers. Caller holds the booking's lock.

    Invoices are never deleted (their numbers would leave a gap): a void one keeps its number and
    any payments made against it (they count in what the booking paid, and carry over on a move).
    """
    invoices = list(
        Invoice.objects.filter(milestone__in=list(milestones), voided_at__isnull=True).select_related(
            "provider", "customer", "booking__launch"
        )
    )
    for invoice in invoices:
        invoice.voided_at = now
        invoice.void_reason = reason[:200]
        invoice.save(update_fields=["voided_at", "void_reason"])
        event_record(
            verb="invoice.voided",
            subject=invoice,
            actor=actor,
            before={"voided_at": None},
            after={"voided_at": now, "reason": reason},
            message=_("invoice %(number)s void: %(reason)s") % {"number": invoice.number, "reason": reason},
            customer=invoice.customer,
            provider=invoice.provider,
            launch=invoice.booking.launch if invoice.booking is not None else None,
        )
    return [invoice.number for invoice in invoices]


def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_on: date,
    reference: str,
    actor: Actor,
    currency: str | None = None,
    now: datetime | None = None,
) -> Payment:
    """Record money received against ``invoice`` and give it a numbered receipt.

    Partial payments are welcome; more than is left to pay is refused with the figures, as is a
    payment in another currency (``currency``, when the payer's is known), on a void invoice, or
    dated in the future. The invoice's last payment marks it and its milestone paid, and the
    booking's amount paid is set from its payments. Locks the booking, the milestone, the invoice
    (``locking.lock_invoice_with_booking``), then the receipt series.
    """
    now = now or timezone.now()
    amount = Decimal(amount)
    if amount != money(amount):
        raise InvalidRequest(_("an amount has at most two decimals (cents): %(amount)s") % {"amount": amount})
    if amount <= 0:
        raise InvalidRequest(_("a payment is more than zero: %(amount)s") % {"amount": amount})
    if paid_on > timezone.localdate(now):
        raise InvalidRequest(
            _("a payment cannot be dated %(day)s, in the future: record it once the money has arrived")
            % {"day": paid_on.isoformat()}
        )
    with transaction.atomic():
        booking, milestone, invoice = locking.lock_invoice_with_booking(invoice=invoice)
        figures = {"number": invoice.number, "currency": invoice.currency}
        if currency is not None and currency != invoice.currency:
            raise InvalidRequest(
                _("invoice %(number)s is in %(currency)s, not %(given)s: record the amount in %(currency)s")
                % {**figures, "given": currency}
            )
        if invoice.voided_at is not None:
            raise Conflict(
                _("invoice %(number)s is void (%(reason)s): nothing more is due on it")
                % {**figures, "reason": invoice.void_reason}
            )
        paid_before = invoice_paid(invoice)
        left = invoice.amount - paid_before
        if left <= 0 or invoice.paid_at is not None:
            raise Conflict(_("invoice %(number)s is already paid in full") % figures)
        if amount > left:
            raise InvalidRequest(
                _(
                    "%(amount)s is more than the %(left)s left to pay on invoice %(number)s "
                    "(%(total)s, %(paid)s paid): record at most %(left)s"
                )
                % {
                    **figures,
                    "amount": fmt_money(amount, invoice.currency),
                    "left": fmt_money(left, invoice.currency),
                    "total": fmt_money(invoice.amount, invoice.currency),
                    "paid": fmt_money(paid_before, invoice.currency),
                }
            )
        year = now.year
        (sequence,) = _next_numbers(provider=invoice.provider, kind=NumberSeries.Kind.RECEIPT, year=year)
        prefix = _prefix(invoice.provider)
        payment = Payment.objects.create(
            invoice=invoice,
            amount=amount,
            currency=invoice.currency,
            paid_on=paid_on,
            reference=reference.strip()[:80],
            receipt_number=receipt_number(prefix=prefix, year=year, sequence=sequence),
            receipt_year=year,
            receipt_sequence=sequence,
            recorded_by=user_or_none(actor),
            recorded_at=now,
        )
        paid_after = paid_before + amount
        fully_paid = paid_after >= invoice.amount
        if fully_paid:
            invoice.paid_at = now
            invoice.save(update_fields=["paid_at"])
            if milestone is not None:
                milestone.paid_at = now
                milestone.save(update_fields=["paid_at"])
        after: dict = {
            "invoice": invoice.number,
            "receipt": payment.receipt_number,
            "amount": amount,
            "currency": invoice.currency,
            "paid_on": paid_on,
            "reference": payment.reference,
            "invoice_paid": paid_after,
            "invoice_left": invoice.amount - paid_after,
        }
        if booking is not None:
            before_paid = booking.amount_paid
            booking.amount_paid = booking_amount_paid(booking)
            booking.save(update_fields=["amount_paid", "updated_at"])
            after |= {
                "booking": booking.reference,
                "amount_paid_before": before_paid,
                "amount_paid": booking.amount_paid,
            }
        launch = booking.launch if booking is not None else None
        event_record(
            verb="payment.recorded",
            subject=payment,
            actor=actor,
            after=after,
            message=(
                f"{fmt_money(amount, invoice.currency)} received against invoice {invoice.number} "
                f"(receipt {payment.receipt_number})"
            ),
            customer=invoice.customer,
            provider=invoice.provider,
            launch=launch,
        )
        if fully_paid and milestone is not None:
            event_record(
                verb="milestone.paid",
                subject=milestone,
                actor=actor,
                before={"paid_at": None},
                after={"paid_at": now, "amount": milestone.amount, "currency": milestone.currency}
                | {
                    k: v
                    for k, v in after.items()
                    if k in ("booking", "amount_paid_before", "amount_paid", "invoice")
                },
                message=f"{milestone.label}: {fmt_money(milestone.amount, milestone.currency)} paid",
                customer=invoice.customer,
                provider=invoice.provider,
                launch=launch,
            )
    return payment


def _prefix(provider: Provider) -> str:
    """The provider's invoice and receipt prefix, unique among the providers."""
    others = [
        document_prefix(invoice_prefix=p.invoice_prefix, short_name=p.short_name)
        for p in Provider.objects.exclude(pk=provider.pk).only("invoice_prefix", "short_name")
    ]
    return document_prefix(
        invoice_prefix=provider.invoice_prefix,
        short_name=provider.short_name,
        provider_id=provider.pk,
        others=others,
    )
