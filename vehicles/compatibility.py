"""What fits what: which truck carries which rocket, which pad serves which vehicle, who may be
sold on express terms, and what is retired.

Pure functions with no Django dependency: they take plain values (names, flags, lists of names)
and answer ``None`` when the pairing fits, or the refusal in words, naming the mismatch, when it
does not. The data they read lives on the rows (``MobilePlatform.vehicle_models``,
``Pad.vehicle_models`` and ``Pad.vehicle_families``, ``VehicleModel.express_capable``,
``VehicleModel.active``, ``Vehicle.status``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

__all__ = [
    "express_terms_problem",
    "join_names",
    "model_in_service_problem",
    "pad_campaign_problem",
    "pad_serves_problem",
    "platform_carries_problem",
    "vehicle_in_service_problem",
]

#: Serial states that never fly again.
GONE_STATUSES = ("flown", "lost", "retired")


def join_names(names: Iterable[str], *, last: str = "and") -> str:
    """ "A", "A and B", "A, B and C"."""
    items = sorted(dict.fromkeys(name for name in names if name))
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def platform_carries_problem(
    *, platform_name: str, carried_model_names: Iterable[str], model_name: str
) -> str | None:
    """A truck carries the vehicle models it was built for: "TEL-3 carries Kuaizhou-1A, not Kuaizhou-11"."""
    carried = list(carried_model_names)
    if model_name in carried:
        return None
    if not carried:
        return f"{platform_name} is not listed to carry any vehicle model, so not {model_name}"
    return f"{platform_name} carries {join_names(carried)}, not {model_name}"


def pad_serves_problem(
    *,
    pad_label: str,
    served_model_names: Iterable[str],
    served_families: Iterable[str],
    model_name: str,
    model_family: str,
) -> str | None:
    """A pad is built for one vehicle family: "Wenchang LC-101 serves Long March 5, not Long March 6".

    The pad serves a model it lists by name, or any model of a family it lists.
    """
    models = list(served_model_names)
    families = [family for family in served_families if family]
    if model_name in models or (model_family and model_family in families):
        return None
    served = join_names([*models, *families])
    if not served:
        return f"{pad_label} is not listed to serve any vehicle, so not {model_name}"
    return f"{pad_label} serves {served}, not {model_name}"


def express_terms_problem(
    *, model_name: str, express_capable: bool, mobile_launch: bool, propellant: str
) -> str | None:
    """Express terms (order to lift-off in hours) need a storable solid rocket that lives on its
    truck with the payload pre-integrated: the vehicle model says so with ``express_capable``."""
    if express_capable and mobile_launch:
        return None
    why = []
    if propellant == "liquid":
        why.append("it is liquid-fuelled")
    if not mobile_launch:
        why.append("it flies from a fixed pad")
    reason = " and ".join(why) if why else "its provider does not offer it on express terms"
    return f"{model_name} cannot be launched on express terms: {reason}"


def model_in_service_problem(*, model_name: str, active: bool) -> str | None:
    """A retired vehicle model is never scheduled, quoted or offered."""
    return None if active else f"{model_name} is retired: it is no longer scheduled, quoted or offered"


def vehicle_in_service_problem(
    *, serial: str, status: str, model_name: str, model_active: bool
) -> str | None:
    """A serial flies only while it and its model are in service."""
    if not model_active:
        return f"{serial} is a {model_name}, and {model_name} is retired"
    if status in GONE_STATUSES:
        return f"{serial} is {status} and will not fly again"
    return None


def pad_campaign_problem(
    *, model_name: str, min_pad_campaign_hours: Decimal | float, hours_at_pad: Decimal | float
) -> str | None:
    """A rocket needs its minimum campaign at the pad or launch point before the window opens."""
    needed = Decimal(str(min_pad_campaign_hours))
    have = Decimal(str(hours_at_pad))
    if have >= needed:
        return None
    return (
        f"{model_name} needs {needed.normalize():f} h at the pad before lift-off; "
        f"this window leaves {max(have, Decimal('0')).normalize():f} h"
    )
