"""The booking lifecycle: quote → hold → confirmed → manifested → flown, or cancelled.

Capacity invariant: the mass of a launch's active bookings and unexpired holds never exceeds
what its vehicle lifts to the target orbit. Every service that adds mass to a launch locks the
launch row (``locking.lock_launches``) and recomputes the capacity from rows inside the lock. Locks
are taken in the order ``booking.services.locking`` writes down: launch rows (by pk), the customer
(with the quote), the payload, the booking, the contract, the milestones.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import when
from booking.errors import Busy, Conflict, InvalidRequest
from booking.models import Booking, DelayCause, Launch, LaunchPort, Quote
from booking.rules.launch_status import LIFTED_OFF_STATUSES
from booking.rules.money import (
    HUNDRED,
    CancelTerms,
    RebookTerms,
    fmt_money,
    milestone_due_dates,
    money,
    new_reference,
)
from booking.selectors.capacity import (
    BOOKED_STATUSES,
    customer_open_hold_masses,
    customer_open_holds,
    express_launches_unclaimed,
    launch_capacity_kg,
    launch_ports,
    launch_ports_prefetch,
    takes_capacity,
)
from booking.selectors.contracts import (
    booking_milestones,
    contract_has_room,
    contract_launches_used,
    contracts_for_launch,
)
from booking.selectors.dedicated import refuse_dedicated_launch
from booking.selectors.fit import launch_label, launch_selling_refusal, payload_mass_with_adapter_kg
from booking.selectors.guards import check_launch_fit
from booking.selectors.invoices import invoice_of_milestone, invoice_paid
from booking.selectors.ports import Seat, booking_envelope_problem, rebook_seat
from booking.selectors.prices import rebook_price_refusal
from booking.selectors.terms import booking_cancel_terms, booking_rebook_terms
from booking.services.events import user_or_none
from customers.models import Contract, Customer, Payload, PaymentMilestone

from . import dedicated, invoices, locking, readiness, scheduling
from .events import Actor, event_record, status_change_record

logger = logging.getLogger(__name__)

#: At lift-off these bookings fly; a booking still held then was never confirmed and lapses.
FLYING_STATUSES = BOOKED_STATUSES
MOVABLE_STATUSES = (Booking.Status.HELD, Booking.Status.CONFIRMED, Booking.Status.MANIFESTED)


def _state(booking: Booking) -> dict:
    return {
        "status": booking.status,
        "launch": booking.launch_id,
        "hold_expires_at": booking.hold_expires_at,
        "amount_paid": booking.amount_paid,
        "contract": booking.contract_id,
    }


def _translate_integrity_error(exc: IntegrityError, *, payload: Payload) -> Conflict:
    text = str(exc)
    if "unique_active_booking_per_payload" in text or "booking.payload_id" in text:
        return Conflict(
            _("payload %(name)s already has an active booking: one payload rides one launch")
            % {"name": payload.name}
        )
    if "reference" in text:
        return Busy(_("a booking reference clashed; please retry."))
    raise exc


def booking_hold(
    *,
    quote: Quote,
    actor: Actor,
    now: datetime | None = None,
    customer: Customer | None = None,
    contract: Contract | None = None,
    hold_ttl: timedelta | None = None,
    hold_until: datetime | None = None,
) -> Booking:
    """Hold a seat for an open quote: a held booking that counts against capacity until it expires.

    ``customer``, when given (portal, API), must own the quote. Locks the launch row, recomputes
    the capacity left from rows inside the lock, and marks the quote accepted. ``contract`` is the
    one the customer chose to confirm under (an express quote shows it); ``booking_confirm`` then
    uses it. The hold lasts ``hold_ttl``, by default ``settings.LAUNCHBOOK_HOLD_TTL``, or until
    ``hold_until`` (a standby offer's deadline).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            booking = _hold(
                quote=quote,
                actor=actor,
                now=now,
                customer=customer,
                contract=contract,
                hold_ttl=hold_ttl or settings.LAUNCHBOOK_HOLD_TTL,
                hold_until=hold_until,
            )
    except IntegrityError as exc:
        raise _translate_integrity_error(exc, payload=quote.payload) from exc
    return booking


