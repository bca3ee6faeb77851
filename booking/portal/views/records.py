"""Contracts, documents and the events history."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from booking.errors import ServiceError
from booking.portal import selectors
from booking.portal.access import PortalRequest, get_document_for, member_required
from booking.portal.forms import DocumentForm
from booking.rules.permissions import Action
from booking.services.payloads import document_upload


@member_required(Action.READ)
def contracts(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    return render(
        request,
        "portal/contracts.html",
        {
            "summaries": selectors.contract_summaries(customer=customer),
            "payments": selectors.payments_due(customer=customer),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required(Action.DOCUMENT_UPLOAD)
def documents(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    initial = {}
    if "payload" in request.GET:
        initial["payload"] = request.GET["payload"]
    if "kind" in request.GET:
        initial["kind"] = request.GET["kind"]
    form = DocumentForm(request.POST or None, request.FILES or None, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_upload(
                customer=customer,
                kind=form.cleaned_data["kind"],
                payload=form.cleaned_data["payload"],
                file=form.cleaned_data["file"],
                actor=request.user,
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"{document.get_kind_display()} submitted for review.")
            next_url = request.POST.get("next", "")
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return redirect(next_url)
            return redirect("portal:documents")
    return render(
        request,
        "portal/documents.html",
        {"form": form, "documents": selectors.payload_documents(customer=customer)},
    )


@member_required(Action.READ)
def document_download(request: PortalRequest, pk: int) -> FileResponse:
    document = get_document_for(request.customer, pk)
    if not document.file.name:
        raise Http404("This document has no file.")
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1]
    )


@member_required(Action.READ)
def events(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    return render(request, "portal/events.html", {"events": selectors.events_for_customer(customer=customer)})
