"""A deadlock PostgreSQL breaks by aborting a writer answers "busy, retry", never a 500."""

from __future__ import annotations

import pytest


def test_a_deadlock_postgresql_broke_answers_busy_and_other_database_errors_pass_through():
    from django.db import OperationalError

    from booking.errors import Busy
    from booking.services.locking import DEADLOCK_DETECTED, deadlock_as_busy

    class DriverError(Exception):
        def __init__(self, sqlstate: str) -> None:
            super().__init__(sqlstate)
            self.sqlstate = sqlstate

    def failing(sqlstate: str):
        try:
            raise DriverError(sqlstate)
        except DriverError as driver:
            raise OperationalError("deadlock detected") from driver

    busy = "TEL-01 is being changed by someone else right now; please retry"
    with pytest.raises(Busy, match=busy), deadlock_as_busy("TEL-01"):
        failing(DEADLOCK_DETECTED)
    with pytest.raises(OperationalError), deadlock_as_busy("TEL-01"):
        failing("53300")  # too many connections: not a deadlock, not Busy
