"""What is on offer before anything is booked: the schedule of launches still selling seats, a
price for a mass and an orbit ("Price a launch"), and the customer's quotes.

Every answer is the booking engine's (``booking.selectors.offers``, ``availability``); the views
collect the question and show the answer. Any signed-in member sees them; visitors who are not
signed in do not (the portal has no public pages).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

import booking.selectors.offers as offers
from booking.errors import ServiceError
from booking.models import Quote
from booking.portal import selectors
from booking.portal.access import PortalRequest, member_required
from booking.portal.forms import PriceLaunchForm
from booking.rules.permissions import Action


@member_required(Action.READ)
def schedule(request: PortalRequest) -> HttpResponse:
    return render(request, "portal/schedule.html", {"launches": offers.open_launch_schedule()})


@member_required(Action.READ)
def price_launch(request: PortalRequest) -> HttpResponse:
    """GET only: the question is in the query string, so a price can be bookmarked and shared."""
    asked = bool(request.GET)
    form = PriceLaunchForm(request.GET if asked else None)
    found, problem = None, ""
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            found = offers.price_by_mass_and_orbit(
                customer=request.customer,
                mass_kg=data["mass_kg"],
                orbit_family=data["orbit_family"],
                altitude_km=data["altitude_km"],
                inclination_deg=data["inclination_deg"],
                currency=data["currency"],
            )
        except ServiceError as exc:
            problem = exc.message
    return render(request, "portal/price_launch.html", {"form": form, "found": found, "problem": problem})


@member_required(Action.READ)
def quote_list(request: PortalRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in Quote.Status.values:
        status = ""
    return render(
        request,
        "portal/quotes.html",
        {
            "rows": selectors.customer_quotes(customer=request.customer, status=status or None),
            "status": status,
            "statuses": selectors.QUOTE_FILTERS,
        },
    )
