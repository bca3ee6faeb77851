"""Integration settings: API tokens, webhook endpoints and their deliveries, the calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from booking.errors import ServiceError
from booking.models import ApiToken, WebhookDelivery, WebhookEndpoint
from booking.portal.access import PortalRequest, member_required
from booking.portal.forms import ApiTokenForm, WebhookEndpointForm
from booking.rules.permissions import Action
from booking.services.tokens import api_token_create, api_token_revoke, calendar_token_rotate
from booking.services.webhooks import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
)
from launchbook.security import no_store

NEW_KEY_SESSION_KEY = "portal_new_api_key"


@member_required(Action.READ)
def integrations(request: PortalRequest, endpoint_form: WebhookEndpointForm | None = None) -> HttpResponse:
    customer = request.customer
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint__customer=customer)
        .select_related("endpoint", "event")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-pk")[:30]
    )
    for delivery in deliveries:
        attempts = list(delivery.attempt_log.all())
        delivery.last_attempt = attempts[-1] if attempts else None  # type: ignore[attr-defined]
    calendar_path = reverse("api:customer-ics", kwargs={"token": customer.calendar_token})
    # The page shows the calendar address and, once, a new API key or webhook secret: never cached.
    return no_store(
        render(
            request,
            "portal/integrations.html",
            {
                # The tokens acting for this organisation; those for the user's others are not shown.
                "tokens": ApiToken.objects.filter(
                    user=request.user,
                    membership=request.membership,
                ).order_by("-created_at"),
                "token_days": settings.LAUNCHBOOK_API_TOKEN_DAYS,
                "now": timezone.now(),
                "token_form": ApiTokenForm(),
                "new_key": request.session.pop(NEW_KEY_SESSION_KEY, None),
                "endpoints": WebhookEndpoint.objects.filter(customer=customer).order_by("pk"),
                "endpoint_form": endpoint_form or WebhookEndpointForm(),
                "deliveries": deliveries,
                "calendar_url": request.build_absolute_uri(calendar_path),
            },
        )
    )


@require_POST
@member_required(Action.TOKEN_OWN)
def api_token_create_view(request: PortalRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the token a name, e.g. the system that will use it.")
        return redirect("portal:integrations")
    try:
        token, key = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            membership=request.membership,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        # Shown once, on the next page view; only its digest is stored.
        request.session[NEW_KEY_SESSION_KEY] = {"name": token.name, "key": key}
    return redirect("portal:integrations")


@require_POST
@member_required(Action.TOKEN_OWN)
def api_token_revoke_view(request: PortalRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, membership=request.membership)
    try:
        api_token_revoke(token=token, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token {token.name} revoked: requests using it are refused from now on.")
    return redirect("portal:integrations")


@require_POST
@member_required(Action.WEBHOOK_MANAGE)
def webhook_endpoint_create_view(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = webhook_endpoint_create(
                customer=customer,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                actor=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"Webhook endpoint {endpoint.url} added; its signing secret is {endpoint.secret}."
            )
            return redirect("portal:integrations")
    return integrations(request, endpoint_form=form)


@require_POST
@member_required(Action.SECRET_ROTATE)
def calendar_token_rotate_view(request: PortalRequest) -> HttpResponse:
    calendar_token_rotate(customer=request.customer, actor=request.user)
    messages.success(request, "Your calendar has a new address; the old one no longer works.")
    return redirect("portal:integrations")


@require_POST
@member_required(Action.SECRET_ROTATE)
def webhook_endpoint_rotate_secret_view(request: PortalRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, customer=request.customer)
    endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    messages.success(
        request,
        f"Webhook endpoint {endpoint.url} has a new signing secret: {endpoint.secret}. "
        "The old one no longer signs deliveries.",
    )
    return redirect("portal:integrations")


@require_POST
@member_required(Action.WEBHOOK_MANAGE)
def webhook_endpoint_delete_view(request: PortalRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, customer=request.customer)
    url = endpoint.url
    webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, f"Webhook endpoint {url} removed.")
    return redirect("portal:integrations")
