"""What every API view module shares: the base viewset, the documented error answers, the JSON 404."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import viewsets

from booking.rules.permissions import Action

from ..base import ApiViewMixin
from ..permissions import RulePermission
from ..serializers.common import ErrorSerializer

ID_REGEX = r"[0-9]{1,18}"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or not yours.")
BAD_REQUEST = OpenApiResponse(description="Invalid input: a message per field.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="Conflicts with the schedule or capacity.")


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_REGEX
    permission_classes = [RulePermission]
    #: The action each route takes, by viewset action (``booking.rules.permissions``).
    rule_actions: dict[str, Action] = {"list": Action.READ, "retrieve": Action.READ}


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return JsonResponse(
        {"detail": "No API route matches this path (routes end with a slash, ids are numbers)."}, status=404
    )
