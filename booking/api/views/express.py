"""The 24-hour express order."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.rules.permissions import Action
from booking.selectors.access import get_bookings_for
from booking.selectors.capacity import launches_with_capacity
from booking.workflows.express import order_express_launch

from .. import examples as ex
from ..base import ApiViewMixin
from ..permissions import RulePermission, acting_membership, acting_rows
from ..serializers.express import ExpressOrderRequestSerializer, ExpressOrderSerializer
from .common import CONFLICT


class ExpressOrderView(ApiViewMixin, APIView):
    permission_classes = [RulePermission]
    rule_actions = {"post": Action.EXPRESS_ORDER}

    @extend_schema(
        tags=["express-orders"],
        operation_id="express_order_create",
        description=(
            "Order a 24-hour express launch for a payload: a rocket from ready storage, a mobile "
            "platform in reach and a free window opening within 24 hours are scheduled, and the "
            "payload is booked and confirmed on it, all or nothing. When 24 hours is impossible the "
            "answer is 409: `detail` gives the earliest feasible time and why, `reasons` list every "
            "candidate's obstacle, and nothing has changed."
        ),
        request=ExpressOrderRequestSerializer,
        responses={201: ExpressOrderSerializer, 409: CONFLICT},
        examples=[
            ex.ex("Order", {"payload": 21}, request=True),
            ex.ex("Booked", ex.EXPRESS_ORDER, response=True, status="201"),
            ex.ex("Not within 24 hours", ex.EXPRESS_CONFLICT, response=True, status="409"),
        ],
    )
    def post(self, request):
        serializer = ExpressOrderRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        order = order_express_launch(
            customer=acting_membership(request).customer,
            payload=serializer.validated_data["payload"],
            actor=request.user,
        )
        body = {
            "booking": acting_rows(get_bookings_for(request.user), request).get(pk=order.booking.pk),
            "launch": launches_with_capacity().get(pk=order.launch.pk),
        }
        return Response(ExpressOrderSerializer(body).data, status=status.HTTP_201_CREATED)