def _hold(
    *,
    quote: Quote,
    actor: Actor,
    now: datetime,
    customer: Customer | None,
    contract: Contract | None,
    hold_ttl: timedelta,
    hold_until: datetime | None,
) -> Booking:
    if customer is not None and quote.customer_id != customer.pk:
        raise InvalidRequest(
            _("quote %(reference)s belongs to another customer") % {"reference": quote.reference}
        )
    if quote.launch_id is None:
        raise Conflict(
            _(
                "quote %(reference)s is for a dedicated %(vehicle_model)s launch that is not scheduled yet: "
                "it can be held once an operator schedules the launch"
            )
            % {"reference": quote.reference, "vehicle_model": quote.vehicle_model}
        )
    assert quote.launch is not None
    launch = locking.lock_launches([quote.launch], keep_related=True)[quote.launch_id]
    # The seat checks below ask for the launch's ports more than once: read them once, under the lock.
    launch_ports_prefetch(launch)
    # Re-read inside the launch lock: a quote names its launch, so that lock serialises two holds
    # of one quote and the second one sees the first one's "accepted". The customer and payload
    # rows are locked with it (see ``locking.lock_quote_customer_and_payload``).
    adapter = quote.adapter  # a quote's seat never changes: the adapter read with it stands
    quote = locking.lock_quote_customer_and_payload(quote.pk)
    if quote.status == Quote.Status.ACCEPTED:
        raise Conflict(_("quote %(reference)s was already accepted") % {"reference": quote.reference})
    if quote.status == Quote.Status.EXPIRED or quote.valid_until <= now:
        raise Conflict(
            _("quote %(reference)s expired at %(valid_until)s: ask for a new quote")
            % {"reference": quote.reference, "valid_until": when(quote.valid_until)}
        )
    customer = quote.customer
    refusal = _screening_refusal(customer=customer, launch=launch)
    if refusal:
        raise Conflict(refusal)
    if contract is not None:
        _contract_checked(contract=contract, customer=customer, launch=launch)
    # The payload as locked: a mass change waits for this hold (and then sees its booking), or was
    # committed before it and is seen here.
    payload = quote.payload
    seat = Seat(port=_launch_port(launch, quote.launch_port_id), adapter=adapter)
    # The capacity curve, read once under the lock (a curve change locks the launches it changes).
    capacity_kg = launch_capacity_kg(launch=launch)
    mass_kg = check_launch_fit(launch=launch, payload=payload, now=now, seat=seat, capacity_kg=capacity_kg)
    refusal = _hold_limit_refusal(
        customer=customer, launch=launch, mass_kg=mass_kg, now=now, capacity_kg=capacity_kg
    )
    if refusal:
        raise Conflict(refusal)
    if mass_kg != quote.mass_kg:
        raise Conflict(
            _(
                "payload %(name)s now weighs %(mass_kg)s kg, not what quote %(reference)s priced: ask for a "
                "new quote"
            )
            % {"name": payload.name, "mass_kg": payload.mass_kg, "reference": quote.reference}
        )
    booking = Booking.objects.create(
        reference=new_reference("LB-"),
        customer=customer,
        payload=payload,
        launch=launch,
        status=Booking.Status.HELD,
        price=quote.total,
        currency=quote.currency,
        mass_kg=mass_kg,
        launch_port=seat.port,
        adapter=seat.adapter,
        adapter_mass_kg=quote.adapter_mass_kg,
        hold_expires_at=hold_until or now + hold_ttl,
        quote=quote,
        contract=contract,
        created_by=user_or_none(actor),
    )
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.ACCEPTED)
    if payload.returnable:
        readiness.plan_add_return_steps(launch=launch, actor=actor, now=now)
    event_record(
        verb="booking.held",
        subject=booking,
        actor=actor,
        before={"quote": quote.reference, "quote_status": Quote.Status.OPEN},
        after={
            "status": booking.status,
            "launch": launch.pk,
            "mass_kg": mass_kg,
            "port": seat.port.kind if seat.port else None,
            "adapter": seat.adapter.name if seat.adapter else None,
            "hold_expires_at": booking.hold_expires_at,
            "price": booking.price,
            "currency": booking.currency,
        },
        message=(
            f"{booking.reference}: {payload.name} ({mass_kg} kg) held on {launch_label(launch)} "
            f"until {when(booking.hold_expires_at)}"
        ),
        customer=customer,
        provider=launch.provider,
        launch=launch,
    )
    return booking


def _launch_port(launch: Launch, port_id: int | None) -> LaunchPort | None:
    """The launch's port ``port_id`` from its ports as read under the launch lock."""
    if port_id is None:
        return None
    return next(port for port in launch_ports(launch) if port.pk == port_id)  # PROTECT: it exists


def _screening_refusal(*, customer: Customer, launch: Launch) -> str | None:
    """Seats are held for customers whose export screening is cleared, or pending with an allowance."""
    if customer.export_screening == Customer.ExportScreening.REFUSED:
        return f"{customer.name} did not pass export screening: no booking can be made"
    if customer.export_screening == Customer.ExportScreening.PENDING and not customer.holds_before_screening:
        return (
            f"{customer.name}'s export screening is still pending: seats can be held once it is cleared, "
            f"or earlier if an operator of {launch.provider} allows holds before screening"
        )
    return None


