"""Exact row counts of the big tables without counting them (issue 15).

An exact COUNT(*) of a city's two million hazards is an index-only scan of 100+ ms and three cores'
worth of parallel workers, on every unfiltered ledger page and API call. PostgreSQL keeps no row count,
so the tallied tables keep their own: statement-level triggers (one per INSERT, DELETE and TRUNCATE,
with transition tables, so a 2,000-row COPY adds one tally row, not 2,000) write the change into
core.RowTally in the writer's transaction. The sum of a table's tally rows is then what COUNT(*) sees
in the same snapshot: uncommitted rows and their tally rows become visible together.

Only an unfiltered count of the whole table reads the tally (`exact_count`); anything with a WHERE,
DISTINCT or a slice counts as before. An app installs the triggers on its table in a migration
(`install`) and registers the model in its AppConfig.ready (`register_tally`). Loads that bypass triggers
(`seed_scale` runs with session_replication_role = replica) call `tallies_rebuild` afterwards.
On SQLite (the embedded demo) there are no triggers and every count is a COUNT(*).

A group tally (`GroupTally`) keeps the same kind of count per group of column values: hazards per
(township, state, level, listed, overdue flag), so the ledger's figures for the whole district, a township or
a state are a sum over a few hundred tally rows instead of a pass over the hazards. Its triggers also
handle UPDATE (old rows out, new rows in, per group; an update that moves no row between groups writes
nothing). Only a list narrowed by nothing but `column = value` tests on the tally's columns can be read
from it (`group_tally_tests`); any other list is counted.
"""

from dataclasses import dataclass

from django.db import connection, migrations, models, transaction
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND, WhereNode

# db_table → model, filled by the apps' AppConfig.ready.
_TALLIED: dict[str, type[models.Model]] = {}

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION core_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_rowtally ("table", "rows")
    SELECT TG_TABLE_NAME, count(*) FROM tally_new HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION core_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_rowtally ("table", "rows")
    SELECT TG_TABLE_NAME, -count(*) FROM tally_old HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION core_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM core_rowtally WHERE "table" = TG_TABLE_NAME;
    RETURN NULL;
END $$;
"""
FUNCTIONS_DROP_SQL = """
DROP FUNCTION IF EXISTS core_tally_insert();
DROP FUNCTION IF EXISTS core_tally_delete();
DROP FUNCTION IF EXISTS core_tally_truncate();
"""


def install(schema_editor, table: str) -> None:
    """Create `table`'s tally triggers and count what it holds now. For a migration's RunPython."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quoted = schema_editor.quote_name(table)
    schema_editor.execute(
        f"CREATE TRIGGER tally_insert AFTER INSERT ON {quoted} REFERENCING NEW TABLE AS tally_new "
        "FOR EACH STATEMENT EXECUTE FUNCTION core_tally_insert()"
    )
    schema_editor.execute(
        f"CREATE TRIGGER tally_delete AFTER DELETE ON {quoted} REFERENCING OLD TABLE AS tally_old "
        "FOR EACH STATEMENT EXECUTE FUNCTION core_tally_delete()"
    )
    schema_editor.execute(
        f"CREATE TRIGGER tally_truncate AFTER TRUNCATE ON {quoted} FOR EACH STATEMENT "
        "EXECUTE FUNCTION core_tally_truncate()"
    )
    schema_editor.execute(
        f'INSERT INTO core_rowtally ("table", "rows") SELECT %s, count(*) FROM {quoted}', [table]
    )


