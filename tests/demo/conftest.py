"""One demo world per module (or class) instead of one per test: seeding takes seconds, and most demo
tests only read what it made.

`committed_demo()` seeds the demo outside any test transaction (committed, through
`django_db_blocker.unblock()`), lets the tests read it — each test still runs in its own transaction,
so whatever a test writes on top (a new hazard, a reset, a rebuild) is rolled back — and afterwards
removes it with the demo's own reset (the one purge the document triggers let through). It then checks
that every table holds as many rows as before the seed: a later test must find the database as the
migrations left it, and a reset that leaves rows behind is a bug of the reset.
"""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from core.tallies import group_tallies
from demo.steps import demo_reset
from tests.conftest import CODE_TABLE_MIGRATIONS, stub_pdfs


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        if not tables:
            return {}
        cursor.execute(
            " UNION ALL ".join(f"SELECT %s, count(*) FROM {connection.ops.quote_name(t)}" for t in tables),
            tables,
        )
        counts = dict(cursor.fetchall())
        if "core_rowtally" in counts:
            # The tally keeps a row per write statement; what must come back after a reset is each
            # tallied table's count (core.tallies), which must also be that table's row count.
            del counts["core_rowtally"]
            cursor.execute('SELECT "table", sum("rows") FROM core_rowtally GROUP BY "table"')
            for table, rows in cursor.fetchall():
                counts[f"core_rowtally[{table}]"] = int(rows)
                assert rows == counts[table], f"{table}: 计数 {rows} ≠ 行数 {counts[table]}"
        for tally in group_tallies() if connection.vendor == "postgresql" else ():
            # Likewise a group tally: its rows' sum, which must be its table's row count.
            del counts[tally.tally_table]
            cursor.execute(f'SELECT coalesce(sum("rows"), 0) FROM {tally.tally_table}')
            rows = int(cursor.fetchone()[0])
            counts[f"{tally.tally_table}[sum]"] = rows
            assert rows == counts[tally.table], (
                f"{tally.tally_table}: 计数 {rows} ≠ 行数 {counts[tally.table]}"
            )
        return counts


@contextmanager
def committed_demo(
    django_db_blocker, *args: str, patch=None, real_pdfs: bool = False, statistics: bool = False
) -> Iterator[str]:
    """Seed the demo (seed_demo *args), committed, for the tests of a module or class; yields its output.

    `patch(monkeypatch)` adjusts the demo before it is seeded and removed (fewer steps, another today);
    it is undone while the tests run — a test that needs it applies it itself. The demo's two 执法文书
    print as a stub PDF (tests.conftest.cheap_pdfs) unless `real_pdfs`: only the enforcement demo's
    tests read them. The dashboard's stored figures (step "statistics", computed after the commit) are
    left out unless `statistics`: only tests/demo/test_demo_statistics.py reads them."""
    with django_db_blocker.unblock():
        # A transactional test before us may have flushed the code tables the migrations wrote.
        for module in CODE_TABLE_MIGRATIONS:
            importlib.import_module(module).seed(django_apps, None)
        before = table_counts()
        out = StringIO()
        with pytest.MonkeyPatch.context() as mp:
            if patch:
                patch(mp)
            if not real_pdfs:
                stub_pdfs(mp)
            if not statistics:
                mp.setattr("demo.statistics.compute_default_view", lambda: 0)
            call_command("seed_demo", *args, stdout=out)
    try:
        yield out.getvalue()
    finally:
        with django_db_blocker.unblock():
            with pytest.MonkeyPatch.context() as mp:
                if patch:
                    patch(mp)
                demo_reset()
            after = table_counts()
            left = {t: (before.get(t, 0), n) for t, n in after.items() if n != before.get(t, 0)}
            if left:
                # Leave an empty database to the tests after us all the same, then say what was left.
                call_command("flush", interactive=False, verbosity=0)
                for module in CODE_TABLE_MIGRATIONS:
                    importlib.import_module(module).seed(django_apps, None)
                pytest.fail(f"演示数据重置后仍有残留（表: 之前, 之后）: {left}")
