"""The express order: a rocket from ready storage, a truck that carries it, a free window.

The window opens when the work allows: the order plus the express template's minimum chain,
the rocket's journey to the site and its pad campaign, a free truck and a free range. 24 hours
is a ceiling, not a target to squeeze to: a plan later than that is refused with the earliest.

Two steps, so the customer sees what is sold before anything is committed:

- ``express_quote_create`` plans (before any lock) over the fleets of the providers the customer
  can confirm with (an active contract with a launch left), then in one transaction schedules the
  earliest plan's launch, quotes the payload on it (the launch is its own: the dedicated price
  plus the express premium, ``selectors.prices``) and holds the seat for
  ``settings.LAUNCHBOOK_EXPRESS_HOLD_MINUTES`` under the contract chosen.
- ``express_quote_confirm`` confirms it; ``express_quote_cancel`` lets it go. A hold that lapses
  is expired by the hold expiry sweep, which also scrubs the launch made for it
  (``services.bookings.express_launches_release``).

``order_express_launch`` is both in one call, with a price ceiling: above it, nothing is written
and the refusal names the price; a confirmation refused lets the quote go, so nothing is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import when
from booking.errors import Busy, Conflict, InvalidRequest, ScheduleConflict, ServiceError
from booking.models import Booking, Launch, Quote
from booking.rules.money import fmt_money
from booking.selectors.catalog import KeptCatalog, kept_catalog
from booking.selectors.contracts import contracts_with_new_launch_room
from booking.selectors.fit import orbit_label, payload_inclination_deg
from booking.selectors.local_time import sso_window_start
from booking.selectors.planner import Plan, PlanningResult, plan_launch
from booking.selectors.prices import (
    currency_checked,
    exchange_rates,
    express_launch_lines,
    price_total,
    units_per_usd,
)
from booking.services import bookings, quotes, readiness
from booking.services.events import Actor
from booking.services.scheduling import launch_schedule
from customers.models import Contract, Customer, Payload
from vehicles.orbits import OrbitError

#: The ceiling: the launch window opens no later than this after the order.
EXPRESS_LEAD = timedelta(hours=24)

#: How far ahead to look for the earliest feasible time when 24 hours is not possible.
EXPRESS_SEARCH_HORIZON = timedelta(days=30)

#: Plans tried, earliest first, when one is taken between planning and locking.
EXPRESS_PLANS_TRIED = 3


@dataclass(frozen=True)
class ExpressQuote:
    """The priced offer: the launch scheduled for it, the quote, the seat held until
    ``booking.hold_expires_at``, and the contract it will be confirmed under."""

    booking: Booking
    launch: Launch
    quote: Quote
    contract: Contract


@dataclass(frozen=True)
class ExpressOrder:
    booking: Booking
    launch: Launch


def express_hold_ttl() -> timedelta:
    return timedelta(minutes=settings.LAUNCHBOOK_EXPRESS_HOLD_MINUTES)


def _why(result: PlanningResult, limit: int = 3) -> str:
    if not result.reasons:
        return _("no candidate site, platform or vehicle")
    text = "; ".join(result.reasons[:limit])
    more = len(result.reasons) - limit + result.reasons_omitted
    return text + (_("; and %(count)s more") % {"count": more} if more > 0 else "")


def _confirmable(*, customer: Customer, contract: Contract | None) -> dict[int, list[Contract]]:
    """Provider id → the contracts a new express launch of that provider could be confirmed under:
    the one chosen, or every active contract with a launch left."""
    room = contracts_with_new_launch_room(customer_id=customer.pk)
    if contract is None:
        return room
    if contract.customer_id != customer.pk:
        raise InvalidRequest(
            _("contract %(reference)s belongs to another customer") % {"reference": contract.reference}
        )
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(
            _("contract %(reference)s is %(status)s, not active: choose an active contract")
            % {"reference": contract.reference, "status": contract.get_status_display().lower()}
        )
    if not any(c.pk == contract.pk for c in room.get(contract.provider_id, [])):
        raise Conflict(
            _("contract %(reference)s has no launches left: choose another contract, or leave it out")
            % {"reference": contract.reference}
        )
    return {contract.provider_id: [contract]}


def _refusal(
    *,
    payload: Payload,
    deadline: datetime,
    now: datetime,
    result: PlanningResult,
    confirmable: dict[int, list[Contract]],
    planning: dict[str, Any],
) -> Conflict:
    """No plan the customer can confirm opens by the deadline: the earliest one they could confirm
    (within 30 days), the earlier plans of providers they have no contract with, and why."""
    later = (
        plan_launch(
            earliest=now,
            latest=now + EXPRESS_SEARCH_HORIZON,
            limit=1,
            provider_ids=list(confirmable),
            **planning,
        )
        if confirmable
        else None
    )
    if later is not None and later.plans:
        best = later.plans[0]
        contract = confirmable[best.vehicle_model.provider_id][0]
        head = _(
            "No express launch for %(payload)s can open by %(deadline)s. Earliest feasible: %(start)s "
            "(%(plan)s), under contract %(contract)s"
        ) % {
            "payload": payload.name,
            "deadline": when(deadline),
            "start": when(best.window_start),
            "plan": best.describe(),
            "contract": contract.reference,
        }
    elif confirmable:
        head = _("No express launch for %(payload)s can open by %(deadline)s, nor within %(days)s days") % {
            "payload": payload.name,
            "deadline": when(deadline),
            "days": EXPRESS_SEARCH_HORIZON.days,
        }
    else:
        head = _(
            "No express launch for %(payload)s can be confirmed: you have no active contract with "
            "a launch left with any provider"
        ) % {"payload": payload.name}
    # What the providers without a contract could have flown: the reason they are not offered. The
    # providers the customer can confirm with were planned over the same span already (``result``,
    # nothing), so only the others' fleets are searched, and none when there are no others.
    catalog: KeptCatalog | None = planning["catalog"]
    others_ids = (
        sorted({model.provider_id for model in catalog.active_models} - set(confirmable))
        if catalog is not None
        else None
    )
    everyone = (
        plan_launch(
            earliest=now,
            latest=deadline,
            limit=EXPRESS_PLANS_TRIED,
            provider_ids=others_ids if confirmable else None,
            **planning,
        )
        if others_ids is None or others_ids or not confirmable
        else PlanningResult(plans=[], reasons=[])
    )
    others: list[str] = []
    seen: set[int] = set()
    for plan in everyone.plans:
        provider = plan.vehicle_model.provider
        if provider.pk in confirmable or provider.pk in seen:
            continue
        seen.add(provider.pk)
        others.append(
            _(
                "%(provider)s could fly it: %(plan)s, but confirming needs an active contract with "
                "%(provider)s with a launch left, and you have none"
            )
            % {"provider": provider, "plan": plan.describe()}
        )
    text = head + "."
    if others:
        text += " " + ". ".join(others) + "."
    considered = result if confirmable else everyone
    if confirmable or not others:
        text += " " + _("Why: %(why)s.") % {"why": _why(considered)}
    return Conflict(text, reasons=[*others, *considered.reasons])


def express_quote_create(
    *,
    customer: Customer,
    payload: Payload,
    actor: Actor,
    currency: str = "USD",
    contract: Contract | None = None,
    max_price: Decimal | None = None,
    now: datetime | None = None,
) -> ExpressQuote:
    """Schedule an express launch for ``payload`` whose window opens within 24 hours, quote it and
    hold the seat for ``LAUNCHBOOK_EXPRESS_HOLD_MINUTES``, to be confirmed under ``contract`` (by
    default the customer's oldest active contract with that provider with a launch left).

    Only plans the customer can confirm are tried, earliest first; with ``max_price`` (in
    ``currency``), only those that cost no more. Raises ``Conflict`` (``.reasons``, nothing
    changed) naming the earliest plan they could confirm, and why the others fail.
    """
    now = now or timezone.now()
    if payload.customer_id != customer.pk:
        raise InvalidRequest(
            _("%(payload)s does not belong to %(customer)s.")
            % {"payload": payload.name, "customer": customer.name}
        )
    currency_checked(currency)
    if max_price is not None and max_price < 0:
        raise InvalidRequest(_("the price ceiling cannot be negative"))
    # Only a ceiling needs the price before the launch is scheduled (the quote prices it after).
    rates = exchange_rates() if max_price is not None else {}
    if max_price is not None:
        units_per_usd(currency, rates=rates)  # a currency without a rate is refused before planning
    confirmable = _confirmable(customer=customer, contract=contract)
    deadline = now + EXPRESS_LEAD
    # The catalog every search and scheduling's orbit check and route table read: one version,
    # read once before the transaction (which writes no catalog row); ``None`` inside a transaction.
    catalog = kept_catalog()
    planning: dict[str, Any] = {
        "catalog": catalog,
        "orbit_family": payload.orbit_family,
        "altitude_km": payload.altitude_km,
        "inclination_deg": payload.inclination_deg,
        "service_level": Launch.ServiceLevel.EXPRESS,
        "mass_kg": Decimal(payload.mass_kg),
        "now": now,
        "returnable": payload.returnable,
    }
    # Planned before any lock, over the fleets the customer can confirm with only.
    result = (
        plan_launch(
            earliest=now,
            latest=deadline,
            limit=EXPRESS_PLANS_TRIED,
            provider_ids=list(confirmable),
            **planning,
        )
        if confirmable
        else PlanningResult(plans=[], reasons=[])
    )
    if not result.plans:
        raise _refusal(
            payload=payload,
            deadline=deadline,
            now=now,
            result=result,
            confirmable=confirmable,
            planning=planning,
        )

    attempts: list[str] = []
    too_dear: list[tuple[Decimal, Plan]] = []
    for plan in result.plans:
        if max_price is not None:
            lines = express_launch_lines(vehicle_model=plan.vehicle_model, currency=currency, rates=rates)
            if price_total(lines) > max_price:
                too_dear.append((price_total(lines), plan))
                continue
        chosen = confirmable[plan.vehicle_model.provider_id][0]
        try:
            with transaction.atomic():
                launch = _schedule(plan=plan, payload=payload, actor=actor, now=now, catalog=catalog)
                quote = quotes.quote_create(
                    customer=customer,
                    payload=payload,
                    actor=actor,
                    launch=launch,
                    currency=currency,
                    now=now,
                    launch_made_for_it=True,
                )
                if max_price is not None and quote.total > max_price:  # the same rule as above
                    raise _ceiling_refusal(
                        price=quote.total, max_price=max_price, currency=currency, plan=plan
                    )
                booking = bookings.booking_hold(
                    quote=quote, actor=actor, now=now, contract=chosen, hold_ttl=express_hold_ttl()
                )
        except ScheduleConflict as exc:
            # Somebody took this platform, pad or rocket between planning and locking: try the
            # next plan. Anything that is not about the schedule (capacity, pricing) ends here.
            attempts.append(exc.message)
            continue
        return ExpressQuote(booking=booking, launch=launch, quote=quote, contract=chosen)
    if too_dear and not attempts:
        price, plan = min(too_dear, key=lambda item: (item[0], item[1].window_start))
        assert max_price is not None
        raise _ceiling_refusal(price=price, max_price=max_price, currency=currency, plan=plan)
    raise Conflict(
        _("Every express plan for %(payload)s was taken while ordering; please retry.")
        % {"payload": payload.name}
        + " "
        + " ".join(attempts),
        reasons=attempts,
    )


def _ceiling_refusal(*, price: Decimal, max_price: Decimal, currency: str, plan: Plan) -> Conflict:
    return Conflict(
        _(
            "The express launch costs %(price)s (%(plan)s), above your ceiling of %(ceiling)s: nothing "
            "was booked. Raise the ceiling to at least %(price)s, or ask for an express quote first"
        )
        % {
            "price": fmt_money(price, currency),
            "plan": plan.describe(),
            "ceiling": fmt_money(max_price, currency),
        }
    )


def express_quote_confirm(
    *, booking: Booking, actor: Actor, customer: Customer | None = None, now: datetime | None = None
) -> ExpressOrder:
    """Confirm a held express quote under the contract chosen with it (``booking_confirm``)."""
    if customer is not None and booking.customer_id != customer.pk:
        raise InvalidRequest(
            _("booking %(reference)s belongs to another customer") % {"reference": booking.reference}
        )
    confirmed = bookings.booking_confirm(booking=booking, actor=actor, now=now)
    return ExpressOrder(booking=confirmed, launch=confirmed.launch)


def express_quote_cancel(
    *, booking: Booking, actor: Actor, customer: Customer | None = None, now: datetime | None = None
) -> Booking:
    """Let a held express quote go: the booking is cancelled and the launch made for it scrubbed
    (its reservations released, the rocket back in ready storage) unless somebody else booked it."""
    if customer is not None and booking.customer_id != customer.pk:
        raise InvalidRequest(
            _("booking %(reference)s belongs to another customer") % {"reference": booking.reference}
        )
    if booking.status != Booking.Status.HELD:
        raise Conflict(
            _("booking %(reference)s is %(status)s: only a held express quote can be let go")
            % {"reference": booking.reference, "status": booking.get_status_display().lower()}
        )
    cancelled = bookings.booking_cancel(booking=booking, actor=actor, reason=_("express quote not taken"))
    bookings.express_launches_release(now=now, actor=actor, launch=cancelled.launch)
    return cancelled


def order_express_launch(
    *,
    customer: Customer,
    payload: Payload,
    actor: Actor,
    max_price: Decimal | None = None,
    currency: str = "USD",
    contract: Contract | None = None,
    now: datetime | None = None,
) -> ExpressOrder:
    """The express quote and its confirmation in one call: the customer is booked, or nothing is.

    With ``max_price`` (in ``currency``) a launch costing more is refused (``Conflict`` naming the
    price) before anything is written. The quote commits first, so the platform, pad and rocket
    locks are held for scheduling only; a confirmation refused after it lets the quote go at once
    (and were that to fail too, the hold lapses within minutes and the expiry sweep scrubs it).
    """
    now = now or timezone.now()
    offer = express_quote_create(
        customer=customer,
        payload=payload,
        actor=actor,
        currency=currency,
        contract=contract,
        max_price=max_price,
        now=now,
    )
    try:
        return express_quote_confirm(booking=offer.booking, actor=actor, now=now)
    except ServiceError:
        express_quote_cancel(booking=offer.booking, actor=actor, now=now)
        raise


def _plane_window(*, plan: Plan, payload: Payload) -> tuple[datetime, datetime]:
    """The plan's window, or for a payload that asks for an LTAN the same span opening at the next
    daily launch time of that plane from the plan's site (``launch_schedule`` re-checks it all)."""
    if payload.ltan is None:
        return plan.window_start, plan.window_end
    inclination = payload_inclination_deg(payload)
    assert inclination is not None  # an LTAN belongs to a sun-synchronous payload
    try:
        start = sso_window_start(
            site=plan.site,
            inclination_deg=inclination,
            ltan=payload.ltan,
            window_start=plan.window_start,
            window_end=plan.window_start + timedelta(days=1),
        )
    except (ValueError, OrbitError) as exc:
        raise ScheduleConflict(str(exc), reasons=[str(exc)]) from exc
    return start, start + (plan.window_end - plan.window_start)


def _schedule(
    *, plan: Plan, payload: Payload, actor: Actor, now: datetime, catalog: KeptCatalog | None
) -> Launch:
    window_start, window_end = _plane_window(plan=plan, payload=payload)
    try:
        return launch_schedule(
            provider=plan.vehicle_model.provider,
            vehicle_model=plan.vehicle_model,
            site=plan.site,
            orbit_family=payload.orbit_family,
            altitude_km=payload.altitude_km,
            inclination_deg=payload.inclination_deg,
            window_start=window_start,
            window_end=window_end,
            actor=actor,
            vehicle=plan.vehicle,
            platform=plan.platform,
            pad=plan.pad,
            # Launch names are public (schedule, calendars): they never carry a customer's payload name.
            name=f"Express · {orbit_label(payload.orbit_family, payload.altitude_km)} · {plan.vehicle.serial}",
            net=window_start,
            net_precision=Launch.NetPrecision.MINUTE,
            service_level=Launch.ServiceLevel.EXPRESS,
            now=now,
            readiness_template=readiness.template_for(
                service_level=Launch.ServiceLevel.EXPRESS, returnable=payload.returnable
            ),
            ltan=payload.ltan,
            catalog=catalog,
        )
    except Busy as exc:
        # Someone is changing this platform, pad or rocket right now: for the order, that plan is taken.
        raise ScheduleConflict(exc.message, reasons=exc.reasons) from exc
