"""Writers that must take turns, for the length of their transaction.

Row locks (select_for_update) cover rows that exist; a bulk import that inserts rows another run of
the same file is inserting at the same moment has no row to lock yet. A Postgres advisory lock on a
name serializes those writers: the second waits until the first commits, then reads (READ COMMITTED,
each statement sees what is committed) and finds the first one's rows instead of inserting them again.
"""

from django.db import connection, transaction


def transaction_lock(name: str) -> None:
    """Hold the lock called `name` until the current transaction ends (waiting for it if another has it).

    Call inside the transaction whose reads and writes must not interleave with another holder's.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transaction_lock() must run inside the transaction it protects")
    if connection.vendor != "postgresql":
        # SQLite (the demo's embedded default) opens every transaction with BEGIN IMMEDIATE: writers
        # already take turns for the whole transaction, and there is no advisory lock to take.
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
