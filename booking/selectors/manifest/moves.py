"""Reads of proposals and moves: whose they are, whether a move still stands, what it costs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from booking.models import Booking, DedicatedRequest, ManifestMove, ManifestProposal, StandbyEntry
from booking.rules.money import HUNDRED, fmt_money, money
from booking.selectors.fit import fmt_kg, launch_label
from customers.models import Customer


def proposals_for(*, provider_ids: set[int] | None) -> QuerySet[ManifestProposal]:
    """Proposals of the providers an operator runs (``None``: every provider), newest first."""
    proposals = ManifestProposal.objects.select_related("provider", "trigger_launch")
    return proposals if provider_ids is None else proposals.filter(provider_id__in=provider_ids)


def proposal_moves(proposal: ManifestProposal) -> QuerySet[ManifestMove]:
    return proposal.moves.select_related(
        "booking",
        "booking__payload",
        "payload",
        "standby_entry",
        "dedicated_request",
        "customer",
        "from_launch",
        "to_launch",
        "to_launch__vehicle",
        "from_launch__vehicle",
    ).order_by("pk")


def offers_for(*, customer: Customer) -> QuerySet[ManifestMove]:
    """Moves offered to the customer, open ones first, then the answered ones, newest first."""
    return (
        ManifestMove.objects.filter(customer=customer)
        .exclude(status=ManifestMove.Status.PROPOSED)
        .select_related(
            "booking",
            "booking__payload",
            "payload",
            "standby_entry",
            "dedicated_request",
            "from_launch",
            "to_launch",
            "new_booking",
            "proposal",
        )
        .order_by("-proposal__created_at", "pk")
    )


def fee_waived(*, booking: Booking) -> Decimal:
    """The rebooking fee the provider would keep on a move it did not initiate."""
    return money(booking.amount_paid * booking.launch.provider.rebooking_fee_percent / HUNDRED)


def move_stale_reason(*, move: ManifestMove, booking: Booking, now: datetime) -> str | None:
    """Why a move no longer stands: its booking moved, changed status or mass since it was
    proposed, or the offer ran out; ``None`` while it stands."""
    words = {"reference": booking.reference}
    if booking.launch_id != move.from_launch_id:
        return _("booking %(reference)s has moved to %(launch)s since this move was proposed") % {
            **words,
            "launch": launch_label(booking.launch),
        }
    if booking.status != move.booking_status:
        return _("booking %(reference)s is %(status)s now, not %(was)s as when this move was proposed") % {
            **words,
            "status": booking.get_status_display().lower(),
            "was": Booking.Status(move.booking_status).label.lower(),
        }
    if Decimal(booking.mass_kg) != Decimal(move.booking_mass_kg):
        return _(
            "booking %(reference)s now counts %(kg)s kg, not the %(was)s kg this move was proposed for"
        ) % {
            **words,
            "kg": fmt_kg(booking.mass_kg),
            "was": fmt_kg(move.booking_mass_kg),
        }
    if not booking.may_move or not booking.customer.allows_moves:
        return _("%(customer)s no longer agrees to moves of booking %(reference)s") % {
            **words,
            "customer": booking.customer.name,
        }
    if move.status == ManifestMove.Status.OFFERED and move.offer_expires_at and move.offer_expires_at <= now:
        return _("the offer to move booking %(reference)s ran out unanswered") % words
    return None


def entry_stale_reason(*, move: ManifestMove, entry: StandbyEntry, now: datetime) -> str | None:
    """Why a standby entry's move no longer stands: the entry left the list or was answered, was
    changed since the proposal, or its payload's mass changed; ``None`` while it stands. Once
    offered, the offer is the standby offer on the move's booking."""
    words = {"entry": entry.pk, "payload": entry.payload.name}
    if move.status == ManifestMove.Status.PROPOSED:
        if entry.status != StandbyEntry.Status.WAITING:
            return _("standby entry %(entry)d of %(payload)s is %(status)s now, no longer waiting") % {
                **words,
                "status": entry.get_status_display().lower(),
            }
        if move.source_updated_at is not None and entry.updated_at != move.source_updated_at:
            return _("standby entry %(entry)d of %(payload)s changed since this move was proposed") % words
    elif entry.status != StandbyEntry.Status.OFFERED or entry.offer_booking_id != move.new_booking_id:
        return _(
            "standby entry %(entry)d of %(payload)s is %(status)s now: the seat offered is no longer open"
        ) % {
            **words,
            "status": entry.get_status_display().lower(),
        }
    return _payload_or_offer_stale(
        move=move, payload_name=entry.payload.name, mass_kg=entry.payload.mass_kg, now=now
    )


def request_stale_reason(*, move: ManifestMove, request: DedicatedRequest, now: datetime) -> str | None:
    """Why a dedicated request's move no longer stands: the request is no longer open (scheduled,
    withdrawn, declined, met), was changed since the proposal, or its payload's mass changed, or
    the offer ran out; ``None`` while it stands."""
    words = {"reference": request.reference}
    if request.status != DedicatedRequest.Status.REQUESTED:
        return _("request %(reference)s is %(status)s now, no longer waiting for a launch") % {
            **words,
            "status": request.get_status_display().lower(),
        }
    if move.source_updated_at is not None and request.updated_at != move.source_updated_at:
        return _("request %(reference)s changed since this move was proposed") % words
    if request.payload is None:
        return _("request %(reference)s names no payload any more") % words
    return _payload_or_offer_stale(
        move=move, payload_name=request.payload.name, mass_kg=request.payload.mass_kg, now=now
    )


def _payload_or_offer_stale(
    *, move: ManifestMove, payload_name: str, mass_kg: Decimal, now: datetime
) -> str | None:
    if Decimal(mass_kg) != Decimal(move.booking_mass_kg):
        return _("%(payload)s now weighs %(kg)s kg, not the %(was)s kg this move was proposed for") % {
            "payload": payload_name,
            "kg": fmt_kg(mass_kg),
            "was": fmt_kg(move.booking_mass_kg),
        }
    if move.status == ManifestMove.Status.OFFERED and move.offer_expires_at and move.offer_expires_at <= now:
        return _("the seat offered to %(payload)s on %(launch)s ran out unanswered") % {
            "payload": payload_name,
            "launch": launch_label(move.to_launch),
        }
    return None


def move_subject_text(move: ManifestMove) -> str:
    """What moves, in words: "booking LB-…", "standby entry 12 (GOMX-5)", "request DR-… (GOMX-5)"."""
    if move.booking is not None:
        return _("booking %(reference)s") % {"reference": move.booking.reference}
    payload = move.payload.name if move.payload is not None else ""
    if move.standby_entry is not None:
        return _("standby entry %(entry)d (%(payload)s)") % {
            "entry": move.standby_entry.pk,
            "payload": payload,
        }
    assert move.dedicated_request is not None
    return _("request %(reference)s (%(payload)s)") % {
        "reference": move.dedicated_request.reference,
        "payload": payload,
    }


def move_money_text(move: ManifestMove) -> str:
    """'Price unchanged; the 10% rebooking fee (USD 12,000.00) is waived': what a move costs."""
    if move.source != ManifestMove.Source.BOOKING:
        return _("A new seat, at the price quoted for it when it is held")
    if move.fee_waived:
        return _("Price unchanged; the rebooking fee of %(fee)s is waived") % {
            "fee": fmt_money(move.fee_waived, move.currency)
        }
    return _("Price unchanged; no rebooking fee")
