"""Readiness is never squeezed below what the work takes: minimum step durations and the chain."""

from __future__ import annotations

import pytest

from booking.models import TemplateStep
from booking.readiness_templates import (
    EXPRESS,
    EXPRESS_RETURNABLE,
    HOUR,
    SHIPPED_TEMPLATES,
    STANDARD,
    StepSpec,
    chain_problems,
    minimum_chain_minutes,
    plan_offsets,
)
from tests.factories import readiness_templates

DAY = 24 * HOUR


def step(code, offset, minimum):
    return StepSpec(code, code, offset, 60, "operations", min_duration_minutes=minimum)


def test_every_shipped_step_has_a_minimum_and_the_templates_respect_them():
    for spec in SHIPPED_TEMPLATES:
        assert chain_problems(spec.steps) == [], spec.slug
        pre_launch = [s for s in spec.steps if s.offset_minutes < 0]
        assert all(s.min_duration_minutes > 0 for s in pre_launch), spec.slug


def test_an_express_order_needs_hours_not_minutes_and_fits_in_24():
    chain = minimum_chain_minutes(EXPRESS.steps)
    assert chain == 7 * HOUR + 40
    assert minimum_chain_minutes(EXPRESS_RETURNABLE.steps) == chain + 15
    assert chain < 24 * HOUR


def test_a_standard_campaign_cannot_be_booked_three_days_out():
    assert minimum_chain_minutes(STANDARD.steps) > 60 * DAY
    with pytest.raises(
        ValueError, match="at least 1657 h 10 min from order to lift-off; this order leaves 72 h 00 min"
    ):
        plan_offsets(STANDARD.steps, lead_minutes=3 * DAY)


def test_steps_due_together_are_worked_side_by_side():
    steps = [step("a", -100, 10), step("b", -50, 20), step("c", -50, 30), step("launch", 0, 0)]
    assert minimum_chain_minutes(steps) == 40
    steps.append(step("after", 60, 500))  # after lift-off: not on the order-to-launch chain
    assert minimum_chain_minutes(steps) == 40


def test_a_late_order_pulls_steps_toward_t0_but_never_below_their_minimum():
    # Six hours before lift-off is less than the express chain: refused, with the shortest lead.
    with pytest.raises(ValueError, match="need at least 7 h 40 min"):
        plan_offsets(EXPRESS.steps, lead_minutes=6 * HOUR)
    offsets = plan_offsets(EXPRESS.steps, lead_minutes=8 * HOUR)
    assert offsets["order-accepted"] == -8 * HOUR + 30
    assert offsets["payload-mated"] == -90  # mated at least 70 min before lift-off, not 30
    assert offsets["final-checks"] == -30 and offsets["go-no-go"] == -10 and offsets["launch"] == 0
    assert offsets["orbit-confirmation"] == 60
    ordered = [offsets[s.code] for s in EXPRESS.steps if s.offset_minutes <= 0]
    minimums = [s.min_duration_minutes for s in EXPRESS.steps if s.offset_minutes <= 0]
    for before, after, minimum in zip(ordered, ordered[1:], minimums[1:], strict=False):
        assert after - before >= minimum


def test_an_early_order_keeps_the_template_offsets():
    offsets = plan_offsets(EXPRESS.steps, lead_minutes=30 * HOUR)
    assert offsets == {s.code: s.offset_minutes for s in EXPRESS.steps}


def test_a_template_edit_that_leaves_too_little_time_is_named():
    steps = [step("a", -100, 10), step("b", -95, 20), step("launch", 0, 0)]
    assert chain_problems(steps) == ["b: due 5 min after the steps before it, but it takes at least 20 min"]


@pytest.mark.django_db
def test_the_installed_templates_carry_the_minimums_and_the_rows_feed_the_chain():
    readiness_templates()
    rows = list(TemplateStep.objects.filter(template__slug=EXPRESS.slug).order_by("position"))
    assert [row.min_duration_minutes for row in rows] == [s.min_duration_minutes for s in EXPRESS.steps]
    assert minimum_chain_minutes(rows) == minimum_chain_minutes(EXPRESS.steps)


@pytest.mark.django_db
def test_the_migrated_database_holds_the_shipped_minimums():
    # The data migrations installed the templates (without the test helper): 0012 set the minimums.
    row = TemplateStep.objects.get(template__slug=EXPRESS.slug, code="payload-mated")
    assert row.min_duration_minutes == 60