def _hold_limit_refusal(
    *,
    customer: Customer,
    launch: Launch,
    mass_kg: Decimal,
    now: datetime,
    moving: Booking | None = None,
    capacity_kg: Decimal | None = None,
) -> str | None:
    """The provider's limits on unconfirmed holds: how many at once, and what share of one launch.

    ``moving`` is a held booking being moved here: it is not counted twice. Caller holds the
    launch and customer row locks, so two holds of one customer are counted one after the other.
    ``capacity_kg``, when given, is the launch's capacity as the caller read it under that lock.
    """
    provider = launch.provider
    if moving is None:
        rows = customer_open_hold_masses(customer_id=customer.pk, provider_id=provider.pk, now=now)
    else:
        holds = customer_open_holds(customer_id=customer.pk, provider_id=provider.pk, now=now)
        rows = list(holds.exclude(pk=moving.pk).values_list("launch_id", "mass_kg"))
    limit = provider.hold_limit_per_customer
    if moving is None and len(rows) >= limit:
        return (
            f"{customer.name} already has {len(rows)} unconfirmed hold{'s' if len(rows) != 1 else ''} on "
            f"{provider}'s launches, the most {provider} allows at once ({limit}): confirm or release "
            f"one first, or ask {provider} to raise the limit"
        )
    on_launch = [Decimal(kg) for launch_id, kg in rows if launch_id == launch.pk]
    if not on_launch:
        return None  # one payload of any size can be held; the share limits piling holds up
    capacity = capacity_kg if capacity_kg is not None else launch_capacity_kg(launch=launch)
    share = provider.hold_share_percent
    held = sum(on_launch, Decimal(0)) + mass_kg
    if held > capacity * share / HUNDRED:
        return (
            f"{customer.name}'s unconfirmed holds on {launch_label(launch)} would take {held} kg of its "
            f"{capacity} kg, more than the {share}% one customer may hold unconfirmed: confirm the "
            f"held bookings first, or ask {provider} to raise the share"
        )
    return None


def _contract_checked(*, contract: Contract, customer: Customer, launch: Launch) -> None:
    """The contract chosen is the customer's, active, and with the launch's provider."""
    if contract.customer_id != customer.pk:
        raise InvalidRequest(
            _("contract %(reference)s belongs to another customer") % {"reference": contract.reference}
        )
    if contract.provider_id != launch.provider_id:
        raise Conflict(
            f"contract {contract.reference} is with {contract.provider}; {launch.name} is flown by {launch.provider}"
        )
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(
            f"contract {contract.reference} is {contract.get_status_display().lower()}, not active"
        )


def _active_contract_for(*, booking: Booking, launch: Launch, contract: Contract | None) -> Contract:
    """The contract to confirm under, locked: ``contract``, else the one chosen at the hold (locked,
    then checked as locked: one read), else the customer's first active one with room."""
    customer = booking.customer
    if contract is None and booking.contract_id is not None:
        chosen = locking.lock_contract(
            contract_id=booking.contract_id, what=f"the contract of booking {booking.reference}"
        )
        _contract_checked(contract=chosen, customer=customer, launch=launch)
        return chosen
    if contract is not None:
        _contract_checked(contract=contract, customer=customer, launch=launch)
        return locking.lock_contract(contract_id=contract.pk, what=f"contract {contract.reference}")
    candidates = list(contracts_for_launch(customer_id=customer.pk, launch=launch))
    if not candidates:
        raise Conflict(
            _("confirming needs an active contract between %(name)s and %(provider)s: none is on file")
            % {"name": customer.name, "provider": launch.provider}
        )
    # The first with room; if none has, the first, which the room check then refuses in words.
    chosen = next((c for c in candidates if contract_has_room(contract=c, launch=launch)), candidates[0])
    return locking.lock_contract(contract_id=chosen.pk, what=f"contract {chosen.reference}")


def _check_contract_has_room(*, contract: Contract, launch: Launch) -> None:
    """A contract commits a number of launches; this launch must be one of them or fit in."""
    used = contract_launches_used(contract=contract, exclude_launch_id=launch.pk)
    if used >= contract.launches_committed:
        raise Conflict(
            _(
                "contract %(reference)s has no launches left: %(used)s of %(launches_committed)s committed "
                "are used"
            )
            % {
                "reference": contract.reference,
                "used": used,
                "launches_committed": contract.launches_committed,
            }
        )


def _create_milestones(
    *, booking: Booking, contract: Contract, launch: Launch, now: datetime, actor: Actor
) -> list[PaymentMilestone]:
    """The deposit (the contract's share, less what was paid) and the balance, due when
    ``booking.rules.money.milestone_due_dates`` says (never at once: at least the minimum notice,
    or the NET), each with its numbered invoice."""
    deposit_target = money(booking.price * contract.deposit_percent / HUNDRED)
    deposit = max(deposit_target - booking.amount_paid, Decimal("0.00"))
    balance = max(booking.price - booking.amount_paid - deposit, Decimal("0.00"))
    due = milestone_due_dates(
        confirmed_at=now,
        launch_net=launch.net,
        balance_days_before_launch=contract.balance_due_days_before_launch,
        notice_days=launch.provider.payment_notice_days,
    )
    milestones = []
    if deposit > 0:
        milestones.append(
            PaymentMilestone(
                contract=contract,
                label=f"Deposit {booking.reference} ({contract.deposit_percent}%)",
                reference=booking.reference,
                amount=deposit,
                currency=booking.currency,
                due_at=due.deposit_due_at,
            )
        )
    if balance > 0:
        milestones.append(
            PaymentMilestone(
                contract=contract,
                label=f"Balance {booking.reference}",
                reference=booking.reference,
                amount=balance,
                currency=booking.currency,
                due_at=due.balance_due_at,
            )
        )
    created = PaymentMilestone.objects.bulk_create(milestones)
    invoices.invoices_issue(milestones=created, actor=actor, booking=booking, now=now)
    return created


