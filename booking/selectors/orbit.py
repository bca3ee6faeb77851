"""Reads for the orbit rule (``booking.rules.orbit``): capacity points, sites and their corridors.

Every reader of capacity (launch capacity, quotes, availability, the planner, readiness checks,
curve changes, the portal's live check) goes through ``vehicle_capacity_kg``; every question
"does this site reach that inclination" through ``site_orbit_refusal`` / ``sites_reaching``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from booking.errors import InvalidRequest, ScheduleConflict
from booking.rules import orbit as rule
from booking.rules.orbit import CapacityRow, CapacityUnknown, SiteCorridors
from booking.selectors.catalog import KeptCatalog, kept_catalog
from booking.selectors.kept_reads import KeptReads
from vehicles.models import CapacityPoint, LaunchCorridor, LaunchSite, VehicleModel
from vehicles.selectors import vehicle_models_with_curves

_KEPT_CURVES = KeptReads(size=16)


def _curve_query(vehicle_model_id: int):
    return CapacityPoint.objects.filter(vehicle_model_id=vehicle_model_id)


def capacity_rows(vehicle_model: VehicleModel) -> list[CapacityRow]:
    """The model's capacity points as the rule reads them: prefetched rows when present, else the
    kept catalog's outside a transaction (``selectors.catalog``), else a query (its statement
    compiled once, ``selectors.kept_reads``)."""
    points: Iterable[CapacityPoint] = vehicle_model.capacity_points.all()
    if "capacity_points" not in getattr(vehicle_model, "_prefetched_objects_cache", {}):
        catalog = kept_catalog()
        kept = catalog.by_pk.get(vehicle_model.pk) if catalog is not None else None
        if kept is not None:
            points = kept.capacity_points.all()
        elif vehicle_model.pk is not None:
            points = _KEPT_CURVES.rows("curve", _curve_query, vehicle_model.pk)
    return [
        (point.orbit_family, point.altitude_km, point.inclination_deg, Decimal(point.capacity_kg))
        for point in points
    ]


def vehicle_capacity_kg(
    *,
    vehicle_model: VehicleModel,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | float | None,
) -> Decimal:
    """What ``vehicle_model`` lifts to the orbit at that inclination; ``CapacityUnknown`` if no figure."""
    return rule.capacity_kg(
        model_name=vehicle_model.name,
        rows=capacity_rows(vehicle_model),
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_deg=None if inclination_deg is None else Decimal(str(inclination_deg)),
    )


def vehicle_capacity_or_zero_kg(
    *,
    vehicle_model: VehicleModel,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | float | None,
) -> Decimal:
    """``vehicle_capacity_kg``, 0 kg where the catalog has no figure (a launch then sells nothing)."""
    try:
        return vehicle_capacity_kg(
            vehicle_model=vehicle_model,
            orbit_family=orbit_family,
            altitude_km=altitude_km,
            inclination_deg=inclination_deg,
        )
    except CapacityUnknown:
        return Decimal("0.0")


def vehicle_family_refusal(*, vehicle_model: VehicleModel, orbit_family: str) -> str | None:
    """ "Kuaizhou-1A has no GTO capacity" when the model has no point in the family; else None."""
    if any(point.orbit_family == orbit_family for point in vehicle_model.capacity_points.all()):
        return None
    return f"{vehicle_model.name} has no {orbit_family} capacity in the catalog"


def sites_with_corridors(queryset: QuerySet[LaunchSite] | None = None) -> QuerySet[LaunchSite]:
    queryset = queryset if queryset is not None else LaunchSite.objects.order_by("name")
    return queryset.prefetch_related(
        Prefetch("corridors", queryset=LaunchCorridor.objects.order_by("azimuth_from", "pk"))
    )


def site_corridors(site: LaunchSite) -> SiteCorridors:
    """The site as the rule sees it (uses prefetched corridors when present)."""
    return SiteCorridors(
        name=site.name,
        latitude_deg=Decimal(site.latitude),
        corridors=tuple((c.azimuth_from, c.azimuth_to) for c in site.corridors.all()),
    )


def site_orbit_refusal(
    *, site: LaunchSite, inclination_deg: Decimal | float, others: Iterable[LaunchSite] | None = None
) -> str | None:
    """Why ``site`` cannot fly the inclination, naming the sites that can ("…; Xichang and Wenchang do")."""
    if others is None:
        catalog = kept_catalog()
        others = catalog.sites if catalog is not None else sites_with_corridors()
    return rule.site_reach_refusal(
        site_corridors(site), inclination_deg, [site_corridors(other) for other in others]
    )


def sites_reaching(inclination_deg: Decimal | float, sites: Iterable[LaunchSite]) -> list[LaunchSite]:
    """The sites among ``sites`` whose corridors fly the inclination."""
    return [site for site in sites if rule.site_reach(site_corridors(site), inclination_deg).reachable]


def launch_orbit_refusal(
    *,
    vehicle_model: VehicleModel,
    site: LaunchSite,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | None,
    sites: Sequence[LaunchSite] | None = None,
) -> list[str]:
    """Why a launch of ``vehicle_model`` from ``site`` cannot go to this orbit; empty when it can.

    The payload's rule (``rules.orbit.target_orbit_problems``), then the vehicle's figures for the
    family and altitude, then the site's corridors. ``sites``: every site with its corridors, as
    the caller read them (the kept catalog); else they are read.
    """
    problems = list(
        rule.target_orbit_problems(
            orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg
        ).values()
    )
    if problems:
        return problems
    family = vehicle_family_refusal(vehicle_model=vehicle_model, orbit_family=orbit_family)
    if family:
        return [family[0].upper() + family[1:] + "."]
    inclination = rule.target_inclination_deg(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg
    )
    try:
        vehicle_capacity_kg(
            vehicle_model=vehicle_model,
            orbit_family=orbit_family,
            altitude_km=altitude_km,
            inclination_deg=inclination,
        )
    except CapacityUnknown as exc:
        problems.append(str(exc)[0].upper() + str(exc)[1:] + ".")
    if inclination is not None:
        read = next((other for other in sites or () if other.pk == site.pk), None)
        if read is None:
            read = sites_with_corridors(LaunchSite.objects.filter(pk=site.pk)).get()
        refusal = site_orbit_refusal(site=read, inclination_deg=inclination, others=sites)
        if refusal:
            problems.append(refusal + ".")
    return problems


def refuse_launch_orbit(
    *,
    vehicle_model: VehicleModel,
    site: LaunchSite,
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | float | None,
    sites: Sequence[LaunchSite] | None = None,
) -> None:
    """``launch_orbit_refusal`` as the scheduling services raise it: ``InvalidRequest`` for an
    orbit no booking may ask for, ``ScheduleConflict`` for one this vehicle or site cannot fly."""
    inclination = None if inclination_deg is None else Decimal(str(inclination_deg))
    target = rule.target_orbit_problems(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination
    )
    if target:
        messages = list(target.values())
        raise InvalidRequest(messages[0], reasons=messages)
    if inclination is None and orbit_family != "SSO":
        # A payload may leave it open; a launch flies one plane.
        raise InvalidRequest(gettext("An inclination is needed for orbits other than SSO."))
    refusals = launch_orbit_refusal(
        vehicle_model=vehicle_model,
        site=site,
        orbit_family=orbit_family,
        altitude_km=altitude_km,
        inclination_deg=inclination,
        sites=sites,
    )
    if refusals:
        raise ScheduleConflict(" ".join(refusals), reasons=refusals)


@dataclass
class CatalogOrbitReview:
    """What the catalog says about an orbit: ``problems`` (per field, refuse) and ``warnings``."""

    inclination_deg: Decimal | None = None
    problems: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    reaching_sites: list[str] = field(default_factory=list)
    heaviest: tuple[Decimal, str] | None = None


def _catalog_capacities(
    models: Sequence[VehicleModel], orbit_family: str, altitude_km: int, inclination: Decimal | None
) -> tuple[list[tuple[Decimal, str]], list[str]]:
    """(kg, model) of every model with a figure there, and the missing-data reasons."""
    lifted: list[tuple[Decimal, str]] = []
    missing: list[str] = []
    for model in models:
        if vehicle_family_refusal(vehicle_model=model, orbit_family=orbit_family):
            continue
        try:
            kg = vehicle_capacity_kg(
                vehicle_model=model,
                orbit_family=orbit_family,
                altitude_km=altitude_km,
                inclination_deg=inclination,
            )
        except CapacityUnknown as exc:
            missing.append(str(exc))
            continue
        lifted.append((kg, model.name))
    return lifted, missing


def _lower_altitude_taking(
    models: Sequence[VehicleModel],
    orbit_family: str,
    altitude_km: int,
    inclination_deg: Decimal | None,
    mass_kg: Decimal,
) -> str | None:
    """The highest altitude below ``altitude_km`` some vehicle lifts ``mass_kg`` to, in words."""
    altitudes = sorted(
        {p.altitude_km for m in models for p in m.capacity_points.all() if p.orbit_family == orbit_family},
        reverse=True,
    )
    for altitude in (a for a in altitudes if a < altitude_km):
        inclination = rule.target_inclination_deg(
            orbit_family=orbit_family,
            altitude_km=altitude,
            inclination_deg=None if orbit_family == "SSO" else inclination_deg,
        )
        lifted, _ = _catalog_capacities(models, orbit_family, altitude, inclination)
        if lifted and max(lifted)[0] >= mass_kg:
            kg, name = max(lifted)
            return f"{name} lifts {rule.fmt_kg(kg)} kg to {rule.orbit_text(orbit_family, altitude)}"
    return None


def _altitude_problem(orbit_family: str, altitude_km: int, missing: Sequence[str]) -> str:
    altitudes = sorted(
        CapacityPoint.objects.filter(orbit_family=orbit_family, vehicle_model__active=True).values_list(
            "altitude_km", flat=True
        )
    )
    if not altitudes:
        return f"No vehicle in the catalog flies to {orbit_family}."
    if altitudes[0] <= altitude_km <= altitudes[-1] and missing:
        return missing[0][0].upper() + missing[0][1:] + "."
    return (
        f"No vehicle in the catalog reaches {orbit_family} {altitude_km:,} km: "
        f"capacities are known from {altitudes[0]:,} to {altitudes[-1]:,} km."
    )


@dataclass(frozen=True)
class _OrbitReach:
    """What a review finds of an orbit whatever the mass: kept per catalog version."""

    problems: dict[str, str]
    inclination_deg: Decimal | None
    reaching_sites: list[str]
    lifted: list[tuple[Decimal, str]]


def catalog_orbit_review(
    *, orbit_family: str, altitude_km: int, inclination_deg: Decimal | None, mass_kg: Decimal | None = None
) -> CatalogOrbitReview:
    """Can the catalog fly this orbit, and lift this mass there?

    Problems (the orbit cannot be registered): the target orbit rule, no vehicle with a figure
    for the family and altitude, no site whose corridors reach the inclination. Warnings (it
    registers, but nothing sells it yet): the mass is more than any vehicle lifts there. What does
    not depend on the mass is worked out once per orbit and catalog version (every payload
    registered asks it).
    """
    catalog = kept_catalog()
    # The inclination as written: 97.4 and 97.40 are equal, but a refusal quotes what was sent.
    orbit = (orbit_family, altitude_km, None if inclination_deg is None else str(inclination_deg))
    reach = catalog.orbit_reach.get(orbit) if catalog is not None else None
    if reach is None:
        reach = _orbit_reach(catalog, orbit_family, altitude_km, inclination_deg)
        if catalog is not None:
            catalog.orbit_reach[orbit] = reach  # two threads may both work it out: the same answer
    review = CatalogOrbitReview(
        inclination_deg=reach.inclination_deg,
        problems=dict(reach.problems),
        reaching_sites=list(reach.reaching_sites),
    )
    if not reach.lifted:
        return review
    review.heaviest = max(reach.lifted)
    if mass_kg is not None and mass_kg > review.heaviest[0]:
        models = _active_models(catalog)
        review.warnings.append(
            f"No vehicle in the catalog lifts more than {rule.fmt_kg(review.heaviest[0])} kg to "
            f"{rule.orbit_text(orbit_family, altitude_km)} (the most is on {review.heaviest[1]}); "
            f"a {rule.fmt_kg(mass_kg)} kg payload registers, but no launch can take it yet."
        )
        lower = _lower_altitude_taking(models, orbit_family, altitude_km, inclination_deg, mass_kg)
        if lower:
            review.warnings.append(f"Lower would work: {lower}.")
    return review


def _active_models(catalog: KeptCatalog | None) -> list[VehicleModel]:
    """The active models with their curves: the kept catalog's, else read now (1 query + prefetch)."""
    if catalog is not None:
        return catalog.active_models
    return list(vehicle_models_with_curves().filter(active=True).order_by("name"))


