"""Standby lists: joining, withdrawing, and the hold offers made when capacity frees up.

An offer is a held booking (``bookings.booking_hold``) whose hold expires at the offer's deadline
(``LAUNCHBOOK_STANDBY_OFFER_HOURS``, default 24, never past the launch's NET). Because an offer
*is* a hold it takes capacity like any hold, from rows, under the launch lock: an offer never
oversells and nobody else can take the seat while it is open. Accepting confirms the booking
(``bookings.booking_confirm``); declining cancels it; when the hold runs out the entry lapses
and the next entry of the list is offered the seat.

When capacity frees up (a booking cancelled, a hold expired, a launch slipped or scheduled, its
ports changed) the Events say so: ``standby_on_published`` announces the launches after commit
(``signals.standby_passes_due``; a Celery task per launch listens), and the periodic sweep
(``standby_launch_ids_due``) passes over every launch with something to do, so nothing is lost
with a worker. A pass (``standby_offers_make``) holds the launch lock, settles the offers that
ended, and offers seats to the waiting entries in list order whose payload is ready and fits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import clock, when
from booking.errors import Conflict, InvalidRequest, ServiceError
from booking.models import Booking, Event, Launch, StandbyEntry
from booking.rules.standby import band_problem, dates_problem, offer_deadline
from booking.selectors.capacity import launch_ports
from booking.selectors.fit import launch_label, launch_selling_refusal, orbit_mismatch
from booking.selectors.guards import check_launch_fit
from booking.selectors.ports import search_seat
from booking.selectors.standby import (
    booked_for_good,
    entry_targets_launch,
    offers_to_settle,
    payload_has_live_booking,
    payload_readiness_refusal,
    standby_candidates,
    standby_launch_ids_due,
)
from booking.signals import standby_passes_due
from customers.models import Contract, Customer, Payload

from . import bookings, locking, quotes
from .events import Actor, event_record, status_change_record, user_or_none

logger = logging.getLogger(__name__)

Status = StandbyEntry.Status

#: Events after which a launch may have room for its standby list (or an offer on it ended).
FREEING_VERBS = frozenset(
    {
        "booking.cancelled",
        "booking.expired",
        "booking.confirmed",
        "launch.slipped",
        "launch.scheduled",
        "launch.port_added",
        "launch.port_changed",
    }
)
SYSTEM = "standby list"


def _state(entry: StandbyEntry) -> dict[str, Any]:
    return {
        "status": entry.status,
        "launch": entry.launch_id,
        "orbit_family": entry.orbit_family,
        "offer_booking": entry.offer_booking.reference
        if entry.offer_booking_id and entry.offer_booking
        else None,
        "offer_expires_at": entry.offer_expires_at,
    }


def entry_target_text(entry: StandbyEntry) -> str:
    """'Kuaizhou-1A KZ1A-Y7' or 'SSO 500 km, 97–98°, 1 Jan 2027 to 31 Mar 2027': for messages."""
    if entry.launch is not None:
        return launch_label(entry.launch)
    parts = [f"{entry.orbit_family} {entry.altitude_km} km" if entry.altitude_km else entry.orbit_family]
    if entry.inclination_min_deg is not None or entry.inclination_max_deg is not None:
        low = entry.inclination_min_deg if entry.inclination_min_deg is not None else "0"
        high = entry.inclination_max_deg if entry.inclination_max_deg is not None else "180"
        parts.append(f"{low}–{high}°")
    if entry.earliest_date or entry.latest_date:
        parts.append(
            _("from %(earliest)s to %(latest)s")
            % {
                "earliest": entry.earliest_date.isoformat() if entry.earliest_date else _("now"),
                "latest": entry.latest_date.isoformat() if entry.latest_date else _("any date"),
            }
        )
    return ", ".join(parts)


# --- joining and leaving -------------------------------------------------------------------------


def standby_join(
    *,
    customer: Customer,
    payload: Payload,
    actor: Actor,
    launch: Launch | None = None,
    orbit_family: str = "",
    altitude_km: int | None = None,
    inclination_min_deg: Decimal | None = None,
    inclination_max_deg: Decimal | None = None,
    ltan: time | None = None,
    earliest_date: date | None = None,
    latest_date: date | None = None,
    now: datetime | None = None,
) -> StandbyEntry:
    """Put ``payload`` on the standby list of ``launch``, or of any launch to an orbit.

    A launch entry is taken while the launch sells and goes where the payload needs, but has no
    room for it now (if it had, the customer holds a seat instead). An orbit entry is the payload's
    own orbit (family, altitude, LTAN), narrowed by an inclination band and dates. One active
    entry per payload and target (a database constraint). A payload already booked waits for
    nothing.
    """
    now = now or timezone.now()
    if payload.customer_id != customer.pk:
        raise InvalidRequest(_("payload %(payload)s belongs to another customer") % {"payload": payload.name})
    if payload_has_live_booking(payload_id=payload.pk, now=now):
        raise Conflict(
            _("%(payload)s already has a booking: one payload rides one launch, so it needs no standby list")
            % {"payload": payload.name}
        )
    fields = _target_fields(
        payload=payload,
        launch=launch,
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_min_deg=inclination_min_deg,
        inclination_max_deg=inclination_max_deg,
        ltan=ltan,
        earliest_date=earliest_date,
        latest_date=latest_date,
        now=now,
    )
    try:
        with transaction.atomic():
            entry = StandbyEntry.objects.create(
                customer=customer, payload=payload, created_by=user_or_none(actor), **fields
            )
            event_record(
                verb="standby.joined",
                subject=entry,
                actor=actor,
                after=_state(entry),
                message=_("%(payload)s joined the standby list for %(target)s")
                % {"payload": payload.name, "target": entry_target_text(entry)},
                customer=customer,
                provider=launch.provider if launch is not None else None,
                launch=launch,
            )
    except IntegrityError as exc:
        if "unique_active_standby" in str(exc) or "standbyentry" in str(exc).lower():
            raise Conflict(
                _("%(payload)s is already on this standby list: withdraw that entry first to change it")
                % {"payload": payload.name}
            ) from exc
        raise
    if launch is None:
        # Something may fit already: the next pass over the family's launches finds out.
        transaction.on_commit(
            lambda: _announce(_launch_ids_for_family(entry.orbit_family, now=now)), robust=True
        )
    return entry


def _target_fields(
    *,
    payload: Payload,
    launch: Launch | None,
    orbit_family: str,
    altitude_km: int | None,
    inclination_min_deg: Decimal | None,
    inclination_max_deg: Decimal | None,
    ltan: time | None,
    earliest_date: date | None,
    latest_date: date | None,
    now: datetime,
) -> dict[str, Any]:
    if launch is not None:
        refusal = launch_selling_refusal(launch=launch, now=now)
        if refusal:
            raise Conflict(refusal)
        mismatch = orbit_mismatch(launch=launch, payload=payload)
        if mismatch:
            raise Conflict(mismatch)
        try:
            seat = search_seat(launch=launch, payload=payload, now=now)
            check_launch_fit(launch=launch, payload=payload, now=now, seat=seat)
        except Conflict:
            pass  # nothing fits now: that is what the list is for
        else:
            raise Conflict(
                _("%(launch)s has room for %(payload)s now: hold a seat instead of waiting")
                % {"launch": launch_label(launch), "payload": payload.name}
            )
        return {"launch": launch, "orbit_family": launch.orbit_family, "altitude_km": launch.altitude_km}
    family = orbit_family or payload.orbit_family
    if family != payload.orbit_family or (altitude_km is not None and altitude_km != payload.altitude_km):
        raise InvalidRequest(
            _(
                "%(payload)s is registered for %(family)s %(altitude)s km: an orbit entry waits for the "
                "payload's own orbit; change the payload's orbit first"
            )
            % {"payload": payload.name, "family": payload.orbit_family, "altitude": payload.altitude_km}
        )
    if ltan is not None and payload.ltan is not None and ltan != payload.ltan:
        raise InvalidRequest(
            _("%(payload)s asks for an LTAN of %(ltan)s: change the payload's LTAN first")
            % {"payload": payload.name, "ltan": clock(payload.ltan)}
        )
    band = band_problem(inclination_min_deg=inclination_min_deg, inclination_max_deg=inclination_max_deg)
    if band == "range":
        raise InvalidRequest(_("an inclination is between 0° and 180°"))
    if band == "order":
        raise InvalidRequest(_("the lowest inclination is above the highest: swap them"))
    dates = dates_problem(earliest_date=earliest_date, latest_date=latest_date, today=now.date())
    if dates == "past":
        raise InvalidRequest(_("the latest date has passed: choose a day from today on"))
    if dates == "order":
        raise InvalidRequest(_("the earliest date is after the latest: swap them"))
    return {
        "launch": None,
        "orbit_family": family,
        "altitude_km": payload.altitude_km,
        "inclination_min_deg": inclination_min_deg,
        "inclination_max_deg": inclination_max_deg,
        "ltan": ltan or payload.ltan,
        "earliest_date": earliest_date,
        "latest_date": latest_date,
    }


def _launch_ids_for_family(orbit_family: str, *, now: datetime) -> list[int]:
    return list(
        Launch.objects.filter(orbit_family=orbit_family, status__in=Launch.ACTIVE_STATUSES, net__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def standby_withdraw(*, entry: StandbyEntry, actor: Actor) -> StandbyEntry:
    """Take an entry off its list; an open offer's held booking is cancelled with it.

    Locks the offer's launch first (the order), then the entry.
    """
    with transaction.atomic():
        entry = _lock_with_offer_launch(entry)
        if entry.status not in StandbyEntry.ACTIVE_STATUSES:
            raise Conflict(
                _("this standby entry is %(status)s: only a waiting or offered entry can be withdrawn")
                % {"status": entry.get_status_display().lower()}
            )
        if entry.status == Status.OFFERED:
            _cancel_offer(entry=entry, actor=actor, reason=_("standby entry withdrawn"))
        return _settle(
            entry,
            status=Status.WITHDRAWN,
            verb="standby.withdrawn",
            actor=actor,
            message=_("%(payload)s left the standby list for %(target)s")
            % {"payload": entry.payload.name, "target": entry_target_text(entry)},
        )


def _lock_with_offer_launch(entry: StandbyEntry) -> StandbyEntry:
    """The entry, locked after the launch its offer is on (a fresh read decides which launch)."""
    booking = (
        Booking.objects.filter(pk=entry.offer_booking_id).select_related("launch").first()
        if entry.offer_booking_id is not None
        else None
    )
    if booking is not None:
        locking.lock_launches([booking.launch])
    return locking.lock_standby_entry(entry=entry)


def _cancel_offer(*, entry: StandbyEntry, actor: Actor, reason: str) -> None:
    booking = entry.offer_booking
    if booking is not None and booking.status == Booking.Status.HELD:
        bookings.booking_cancel(booking=booking, actor=actor, reason=reason)


# --- the offer -----------------------------------------------------------------------------------


def _offered(entry: StandbyEntry, *, now: datetime) -> StandbyEntry:
    if entry.status != Status.OFFERED or entry.offer_booking is None:
        raise Conflict(
            _("this standby entry is %(status)s: there is no open offer to answer")
            % {"status": entry.get_status_display().lower()}
        )
    assert entry.offer_expires_at is not None
    if entry.offer_expires_at <= now:
        raise Conflict(
            _("the offer lapsed at %(deadline)s: the seat went back to the list")
            % {"deadline": when(entry.offer_expires_at)}
        )
    return entry


def standby_offer_accept(
    *, entry: StandbyEntry, actor: Actor, contract: Contract | None = None, now: datetime | None = None
) -> StandbyEntry:
    """Accept an open offer: its held booking is confirmed (``booking_confirm``: an active
    contract with the launch's provider, payment milestones) and the entry leaves the list."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = _offered(_lock_with_offer_launch(entry), now=now)
        assert entry.offer_booking is not None
        booking = bookings.booking_confirm(
            booking=entry.offer_booking, actor=actor, contract=contract, now=now
        )
        return _settle(
            entry,
            status=Status.ACCEPTED,
            verb="standby.accepted",
            actor=actor,
            message=_("%(payload)s accepted the offered seat: booking %(reference)s confirmed")
            % {"payload": entry.payload.name, "reference": booking.reference},
        )


def standby_offer_decline(*, entry: StandbyEntry, actor: Actor, now: datetime | None = None) -> StandbyEntry:
    """Decline an open offer: its held booking is cancelled, the entry leaves the list and the seat
    goes to the next entry (the cancellation frees it)."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = _offered(_lock_with_offer_launch(entry), now=now)
        assert entry.offer_booking is not None
        _cancel_offer(entry=entry, actor=actor, reason=_("standby offer declined"))
        return _settle(
            entry,
            status=Status.WITHDRAWN,
            verb="standby.declined",
            actor=actor,
            message=_("%(payload)s declined the seat offered on %(launch)s")
            % {"payload": entry.payload.name, "launch": launch_label(entry.offer_booking.launch)},
        )


def _settle(entry: StandbyEntry, *, status: str, verb: str, actor: Actor, message: str) -> StandbyEntry:
    """Move a locked entry to ``status`` and record it. Caller holds the entry's lock."""
    booking = entry.offer_booking
    launch = booking.launch if booking is not None else entry.launch
    status_change_record(
        subject=entry,
        status=status,
        state=_state,
        verb=verb,
        actor=actor,
        system=SYSTEM,
        message=message,
        customer=entry.customer,
        provider=launch.provider if launch is not None else None,
        launch=launch,
    )
    return entry


def standby_offers_make(*, launch_id: int, now: datetime | None = None) -> list[StandbyEntry]:
    """One pass over a launch's standby list: settle the offers that ended, then offer seats.

    Holds the launch row lock for the whole pass, so two passes (two seats freed at once) run one
    after the other and the second sees the first one's offers as holds. Entries are claimed
    ``SKIP LOCKED``: an orbit entry being offered a seat on another launch is left to that pass.
    Answers the entries offered a seat now. Steps aside quietly when the launch is gone.
    """
    now = now or timezone.now()
    launch = Launch.objects.filter(pk=launch_id).first()
    if launch is None:
        logger.info("standby pass: launch %s is gone; nothing to do", launch_id)
        return []
    with transaction.atomic():
        launch = locking.lock_launches([launch])[launch.pk]
        _settle_ended_offers(launch=launch, now=now)
        if launch_selling_refusal(launch=launch, now=now):
            return []
        offered = []
        for candidate in standby_candidates(launch=launch):
            entry = _offer_one(candidate=candidate, launch=launch, now=now)
            if entry is not None:
                offered.append(entry)
    if offered:
        logger.info("standby pass on %s: %d offer(s) made", launch.name, len(offered))
    return offered


def _settle_ended_offers(*, launch: Launch, now: datetime) -> None:
    """Offers on ``launch`` whose hold is no longer live: confirmed (accepted through the booking
    page), ran out (lapsed), or cancelled or moved. Caller holds the launch lock."""
    for row in offers_to_settle(launch=launch, now=now):
        entry = _claim(row)
        if entry is None or entry.status != Status.OFFERED or entry.offer_booking is None:
            continue
        booking = entry.offer_booking
        payload = entry.payload.name
        if booked_for_good(booking):
            status, verb = Status.ACCEPTED, "standby.accepted"
            message = _("%(payload)s took the offered seat: booking %(reference)s confirmed") % {
                "payload": payload,
                "reference": booking.reference,
            }
        elif booking.status == Booking.Status.CANCELLED:
            moved = payload_has_live_booking(payload_id=entry.payload_id, now=now)
            status = Status.FULFILLED if moved else Status.WITHDRAWN
            verb = "standby.fulfilled" if moved else "standby.withdrawn"
            message = _("The seat offered to %(payload)s on booking %(reference)s was cancelled") % {
                "payload": payload,
                "reference": booking.reference,
            }
        else:  # held past its deadline, or expired
            status, verb = Status.LAPSED, "standby.lapsed"
            message = _("The seat offered to %(payload)s on %(launch)s lapsed at %(deadline)s") % {
                "payload": payload,
                "launch": launch_label(launch),
                "deadline": when(entry.offer_expires_at),
            }
        _settle(entry, status=status, verb=verb, actor=None, message=message)


def _claim(entry: StandbyEntry) -> StandbyEntry | None:
    """The entry locked and fresh, or ``None`` when another pass holds it."""
    return (
        locking.claim_unlocked(StandbyEntry.objects.all(), of=("self",))
        .select_related("payload", "customer", "launch", "offer_booking__launch")
        .filter(pk=entry.pk)
        .first()
    )


def _offer_one(*, candidate: StandbyEntry, launch: Launch, now: datetime) -> StandbyEntry | None:
    """Offer ``launch`` to one waiting entry if its payload is ready and fits; ``None`` if not.

    Caller holds the launch lock. A refusal (no room, not ready, a hold limit) leaves the entry
    waiting; the hold and its quote are made in a savepoint, so a refusal writes nothing.
    """
    entry = _claim(candidate)
    if entry is None or entry.status != Status.WAITING:
        return None
    payload, customer = entry.payload, entry.customer
    if payload_has_live_booking(payload_id=payload.pk, now=now):
        _settle(
            entry,
            status=Status.FULFILLED,
            verb="standby.fulfilled",
            actor=None,
            message=_("%(payload)s has a booking: it left the standby list for %(target)s")
            % {"payload": payload.name, "target": entry_target_text(entry)},
        )
        return None
    if payload_readiness_refusal(payload=payload, customer=customer):
        return None
    try:
        return _offer_seat(entry=entry, launch=launch, now=now, actor=None)
    except ServiceError as exc:
        logger.info("standby: no offer on %s for %s: %s", launch.name, payload.name, exc.message)
        return None


def standby_offer_placed(
    *,
    entry: StandbyEntry,
    launch: Launch,
    actor: Actor,
    port_kind: str | None = None,
    now: datetime | None = None,
) -> StandbyEntry:
    """Offer ``launch`` to one waiting entry out of list order: the manifest optimiser placed it
    there and an operator applied the move. The offer is the one every pass makes (a hold until
    the offer's deadline; the customer accepts or declines it as any standby offer), on a port of
    ``port_kind`` when given. ``Conflict`` saying why when the entry no longer waits, the launch is
    not what it waits for, its payload has a booking or is not ready, or the seat does not fit;
    nothing is written then."""
    now = now or timezone.now()
    with transaction.atomic():
        launch = locking.lock_launches([launch])[launch.pk]
        entry = locking.lock_standby_entry(entry=entry)
        if entry.status != Status.WAITING:
            raise Conflict(
                _("standby entry %(entry)d of %(payload)s is %(status)s now, not waiting")
                % {
                    "entry": entry.pk,
                    "payload": entry.payload.name,
                    "status": entry.get_status_display().lower(),
                }
            )
        if not entry_targets_launch(entry, launch):
            raise Conflict(
                _("%(launch)s is not what standby entry %(entry)d of %(payload)s waits for")
                % {"launch": launch_label(launch), "entry": entry.pk, "payload": entry.payload.name}
            )
        if payload_has_live_booking(payload_id=entry.payload_id, now=now):
            raise Conflict(
                _("%(payload)s has a booking: it waits for no standby seat") % {"payload": entry.payload.name}
            )
        refusal = payload_readiness_refusal(payload=entry.payload, customer=entry.customer)
        if refusal:
            raise Conflict(refusal)
        return _offer_seat(entry=entry, launch=launch, now=now, actor=actor, port_kind=port_kind)


def _offer_seat(
    *, entry: StandbyEntry, launch: Launch, now: datetime, actor: Actor, port_kind: str | None = None
) -> StandbyEntry:
    """Hold the seat for a waiting entry and record the offer; ``ServiceError`` when the seat is
    refused (the hold and its quote are made in a savepoint: a refusal writes nothing). Caller
    holds the launch lock and the entry."""
    payload, customer = entry.payload, entry.customer
    deadline = offer_deadline(
        now=now, offer_hours=settings.LAUNCHBOOK_STANDBY_OFFER_HOURS, launch_net=launch.net
    )
    with transaction.atomic():
        seat = search_seat(launch=launch, payload=payload, now=now, port_kind=port_kind)
        check_launch_fit(launch=launch, payload=payload, now=now, seat=seat)
        quote = quotes.quote_create(
            customer=customer,
            payload=payload,
            actor=actor,
            launch=launch,
            currency=_currency_of(customer=customer, launch=launch),
            port=seat.port.kind if seat.port is not None and launch_ports(launch) else None,
            now=now,
        )
        booking = bookings.booking_hold(
            quote=quote, actor=actor, now=now, hold_until=min(deadline, quote.valid_until)
        )
    before = _state(entry)
    entry.status = Status.OFFERED
    entry.offer_booking = booking
    entry.offer_expires_at = booking.hold_expires_at
    entry.save(update_fields=["status", "offer_booking", "offer_expires_at", "updated_at"])
    event_record(
        verb="standby.offered",
        subject=entry,
        actor=actor,
        system=SYSTEM,
        before=before,
        after={
            **_state(entry),
            "mass_kg": booking.mass_kg,
            "price": booking.price,
            "currency": booking.currency,
        },
        message=_(
            "A seat on %(launch)s is offered to %(payload)s: booking %(reference)s is held until "
            "%(deadline)s; accept to confirm it, or decline"
        )
        % {
            "launch": launch_label(launch),
            "payload": payload.name,
            "reference": booking.reference,
            "deadline": when(booking.hold_expires_at),
        },
        customer=customer,
        provider=launch.provider,
        launch=launch,
    )
    return entry


def _currency_of(*, customer: Customer, launch: Launch) -> str:
    """The currency of the customer's contract with the launch's provider, else US dollars."""
    contract = (
        Contract.objects.filter(
            customer=customer, provider_id=launch.provider_id, status=Contract.Status.ACTIVE
        )
        .order_by("pk")
        .first()
    )
    return contract.currency if contract is not None else "USD"


# --- triggers ------------------------------------------------------------------------------------


def standby_launches_due(*, now: datetime | None = None) -> list[int]:
    """The sweep's launches (``selectors.standby.standby_launch_ids_due``): a pass each."""
    return standby_launch_ids_due(now=now)


def standby_on_published(*, events: Sequence[Event], **_signal: Any) -> None:
    """Listens to ``signals.events_published``: the launches whose capacity (or offers) changed
    get a standby pass once the change commits."""
    launch_ids = sorted({e.launch_id for e in events if e.verb in FREEING_VERBS and e.launch_id is not None})
    if launch_ids:
        transaction.on_commit(lambda: _announce(launch_ids), robust=True)


def _announce(launch_ids: Sequence[int]) -> None:
    if launch_ids:
        standby_passes_due.send(sender=StandbyEntry, launch_ids=list(launch_ids))
