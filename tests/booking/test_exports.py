"""Exports: a customer's bookings, payments and events in the portal, an operator's manifests,
bookings and payments in the admin; one writer (CSV and Excel), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from openpyxl import load_workbook

from booking.models import Booking, Event
from booking.selectors.exports import Table, export_file, neutralised
from booking.services.invoices import invoice_issue
from customers.models import Membership
from tests.factories import (
    BookingFactory,
    CustomerFactory,
    LaunchFactory,
    MembershipFactory,
    PayloadFactory,
    PaymentMilestoneFactory,
    UserFactory,
    engine_world,
)
from vehicles.models import ProviderOperator

pytestmark = pytest.mark.django_db

WHEN = datetime(2030, 3, 5, 10, 0, tzinfo=UTC)


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- the writer -----------------------------------------------------------------------------------


def test_formula_starts_are_neutralised_in_csv_and_excel():
    cells = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTAB", "plain", "a=b"]
    table = Table("t", ["=header", "b", "c", "d", "e", "f", "g"], [list(cells)])
    rows = read_csv(export_file(table, file_format="csv").content)
    assert rows[0][0] == "'=header"
    assert rows[1] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tTAB", "plain", "a=b"]
    book = load_workbook(io.BytesIO(export_file(table, file_format="xlsx").content))
    sheet = book.active
    assert [c.data_type for c in sheet[2]] == ["s"] * 7  # text, never a formula
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert neutralised("-") == "'-" and neutralised("") == ""


def test_times_are_iso_utc_and_money_stays_a_number():
    table = Table("t", ["when", "amount", "currency", "none"], [[WHEN, Decimal("-1250.50"), "USD", None]])
    assert read_csv(export_file(table, file_format="csv").content)[1] == [
        "2030-03-05T10:00:00Z",
        "-1250.50",  # a number: a negative amount is not a formula
        "USD",
        "",
    ]
    xlsx = read_xlsx(export_file(table, file_format="xlsx").content)
    assert xlsx[1][0] == "2030-03-05T10:00:00Z" and xlsx[1][1] == -1250.5 and xlsx[1][2] == "USD"


def test_an_unknown_format_is_refused():
    from booking.errors import InvalidRequest

    with pytest.raises(InvalidRequest, match="choose csv or xlsx"):
        export_file(Table("t", [], []), file_format="pdf")


# --- the portal -----------------------------------------------------------------------------------


@pytest.fixture
def w(db):
    world = engine_world()
    world.booking = BookingFactory(
        reference="LB-GOM01",
        customer=world.customer,
        payload=world.payload,
        launch=world.launch,
        contract=world.contract,
        price=Decimal("1000000.00"),
        mass_kg=Decimal("100.0"),
    )
    world.milestone = PaymentMilestoneFactory(
        contract=world.contract,
        label="Deposit",
        reference="LB-GOM01",
        amount=Decimal("300000.00"),
        currency="USD",
        due_at=WHEN,
        paid_at=WHEN + timedelta(days=1),
    )
    stranger = CustomerFactory(name="Secret Sat", slug="secret-sat")
    world.stranger_booking = BookingFactory(
        reference="LB-SEC01",
        customer=stranger,
        payload=PayloadFactory(customer=stranger, name="=cmd|' /C calc'!A0"),
        launch=world.launch,
    )
    Event.objects.create(
        verb="booking.confirmed",
        actor_label="=SUM(1+1)",
        subject_type="booking",
        subject_id=world.booking.pk,
        customer=world.customer,
        message="Booking LB-GOM01 confirmed",
    )
    Event.objects.create(
        verb="booking.confirmed",
        actor_label="them",
        subject_type="booking",
        subject_id=world.stranger_booking.pk,
        customer=stranger,
        message="Booking LB-SEC01 confirmed",
    )
    return world


def member(world, role):
    return MembershipFactory(
        user=UserFactory(username=f"gom-{role}"), customer=world.customer, role=role
    ).user


def test_a_customer_exports_its_own_bookings(client, w):
    client.force_login(member(w, Membership.Role.VIEWER))
    answer = client.get(reverse("portal:export_bookings"), {"format": "csv"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].startswith('attachment; filename="bookings-')
    rows = read_csv(answer.content)
    assert rows[0][:3] == ["Reference", "Status", "Customer"]
    assert [row[0] for row in rows[1:]] == ["LB-GOM01"]  # never another customer's
    by_header = dict(zip(rows[0], rows[1], strict=True))
    assert by_header["Price"] == "1000000.00" and by_header["Currency"] == "USD"
    assert by_header["NET (UTC)"].endswith("Z") and by_header["Counted mass (kg)"] == "100.0"
    xlsx = read_xlsx(client.get(reverse("portal:export_bookings"), {"format": "xlsx"}).content)
    assert xlsx[1][0] == "LB-GOM01" and len(xlsx) == 2


def test_payments_export_is_for_finance_and_administrators(client, w):
    client.force_login(member(w, Membership.Role.FINANCE))
    rows = read_csv(client.get(reverse("portal:export_payments")).content)
    assert rows[0][:6] == ["Label", "Reference", "Amount", "Currency", "Due (UTC)", "Paid (UTC)"]
    assert rows[1][:6] == [
        "Deposit",
        "LB-GOM01",
        "300000.00",
        "USD",
        "2030-03-05T10:00:00Z",
        "2030-03-06T10:00:00Z",
    ]
    client.force_login(member(w, Membership.Role.MISSION))
    refused = client.get(reverse("portal:export_payments"))
    assert refused.status_code == 403 and "finance" in refused.content.decode()
    contracts = client.get(reverse("portal:contracts")).content.decode()
    assert reverse("portal:export_payments") not in contracts


def test_the_events_export_is_the_customers_and_neutralised(client, w):
    client.force_login(member(w, Membership.Role.VIEWER))
    rows = read_csv(client.get(reverse("portal:export_events"), {"format": "csv"}).content)
    assert [row[4] for row in rows[1:]] == ["Booking LB-GOM01 confirmed"]
    assert rows[1][2] == "'=SUM(1+1)"
    assert client.get(reverse("portal:export_events"), {"format": "pdf"}).status_code == 400


def test_the_export_links_are_on_the_pages(client, w):
    client.force_login(member(w, Membership.Role.ADMIN))
    assert (
        f"{reverse('portal:export_bookings')}?format=xlsx"
        in client.get(reverse("portal:bookings")).content.decode()
    )
    assert (
        f"{reverse('portal:export_events')}?format=csv"
        in client.get(reverse("portal:events")).content.decode()
    )
    assert reverse("portal:export_payments") in client.get(reverse("portal:contracts")).content.decode()


# --- the admin ------------------------------------------------------------------------------------


def operator_of(
    world, username="expace-ops", codenames=("view_booking", "view_launch", "view_paymentmilestone")
):
    staff = User.objects.create_user(username, password="pw", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    ProviderOperator.objects.create(user=staff, provider=world.provider)
    return staff


def run_action(client, model, action, pks):
    return client.post(
        reverse(f"admin:{model}_changelist"), {"action": action, "_selected_action": [str(pk) for pk in pks]}
    )


def test_an_operator_exports_only_its_providers_bookings(client, w):
    theirs = BookingFactory(reference="LB-OTHER", launch=LaunchFactory(name="Other provider's launch"))
    client.force_login(operator_of(w))
    answer = run_action(
        client, "booking_booking", "export_bookings_csv", [w.booking.pk, w.stranger_booking.pk, theirs.pk]
    )
    assert answer.status_code == 200
    references = sorted(row[0] for row in read_csv(answer.content)[1:])
    assert references == ["LB-GOM01", "LB-SEC01"]  # both on ExPace's launch; never another provider's


def test_an_operator_exports_a_launch_manifest(client, w):
    Booking.objects.filter(pk=w.stranger_booking.pk).update(status=Booking.Status.CANCELLED)
    client.force_login(operator_of(w))
    answer = run_action(client, "booking_launch", "export_manifest_xlsx", [w.launch.pk])
    assert answer.status_code == 200 and "spreadsheetml" in answer["Content-Type"]
    rows = read_xlsx(answer.content)
    header = rows[0]
    assert header[:7] == ["Launch", "Vehicle", "NET (UTC)", "Booking", "Status", "Customer", "Payload"]
    assert [row[3] for row in rows[1:]] == ["LB-GOM01"]  # a cancelled booking is off the manifest
    line = dict(zip(header, rows[1], strict=True))
    assert line["Customer"] == "Gomspace" and line["Payload"] == "GOMX-5A"
    assert line["Counted mass (kg)"] == 100 and line["Vehicle"] == "Kuaizhou-1A KZ1A-Y7"


def test_an_operator_exports_its_providers_payments(client, w):
    other_contract = PaymentMilestoneFactory(label="Theirs", amount=Decimal("1.00"))
    client.force_login(operator_of(w))
    answer = run_action(
        client, "customers_paymentmilestone", "export_payments_csv", [w.milestone.pk, other_contract.pk]
    )
    assert answer.status_code == 200
    assert [row[0] for row in read_csv(answer.content)[1:]] == ["Deposit"]


def test_staff_without_a_provider_cannot_export_payments(client, w):
    staff = User.objects.create_user("helpdesk", password="pw", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_paymentmilestone"))
    client.force_login(staff)
    page = client.get(reverse("admin:customers_paymentmilestone_changelist")).content.decode()
    assert "export_payments_csv" not in page


def test_the_payments_export_gives_each_milestone_its_invoice_number_and_date(client, w):
    invoice = invoice_issue(milestone=w.milestone, actor=None, now=WHEN - timedelta(days=30))
    PaymentMilestoneFactory(
        contract=w.contract, label="Balance", reference="LB-GOM01", amount=Decimal("700000.00"), due_at=WHEN
    )  # no invoice issued yet
    client.force_login(operator_of(w))
    pks = list(w.contract.milestones.values_list("pk", flat=True))

    rows = read_csv(run_action(client, "customers_paymentmilestone", "export_payments_csv", pks).content)
    assert rows[0][-2:] == ["Invoice number", "Invoiced (UTC)"]
    by_label = {row[0]: row[-2:] for row in rows[1:]}
    assert by_label == {"Deposit": [invoice.number, "2030-02-03T10:00:00Z"], "Balance": ["", ""]}

    sheet = read_xlsx(run_action(client, "customers_paymentmilestone", "export_payments_xlsx", pks).content)
    assert sheet[0][-2:] == ["Invoice number", "Invoiced (UTC)"]
    by_label = {row[0]: row[-2:] for row in sheet[1:]}
    assert by_label["Deposit"][0] == invoice.number and by_label["Balance"][0] in ("", None)
    assert str(by_label["Deposit"][1]).startswith("2030-02-03")

    client.force_login(member(w, Membership.Role.FINANCE))  # the portal's export reads the same rows
    portal = read_csv(client.get(reverse("portal:export_payments")).content)
    assert {row[0]: row[-2] for row in portal[1:]} == {"Deposit": invoice.number, "Balance": ""}
