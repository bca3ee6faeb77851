"""A customer's finance side finds its invoices on the Payments page and downloads one as a PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from booking.models import Invoice
from customers.models import Customer, Membership

from .conftest import screenshot, sign_in
from .world import demo_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_downloads_an_invoice_pdf_from_the_payments_page(page):
    demo_world()
    overdue = Invoice.objects.get(customer__slug="gomspace", milestone__label="Ground segment fee")
    sign_in(page, "gomspace")  # the demo member is its organisation's administrator
    page.get_by_role("link", name="Payments", exact=True).first.click()
    expect(page.get_by_role("heading", name="Payments")).to_be_visible()
    row = page.locator("tr", has=page.get_by_role("link", name=overdue.number))
    expect(row.get_by_text("Overdue")).to_be_visible()
    expect(page.get_by_text("Part paid")).to_be_visible()
    expect(page.locator("a", has_text=re.compile(r"^EXP-R-\d{4}-\d{5}$")).first).to_be_visible()
    screenshot(page, "payments")

    link = page.get_by_role("link", name=overdue.number)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{overdue.number}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    assert overdue.number.encode() in content
    assert b"GomSpace A/S" in content and b"60,000.00 USD" in content

    # The answer itself: a PDF, to be saved under the invoice's number.
    response = page.request.get(f"/portal/invoices/{overdue.number}/pdf/")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{overdue.number}.pdf"'
    screenshot(page, "payments_after_download")


def test_a_mission_engineer_is_told_who_sees_payments(page):
    demo_world(with_booking=False)
    Membership.objects.filter(customer=Customer.objects.get(slug="gomspace")).update(role="mission")
    sign_in(page, "gomspace")
    page.goto("/portal/payments/")
    expect(page.get_by_text(re.compile("Only finance members, administrators"))).to_be_visible()
    screenshot(page, "payments_refused")
