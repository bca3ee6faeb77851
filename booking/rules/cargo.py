"""Returnable payloads and station cargo: up-mass, return mass and waste are three figures.

Pure: plain values in, messages out. ``services.payloads`` asks these before writing a payload or a
manifest line; ``selectors.returns`` holds the capsule's limit on a launch.

- A returnable payload states its return mass (what comes back in the capsule); a payload that does
  not come back states none. A satellite that comes back cannot bring back more than it weighs; a
  cargo mission's return cargo is station cargo, so its return mass is its own figure.
- A cargo mission flies under a programme (CMSA's call: 1-4 t up, 100-300 kg back): its up-mass and
  return mass stay within the programme's ranges.
- Its manifest lists items up, items down and station waste, each with a mass and a priority: the
  items up fit the payload's up-mass, the items down its return mass.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

UP = "up"
DOWN = "down"
WASTE = "waste"
DIRECTIONS = (UP, DOWN, WASTE)
DIRECTION_WORDS = {UP: "up to the station", DOWN: "back to Earth", WASTE: "station waste for deorbit"}


class ProgrammeLimits(NamedTuple):
    name: str
    up_min_kg: Decimal
    up_max_kg: Decimal
    return_min_kg: Decimal
    return_max_kg: Decimal


class ManifestLine(NamedTuple):
    direction: str
    mass_kg: Decimal


def kg(value: Decimal | int) -> str:
    """1,200 kg; 12.5 kg: masses as the product writes them."""
    number = Decimal(value).quantize(Decimal("0.1"))
    text = f"{number:,.1f}"
    return (text[:-2] if text.endswith(".0") else text) + " kg"


def return_mass_problems(
    *,
    returnable: bool,
    mass_kg: Decimal,
    return_mass_kg: Decimal | None,
    programme: ProgrammeLimits | None,
) -> dict[str, str]:
    """Why the payload's masses do not hold together, per field (empty when they do)."""
    problems: dict[str, str] = {}
    if programme is not None and not programme.up_min_kg <= mass_kg <= programme.up_max_kg:
        problems["mass_kg"] = (
            f"{programme.name} carries {kg(programme.up_min_kg)} to {kg(programme.up_max_kg)} up; "
            f"this mission's up-mass is {kg(mass_kg)}."
        )
    if not returnable:
        if return_mass_kg is not None:
            problems["return_mass_kg"] = (
                f"A return mass ({kg(return_mass_kg)}) belongs to a returnable payload: tick returnable "
                "or leave the return mass empty."
            )
        return problems
    if return_mass_kg is None or return_mass_kg <= 0:
        problems["return_mass_kg"] = (
            "A returnable payload states its return mass: what comes back in the capsule, in kg."
        )
        return problems
    if programme is not None:
        if not programme.return_min_kg <= return_mass_kg <= programme.return_max_kg:
            problems["return_mass_kg"] = (
                f"{programme.name} brings {kg(programme.return_min_kg)} to {kg(programme.return_max_kg)} back; "
                f"this mission's return mass is {kg(return_mass_kg)}."
            )
    elif return_mass_kg > mass_kg:
        problems["return_mass_kg"] = (
            f"The return mass {kg(return_mass_kg)} is more than the payload's {kg(mass_kg)}: a satellite "
            "cannot bring back more than it weighs (station cargo flies under a cargo programme)."
        )
    return problems


def manifest_totals(lines: Iterable[ManifestLine]) -> dict[str, Decimal]:
    totals = dict.fromkeys(DIRECTIONS, Decimal("0"))
    for line in lines:
        totals[line.direction] += Decimal(line.mass_kg)
    return totals


def manifest_problems(
    *,
    lines: Iterable[ManifestLine],
    mass_kg: Decimal,
    return_mass_kg: Decimal | None,
    programme: ProgrammeLimits | None,
) -> list[str]:
    """Why a cargo manifest does not fit its mission (empty when it does)."""
    if programme is None:
        return ["Only a cargo mission (a payload under a cargo programme) carries a manifest."]
    totals = manifest_totals(lines)
    problems = []
    if totals[UP] > mass_kg:
        problems.append(
            f"The items up weigh {kg(totals[UP])}, more than the mission's up-mass of {kg(mass_kg)} "
            f"({kg(totals[UP] - mass_kg)} over)."
        )
    back = return_mass_kg or Decimal("0")
    if totals[DOWN] > back:
        problems.append(
            f"The items back to Earth weigh {kg(totals[DOWN])}, more than the mission's return mass of "
            f"{kg(back)} ({kg(totals[DOWN] - back)} over)."
        )
    return problems
