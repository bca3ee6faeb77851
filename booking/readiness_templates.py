"""The readiness templates Launchbook ships: express 24-hour, standard campaign and cargo mission.

A step's ``offset_minutes`` is when it is due, counted from T-0 (the launch window's start):
the step should be finished by then. Its ``duration_minutes`` is how long before that it may be
worked on; an automatic check is first run when that span opens. ``grace_minutes`` is how far past
its due time a step may run before it is late, and a late or failed blocking step holds the launch.

The data migration installs these rows and tests install them the same way, so the migration and
the tests cannot drift apart. Operators edit the installed rows in the admin afterwards; running
the installer again brings the shipped templates back to these values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

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
        StepSpec(
            "waste-deorbit",
            "Station waste manifested for deorbit",
            -7 * DAY,
            14 * DAY,
            "operations",
            grace_minutes=1 * DAY,
        ),
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

SHIPPED_TEMPLATES = [EXPRESS, EXPRESS_RETURNABLE, STANDARD, CARGO]


def install_readiness_templates(
    template_model: Any, step_model: Any, specs: Sequence[TemplateSpec] = SHIPPED_TEMPLATES
) -> None:
    """Create or restore the shipped templates (``specs``, all of them by default).

    Takes the model classes so the data migrations can pass their historical models.
    """
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
                },
            )
