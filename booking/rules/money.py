"""Money and references: rounding to the cent, money as people read it, booking and quote
references, and when a confirmed booking's payments fall due. Pure.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


HUNDRED = Decimal("100")


# Unambiguous characters for references people read out on the phone (no 0/O, 1/I).
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def money(amount: Decimal) -> Decimal:
    """Round to cents, half up."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(amount: Decimal, currency: str) -> str:
    return f"{money(amount):,.2f} {currency}"


def new_reference(prefix: str, length: int = 6) -> str:
    """e.g. "Q-7KX2MD". Random; the unique index is the backstop against a collision."""
    return prefix + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))


#: The shortest notice a customer gets to pay a new milestone (unless the launch flies sooner).
MINIMUM_NOTICE = timedelta(days=1)


@dataclass(frozen=True)
class MilestoneDueDates:
    deposit_due_at: datetime
    balance_due_at: datetime


def milestone_due_dates(
    *, confirmed_at: datetime, launch_net: datetime, balance_days_before_launch: int, notice_days: int
) -> MilestoneDueDates:
    """When a booking confirmed at ``confirmed_at`` pays its deposit and its balance.

    The deposit is due after the provider's notice (``notice_days``, at least ``MINIMUM_NOTICE``); the balance
    ``balance_days_before_launch`` days before the NET, never before the deposit. Neither falls
    due after the NET: a launch that flies sooner than the notice is paid for by its NET. So a
    booking confirmed close to its launch is never overdue the moment it exists.
    """
    deadline = max(launch_net, confirmed_at)
    # A provider's notice of 0 days would make the deposit due the moment it exists, and overdue a
    # minute later: the notice is never shorter than MINIMUM_NOTICE.
    notice = max(timedelta(days=notice_days), MINIMUM_NOTICE)
    deposit_due_at = min(confirmed_at + notice, deadline)
    balance_target = launch_net - timedelta(days=balance_days_before_launch)
    balance_due_at = min(max(balance_target, deposit_due_at), deadline)
    return MilestoneDueDates(deposit_due_at=deposit_due_at, balance_due_at=balance_due_at)


# --- invoices ------------------------------------------------------------------------------------


def document_prefix(*, invoice_prefix: str, short_name: str) -> str:
    """What a provider's invoice numbers start with: its own prefix, else the first three letters
    of its short name ("ExPace" → "EXP")."""
    if invoice_prefix.strip():
        return invoice_prefix.strip().upper()
    letters = re.sub(r"[^A-Za-z0-9]", "", short_name).upper()
    return letters[:3] or "INV"


def invoice_number(*, prefix: str, year: int, sequence: int) -> str:
    """e.g. "EXP-2026-00042": the provider's prefix, the year, the year's sequence."""
    return f"{prefix}-{year}-{sequence:05d}"


def receipt_number(*, prefix: str, year: int, sequence: int) -> str:
    """e.g. "EXP-R-2026-00007": receipts count on their own, per provider and year."""
    return f"{prefix}-R-{year}-{sequence:05d}"


class InvoiceStatus(StrEnum):
    PAID = "paid"
    PART_PAID = "part_paid"
    DUE = "due"
    OVERDUE = "overdue"
    VOID = "void"


def invoice_status(
    *, amount: Decimal, paid: Decimal, due_at: datetime, voided: bool, now: datetime
) -> InvoiceStatus:
    """Paid once nothing is left to pay; overdue while something is left after the due time
    (partly paid or not); part paid or due before it. A void invoice is only void."""
    if voided:
        return InvoiceStatus.VOID
    if paid >= amount:
        return InvoiceStatus.PAID
    if due_at < now:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.PART_PAID if paid > 0 else InvoiceStatus.DUE
