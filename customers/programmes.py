"""The cargo programmes Launchbook ships: the migration installs them, the demo loader and tests
restore them the same way, so the figures live here once (sources in docs/catalog.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CMSA_SLUG = "cmsa-station-cargo"

# CMSA's call for commercial cargo to the space station (seed article 002): 1-4 t up, 100-300 kg
# returned in a capsule that is easy to track and recover, station waste removed and deorbited.
CMSA_PROGRAMME: dict[str, Any] = {
    "name": "CMSA commercial cargo to the space station",
    "up_mass_min_kg": Decimal("1000.0"),
    "up_mass_max_kg": Decimal("4000.0"),
    "return_mass_min_kg": Decimal("100.0"),
    "return_mass_max_kg": Decimal("300.0"),
    "source": "CMSA call for low-cost cargo transportation proposals, January 2021, as reported by "
    "SpaceNews, August 2021 (1-4 t up, 100-300 kg returned)",
}

SHIPPED_PROGRAMMES = {CMSA_SLUG: CMSA_PROGRAMME}


def install_cargo_programmes(programme_model: Any) -> None:
    """Create or restore the shipped programmes; takes the model so migrations pass their own."""
    for slug, values in SHIPPED_PROGRAMMES.items():
        programme_model.objects.update_or_create(slug=slug, defaults=values)
