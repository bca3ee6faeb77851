"""Framework contracts with providers (read only)."""

from __future__ import annotations

from rest_framework import serializers

from customers.models import Contract


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "customer",
            "provider",
            "launches_committed",
            "value",
            "currency",
            "status",
            "deposit_percent",
            "balance_due_days_before_launch",
            "signed_on",
        ]
        read_only_fields = fields