def uninstall(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quoted = schema_editor.quote_name(table)
    for trigger in ("tally_insert", "tally_delete", "tally_truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}")
    schema_editor.execute('DELETE FROM core_rowtally WHERE "table" = %s', [table])


def tally_migration(table: str) -> migrations.RunPython:
    """The migration operation that installs `table`'s tally (and removes it when reversed)."""
    return migrations.RunPython(
        lambda apps, schema_editor: install(schema_editor, table),
        lambda apps, schema_editor: uninstall(schema_editor, table),
    )


def register_tally(model: type[models.Model]) -> None:
    _TALLIED[model._meta.db_table] = model


def tallied_tables() -> list[str]:
    return sorted(_TALLIED)


def _whole_table(queryset: models.QuerySet) -> bool:
    """Does counting `queryset` count every row of its table? No WHERE (an empty scope adds one, a
    district-wide scope none), no DISTINCT, GROUP BY, set operation or slice."""
    query = queryset.query
    return (
        not query.where
        and not query.distinct
        and query.group_by is None
        and not query.combinator
        and query.low_mark == 0
        and query.high_mark is None
        and not query.extra
    )


def exact_count(queryset: models.QuerySet) -> int:
    """`queryset.count()`, read from the table's tally when the count is the whole table's."""
    table = queryset.model._meta.db_table
    if connection.vendor != "postgresql" or table not in _TALLIED or not _whole_table(queryset):
        return queryset.count()
    # Plain SQL: on every page of the long lists and every API call, the ORM's aggregate took longer to
    # write than the sum of a few rows to run.
    with connection.cursor() as cursor:
        cursor.execute('SELECT coalesce(sum("rows"), 0) FROM core_rowtally WHERE "table" = %s', [table])
        return int(cursor.fetchone()[0])


def tallies_compact() -> int:
    """Fold each tallied table's tally rows into one (nightly). Returns how many rows were folded away.

    Only committed rows are seen and deleted; a writer's uncommitted rows stay for the next run, so the
    sum never changes. The advisory lock keeps two runs from folding the same rows twice."""
    if connection.vendor != "postgresql":
        return 0
    folded = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('core_rowtally'))")
        cursor.execute(
            'WITH gone AS (DELETE FROM core_rowtally RETURNING "table", "rows") '
            'INSERT INTO core_rowtally ("table", "rows") '
            'SELECT "table", sum("rows") FROM gone GROUP BY "table" RETURNING (SELECT count(*) FROM gone)'
        )
        counts = cursor.fetchall()
        if counts:
            folded = int(counts[0][0]) - len(counts)
        for tally in _GROUP_TALLIES.values():
            cursor.execute(
                f'WITH gone AS (DELETE FROM {tally.tally_table} RETURNING {tally.names}, "rows") '
                f'INSERT INTO {tally.tally_table} ({tally.names}, "rows") '
                f'SELECT {tally.names}, sum("rows") FROM gone GROUP BY {tally.names} HAVING sum("rows") <> 0'
            )
    return folded


def tallies_rebuild() -> None:
    """Count every tallied table afresh: after a load that bypassed the triggers (seed_scale)."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('core_rowtally'))")
        for table in tallied_tables():
            quoted = connection.ops.quote_name(table)
            # SHARE mode: writers wait until the new count is in, readers don't.
            cursor.execute(f"LOCK TABLE {quoted} IN SHARE MODE")
            cursor.execute('DELETE FROM core_rowtally WHERE "table" = %s', [table])
            cursor.execute(
                f'INSERT INTO core_rowtally ("table", "rows") SELECT %s, count(*) FROM {quoted}', [table]
            )
        for tally in _GROUP_TALLIES.values():
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(tally.table)} IN SHARE MODE")
            cursor.execute(f"DELETE FROM {tally.tally_table}")
            cursor.execute(tally.count_sql())


# ---------------------------------------------------------------- group tallies


@dataclass(frozen=True)
class GroupTally:
    """Counts of `table`'s rows per group, kept in `tally_table`: one row per group a statement changed,
    with the change. `columns`: (tally column, SQL expression over a row of `table`) pairs; a column whose
    expression is the tallied table's own column of the same name (`state`) can answer a `state = …` filter.
    """

    table: str
    tally_table: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> str:
        return ", ".join(f'"{name}"' for name, _ in self.columns)

    def grouped(self, source: str, sign: str = "") -> str:
        exprs = ", ".join(expr for _, expr in self.columns)
        return f"SELECT {exprs}, {sign}count(*) FROM {source} GROUP BY {exprs}"

    def functions_sql(self) -> str:
        t, names = self.tally_table, self.names
        return f"""
