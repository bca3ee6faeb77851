"""Integration settings: API tokens, webhook endpoints and their deliveries, the calendar feed."""

from __future__ import annotations

import importlib
from types import ModuleType

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from booking.models import ApiToken, WebhookDelivery, WebhookEndpoint
from booking.portal.access import member_required
from booking.portal.forms import ApiTokenForm
from booking.services.errors import ServiceError

# The calendar feed's URL name, as the API names it.
CALENDAR_URL_NAMES = ("api:customer-calendar", "api:calendar", "customer-calendar", "calendar")


def _service(name: str) -> ModuleType | None:
    """A service module that ships with the API area; None while it is not installed."""
    try:
        return importlib.import_module(f"booking.services.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"booking.services.{name}":
            raise
        return None


def _calendar_url(request: HttpRequest, token: str) -> str | None:
    for name in CALENDAR_URL_NAMES:
        try:
            return request.build_absolute_uri(reverse(name, kwargs={"token": token}))
        except NoReverseMatch:
            continue
    return None


@member_required
def integrations(request: HttpRequest) -> HttpResponse:
    customer = request.customer  # type: ignore[attr-defined]
    tokens_service = _service("tokens")
    endpoints = list(WebhookEndpoint.objects.filter(customer=customer).order_by("pk"))
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint__customer=customer)
        .select_related("endpoint", "event")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-pk")[:30]
    )
    for delivery in deliveries:
        attempts = list(delivery.attempt_log.all())
        delivery.last_attempt = attempts[-1] if attempts else None  # type: ignore[attr-defined]
    return render(
        request,
        "portal/integrations.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
            "tokens_available": tokens_service is not None,
            "token_form": ApiTokenForm(),
            "new_key": request.session.pop("portal_new_api_key", None),
            "endpoints": endpoints,
            "deliveries": deliveries,
            "calendar_url": _calendar_url(request, customer.calendar_token),
        },
    )


@require_POST
@member_required
def api_token_create_view(request: HttpRequest) -> HttpResponse:
    service = _service("tokens")
    form = ApiTokenForm(request.POST)
    if service is None:
        messages.error(request, "API tokens are not available in this installation.")
    elif not form.is_valid():
        messages.error(request, "Give the token a name, e.g. the system that will use it.")
    else:
        try:
            token, key = service.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            # Shown once, on the next page view; only its digest is stored.
            request.session["portal_new_api_key"] = {"name": token.name, "key": key}
    return redirect("portal:integrations")


@require_POST
@member_required
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service("tokens")
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if service is None:
        messages.error(request, "API tokens are not available in this installation.")
    else:
        try:
            service.api_token_revoke(token=token, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"Token {token.name} revoked: requests using it are refused from now on."
            )
    return redirect("portal:integrations")
