"""Fleet truth for one launch: what fits what, the rocket's journey, the work's minimum, the range.

Pure: plain values in, plain values out, no queries. ``launch_schedule`` (one launch, rows it
locked) and the planner (thousands of candidates, rows loaded in bulk) both ask these functions,
so the earliest window either of them allows is computed in one place:

    earliest window = max(order time + the readiness template's minimum chain,
                          rocket free + its journey to the site + its model's pad campaign)

and a range holds ``range_span`` of each launch (``vehicles.logistics``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from booking.dates import when
from vehicles.compatibility import (
    express_terms_problem,
    model_in_service_problem,
    pad_serves_problem,
    platform_carries_problem,
    vehicle_in_service_problem,
)
from vehicles.logistics import Journey, NoRoute, RouteLeg, journey_text, rocket_journey

__all__ = [
    "RocketPlace",
    "fit_problems",
    "readiness_floor",
    "rocket_floor",
    "rocket_problem",
    "minutes_text",
]


def minutes_text(minutes: int) -> str:
    """ "7 h 40 min", "69 days 1 h"."""
    days, rest = divmod(max(int(minutes), 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} days {hours} h" if hours else f"{days} days"
    return f"{hours} h {mins:02d} min"


def readiness_floor(*, now: datetime, chain_minutes: int) -> datetime:
    """The earliest window start the readiness work allows for an order placed at ``now``."""
    return now + timedelta(minutes=chain_minutes)


def readiness_problem(
    *, now: datetime, window_start: datetime, chain_minutes: int, template_name: str
) -> str | None:
    """Why the window opens too soon for the readiness work, or ``None``."""
    floor = readiness_floor(now=now, chain_minutes=chain_minutes)
    if window_start >= floor:
        return None
    return (
        f"the {template_name} readiness work takes at least {minutes_text(chain_minutes)} from the order: "
        f"earliest window {when(floor)}"
    )


@dataclass(frozen=True)
class RocketPlace:
    """Where a serial is, as the journey needs it: at ``site_id`` from ``free_from`` on."""

    serial: str
    site_id: int
    free_from: datetime


def rocket_floor(
    *,
    place: RocketPlace,
    destination_id: int,
    routes: Iterable[RouteLeg | tuple],
    site_names: Mapping[int, str],
    campaign_hours: Decimal | float,
    now: datetime,
) -> tuple[datetime | None, Journey | NoRoute]:
    """The earliest window start the rocket allows at the destination, and its journey.

    It leaves when it is free (never before ``now``), travels the journey, then spends its
    model's minimum pad campaign at the launch point. ``None``: no known route.
    """
    journey = rocket_journey(
        origin_id=place.site_id, destination_id=destination_id, routes=routes, site_names=site_names
    )
    if isinstance(journey, NoRoute):
        return None, journey
    leave = max(place.free_from, now)
    return leave + timedelta(hours=float(journey.hours) + float(campaign_hours)), journey


def rocket_problem(
    *,
    place: RocketPlace,
    destination_id: int,
    routes: Iterable[RouteLeg | tuple],
    site_names: Mapping[int, str],
    campaign_hours: Decimal | float,
    now: datetime,
    window_start: datetime,
) -> str | None:
    """Why the rocket cannot be at the launch point, campaign done, by ``window_start``."""
    floor, journey = rocket_floor(
        place=place,
        destination_id=destination_id,
        routes=routes,
        site_names=site_names,
        campaign_hours=campaign_hours,
        now=now,
    )
    text = journey_text(serial=place.serial, journey=journey, site_names=site_names)
    if floor is None:
        return text
    if window_start >= floor:
        return None
    campaign = Decimal(str(campaign_hours))
    extra = f" and {campaign.normalize():f} h of pad campaign" if campaign else ""
    return f"{text}{extra}, earliest window {when(floor)}"


def fit_problems(
    *,
    model_name: str,
    model_family: str,
    model_active: bool,
    express_capable: bool,
    mobile_launch: bool,
    propellant: str,
    service_level_express: bool,
    platform_name: str | None = None,
    carried_model_names: Iterable[str] = (),
    pad_label: str | None = None,
    served_model_names: Iterable[str] = (),
    served_families: Iterable[str] = (),
    serial: str | None = None,
    vehicle_status: str = "",
) -> list[str]:
    """Every mismatch between the rocket, its truck or pad and the terms, in words."""
    problems = [model_in_service_problem(model_name=model_name, active=model_active)]
    if serial is not None:
        problems.append(
            vehicle_in_service_problem(
                serial=serial, status=vehicle_status, model_name=model_name, model_active=model_active
            )
        )
    if service_level_express:
        problems.append(
            express_terms_problem(
                model_name=model_name,
                express_capable=express_capable,
                mobile_launch=mobile_launch,
                propellant=propellant,
            )
        )
    if platform_name is not None:
        problems.append(
            platform_carries_problem(
                platform_name=platform_name, carried_model_names=carried_model_names, model_name=model_name
            )
        )
    if pad_label is not None:
        problems.append(
            pad_serves_problem(
                pad_label=pad_label,
                served_model_names=served_model_names,
                served_families=served_families,
                model_name=model_name,
                model_family=model_family,
            )
        )
    # Two different problems may give the same words (a retired model's serial): say it once.
    return list(dict.fromkeys(p for p in problems if p))
