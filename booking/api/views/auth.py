"""Tokens: exchanging a password for a token, listing and revoking a user's tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.models import ApiToken
from booking.rules.permissions import Action
from booking.services.tokens import api_token_create, api_token_revoke
from customers.models import Membership

from .. import examples as ex
from ..base import ApiViewMixin, LoginRateThrottle
from ..permissions import RulePermission, acting_membership
from ..serializers.auth import ApiTokenSerializer, TokenRequestSerializer, TokenResponseSerializer
from .common import ApiViewSet


class AuthTokenView(ApiViewMixin, APIView):
    authentication_classes: list = []
    permission_classes = [RulePermission]
    rule_actions = {"post": Action.SIGN_IN}
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        summary="Exchange a username and password for an API token",
        description=(
            "Issues a new named API token. Send it on every call as `Authorization: Token <token>`. "
            "The token is shown only in this answer; only a digest is stored. It acts for one "
            "organisation (`customer`, default your first) with your role there, and expires after "
            "the server's token lifetime if one is set. Attempts are throttled per client address."
        ),
        request=TokenRequestSerializer,
        responses={201: TokenResponseSerializer},
        auth=[],
        examples=[
            ex.ex("Log in", ex.TOKEN_REQUEST, request=True),
            ex.ex("Token", ex.TOKEN, response=True, status="201"),
        ],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            return Response(
                {"detail": "The username or password is wrong."}, status=status.HTTP_400_BAD_REQUEST
            )
        membership = None
        if data.get("customer") is not None:
            membership = Membership.objects.filter(user=user, customer_id=data["customer"]).first()
            if membership is None:
                raise ValidationError(
                    {"customer": [f"You are not a member of organisation {data['customer']}."]}
                )
        token, key = api_token_create(user=user, name=data.get("name") or "API", membership=membership)
        body = {
            "token": key,
            "name": token.name,
            "prefix": token.prefix,
            "customer": token.membership.customer_id if token.membership else None,
            "role": token.membership.role if token.membership else None,
            "expires_at": token.expires_at,
        }
        return Response(TokenResponseSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        tags=["auth"],
        description=(
            "Your API tokens for the organisation this request acts for (never their keys): name, "
            "prefix, organisation and role, expiry, last use."
        ),
        examples=[
            ex.ex(
                "Tokens",
                {
                    "id": 3,
                    "name": "mission-control",
                    "prefix": "kR1xQ2aB",
                    "customer": 4,
                    "role": "mission",
                    "created_at": "2025-05-01T08:00:00Z",
                    "expires_at": "2025-07-30T08:00:00Z",
                    "last_used_at": None,
                },
                response=True,
            )
        ],
    ),
    destroy=extend_schema(
        tags=["auth"],
        description="Revoke one of your tokens; it stops working at once.",
        examples=[ex.ex("Revoked", None, response=True, status="204")],
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    ordering_fields = ["created_at", "id"]
    rule_actions = {"list": Action.READ, "destroy": Action.TOKEN_OWN}

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        # The tokens of the organisation this request acts for; the user's others are not in reach.
        membership = acting_membership(self.request)
        return (
            ApiToken.objects.filter(user=self.request.user, revoked_at__isnull=True, membership=membership)
            .select_related("membership")
            .order_by("-created_at", "-pk")
        )

    def destroy(self, request, *args, **kwargs):
        api_token_revoke(token=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
