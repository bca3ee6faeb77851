"""An operator slips a launch in the admin; the customer's portal shows the new time."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from booking.models import Launch

from .conftest import admin_sign_in, screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_slips_a_launch_and_the_customer_sees_the_new_time(new_page):
    world = demo_world()
    launch = world["kz1a"]
    # A sun-synchronous plane keeps its daily launch time: the window moves by whole days.
    new_start = (launch.window_start + timedelta(days=2)).astimezone(UTC)

    operator = new_page()
    admin_sign_in(operator, "expace-ops")
    operator.goto("/admin/booking/launch/")
    row = operator.locator("#result_list tr", has_text=launch.name)
    row.locator("input.action-select").check()
    operator.select_option("select[name=action]", "slip_launch")
    operator.get_by_role("button", name="Go").click()
    operator.fill("#id_window_start", new_start.strftime("%Y-%m-%d %H:%M"))
    operator.select_option("#id_cause", "weather")
    screenshot(operator, "admin_slip_form")
    operator.locator("input[name=apply]").click()
    expect(operator.locator("ul.messagelist")).to_contain_text(launch.name)
    launch.refresh_from_db()
    assert launch.window_start == new_start

    # The schedule timeline of the launch's platform shows the new slot.
    operator.goto(f"/admin/booking/launch/timeline/platform/{launch.platform_id}/")
    expect(operator.get_by_text(launch.name).first).to_be_visible()
    screenshot(operator, "schedule_timeline")

    customer = new_page()
    sign_in(customer, "gomspace")
    local = Launch.objects.get(pk=launch.pk).net.astimezone(ZoneInfo(world["gomspace"].time_zone))
    expect(customer.locator(".hero")).to_contain_text(local.strftime("%-d %b %Y, %H:%M"))
    customer.goto(f"/portal/bookings/{world['booking'].reference}/")
    expect(customer.get_by_text("launch.slipped").first).to_be_visible()
    screenshot(customer, "portal_after_slip")
