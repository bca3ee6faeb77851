"""Manifest proposals and the moves they offer: propose, offer, accept, decline, lapse.

A proposal (``manifest_propose``) asks the optimiser (``booking.selectors.manifest``) where the
provider's movable bookings, waiting standby entries and open dedicated requests should ride and
stores the answer as moves; it changes no booking, entry or request.
An operator offers some or all of its moves (``manifest_moves_offer``); each becomes an offer to
the customer (an Event ``booking.move_offered``: a webhook and an e-mail). An accepted offer is
carried out by the rebooking service (``_carry_out``), the provider's move, so no rebooking fee
is kept; a declined or lapsed one leaves the booking where it was. A move whose booking changed
meanwhile (launch, status, mass, consent) is refused with the reason, when offered or accepted.

A standby entry placed on a launch is, once offered, the standby offer on that launch
(``standby.standby_offer_placed``: a hold until the offer's deadline), answered as any standby
offer (accepting confirms it, declining cancels it), from the standby pages or as this move. A
dedicated request placed on a rideshare launch is offered a seat there (the same
``booking.move_offered`` event: a webhook and an e-mail); accepted, the seat is quoted and held,
and confirmed under the customer's contract (refused whole when it cannot be), and the request
is met (``dedicated.dedicated_request_met``); declined or lapsed, the
request stays open. An entry or a request that changed meanwhile is refused with the reason.

Move rows change state with a conditional update on their status, so two answers to one offer
(a double click, the portal and the API at once) carry out one move; the booking itself is locked
by the rebooking service, which re-checks the fit under the launch locks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import when
from booking.errors import Busy, Conflict, InvalidRequest
from booking.models import Booking, DedicatedRequest, Launch, ManifestMove, ManifestProposal, StandbyEntry
from booking.selectors.contracts import contracts_for_launch
from booking.selectors.fit import fmt_kg, launch_label
from booking.selectors.manifest.demands import (
    Demand,
    World,
    date_refusal,
    manifest_demands,
    manifest_world,
    new_seat,
)
from booking.selectors.manifest.moves import (
    entry_stale_reason,
    fee_waived,
    move_money_text,
    move_stale_reason,
    move_subject_text,
    request_stale_reason,
)
from booking.selectors.manifest.solver import Solution, solve
from customers.models import Customer, Payload
from vehicles.models import Provider

from . import bookings, dedicated, locking, quotes, standby
from .events import Actor, event_record, user_or_none

logger = logging.getLogger(__name__)

Status = ManifestMove.Status
Source = ManifestMove.Source


def manifest_propose(
    *,
    provider: Provider,
    actor: Actor,
    now: datetime | None = None,
    trigger: str = ManifestProposal.Trigger.OPERATOR,
    trigger_launch: Launch | None = None,
) -> ManifestProposal:
    """Ask the optimiser for the provider's manifest and store its moves; no booking changes.

    Moves still only proposed in the provider's earlier proposals are refused as superseded: the
    newest proposal is the one to review.
    """
    now = now or timezone.now()
    world = manifest_world(provider=provider, now=now)
    solution = solve(
        world.problem,
        time_limit_seconds=settings.LAUNCHBOOK_MANIFEST_TIME_LIMIT_SECONDS,
        workers=settings.LAUNCHBOOK_MANIFEST_WORKERS,
    )
    with transaction.atomic():
        before_kg, after_kg = _masses(world, solution)
        proposal = ManifestProposal.objects.create(
            provider=provider,
            trigger=trigger,
            trigger_launch=trigger_launch,
            demands=len(world.demands),
            launches=len(world.launches),
            mass_before_kg=before_kg,
            mass_after_kg=after_kg,
            objective=solution.objective,
            best_bound=solution.best_bound,
            gap=solution.gap,
            solver_status=solution.status,
            solve_seconds=round(solution.seconds, 3),
            created_by=user_or_none(actor),
        )
        moves = _moves(proposal=proposal, world=world, solution=solution)
        superseded = ManifestMove.objects.filter(
            proposal__provider=provider, status=Status.PROPOSED, proposal__created_at__lt=proposal.created_at
        ).update(
            status=Status.REFUSED,
            refusal=_("superseded by manifest proposal %(number)d") % {"number": proposal.pk},
        )
        stuck = [key for key in world.stuck if solution.assignment.get(key) is None]
        proposal.summary = _summary(moves=moves, stuck=len(stuck), before_kg=before_kg, after_kg=after_kg)[
            :300
        ]
        proposal.save(update_fields=["summary"])
        event_record(
            verb="manifest.proposed",
            subject=proposal,
            actor=actor,
            system="manifest optimiser",
            after={
                "moves": len(moves),
                "superseded": superseded,
                "mass_before_kg": before_kg,
                "mass_after_kg": after_kg,
                "objective": solution.objective,
                "best_bound": solution.best_bound,
                "gap": solution.gap,
                "solver_status": solution.status,
                "trigger": trigger,
            },
            message=f"{provider}: {proposal.summary}",
            provider=provider,
            launch=trigger_launch,
        )
    return proposal


def _masses(world: World, solution: Solution) -> tuple[Decimal, Decimal]:
    """Mass of the demands flying before (on a launch that still takes them) and after."""
    before = sum(
        (
            world.options[spec.key][spec.current].mass_kg
            for spec in world.problem.demands
            if spec.must_fly and spec.current
        ),
        Decimal(0),
    )
    after = sum(
        (
            world.options[key][launch].mass_kg
            for key, launch in solution.assignment.items()
            if launch is not None
        ),
        Decimal(0),
    )
    return before, after


def _moves(*, proposal: ManifestProposal, world: World, solution: Solution) -> list[ManifestMove]:
    rows = []
    for key, target_key in solution.assignment.items():
        demand = world.demands[key]
        booking = demand.booking
        if target_key is None:
            continue
        if booking is None:
            rows.append(_new_seat_move(proposal=proposal, world=world, demand=demand, target_key=target_key))
            continue
        if demand.current is None:
            continue
        target = world.launches[target_key]
        if target.pk == demand.current.pk:
            continue
        rows.append(
            ManifestMove(
                proposal=proposal,
                booking=booking,
                customer=demand.customer,
                from_launch=demand.current,
                to_launch=target,
                reason=_reason(world=world, key=key, source=demand.current, target=target)[:300],
                booking_status=booking.status,
                booking_mass_kg=booking.mass_kg,
                mass_kg=world.options[key][target_key].mass_kg,
                price_change=Decimal("0.00"),
                fee_waived=fee_waived(booking=booking),
                currency=booking.currency,
            )
        )
    return ManifestMove.objects.bulk_create(rows)


def _new_seat_move(
    *, proposal: ManifestProposal, world: World, demand: Demand, target_key: str
) -> ManifestMove:
    """The move of a standby entry or a dedicated request onto a launch: a new seat there."""
    target = world.launches[target_key]
    source = demand.entry or demand.request
    assert source is not None
    if demand.entry is not None:
        reason = _("%(to)s has room for %(payload)s, waiting on the standby list") % {
            "to": launch_label(target),
            "payload": demand.payload.name,
        }
    else:
        reason = _("%(to)s has room for %(payload)s, which asked for a dedicated launch") % {
            "to": launch_label(target),
            "payload": demand.payload.name,
        }
    return ManifestMove(
        proposal=proposal,
        source=Source.STANDBY if demand.entry is not None else Source.DEDICATED,
        standby_entry=demand.entry,
        dedicated_request=demand.request,
        payload=demand.payload,
        customer=demand.customer,
        from_launch=None,
        to_launch=target,
        reason=reason[:300],
        booking_status=source.status,
        booking_mass_kg=demand.payload.mass_kg,
        source_updated_at=source.updated_at,
        mass_kg=world.options[demand.key][target_key].mass_kg,
        price_change=Decimal("0.00"),
        fee_waived=Decimal("0.00"),
        currency=_currency_for(customer=demand.customer, launch=target),
    )


def _currency_for(*, customer: Customer, launch: Launch) -> str:
    """A new seat is quoted in the currency of the customer's contract with the provider, else US dollars."""
    contract = contracts_for_launch(customer_id=customer.pk, launch=launch).order_by("pk").first()
    return contract.currency if contract is not None else "USD"


