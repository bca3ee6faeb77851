"""Express order: ask for a priced express quote, see it (launch, window, price, contract, time
left), then confirm it or let it go; the launch with its 24-hour timeline, or why not yet."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booking.errors import ServiceError
from booking.models import Booking, QuoteLine, Reservation
from booking.portal.access import PortalRequest, get_booking_for, member_required
from booking.portal.forms import ExpressOrderForm
from booking.portal.views.bookings import timeline_context
from booking.rules.permissions import Action
from booking.workflows.express import express_quote_cancel, express_quote_confirm, express_quote_create


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
            offer = express_quote_create(
                customer=customer,
                payload=form.cleaned_data["payload"],
                actor=request.user,
                currency=form.cleaned_data["currency"],
                contract=form.cleaned_data["contract"],
            )
        except ServiceError as exc:
            refusal = exc
        else:
            return redirect("portal:express_quote", reference=offer.booking.reference)
    return render(request, "portal/express.html", {"form": form, "refusal": refusal})


def _express_booking(request: PortalRequest, reference: str) -> Booking:
    booking = get_booking_for(request.customer, reference)
    if booking.quote is None or not booking.quote.launch_made_for_it:
        raise Http404(_("No express quote of yours has this reference."))
    return booking


@member_required(Action.READ)
@require_GET
def express_quote(request: PortalRequest, reference: str) -> HttpResponse:
    booking = _express_booking(request, reference)
    if booking.status != Booking.Status.HELD:
        return redirect("portal:express_result", reference=booking.reference)
    quote = booking.quote
    assert quote is not None
    now = timezone.now()
    return render(
        request,
        "portal/express_quote.html",
        {
            "booking": booking,
            "launch": booking.launch,
            "quote": quote,
            "lines": list(QuoteLine.objects.filter(quote=quote).order_by("position")),
            "contract": booking.contract,
            "lapsed": booking.hold_expires_at is not None and booking.hold_expires_at <= now,
        },
    )


@require_POST
@member_required(Action.EXPRESS_ORDER)
def express_quote_confirm_view(request: PortalRequest, reference: str) -> HttpResponse:
    booking = _express_booking(request, reference)
    try:
        order = express_quote_confirm(booking=booking, actor=request.user, customer=request.customer)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portal:express_quote", reference=booking.reference)
    messages.success(
        request,
        _("Ordered: %(launch)s lifts off within 24 hours. Your booking is %(reference)s.")
        % {"launch": order.launch.name, "reference": order.booking.reference},
    )
    return redirect("portal:express_result", reference=order.booking.reference)


@require_POST
@member_required(Action.EXPRESS_ORDER)
def express_quote_cancel_view(request: PortalRequest, reference: str) -> HttpResponse:
    booking = _express_booking(request, reference)
    try:
        express_quote_cancel(booking=booking, actor=request.user, customer=request.customer)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portal:express_quote", reference=booking.reference)
    messages.info(
        request, _("Express quote %(reference)s let go: nothing was booked.") % {"reference": reference}
    )
    return redirect("portal:express")


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
