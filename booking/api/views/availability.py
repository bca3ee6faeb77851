"""Where and when a payload of the caller's can fly."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.rules.permissions import Action
from booking.selectors.access import get_payloads_for
from booking.selectors.availability import availability_search

from .. import examples as ex
from ..base import ApiViewMixin
from ..permissions import RulePermission, acting_rows
from ..serializers.availability import AvailabilityQuerySerializer, AvailabilitySerializer


class AvailabilityView(ApiViewMixin, APIView):
    permission_classes = [RulePermission]
    rule_actions = {"get": Action.READ}

    @extend_schema(
        tags=["availability"],
        operation_id="availability_search",
        description=(
            "Where and when a payload of yours can fly: rideshare seats on scheduled launches with "
            "room left, and dedicated launches, ranked by NET then price (standard price, in "
            "`currency`). `reasons` say why other launches do not fit."
        ),
        parameters=[AvailabilityQuerySerializer],
        responses={200: AvailabilitySerializer},
        examples=[ex.ex("Options", ex.AVAILABILITY, response=True)],
    )
    def get(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        payload = acting_rows(get_payloads_for(request.user), request).filter(pk=data["payload"]).first()
        if payload is None:
            raise ValidationError({"payload": [f"No payload of yours has id {data['payload']}."]})
        found = availability_search(
            payload=payload,
            earliest=data.get("earliest"),
            latest=data.get("latest"),
            currency=data["currency"],
        )
        options = [
            {
                "rank": rank,
                "kind": option.kind,
                "launch": option.launch.pk if option.launch else None,
                "vehicle_model": option.vehicle_model.pk,
                "provider": option.provider.pk,
                "site": option.site.pk,
                "net": option.net,
                "price": option.price,
                "currency": option.currency,
                "remaining_capacity_kg": option.remaining_capacity_kg,
                "why": option.why,
            }
            for rank, option in enumerate(found.options, start=1)
        ]
        body = {"payload": payload.pk, "options": options, "reasons": found.reasons}
        return Response(AvailabilitySerializer(body).data)