CREATE OR REPLACE FUNCTION {t}_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {t} ({names}, "rows") {self.grouped("tally_new")};
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {t}_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {t} ({names}, "rows") {self.grouped("tally_old", "-")};
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {t}_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {t} ({names}, "rows")
    SELECT {names}, sum(n) FROM (
        {self.grouped("tally_new")} UNION ALL {self.grouped("tally_old", "-")}
    ) AS moved ({names}, n)
    GROUP BY {names} HAVING sum(n) <> 0;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {t}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {t};
    RETURN NULL;
END $$;
"""

    def count_sql(self) -> str:
        """Refill the tally from the table (after the tally table was emptied)."""
        return f'INSERT INTO {self.tally_table} ({self.names}, "rows") {self.grouped(self.table)}'

    def install(self, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        t, table = self.tally_table, schema_editor.quote_name(self.table)
        schema_editor.execute(self.functions_sql())
        for event, tables in (
            ("INSERT", "NEW TABLE AS tally_new"),
            ("DELETE", "OLD TABLE AS tally_old"),
            ("UPDATE", "OLD TABLE AS tally_old NEW TABLE AS tally_new"),
        ):
            schema_editor.execute(
                f"CREATE TRIGGER {t}_{event.lower()} AFTER {event} ON {table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {t}_{event.lower()}()"
            )
        schema_editor.execute(
            f"CREATE TRIGGER {t}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {t}_truncate()"
        )
        schema_editor.execute(self.count_sql())

    def uninstall(self, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        t, table = self.tally_table, schema_editor.quote_name(self.table)
        for event in ("insert", "delete", "update", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {t}_{event} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {t}_{event}()")

    def migration(self) -> migrations.RunPython:
        """The migration operation that installs the triggers and counts what the table holds now (the
        tally table itself is the app's model, created by an earlier operation)."""
        return migrations.RunPython(
            lambda apps, schema_editor: self.install(schema_editor),
            lambda apps, schema_editor: self.uninstall(schema_editor),
        )


# tally model → its GroupTally, filled by the apps' AppConfig.ready.
_GROUP_TALLIES: dict[type[models.Model], GroupTally] = {}


def register_group_tally(model: type[models.Model], tally: GroupTally) -> None:
    _GROUP_TALLIES[model] = tally


def group_tallies() -> list[GroupTally]:
    return list(_GROUP_TALLIES.values())


def _equalities(queryset: models.QuerySet) -> dict[str, object] | None:
    """`queryset`'s WHERE as {column: value} when it is nothing but `column = value` tests on the table's
    own columns joined by AND (what `filter(township=…, state=…)` gives); None for anything else."""
    query = queryset.query
    if (
        query.distinct
        or query.group_by is not None
        or query.combinator
        or query.low_mark
        or query.high_mark is not None
        or query.extra
    ):
        return None
    found: dict[str, object] = {}

    def walk(node) -> bool:
        if isinstance(node, WhereNode):
            return (
                not node.negated
                and (node.connector == AND or len(node.children) <= 1)
                and all(walk(child) for child in node.children)
            )
        if not (isinstance(node, Exact) and isinstance(node.lhs, Col)) or node.lhs.alias != query.base_table:
            return False
        value = node.rhs.pk if isinstance(node.rhs, models.Model) else node.rhs
        if value is None or hasattr(value, "resolve_expression") or isinstance(value, (list, tuple, set)):
            return False
        column = node.lhs.target.column
        if column in found and found[column] != value:
            return False
        found[column] = value
        return True

    return found if walk(query.where) else None


def group_tally_tests(model: type[models.Model], queryset: models.QuerySet) -> dict[str, object] | None:
    """The `column = value` tests that make up `queryset`'s whole WHERE, when tally `model` can count it:
    `model.objects.filter(**tests)` are then the tally rows of exactly those rows. None when the tally cannot
    say: not Postgres, or a list narrowed by anything else (a scope by path, a search, a date range …)."""
    tally = _GROUP_TALLIES.get(model)
    if connection.vendor != "postgresql" or tally is None or queryset.model._meta.db_table != tally.table:
        return None
    tests = _equalities(queryset)
    plain = {name for name, expr in tally.columns if name == expr}
    if tests is None or not set(tests) <= plain:
        return None
    return tests
