"""The COPY side of seed_scale: ids allocated above each table's current maximum, rows streamed with
COPY, time and rows counted per table, then the sequences moved past the new ids and the tables analysed.

Rows never pass through the ORM: no signals fire (roll-up stale marking, history) and nothing is
validated row by row, so the generators must write exactly what the services would.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class TableStat:
    rows: int = 0
    seconds: float = 0.0


@dataclass
class Loader:
    """Buffers rows per table and flushes them with COPY; FK constraints are deferred to the commit of
    the surrounding transaction, so tables may be flushed in any order."""

    columns: dict[str, tuple[str, ...]]
    flush_at: int = 20_000
    stats: dict[str, TableStat] = field(default_factory=dict)
    _buffers: dict[str, list[tuple]] = field(default_factory=dict)
    _next: dict[str, int] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)  # the first id handed out per table

    def next_id(self, table: str) -> int:
        """The next free id of `table`: above every id there now and every id handed out here."""
        if table not in self._next:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - our table names
                self._next[table] = cursor.fetchone()[0] + 1
            self.first[table] = self._next[table]
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def add(self, table: str, row: tuple) -> None:
        buffer = self._buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= self.flush_at:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self._buffers):
            rows = self._buffers.get(name)
            if rows:
                self.copy(name, rows)
                rows.clear()

    def copy(self, table: str, rows: Iterable[tuple]) -> int:
        started, count = time.monotonic(), 0
        names = ", ".join(f'"{c}"' for c in self.columns[table])
        with connection.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        stat = self.stats.setdefault(table, TableStat())
        stat.rows += count
        stat.seconds += time.monotonic() - started
        return count

    def execute(self, table: str, sql: str, params: Iterable | None = None) -> int:
        """A set-based INSERT … SELECT counted like a COPY (history rows derived from loaded ones)."""
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = max(cursor.rowcount, 0)
        stat = self.stats.setdefault(table, TableStat())
        stat.rows += count
        stat.seconds += time.monotonic() - started
        return count


def sequences_reset(tables: Iterable[str]) -> None:
    """Move each table's id sequences (and a history table's history_id / m2m_history_id) past its
    largest value, so the next ORM insert gets a fresh id."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = %s AND (is_identity = 'YES' OR column_default LIKE 'nextval%%')",
                [table],
            )
            for (column,) in cursor.fetchall():
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [f'"{table}"', column])
                sequence = cursor.fetchone()[0]
                highest = f'SELECT COALESCE(MAX("{column}"), 0) + 1 FROM "{table}"'  # noqa: S608
                cursor.execute(f"SELECT setval(%s, ({highest}), false)", [sequence])


def analyze(tables: Iterable[str]) -> None:
    # VACUUM sets the visibility map that index-only scans need (the ledger's counts and figures read
    # only indexes); without it a freshly loaded table is read row by row until autovacuum comes by.
    # VACUUM cannot run inside a transaction (a test's), where ANALYZE alone has to do.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'{command} "{table}"')


def fk_triggers_off() -> bool:
    """Skip the per-row FK triggers for this session (session_replication_role = replica), as
    pg_restore does: checking 2,000,000 hazards' twelve FKs one row at a time is most of a city load's
    time. Needs a superuser; without one the checks stay on (slower, same result). fk_verify() then
    checks every loaded FK set-based, so a wrong id still fails the load."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SET session_replication_role = replica")
    return True


def fk_triggers_on() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")


def fk_verify(first_ids: dict[str, int]) -> list[str]:
    """Every single-column FK of the loaded tables, checked for the loaded rows (id ≥ the first loaded
    id) with one anti-join each; returns the constraints that have rows pointing nowhere."""
    broken = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, pa.attname, c.conname"
            " FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]"
            " WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1"
            " AND c.conrelid::regclass::text = ANY(%s)",
            [list(first_ids)],
        )
        for table, column, parent, key, name in cursor.fetchall():
            cursor.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{table}" t'  # noqa: S608 - our own SQL
                f' WHERE t.id >= %s AND t."{column}" IS NOT NULL'
                f' AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p."{key}" = t."{column}"))',
                [first_ids[table]],
            )
            if cursor.fetchone()[0]:
                broken.append(f"{table}.{column} → {parent} ({name})")
    return broken
