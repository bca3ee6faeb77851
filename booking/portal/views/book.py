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
import booking.selectors.offers as offers
import booking.selectors.prices as prices
import booking.selectors.terms as terms
import booking.services.bookings as bookings
import booking.services.quotes as quotes
import booking.workflows.dedicated as dedicated
from booking.dates import clock_zone
from booking.errors import ServiceError
from booking.models import Booking, Launch, Quote
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


def _add_on_groups(options: list[Any], chosen_key: str | None) -> list[dict[str, Any]]:
    """The add-ons of each provider among the options, one group per provider; only the group of
    the chosen option's provider is shown (portal.js follows the choice)."""
    providers = {option.provider.pk: option.provider for option in options}
    chosen = next((o.provider.pk for o in options if option_key(o) == chosen_key), None)
    if chosen is None and options:
        chosen = options[0].provider.pk
    by_provider = offers.add_ons_by_provider(provider_ids=providers)
    return [
        {"provider": providers[pk], "add_ons": by_provider.get(pk, []), "shown": pk == chosen}
        for pk in sorted(providers, key=lambda pk: str(providers[pk]))
    ]


def _chosen_add_on_ids(form: BookOptionsForm) -> set[int]:
    values = form["add_ons"].value() or []
    return {int(value) for value in values if str(value).isdigit()}


def _quote_kwargs(request: PortalRequest, form: BookOptionsForm, payload: Payload) -> dict[str, Any]:
    """What to price, as the form chose it. ``InvalidRequest`` for an add-on of another provider
    than the option's (``offers.add_on_kinds_for``)."""
    data = form.cleaned_data
    target = _quote_target(data["option"])
    if data.get("port") and "launch" in target:
        target["port"] = data["port"]  # the customer's choice over the option's suggestion
    chosen = target.get("launch") or target["vehicle_model"]
    add_ons = offers.add_on_kinds_for(provider=chosen.provider, add_on_ids=[a.pk for a in data["add_ons"]])
    return {
        "customer": request.customer,
        "payload": payload,
        "actor": request.user,
        "currency": data["currency"],
        "options": tuple(add_ons),
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
            "add_on_groups": _add_on_groups(options, form["option"].value() or None),
            "chosen_add_ons": _chosen_add_on_ids(form),
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
    try:
        kwargs = _quote_kwargs(request, form, payload)
        del kwargs["actor"]  # priced, not given: nothing is stored
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
    """The cancellation terms (fee, refund, what is still owed) above the confirm button; the
    cancel charges the terms shown, or refuses if they changed meanwhile."""
    booking = get_booking_for(request.customer, reference)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bookings.booking_cancel(
                booking=booking,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_terms=request.POST.get("terms", ""),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(reference)s cancelled.") % {"reference": booking.reference})
            return redirect("portal:booking_detail", reference=booking.reference)
    context: dict[str, Any] = {"booking": booking, "form": form, "terms": None, "terms_problem": ""}
    try:
        context["terms"] = terms.booking_cancel_terms(booking=booking)
    except ServiceError as exc:
        context["terms_problem"] = exc.message
    return render(request, "portal/booking_cancel.html", context)


def _rebook_choices(booking: Booking, options: list[Any], reasons: list[str]) -> list[tuple[Any, Any]]:
    """Each launch the booking can move to with the terms of moving there; a launch whose terms
    cannot be given is left out, with the reason."""
    choices = []
    for option in options:
        if option.launch is None:
            continue
        try:
            choices.append((option, terms.booking_rebook_terms(booking=booking, launch=option.launch)))
        except ServiceError as exc:
            reasons.append(exc.message)
    return choices


@require_http_methods(["GET", "POST"])
@member_required(Action.BOOKING_REBOOK)
def booking_rebook(request: PortalRequest, reference: str) -> HttpResponse:
    """The launches the booking can move to, each with its new price, the rebooking fee (or why
    it is waived) and the credit; the move charges the terms shown, or refuses if they changed."""
    booking = get_booking_for(request.customer, reference)
    found = availability.rebook_options(booking=booking)
    reasons = list(found.reasons)
    choices = _rebook_choices(booking, list(found.options), reasons)
    if request.method == "POST":
        wanted = request.POST.get("launch")
        chosen = next(((o.launch, t) for o, t in choices if str(o.launch.pk) == wanted), None)
        if chosen is None:
            messages.error(request, _("Choose one of the launches listed."))
        else:
            launch, shown = chosen
            try:
                moved = bookings.booking_rebook(
                    booking=booking,
                    launch=launch,
                    actor=request.user,
                    expected_terms=request.POST.get(f"terms-{launch.pk}", ""),
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
                choices = _rebook_choices(booking, list(found.options), [])
            else:
                messages.success(
                    request,
                    _("%(reference)s moved to %(launch)s: %(terms)s.")
                    % {
                        "reference": moved.reference,
                        "launch": launch.name,
                        # The write refused any other terms: these are the ones charged.
                        "terms": bookings.rebook_terms_text(shown),
                    },
                )
                return redirect("portal:booking_detail", reference=moved.reference)
    return render(
        request,
        "portal/booking_rebook.html",
        {"booking": booking, "choices": choices, "reasons": reasons},
    )
