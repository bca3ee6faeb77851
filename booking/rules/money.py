"""Money and references: rounding to the cent, money as people read it, booking and quote
references. Pure.
"""

from __future__ import annotations

import secrets
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
