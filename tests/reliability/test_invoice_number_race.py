"""40 invoices of one provider issued at the same instant, one of them rolled back: the numbers run
1, 2, 3, … without a gap or a duplicate.

Runs on PostgreSQL with real concurrent transactions (one connection per thread). The negative
control replaces the series lock (``booking.services.locking.lock_number_series``, the documented
seam) with an unlocked read and widens the window between reading the last number and saving the
next: then the same race hands one number to several invoices, which shows the test would catch
a missing lock.
"""

from __future__ import annotations

import contextlib
import threading
import time
from functools import partial

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.errors import Busy
from booking.models import Invoice, NumberSeries
from booking.services import invoices as invoice_services
from booking.services import locking
from tests.customers.factories import ContractFactory, PaymentMilestoneFactory
from tests.factories import engine_world
from tests.reliability.racing import race, sort_outcomes

THREADS = 40
ROLLED_BACK = 7  # this racer's transaction fails after its invoice took a number


class RolledBack(Exception):
    pass


def _milestones():
    world = engine_world()
    contract = ContractFactory(customer=world.customer, provider=world.provider, reference="RACE-1")
    return world, [
        PaymentMilestoneFactory(contract=contract, label=f"Milestone {n:02d}") for n in range(THREADS)
    ]


def _issue(milestone, *, fail: bool):
    for _attempt in range(20):  # a client retries "busy, retry"
        try:
            with transaction.atomic():
                invoice = invoice_services.invoice_issue(milestone=milestone, actor=None)
                if fail:
                    raise RolledBack(invoice.number)
                return invoice
        except Busy:
            continue
    raise AssertionError("still busy after 20 tries")


def _slow_save(monkeypatch):
    real = NumberSeries.save

    def slow(self, *args, **kwargs):
        time.sleep(0.02)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(NumberSeries, "save", slow)


def _race(milestones):
    return sort_outcomes(
        race([partial(_issue, m, fail=n == ROLLED_BACK) for n, m in enumerate(milestones)]),
        refusals=(RolledBack,),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_forty_concurrent_invoices_are_numbered_without_gaps_or_duplicates(monkeypatch):
    world, milestones = _milestones()
    _slow_save(monkeypatch)

    outcomes = _race(milestones)

    assert outcomes.failed == [], f"unexpected errors: {outcomes.failed!r}"
    assert len(outcomes.refused) == 1 and len(outcomes.done) == THREADS - 1
    year = timezone.now().year
    sequences = sorted(
        Invoice.objects.filter(provider=world.provider, year=year).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, THREADS)), "one number each, the rolled-back one given back"
    numbers = set(Invoice.objects.values_list("number", flat=True))
    assert numbers == {f"EXP-{year}-{n:05d}" for n in range(1, THREADS)}
    series = NumberSeries.objects.get(provider=world.provider, kind="invoice", year=year)
    assert series.last_number == THREADS - 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_numbers_collide(monkeypatch):
    world, milestones = _milestones()
    _slow_save(monkeypatch)

    def unlocked(*, provider_id, kind, year):
        series, _ = NumberSeries.objects.get_or_create(provider_id=provider_id, kind=kind, year=year)
        return series

    monkeypatch.setattr(locking, "lock_number_series", unlocked)

    outcomes = _race(milestones)

    collisions = [exc for exc in outcomes.failed if isinstance(exc, IntegrityError)]
    issued = Invoice.objects.filter(provider=world.provider).count()
    assert collisions, "without the lock several invoices should take one number"
    assert issued < THREADS - 1


def _first_issues_crossing_years(provider_id: int) -> list[object]:
    """Each transaction creates one new series, then asks for the other's."""
    both_created = threading.Barrier(2)

    def first_of_year(mine: int, theirs: int):
        with transaction.atomic():
            locking.lock_number_series(provider_id=provider_id, kind="invoice", year=mine)
            both_created.wait(timeout=30)
            locking.lock_number_series(provider_id=provider_id, kind="invoice", year=theirs)
        return mine

    return race([partial(first_of_year, 2031, 2032), partial(first_of_year, 2032, 2031)])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_issues_crossing_years_answer_busy_not_a_deadlock_error():
    """PostgreSQL breaks the cycle by aborting one side, which answers "busy, retry"; the other
    gets both series."""
    world = engine_world()

    outcomes = _first_issues_crossing_years(world.provider.pk)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Busy", "int"], outcomes
    busy = next(outcome for outcome in outcomes if isinstance(outcome, Busy))
    assert "invoice numbers" in busy.message
    years = NumberSeries.objects.filter(provider=world.provider).values_list("year", flat=True)
    assert sorted(years) == [2031, 2032]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_short_wait_the_same_race_fails_with_a_database_error(monkeypatch):
    world = engine_world()
    monkeypatch.setattr(locking, "short_lock_wait", lambda what: contextlib.nullcontext())

    outcomes = _first_issues_crossing_years(world.provider.pk)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["OperationalError", "int"], outcomes


def test_an_existing_series_is_locked_in_one_statement(db):
    world = engine_world()
    with transaction.atomic():
        locking.lock_number_series(provider_id=world.provider.pk, kind="receipt", year=2030)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        series = locking.lock_number_series(provider_id=world.provider.pk, kind="receipt", year=2030)
    assert series.year == 2030 and series.last_number == 0
    assert len([q for q in queries if "numberseries" in q["sql"]]) == 1
