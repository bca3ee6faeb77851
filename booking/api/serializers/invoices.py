"""Invoices, their payments and receipts."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import Invoice, InvoiceLine, Payment
from booking.rules.money import InvoiceStatus

MONEY = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["position", "description", "quantity", "unit_amount", "amount"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    invoice = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Payment
        fields = ["receipt_number", "invoice", "amount", "currency", "paid_on", "reference", "recorded_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice with what was paid, what is left and its status (``paid``, ``part_paid``,
    ``due``, ``overdue``, ``void``); the row's figures come from ``booking.selectors.invoices``."""

    booking = serializers.CharField(source="booking.reference", read_only=True, allow_null=True, default=None)
    contract = serializers.CharField(source="contract.reference", read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    paid = serializers.SerializerMethodField()
    outstanding = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "number",
            "provider",
            "customer",
            "contract",
            "booking",
            "currency",
            "amount",
            "paid",
            "outstanding",
            "status",
            "issued_at",
            "due_at",
            "paid_at",
            "voided_at",
            *Invoice.PARTY_FIELDS,
            "lines",
            "payments",
        ]
        read_only_fields = fields

    def _row(self, invoice: Invoice):
        return self.context["rows"][invoice.pk]

    @extend_schema_field(MONEY)
    def get_paid(self, invoice: Invoice) -> str:
        return f"{self._row(invoice).paid:.2f}"

    @extend_schema_field(MONEY)
    def get_outstanding(self, invoice: Invoice) -> str:
        return f"{self._row(invoice).outstanding:.2f}"

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in InvoiceStatus]))
    def get_status(self, invoice: Invoice) -> str:
        return str(self._row(invoice).status)


class PaymentRecordSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(max_length=3, required=False, help_text="Refused unless the invoice's.")
    paid_on = serializers.DateField(help_text="The day the money arrived (not in the future).")
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
