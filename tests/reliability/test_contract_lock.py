"""A contract one writer holds still lets others commit rows that point at it (PostgreSQL).

Django's foreign keys on PostgreSQL are checked when the transaction commits, each with a
``FOR KEY SHARE`` lock on the row pointed at: after every lock the writer took in the lock order.
A confirm holds its contract and then waits for the provider's invoice numbers; a cancel of
another booking under that contract holds those numbers (its fee's invoice) and, committing,
checks its milestone's and invoice's contract. Were the contract held ``FOR UPDATE``, each would
wait for the other. It is held ``FOR NO KEY UPDATE``, which a key share does not wait for.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from booking.services import locking
from customers.models import Contract
from tests.customers.factories import ContractFactory, PaymentMilestoneFactory
from tests.reliability.racing import in_background

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _commit_a_milestone_while_the_contract_is_held(contract) -> float:
    """Seconds taken to commit a milestone of ``contract`` while another transaction holds it
    through ``locking.lock_contract``; the commit waits at most 1 s for a lock."""
    locked, released = threading.Event(), threading.Event()

    def hold_the_contract():
        with transaction.atomic():
            locking.lock_contract(contract_id=contract.pk, what=f"contract {contract.reference}")
            locked.set()
            released.wait(20)

    holder = in_background(hold_the_contract, name="holder")
    assert locked.wait(10)
    try:
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            PaymentMilestoneFactory(contract=contract)
        return time.monotonic() - started
    finally:
        released.set()
        assert not isinstance(held := holder.outcome(), BaseException), held


def test_a_milestone_of_a_contract_someone_holds_commits_without_waiting():
    contract = ContractFactory()
    assert _commit_a_milestone_while_the_contract_is_held(contract) < 1


def test_held_for_update_the_same_commit_would_wait_negative_control(monkeypatch):
    contract = ContractFactory()

    def lock_for_update(*, contract_id: int, what: str) -> Contract:
        return Contract.objects.select_for_update(of=("self",)).get(pk=contract_id)

    monkeypatch.setattr(locking, "lock_contract", lock_for_update)
    with pytest.raises(OperationalError, match="lock timeout"):
        _commit_a_milestone_while_the_contract_is_held(contract)
