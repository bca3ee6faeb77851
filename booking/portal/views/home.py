"""Dashboard, account settings and the customer switcher."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from booking.portal import selectors
from booking.portal.access import CUSTOMER_SESSION_KEY, PortalRequest, member_required
from booking.portal.forms import TimeZoneForm
from booking.rules.permissions import Action


@member_required(Action.READ)
def dashboard(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    launches = selectors.upcoming_launches(customer=customer)
    return render(
        request,
        "portal/dashboard.html",
        {
            "launches": launches,
            "next_launch": launches[0] if launches else None,
            "by_status": selectors.bookings_by_status(customer=customer),
            "payments": selectors.payments_due(customer=customer, limit=8),
            "recent_bookings": selectors.customer_bookings(customer=customer)[:5],
            "now": timezone.now(),
        },
    )


@member_required(Action.ACCOUNT)
def account(request: PortalRequest) -> HttpResponse:
    membership = request.membership
    organisation_tz = membership.customer.time_zone
    current = membership.time_zone or organisation_tz
    if request.method == "POST":
        form = TimeZoneForm(request.POST, organisation_time_zone=organisation_tz)
        if form.is_valid():
            membership.time_zone = form.cleaned_data["time_zone"]
            membership.save(update_fields=["time_zone"])
            messages.success(request, f"Times are now shown in {membership.time_zone or organisation_tz}.")
            return redirect("portal:account")
    else:
        form = TimeZoneForm(
            initial={"time_zone": membership.time_zone}, organisation_time_zone=organisation_tz
        )
    return render(request, "portal/account.html", {"form": form, "current_time_zone": current})


@require_POST
@member_required(Action.ACCOUNT)
def switch_customer(request: PortalRequest) -> HttpResponse:
    wanted = request.POST.get("customer", "")
    for membership in request.memberships:
        if str(membership.customer_id) == wanted:
            request.session[CUSTOMER_SESSION_KEY] = membership.customer_id
            messages.success(request, f"You are now working for {membership.customer}.")
            break
    else:
        messages.error(request, "You are not a member of that organisation.")
    return redirect("portal:dashboard")
