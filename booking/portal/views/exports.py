"""A customer's own bookings, payments and events as CSV or Excel files
(``booking.selectors.exports``, the same writer as the admin's exports)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

import booking.selectors.exports as exports
from booking.errors import ServiceError
from booking.models import Booking, Event
from booking.portal.access import PortalRequest, member_required, refused_read
from booking.rules.permissions import Action


def _download(request: PortalRequest, table: exports.Table) -> HttpResponse:
    try:
        file = exports.export_file(table, file_format=request.GET.get("format", "csv"))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@member_required(Action.READ)
@require_GET
def export_bookings(request: PortalRequest) -> HttpResponse:
    return _download(request, exports.bookings_table(Booking.objects.filter(customer=request.customer)))


@member_required(Action.PAYMENT_VIEW)
@require_GET
def export_payments(request: PortalRequest) -> HttpResponse:
    refused = refused_read(request, Action.PAYMENT_VIEW)
    if refused is not None:
        return refused
    return _download(request, exports.payments_table(exports.customer_milestones(customer=request.customer)))


@member_required(Action.READ)
@require_GET
def export_events(request: PortalRequest) -> HttpResponse:
    return _download(request, exports.events_table(Event.objects.filter(customer=request.customer)))
