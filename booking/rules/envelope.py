"""Does a payload's box fit an envelope? Pure: numbers in, a refusal in words out.

A payload is a box, length × width × height in metres, its height along the rocket's axis (the
way it stands on its adapter). A fairing's usable envelope is a cylinder, diameter × height: the
box fits when its footprint's diagonal is within the diameter and its height within the height.
A port or dispenser slot is a box, length × width × height: the payload fits when its footprint
fits either way round and its height fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Box:
    length_m: Decimal
    width_m: Decimal
    height_m: Decimal

    def describe(self) -> str:
        return f"{fmt_m(self.length_m)} × {fmt_m(self.width_m)} × {fmt_m(self.height_m)} m"


def fmt_m(value: Decimal) -> str:
    """Metres as people write them: 1.4, 0.3405, 6.0 (at least one decimal, at most four)."""
    number = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()
    text = f"{number:f}"
    return text if "." in text else f"{text}.0"


def box_or_none(length_m: Decimal | None, width_m: Decimal | None, height_m: Decimal | None) -> Box | None:
    """The box, or ``None`` while any of the three sizes is missing."""
    if length_m is None or width_m is None or height_m is None:
        return None
    return Box(Decimal(length_m), Decimal(width_m), Decimal(height_m))


def footprint_diagonal_m(box: Box) -> Decimal:
    return (box.length_m**2 + box.width_m**2).sqrt()


def fairing_fit_problem(*, box: Box, diameter_m: Decimal, height_m: Decimal, vehicle: str) -> str | None:
    """Why the box does not fit the fairing's cylinder, or ``None`` when it does."""
    diagonal = footprint_diagonal_m(box)
    misses = []
    if diagonal > diameter_m:
        misses.append(
            f"its {fmt_m(box.length_m)} × {fmt_m(box.width_m)} m footprint spans {fmt_m(diagonal)} m"
        )
    if box.height_m > height_m:
        misses.append(f"it stands {fmt_m(box.height_m)} m tall")
    if not misses:
        return None
    return (
        f"{box.describe()} does not fit {vehicle}'s {fmt_m(diameter_m)} m × {fmt_m(height_m)} m envelope "
        f"(diameter × height): {' and '.join(misses)}"
    )


def port_fit_problem(*, box: Box, envelope: Box, port: str) -> str | None:
    """Why the box does not fit the port's or slot's box envelope, or ``None`` when it does."""
    footprint = sorted((box.length_m, box.width_m))
    room = sorted((envelope.length_m, envelope.width_m))
    if footprint[0] <= room[0] and footprint[1] <= room[1] and box.height_m <= envelope.height_m:
        return None
    return f"{box.describe()} does not fit the {port}'s {envelope.describe()} envelope"
