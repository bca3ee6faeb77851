"""Payments: the organisation's invoices (paid, part paid, due, overdue), their PDFs and receipts.

Finance members and administrators only (``payment_view``); others get the refusal page.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from booking.invoice_pdf import invoice_pdf, pdf_response, receipt_pdf
from booking.models import Invoice
from booking.portal.access import PortalRequest, member_required
from booking.rules.money import InvoiceStatus
from booking.rules.permissions import Action, may, refusal
from booking.selectors.invoices import invoice_row, invoice_rows

STATUS_FILTERS = (
    ("", gettext_lazy("All")),
    ("unpaid", gettext_lazy("Unpaid")),
    (InvoiceStatus.OVERDUE.value, gettext_lazy("Overdue")),
    (InvoiceStatus.PAID.value, gettext_lazy("Paid")),
)
UNPAID = (InvoiceStatus.DUE, InvoiceStatus.PART_PAID, InvoiceStatus.OVERDUE)


def _refused(request: PortalRequest) -> HttpResponse | None:
    who = request.membership.role
    if may(who, Action.PAYMENT_VIEW):
        return None
    return render(request, "portal/refused.html", {"refusal": refusal(who, Action.PAYMENT_VIEW)}, status=403)


def _invoice(request: PortalRequest, number: str) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("contract", "booking", "provider"),
        number=number,
        customer=request.customer,
    )


@member_required(Action.PAYMENT_VIEW)
def payments(request: PortalRequest) -> HttpResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    wanted = request.GET.get("status") or ""
    statuses = {"unpaid": UNPAID, InvoiceStatus.OVERDUE.value: (InvoiceStatus.OVERDUE,)}.get(
        wanted, (InvoiceStatus.PAID,) if wanted == InvoiceStatus.PAID.value else ()
    )
    if wanted not in dict(STATUS_FILTERS):
        wanted = ""
    rows = invoice_rows(
        Invoice.objects.filter(customer=request.customer)
        .select_related("contract", "booking", "provider")
        .prefetch_related("payments", "lines"),
        now=timezone.now(),
        statuses=statuses,
    )
    return render(
        request,
        "portal/payments.html",
        {"rows": rows, "status": wanted, "filters": STATUS_FILTERS},
    )


@member_required(Action.PAYMENT_VIEW)
def invoice_download(request: PortalRequest, number: str) -> HttpResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    invoice = _invoice(request, number)
    row = invoice_row(invoice, now=timezone.now())
    return pdf_response(
        invoice_pdf(invoice, lines=list(invoice.lines.all()), paid=row.paid), filename=invoice.number
    )


@member_required(Action.PAYMENT_VIEW)
def receipt_download(request: PortalRequest, number: str, receipt: str) -> HttpResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    invoice = _invoice(request, number)
    payment = invoice.payments.filter(receipt_number=receipt).first()
    if payment is None:
        raise Http404
    return pdf_response(receipt_pdf(payment), filename=payment.receipt_number)
