"""Both languages in a real browser: an operator switches the console to Chinese from the
header's picker and reads the fleet timeline, the readiness board and the schedule form in it,
then back to English; an operator reads the bookings list and its actions menu in Chinese; a customer switches the portal to Chinese on the account page (desktop
and phone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import admin_sign_in, screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHINESE_DAY = re.compile(r"\d{1,2}月\d{1,2}日")


def _admin_language(page, language: str) -> None:
    page.select_option("#language-admin", language)
    page.locator("#user-tools .language-picker button").click()
    page.wait_for_load_state("networkidle")


def test_the_console_reads_in_chinese_and_back_in_english(new_page):
    demo_world(late_step=True)
    page = new_page(1366, 768)
    admin_sign_in(page, "operator")
    page.goto("/admin/booking/launch/fleet/?days=30")
    expect(page.locator("h1")).to_contain_text("Fleet timeline")
    _admin_language(page, "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_contain_text("机队时间线")
    screenshot(page, "console_fleet_timeline_zh", full_page=False)
    page.goto("/admin/booking/readinessplan/board/")
    expect(page.locator("#content")).to_contain_text("准备看板")
    expect(page.locator("#content")).to_contain_text("筛选")
    assert CHINESE_DAY.search(page.locator("#content").inner_text()), "dates are written 12月2日"
    screenshot(page, "console_readiness_board_zh", full_page=False)
    page.goto("/admin/booking/launch/schedule/")
    expect(page.locator("#content")).to_contain_text("窗口开启")
    expect(page.locator("#content")).to_contain_text("发射场当地时间")
    screenshot(page, "console_schedule_zh", full_page=False)
    _admin_language(page, "en-gb")
    expect(page.locator("#content")).to_contain_text("Window opens")


def test_a_changelist_and_its_actions_menu_read_in_chinese(new_page):
    demo_world()
    page = new_page(1366, 768)
    admin_sign_in(page, "operator")
    page.goto("/admin/booking/booking/")
    _admin_language(page, "zh-hans")
    expect(page.locator("h1")).to_contain_text("选择 预订 来修改")
    header = page.locator("#result_list thead").inner_text()
    for column in [
        "参考号",
        "客户",
        "载荷",
        "发射",
        "状态",
        "质量",
        "价格",
        "币种",
        "已付金额",
        "保留到期时间",
    ]:
        assert column in header, f"{column} missing from the column titles: {header}"
    menu = page.locator("select[name=action] option")
    options = [text.strip() for text in menu.all_inner_texts() if text.strip() != "---------"]
    assert "确认所选保留中的预订" in options and "将所选预订改签到另一次发射" in options, options
    assert "导出所选预订（CSV）" in options, options
    english = [o for o in options if re.search(r"[A-Za-z]{3}", o) and not re.search(r"[\u3400-\u9fff]", o)]
    assert english == [], f"actions still in English: {english}"
    filters = page.locator("#changelist-filter").inner_text()
    assert "保留中" in filters and "保留已过期，尚未释放" in filters, filters
    # A native menu does not open in a headless screenshot: show its options as a list box.
    page.locator("select[name=action]").evaluate(
        "menu => { menu.size = menu.options.length; menu.style.height = 'auto'; menu.style.width = 'auto'; }"
    )
    screenshot(page, "console_bookings_actions_zh", full_page=False)
    page.locator("#result_list tbody tr").first.locator("input[type=checkbox]").check()
    page.select_option("select[name=action]", "rebook_bookings")
    page.click("button[name=index]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#content")).to_contain_text("改签到另一次发射")
    expect(page.locator("#content")).to_contain_text("调至发射")
    # The terms come first: "Rebook" appears once the page has shown what the move charges.
    expect(page.locator("input[name=apply]")).to_have_count(0)
    expect(page.locator("input[name=preview]")).to_have_value("显示条款")
    # The first launch the booking can move to: a launch it cannot take shows its refusal, no Rebook.
    for index in range(1, page.locator("select[name=launch] option").count()):
        page.locator("select[name=launch]").select_option(index=index)
        page.click("input[name=preview]")
        page.wait_for_load_state("networkidle")
        expect(page.locator("[data-terms=rebook]")).to_have_count(1)
        expect(page.locator("#content")).to_contain_text("的条款")  # "The terms of moving to …"
        if page.locator("input[name=apply]").count():
            expect(page.locator("input[name=apply]")).to_have_value("改签")
            break
    screenshot(page, "console_rebook_form_zh", full_page=False)


def test_the_portal_in_chinese_on_a_laptop_and_a_phone(page, phone):
    demo_world()
    sign_in(page, "gomspace")
    page.goto("/portal/account/")
    page.select_option("#language-account", "zh-hans")  # sends itself (data-autosubmit)
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("您的账户")
    page.goto("/portal/")
    expect(page.locator("main")).to_contain_text("发射、预订和付款一览。")
    assert CHINESE_DAY.search(page.locator("main").inner_text()), "dates are written 12月2日"
    screenshot(page, "portal-dashboard_zh")
    page.goto("/portal/bookings/")
    expect(page.locator("main")).to_contain_text("您保留、确认、已飞行或已取消的所有席位和发射。")
    screenshot(page, "portal-bookings_zh")
    sign_in(phone, "gomspace")  # the same account on another device: the choice follows it
    expect(phone.locator("main")).to_contain_text("发射、预订和付款一览。")
    screenshot(phone, "portal-phone_dashboard_zh")
