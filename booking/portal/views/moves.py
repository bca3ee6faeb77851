"""Moves offered: the provider proposes moving a booking to another launch; the customer accepts
(the booking moves, no rebooking fee) or declines (it stays). The decisions are the manifest
services'; the views show the offers and pass the answer on."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import booking.services.manifest as manifest
from booking.errors import ServiceError
from booking.models import ManifestMove
from booking.portal.access import PortalRequest, member_required
from booking.rules.permissions import Action
from booking.selectors.manifest.moves import move_money_text, offers_for


@member_required(Action.READ)
def moves(request: PortalRequest) -> HttpResponse:
    offers = list(offers_for(customer=request.customer))
    open_rows = [
        {"move": m, "money": move_money_text(m)} for m in offers if m.status == ManifestMove.Status.OFFERED
    ]
    answered = [
        {"move": m, "money": move_money_text(m)} for m in offers if m.status != ManifestMove.Status.OFFERED
    ]
    return render(request, "portal/moves.html", {"open_rows": open_rows, "answered": answered})


def _offer(request: PortalRequest, pk: int) -> ManifestMove:
    return get_object_or_404(
        ManifestMove.objects.select_related("booking", "from_launch", "to_launch"),
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
    messages.success(
        request,
        _("%(old)s moved to %(launch)s as %(new)s.")
        % {"old": move.booking.reference, "launch": move.to_launch.name, "new": new.reference},
    )
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
        messages.success(
            request,
            _("%(reference)s stays on %(launch)s.")
            % {"reference": move.booking.reference, "launch": move.from_launch.name},
        )
    return redirect("portal:moves")
