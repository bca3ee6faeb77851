"""Row locks with a short wait, so contention answers "busy, retry" instead of hanging."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction

from booking.errors import Busy
from customers.models import Customer


@contextmanager
def short_lock_wait(what: str) -> Iterator[None]:
    """Run a locking query with ``lock_timeout`` set; a timeout becomes ``Busy``.

    Caller is inside ``transaction.atomic``. On SQLite, transactions are IMMEDIATE: the write
    lock is taken at BEGIN and waits up to the connection timeout, so there is nothing to set.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("short_lock_wait needs an open transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.LAUNCHBOOK_LOCK_TIMEOUT_MS}ms"])
    try:
        yield
    except OperationalError as exc:
        text = str(exc).lower()
        if "lock" in text or "database is locked" in text:
            raise Busy(f"{what} is being changed by someone else right now; please retry.") from exc
        raise


def lock_customer(customer_id: int) -> Customer:
    """Lock one customer's row (short wait) and return it fresh.

    For counts held per customer (its webhook endpoints): two creates queue on the row, so the
    second counts what the first added. Caller is inside ``transaction.atomic``.
    """
    with short_lock_wait("the customer's account"):
        return Customer.objects.select_for_update().get(pk=customer_id)
