"""Standby lists: join one when nothing fits, see where each entry stands, answer a seat offered.

Every decision is the standby service's (``booking.services.standby``): the views collect the
choice, call it and show its answer or refusal.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

import booking.services.standby as standby
from booking.errors import ServiceError
from booking.models import Launch, StandbyEntry
from booking.portal.access import PortalRequest, member_required
from booking.portal.forms import StandbyJoinForm
from booking.rules.permissions import Action
from booking.selectors.fit import launches_selling_q
from booking.selectors.standby import get_standby_entries_for, get_standby_entry_for, standby_position
from customers.models import Payload


def _entry_for(request: PortalRequest, pk: int) -> StandbyEntry:
    entry = get_standby_entry_for(request.customer, pk)
    if entry is None:
        raise Http404(_("No standby entry of yours has this number."))
    return entry


def _launch_choices(payload: Payload | None) -> list[Launch]:
    """Selling launches to the payload's orbit family: the ones a launch entry can wait for."""
    if payload is None:
        return []
    return list(
        Launch.objects.filter(launches_selling_q(now=timezone.now()), orbit_family=payload.orbit_family)
        .select_related("vehicle", "vehicle_model")
        .order_by("net", "pk")[:50]
    )


@member_required(Action.READ)
def standby_list(request: PortalRequest) -> HttpResponse:
    payloads = list(Payload.objects.filter(customer=request.customer).order_by("name"))
    chosen = request.GET.get("payload")
    payload = next((p for p in payloads if str(p.pk) == chosen), None)
    launch_id = request.GET.get("launch") or ""
    form = StandbyJoinForm(
        initial={"payload": payload.pk if payload else None, "launch": launch_id},
        payloads=payloads,
        launches=_launch_choices(payload),
    )
    entries = [(entry, standby_position(entry)) for entry in get_standby_entries_for(request.customer)]
    return render(request, "portal/standby.html", {"entries": entries, "form": form, "payload": payload})


@require_POST
@member_required(Action.STANDBY_JOIN)
def standby_join(request: PortalRequest) -> HttpResponse:
    payloads = list(Payload.objects.filter(customer=request.customer).order_by("name"))
    payload = next((p for p in payloads if str(p.pk) == request.POST.get("payload")), None)
    form = StandbyJoinForm(request.POST, payloads=payloads, launches=_launch_choices(payload))
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = standby.standby_join(
                customer=request.customer,
                payload=data["payload"],
                actor=request.user,
                launch=data["launch"],
                inclination_min_deg=data["inclination_min_deg"],
                inclination_max_deg=data["inclination_max_deg"],
                earliest_date=data["earliest_date"],
                latest_date=data["latest_date"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(payload)s is on the standby list for %(target)s, number %(position)s.")
                % {
                    "payload": entry.payload.name,
                    "target": standby.entry_target_text(entry),
                    "position": standby_position(entry),
                },
            )
            return redirect("portal:standby")
    entries = [(entry, standby_position(entry)) for entry in get_standby_entries_for(request.customer)]
    return render(
        request,
        "portal/standby.html",
        {"entries": entries, "form": form, "payload": payload},
        status=400 if form.errors else 200,
    )


def _entry_step(
    step: Callable[..., StandbyEntry], *, action: Action, done: str
) -> Callable[..., HttpResponse]:
    """The POST view that answers one of the member's entries with ``step``, a standby service:
    another customer's entry is a 404; a refusal is shown in the service's words, and ``done``
    (marked with ``gettext_noop``, translated when shown, with the payload's name) when it went
    through."""

    @require_POST
    @member_required(action)
    def answer(request: PortalRequest, pk: int) -> HttpResponse:
        entry = _entry_for(request, pk)
        try:
            step(entry=entry, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _(done) % {"payload": entry.payload.name})
        return redirect("portal:standby")

    return answer


standby_withdraw = _entry_step(
    standby.standby_withdraw,
    action=Action.STANDBY_JOIN,
    done=gettext_noop("%(payload)s left the standby list."),
)
standby_accept = _entry_step(
    standby.standby_offer_accept,
    action=Action.STANDBY_ACCEPT,
    done=gettext_noop("The seat is yours: the booking of %(payload)s is confirmed."),
)
standby_decline = _entry_step(
    standby.standby_offer_decline,
    action=Action.STANDBY_JOIN,
    done=gettext_noop("You declined the seat offered to %(payload)s; it goes to the next on the list."),
)