def _reason(*, world: World, key: str, source: Launch, target: Launch) -> str:
    words = {"from": launch_label(source), "to": launch_label(target)}
    stuck = world.stuck.get(key)
    if stuck:
        return _("%(why)s; %(to)s takes it") % {"why": stuck, **words}
    days = (source.net - target.net).days
    if days > 0:
        return _(
            "%(to)s flies %(days)d days earlier, within the payload's dates, and frees room on %(from)s"
        ) % {
            **words,
            "days": days,
        }
    return _("moving it to %(to)s frees room on %(from)s so the manifest carries more") % words


def _summary(*, moves: Sequence[ManifestMove], stuck: int, before_kg: Decimal, after_kg: Decimal) -> str:
    text = _("%(moves)d moves; %(before)s kg flying before, %(after)s kg after") % {
        "moves": len(moves),
        "before": fmt_kg(before_kg),
        "after": fmt_kg(after_kg),
    }
    if stuck:
        text += "; " + _("%(count)d payloads have no launch that takes them") % {"count": stuck}
    return text


def manifest_propose_after_launch_change(
    *, launch_id: int, now: datetime | None = None
) -> ManifestProposal | None:
    """After a slip or a scrub: propose where the launch's payloads go, when any must go.

    A scrubbed launch with movable bookings, or a slipped one whose NET now falls after a booked
    payload's latest date, gets a proposal for its provider (the task that calls this runs after
    the change commits). Otherwise, or when the launch changed again meanwhile, nothing happens
    and the log says why.
    """
    now = now or timezone.now()
    launch = Launch.objects.select_related("provider").filter(pk=launch_id).first()
    if launch is None:
        logger.info("manifest: launch %s is gone; nothing to propose", launch_id)
        return None
    demands = [
        d
        for d in manifest_demands(provider=launch.provider, now=now)
        if d.current and d.current.pk == launch.pk
    ]
    if launch.status == Launch.Status.SCRUBBED:
        trigger = ManifestProposal.Trigger.SCRUB
        affected = demands
    else:
        trigger = ManifestProposal.Trigger.SLIP
        affected = [d for d in demands if date_refusal(payload=d.payload, launch=launch)]
    if not affected:
        logger.info("manifest: %s leaves no payload outside its dates; nothing to propose", launch.name)
        return None
    return manifest_propose(
        provider=launch.provider, actor=None, now=now, trigger=trigger, trigger_launch=launch
    )


