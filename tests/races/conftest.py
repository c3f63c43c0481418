"""What the race tests share: `at_once`, which makes several callers really meet in the database, and
how many rounds each race is run.

Each caller runs in its own thread with its own Postgres connection (a test using it needs
`@pytest.mark.django_db(transaction=True)`, so the threads see the rows the test made), and a barrier
lets them all go at the same instant. A race that came out right once may have been lucky, so every
race runs RACE_ROUNDS times (3 by default, to keep the suite fast; `RACE_ROUNDS=20` for a soak).
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections

ROUNDS = int(os.environ.get("RACE_ROUNDS", "3"))
TIMEOUT = 60  # seconds a caller may take: a deadlock or a lost wake-up fails the test instead of hanging it


@dataclass
class Outcome:
    """What one caller got: its return value, or the exception it raised."""

    value: object = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def at_once(*calls: Callable[[], object]) -> list[Outcome]:
    """Run every call in a thread of its own, released together; their outcomes, in the order given.

    Each thread closes its database connection when done, so no connection outlives the test (the
    flush at its end would otherwise wait on them).
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(outcome: Outcome, call: Callable[[], object]) -> None:
        try:
            barrier.wait(TIMEOUT)
            outcome.value = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which asserts on it
            outcome.error = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(o, c), daemon=True) for o, c in zip(outcomes, calls, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a racer is still running: deadlock or lost lock?"
    return outcomes


def errors(outcomes: list[Outcome]) -> list[BaseException]:
    return [o.error for o in outcomes if o.error is not None]
