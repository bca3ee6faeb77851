"""Operators in the admin, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import admin_sign_in, screenshot
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_expace_ops_cannot_see_another_providers_launches(page):
    demo_world()
    admin_sign_in(page, "expace-ops")
    dashboard = page.locator("#operator-dashboard")
    expect(dashboard).to_contain_text("Launches in the next 30 days")
    expect(dashboard).to_contain_text("Kuaizhou-1A · SSO 500 rideshare")
    expect(dashboard).not_to_contain_text("Ceres-1")
    screenshot(page, "admin_dashboard_expace_ops")
    page.goto("/admin/booking/launch/")
    expect(page.locator("#result_list")).to_contain_text("Kuaizhou-11 · SSO 700 rideshare")
    expect(page.locator("#result_list")).not_to_contain_text("Ceres-1")
    expect(page.locator("#result_list")).not_to_contain_text("Long March 6")


def test_operator_for_all_providers_sees_the_whole_fleet(page):
    demo_world(late_step=True)
    admin_sign_in(page, "operator")
    dashboard = page.locator("#operator-dashboard")
    expect(dashboard).to_contain_text("Ceres-1 · SSO 500 rideshare")
    expect(dashboard).to_contain_text("Kuaizhou-1A · SSO 500 rideshare")
    expect(dashboard.locator("#dash-late")).to_contain_text("Kuaizhou-1A · SSO 500 rideshare")
    screenshot(page, "admin_dashboard")
