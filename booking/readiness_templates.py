"""The readiness templates Launchbook ships: express 24-hour, standard campaign and cargo mission.

A step's ``offset_minutes`` is when it is due, counted from T-0 (the launch window's start):
the step should be finished by then. Its ``duration_minutes`` is how long before that it may be
worked on; an automatic check is first run when that span opens. ``grace_minutes`` is how far past
its due time a step may run before it is late, and a late or failed blocking step holds the launch.
``min_duration_minutes`` is the least time the work takes (docs/readiness.md says why each figure):
a plan may pull a step closer to T-0 when the order comes late, never below it, and
:func:`minimum_chain_minutes` is the shortest order-to-lift-off a template allows.

The data migration installs these rows and tests install them the same way, so the migration and
the tests cannot drift apart. Operators edit the installed rows in the admin afterwards; running
the installer again brings the shipped templates back to these values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, Protocol

EXPRESS_SLUG = "express-24h"
EXPRESS_RETURNABLE_SLUG = "express-24h-returnable"
STANDARD_SLUG = "standard-campaign"
CARGO_SLUG = "cargo-mission"

# Step codes the readiness services treat specially.
GO_STEP_CODE = "go-no-go"  # when it passes (and every earlier blocking step is closed) the launch goes
LAUNCH_STEP_CODE = "launch"  # signed off by marking the launch launched

MINUTE = 1
HOUR = 60
DAY = 24 * HOUR


class StepSpec(NamedTuple):
    code: str
    name: str
    offset_minutes: int
    duration_minutes: int
    owner_role: str
    check_name: str = ""  # empty: a manual sign-off
    blocking: bool = True
    grace_minutes: int = 30
    min_duration_minutes: int = 0


class TemplateSpec(NamedTuple):
    slug: str
    name: str
    service_level: str
    description: str
    steps: list[StepSpec]


# The last half hour before T-0, the same in every template.
FINAL_CHECKS = StepSpec(
    "final-checks",
    "Final checks: weather and range status",
    -30 * MINUTE,
    90 * MINUTE,
    "range",
    "weather_range",
    grace_minutes=15,
)
GO_NO_GO = StepSpec(
    GO_STEP_CODE,
    "Go/no-go poll",
    -10 * MINUTE,
    20 * MINUTE,
    "mission_control",
    "go_no_go",
    grace_minutes=5,
)

# A returnable payload: its mass checked against the return capsule before it flies (due times
# differ per template), and the capsule recovered after.
RETURN_MASS = StepSpec(
    "return-mass",
    "Return mass within the capsule's limit",
    -3 * HOUR,
    21 * HOUR,
    "system",
    "return_mass_within_limit",
    grace_minutes=30,
)
CAPSULE_RECOVERY = StepSpec(
    "capsule-recovery",
    "Return capsule recovered",
    30 * DAY,
    30 * DAY,
    "operations",
    blocking=False,
    grace_minutes=2 * DAY,
)

# Station waste for deorbit: a planned step with its mass, checked against the cargo manifest
# (the waste lines of the mission's payloads), no longer a bare sign-off.
WASTE_DEORBIT = StepSpec(
    "waste-deorbit",
    "Station waste manifested for deorbit",
    -7 * DAY,
    14 * DAY,
    "operations",
    "waste_manifested",
    grace_minutes=1 * DAY,
)

# The last two days of a campaign, the same for a satellite rideshare and a station cargo run.
CAMPAIGN_COUNTDOWN = [
    StepSpec(
        "launch-readiness-review",
        "Launch readiness review",
        -2 * DAY,
        2 * DAY,
        "mission_control",
        grace_minutes=12 * HOUR,
    ),
    FINAL_CHECKS,
    GO_NO_GO,
    StepSpec(LAUNCH_STEP_CODE, "Launch", 0, 10 * MINUTE, "mission_control", grace_minutes=2 * HOUR),
]


EXPRESS = TemplateSpec(
    EXPRESS_SLUG,
    "Express 24-hour",
    "express",
    "Order to lift-off in 24 hours from a mobile platform: the vehicle comes from ready storage, "
    "drives to the site and launches; the payload was integrated during the weeks before.",
    [
        StepSpec(
            "order-accepted",
            "Order accepted: vehicle, platform and site assigned",
            -24 * HOUR,
            30,
            "operations",
            "vehicle_assigned",
        ),
        StepSpec(
            "vehicle-released",
            "Vehicle released from storage and loaded on the TEL",
            -20 * HOUR,
            2 * HOUR,
            "operations",
        ),
        StepSpec(
            "road-transport",
            "Road transport: platform arrived on site",
            -8 * HOUR,
            12 * HOUR,
            "operations",
            "platform_on_site",
            grace_minutes=60,
        ),
        StepSpec(
            "platform-emplaced",
            "Platform emplaced, rocket erected, power-on checks",
            -6 * HOUR,
            2 * HOUR,
            "operations",
        ),
        StepSpec("payload-mated", "Payload mated and encapsulated", -2 * HOUR, 4 * HOUR, "payload"),
        FINAL_CHECKS,
        GO_NO_GO,
        StepSpec(LAUNCH_STEP_CODE, "Launch", 0, 10 * MINUTE, "mission_control", grace_minutes=60),
        StepSpec(
            "orbit-confirmation",
            "Orbit confirmation",
            1 * HOUR,
            1 * HOUR,
            "mission_control",
            "orbit_confirmed",
            blocking=False,
        ),
    ],
)

# An express order for a returnable payload: the express steps, the return mass checked before
# the payload is mated, and the capsule recovered after the flight.
_MATED = [step.code for step in EXPRESS.steps].index("payload-mated")
EXPRESS_RETURNABLE = TemplateSpec(
    EXPRESS_RETURNABLE_SLUG,
    "Express 24-hour, returnable payload",
    "express",
    "The express 24-hour order for a payload that comes back: its return mass is checked against "
    "the capsule before it is mated, and the capsule is recovered after the flight.",
    [
        *EXPRESS.steps[:_MATED],
        RETURN_MASS,
        *EXPRESS.steps[_MATED:],
        CAPSULE_RECOVERY,
    ],
)

STANDARD = TemplateSpec(
    STANDARD_SLUG,
    "Standard campaign",
    "standard",
    "A launch campaign over months: contract, interface documents, payments, payload delivery, "
    "integration, readiness review, launch and injection report.",
    [
        StepSpec(
            "contract",
            "Launch services contract signed",
            -180 * DAY,
            14 * DAY,
            "finance",
            grace_minutes=7 * DAY,
        ),
        StepSpec(
            "integration-kickoff",
            "Mission integration kick-off",
            -150 * DAY,
            14 * DAY,
            "operations",
            grace_minutes=3 * DAY,
        ),
        StepSpec(
            "icd",
            "Interface control document approved",
            -120 * DAY,
            30 * DAY,
            "payload",
            "icd_approved",
            grace_minutes=3 * DAY,
        ),
        StepSpec(
            "payload-documents",
            "Payload documents approved",
            -90 * DAY,
            30 * DAY,
            "payload",
            "documents_approved",
            grace_minutes=3 * DAY,
        ),
        StepSpec(
            "export-screening",
            "Export screening cleared",
            -90 * DAY,
            60 * DAY,
            "payload",
            "export_cleared",
            grace_minutes=3 * DAY,
        ),
        StepSpec(
            "payment-milestones",
            "Payment milestones paid",
            -60 * DAY,
            30 * DAY,
            "finance",
            "payment_paid",
            grace_minutes=5 * DAY,
        ),
        StepSpec(
            "payload-delivery",
            "Payload delivered to the launch site",
            -30 * DAY,
            14 * DAY,
            "payload",
            grace_minutes=2 * DAY,
        ),
        StepSpec(
            "mass-budget",
            "Payload mass within the vehicle's capacity",
            -14 * DAY,
            30 * DAY,
            "system",
            "mass_within_capacity",
            grace_minutes=1 * DAY,
        ),
        StepSpec(
            "vehicle-assigned",
            "Vehicle assigned",
            -10 * DAY,
            60 * DAY,
            "operations",
            "vehicle_assigned",
            grace_minutes=1 * DAY,
        ),
        StepSpec(
            "integration",
            "Payload integrated and encapsulated",
            -7 * DAY,
            7 * DAY,
            "operations",
            grace_minutes=1 * DAY,
        ),
        *CAMPAIGN_COUNTDOWN,
        StepSpec(
            "injection-report",
            "Injection report delivered",
            1 * DAY,
            1 * DAY,
            "mission_control",
            blocking=False,
            grace_minutes=1 * DAY,
        ),
    ],
)

CARGO = TemplateSpec(
    CARGO_SLUG,
    "Cargo mission",
    "",
    "Cargo to the space station and back: up-mass within capacity, return mass within the "
    "capsule's limit, station waste loaded for deorbit, and recovery of the return capsule.",
    [
        StepSpec(
            "contract",
            "Cargo services contract signed",
            -180 * DAY,
            14 * DAY,
            "finance",
            grace_minutes=7 * DAY,
        ),
        StepSpec(
            "icd",
            "Interface control document approved",
            -120 * DAY,
            30 * DAY,
            "payload",
            "icd_approved",
            grace_minutes=3 * DAY,
        ),
        StepSpec(
            "cargo-documents",
            "Cargo manifest and hazard documents approved",
            -60 * DAY,
            30 * DAY,
            "payload",
            "documents_approved",
            grace_minutes=3 * DAY,
        ),
        StepSpec(
            "payment-milestones",
            "Payment milestones paid",
            -45 * DAY,
            30 * DAY,
            "finance",
            "payment_paid",
            grace_minutes=5 * DAY,
        ),
        StepSpec(
            "up-mass",
            "Up-mass within the vehicle's capacity",
            -21 * DAY,
            60 * DAY,
            "system",
            "mass_within_capacity",
            grace_minutes=1 * DAY,
        ),
        RETURN_MASS._replace(offset_minutes=-21 * DAY, duration_minutes=60 * DAY, grace_minutes=1 * DAY),
        StepSpec(
            "cargo-delivery",
            "Cargo delivered to the launch site",
            -14 * DAY,
            14 * DAY,
            "payload",
            grace_minutes=2 * DAY,
        ),
        WASTE_DEORBIT,
        *CAMPAIGN_COUNTDOWN,
        StepSpec(
            "orbit-confirmation",
            "Orbit and docking confirmation",
            6 * HOUR,
            6 * HOUR,
            "mission_control",
            "orbit_confirmed",
            blocking=False,
        ),
        CAPSULE_RECOVERY,
    ],
)

#: The least time each shipped step's work takes, in minutes, by step code (the same work takes
#: the same time in every template). docs/readiness.md gives the reason for each figure.
MIN_DURATION_MINUTES: dict[str, int] = {
    # express: order to lift-off
    "order-accepted": 30 * MINUTE,
    "vehicle-released": 2 * HOUR,
    "road-transport": 1 * HOUR,
    "platform-emplaced": 2 * HOUR,
    "return-mass": 15 * MINUTE,
    "payload-mated": 1 * HOUR,
    # the countdown, in every template
    "launch-readiness-review": 1 * DAY,
    "final-checks": 60 * MINUTE,
    GO_STEP_CODE: 10 * MINUTE,
    LAUNCH_STEP_CODE: 0,
    # campaigns
    "contract": 7 * DAY,
    "integration-kickoff": 7 * DAY,
    "icd": 21 * DAY,
    "payload-documents": 14 * DAY,
    "cargo-documents": 14 * DAY,
    "export-screening": 14 * DAY,
    "payment-milestones": 7 * DAY,
    "payload-delivery": 7 * DAY,
    "cargo-delivery": 7 * DAY,
    "mass-budget": 1 * DAY,
    "up-mass": 1 * DAY,
    "vehicle-assigned": 1 * DAY,
    "integration": 3 * DAY,
    "waste-deorbit": 2 * DAY,
    # after lift-off (not part of the order-to-launch chain)
    "orbit-confirmation": 30 * MINUTE,
    "injection-report": 6 * HOUR,
    "capsule-recovery": 6 * HOUR,
}


def _with_minimums(spec: TemplateSpec) -> TemplateSpec:
    return spec._replace(
        steps=[step._replace(min_duration_minutes=MIN_DURATION_MINUTES[step.code]) for step in spec.steps]
    )


EXPRESS, EXPRESS_RETURNABLE, STANDARD, CARGO = (
    _with_minimums(spec) for spec in (EXPRESS, EXPRESS_RETURNABLE, STANDARD, CARGO)
)
SHIPPED_TEMPLATES = [EXPRESS, EXPRESS_RETURNABLE, STANDARD, CARGO]

#: The return capsule's steps a plan gains when a returnable payload is booked onto a launch whose
#: plan was made without them, by the plan's service level: the express return-mass check is due
#: before the payload is mated, the campaign's with the mass budget.
RETURN_STEPS: dict[str, list[StepSpec]] = {
    "express": [
        step for step in EXPRESS_RETURNABLE.steps if step.code in ("return-mass", "capsule-recovery")
    ],
    "standard": [step for step in CARGO.steps if step.code in ("return-mass", "capsule-recovery")],
}


class ChainStep(Protocol):
    """What the chain rule reads of a step: a StepSpec, a TemplateStep row or a PlanStep-like value."""

    @property
    def code(self) -> str: ...
    @property
    def offset_minutes(self) -> int: ...
    @property
    def min_duration_minutes(self) -> int: ...


def _by_due(steps: Iterable[ChainStep]) -> list[list[ChainStep]]:
    """Pre-launch steps (due by T-0) grouped by due offset, earliest first: a group works side by side."""
    groups: dict[int, list[ChainStep]] = {}
    for step in steps:
        if step.offset_minutes <= 0:
            groups.setdefault(step.offset_minutes, []).append(step)
    return [groups[offset] for offset in sorted(groups)]


def minimum_chain_minutes(steps: Iterable[ChainStep]) -> int:
    """The shortest time from order to lift-off (T-0) a template's steps allow, in minutes.

    The chain rule: steps due at the same offset are worked side by side; a step's work starts
    when every step due before it is done, and takes at least its ``min_duration_minutes``.
    Steps due after T-0 (orbit confirmation, recovery) are not part of it. The earliest window
    the planner may offer for an order is the order time plus this chain (plus the rocket's
    journey where a step waits for it).
    """
    finished = 0
    for group in _by_due(steps):
        finished += max(step.min_duration_minutes for step in group)
    return finished


def plan_offsets(steps: Sequence[ChainStep], *, lead_minutes: int) -> dict[str, int]:
    """Due offsets from T-0 (minutes, by step code) for an order placed ``lead_minutes`` before T-0.

    Each step stays at its template offset when the lead allows, and is otherwise pulled
    towards T-0 no closer than its minimum duration after the steps before it: a plan is never
    squeezed below what the work takes. Steps due after T-0 keep their offsets. Raises
    ``ValueError``, with the shortest lead in words, when ``lead_minutes`` is below the chain.
    """
    chain = minimum_chain_minutes(steps)
    if lead_minutes < chain:
        raise ValueError(
            f"the readiness steps need at least {chain // 60} h {chain % 60:02d} min from order to "
            f"lift-off; this order leaves {max(lead_minutes, 0) // 60} h {max(lead_minutes, 0) % 60:02d} min"
        )
    offsets = {step.code: step.offset_minutes for step in steps if step.offset_minutes > 0}
    previous_due = 0  # minutes after the order
    for group in _by_due(steps):
        group_due = previous_due
        for step in group:
            due = max(previous_due + step.min_duration_minutes, lead_minutes + step.offset_minutes)
            offsets[step.code] = due - lead_minutes
            group_due = max(group_due, due)
        previous_due = group_due
    return offsets


def chain_problems(steps: Sequence[ChainStep]) -> list[str]:
    """Where a template's own offsets leave a step less time than its minimum (empty: consistent).

    Checked for every shipped template by the tests, and worth running after an operator edit.
    """
    problems = []
    groups = _by_due(steps)
    for earlier, group in zip(groups, groups[1:], strict=False):
        gap = group[0].offset_minutes - earlier[0].offset_minutes
        for step in group:
            if gap < step.min_duration_minutes:
                problems.append(
                    f"{step.code}: due {gap} min after the steps before it, "
                    f"but it takes at least {step.min_duration_minutes} min"
                )
    return problems


def install_readiness_templates(
    template_model: Any, step_model: Any, specs: Sequence[TemplateSpec] = SHIPPED_TEMPLATES
) -> None:
    """Create or restore the shipped templates (``specs``, all of them by default).

    Takes the model classes so the data migrations can pass their historical models (those
    before the minimum durations existed get every other field).
    """
    has_minimums = any(field.name == "min_duration_minutes" for field in step_model._meta.get_fields())
    for spec in specs:
        template, _ = template_model.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "service_level": spec.service_level,
                "description": spec.description,
                "active": True,
            },
        )
        codes = [step.code for step in spec.steps]
        step_model.objects.filter(template=template).exclude(code__in=codes).delete()
        # Park existing rows on free positions first: (template, position) is unique.
        for index, step in enumerate(step_model.objects.filter(template=template).order_by("pk")):
            step_model.objects.filter(pk=step.pk).update(position=1000 + index)
        for position, step in enumerate(spec.steps, start=1):
            step_model.objects.update_or_create(
                template=template,
                code=step.code,
                defaults={
                    "position": position,
                    "name": step.name,
                    "offset_minutes": step.offset_minutes,
                    "duration_minutes": step.duration_minutes,
                    "owner_role": step.owner_role,
                    "kind": "automatic" if step.check_name else "manual",
                    "check_name": step.check_name,
                    "blocking": step.blocking,
                    "grace_minutes": step.grace_minutes,
                    **({"min_duration_minutes": step.min_duration_minutes} if has_minimums else {}),
                },
            )
