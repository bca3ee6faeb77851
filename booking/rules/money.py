"""Money and references: rounding to the cent, money as people read it, booking and quote
references, and when a confirmed booking's payments fall due. Pure.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

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


@dataclass(frozen=True)
class MilestoneDueDates:
    deposit_due_at: datetime
    balance_due_at: datetime


def milestone_due_dates(
    *, confirmed_at: datetime, launch_net: datetime, balance_days_before_launch: int, notice_days: int
) -> MilestoneDueDates:
    """When a booking confirmed at ``confirmed_at`` pays its deposit and its balance.

    The deposit is due after the provider's notice (``notice_days``); the balance
    ``balance_days_before_launch`` days before the NET, never before the deposit. Neither falls
    due after the NET: a launch that flies sooner than the notice is paid for by its NET. So a
    booking confirmed close to its launch is never overdue the moment it exists.
    """
    deadline = max(launch_net, confirmed_at)
    deposit_due_at = min(confirmed_at + timedelta(days=notice_days), deadline)
    balance_target = launch_net - timedelta(days=balance_days_before_launch)
    balance_due_at = min(max(balance_target, deposit_due_at), deadline)
    return MilestoneDueDates(deposit_due_at=deposit_due_at, balance_due_at=balance_due_at)