# --- offers ------------------------------------------------------------------------------------


def manifest_moves_offer(
    *,
    proposal: ManifestProposal,
    actor: Actor,
    moves: Sequence[ManifestMove] | None = None,
    now: datetime | None = None,
) -> list[ManifestMove]:
    """Offer the proposal's ``moves`` (``None``: every proposed one) to their customers.

    A move whose booking, entry or request changed since the proposal is refused with the reason
    instead (so is a standby entry's offer the standby service refuses); answers every move
    handled, offered or refused.
    """
    now = now or timezone.now()
    chosen = list(moves) if moves is not None else list(proposal.moves.filter(status=Status.PROPOSED))
    if any(move.proposal_id != proposal.pk for move in chosen):
        raise InvalidRequest(
            _("every move offered must belong to manifest proposal %(n)d") % {"n": proposal.pk}
        )
    expires = now + timedelta(hours=settings.LAUNCHBOOK_MANIFEST_OFFER_HOURS)
    handled = []
    with transaction.atomic():
        for move in sorted(chosen, key=lambda m: m.pk):
            if move.source == Source.STANDBY:
                if _offer_standby(move, actor=actor, now=now):
                    handled.append(move)
                continue
            if move.source == Source.DEDICATED:
                if _offer_dedicated(move, actor=actor, now=now, expires=expires):
                    handled.append(move)
                continue
            assert move.booking_id is not None and move.from_launch is not None
            booking = Booking.objects.select_related("customer", "launch", "launch__provider").get(
                pk=move.booking_id
            )
            stale = move_stale_reason(move=move, booking=booking, now=now)
            if stale:
                if _claim(
                    move, from_status=Status.PROPOSED, to_status=Status.REFUSED, refusal=stale, now=now
                ):
                    _record(move, booking=booking, verb="booking.move_refused", actor=actor, message=stale)
                handled.append(move)
                continue
            if not _claim(move, from_status=Status.PROPOSED, to_status=Status.OFFERED, expires=expires):
                continue  # offered or answered meanwhile
            _record(
                move,
                booking=booking,
                verb="booking.move_offered",
                actor=actor,
                message=_(
                    "%(provider)s offers to move %(reference)s from %(from)s to %(to)s: %(why)s. %(money)s. "
                    "Answer by %(expires)s"
                )
                % {
                    "provider": booking.launch.provider,
                    "reference": booking.reference,
                    "from": launch_label(move.from_launch),
                    "to": launch_label(move.to_launch),
                    "why": move.reason,
                    "money": move_money_text(move),
                    "expires": when(expires),
                },
            )
            handled.append(move)
    return handled


