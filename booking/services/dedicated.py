"""Dedicated launch requests: requested → scheduled → booked, or withdrawn, or declined.

A customer asks for a dedicated launch (``dedicated_request_create``); the operators of the
providers that can fly it see it (``DedicatedRequest.providers``) and either schedule a launch for
it (``booking.workflows.dedicated.dedicated_request_schedule``, which writes the launch with the
scheduling service and then links it here, ``dedicated_request_link``) or decline it with a reason.
A linked launch is dedicated (``rideshare`` off) and sold to the request's customer
(``Launch.dedicated_customer``): the customer quotes, holds and confirms it through the ordinary
booking services, and the confirmation marks the request booked (``dedicated_request_booked``).

Every change writes an Event; ``dedicated.scheduled`` and ``dedicated.declined`` notify the
customer's members (``booking.rules.notifications``). The request row is locked last of all
(``locking.lock_dedicated_request``).
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import day_iso, when
from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, DedicatedRequest, Launch, Quote
from booking.rules.money import new_reference
from booking.selectors.dedicated import able_models, model_flies_problem, requested_orbit
from booking.selectors.fit import DEDICATED_LEAD_TIME, launch_label
from customers.models import Customer, Payload
from vehicles.models import OrbitFamily, VehicleModel
from vehicles.orbits import MAX_ALTITUDE_KM, MIN_ALTITUDE_KM

from . import locking
from .events import Actor, event_record, status_change_record, user_or_none

#: A payload has at most one request waiting or scheduled at a time.
LIVE_STATUSES = (DedicatedRequest.Status.REQUESTED, DedicatedRequest.Status.SCHEDULED)


def _state(request: DedicatedRequest) -> dict:
    return {
        "status": request.status,
        "launch": request.launch_id,
        "vehicle_model": request.vehicle_model_id,
        "orbit_family": request.orbit_family,
        "altitude_km": request.altitude_km,
        "inclination_deg": request.inclination_deg,
        "earliest": request.earliest,
        "latest": request.latest,
        "decline_reason": request.decline_reason,
    }


def _what(request: DedicatedRequest) -> str:
    """The request in the audit log's words: "DR-…: dedicated Ceres-1, Zengzhang-1"."""
    model = request.vehicle_model.name if request.vehicle_model else "any vehicle"
    target = request.payload.name if request.payload else f"{request.orbit_family} {request.altitude_km} km"
    return f"{request.reference}: dedicated {model}, {target}"


def _move(
    request: DedicatedRequest,
    status: str,
    *,
    verb: str,
    actor: Actor,
    message: str,
    changes: dict | None = None,
    after_extra: dict | None = None,
    on: Launch | None = None,
) -> None:
    """Move a locked request to ``status`` and log it, on its launch once it has one (a declined
    request never had one, and names no provider), or ``on`` the rideshare launch that met it.
    Caller holds the request's lock."""
    launch = on or (changes["launch"] if changes and "launch" in changes else request.launch)
    status_change_record(
        subject=request,
        status=status,
        state=_state,
        verb=verb,
        actor=actor,
        message=message,
        changes=changes,
        after_extra=after_extra,
        customer=request.customer,
        provider=launch.provider if launch else None,
        launch=launch,
    )


def _checked_dates(*, earliest: datetime, latest: datetime, now: datetime) -> None:
    if timezone.is_naive(earliest) or timezone.is_naive(latest):
        raise InvalidRequest(_("The earliest and latest dates need a time zone."))
    if latest < earliest:
        raise InvalidRequest(
            _(
                "The latest date (%(latest)s) is before the earliest (%(earliest)s): swap them or widen the span."
            )
            % {"latest": day_iso(latest), "earliest": day_iso(earliest)}
        )
    if latest <= now + DEDICATED_LEAD_TIME:
        raise InvalidRequest(
            _("A dedicated launch needs a campaign of %(days)s days: choose a latest date after %(date)s.")
            % {"days": DEDICATED_LEAD_TIME.days, "date": day_iso(now + DEDICATED_LEAD_TIME)}
        )


def _checked_orbit(
    *, orbit_family: str | None, altitude_km: int | None, inclination_deg: Decimal | None, ltan: time | None
) -> None:
    if orbit_family not in OrbitFamily.values:
        raise InvalidRequest(
            _("Name a payload, or the orbit: a family (%(families)s) and an altitude.")
            % {"families": ", ".join(OrbitFamily.values)}
        )
    if altitude_km is None or not MIN_ALTITUDE_KM <= altitude_km <= MAX_ALTITUDE_KM:
        raise InvalidRequest(
            _("The altitude is %(low)s–%(high)s km.") % {"low": MIN_ALTITUDE_KM, "high": MAX_ALTITUDE_KM}
        )
    if inclination_deg is not None and not Decimal(0) <= Decimal(inclination_deg) <= Decimal(180):
        raise InvalidRequest(_("The inclination is 0–180°."))
    if ltan is not None and orbit_family != OrbitFamily.SSO:
        raise InvalidRequest(_("A local time of the ascending node is asked of sun-synchronous orbits only."))


