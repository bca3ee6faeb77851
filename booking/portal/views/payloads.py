"""Payloads: list, describe, edit, and the live orbit check."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from booking.errors import ServiceError
from booking.portal import selectors
from booking.portal.access import PortalRequest, get_payload_for, member_required
from booking.portal.forms import OrbitCheckForm, PayloadForm
from booking.portal.selectors import orbit_assessment
from booking.rules.permissions import Action
from booking.services.payloads import payload_create, payload_update


@member_required(Action.READ)
def payload_list(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    return render(
        request, "portal/payloads.html", {"payloads": selectors.customer_payloads(customer=customer)}
    )


@require_http_methods(["GET", "POST"])
@member_required(Action.PAYLOAD_MANAGE)
def payload_create_view(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    form = PayloadForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            payload = payload_create(customer=customer, actor=request.user, **form.service_values())
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Payload {payload.name} saved.")
            for warning in getattr(payload, "orbit_warnings", []):
                messages.warning(request, warning)
            return redirect("portal:payloads")
    return render(request, "portal/payload_form.html", {"form": form, "payload": None})


@require_http_methods(["GET", "POST"])
@member_required(Action.PAYLOAD_MANAGE)
def payload_edit(request: PortalRequest, pk: int) -> HttpResponse:
    customer = request.customer
    payload = get_payload_for(customer, pk)
    form = PayloadForm(request.POST or None, instance=payload, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            payload_update(payload=payload, actor=request.user, **form.service_values())
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Payload {form.cleaned_data['name']} saved.")
            return redirect("portal:payloads")
    return render(
        request,
        "portal/payload_form.html",
        {
            "form": form,
            "payload": payload,
            "documents": selectors.required_documents(customer=customer, payload=payload),
        },
    )


@member_required(Action.READ)
def payload_orbit_check(request: PortalRequest) -> HttpResponse:
    """htmx: what the catalog says about the orbit being typed into the payload form."""
    form = OrbitCheckForm(request.POST or request.GET)
    assessment = None
    problems: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        if data["orbit_family"] and data["altitude_km"] is not None:
            assessment = orbit_assessment(
                orbit_family=data["orbit_family"],
                altitude_km=data["altitude_km"],
                inclination_deg=data["inclination_deg"],
                mass_kg=data["mass_kg"],
            )
    else:
        problems = [
            f"{form.fields[name].label or name}: {' '.join(str(e) for e in errs)}"
            for name, errs in form.errors.items()
        ]
    return render(request, "portal/_orbit_check.html", {"assessment": assessment, "problems": problems})