def _offer_standby(move: ManifestMove, *, actor: Actor, now: datetime) -> bool:
    """The standby entry's move offered: the standby offer on the move's launch, or refused with
    the reason. False when the move was handled meanwhile."""
    assert move.standby_entry_id is not None
    entry = StandbyEntry.objects.select_related("payload", "customer").get(pk=move.standby_entry_id)
    refusal = entry_stale_reason(move=move, entry=entry, now=now)
    if not refusal:
        if not _claim(move, from_status=Status.PROPOSED, to_status=Status.OFFERED):
            return False
        try:
            with transaction.atomic():
                entry = standby.standby_offer_placed(
                    entry=entry,
                    launch=move.to_launch,
                    actor=actor,
                    port_kind=_port_kind(move=move, payload=entry.payload),
                    now=now,
                )
        except Busy:
            raise
        except Conflict as exc:
            refusal = exc.message
            _claim(move, from_status=Status.OFFERED, to_status=Status.REFUSED, refusal=refusal, now=now)
        else:
            assert entry.offer_booking is not None
            ManifestMove.objects.filter(pk=move.pk).update(
                new_booking=entry.offer_booking, offer_expires_at=entry.offer_expires_at
            )
            move.new_booking, move.offer_expires_at = entry.offer_booking, entry.offer_expires_at
            return True  # the standby offer's own Event tells the customer
    elif not _claim(move, from_status=Status.PROPOSED, to_status=Status.REFUSED, refusal=refusal, now=now):
        return False
    _record_source(move, verb="standby.move_refused", actor=actor, message=refusal)
    return True


def _port_kind(*, move: ManifestMove, payload: Payload) -> str | None:
    """The kind of port the optimiser counted the new seat on (``demands.new_seat``)."""
    try:
        seat = new_seat(launch=move.to_launch, payload=payload)
    except Conflict:
        return None
    return seat.port.kind if seat.port is not None else None


def _offer_dedicated(move: ManifestMove, *, actor: Actor, now: datetime, expires: datetime) -> bool:
    """The dedicated request's move offered to its customer (a seat on the rideshare launch), or
    refused with the reason. False when the move was handled meanwhile."""
    assert move.dedicated_request_id is not None
    request = DedicatedRequest.objects.select_related("payload", "customer").get(pk=move.dedicated_request_id)
    refusal = request_stale_reason(move=move, request=request, now=now)
    if refusal:
        if not _claim(move, from_status=Status.PROPOSED, to_status=Status.REFUSED, refusal=refusal, now=now):
            return False
        _record_source(move, verb="booking.move_refused", actor=actor, message=refusal)
        return True
    if not _claim(move, from_status=Status.PROPOSED, to_status=Status.OFFERED, expires=expires):
        return False
    _record_source(
        move,
        verb="booking.move_offered",
        actor=actor,
        message=_(
            "%(provider)s offers %(payload)s a seat on rideshare launch %(to)s instead of the dedicated launch "
            "asked for in %(reference)s: %(why)s. %(money)s. Answer by %(expires)s"
        )
        % {
            "provider": move.to_launch.provider,
            "payload": request.payload.name if request.payload else "",
            "to": launch_label(move.to_launch),
            "reference": request.reference,
            "why": move.reason,
            "money": move_money_text(move),
            "expires": when(expires),
        },
    )
    return True