def _orbit_reach(
    catalog: KeptCatalog | None, orbit_family: str, altitude_km: int, inclination_deg: Decimal | None
) -> _OrbitReach:
    """The mass-free part of ``catalog_orbit_review``: the orbit rule's problems, the sites that
    reach it, what each vehicle lifts there (or why the catalog cannot fly it)."""
    problems = rule.target_orbit_problems(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg
    )
    if problems:
        return _OrbitReach(problems, None, [], [])
    inclination = rule.target_inclination_deg(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg
    )
    reaching_sites: list[str] = []
    if inclination is not None:
        sites = list(catalog.sites) if catalog is not None else list(sites_with_corridors())
        # North to south, as the map reads (and as the refusals name them).
        reaching = sorted(sites_reaching(inclination, sites), key=lambda site: (-site.latitude, site.name))
        reaching_sites = [site.name for site in reaching]
        if sites and not reaching_sites:
            problems["inclination_deg"] = rule.no_site_refusal(
                inclination, [site_corridors(site) for site in sites]
            )
    lifted, missing = _catalog_capacities(_active_models(catalog), orbit_family, altitude_km, inclination)
    if not lifted:
        problem = _altitude_problem(orbit_family, altitude_km, missing)
        problems.setdefault(
            "family" if problem.endswith(f"flies to {orbit_family}.") else "altitude_km", problem
        )
    return _OrbitReach(problems, inclination, reaching_sites, lifted)
