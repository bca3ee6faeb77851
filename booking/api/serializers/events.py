"""The audit log (read only)."""

from __future__ import annotations

from rest_framework import serializers

from booking.models import Event


class EventSerializer(serializers.ModelSerializer):
    before = serializers.DictField(read_only=True)
    after = serializers.DictField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "verb",
            "actor_label",
            "subject_type",
            "subject_id",
            "customer",
            "provider",
            "launch",
            "message",
            "before",
            "after",
            "created_at",
        ]
        read_only_fields = fields