def _record_source(move: ManifestMove, *, verb: str, actor: Actor, message: str) -> None:
    """The Event of a standby entry's or a dedicated request's move, on the entry or request."""
    subject = move.standby_entry if move.source == Source.STANDBY else move.dedicated_request
    assert subject is not None
    event_record(
        verb=verb,
        subject=subject,
        actor=actor,
        system="manifest optimiser",
        before={"move": move.pk, "status": move.booking_status},
        after={
            "move": move.pk,
            "proposal": move.proposal_id,
            "status": move.status,
            "to_launch": move.to_launch_id,
            "reason": move.reason,
            "refusal": move.refusal,
            "currency": move.currency,
            "offer_expires_at": move.offer_expires_at,
            "new_booking": move.new_booking_id,
        },
        message=message,
        customer=move.customer,
        provider=move.to_launch.provider,
        launch=move.to_launch,
    )


def _claim(
    move: ManifestMove,
    *,
    from_status: str,
    to_status: str,
    refusal: str = "",
    expires: datetime | None = None,
    now: datetime | None = None,
    new_booking: Booking | None = None,
) -> bool:
    """Change the move's status only if it is still ``from_status`` (the one writer wins)."""
    fields: dict = {"status": to_status}
    if refusal:
        fields["refusal"] = refusal[:300]
    if expires is not None:
        fields["offer_expires_at"] = expires
    if now is not None:
        fields["answered_at"] = now
    if new_booking is not None:
        fields["new_booking"] = new_booking
    changed = ManifestMove.objects.filter(pk=move.pk, status=from_status).update(**fields) == 1
    if changed:
        for name, value in fields.items():
            setattr(move, name, value)
    return changed


def _record(move: ManifestMove, *, booking: Booking, verb: str, actor: Actor, message: str) -> None:
    event_record(
        verb=verb,
        subject=booking,
        actor=actor,
        system="manifest optimiser",
        before={"move": move.pk, "launch": move.from_launch_id},
        after={
            "move": move.pk,
            "proposal": move.proposal_id,
            "status": move.status,
            "from_launch": move.from_launch_id,
            "to_launch": move.to_launch_id,
            "reason": move.reason,
            "refusal": move.refusal,
            "fee_waived": move.fee_waived,
            "price_change": move.price_change,
            "currency": move.currency,
            "offer_expires_at": move.offer_expires_at,
        },
        message=message,
        customer=booking.customer,
        provider=booking.launch.provider,
        launch=booking.launch,
    )


def _offer_for(move: ManifestMove, *, customer: Customer | None) -> None:
    if customer is not None and move.customer_id != customer.pk:
        raise InvalidRequest(_("this move is offered to another customer"))
    if move.status != Status.OFFERED:
        raise Conflict(
            _("this move is %(status)s: only an open offer can be answered")
            % {"status": move.get_status_display().lower()}
        )


