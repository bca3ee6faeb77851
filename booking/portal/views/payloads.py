"""Payloads: list, describe, edit, and the live orbit check."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from booking.errors import ServiceError
from booking.portal import selectors
from booking.portal.access import PortalRequest, get_payload_for, member_required
from booking.portal.forms import CargoItemForm, OrbitCheckForm, PayloadForm
from booking.portal.selectors import orbit_assessment
from booking.rules.permissions import Action
from booking.selectors.returns import payload_manifest_totals
from booking.services.payloads import cargo_item_add, payload_create, payload_update
from customers.models import Payload


@member_required(Action.READ)
def payload_list(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    return render(
        request, "portal/payloads.html", {"payloads": selectors.customer_payloads(customer=customer)}
    )


def _warn(request: PortalRequest, payload: Payload) -> None:
    """What the catalog said of the saved payload's mass and orbit (not stored)."""
    for warning in getattr(payload, "orbit_warnings", []):
        messages.warning(request, warning)


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
            _warn(request, payload)
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
            saved = payload_update(payload=payload, actor=request.user, **form.service_values())
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Payload {form.cleaned_data['name']} saved.")
            _warn(request, saved)
            return redirect("portal:payloads")
    return render(
        request,
        "portal/payload_form.html",
        {
            "form": form,
            "payload": payload,
            "documents": selectors.required_documents(customer=customer, payload=payload),
            **_manifest_context(payload),
        },
    )


def _manifest_context(payload, cargo_form: CargoItemForm | None = None) -> dict:
    if payload.cargo_programme_id is None:
        return {}
    return {
        "cargo_items": list(payload.cargo_items.all()),
        "manifest_totals": payload_manifest_totals(payload),
        "cargo_form": cargo_form or CargoItemForm(),
    }


@require_http_methods(["POST"])
@member_required(Action.PAYLOAD_MANAGE)
def payload_cargo_add(request: PortalRequest, pk: int) -> HttpResponse:
    """A line on a cargo mission's manifest: up, back to Earth, or station waste for deorbit."""
    payload = get_payload_for(request.customer, pk)
    form = CargoItemForm(request.POST)
    if form.is_valid():
        try:
            cargo_item_add(payload=payload, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{form.cleaned_data['name']} added to the manifest.")
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}: {e[0]}" for f, e in form.errors.items()))
    return redirect("portal:payload_edit", pk=payload.pk)


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
