"""Book a launch: pick a payload, see the options and a live price, quote, hold, confirm.

Every decision is the booking engine's: availability, prices, holds, confirmation, cancellation
and rebooking are calls to its services; the views only collect choices and show answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

import booking.selectors.availability as availability
import booking.selectors.prices as prices
import booking.services.bookings as bookings
import booking.services.quotes as quotes
import booking.workflows.dedicated as dedicated
from booking.dates import clock_zone
from booking.errors import ServiceError
from booking.models import AddOnService, Booking, Launch, Quote
from booking.portal.access import PortalRequest, get_booking_for, member_required
from booking.portal.forms import BookOptionsForm, CancelForm, ConfirmForm
from booking.rules.permissions import Action
from booking.selectors.contracts import contract_has_room, contracts_for_launch
from booking.selectors.fit import counted_mass
from customers.models import Contract, Payload
from vehicles.models import Currency, VehicleModel


def option_key(option: Any) -> str:
    """A stable name for an availability option, to carry it through a form."""
    if option.launch is not None:
        return f"launch-{option.launch.pk}" + (f"-{option.port}" if option.port else "")
    return f"model-{option.vehicle_model.pk}-{option.site.pk}"


def _quote_target(key: str) -> dict[str, Any]:
    kind, _, rest = key.partition("-")
    pk = rest.split("-", 1)[0]
    if not pk.isdigit():
        raise Http404("Unknown option.")
    if kind == "launch":
        port = rest.split("-", 1)[1] if "-" in rest else None
        return {"launch": get_object_or_404(Launch, pk=pk), "port": port}
    if kind == "model":
        return {"vehicle_model": get_object_or_404(VehicleModel, pk=pk)}
    raise Http404("Unknown option.")


def _payload_for(request: PortalRequest, pk: Any) -> Payload | None:
    if not pk:
        return None
    return Payload.objects.filter(pk=pk, customer=request.customer).first()


def _options(payload: Payload, currency: str = "USD") -> tuple[list[Any], list[str]]:
    result = availability.availability_search(payload=payload, currency=currency)
    return list(result.options), list(result.reasons)


def _add_ons_for(options: list[Any]) -> list[AddOnService]:
    providers = {option.provider.pk for option in options}
    return list(
        AddOnService.objects.filter(provider_id__in=providers, active=True)
        .select_related("provider")
        .order_by("provider__name", "kind")
    )


def _quote_kwargs(request: PortalRequest, form: BookOptionsForm, payload: Payload) -> dict[str, Any]:
    data = form.cleaned_data
    target = _quote_target(data["option"])
    if data.get("port") and "launch" in target:
        target["port"] = data["port"]  # the customer's choice over the option's suggestion
    return {
        "customer": request.customer,
        "payload": payload,
        "actor": request.user,
        "currency": data["currency"],
        "options": tuple(data["add_ons"]),
        "declared_value": data["declared_value"],
        **target,
    }


@require_http_methods(["GET", "POST"])
@member_required(Action.QUOTE_CREATE)
def book(request: PortalRequest) -> HttpResponse:
    customer = request.customer
    payloads = list(Payload.objects.filter(customer=customer).order_by("name"))
    payload = _payload_for(request, request.POST.get("payload") or request.GET.get("payload"))
    currency = request.POST.get("currency") or request.GET.get("currency") or "USD"
    if currency not in Currency.values:
        currency = "USD"
    options, reasons = _options(payload, currency) if payload else ([], [])
    form = BookOptionsForm(request.POST or None, options=[option_key(o) for o in options])
    if request.method == "POST" and payload and form.is_valid():
        try:
            quote = quotes.quote_create(**_quote_kwargs(request, form, payload))
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("portal:quote_detail", reference=quote.reference)
    return render(
        request,
        "portal/book.html",
        {
            "payloads": payloads,
            "payload": payload,
            "options": [(option_key(o), o) for o in options],
            "reasons": reasons,
            "add_ons": _add_ons_for(options),
            "form": form,
        },
    )


@member_required(Action.READ)
def book_price(request: PortalRequest) -> HttpResponse:
    """htmx: the price of the options as they are now chosen."""
    payload = _payload_for(request, request.GET.get("payload"))
    if payload is None:
        return render(request, "portal/_price.html", {"problem": "Choose a payload."})
    form = BookOptionsForm(request.GET, options=None)
    if not form.is_valid():
        problem = "; ".join(" ".join(str(e) for e in errors) for errors in form.errors.values())
        return render(request, "portal/_price.html", {"problem": problem})
    kwargs = _quote_kwargs(request, form, payload)
    del kwargs["actor"]  # priced, not given: nothing is stored
    try:
        priced = prices.quote_price(**kwargs)
    except ServiceError as exc:
        return render(request, "portal/_price.html", {"problem": exc.message})
    quote = priced.quote
    mass = counted_mass(payload, quote.vehicle_model, quote.adapter)  # what the quote counts and bills
    return render(
        request, "portal/_price.html", {"quote": quote, "lines": priced.lines, "counted": mass.describe()}
    )


@require_http_methods(["GET", "POST"])
@member_required(Action.BOOKING_HOLD)
def quote_detail(request: PortalRequest, reference: str) -> HttpResponse:
    quote = get_object_or_404(
        Quote.objects.select_related("launch__site", "vehicle_model", "provider", "payload"),
        reference=reference,
        customer=request.customer,
    )
    if request.method == "POST" and quote.launch_id is None:
        # A dedicated launch not scheduled yet: accepting the quote asks the providers for one.
        try:
            asked = dedicated.dedicated_request_from_quote(
                quote=quote, actor=request.user, customer=request.customer
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "%(reference)s: no %(model)s launch is scheduled for this yet, so the quote became a "
                    "dedicated launch request. You are notified when an operator schedules it."
                )
                % {"reference": asked.reference, "model": quote.vehicle_model},
            )
            return redirect("portal:dedicated_detail", reference=asked.reference)
    elif request.method == "POST":
        try:
            booking = bookings.booking_hold(quote=quote, actor=request.user, customer=request.customer)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{booking.reference}: the seat is held for you until "
                f"{clock_zone(timezone.localtime(booking.hold_expires_at))}. Confirm it under a contract before then.",
            )
            return redirect("portal:booking_detail", reference=booking.reference)
    return render(request, "portal/quote.html", {"quote": quote, "lines": list(quote.lines.all())})


def _contracts_for(booking: Booking):
    """The contracts the booking can be confirmed under: active, with the provider, with room."""
    usable = [
        contract.pk
        for contract in contracts_for_launch(customer_id=booking.customer_id, launch=booking.launch)
        if contract_has_room(contract=contract, launch=booking.launch)
    ]
    return Contract.objects.filter(pk__in=usable).order_by("reference")


@require_http_methods(["GET", "POST"])
@member_required(Action.BOOKING_CONFIRM)
def booking_confirm(request: PortalRequest, reference: str) -> HttpResponse:
    booking = get_booking_for(request.customer, reference)
    form = ConfirmForm(request.POST or None, contracts=_contracts_for(booking))
    if request.method == "POST" and form.is_valid():
        try:
            bookings.booking_confirm(
                booking=booking, actor=request.user, contract=form.cleaned_data["contract"]
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{booking.reference} confirmed.")
            return redirect("portal:booking_detail", reference=booking.reference)
    return render(request, "portal/booking_confirm.html", {"booking": booking, "form": form})


@require_http_methods(["GET", "POST"])
@member_required(Action.BOOKING_CANCEL)
def booking_cancel(request: PortalRequest, reference: str) -> HttpResponse:
    booking = get_booking_for(request.customer, reference)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bookings.booking_cancel(booking=booking, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{booking.reference} cancelled.")
            return redirect("portal:booking_detail", reference=booking.reference)
    return render(request, "portal/booking_cancel.html", {"booking": booking, "form": form})


@require_http_methods(["GET", "POST"])
@member_required(Action.BOOKING_REBOOK)
def booking_rebook(request: PortalRequest, reference: str) -> HttpResponse:
    booking = get_booking_for(request.customer, reference)
    found = availability.rebook_options(booking=booking)
    launches, reasons = found.options, found.reasons
    if request.method == "POST":
        wanted = request.POST.get("launch")
        launch = next(
            (o.launch for o in launches if o.launch is not None and str(o.launch.pk) == wanted), None
        )
        if launch is None:
            messages.error(request, "Choose one of the launches listed.")
        else:
            try:
                moved = bookings.booking_rebook(booking=booking, launch=launch, actor=request.user)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    f"Moved to {launch.name} as {moved.reference}; "
                    f"{moved.credit_carried_over:,.2f} {moved.currency} carried over.",
                )
                return redirect("portal:booking_detail", reference=moved.reference)
    return render(
        request,
        "portal/booking_rebook.html",
        {"booking": booking, "launches": launches, "reasons": reasons},
    )
