"""Dedicated launches: ask for a launch of one's own, follow the request, quote the launch an
operator scheduled for it, or withdraw it. Every decision is the services'."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import booking.services.dedicated as dedicated
import booking.services.quotes as quotes
from booking.errors import ServiceError
from booking.models import DedicatedRequest
from booking.portal.access import PortalRequest, member_required
from booking.portal.forms import DedicatedQuoteForm, DedicatedRequestForm
from booking.rules.permissions import Action
from customers.models import Payload
from vehicles.models import VehicleModel


def _request_for(request: PortalRequest, reference: str) -> DedicatedRequest:
    return get_object_or_404(
        DedicatedRequest.objects.select_related(
            "payload", "vehicle_model", "launch__site", "launch__provider"
        ),
        reference=reference,
        customer=request.customer,
    )


def _payloads(request: PortalRequest):
    return Payload.objects.filter(customer=request.customer).order_by("name")


@member_required(Action.READ)
def dedicated_list(request: PortalRequest) -> HttpResponse:
    rows = (
        DedicatedRequest.objects.filter(customer=request.customer)
        .select_related("payload", "vehicle_model", "launch")
        .order_by("-created_at", "-pk")
    )
    return render(request, "portal/dedicated_list.html", {"requests": list(rows)})


@require_http_methods(["GET", "POST"])
@member_required(Action.DEDICATED_REQUEST)
def dedicated_new(request: PortalRequest) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("payload", "vehicle_model") if request.GET.get(key)}
    form = DedicatedRequestForm(
        request.POST or None,
        initial=initial,
        payloads=_payloads(request),
        vehicle_models=VehicleModel.objects.filter(active=True).select_related("provider").order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = dedicated.dedicated_request_create(
                customer=request.customer,
                actor=request.user,
                payload=data["payload"],
                vehicle_model=data["vehicle_model"],
                orbit_family=data["orbit_family"] or None,
                altitude_km=data["altitude_km"],
                inclination_deg=data["inclination_deg"],
                ltan=data["ltan"],
                # Whole days in the member's time zone: from the first minute to the last.
                earliest=datetime.combine(data["earliest"], time.min, tzinfo=request.tz),
                latest=datetime.combine(data["latest"], time.max, tzinfo=request.tz),
                note=data["note"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(reference)s sent: the providers that can fly it will answer here.")
                % {"reference": made.reference},
            )
            return redirect("portal:dedicated_detail", reference=made.reference)
    return render(request, "portal/dedicated_new.html", {"form": form})


@require_http_methods(["GET", "POST"])
@member_required(Action.QUOTE_CREATE)
def dedicated_detail(request: PortalRequest, reference: str) -> HttpResponse:
    """The request; once scheduled, a quote on its launch (POST)."""
    found = _request_for(request, reference)
    form = DedicatedQuoteForm(
        request.POST or None, initial={"payload": found.payload_id}, payloads=_payloads(request)
    )
    if request.method == "POST" and found.launch is not None and form.is_valid():
        try:
            quote = quotes.quote_create(
                customer=request.customer,
                payload=form.cleaned_data["payload"],
                actor=request.user,
                launch=found.launch,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("portal:quote_detail", reference=quote.reference)
    return render(request, "portal/dedicated_detail.html", {"dr": found, "form": form})


@require_POST
@member_required(Action.DEDICATED_REQUEST)
def dedicated_withdraw(request: PortalRequest, reference: str) -> HttpResponse:
    found = _request_for(request, reference)
    try:
        dedicated.dedicated_request_withdraw(request=found, actor=request.user, customer=request.customer)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(reference)s withdrawn.") % {"reference": found.reference})
    return redirect("portal:dedicated_detail", reference=found.reference)
