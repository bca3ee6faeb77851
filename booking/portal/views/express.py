"""Express order: one form, one button; the launch with its 24-hour timeline, or why not yet."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from booking.errors import ServiceError
from booking.models import Reservation
from booking.portal.access import PortalRequest, get_booking_for, member_required
from booking.portal.forms import ExpressOrderForm
from booking.portal.views.bookings import timeline_context
from booking.rules.permissions import Action
from booking.workflows.express import order_express_launch


@require_http_methods(["GET", "POST"])
@member_required(Action.EXPRESS_ORDER)
def express(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    form = ExpressOrderForm(
        request.POST or None, customer=customer, initial={"payload": request.GET.get("payload")}
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            order = order_express_launch(
                customer=customer, payload=form.cleaned_data["payload"], actor=request.user
            )
        except ServiceError as exc:
            refusal = exc
        else:
            messages.success(
                request,
                f"Ordered: {order.launch.name} lifts off within 24 hours. Your booking is {order.booking.reference}.",
            )
            return redirect("portal:express_result", reference=order.booking.reference)
    return render(request, "portal/express.html", {"form": form, "refusal": refusal})


@member_required(Action.READ)
def express_result(request: PortalRequest, reference: str) -> HttpResponse:
    booking = get_booking_for(request.customer, reference)
    launch = booking.launch
    # The platform's (or pad's) day; the launch's rocket and range claims are the operators' view.
    reservations = list(
        Reservation.objects.filter(launch=launch, released_at__isnull=True)
        .filter(Q(platform__isnull=False) | Q(pad__isnull=False))
        .select_related("platform", "pad", "origin")
    )
    return render(
        request,
        "portal/express_result.html",
        {
            "booking": booking,
            "launch": launch,
            "reservations": reservations,
            "timeline_url": f"/portal/bookings/{booking.reference}/readiness/",
            **timeline_context(launch),
        },
    )