def dedicated_request_create(
    *,
    customer: Customer,
    actor: Actor,
    earliest: datetime,
    latest: datetime,
    payload: Payload | None = None,
    vehicle_model: VehicleModel | None = None,
    orbit_family: str | None = None,
    altitude_km: int | None = None,
    inclination_deg: Decimal | None = None,
    ltan: time | None = None,
    note: str = "",
    quote: Quote | None = None,
    now: datetime | None = None,
) -> DedicatedRequest:
    """Ask for a dedicated launch of ``vehicle_model`` (``None``: any model that can fly it) to the
    payload's orbit, or to the orbit given when no payload is named, between ``earliest`` and
    ``latest``. Refused (``Conflict``) when no model can fly it, saying why for each."""
    now = now or timezone.now()
    if payload is not None and payload.customer_id != customer.pk:
        raise InvalidRequest(
            _("Payload %(payload)s belongs to another customer.") % {"payload": payload.name}
        )
    if customer.export_screening == Customer.ExportScreening.REFUSED:
        raise Conflict(
            _("%(customer)s did not pass export screening: no launch can be requested.")
            % {"customer": customer}
        )
    if payload is None:
        _checked_orbit(
            orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg, ltan=ltan
        )
    _checked_dates(earliest=earliest, latest=latest, now=now)
    orbit = requested_orbit(
        payload=payload,
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_deg=inclination_deg,
        ltan=ltan,
    )
    models, reasons = able_models(orbit=orbit, payload=payload, vehicle_model=vehicle_model)
    if not models:
        raise Conflict(
            _(
                "No vehicle can fly this dedicated launch: %(reasons)s. Try another vehicle model, or a lower orbit."
            )
            % {"reasons": "; ".join(reasons[:4]) or _("no vehicle model reaches the orbit")},
            reasons=reasons,
        )
    with transaction.atomic():
        if payload is not None:
            # One live request per payload: the customer's row queues two requests for it.
            locking.lock_customer(customer_id=customer.pk, what="the customer's requests")
            live = DedicatedRequest.objects.filter(payload=payload, status__in=LIVE_STATUSES).first()
            if live is not None:
                raise Conflict(
                    _(
                        "%(payload)s already has dedicated launch request %(reference)s (%(status)s): withdraw it first."
                    )
                    % {
                        "payload": payload.name,
                        "reference": live.reference,
                        "status": live.get_status_display(),
                    }
                )
        request = DedicatedRequest.objects.create(
            reference=new_reference("DR-"),
            customer=customer,
            payload=payload,
            vehicle_model=vehicle_model,
            orbit_family=orbit.orbit_family,
            altitude_km=orbit.altitude_km,
            inclination_deg=orbit.inclination_deg,
            ltan=orbit.ltan,
            earliest=earliest,
            latest=latest,
            note=note.strip(),
            quote=quote,
            requested_by=user_or_none(actor),
        )
        request.providers.set(sorted({model.provider_id for model in models}))
        event_record(
            verb="dedicated.requested",
            subject=request,
            actor=actor,
            after={**_state(request), "providers": sorted({m.provider_id for m in models})},
            message=f"{_what(request)} between {day_iso(earliest)} and {day_iso(latest)}",
            customer=customer,
            provider=vehicle_model.provider if vehicle_model else None,
        )
    return request


def _refuse_unless(request: DedicatedRequest, statuses: tuple[str, ...], *, cannot: str) -> None:
    if request.status not in statuses:
        raise Conflict(
            _("Dedicated launch request %(reference)s is %(status)s: it cannot be %(cannot)s.")
            % {
                "reference": request.reference,
                "status": request.get_status_display().lower(),
                "cannot": cannot,
            }
        )


def dedicated_request_withdraw(
    *, request: DedicatedRequest, actor: Actor, customer: Customer | None = None
) -> DedicatedRequest:
    """The customer withdraws a request still requested or scheduled (not yet booked). A
    scheduled launch stays on the schedule for its operators to scrub or sell."""
    if customer is not None and request.customer_id != customer.pk:
        raise InvalidRequest(_("This request belongs to another customer."))
    with transaction.atomic():
        request = locking.lock_dedicated_request(request_id=request.pk)
        _refuse_unless(request, LIVE_STATUSES, cannot=_("withdrawn"))
        _move(
            request,
            DedicatedRequest.Status.WITHDRAWN,
            verb="dedicated.withdrawn",
            actor=actor,
            message=f"{_what(request)} withdrawn",
        )
    return request