def booking_confirm(
    *, booking: Booking, actor: Actor, contract: Contract | None = None, now: datetime | None = None
) -> Booking:
    """Confirm a held booking under an active contract with the launch's provider.

    Without ``contract`` the one chosen at the hold is used, else the customer's active contract
    with launches left. Creates the
    booking's payment milestones: the deposit due after the provider's notice, the balance
    ``contract.balance_due_days_before_launch`` days before the NET (``milestone_due_dates``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        launch = locking.lock_launches([booking.launch])[booking.launch_id]
        # Under the launch lock: a launch scrubbed, gone or past its NET since the hold sells no more.
        refusal = launch_selling_refusal(launch=launch, now=now)
        if refusal:
            raise Conflict(
                _("booking %(reference)s cannot be confirmed: %(refusal)s")
                % {"reference": booking.reference, "refusal": refusal}
            )
        # The payload before the booking (the lock order): its sizes cannot change while this checks them.
        payload = locking.lock_payload(payload_id=booking.payload_id)
        booking = locking.lock_booking(booking=booking)
        if booking.launch_id == launch.pk:  # the launch as locked above, with its vehicle model
            booking.launch = launch
        if booking.status != Booking.Status.HELD:
            raise Conflict(
                _("booking %(reference)s is %(lower)s: only a held booking can be confirmed")
                % {"reference": booking.reference, "lower": booking.get_status_display().lower()}
            )
        problem = booking_envelope_problem(booking=booking, payload=payload)
        if problem:
            raise Conflict(
                _("booking %(reference)s cannot be confirmed: %(problem)s")
                % {"reference": booking.reference, "problem": problem}
            )
        if not takes_capacity(booking, now=now):  # held, and the hold has run out
            raise Conflict(
                _("the hold on booking %(reference)s expired at %(hold_expires_at)s: hold a seat again")
                % {"reference": booking.reference, "hold_expires_at": when(booking.hold_expires_at)}
            )
        quote = booking.quote
        if quote is not None and quote.valid_until <= now:
            raise Conflict(
                _(
                    "quote %(reference)s for booking %(reference2)s expired at %(valid_until)s: ask for a "
                    "new quote and hold the seat again"
                )
                % {
                    "reference": quote.reference,
                    "reference2": booking.reference,
                    "valid_until": when(quote.valid_until),
                }
            )
        customer = booking.customer
        if customer.export_screening != Customer.ExportScreening.CLEARED:
            raise Conflict(
                _("%(name)s's export screening is %(lower)s: a booking is confirmed once it is cleared")
                % {"name": customer.name, "lower": customer.get_export_screening_display().lower()}
            )
        contract = _active_contract_for(booking=booking, launch=launch, contract=contract)
        _check_contract_has_room(contract=contract, launch=launch)
        before = _state(booking)
        booking.status = Booking.Status.CONFIRMED
        booking.contract = contract
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "contract", "hold_expires_at", "updated_at"])
        milestones = _create_milestones(
            booking=booking, contract=contract, launch=launch, now=now, actor=actor
        )
        event_record(
            verb="booking.confirmed",
            subject=booking,
            actor=actor,
            before=before,
            after={
                **_state(booking),
                "milestones": [
                    {"label": m.label, "amount": m.amount, "due_at": m.due_at} for m in milestones
                ],
            },
            message=f"{booking.reference} confirmed under contract {contract.reference}",
            customer=customer,
            provider=launch.provider,
            launch=launch,
        )
        if launch.dedicated_customer_id is not None:  # a dedicated launch sold from a request
            dedicated.dedicated_request_booked(booking=booking, actor=actor)
    return booking


def _drop_unpaid_milestones(booking: Booking, *, actor: Actor, reason: str) -> list[dict]:
    """Unpaid milestones of a booking that no longer flies are no longer due; answers what went.

    Their invoices are voided first (an invoice is never deleted: its number stays taken); what
    was paid against a partly paid one stays paid. Caller holds the booking's lock."""
    unpaid = list(booking_milestones(booking).filter(paid_at__isnull=True))
    if unpaid:  # a hold has none (confirming makes them): then there is nothing to delete
        invoices.invoices_void(milestones=unpaid, reason=reason, actor=actor, now=timezone.now())
        PaymentMilestone.objects.filter(pk__in=[m.pk for m in unpaid]).delete()
    return [{"label": m.label, "amount": m.amount, "due_at": m.due_at} for m in unpaid]


