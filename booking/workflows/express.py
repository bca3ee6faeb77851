"""The express order: a rocket from ready storage, a truck that carries it, a free window.

The window opens when the work allows: the order plus the express template's minimum chain,
the rocket's journey to the site and its pad campaign, a free truck and a free range. 24 hours
is a ceiling, not a target to squeeze to: a plan later than that is refused with the earliest.

``order_express_launch`` plans with the same planner operators use (``plan_launch``), then in
one transaction schedules the launch (which starts the express readiness plan), quotes the
payload on it and holds and confirms the booking. Either all of it happens or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.dates import when
from booking.errors import Busy, Conflict, InvalidRequest, ScheduleConflict
from booking.models import Booking, Launch
from booking.selectors.fit import orbit_label, payload_inclination_deg
from booking.selectors.local_time import sso_window_start
from booking.selectors.planner import Plan, PlanningResult, plan_launch
from booking.services import bookings, quotes, readiness
from booking.services.events import Actor
from booking.services.scheduling import launch_schedule
from customers.models import Customer, Payload
from vehicles.orbits import OrbitError

#: The ceiling: the launch window opens no later than this after the order.
EXPRESS_LEAD = timedelta(hours=24)

#: How far ahead to look for the earliest feasible time when 24 hours is not possible.
EXPRESS_SEARCH_HORIZON = timedelta(days=30)


@dataclass(frozen=True)
class ExpressOrder:
    booking: Booking
    launch: Launch


def _why(result: PlanningResult, limit: int = 3) -> str:
    if not result.reasons:
        return "no candidate site, platform or vehicle"
    text = "; ".join(result.reasons[:limit])
    more = len(result.reasons) - limit + result.reasons_omitted
    return text + (f"; and {more} more" if more > 0 else "")


def order_express_launch(
    *, customer: Customer, payload: Payload, actor: Actor, now: datetime | None = None
) -> ExpressOrder:
    """Book ``payload`` on a new express launch whose window opens within 24 hours.

    Raises ``Conflict`` (``.reasons`` per candidate, nothing changed) when that is impossible;
    its message gives the earliest feasible time, if any within 30 days, and why.
    """
    now = now or timezone.now()
    if payload.customer_id != customer.pk:
        raise InvalidRequest(
            _("%(name)s does not belong to %(name2)s.") % {"name": payload.name, "name2": customer.name}
        )
    deadline = now + EXPRESS_LEAD
    planning = {
        "orbit_family": payload.orbit_family,
        "altitude_km": payload.altitude_km,
        "inclination_deg": payload.inclination_deg,
        "service_level": Launch.ServiceLevel.EXPRESS,
        "mass_kg": Decimal(payload.mass_kg),
        "now": now,
        "returnable": payload.returnable,
    }
    result = plan_launch(earliest=now, latest=deadline, limit=5, **planning)  # type: ignore[arg-type]
    if not result.plans:
        later = plan_launch(earliest=now, latest=now + EXPRESS_SEARCH_HORIZON, limit=1, **planning)  # type: ignore[arg-type]
        if later.plans:
            best = later.plans[0]
            head = (
                f"No express launch for {payload.name} can open by {when(deadline)}. "
                f"Earliest feasible: {when(best.window_start)} ({best.describe()})"
            )
        else:
            head = (
                f"No express launch for {payload.name} can open by {when(deadline)}, "
                f"nor within {EXPRESS_SEARCH_HORIZON.days} days"
            )
        raise Conflict(
            _("%(head)s. Why: %(result)s.") % {"head": head, "result": _why(result)}, reasons=result.reasons
        )

    attempts: list[str] = []
    for plan in result.plans:
        try:
            with transaction.atomic():
                launch = _schedule(plan=plan, payload=payload, actor=actor, now=now)
                quote = quotes.quote_create(
                    customer=customer,
                    payload=payload,
                    actor=actor,
                    service_level=Launch.ServiceLevel.EXPRESS,
                    launch=launch,
                    now=now,
                )
                booking = bookings.booking_hold(quote=quote, actor=actor, now=now)
                booking = bookings.booking_confirm(booking=booking, actor=actor, now=now)
        except ScheduleConflict as exc:
            # Somebody took this platform, pad or rocket between planning and locking: try the
            # next plan. Anything that is not about the schedule (capacity, pricing) ends here.
            attempts.append(exc.message)
            continue
        return ExpressOrder(booking=booking, launch=launch)
    raise Conflict(
        f"Every express plan for {payload.name} was taken while ordering; please retry. "
        + " ".join(attempts),
        reasons=attempts,
    )


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


def _schedule(*, plan: Plan, payload: Payload, actor: Actor, now: datetime) -> Launch:
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
        )
    except Busy as exc:
        # Someone is changing this platform, pad or rocket right now: for the order, that plan is taken.
        raise ScheduleConflict(exc.message, reasons=exc.reasons) from exc
