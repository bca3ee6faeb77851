"""Fixtures shared by the notification and after-commit tests: a customer with four members and a
helper that runs a change with what it queues after commit."""

from __future__ import annotations

import pytest
import time_machine

from tests.factories import members_world


@pytest.fixture
def world():
    w = members_world()
    with time_machine.travel(w.now, tick=False):
        yield w


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change and what it queues after commit (the e-mail tasks run eagerly in tests)."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run