def _terms_changed(*, what: str, booking: Booking, now_text: str) -> Conflict:
    return Conflict(
        _(
            "the terms of %(what)s booking %(reference)s changed since they were shown: now %(terms)s. "
            "Review the new terms and agree to them again"
        )
        % {"what": what, "reference": booking.reference, "terms": now_text}
    )


def cancel_terms_text(terms: CancelTerms) -> str:
    """The cancellation terms in words: the fee, the refund and what is still owed."""
    if terms.no_fee_because:
        fee = _("no fee")
    else:
        fee = _("a %(percent)s%% fee of %(fee)s, %(days)s days before launch") % {
            "percent": terms.fee_percent,
            "fee": fmt_money(terms.fee, terms.currency),
            "days": terms.days_before_launch,
        }
    text = _("%(fee)s; %(refund)s refunded") % {"fee": fee, "refund": fmt_money(terms.refund, terms.currency)}
    if terms.owed:
        text += _("; %(owed)s of the fee still to pay") % {"owed": fmt_money(terms.owed, terms.currency)}
    return text


def rebook_terms_text(terms: RebookTerms) -> str:
    """The rebooking terms in words: the new price, the fee (or why none), the credit and any refund."""
    if terms.waived_because:
        fee = _("no rebooking fee")
    else:
        fee = _("a %(percent)s%% rebooking fee of %(fee)s") % {
            "percent": terms.fee_percent,
            "fee": fmt_money(terms.fee, terms.currency),
        }
    text = _("price %(price)s; %(fee)s; %(credit)s carried over") % {
        "price": fmt_money(terms.new_price, terms.currency),
        "fee": fee,
        "credit": fmt_money(terms.credit, terms.currency),
    }
    if terms.refund:
        text += _("; %(refund)s refunded") % {"refund": fmt_money(terms.refund, terms.currency)}
    return text


def _fee_milestone(
    *, booking: Booking, terms: CancelTerms, now: datetime, actor: Actor
) -> PaymentMilestone | None:
    """The part of the cancellation fee not covered by what was paid, due after the provider's
    notice, with its invoice."""
    if not terms.owed or booking.contract_id is None:
        return None
    milestone = PaymentMilestone.objects.create(
        contract_id=booking.contract_id,
        label=_("Cancellation fee %(reference)s") % {"reference": booking.reference},
        reference=booking.reference,
        amount=terms.owed,
        currency=booking.currency,
        due_at=now + timedelta(days=booking.launch.provider.payment_notice_days),
    )
    invoices.invoice_issue(milestone=milestone, actor=actor, booking=booking, now=now)
    return milestone


def booking_cancel(
    *,
    booking: Booking,
    actor: Actor,
    reason: str = "",
    now: datetime | None = None,
    expected_terms: str | None = None,
) -> Booking:
    """Cancel a held, confirmed or manifested booking; its seat is free at once.

    Charges the provider's cancellation fee for the time left before launch
    (``selectors.terms.booking_cancel_terms``), recomputed under the lock: with ``expected_terms``
    (the ``token`` of the terms the customer was shown) a change since refuses with ``Conflict``.
    What was paid beyond the fee is refunded (``refund_due``); a fee beyond what was paid is due
    as a milestone. Refused once the launch has lifted off. A booking on a scrubbed launch can be
    cancelled. Locks the launch row, then the booking, so lift-off (which flies the bookings under
    the launch lock) and a cancel never cross.
    """
    now = now or timezone.now()
    with transaction.atomic():
        launch = locking.lock_launches([booking.launch])[booking.launch_id]
        booking = locking.lock_booking(booking=booking)
        if booking.status == Booking.Status.FLOWN:
            raise Conflict(
                _("booking %(reference)s has flown: a flown booking cannot be cancelled")
                % {"reference": booking.reference}
            )
        if booking.status == Booking.Status.CANCELLED:
            raise Conflict(_("booking %(reference)s is already cancelled") % {"reference": booking.reference})
        if booking.status == Booking.Status.EXPIRED:
            raise Conflict(
                _("the hold on booking %(reference)s has expired: there is nothing to cancel")
                % {"reference": booking.reference}
            )
        if launch.status in LIFTED_OFF_STATUSES:
            raise Conflict(
                _("%(name)s has launched; a flown booking cannot be cancelled") % {"name": launch.name}
            )
        booking.launch = launch
        terms = booking_cancel_terms(booking=booking, now=now)
        if expected_terms is not None and expected_terms != terms.token:
            raise _terms_changed(what=_("cancelling"), booking=booking, now_text=cancel_terms_text(terms))
        before = _state(booking)
        booking.status = Booking.Status.CANCELLED
        booking.fees_charged = booking.fees_charged + terms.fee
        booking.refund_due = booking.refund_due + terms.refund
        # What was paid went to the fee and the refund: nothing is paid towards a launch it no
        # longer flies (``selectors.invoices.booking_amount_paid``).
        booking.amount_paid = max(booking.amount_paid - terms.fee - terms.refund, Decimal("0.00"))
        booking.save(update_fields=["status", "fees_charged", "refund_due", "amount_paid", "updated_at"])
        dropped = _drop_unpaid_milestones(
            booking, actor=actor, reason=f"booking {booking.reference} cancelled"
        )
        fee_due = _fee_milestone(booking=booking, terms=terms, now=now, actor=actor)
        event_record(
            verb="booking.cancelled",
            subject=booking,
            actor=actor,
            before=before,
            after={
                **_state(booking),
                "reason": reason,
                "milestones_dropped": dropped,
                "cancellation_fee": terms.fee,
                "cancellation_fee_percent": terms.fee_percent,
                "days_before_launch": terms.days_before_launch,
                "no_fee_because": terms.no_fee_because,
                "refund": terms.refund,
                "fee_owed": terms.owed,
                "fee_milestone": fee_due.label if fee_due else None,
            },
            message=(
                f"{booking.reference} cancelled"
                + (f": {reason}" if reason else "")
                + f" ({cancel_terms_text(terms)})"
            )[:300],
            customer=booking.customer,
            provider=launch.provider,
            launch=launch,
        )
    return booking


