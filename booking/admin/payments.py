"""Invoices and payments in the operator admin, and the "Mark paid" action on payment milestones.

Milestones are administered in ``booking.admin.customers``, but recording a payment is a booking service
(``payment_record`` gives the payment its receipt, marks the milestone paid once its invoice is paid in
full, sets the booking's amount paid and writes the Events), and the customers app must never import
booking. So this module, loaded with the booking admin (which Django imports after the customers admin:
``booking`` follows ``customers`` in INSTALLED_APPS, and the import below makes the order explicit
anyway), replaces the registered milestone admin with a subclass that only adds the actions.
Subclassing keeps every other option in one place, and a re-registration is visible in one line,
unlike editing another app's ``ModelAdmin`` in the registry.

Invoices are written by services only: the admin shows them (with their payments and PDFs) and
offers one form, "Record payment", to the provider's operators (``payment_record``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.admin.customers import PaymentMilestoneAdmin as CustomersPaymentMilestoneAdmin
from booking.admin.exports import PAYMENT_ACTIONS
from booking.admin.rules import RuleActionsMixin, admin_may
from booking.errors import ServiceError
from booking.invoice_pdf import invoice_pdf, pdf_response, receipt_pdf
from booking.models import Event, Invoice, Payment
from booking.rules.money import InvoiceStatus
from booking.rules.permissions import Action
from booking.selectors.invoices import invoice_of_milestone, invoice_row
from booking.services.bookings import payment_milestone_mark_paid
from booking.services.invoices import invoice_issue, payment_record
from customers.models import PaymentMilestone
from vehicles.admin_scoping import ProviderScopedAdmin

admin.site.unregister(PaymentMilestone)


@admin.register(PaymentMilestone)
class PaymentMilestoneAdmin(RuleActionsMixin, CustomersPaymentMilestoneAdmin):
    actions = ["mark_paid", "issue_invoices", *PAYMENT_ACTIONS]

    @admin.action(
        description=gettext_lazy(
            "Mark the selected milestones paid (records what is left as received today)"
        ),
        permissions=["payment_record"],
    )
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[PaymentMilestone]) -> None:
        for milestone in queryset.order_by("pk"):
            try:
                payment_milestone_mark_paid(milestone=milestone, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            event = (
                Event.objects.filter(
                    verb="milestone.paid", subject_type="paymentmilestone", subject_id=milestone.pk
                )
                .order_by("-pk")
                .first()
            )
            self.message_user(
                request,
                event.message if event else _("%(label)s marked paid.") % {"label": milestone.label},
                messages.SUCCESS,
            )

    @admin.action(
        description=gettext_lazy("Issue invoices for the selected milestones that have none"),
        permissions=["payment_record"],
    )
    def issue_invoices(self, request: HttpRequest, queryset: QuerySet[PaymentMilestone]) -> None:
        for milestone in queryset.select_related("contract__provider", "contract__customer").order_by("pk"):
            if invoice_of_milestone(milestone) is not None:
                continue
            try:
                invoice = invoice_issue(milestone=milestone, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            self.message_user(
                request,
                _("Invoice %(number)s issued for %(label)s.")
                % {"number": invoice.number, "label": milestone.label},
                messages.SUCCESS,
            )


class RecordPaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    reference = forms.CharField(label=gettext_lazy("Payer's reference"), max_length=80, required=False)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ("receipt_number", "amount", "currency", "paid_on", "reference", "recorded_by", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


#: The invoice's state in words (the portal's badge says the same).
INVOICE_STATUS_WORDS = {
    InvoiceStatus.PAID: gettext_lazy("paid"),
    InvoiceStatus.PART_PAID: gettext_lazy("part paid"),
    InvoiceStatus.DUE: gettext_lazy("due"),
    InvoiceStatus.OVERDUE: gettext_lazy("overdue"),
    InvoiceStatus.VOID: gettext_lazy("void"),
}


@admin.register(Invoice)
class InvoiceAdmin(ProviderScopedAdmin):
    list_display = ["number", "customer", "booking", "amount", "currency", "due_at", "status_shown"]
    list_filter = ["provider", "currency"]
    search_fields = ["number", "customer__name", "booking__reference", "contract__reference"]
    list_select_related = ["customer", "booking", "provider"]
    date_hierarchy = "due_at"
    inlines = [PaymentInline]
    readonly_fields = (
        "number",
        "provider",
        "customer",
        "contract",
        "booking",
        "milestone",
        "currency",
        "amount",
        "status_shown",
        "issued_at",
        "due_at",
        "paid_at",
        "voided_at",
        "void_reason",
        *Invoice.PARTY_FIELDS,
        "documents",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("Status"))
    def status_shown(self, obj: Invoice) -> str:
        row = invoice_row(obj, now=timezone.now())
        return _("%(status)s: %(paid)s paid, %(left)s left") % {
            "status": INVOICE_STATUS_WORDS[row.status],
            "paid": f"{row.paid:,.2f}",
            "left": f"{row.outstanding:,.2f}",
        }

    @admin.display(description=gettext_lazy("Documents"))
    def documents(self, obj: Invoice) -> str:
        links = [(reverse("admin:booking_invoice_pdf", args=[obj.pk]), _("Invoice PDF"))]
        links += [
            (
                reverse("admin:booking_invoice_receipt", args=[obj.pk, p.pk]),
                _("Receipt %(number)s") % {"number": p.receipt_number},
            )
            for p in obj.payments.order_by("pk")
        ]
        html = format_html_join(" · ", '<a href="{}">{}</a>', links)
        if obj.voided_at is None and obj.paid_at is None:
            html = format_html(
                '{} · <a class="button" href="{}">{}</a>',
                html,
                reverse("admin:booking_invoice_record_payment", args=[obj.pk]),
                _("Record payment"),
            )
        return html

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", view(self.pdf_view), name="booking_invoice_pdf"),
            path(
                "<int:pk>/receipts/<int:payment_pk>/", view(self.receipt_view), name="booking_invoice_receipt"
            ),
            path(
                "<int:pk>/record-payment/",
                view(self.record_payment_view),
                name="booking_invoice_record_payment",
            ),
            *super().get_urls(),
        ]

    def _invoice(self, request: HttpRequest, pk: int) -> Invoice:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self._invoice(request, pk)
        row = invoice_row(invoice, now=timezone.now())
        content = invoice_pdf(invoice, lines=list(invoice.lines.all()), paid=row.paid)
        return pdf_response(content, filename=invoice.number)

    def receipt_view(self, request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
        invoice = self._invoice(request, pk)
        payment = get_object_or_404(invoice.payments, pk=payment_pk)
        return pdf_response(receipt_pdf(payment), filename=payment.receipt_number)

    def record_payment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self._invoice(request, pk)
        if not admin_may(request, Action.PAYMENT_RECORD):
            raise PermissionDenied
        row = invoice_row(invoice, now=timezone.now())
        form = RecordPaymentForm(request.POST or None, initial={"amount": row.outstanding})
        if request.method == "POST" and form.is_valid():
            try:
                payment = payment_record(
                    invoice=invoice,
                    amount=form.cleaned_data["amount"],
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                    actor=request.user,
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    _("%(amount)s %(currency)s recorded against %(number)s: receipt %(receipt)s.")
                    % {
                        "amount": f"{payment.amount:,.2f}",
                        "currency": payment.currency,
                        "number": invoice.number,
                        "receipt": payment.receipt_number,
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:booking_invoice_change", args=[invoice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a payment against %(number)s") % {"number": invoice.number},
            "opts": self.model._meta,
            "invoice": invoice,
            "row": row,
            "form": form,
        }
        return TemplateResponse(request, "admin/booking/invoice/record_payment.html", context)