def manifest_move_accept(
    *, move: ManifestMove, actor: Actor, customer: Customer | None = None, now: datetime | None = None
) -> Booking:
    """Accept an offered move: the booking moves (the rebooking service, no fee); answers the new
    booking. Refused with the reason when the offer ran out, the booking changed, or the move no
    longer fits the target launch; the booking then stays where it is.

    A standby entry's move accepts its standby offer (the held booking confirmed); a dedicated
    request's move takes the seat (``_take_seat``). Either answers the booking on the launch."""
    now = now or timezone.now()
    _offer_for(move, customer=customer)
    if move.source == Source.STANDBY:
        return _accept_standby(move, actor=actor, now=now)
    if move.source == Source.DEDICATED:
        return _accept_dedicated(move, actor=actor, now=now)
    refusal = ""
    assert move.booking_id is not None
    with transaction.atomic():
        booking = Booking.objects.select_related("customer", "launch", "launch__provider").get(
            pk=move.booking_id
        )
        stale = move_stale_reason(move=move, booking=booking, now=now)
        if stale:
            lapsed = move.offer_expires_at is not None and move.offer_expires_at <= now
            outcome = Status.LAPSED if lapsed else Status.REFUSED
            if _claim(move, from_status=Status.OFFERED, to_status=outcome, refusal=stale, now=now):
                verb = "booking.move_lapsed" if lapsed else "booking.move_refused"
                _record(move, booking=booking, verb=verb, actor=actor, message=stale)
            refusal = stale
        elif not _claim(move, from_status=Status.OFFERED, to_status=Status.ACCEPTED, now=now):
            raise Conflict(_("this offer was answered meanwhile"))
        else:
            try:
                with transaction.atomic():
                    new = _carry_out(move, booking=booking, actor=actor, now=now)
            except Busy:
                raise  # somebody holds a launch: try again, the offer still stands
            except Conflict as exc:
                refusal = exc.message
                _claim(move, from_status=Status.ACCEPTED, to_status=Status.REFUSED, refusal=refusal, now=now)
                _record(move, booking=booking, verb="booking.move_refused", actor=actor, message=refusal)
            else:
                ManifestMove.objects.filter(pk=move.pk).update(new_booking=new)
                move.new_booking = new
                _record(
                    move,
                    booking=new,
                    verb="booking.move_accepted",
                    actor=actor,
                    message=_("%(reference)s moved to %(to)s as %(new)s at the provider's request: %(money)s")
                    % {
                        "reference": booking.reference,
                        "to": launch_label(move.to_launch),
                        "new": new.reference,
                        "money": move_money_text(move),
                    },
                )
                return new
    raise Conflict(
        _("booking %(reference)s stays where it is: %(why)s")
        % {"reference": booking.reference, "why": refusal}
    )


def _carry_out(move: ManifestMove, *, booking: Booking, actor: Actor, now: datetime) -> Booking:
    """The one call of the rebooking service for a manifest move: the provider's move, so its
    terms are the provider-initiated ones (no rebooking fee)."""
    return bookings.booking_rebook(
        booking=booking, launch=move.to_launch, actor=actor, now=now, provider_initiated=True
    )


def _accept_standby(move: ManifestMove, *, actor: Actor, now: datetime) -> Booking:
    """The standby offer accepted (``standby.standby_offer_accept``: its hold confirmed). A
    confirmation refused (no active contract, say) leaves the offer open until its deadline."""
    assert move.standby_entry_id is not None
    with transaction.atomic():
        entry = StandbyEntry.objects.select_related("payload", "customer").get(pk=move.standby_entry_id)
        stale = entry_stale_reason(move=move, entry=entry, now=now)
        if stale:
            _refuse_offered(move, actor=actor, refusal=stale, now=now)
        else:
            entry = standby.standby_offer_accept(entry=entry, actor=actor, now=now)
            if not _claim(move, from_status=Status.OFFERED, to_status=Status.ACCEPTED, now=now):
                raise Conflict(_("this offer was answered meanwhile"))
            assert entry.offer_booking is not None and entry.offer_booking_id is not None
            _record_source(
                move,
                verb="standby.move_accepted",
                actor=actor,
                message=_("%(payload)s took the seat on %(to)s: booking %(reference)s confirmed")
                % {
                    "payload": entry.payload.name,
                    "to": launch_label(move.to_launch),
                    "reference": entry.offer_booking.reference,
                },
            )
            return Booking.objects.get(pk=entry.offer_booking_id)
    raise Conflict(_("%(what)s stays as it is: %(why)s") % {"what": move_subject_text(move), "why": stale})


def _accept_dedicated(move: ManifestMove, *, actor: Actor, now: datetime) -> Booking:
    """The seat offered for a dedicated request taken: quoted, held, confirmed when the contract
    allows, and the request met. Refused with the reason (the request stays open) when the request
    changed, the offer ran out, or the seat no longer fits."""
    assert move.dedicated_request_id is not None
    with transaction.atomic():
        request = DedicatedRequest.objects.select_related("payload", "customer").get(
            pk=move.dedicated_request_id
        )
        refusal = request_stale_reason(move=move, request=request, now=now)
        if refusal:
            _refuse_offered(move, actor=actor, refusal=refusal, now=now)
        elif not _claim(move, from_status=Status.OFFERED, to_status=Status.ACCEPTED, now=now):
            raise Conflict(_("this offer was answered meanwhile"))
        else:
            try:
                with transaction.atomic():
                    new = _take_seat(move, request=request, actor=actor, now=now)
            except Busy:
                raise
            except Conflict as exc:
                refusal = exc.message
                _claim(move, from_status=Status.ACCEPTED, to_status=Status.REFUSED, refusal=refusal, now=now)
                _record_source(move, verb="booking.move_refused", actor=actor, message=refusal)
            else:
                ManifestMove.objects.filter(pk=move.pk).update(new_booking=new)
                move.new_booking = new
                _record_source(
                    move,
                    verb="booking.move_accepted",
                    actor=actor,
                    message=_("%(reference)s takes the seat on %(to)s as %(new)s (%(status)s)")
                    % {
                        "reference": request.reference,
                        "to": launch_label(move.to_launch),
                        "new": new.reference,
                        "status": new.get_status_display().lower(),
                    },
                )
                return new
    raise Conflict(_("%(what)s stays as it is: %(why)s") % {"what": move_subject_text(move), "why": refusal})


