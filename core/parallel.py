"""Postgres's parallel query workers: off for what a person waits on, on for the roll-ups.

A page's queries read a few thousand index entries at most. A parallel plan for them starts worker
processes (several milliseconds each, even when the answer is no rows) and takes the cores the other
requests need: on the 2-core server of issue 15, four people paging the ledger waited longer with
parallel workers than without. So every connection starts with `max_parallel_workers_per_gather` at
settings.DATABASE_PARALLEL_WORKERS (0; safety_office/settings.py), and the work that does read a period's
records in one pass per table — a roll-up, `reports.rollups.rollup_compute` — asks for them back.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

BATCH_WORKERS = 2  # Postgres's own default


@contextmanager
def parallel_workers(workers: int = BATCH_WORKERS) -> Iterator[None]:
    """Let the queries inside use up to `workers` parallel workers each (Postgres; elsewhere nothing)."""
    if connection.vendor != "postgresql":
        yield
        return
    in_transaction = connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        (before,) = cursor.fetchone()
        # is_local in a transaction: should it fail, its rollback puts the setting back, since an aborted
        # transaction cannot take the SET below.
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', %s, %s)", [str(workers), in_transaction]
        )
    try:
        yield
    except BaseException:
        if not in_transaction:
            _set(before, in_transaction)
        raise
    _set(before, in_transaction)


def _set(workers: str, local: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', %s, %s)", [workers, local])
