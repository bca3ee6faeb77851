"""Standby lists: join, list, withdraw; accept or decline a seat offered."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_standby_entries_for
from booking.services.standby import (
    standby_join,
    standby_offer_accept,
    standby_offer_decline,
    standby_withdraw,
)

from .. import examples as ex
from ..permissions import acting_membership, acting_rows
from ..serializers.standby import StandbyAcceptSerializer, StandbyEntrySerializer, StandbyJoinSerializer
from .common import BAD_REQUEST, CONFLICT, NOT_FOUND, ApiViewSet


def _entry_action_schema(description: str, request=None):
    return extend_schema(
        description=description,
        request=request,
        responses={200: StandbyEntrySerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[
            ex.ex("Entry", ex.STANDBY_ENTRY, response=True),
            ex.ex("Refused", ex.CONFLICT, response=True, status="409"),
        ],
    )


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's standby entries, newest first, with their place in the list.",
        examples=[ex.ex("Entries", ex.STANDBY_ENTRY, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your standby entries.",
        responses={200: StandbyEntrySerializer, 404: NOT_FOUND},
        examples=[ex.ex("Entry", ex.STANDBY_ENTRY, response=True)],
    ),
    create=extend_schema(
        description=(
            "Join a standby list: for one `launch` that has no room for the payload now, or (no launch) "
            "for any launch to the payload's orbit, narrowed by an inclination band and dates. When a "
            "seat frees up, the next ready payload that fits (export screening cleared, a document "
            "approved) is offered a held booking until `offer_expires_at`. 409 when the launch has room "
            "(hold a seat instead), the payload is booked already or already on this list."
        ),
        request=StandbyJoinSerializer,
        responses={201: StandbyEntrySerializer, 400: BAD_REQUEST, 409: CONFLICT},
        examples=[
            ex.ex("Join", ex.STANDBY_JOIN_REQUEST, request=True),
            ex.ex("Joined", ex.STANDBY_ENTRY, response=True, status="201"),
            ex.ex("Room now", ex.CONFLICT, response=True, status="409"),
        ],
    ),
    withdraw=_entry_action_schema("Leave the list; an open offer's held booking is cancelled with it."),
    accept=_entry_action_schema(
        "Accept the seat offered: its held booking is confirmed under your contract with the launch's "
        "provider (the active one with launches left unless `contract` is given).",
        StandbyAcceptSerializer,
    ),
    decline=_entry_action_schema(
        "Decline the seat offered: its held booking is cancelled and the seat goes to the next entry."
    ),
)
class StandbyEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    serializer_class = StandbyEntrySerializer
    filterset_fields = ["status", "launch", "payload"]
    ordering_fields = ["created_at", "id"]
    rule_actions = {
        **ApiViewSet.rule_actions,
        "create": Action.STANDBY_JOIN,
        "withdraw": Action.STANDBY_JOIN,
        "decline": Action.STANDBY_JOIN,
        "accept": Action.STANDBY_ACCEPT,
    }

    def get_queryset(self):
        return acting_rows(get_standby_entries_for(self.request.user), self.request).order_by(
            "-created_at", "-pk"
        )

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, entry, code=status.HTTP_200_OK):
        return Response(StandbyEntrySerializer(self.get_queryset().get(pk=entry.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._input(StandbyJoinSerializer)
        entry = standby_join(customer=acting_membership(request).customer, actor=request.user, **data)
        return self._answer(entry, code=status.HTTP_201_CREATED)

    def _entry_step(self, step, *, choices=None):
        """Answer one of the caller's entries with ``step``, a standby service: another
        organisation's entry is a 404 before ``choices`` (a serializer) is read; a refusal is the
        service's 409."""
        entry = self.get_object()
        data = self._input(choices) if choices is not None else {}
        return self._answer(step(entry=entry, actor=self.request.user, **data))

    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        return self._entry_step(standby_withdraw)

    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        return self._entry_step(standby_offer_accept, choices=StandbyAcceptSerializer)

    @action(detail=True, methods=["post"], filter_backends=[])
    def decline(self, request, pk=None):
        return self._entry_step(standby_offer_decline)
