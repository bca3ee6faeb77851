"""Races for the tests: callables on threads of their own, each with its own database connection.

``race`` releases every callable at the same instant (one barrier) and answers what each returned
or raised; ``in_background`` runs one callable while the test goes on. Both close the thread's
database connections when it ends (a thread's connection is its own on PostgreSQL: an open one
would keep the test database from being dropped) and fail the test when a thread hangs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import connections

from booking.errors import Busy, Conflict

START_TIMEOUT_S = 30.0
FINISH_TIMEOUT_S = 120.0


def _outcome_of(attempt: Callable[[], object]) -> object:
    """What ``attempt`` returned, or the exception it raised; its connections closed after."""
    try:
        return attempt()
    except BaseException as exc:  # every outcome is the test's to judge
        return exc
    finally:
        connections.close_all()


def race(
    attempts: Sequence[Callable[[], object]],
    *,
    start_timeout_s: float = START_TIMEOUT_S,
    finish_timeout_s: float = FINISH_TIMEOUT_S,
) -> list[object]:
    """Run every attempt on its own thread, all released together once every thread is ready.

    Answers each attempt's result, or the exception it raised, in the order of ``attempts``.
    """
    gate = threading.Barrier(len(attempts))
    outcomes: list[object] = [None] * len(attempts)

    def run(n: int) -> None:
        def released() -> object:
            gate.wait(timeout=start_timeout_s)
            return attempts[n]()

        outcomes[n] = _outcome_of(released)

    threads = [threading.Thread(target=run, args=(n,), name=f"racer-{n}") for n in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=finish_timeout_s)
    hung = [thread.name for thread in threads if thread.is_alive()]
    assert not hung, f"race threads hung: {hung}"
    return outcomes


@dataclass
class Background:
    """One callable running on its own thread; ``outcome`` waits for it."""

    thread: threading.Thread
    result: list[object] = field(default_factory=list)

    def outcome(self, *, timeout_s: float = FINISH_TIMEOUT_S) -> object:
        """What the callable returned, or the exception it raised; fails the test if it hangs."""
        self.thread.join(timeout=timeout_s)
        assert not self.thread.is_alive(), f"{self.thread.name} hung"
        return self.result[0]


def in_background(attempt: Callable[[], object], *, name: str = "background") -> Background:
    """Start ``attempt`` on its own thread now; the test goes on and asks ``outcome()`` later."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(_outcome_of(attempt)), name=name)
    thread.start()
    return Background(thread=thread, result=result)


@dataclass
class Sorted:
    """A race's outcomes by kind: what succeeded, what was refused in words, what failed."""

    done: list[object]
    refused: list[Exception]
    failed: list[BaseException]


def sort_outcomes(
    outcomes: Sequence[object], *, refusals: tuple[type[Exception], ...] = (Conflict, Busy)
) -> Sorted:
    """Split ``race``'s outcomes: results, the refusals (a conflict or "busy, retry" by default)
    and any other exception, which the tests report as a bug."""
    done = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, refusals)]
    failed = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, refusals)]
    return Sorted(done=done, refused=refused, failed=failed)