def _take_seat(move: ManifestMove, *, request: DedicatedRequest, actor: Actor, now: datetime) -> Booking:
    """The seat for a dedicated request, through the booking services: a quote on the launch (the
    port kind the optimiser counted), a hold and its confirmation under the customer's contract,
    and the request marked met. A confirmation refused (the contract used up meanwhile, say)
    takes nothing: no hold is left behind, the request stays open."""
    payload = request.payload
    assert payload is not None
    launch = move.to_launch
    quote = quotes.quote_create(
        customer=request.customer,
        payload=payload,
        actor=actor,
        launch=launch,
        currency=move.currency,
        port=_port_kind(move=move, payload=payload),
        now=now,
    )
    booking = bookings.booking_hold(quote=quote, actor=actor, now=now, customer=request.customer)
    booking = bookings.booking_confirm(booking=booking, actor=actor, now=now)
    dedicated.dedicated_request_met(request=request, booking=booking, actor=actor)
    return booking


def _refuse_offered(move: ManifestMove, *, actor: Actor, refusal: str, now: datetime) -> None:
    """An open offer whose entry or request changed, or that ran out: lapsed or refused, with the reason."""
    lapsed = move.offer_expires_at is not None and move.offer_expires_at <= now
    outcome = Status.LAPSED if lapsed else Status.REFUSED
    if _claim(move, from_status=Status.OFFERED, to_status=outcome, refusal=refusal, now=now):
        verb = "booking.move_lapsed" if lapsed else "booking.move_refused"
        _record_source(move, verb=verb, actor=actor, message=refusal)


def manifest_move_decline(
    *, move: ManifestMove, actor: Actor, customer: Customer | None = None, now: datetime | None = None
) -> ManifestMove:
    """Decline an offered move: the booking stays where it is."""
    now = now or timezone.now()
    _offer_for(move, customer=customer)
    with transaction.atomic():
        if move.source == Source.STANDBY:
            return _decline_standby(move, actor=actor, now=now)
        if not _claim(move, from_status=Status.OFFERED, to_status=Status.DECLINED, now=now):
            raise Conflict(_("this offer was answered meanwhile"))
        _record_stays(
            move,
            verb="booking.move_declined",
            actor=actor,
            text=_("%(customer)s declined moving %(reference)s to %(to)s; it stays on %(from)s"),
        )
    return move


def _decline_standby(move: ManifestMove, *, actor: Actor, now: datetime) -> ManifestMove:
    """The standby offer declined (``standby.standby_offer_decline``: its hold cancelled, the seat
    back to the list). Caller is inside ``transaction.atomic``."""
    assert move.standby_entry_id is not None
    entry = StandbyEntry.objects.select_related("payload", "customer").get(pk=move.standby_entry_id)
    stale = entry_stale_reason(move=move, entry=entry, now=now)
    if stale:
        raise Conflict(_("%(what)s: %(why)s") % {"what": move_subject_text(move), "why": stale})
    standby.standby_offer_decline(entry=entry, actor=actor, now=now)
    if not _claim(move, from_status=Status.OFFERED, to_status=Status.DECLINED, now=now):
        raise Conflict(_("this offer was answered meanwhile"))
    _record_stays(
        move,
        verb="standby.move_declined",
        actor=actor,
        text=_("%(customer)s declined the seat on %(to)s for %(what)s"),
    )
    return move


