"""Bookings and launches the customer rides: details, readiness timeline, events."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from booking.models import Booking
from booking.portal import selectors
from booking.portal.access import PortalRequest, get_booking_for, get_launch_for, member_required
from booking.rules.permissions import Action
from booking.selectors.invoices import booking_invoices, invoice_rows

# How often the readiness timeline refreshes itself in the browser.
READINESS_POLL_SECONDS = 15


@member_required(Action.READ)
def booking_list(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    status = request.GET.get("status") or ""
    if status not in Booking.Status.values:
        status = ""
    return render(
        request,
        "portal/bookings.html",
        {
            "bookings": selectors.customer_bookings(customer=customer, status=status or None),
            "status": status,
            "statuses": Booking.Status.choices,
        },
    )


def timeline_context(launch, now=None) -> dict:
    plan, steps = selectors.readiness_timeline(launch=launch, now=now)
    return {
        "plan": plan,
        "steps": steps,
        "late_count": sum(1 for s in steps if s.late),
        "poll_seconds": READINESS_POLL_SECONDS,
        "refreshed_at": timezone.now(),
    }


@member_required(Action.READ)
def booking_detail(request: PortalRequest, reference: str) -> HttpResponse:
    customer = request.customer
    booking = get_booking_for(customer, reference)
    context = {
        "booking": booking,
        "launch": booking.launch,
        "documents": selectors.required_documents(customer=customer, payload=booking.payload),
        "events": selectors.events_for_booking(booking=booking),
        "quote_lines": list(booking.quote.lines.all()) if booking.quote is not None else [],
        # Void ones too: a cancelled booking's invoices say so, with what was paid on them.
        "invoices": invoice_rows(booking_invoices(booking).prefetch_related("lines"), now=timezone.now()),
        "now": timezone.now(),
        "timeline_url": request.path + "readiness/",
        **timeline_context(booking.launch),
    }
    return render(request, "portal/booking_detail.html", context)


@member_required(Action.READ)
def booking_readiness(request: PortalRequest, reference: str) -> HttpResponse:
    """htmx: the readiness timeline fragment, polled by the booking page."""
    booking = get_booking_for(request.customer, reference)
    return render(
        request,
        "portal/_readiness.html",
        {"launch": booking.launch, "timeline_url": request.path, **timeline_context(booking.launch)},
    )


@member_required(Action.READ)
def launch_detail(request: PortalRequest, pk: int) -> HttpResponse:
    customer = request.customer
    launch = get_launch_for(customer, pk)
    bookings = list(
        Booking.objects.filter(launch=launch, customer=customer)
        .select_related("payload")
        .order_by("-created_at")
    )
    return render(
        request,
        "portal/launch_detail.html",
        {
            "launch": launch,
            "bookings": bookings,
            "timeline_url": request.path + "readiness/",
            **timeline_context(launch),
        },
    )


@member_required(Action.READ)
def launch_readiness(request: PortalRequest, pk: int) -> HttpResponse:
    launch = get_launch_for(request.customer, pk)
    return render(
        request,
        "portal/_readiness.html",
        {"launch": launch, "timeline_url": request.path, **timeline_context(launch)},
    )
