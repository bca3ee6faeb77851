"""Moves offered: list them, accept (the booking moves, no rebooking fee) or decline (it stays);
and the organisation's consent to moves (for every booking, or one)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.rules.permissions import Action
from booking.selectors.access import get_bookings_for, get_move_offers_for
from booking.services.manifest import manifest_consent_set, manifest_move_accept, manifest_move_decline

from .. import examples as ex
from ..permissions import acting_membership, acting_rows
from ..serializers.bookings import BookingSerializer
from ..serializers.moves import BookingMoveConsentSerializer, MoveConsentSerializer, MoveOfferSerializer
from .common import CONFLICT, NOT_FOUND, ApiViewSet


@extend_schema_view(
    list=extend_schema(
        description=(
            "Moves your launch provider offers for your bookings (open and answered). An offer is "
            "also announced by the `booking.move_offered` webhook event and an e-mail."
        ),
        examples=[ex.ex("Offers", ex.MOVE_OFFER, response=True)],
    ),
    retrieve=extend_schema(
        description="One move offered; another organisation's is a 404.",
        responses={200: MoveOfferSerializer, 404: NOT_FOUND},
        examples=[ex.ex("Offer", ex.MOVE_OFFER, response=True)],
    ),
    accept=extend_schema(
        description=(
            "Accept the move: the booking moves to the offered launch at the same price and no rebooking "
            "fee is kept; answers the new booking. 409 when the offer ran out, the booking changed since, "
            "or the launch no longer takes it; the booking then stays where it is."
        ),
        request=None,
        responses={200: BookingSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[
            ex.ex("Moved", ex.BOOKING, response=True),
            ex.ex("Refused", ex.CONFLICT, response=True, status="409"),
        ],
    ),
    decline=extend_schema(
        description="Decline the move: the booking stays where it is.",
        request=None,
        responses={200: MoveOfferSerializer, 404: NOT_FOUND, 409: CONFLICT},
        examples=[
            ex.ex("Declined", ex.MOVE_OFFER, response=True),
            ex.ex("Refused", ex.CONFLICT, response=True, status="409"),
        ],
    ),
)
class MoveOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = MoveOfferSerializer
    filterset_fields = ["status"]
    ordering_fields = ["id"]
    rule_actions = {
        **ApiViewSet.rule_actions,
        "accept": Action.MOVE_ANSWER,
        "decline": Action.MOVE_ANSWER,
        # Saying whether moves may be offered is the rule of answering them (the portal's too).
        "consent": Action.READ,
        "consent_set": Action.MOVE_ANSWER,
        "booking_consent": Action.MOVE_ANSWER,
    }

    def get_queryset(self):
        return acting_rows(get_move_offers_for(self.request.user), self.request).order_by("-pk")

    def _customer(self):
        membership = acting_membership(self.request)
        return membership.customer if membership is not None else None

    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        move = self.get_object()
        new = manifest_move_accept(move=move, actor=request.user, customer=self._customer())
        return Response(BookingSerializer(new).data)

    @action(detail=True, methods=["post"], filter_backends=[])
    def decline(self, request, pk=None):
        move = self.get_object()
        declined = manifest_move_decline(move=move, actor=request.user, customer=self._customer())
        return Response(MoveOfferSerializer(declined).data)

    def _consenting_customer(self):
        membership = acting_membership(self.request)
        if membership is None:
            raise Http404
        return membership.customer

    @extend_schema(
        description="Whether your launch provider may offer moves of your organisation's bookings.",
        responses={200: MoveConsentSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def consent(self, request):
        customer = self._consenting_customer()
        return Response(MoveConsentSerializer({"allows_moves": customer.allows_moves}).data)

    @extend_schema(
        description=(
            "Say whether your launch provider may offer moves of every booking of your organisation. Off, "
            "the manifest optimiser leaves them where they are; offers already open stay open and are "
            "refused if accepted."
        ),
        request=MoveConsentSerializer,
        responses={200: MoveConsentSerializer},
    )
    @consent.mapping.patch
    def consent_set(self, request):
        customer = self._consenting_customer()
        given = MoveConsentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        manifest_consent_set(
            customer=customer, allows_moves=given.validated_data["allows_moves"], actor=request.user
        )
        customer.refresh_from_db(fields=["allows_moves"])
        return Response(MoveConsentSerializer({"allows_moves": customer.allows_moves}).data)

    @extend_schema(
        description=(
            "Say whether moves of one of your bookings may be offered. Another organisation's booking is a 404."
        ),
        parameters=[
            OpenApiParameter("reference", str, OpenApiParameter.PATH, description="The booking's reference.")
        ],
        request=BookingMoveConsentSerializer,
        responses={200: BookingMoveConsentSerializer, 404: NOT_FOUND},
    )
    @action(
        detail=False,
        methods=["patch"],
        url_path=r"consent/bookings/(?P<reference>[^/.]+)",
        filter_backends=[],
        pagination_class=None,
    )
    def booking_consent(self, request, reference=None):
        customer = self._consenting_customer()
        booking = get_bookings_for(request.user).filter(customer=customer, reference=reference).first()
        if booking is None:
            raise Http404
        given = BookingMoveConsentSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        manifest_consent_set(
            customer=customer,
            allows_moves=given.validated_data["may_move"],
            actor=request.user,
            booking=booking,
        )
        booking.refresh_from_db(fields=["may_move"])
        return Response({"booking": booking.reference, "may_move": booking.may_move})
