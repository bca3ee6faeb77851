"""Invoices: list and read them, download their PDFs and receipts; provider operators record
payments against them."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.invoice_pdf import invoice_pdf, pdf_response, receipt_pdf
from booking.rules.permissions import Action
from booking.selectors.access import get_invoices_for
from booking.selectors.invoices import invoice_row, invoice_rows
from booking.services.invoices import payment_record

from .. import examples as ex
from ..permissions import acting_rows
from ..serializers.invoices import InvoiceSerializer, PaymentRecordSerializer, PaymentSerializer
from .common import BAD_REQUEST, CONFLICT, NOT_FOUND, ApiViewSet

NUMBER_REGEX = r"[A-Za-z0-9-]{1,30}"
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="The PDF (application/pdf).")


@extend_schema_view(
    list=extend_schema(
        description=(
            "Your organisation's invoices (a provider operator: their provider's), oldest due first, "
            "each with what was paid, what is left and its status. Finance members and administrators only."
        ),
        examples=[ex.ex("Invoices", [ex.INVOICE], response=True)],
    ),
    retrieve=extend_schema(
        description="One invoice by its number, e.g. EXP-2026-00042.",
        responses={200: InvoiceSerializer, 404: NOT_FOUND},
        examples=[ex.ex("Invoice", ex.INVOICE, response=True)],
    ),
    pdf=extend_schema(
        description="The invoice as a PDF: seller, buyer, lines, total, paid and left to pay.",
        responses={200: PDF, 404: NOT_FOUND},
        examples=[ex.ex("Refused", ex.NOT_YOURS, response=True, status="404")],
    ),
    receipt=extend_schema(
        description="The receipt of one payment against the invoice, as a PDF.",
        responses={200: PDF, 404: NOT_FOUND},
        examples=[ex.ex("Refused", ex.NOT_YOURS, response=True, status="404")],
    ),
    payments=extend_schema(
        description=(
            "Record money received against the invoice (provider operators): partial payments are "
            "welcome; more than is left to pay is refused with the figures (400), as is another "
            "currency. Answers the payment with its receipt number."
        ),
        request=PaymentRecordSerializer,
        responses={201: PaymentSerializer, 400: BAD_REQUEST, 404: NOT_FOUND, 409: CONFLICT},
        examples=[
            ex.ex("Payment", ex.PAYMENT_REQUEST, request=True),
            ex.ex("Recorded", ex.PAYMENT, response=True, status="201"),
            ex.ex("Void", ex.CONFLICT, response=True, status="409"),
        ],
    ),
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = InvoiceSerializer
    lookup_field = "number"
    lookup_value_regex = NUMBER_REGEX
    filterset_fields = ["provider", "currency"]
    ordering_fields = ["due_at", "issued_at", "number"]
    rule_actions = {
        "list": Action.PAYMENT_VIEW,
        "retrieve": Action.PAYMENT_VIEW,
        "pdf": Action.PAYMENT_VIEW,
        "receipt": Action.PAYMENT_VIEW,
        "payments": Action.PAYMENT_RECORD,
    }

    def get_queryset(self):
        qs = get_invoices_for(self.request.user).prefetch_related("lines", "payments__invoice")
        return acting_rows(qs, self.request).order_by("due_at", "pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["rows"] = self._rows
        return context

    _rows: dict = {}

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        invoices = list(page if page is not None else queryset)
        now = timezone.now()
        self._rows = {
            row.invoice.pk: row
            for row in invoice_rows(self.get_queryset().filter(pk__in=[i.pk for i in invoices]), now=now)
        }
        data = self.get_serializer(invoices, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        invoice = self.get_object()
        self._rows = {invoice.pk: invoice_row(invoice, now=timezone.now())}
        return Response(self.get_serializer(invoice).data)

    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pdf(self, request, number=None):
        invoice = self.get_object()
        row = invoice_row(invoice, now=timezone.now())
        return pdf_response(
            invoice_pdf(invoice, lines=list(invoice.lines.all()), paid=row.paid), filename=invoice.number
        )

    @action(
        detail=True,
        methods=["get"],
        url_path=rf"receipts/(?P<receipt>{NUMBER_REGEX})/pdf",
        filter_backends=[],
        pagination_class=None,
    )
    def receipt(self, request, number=None, receipt=None):
        invoice = self.get_object()
        payment = invoice.payments.filter(receipt_number=receipt).first()
        if payment is None:
            raise Http404
        return pdf_response(receipt_pdf(payment), filename=payment.receipt_number)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def payments(self, request, number=None):
        invoice = get_object_or_404(self.get_queryset(), number=number)
        serializer = PaymentRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payment = payment_record(
            invoice=invoice,
            amount=data["amount"],
            paid_on=data["paid_on"],
            reference=data.get("reference", ""),
            currency=data.get("currency"),
            actor=request.user,
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
