"""Money and references: rounding to the cent, money as people read it, booking and quote
references, when a confirmed booking's payments fall due, and the terms of cancelling or moving a
booking (fee, refund, credit). Pure.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
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


# --- cancellation and rebooking terms --------------------------------------------------------------

ZERO = Decimal("0.00")

#: Delays that are not the customer's doing (``booking.models.DelayCause`` values: provider or
#: technical, weather): moving away from them costs no rebooking fee.
WAIVING_CAUSES = ("provider", "weather")
#: ``RebookTerms.waived_because`` for a move the provider made (``booking_rebook(provider_initiated=True)``).
PROVIDER_INITIATIVE = "provider_initiative"


@dataclass(frozen=True)
class FeeTier:
    """Cancelling at least ``days_before_launch`` days before the NET costs ``fee_percent`` of the price."""

    days_before_launch: int
    fee_percent: Decimal


def whole_days_before(*, launch_net: datetime, now: datetime) -> int:
    """Whole days from ``now`` to the NET, rounded down (a day short of 180 is 179); 0 once past."""
    return max((launch_net - now) // timedelta(days=1), 0)


def cancellation_fee_percent(*, tiers: Iterable[FeeTier], days_before_launch: int) -> Decimal:
    """The fee of the tier with the most days that ``days_before_launch`` still reaches (a tier
    of 180 days applies from exactly 180 days out); no tier reached, no fee."""
    reached = [tier for tier in tiers if days_before_launch >= tier.days_before_launch]
    if not reached:
        return ZERO
    return max(reached, key=lambda tier: tier.days_before_launch).fee_percent


@dataclass(frozen=True)
class CancelTerms:
    """What cancelling costs: ``fee`` (of the price), kept from what was paid; the rest of what
    was paid is ``refund``; the part of the fee not yet paid is ``owed``."""

    currency: str
    price: Decimal
    paid: Decimal
    days_before_launch: int
    fee_percent: Decimal
    fee: Decimal
    refund: Decimal
    owed: Decimal
    #: Why no fee is charged ("held", or the cause of the launch's scrub), or empty.
    no_fee_because: str

    @property
    def token(self) -> str:
        return terms_token("cancel", self.currency, self.price, self.paid, self.fee, self.refund, self.owed)


def cancellation_terms(
    *,
    price: Decimal,
    amount_paid: Decimal,
    currency: str,
    days_before_launch: int,
    tiers: Iterable[FeeTier],
    no_fee_because: str = "",
) -> CancelTerms:
    """The fee for cancelling a booking of ``price`` with ``amount_paid`` paid, ``days_before_launch``
    whole days before its NET, by the provider's ``tiers``; none when ``no_fee_because`` says why
    (``"held"``: a hold was never agreed; a delay cause: the launch was scrubbed for it)."""
    percent = (
        ZERO
        if no_fee_because
        else cancellation_fee_percent(tiers=tiers, days_before_launch=days_before_launch)
    )
    fee = money(price * percent / HUNDRED)
    return CancelTerms(
        currency=currency,
        price=money(price),
        paid=money(amount_paid),
        days_before_launch=days_before_launch,
        fee_percent=percent,
        fee=fee,
        refund=max(money(amount_paid) - fee, ZERO),
        owed=max(fee - money(amount_paid), ZERO),
        no_fee_because=no_fee_because,
    )


@dataclass(frozen=True)
class RebookTerms:
    """What moving costs: the ``fee`` (a share of what was paid, or nothing when ``waived_because``
    says why), the ``credit`` the rest carries to the new launch, the ``new_price`` there, what is
    still ``balance_due`` and, when the credit exceeds the new price, the ``refund`` of the excess."""

    currency: str
    old_price: Decimal
    new_price: Decimal
    paid: Decimal
    fee_percent: Decimal
    fee: Decimal
    credit: Decimal
    balance_due: Decimal
    refund: Decimal
    #: "provider initiative" or a delay cause (``DelayCause``) when the fee is waived, else empty.
    waived_because: str
    launch_id: int

    @property
    def token(self) -> str:
        return terms_token(
            "rebook",
            self.currency,
            self.launch_id,
            self.new_price,
            self.paid,
            self.fee,
            self.credit,
            self.balance_due,
            self.refund,
        )


def rebooking_terms(
    *,
    old_price: Decimal,
    new_price: Decimal,
    amount_paid: Decimal,
    currency: str,
    fee_percent: Decimal,
    waived_because: str,
    launch_id: int,
) -> RebookTerms:
    """The terms of moving a booking of ``old_price`` with ``amount_paid`` paid to a launch where
    its seat costs ``new_price``: the provider's ``fee_percent`` of what was paid, unless waived."""
    paid = money(amount_paid)
    percent = ZERO if waived_because else Decimal(fee_percent)
    fee = money(paid * percent / HUNDRED)
    credit = paid - fee
    new_price = money(new_price)
    return RebookTerms(
        currency=currency,
        old_price=money(old_price),
        new_price=new_price,
        paid=paid,
        fee_percent=percent,
        fee=fee,
        credit=credit,
        balance_due=max(new_price - credit, ZERO),
        refund=max(credit - new_price, ZERO),
        waived_because=waived_because,
        launch_id=launch_id,
    )


def terms_token(*figures: object) -> str:
    """A short fingerprint of the figures a customer was shown; the write compares it with the
    fingerprint of the terms it recomputes, so what was agreed is what is charged."""
    text = "|".join(str(figure) for figure in figures)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- invoices ------------------------------------------------------------------------------------


def document_prefix(
    *, invoice_prefix: str, short_name: str, provider_id: int | None = None, others: Iterable[str] = ()
) -> str:
    """What a provider's invoice numbers start with: its own prefix, else the first three letters
    of its short name ("ExPace" → "EXP"). When another provider's prefix (``others``) is the same,
    the provider's id follows it ("EXP7"), so two providers never write the same number."""
    if invoice_prefix.strip():
        prefix = invoice_prefix.strip().upper()
    else:
        prefix = re.sub(r"[^A-Za-z0-9]", "", short_name).upper()[:3] or "INV"
    if provider_id is not None and prefix in set(others):
        return f"{prefix}{provider_id}"
    return prefix


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
