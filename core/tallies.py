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
"""

from django.db import connection, migrations, models, transaction
from django.db.models import Sum

from .models import RowTally

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
    return RowTally.objects.filter(table=table).aggregate(n=Sum("rows"))["n"] or 0


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
