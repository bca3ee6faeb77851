"""Tokens: exchanging a password for a token, listing and revoking a user's tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.models import ApiToken
from booking.services.tokens import api_token_create, api_token_revoke

from .. import examples as ex
from ..base import ApiViewMixin, LoginRateThrottle
from ..serializers.auth import ApiTokenSerializer, TokenRequestSerializer, TokenResponseSerializer
from .common import ApiViewSet


class AuthTokenView(ApiViewMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        summary="Exchange a username and password for an API token",
        description=(
            "Issues a new named API token. Send it on every call as `Authorization: Token <token>`. "
            "The token is shown only in this answer; only a digest is stored. Attempts are throttled "
            "per client address."
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
        token, key = api_token_create(user=user, name=data.get("name") or "API")
        return Response(
            {"token": key, "name": token.name, "prefix": token.prefix}, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(
        tags=["auth"],
        description="Your API tokens (never their keys): name, prefix, last use.",
        examples=[
            ex.ex(
                "Tokens",
                {
                    "id": 3,
                    "name": "mission-control",
                    "prefix": "kR1xQ2aB",
                    "created_at": "2025-05-01T08:00:00Z",
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
    permission_classes = [IsAuthenticated]
    ordering_fields = ["created_at", "id"]

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user, revoked_at__isnull=True).order_by(
            "-created_at", "-pk"
        )

    def destroy(self, request, *args, **kwargs):
        api_token_revoke(token=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
