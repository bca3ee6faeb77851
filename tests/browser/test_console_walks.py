"""The operations console in a real browser: the fleet timeline (a launch's dialog, the slip
action, the lanes refreshing when the schedule changes), the readiness board at 20 launches on a
laptop screen (a step waived from its dialog) and the schedule form filled from a plan."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from booking.models import Launch, PlanStep, ReadinessPlan
from booking.services import readiness
from booking.services.scheduling import launch_slip
from tests.factories import LaunchFactory

from .conftest import admin_sign_in, screenshot
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fleet_timeline_opens_a_launch_slips_it_and_refreshes_itself(new_page):
    world = demo_world()
    launch = world["kz1a"]
    page = new_page(1366, 768)
    admin_sign_in(page, "operator")
    page.goto("/admin/booking/launch/fleet/?days=30")
    lanes = page.locator("#fleet-lanes")
    expect(lanes).to_contain_text("Mobile platforms")
    expect(lanes).to_contain_text("Ranges")
    bar = lanes.locator(f'a.seg.window[data-launch="{launch.pk}"]').first
    expect(bar).to_be_visible()
    screenshot(page, "console_fleet_timeline", full_page=False)

    bar.click()
    dialog = page.locator("#launch-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(launch.name)
    screenshot(page, "console_fleet_launch_dialog", full_page=False)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # Someone slips the launch elsewhere: the next poll brings the new window in.
    before = page.locator("#fleet-lanes").get_attribute("data-marker")
    launch_slip(
        launch=Launch.objects.get(pk=launch.pk),
        window_start=launch.window_start + timedelta(days=1),
        window_end=None,
        net_precision=None,
        cascade=True,
        actor=None,
        cause="provider",
    )
    page.evaluate("document.getElementById('fleet-lanes').pollNow()")
    page.wait_for_function(
        "(m) => document.getElementById('fleet-lanes').getAttribute('data-marker') !== m", arg=before
    )

    page.locator(f'a.seg.window[data-launch="{launch.pk}"]').first.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Slip…").click()
    expect(page.locator("#content")).to_contain_text("Slip launch")
    expect(page.locator("#content")).to_contain_text(launch.name)


def _twenty_campaigns() -> None:
    """Enough active launches for a busy board: the demo's, and express campaigns beside it."""
    now = timezone.now().replace(microsecond=0)
    for n in range(20 - ReadinessPlan.objects.filter(status="active").count()):
        t0 = now + timedelta(hours=9 + 7 * n)
        launch = cast(
            Launch,
            LaunchFactory(
                name=f"Campaign {n + 1:02d} · SSO 500",
                service_level="express",
                window_start=t0,
                window_end=t0 + timedelta(hours=1),
                net=t0,
            ),
        )
        plan = readiness.plan_start(launch=launch, actor=None)
        PlanStep.objects.filter(plan=plan, due_at__lt=now).update(status="done", wake_at=None)
        if n % 6 == 2:
            step = plan.steps.filter(status="pending").order_by("position").first()
            assert step is not None
            readiness.step_fail(step=step, actor=None, note="telemetry link down")


def test_the_readiness_board_reads_at_twenty_launches_and_a_step_is_waived_in_its_dialog(new_page):
    demo_world(late_step=True)
    _twenty_campaigns()
    page = new_page(1366, 768)
    admin_sign_in(page, "operator")
    page.goto("/admin/booking/readinessplan/board/")
    board = page.locator("#readiness-board")
    expect(board.locator("tbody tr")).to_have_count(20)
    screenshot(page, "console_readiness_board", full_page=False)
    screenshot(page, "console_readiness_board_full")

    expect(board.locator("tbody tr").first).to_have_class("holding")
    chip = board.locator("button.chip.failed").first
    chip.click()
    dialog = page.locator("#step-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("textarea[name=note]").fill("Backup link checked by range safety")
    screenshot(page, "console_readiness_step_dialog", full_page=False)
    dialog.get_by_role("button", name="Waive").click()
    expect(page.locator(".messagelist")).to_contain_text("is waived")
    assert PlanStep.objects.filter(note="Backup link checked by range safety", status="waived").count() == 1

    page.select_option("select[name=status]", "hold")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#readiness-board tbody")).not_to_contain_text("Campaign 04")


def test_the_schedule_form_is_filled_from_a_plan_and_schedules_it(new_page):
    demo_world()
    page = new_page(1366, 900)
    admin_sign_in(page, "operator")
    page.goto("/admin/booking/launch/schedule/")
    today = timezone.now().date()
    planner = page.locator("#planner")
    planner.locator("select[name=plan-orbit_family]").select_option("SSO")
    planner.locator("input[name=plan-altitude_km]").fill("500")
    planner.locator("input[name=plan-earliest]").fill(str(today + timedelta(days=75)))
    planner.locator("input[name=plan-latest]").fill(str(today + timedelta(days=110)))
    planner.get_by_role("button", name="Find plans").click()
    screenshot(page, "console_schedule_plans")
    expect(planner.locator("ol li").first).to_be_visible()
    planner.get_by_role("link", name="Use this plan").first.click()
    form = page.locator("#schedule-form")
    expect(form.locator("input[name=window_start]")).not_to_have_value("")
    expect(form.locator("select[name=vehicle_model]")).not_to_have_value("")
    screenshot(page, "console_schedule_from_plan")
    form.locator("input[name=name]").fill("Planned from the console")
    form.get_by_role("button", name="Schedule").click()
    expect(page.locator(".messagelist")).to_contain_text("Planned from the console scheduled.")
    assert Launch.objects.filter(name="Planned from the console").exists()