def manifest_offers_lapse(*, now: datetime | None = None) -> int:
    """Lapse offers past their answer-by time (a periodic task); answers how many. Their bookings
    stay where they are."""
    now = now or timezone.now()
    count = 0
    due = ManifestMove.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).order_by("pk")
    for move in due:
        with transaction.atomic():
            if _taken_on_the_standby_pages(move, now=now):
                continue
            if not _claim(move, from_status=Status.OFFERED, to_status=Status.LAPSED, now=now):
                continue
            _record_stays(
                move,
                verb="booking.move_lapsed",
                actor=None,
                text=_("the offer to move %(reference)s to %(to)s lapsed unanswered; it stays on %(from)s"),
            )
            count += 1
    return count


def _taken_on_the_standby_pages(move: ManifestMove, *, now: datetime) -> bool:
    """A standby entry's move whose offer the customer accepted as a standby offer (the standby
    pages, the API's standby routes): the move is accepted, not lapsed."""
    if move.source != Source.STANDBY or move.new_booking_id is None or move.standby_entry_id is None:
        return False
    accepted = StandbyEntry.objects.filter(
        pk=move.standby_entry_id, status=StandbyEntry.Status.ACCEPTED, offer_booking_id=move.new_booking_id
    ).exists()
    return accepted and _claim(move, from_status=Status.OFFERED, to_status=Status.ACCEPTED, now=now)


def _record_stays(move: ManifestMove, *, verb: str, actor: Actor, text: str) -> None:
    """The Event of an offer answered with no move: ``text`` names the customer, the booking and
    both launches (a standby entry's or a dedicated request's: the customer, ``what`` moves and
    the launch offered)."""
    if move.source != Source.BOOKING:
        words = {
            "customer": move.customer.name,
            "what": move_subject_text(move),
            "reference": move_subject_text(move),
            "to": launch_label(move.to_launch),
            "from": _("its standby list") if move.source == Source.STANDBY else _("the open requests"),
        }
        _record_source(move, verb=verb, actor=actor, message=text % words)
        return
    assert move.booking_id is not None and move.from_launch is not None
    booking = Booking.objects.select_related("customer", "launch__provider").get(pk=move.booking_id)
    words = {
        "customer": booking.customer.name,
        "reference": booking.reference,
        "to": launch_label(move.to_launch),
        "from": launch_label(move.from_launch),
    }
    _record(move, booking=booking, verb=verb, actor=actor, message=text % words)


def manifest_consent_set(
    *, customer: Customer, allows_moves: bool, actor: Actor, booking: Booking | None = None
) -> None:
    """Whether the provider may offer moves: for one of the customer's bookings (``may_move``), or
    for all of them (the customer's ``allows_moves``). Off, the optimiser leaves them where they
    are; offers already open stay open and are refused if accepted."""
    with transaction.atomic():
        if booking is not None:
            if booking.customer_id != customer.pk:
                raise InvalidRequest(
                    _("booking %(reference)s belongs to another customer") % {"reference": booking.reference}
                )
            booking = locking.lock_booking(booking=booking)
            before = booking.may_move
            booking.may_move = allows_moves
            booking.save(update_fields=["may_move", "updated_at"])
            subject: Booking | Customer = booking
            verb = "booking.move_consent_changed"
            what = _("booking %(reference)s") % {"reference": booking.reference}
        else:
            locked = locking.lock_customer(customer_id=customer.pk, what=f"customer {customer}")
            before = locked.allows_moves
            locked.allows_moves = allows_moves
            locked.save(update_fields=["allows_moves"])
            subject, verb, what = locked, "customer.move_consent_changed", _("every booking")
        event_record(
            verb=verb,
            subject=subject,
            actor=actor,
            before={"may_move": before},
            after={"may_move": allows_moves},
            message=(
                _("%(customer)s agrees to be offered moves of %(what)s")
                if allows_moves
                else _("%(customer)s wants no moves offered for %(what)s")
            )
            % {"customer": customer.name, "what": what},
            customer=customer,
            provider=booking.launch.provider if booking is not None else None,
            launch=booking.launch if booking is not None else None,
        )