def booking_rebook(
    *,
    booking: Booking,
    launch: Launch,
    actor: Actor,
    now: datetime | None = None,
    expected_terms: str | None = None,
    provider_initiated: bool = False,
) -> Booking:
    """Move a booking to another launch of the same provider, in one transaction; it keeps its
    reference (the move is recorded in its ``booking.rebooked`` event).

    The price becomes the seat's price on the new launch (``selectors.prices.rebook_price``), the
    one the move page shows. What was paid is carried over less the provider's rebooking fee,
    which is waived when ``provider_initiated`` (the provider moves the payload) or when the
    provider or the weather slipped or scrubbed the old launch (``selectors.terms``); a credit
    beyond the new price is refunded. The terms are recomputed under the locks: with
    ``expected_terms`` (the ``token`` of the terms shown) a change since refuses with ``Conflict``.
    Held stays held with its deadline; confirmed and manifested become confirmed, with new
    milestones. Both launch rows are locked (pk order) and the target's capacity is recomputed
    inside the lock. Refused once the old launch has lifted off; a booking on a scrubbed launch
    can be moved (that is what rebooking is for).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _rebook(
                booking=booking,
                target=launch,
                actor=actor,
                now=now,
                expected_terms=expected_terms,
                provider_initiated=provider_initiated,
            )
    except IntegrityError as exc:
        raise _translate_integrity_error(exc, payload=booking.payload) from exc


def _rebook_refusal(*, moving: Booking, old_launch: Launch, target: Launch, now: datetime) -> str | None:
    if moving.status not in MOVABLE_STATUSES:
        return (
            f"booking {moving.reference} is {moving.get_status_display().lower()}: only a held, confirmed or "
            "manifested booking can be rebooked"
        )
    if old_launch.status in LIFTED_OFF_STATUSES:
        return f"{old_launch.name} has launched; a flown booking cannot be rebooked"
    if moving.status == Booking.Status.HELD and not takes_capacity(moving, now=now):
        return f"the hold on booking {moving.reference} expired at {when(moving.hold_expires_at)}: hold a seat again"
    if target.provider_id != old_launch.provider_id:
        return (
            f"a booking moves only between launches of one provider: {target.name} is flown by "
            f"{target.provider}, not {old_launch.provider}"
        )
    return None


def _rebook(
    *,
    booking: Booking,
    target: Launch,
    actor: Actor,
    now: datetime,
    expected_terms: str | None,
    provider_initiated: bool,
) -> Booking:
    if target.pk == booking.launch_id:
        raise Conflict(
            _("booking %(reference)s is already on %(name)s")
            % {"reference": booking.reference, "name": target.name}
        )
    locked = locking.lock_launches([booking.launch, target])
    old_launch, target = locked[booking.launch_id], locked[target.pk]
    customer = locking.lock_customer(customer_id=booking.customer_id, what=f"customer {booking.customer}")
    moving = locking.lock_booking(booking=booking)
    refusal = _rebook_refusal(moving=moving, old_launch=old_launch, target=target, now=now)
    if refusal:
        raise Conflict(refusal)
    refusal = rebook_price_refusal(reference=moving.reference, from_launch=old_launch, to_launch=target)
    if refusal:
        raise Conflict(refusal)
    refuse_dedicated_launch(launch=target, customer=moving.customer)  # sold to one customer only
    moving.launch = old_launch
    payload = moving.payload
    before = {**_state(moving), "price": moving.price}
    held = moving.status == Booking.Status.HELD
    seat = rebook_seat(booking=moving, target=target)
    mass_kg = check_launch_fit(launch=target, payload=payload, now=now, seat=seat)
    assert mass_kg == payload_mass_with_adapter_kg(payload, target.vehicle_model, seat.adapter)
    if held:
        refusal = _hold_limit_refusal(
            customer=customer, launch=target, mass_kg=mass_kg, now=now, moving=moving
        )
        if refusal:
            raise Conflict(refusal)
    terms = booking_rebook_terms(
        booking=moving, launch=target, now=now, provider_initiated=provider_initiated, seat=seat
    )
    if expected_terms is not None and expected_terms != terms.token:
        raise _terms_changed(what=_("moving"), booking=moving, now_text=rebook_terms_text(terms))
    dropped = _drop_unpaid_milestones(
        moving, actor=actor, reason=f"booking {moving.reference} moved to {target.name}"
    )
    # In place: the reference, the quote, the contract and a hold's deadline stay (moving between
    # launches never buys more time); the seat, the price and the money follow the terms.
    moving.launch = target
    moving.status = Booking.Status.HELD if held else Booking.Status.CONFIRMED
    moving.price = terms.new_price
    moving.mass_kg = mass_kg
    moving.launch_port = seat.port
    moving.adapter = seat.adapter
    moving.adapter_mass_kg = mass_kg - payload.mass_kg
    moving.credit_carried_over = terms.credit
    moving.amount_paid = terms.credit - terms.refund
    moving.fees_charged = moving.fees_charged + terms.fee
    moving.refund_due = moving.refund_due + terms.refund
    moving.save(
        update_fields=[
            "launch",
            "status",
            "price",
            "mass_kg",
            "launch_port",
            "adapter",
            "adapter_mass_kg",
            "credit_carried_over",
            "amount_paid",
            "fees_charged",
            "refund_due",
            "updated_at",
        ]
    )
    if payload.returnable:
        readiness.plan_add_return_steps(launch=target, actor=actor, now=now)
    milestones: list[PaymentMilestone] = []
    if not held:
        assert moving.contract is not None
        contract = locking.lock_contract(
            contract_id=moving.contract.pk, what=f"contract {moving.contract.reference}"
        )
        _check_contract_has_room(contract=contract, launch=target)
        milestones = _create_milestones(
            booking=moving, contract=contract, launch=target, now=now, actor=actor
        )
    event_record(
        verb="booking.rebooked",
        subject=moving,
        actor=actor,
        before=before,
        after={
            **_state(moving),
            "price": moving.price,
            "from_launch": old_launch.pk,
            "rebooking_fee": terms.fee,
            "rebooking_fee_percent": terms.fee_percent,
            "fee_waived_because": terms.waived_because,
            "credit_carried_over": terms.credit,
            "refund": terms.refund,
            "milestones_dropped": dropped,
            "milestones": [{"label": m.label, "amount": m.amount, "due_at": m.due_at} for m in milestones],
        },
        message=(
            f"{moving.reference} moved from {old_launch.name} to {target.name}: {rebook_terms_text(terms)}"
        )[:300],
        customer=moving.customer,
        provider=target.provider,
        launch=target,
    )
    return moving


def booking_manifest(*, booking: Booking, actor: Actor) -> Booking:
    """Put a confirmed booking on its launch's manifest.

    Locks the launch row, then the booking (the order every booking writer keeps), so lift-off,
    a scrub or a cancel never crosses a manifest half-way.
    """
    with transaction.atomic():
        launch = locking.lock_launches([booking.launch])[booking.launch_id]
        booking = locking.lock_booking(booking=booking)
        if booking.status != Booking.Status.CONFIRMED:
            raise Conflict(
                _("booking %(reference)s is %(lower)s: only a confirmed booking can be manifested")
                % {"reference": booking.reference, "lower": booking.get_status_display().lower()}
            )
        if launch.status not in Launch.ACTIVE_STATUSES:
            raise Conflict(
                _("%(name)s is %(lower)s: its manifest is closed")
                % {"name": launch.name, "lower": launch.get_status_display().lower()}
            )
        status_change_record(
            subject=booking,
            status=Booking.Status.MANIFESTED,
            state=_state,
            verb="booking.manifested",
            actor=actor,
            message=f"{booking.reference} manifested on {launch.name}",
            customer=booking.customer,
            provider=launch.provider,
            launch=launch,
        )
    return booking


def launch_bookings_fly(*, launch: Launch, actor: Actor) -> int:
    """At lift-off, fly the launch's bookings; answers how many flew.

    Confirmed and manifested bookings become flown (a confirmed one was simply never put on the
    manifest: it paid for its seat and rode). A booking still held was never confirmed: its hold
    lapses with the launch and it becomes expired, so nothing is left cancellable. Caller is
    ``launch_mark_launched``, inside the transaction that records lift-off, holding the launch
    row lock (order: launch, then bookings).
    """
    provider = launch.provider
    count = 0
    with transaction.atomic():
        rows = locking.lock_launch_bookings(launch=launch, statuses=(*FLYING_STATUSES, Booking.Status.HELD))
        for booking in rows:
            if booking.status == Booking.Status.HELD:
                status, verb = Booking.Status.EXPIRED, "booking.expired"
                message = f"The hold on {booking.reference} lapsed: {launch.name} lifted off before it was confirmed"
            else:
                status, verb = Booking.Status.FLOWN, "booking.flown"
                message = f"{booking.reference} flew on {launch.name}"
                count += 1
            status_change_record(
                subject=booking,
                status=status,
                state=_state,
                verb=verb,
                actor=actor,
                message=message,
                customer=booking.customer,
                provider=provider,
                launch=launch,
            )
    return count


def bookings_release_expired(*, now: datetime | None = None) -> int:
    """Expire held bookings whose hold has run out; answers how many. Run by a periodic task.

    Capacity never depended on this (an expired hold stops counting at its expiry time); this
    makes the state visible and writes the events. Rows locked by a running confirm are skipped
    and picked up on the next pass.
    """
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = (
            locking.claim_unlocked(Booking.objects.all(), of=("self",))
            .select_related("launch__provider", "customer")
            .filter(status=Booking.Status.HELD, hold_expires_at__lte=now)
            .order_by("pk")
        )
        for booking in due:
            status_change_record(
                subject=booking,
                status=Booking.Status.EXPIRED,
                state=_state,
                verb="booking.expired",
                actor=None,
                system="hold expiry",
                message=f"The hold on {booking.reference} expired at {when(booking.hold_expires_at)}",
                customer=booking.customer,
                provider=booking.launch.provider,
                launch=booking.launch,
            )
            count += 1
    if count:
        logger.info("released %d expired holds", count)
    express_launches_release(now=now)
    return count


def express_launches_release(
    *, now: datetime | None = None, actor: Actor = None, launch: Launch | None = None
) -> int:
    """Scrub the launches made for express quotes nobody confirmed (``express_launches_unclaimed``):
    their platform, pad, rocket and range reservations are released and the rocket goes back to
    ready storage. Answers how many. Each in its own transaction; one somebody booked meanwhile
    (re-read under its lock) or is changing right now is left, and the next pass looks again.
    ``launch``: that one only (an express quote let go).
    """
    now = now or timezone.now()
    released = 0
    unclaimed = express_launches_unclaimed(now=now)
    if launch is not None:
        unclaimed = unclaimed.filter(pk=launch.pk)
    for found in list(unclaimed):
        try:
            scheduling.launch_scrub(
                launch=found,
                actor=actor,
                reason=_("the express quote it was scheduled for was not confirmed"),
                cause=DelayCause.CUSTOMER,
                now=now,
                unless_booked=True,
            )
        except (Conflict, Busy) as exc:
            logger.info("express launch %s left: %s", found.pk, exc)
            continue
        released += 1
    if released:
        logger.info("released %d unconfirmed express launches", released)
    return released


def payment_milestone_mark_paid(
    *, milestone: PaymentMilestone, actor: Actor, now: datetime | None = None
) -> PaymentMilestone:
    """Record what is left to pay on a milestone's invoice as received today ("Mark paid"): the
    full amount through ``payment_record``, with its receipt. A milestone made without an invoice
    (an operator's contract milestone) gets its invoice first.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking, locked = locking.lock_milestone_with_booking(milestone=milestone)
        if locked is None:
            # A cancel or rebook dropped it while this waited: an unpaid milestone of a booking that
            # no longer flies is no longer due.
            raise Conflict(
                _("%(label)s is no longer due: its booking was cancelled or moved")
                % {"label": milestone.label}
            )
        milestone = locked
        if milestone.paid_at is not None:
            raise Conflict(
                _("%(label)s was already paid on %(paid_at)s")
                % {"label": milestone.label, "paid_at": when(milestone.paid_at)}
            )
        if booking is not None and booking.currency != milestone.currency:
            raise InvalidRequest(
                _("%(label)s is in %(currency)s but booking %(reference)s is in %(currency2)s")
                % {
                    "label": milestone.label,
                    "currency": milestone.currency,
                    "reference": booking.reference,
                    "currency2": booking.currency,
                }
            )
        invoice = invoice_of_milestone(milestone) or invoices.invoice_issue(
            milestone=milestone, actor=actor, booking=booking, now=now
        )
        left = invoice.amount - invoice_paid(invoice)
        invoices.payment_record(
            invoice=invoice,
            amount=left,
            paid_on=timezone.localdate(now),
            reference="",
            actor=actor,
            now=now,
        )
        milestone.refresh_from_db()
    return milestone
