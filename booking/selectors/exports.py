"""Exports: bookings, payments, events and launch manifests as CSV or Excel files, one module for
the portal (a customer's own rows) and the admin (an operator's provider's rows).

Callers pass the rows already scoped by who asks (the portal: the customer acted for; the admin:
its provider-scoped querysets); this module only reads and writes them. Values are written for
machines and spreadsheets alike: times in ISO 8601 UTC ("2030-03-05T10:00:00Z"), money as a
number with its currency in a column of its own, masses in kg as numbers. A text cell starting
with = + - @ (or a tab or carriage return) is prefixed with an apostrophe, so no spreadsheet runs
it as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from booking.dates import day_iso, iso_utc
from booking.errors import InvalidRequest
from booking.models import Booking, Event, Invoice, Launch
from booking.selectors.capacity import capacity_taking_q
from booking.selectors.fit import launch_label
from customers.models import Customer, PaymentMilestone

Cell = str | Decimal | int | datetime | bool | None

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
#: What a spreadsheet would read as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str  # the file's name, without date or extension: "bookings"
    headers: Sequence[str | Promise]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


# --- the rows -------------------------------------------------------------------------------------


def bookings_table(bookings: QuerySet[Booking]) -> Table:
    rows = bookings.select_related(
        "customer", "payload", "launch__provider", "launch__vehicle", "launch_port", "contract"
    ).order_by("created_at", "pk")
    return Table(
        "bookings",
        [
            _("Reference"),
            _("Status"),
            _("Customer"),
            _("Payload"),
            _("Launch"),
            _("Provider"),
            _("NET (UTC)"),
            _("Counted mass (kg)"),
            _("Port"),
            _("Price"),
            _("Paid"),
            _("Currency"),
            _("Contract"),
            _("Created (UTC)"),
        ],
        [
            [
                b.reference,
                b.get_status_display(),
                b.customer.name,
                b.payload.name,
                b.launch.name,
                str(b.launch.provider),
                b.launch.net,
                b.mass_kg,
                b.launch_port.get_kind_display() if b.launch_port else "",
                b.price,
                b.amount_paid,
                b.currency,
                b.contract.reference if b.contract else "",
                b.created_at,
            ]
            for b in rows
        ],
    )


def customer_milestones(*, customer: Customer) -> QuerySet[PaymentMilestone]:
    """Every payment milestone of the customer's contracts, paid or not."""
    return PaymentMilestone.objects.filter(contract__customer=customer)


@dataclass(frozen=True)
class PaymentRow:
    label: str
    reference: str
    amount: Decimal
    currency: str
    due_at: datetime
    paid_at: datetime | None
    contract: str
    customer: str
    provider: str
    invoice_number: str
    invoiced_at: datetime | None


def _payment_row(milestone: PaymentMilestone) -> PaymentRow:
    try:
        invoice: Invoice | None = milestone.invoice
    except Invoice.DoesNotExist:  # none issued yet: the reverse one-to-one raises
        invoice = None
    return PaymentRow(
        label=milestone.label,
        reference=milestone.reference,
        amount=milestone.amount,
        currency=milestone.currency,
        due_at=milestone.due_at,
        paid_at=milestone.paid_at,
        contract=milestone.contract.reference,
        customer=milestone.contract.customer.name,
        provider=str(milestone.contract.provider),
        invoice_number=invoice.number if invoice else "",
        invoiced_at=invoice.issued_at if invoice else None,
    )


def payment_rows(milestones: QuerySet[PaymentMilestone]) -> list[PaymentRow]:
    """THE read of payments for an export: one row per milestone, due first, with its invoice's
    number and date once issued. Whatever else a payment comes to carry is added here, and both
    the portal's and the admin's exports follow."""
    rows = milestones.select_related("contract__customer", "contract__provider", "invoice")
    return [_payment_row(m) for m in rows.order_by("due_at", "pk")]


def payments_table(milestones: QuerySet[PaymentMilestone]) -> Table:
    return Table(
        "payments",
        [
            _("Label"),
            _("Reference"),
            _("Amount"),
            _("Currency"),
            _("Due (UTC)"),
            _("Paid (UTC)"),
            _("Contract"),
            _("Customer"),
            _("Provider"),
            _("Invoice number"),
            _("Invoiced (UTC)"),
        ],
        [
            [
                r.label,
                r.reference,
                r.amount,
                r.currency,
                r.due_at,
                r.paid_at,
                r.contract,
                r.customer,
                r.provider,
                r.invoice_number,
                r.invoiced_at,
            ]
            for r in payment_rows(milestones)
        ],
    )


def events_table(events: QuerySet[Event]) -> Table:
    rows = events.select_related("launch").order_by("created_at", "pk")
    return Table(
        "events",
        [_("When (UTC)"), _("What"), _("Who"), _("Launch"), _("Details")],
        [[e.created_at, e.verb, e.actor_label, e.launch.name if e.launch else "", e.message] for e in rows],
    )


def manifest_table(launches: QuerySet[Launch], *, now: datetime | None = None) -> Table:
    """The launches' manifests: each booking that takes capacity (``capacity_taking_q``), with
    payload, masses, port and customer, by launch and then port."""
    now = now or timezone.now()
    bookings = (
        Booking.objects.filter(capacity_taking_q(now=now), launch__in=launches)
        .select_related("customer", "payload", "launch__vehicle", "launch_port", "adapter")
        .order_by("launch__net", "launch_id", "launch_port__kind", "reference")
    )
    return Table(
        "manifest",
        [
            _("Launch"),
            _("Vehicle"),
            _("NET (UTC)"),
            _("Booking"),
            _("Status"),
            _("Customer"),
            _("Payload"),
            _("Payload mass (kg)"),
            _("Adapter mass (kg)"),
            _("Counted mass (kg)"),
            _("Port"),
            _("Adapter"),
        ],
        [
            [
                b.launch.name,
                launch_label(b.launch),
                b.launch.net,
                b.reference,
                b.get_status_display(),
                b.customer.name,
                b.payload.name,
                b.mass_kg - b.adapter_mass_kg,
                b.adapter_mass_kg,
                b.mass_kg,
                b.launch_port.get_kind_display() if b.launch_port else "",
                b.adapter.name if b.adapter else "",
            ]
            for b in bookings
        ],
    )


# --- the writer -----------------------------------------------------------------------------------


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs: an apostrophe before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _value(cell: Cell) -> str | Decimal | int:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, datetime):
        return iso_utc(cell)
    if isinstance(cell, Decimal | int):
        return cell
    return neutralised(str(cell))


def _lines(table: Table) -> Iterable[list[str | Decimal | int]]:
    yield [neutralised(str(header)) for header in table.headers]
    for row in table.rows:
        yield [_value(cell) for cell in row]


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheets read names in any script."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in _lines(table):
        writer.writerow(line)
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(table: Table) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.name[:31])
    for line in _lines(table):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_file(table: Table, *, file_format: str, now: datetime | None = None) -> ExportFile:
    """The table as a file of ``file_format`` ("csv" or "xlsx"), named for the table and the day."""
    if file_format not in FORMATS:
        raise InvalidRequest(
            _("unknown export format %(format)r: choose csv or xlsx") % {"format": file_format}
        )
    content_type, extension = FORMATS[file_format]
    content = table_csv(table) if file_format == "csv" else table_xlsx(table)
    day = day_iso((now or timezone.now()).astimezone(UTC))
    return ExportFile(content, content_type, f"{table.name}-{day}.{extension}")
