"""The Payments page and the invoice PDFs: a customer's finance members and administrators see and
download their own invoices; mission engineers and viewers are refused; another organisation's
invoice is a 404. Through the API the same, and only the provider's operators record payments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from booking.demo import load_catalog
from booking.models import Invoice
from booking.selectors.invoices import invoice_rows
from booking.services.invoices import invoice_issue, payment_record
from tests.customers.factories import PaymentMilestoneFactory
from tests.factories import MembershipFactory, UserFactory
from vehicles.models import ProviderOperator

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices(world):
    now = timezone.now()
    made = {}
    for name, due, paid in (
        ("paid", now + timedelta(days=5), Decimal("1000.00")),
        ("part", now + timedelta(days=5), Decimal("400.00")),
        ("due", now + timedelta(days=9), None),
        ("late", now - timedelta(days=2), None),
    ):
        milestone = PaymentMilestoneFactory(
            contract=world["contract"], label=f"Milestone {name}", amount=Decimal("1000.00"), due_at=due
        )
        invoice = invoice_issue(milestone=milestone, actor=None, now=now - timedelta(days=10))
        if paid:
            payment_record(
                invoice=invoice, amount=paid, paid_on=now.date(), reference=f"REF-{name}", actor=None
            )
        made[name] = invoice
    return made


def member(world, role):
    return MembershipFactory(
        customer=world["customer"], role=role, user=UserFactory(username=f"gom-{role}")
    ).user


def test_finance_sees_each_invoice_with_its_status(client, world, invoices):
    client.force_login(member(world, "finance"))
    page = client.get(reverse("portal:payments")).content.decode()
    for invoice in invoices.values():
        assert invoice.number in page
    assert page.count('<span class="badge ok">Paid</span>') == 1
    assert page.count('<span class="badge warn">Part paid</span>') == 1
    assert page.count('<span class="badge bad">Overdue</span>') == 1
    assert page.count('<span class="badge warn">Due</span>') == 1
    receipt = invoices["paid"].payments.get().receipt_number
    assert receipt in page
    overdue = client.get(reverse("portal:payments") + "?status=overdue").content.decode()
    assert invoices["late"].number in overdue and invoices["due"].number not in overdue


def test_finance_downloads_the_invoice_pdf_and_the_receipt(client, world, invoices):
    client.force_login(member(world, "finance"))
    invoice = invoices["part"]
    response = client.get(reverse("portal:invoice_pdf", args=[invoice.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and invoice.number.encode() in response.content
    assert b"600.00 USD" in response.content  # left to pay
    payment = invoice.payments.get()
    response = client.get(reverse("portal:receipt_pdf", args=[invoice.number, payment.receipt_number]))
    assert response.status_code == 200 and payment.receipt_number.encode() in response.content


@pytest.mark.parametrize("role", ["mission", "viewer"])
def test_members_without_a_finance_role_are_refused(client, world, invoices, role):
    client.force_login(member(world, role))
    for url in (reverse("portal:payments"), reverse("portal:invoice_pdf", args=[invoices["due"].number])):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only finance members, administrators" in response.content.decode()


def test_another_organisations_invoice_is_not_found(client, world, invoices):
    client.force_login(world["outsider"])
    response = client.get(reverse("portal:invoice_pdf", args=[invoices["due"].number]))
    assert response.status_code == 404


def test_the_booking_page_links_its_invoices(client, world):
    booking = world["booking"]
    milestone = PaymentMilestoneFactory(
        contract=world["contract"], label="Deposit", reference=booking.reference
    )
    invoice = invoice_issue(milestone=milestone, actor=None)
    assert invoice.booking == booking
    client.force_login(member(world, "admin"))
    page = client.get(reverse("portal:booking_detail", args=[booking.reference])).content.decode()
    assert reverse("portal:invoice_pdf", args=[invoice.number]) in page
    assert "Overdue" not in page


# --- the API --------------------------------------------------------------------------------------


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_lists_and_serves_invoices_to_finance(world, invoices):
    api = api_as(member(world, "finance"))
    listed = api.get("/api/v1/invoices/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    by_number = {row["number"]: row for row in rows}
    assert by_number[invoices["part"].number]["paid"] == "400.00"
    assert by_number[invoices["part"].number]["outstanding"] == "600.00"
    assert by_number[invoices["late"].number]["status"] == "overdue"
    assert by_number[invoices["paid"].number]["payments"][0]["reference"] == "REF-paid"
    response = api.get(f"/api/v1/invoices/{invoices['due'].number}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert invoices["due"].number.encode() in response.content
    refused = api.post(
        f"/api/v1/invoices/{invoices['due'].number}/payments/",
        {"amount": "10.00", "paid_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert refused.status_code == 403
    assert api_as(member(world, "mission")).get("/api/v1/invoices/").status_code == 403


def test_a_provider_operator_records_payments_through_the_api(world, invoices):
    operator = UserFactory(username="exp-ops", is_staff=True)
    ProviderOperator.objects.create(user=operator, provider=world["contract"].provider)
    api = api_as(operator)
    url = f"/api/v1/invoices/{invoices['part'].number}/payments/"
    today = timezone.localdate().isoformat()
    too_much = api.post(url, {"amount": "700.00", "paid_on": today}, format="json")
    assert too_much.status_code == 400
    assert "left to pay" in too_much.json()["detail"] and "600.00 USD" in too_much.json()["detail"]
    done = api.post(url, {"amount": "600.00", "paid_on": today, "reference": "SWIFT 9"}, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["receipt_number"].startswith("EXP-R-") or "-R-" in done.json()["receipt_number"]
    invoice = Invoice.objects.get(pk=invoices["part"].pk)
    assert invoice.paid_at is not None and invoice.milestone.paid_at is not None


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_has_a_paid_a_part_paid_a_due_and_an_overdue_invoice(db):
    load_catalog()
    first = {(i.number, i.paid_at, i.voided_at) for i in Invoice.objects.all()}
    load_catalog()  # again: nothing changes
    assert {(i.number, i.paid_at, i.voided_at) for i in Invoice.objects.all()} == first
    rows = invoice_rows(Invoice.objects.filter(customer__slug="gomspace"), now=timezone.now())
    assert sorted(str(r.status) for r in rows) == ["due", "overdue", "paid", "part_paid"]
    paid = next(r for r in rows if r.status == "paid")
    assert paid.invoice.payments.count() == 1 and paid.invoice.payments.get().receipt_number
    assert all(r.invoice.buyer_name == "GomSpace A/S" and r.invoice.seller_tax_id for r in rows)
