"""The audit log of the caller's organisation (read only)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from booking.selectors.access import get_events_for

from .. import examples as ex
from ..filtering import StrictFilterSet
from ..permissions import acting_rows
from ..serializers.events import EventSerializer
from .common import ApiViewSet


class EventFilter(StrictFilterSet):
    verb = filters.CharFilter(max_length=60)
    verb__startswith = filters.CharFilter(field_name="verb", lookup_expr="startswith", max_length=60)
    created_at__gte = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = EventSerializer.Meta.model
        fields = ["launch", "subject_type"]


@extend_schema_view(
    list=extend_schema(
        description="The audit log of your organisation: every change to your payloads, quotes and bookings.",
        examples=[ex.ex("Events", ex.EVENT, response=True)],
    ),
    retrieve=extend_schema(
        description="One event of your organisation's audit log.",
        examples=[ex.ex("Event", ex.EVENT, response=True)],
    ),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return acting_rows(get_events_for(self.request.user), self.request).order_by("-created_at", "-pk")
