"""Moves offered: the provider proposes moving a booking to another launch; the customer accepts
(the booking moves, no rebooking fee) or declines (it stays). The decisions are the manifest
services'; the views show the offers and pass the answer on."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import booking.services.manifest as manifest
from booking.errors import ServiceError
from booking.models import Booking, ManifestMove
from booking.portal.access import PortalRequest, get_booking_for, member_required
from booking.rules.permissions import Action
from booking.selectors.capacity import capacity_taking_q
from booking.selectors.manifest.moves import move_money_text, move_subject_text, offers_for


@member_required(Action.READ)
def moves(request: PortalRequest) -> HttpResponse:
    offers = list(offers_for(customer=request.customer))
    open_rows = [
        {"move": m, "money": move_money_text(m)} for m in offers if m.status == ManifestMove.Status.OFFERED
    ]
    answered = [
        {"move": m, "money": move_money_text(m)} for m in offers if m.status != ManifestMove.Status.OFFERED
    ]
    live = (
        Booking.objects.filter(capacity_taking_q(now=timezone.now()), customer=request.customer)
        .select_related("payload", "launch")
        .order_by("launch__net", "pk")
    )
    context = {"open_rows": open_rows, "answered": answered, "live": list(live)}
    return render(request, "portal/moves.html", context)


@require_POST
@member_required(Action.MOVE_ANSWER)
def move_consent(request: PortalRequest) -> HttpResponse:
    """Whether moves may be offered: for every booking of the organisation, or one (``booking``)."""
    wanted = request.POST.get("allows")
    if wanted not in ("yes", "no"):
        messages.error(request, _("Say whether moves may be offered."))
        return redirect("portal:moves")
    reference = request.POST.get("booking")
    booking = get_booking_for(request.customer, reference) if reference else None
    try:
        manifest.manifest_consent_set(
            customer=request.customer, allows_moves=wanted == "yes", actor=request.user, booking=booking
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("portal:moves")


def _offer(request: PortalRequest, pk: int) -> ManifestMove:
    return get_object_or_404(
        ManifestMove.objects.select_related(
            "booking", "standby_entry", "dedicated_request", "payload", "from_launch", "to_launch"
        ),
        pk=pk,
        customer=request.customer,
    )


@require_POST
@member_required(Action.MOVE_ANSWER)
def move_accept(request: PortalRequest, pk: int) -> HttpResponse:
    move = _offer(request, pk)
    try:
        new = manifest.manifest_move_accept(move=move, actor=request.user, customer=request.customer)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("portal:moves")
    if move.booking is not None:
        done = _("%(old)s moved to %(launch)s as %(new)s.") % {
            "old": move.booking.reference,
            "launch": move.to_launch.name,
            "new": new.reference,
        }
    else:
        done = _("%(what)s takes the seat on %(launch)s as %(new)s.") % {
            "what": move_subject_text(move),
            "launch": move.to_launch.name,
            "new": new.reference,
        }
    messages.success(request, done)
    return redirect("portal:booking_detail", reference=new.reference)


@require_POST
@member_required(Action.MOVE_ANSWER)
def move_decline(request: PortalRequest, pk: int) -> HttpResponse:
    move = _offer(request, pk)
    try:
        manifest.manifest_move_decline(move=move, actor=request.user, customer=request.customer)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if move.booking is not None and move.from_launch is not None:
            stays = _("%(reference)s stays on %(launch)s.") % {
                "reference": move.booking.reference,
                "launch": move.from_launch.name,
            }
        else:
            stays = _("%(what)s stays as it is: the seat on %(launch)s is not taken.") % {
                "what": move_subject_text(move),
                "launch": move.to_launch.name,
            }
        messages.success(request, stays)
    return redirect("portal:moves")
