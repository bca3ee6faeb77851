"""The 24-hour express order: an express quote held a few minutes, then confirmed or let go; or
both in one call with a price ceiling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.rules.permissions import Action
from booking.selectors.access import get_bookings_for
from booking.selectors.capacity import launches_with_capacity
from booking.workflows.express import (
    express_quote_cancel,
    express_quote_confirm,
    express_quote_create,
    order_express_launch,
)

from .. import examples as ex
from ..base import ApiViewMixin
from ..permissions import RulePermission, acting_membership, acting_rows
from ..serializers.bookings import BookingSerializer
from ..serializers.express import (
    ExpressOrderRequestSerializer,
    ExpressOrderSerializer,
    ExpressQuoteRequestSerializer,
    ExpressQuoteSerializer,
)
from .common import CONFLICT, NOT_FOUND

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The held booking's reference."
)


def _order_body(request, booking, launch) -> dict:
    return {
        "booking": acting_rows(get_bookings_for(request.user), request).get(pk=booking.pk),
        "launch": launches_with_capacity().get(pk=launch.pk),
    }


def _held_express_booking(request, reference: str):
    booking = (
        acting_rows(get_bookings_for(request.user), request)
        .filter(reference=reference, quote__launch_made_for_it=True)
        .first()
    )
    if booking is None:
        raise NotFound(_("No express quote of yours has reference %(reference)s.") % {"reference": reference})
    return booking


class ExpressQuoteView(ApiViewMixin, APIView):
    permission_classes = [RulePermission]
    rule_actions = {"post": Action.EXPRESS_ORDER}

    @extend_schema(
        tags=["express-orders"],
        operation_id="express_quote_create",
        description=(
            "Price a 24-hour express launch for a payload before committing to it: among the "
            "providers you can confirm with (an active contract with a launch left; only `contract`'s "
            "provider when given) the earliest plan opening within 24 hours is scheduled, quoted as "
            "your own launch (the dedicated price plus the express premium, in `currency`) and held "
            "for `LAUNCHBOOK_EXPRESS_HOLD_MINUTES` (10 by default). Confirm it with "
            "`express-quotes/{reference}/confirm/` before `booking.hold_expires_at`, or let it go "
            "with `.../cancel/`; a quote that lapses is expired and its launch scrubbed. 409 when no "
            "plan you can confirm opens in time: `detail` names the earliest you could confirm and "
            "why the others fail, and nothing has changed."
        ),
        request=ExpressQuoteRequestSerializer,
        responses={201: ExpressQuoteSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Ask", {"payload": 21, "currency": "USD"}, request=True),
            ex.ex("Quoted and held", ex.EXPRESS_QUOTE, response=True, status="201"),
            ex.ex("Not within 24 hours", ex.EXPRESS_CONFLICT, response=True, status="409"),
        ],
    )
    def post(self, request):
        serializer = ExpressQuoteRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        offer = express_quote_create(
            customer=acting_membership(request).customer,
            payload=data["payload"],
            actor=request.user,
            currency=data["currency"],
            contract=data.get("contract"),
        )
        body = {
            **_order_body(request, offer.booking, offer.launch),
            "quote": offer.quote,
            "contract": offer.contract,
        }
        return Response(ExpressQuoteSerializer(body).data, status=status.HTTP_201_CREATED)


class HeldExpressQuoteView(ApiViewMixin, APIView):
    """One step on a held express quote (confirm it, or let it go): the caller's own quote, found
    by reference, is handed to the workflow ``step`` and its result shown by ``answer``."""

    permission_classes = [RulePermission]
    rule_actions = {"post": Action.EXPRESS_ORDER}
    step: Callable[..., Any]

    def answer(self, request, result) -> dict:
        raise NotImplementedError

    def post(self, request, reference):
        booking = _held_express_booking(request, reference)
        result = self.step(booking=booking, actor=request.user, customer=acting_membership(request).customer)
        return Response(self.answer(request, result))


@extend_schema_view(
    post=extend_schema(
        tags=["express-orders"],
        operation_id="express_quote_confirm",
        description=(
            "Confirm a held express quote under the contract it showed; creates the payment "
            "milestones. 409 once the hold has lapsed: ask for a new express quote."
        ),
        parameters=[REFERENCE],
        request=None,
        responses={200: ExpressOrderSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[ex.ex("Confirmed", ex.EXPRESS_ORDER, response=True)],
    )
)
class ExpressQuoteConfirmView(HeldExpressQuoteView):
    step = staticmethod(express_quote_confirm)

    def answer(self, request, result) -> dict:
        return ExpressOrderSerializer(_order_body(request, result.booking, result.launch)).data


@extend_schema_view(
    post=extend_schema(
        tags=["express-orders"],
        operation_id="express_quote_cancel",
        description=(
            "Let a held express quote go: the booking is cancelled and the launch scheduled for it "
            "scrubbed at once (its platform, pad, rocket and range reservations released)."
        ),
        parameters=[REFERENCE],
        request=None,
        responses={200: BookingSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[ex.ex("Let go", {**ex.BOOKING, "status": "cancelled"}, response=True)],
    )
)
class ExpressQuoteCancelView(HeldExpressQuoteView):
    step = staticmethod(express_quote_cancel)

    def answer(self, request, result) -> dict:
        return BookingSerializer(result).data


class ExpressOrderView(ApiViewMixin, APIView):
    permission_classes = [RulePermission]
    rule_actions = {"post": Action.EXPRESS_ORDER}

    @extend_schema(
        tags=["express-orders"],
        operation_id="express_order_create",
        description=(
            "The express quote and its confirmation in one call, with a price ceiling: the earliest "
            "plan you can confirm that costs no more than `max_price` (in `currency`) is scheduled, "
            "booked and confirmed, all or nothing. When every plan costs more the answer is 409 "
            "naming the price, and nothing has been written. When 24 hours is impossible the answer "
            "is 409: `detail` gives the earliest feasible time you could confirm and why, `reasons` "
            "list every candidate's obstacle, and nothing has changed."
        ),
        request=ExpressOrderRequestSerializer,
        responses={201: ExpressOrderSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Order", {"payload": 21, "max_price": "7000000", "currency": "USD"}, request=True),
            ex.ex("Booked", ex.EXPRESS_ORDER, response=True, status="201"),
            ex.ex("Above the ceiling", ex.EXPRESS_CEILING, response=True, status="409"),
            ex.ex("Not within 24 hours", ex.EXPRESS_CONFLICT, response=True, status="409"),
        ],
    )
    def post(self, request):
        serializer = ExpressOrderRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = order_express_launch(
            customer=acting_membership(request).customer,
            payload=data["payload"],
            actor=request.user,
            max_price=data["max_price"],
            currency=data["currency"],
            contract=data.get("contract"),
        )
        # The booking is the caller's own, re-read under its lock by the confirmation: shown as it is.
        body = {"booking": order.booking, "launch": launches_with_capacity().get(pk=order.launch.pk)}
        return Response(ExpressOrderSerializer(body).data, status=status.HTTP_201_CREATED)