def dedicated_request_decline(*, request: DedicatedRequest, actor: Actor, reason: str) -> DedicatedRequest:
    """An operator declines a request still waiting, saying why. Caller checked the operator
    sees the request (``selectors.dedicated.dedicated_requests_for_providers``)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(_("Say why the request is declined: the customer reads it."))
    with transaction.atomic():
        request = locking.lock_dedicated_request(request_id=request.pk)
        _refuse_unless(request, (DedicatedRequest.Status.REQUESTED,), cannot=_("declined"))
        _move(
            request,
            DedicatedRequest.Status.DECLINED,
            verb="dedicated.declined",
            actor=actor,
            message=f"{_what(request)} declined: {reason}",
            changes={"decline_reason": reason[:300]},
        )
    return request


def dedicated_request_link(*, request: DedicatedRequest, launch: Launch, actor: Actor) -> DedicatedRequest:
    """Link a launch just scheduled for the request: the launch becomes dedicated and sold to the
    request's customer, the request scheduled. Caller is inside ``transaction.atomic``; the launch
    is locked, then the request (the lock order).

    Refused when the launch's provider does not see the request, its model is not the one asked
    for or cannot fly the orbit, or it already carries bookings."""
    launch = locking.lock_launches([launch])[launch.pk]
    request = locking.lock_dedicated_request(request_id=request.pk)
    _refuse_unless(request, (DedicatedRequest.Status.REQUESTED,), cannot=_("scheduled"))
    if not request.providers.filter(pk=launch.provider_id).exists():
        raise Conflict(
            _("%(provider)s cannot fly request %(reference)s: schedule it on a vehicle that can.")
            % {"provider": launch.provider, "reference": request.reference}
        )
    if request.vehicle_model_id is not None and launch.vehicle_model_id != request.vehicle_model_id:
        raise Conflict(
            _("Request %(reference)s asks for a %(asked)s, not a %(model)s.")
            % {"reference": request.reference, "asked": request.vehicle_model, "model": launch.vehicle_model}
        )
    if launch.orbit_family != request.orbit_family:
        raise Conflict(
            _("Request %(reference)s asks for %(asked)s, not %(family)s.")
            % {"reference": request.reference, "asked": request.orbit_family, "family": launch.orbit_family}
        )
    problem = (
        model_flies_problem(
            vehicle_model=launch.vehicle_model,
            orbit=requested_orbit(payload=request.payload),
            payload=request.payload,
        )
        if request.payload is not None
        else None
    )
    if problem:
        raise Conflict(problem)
    if (
        Booking.objects.filter(launch=launch)
        .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.EXPIRED])
        .exists()
    ):
        raise Conflict(
            _("%(launch)s already carries bookings: schedule a new launch for the request.")
            % {"launch": launch.name}
        )
    Launch.objects.filter(pk=launch.pk).update(rideshare=False, dedicated_customer=request.customer)
    launch.rideshare, launch.dedicated_customer = False, request.customer
    _move(
        request,
        DedicatedRequest.Status.SCHEDULED,
        verb="dedicated.scheduled",
        actor=actor,
        message=f"{_what(request)} scheduled: {launch_label(launch)} from {launch.site.name}, NET {when(launch.net)}",
        changes={"launch": launch},
        after_extra={"launch_name": launch.name, "net": launch.net},
    )
    return request


def dedicated_request_booked(*, booking: Booking, actor: Actor) -> DedicatedRequest | None:
    """A booking of the request's customer confirmed on its launch books the request. Caller is
    inside the confirming transaction, with its locks (the request comes last)."""
    request = DedicatedRequest.objects.filter(
        launch_id=booking.launch_id, customer_id=booking.customer_id, status=DedicatedRequest.Status.SCHEDULED
    ).first()
    if request is None:
        return None
    request = locking.lock_dedicated_request(request_id=request.pk)
    if request.status != DedicatedRequest.Status.SCHEDULED:
        return None
    _move(
        request,
        DedicatedRequest.Status.BOOKED,
        verb="dedicated.booked",
        actor=actor,
        message=f"{_what(request)} booked: {booking.reference}",
        after_extra={"booking": booking.reference},
    )
    return request


def dedicated_request_met(*, request: DedicatedRequest, booking: Booking, actor: Actor) -> DedicatedRequest:
    """A rideshare seat offered for the request (the manifest optimiser's) was taken: ``booking``
    confirms it, so the request waits for no dedicated launch. Caller is inside the
    transaction that confirmed the booking, with its locks (the request comes last). Refused when the
    request is no longer waiting for an operator."""
    request = locking.lock_dedicated_request(request_id=request.pk)
    _refuse_unless(request, (DedicatedRequest.Status.REQUESTED,), cannot=_("met by a rideshare seat"))
    _move(
        request,
        DedicatedRequest.Status.MET,
        verb="dedicated.met",
        actor=actor,
        message=f"{_what(request)} met by a rideshare seat: {booking.reference} on {launch_label(booking.launch)}",
        after_extra={"booking": booking.reference, "rideshare_launch": booking.launch_id},
        on=booking.launch,
    )
    return request
