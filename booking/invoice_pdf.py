"""Invoices and receipts as PDF (ReportLab): one A4 page each, drawn from the saved rows.

Pages are written uncompressed: an invoice is a page of text, a few kilobytes either way, and the
words in it stay searchable by any tool (the tests read them back from the bytes). Text that is
not Latin (a Chinese name or address, the Simplified Chinese labels) is drawn in ReportLab's
built-in STSong-Light CID font, which needs no font file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from booking.dates import date_text, day_text
from booking.models import Invoice, InvoiceLine, Payment
from booking.rules.money import fmt_money

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))

LEFT = 20 * mm
RIGHT = A4[0] - 20 * mm
TOP = A4[1] - 20 * mm
LINE = 5 * mm


class _Page:
    def __init__(self, *, title: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=0, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("Launchbook")
        self.y = TOP

    def _font(self, text: str, *, bold: bool, size: float) -> None:
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            self.canvas.setFont(CJK, size)
            return
        self.canvas.setFont(LATIN_BOLD if bold else LATIN, size)

    def text(
        self, text: str, *, x: float = LEFT, bold: bool = False, size: float = 10, right: bool = False
    ) -> None:
        self._font(text, bold=bold, size=size)
        if right:
            self.canvas.drawRightString(x, self.y, text)
        else:
            self.canvas.drawString(x, self.y, text)

    def down(self, lines: float = 1) -> None:
        self.y -= lines * LINE

    def block(self, heading: str, lines: Sequence[str], *, x: float) -> float:
        """A heading and its lines at ``x`` from the current height; answers the lowest height."""
        y = self.y
        self.text(heading, x=x, bold=True, size=9)
        for line in lines:
            if line:
                self.down()
                self.text(line, x=x)
        lowest = self.y
        self.y = y
        return lowest

    def pdf(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _party(name: str, address: str, tax_id: str) -> list[str]:
    lines = [name, *address.splitlines()]
    if tax_id:
        lines.append(_("Tax ID: %(tax_id)s") % {"tax_id": tax_id})
    return lines


def _header(page: _Page, *, title: str, number: str, invoice: Invoice) -> None:
    page.text(title, bold=True, size=18)
    page.text(number, x=RIGHT, bold=True, size=14, right=True)
    page.down(3)
    low_seller = page.block(
        _("From"), _party(invoice.seller_name, invoice.seller_address, invoice.seller_tax_id), x=LEFT
    )
    low_buyer = page.block(
        _("Bill to"),
        _party(invoice.buyer_name, invoice.buyer_address, invoice.buyer_tax_id),
        x=LEFT + 90 * mm,
    )
    page.y = min(low_seller, low_buyer)
    page.down(2)


def invoice_pdf(invoice: Invoice, *, lines: Sequence[InvoiceLine], paid: Decimal) -> bytes:
    """The invoice: number, dates, seller, buyer, lines, total, paid so far, left to pay."""
    page = _Page(title=_("Invoice %(number)s") % {"number": invoice.number})
    _header(page, title=_("Invoice"), number=invoice.number, invoice=invoice)
    facts = [
        (_("Invoice number"), invoice.number),
        (_("Issued"), day_text(invoice.issued_at)),
        (_("Due"), day_text(invoice.due_at)),
        (_("Contract"), invoice.contract.reference),
        (_("Currency"), invoice.currency),
    ]
    if invoice.booking is not None:
        facts.insert(3, (_("Booking"), invoice.booking.reference))
    for label, value in facts:
        page.text(label, bold=True, size=9)
        page.text(value, x=LEFT + 40 * mm)
        page.down()
    page.down()
    page.text(_("Description"), bold=True, size=9)
    page.text(_("Quantity"), x=RIGHT - 60 * mm, bold=True, size=9, right=True)
    page.text(_("Amount"), x=RIGHT, bold=True, size=9, right=True)
    page.canvas.line(LEFT, page.y - 2, RIGHT, page.y - 2)
    page.down(1.4)
    for line in lines:
        page.text(line.description[:90])
        page.text(f"{line.quantity:g}", x=RIGHT - 60 * mm, right=True)
        page.text(fmt_money(line.amount, invoice.currency), x=RIGHT, right=True)
        page.down()
    page.canvas.line(LEFT, page.y + LINE - 2, RIGHT, page.y + LINE - 2)
    page.down(0.4)
    left_to_pay = max(invoice.amount - paid, Decimal("0.00"))
    totals = [(_("Total"), invoice.amount), (_("Paid"), paid), (_("Left to pay"), left_to_pay)]
    for label, amount in totals:
        page.text(label, x=RIGHT - 60 * mm, bold=True, right=True)
        page.text(fmt_money(amount, invoice.currency), x=RIGHT, right=True)
        page.down()
    page.down()
    if invoice.voided_at is not None:
        page.text(_("VOID: %(reason)s") % {"reason": invoice.void_reason}, bold=True, size=12)
        page.down()
    page.text(
        _("Please pay by %(due)s, quoting invoice %(number)s.")
        % {"due": day_text(invoice.due_at), "number": invoice.number},
        size=9,
    )
    return page.pdf()


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt of one payment: number, the invoice it was paid against, amount, day, reference."""
    invoice = payment.invoice
    page = _Page(title=_("Receipt %(number)s") % {"number": payment.receipt_number})
    _header(page, title=_("Receipt"), number=payment.receipt_number, invoice=invoice)
    facts = [
        (_("Receipt number"), payment.receipt_number),
        (_("Invoice"), invoice.number),
        (_("Received on"), date_text(payment.paid_on)),
        (_("Amount received"), fmt_money(payment.amount, payment.currency)),
        (_("Payer's reference"), payment.reference or "—"),
    ]
    for label, value in facts:
        page.text(label, bold=True, size=9)
        page.text(value, x=LEFT + 45 * mm)
        page.down()
    page.down()
    page.text(
        _("Received with thanks against invoice %(number)s.") % {"number": invoice.number},
        size=9,
    )
    return page.pdf()


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A PDF answer the browser saves as ``<filename>.pdf`` (a download: an inline PDF would open
    in the browser's viewer, which the site's ``frame-ancestors 'none'`` policy may blank out)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
