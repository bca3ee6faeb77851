"""Bookings: hold, confirm, cancel, rebook."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_bookings_for
from booking.selectors.terms import booking_cancel_terms, booking_rebook_terms
from booking.services.bookings import booking_cancel, booking_confirm, booking_hold, booking_rebook

from .. import examples as ex
from ..permissions import acting_membership, acting_rows
from ..serializers.bookings import (
    BookingCancelSerializer,
    BookingConfirmSerializer,
    BookingHoldSerializer,
    BookingRebookSerializer,
    BookingRebookTermsQuerySerializer,
    BookingSerializer,
    CancelTermsSerializer,
    RebookTermsSerializer,
)
from .common import BAD_REQUEST, CONFLICT, NOT_FOUND, ApiViewSet


def _booking_action_schema(description: str, request, example_request):
    return extend_schema(
        description=description,
        request=request,
        responses={200: BookingSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[
            *([ex.ex("Request", example_request, request=True)] if example_request is not None else []),
            ex.ex("Booking", ex.BOOKING, response=True),
            ex.ex("Refused", ex.CONFLICT, response=True, status="409"),
        ],
    )


@extend_schema_view(
    list=extend_schema(
        description="Your organisation's bookings (holds, confirmed, cancelled, …).",
        examples=[ex.ex("Bookings", ex.BOOKING, response=True)],
    ),
    retrieve=extend_schema(
        description="One of your bookings; another organisation's booking is a 404.",
        responses={200: BookingSerializer, 404: NOT_FOUND},
        examples=[ex.ex("Booking", ex.BOOKING, response=True)],
    ),
    create=extend_schema(
        description=(
            "Hold a seat for an open quote: a held booking that counts against the launch's capacity "
            "for 30 minutes. Confirm it before `hold_expires_at`. 409 when the launch has no room "
            "left, the quote has expired or the payload is already booked."
        ),
        request=BookingHoldSerializer,
        responses={201: BookingSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Hold", {"quote": 31}, request=True),
            ex.ex("Held", ex.BOOKING, response=True, status="201"),
            ex.ex("Full", ex.CONFLICT, response=True, status="409"),
        ],
    ),
    confirm=_booking_action_schema(
        "Confirm a held booking under your contract with the launch's provider (the active one "
        "with launches left unless `contract` is given); creates the payment milestones.",
        BookingConfirmSerializer,
        {"contract": 7},
    ),
    cancel=_booking_action_schema(
        "Cancel a booking; its capacity is released at once. Charges the provider's cancellation fee "
        "for the time left before launch (see `cancel-terms`); send the terms' `token` as `terms` and "
        "a change since answers 409.",
        BookingCancelSerializer,
        {"reason": "Satellite not ready", "terms": "3f9a0c1d2b4e5f60"},
    ),
    rebook=_booking_action_schema(
        "Move a booking to another launch of the same provider; it keeps its reference and takes the "
        "price and the fee `rebook-terms` shows. Send the terms' `token` as `terms`: a change since "
        "answers 409, as does a new launch that cannot carry the payload.",
        BookingRebookSerializer,
        {"launch": 12, "terms": "8c1e2d3f4a5b6c7d"},
    ),
    cancel_terms=extend_schema(
        description=(
            "What cancelling the booking would cost now: the fee by the provider's cancellation tiers, "
            "the refund, what is still owed, and a `token` to send back with the cancel. Nothing changes."
        ),
        responses={200: CancelTermsSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[ex.ex("Terms", ex.CANCEL_TERMS, response=True)],
    ),
    rebook_terms=extend_schema(
        description=(
            "What moving the booking to `?launch=` would cost now: the new price there, the rebooking "
            "fee (waived when the provider or the weather delayed the launch), the credit carried "
            "over, and a `token` to send back with the rebook. Nothing changes."
        ),
        parameters=[BookingRebookTermsQuerySerializer],
        responses={200: RebookTermsSerializer, 400: BAD_REQUEST, 404: NOT_FOUND, 409: CONFLICT},
        examples=[ex.ex("Terms", ex.REBOOK_TERMS, response=True)],
    ),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet):
    serializer_class = BookingSerializer
    filterset_fields = ["status", "launch", "payload"]
    ordering_fields = ["created_at", "id"]
    rule_actions = {
        **ApiViewSet.rule_actions,
        "create": Action.BOOKING_HOLD,
        "confirm": Action.BOOKING_CONFIRM,
        "cancel": Action.BOOKING_CANCEL,
        "rebook": Action.BOOKING_REBOOK,
        "cancel_terms": Action.BOOKING_CANCEL,
        "rebook_terms": Action.BOOKING_REBOOK,
    }

    def get_queryset(self):
        return acting_rows(get_bookings_for(self.request.user), self.request).order_by("-created_at", "-pk")

    def _answer(self, booking, code=status.HTTP_200_OK):
        return Response(BookingSerializer(self.get_queryset().get(pk=booking.pk)).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = self._input(BookingHoldSerializer)
        customer = acting_membership(request).customer
        booking = booking_hold(quote=data["quote"], actor=request.user, customer=customer)
        # The new booking is the caller's own and every field it shows is on the row just written:
        # no need to read it back.
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        booking = self.get_object()
        data = self._input(BookingConfirmSerializer)
        return self._answer(
            booking_confirm(booking=booking, actor=request.user, contract=data.get("contract"))
        )

    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        data = self._input(BookingCancelSerializer)
        cancelled = booking_cancel(
            booking=booking, actor=request.user, reason=data["reason"], expected_terms=data.get("terms")
        )
        # The booking was re-read under its lock and saved: every field shown is on that row.
        return Response(BookingSerializer(cancelled).data)

    @action(detail=True, methods=["post"], filter_backends=[])
    def rebook(self, request, pk=None):
        booking = self.get_object()
        data = self._input(BookingRebookSerializer)
        return self._answer(
            booking_rebook(
                booking=booking, launch=data["launch"], actor=request.user, expected_terms=data.get("terms")
            )
        )

    @action(detail=True, methods=["get"], url_path="cancel-terms", filter_backends=[])
    def cancel_terms(self, request, pk=None):
        booking = self.get_object()
        terms = booking_cancel_terms(booking=booking)
        return Response(CancelTermsSerializer({**vars(terms), "token": terms.token}).data)

    @action(detail=True, methods=["get"], url_path="rebook-terms", filter_backends=[])
    def rebook_terms(self, request, pk=None):
        booking = self.get_object()
        query = BookingRebookTermsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        terms = booking_rebook_terms(booking=booking, launch=query.validated_data["launch"])
        return Response(RebookTermsSerializer({**vars(terms), "token": terms.token}).data)
