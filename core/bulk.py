"""Writing many new rows at once: COPY on PostgreSQL, bulk_create anywhere else.

An import of 100,000 rows spent most of its time in bulk_create: Django builds one INSERT per 500 rows,
adapts every value in Python, and simple_history builds a model instance per historical row. COPY
streams the same rows in one statement per table, and the server parses them while Python builds the
next. The rows written are the ones bulk_create and simple_history's bulk_history_create write: the
same columns, auto_now(_add) stamped per object, ids from the table's own sequence (allocated first, so
the objects get their pk as bulk_create gives it), historical rows with the same date, user, type and
change reason.

On other databases (the SQLite demo) both fall back to bulk_create and bulk_history_create.
"""

import operator
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from .history import history_bulk_create

BATCH = 500
# Values of these field types go to psycopg as they are: get_db_prep_save would hand them back unchanged
# on PostgreSQL, and skipping it for millions of cells is most of what COPY saves on the Python side.
_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}
# The historical model's own columns that bulk_history_create fills in; any other one means a
# customised history, which goes through simple_history itself.
_HISTORY_COLUMNS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


def copy_enabled() -> bool:
    return connection.vendor == "postgresql"


def bulk_insert(
    model: type[models.Model], objs: Sequence[models.Model], *, with_ids: bool = True
) -> Sequence[models.Model]:
    """Insert new `objs` (no pk yet) as bulk_create(objs) would; returns `objs`.

    With `with_ids` each object gets its pk, as bulk_create gives it; without, the rows take theirs from
    the table's default and the objects are left without one (a timeline line nobody reads back).
    """
    if not objs:
        return objs
    fields = list(model._meta.concrete_fields)
    if not copy_enabled() or any(f.has_db_default() for f in fields):
        return model.objects.bulk_create(objs, batch_size=BATCH)
    pk = model._meta.pk
    if with_ids:
        for obj, pk_value in zip(objs, allocate_ids(model, len(objs)), strict=True):
            setattr(obj, pk.attname, pk_value)
    else:
        fields.remove(pk)
    _sync_related_ids(fields, objs)
    copy_rows(model._meta.db_table, [f.column for f in fields], _values(fields, objs))
    if with_ids:
        alias = connection.alias
        for obj in objs:
            obj._state.adding = False
            obj._state.db = alias
    return objs


def bulk_history_insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    user=None,
    when=None,
    m2m_field: str | None = None,
    links: Sequence[models.Model] = (),
) -> int:
    """The '+' history of new `objs` (saved, with their m2m rows), as core.history.history_bulk_create
    writes it; returns how many.

    On PostgreSQL it is one INSERT … SELECT from the rows just written: the values a historical row
    copies are the ones stored, so Python never touches them. With `m2m_field`, each historical row
    also gets its m2m snapshot, the object's through rows (for new objects: the `links` just written).
    """
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    per_object = any(
        hasattr(obj, attr) for obj in objs for attr in ("_history_user", "_history_date", "_change_reason")
    )
    if not history_by_sql(model) or per_object:
        if m2m_field and not links:
            # Written by bulk_insert_values, the through rows were never objects: read them back.
            field = model._meta.get_field(m2m_field)
            through = field.remote_field.through
            links = list(through.objects.filter(**{f"{field.m2m_field_name()}__in": [o.pk for o in objs]}))
        return len(history_bulk_create(model, objs, user=user, when=when, m2m_field=m2m_field, links=links))
    user = user or model.history.model.get_default_history_user(objs[0])
    sql, params = history_insert_sql(
        model, [obj.pk for obj in objs], user_id=getattr(user, "pk", None), when=when, m2m_field=m2m_field
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def history_by_sql(model: type[models.Model]) -> bool:
    """Whether history_insert_sql() writes `model`'s '+' history as bulk_history_create would: on
    PostgreSQL, with no historical column of a customised history it could not fill in."""
    history = model.history.model
    tracked = {f.attname for f in history.tracked_fields}
    extra = {f.attname for f in history._meta.concrete_fields} - _HISTORY_COLUMNS - tracked
    return copy_enabled() and not extra


def history_insert_sql(
    model: type[models.Model],
    ids: Sequence[int],
    *,
    user_id: int | None,
    when=None,
    m2m_field: str | None = None,
) -> tuple[str, list]:
    """One statement writing the '+' history of the saved rows `ids` (and with `m2m_field`, each
    record's m2m snapshot from the through rows stored), from the values stored; it returns how many
    records it wrote. For history_by_sql() models; bulk_history_insert() runs it."""
    history = model.history.model
    tracked = list(history.tracked_fields)
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in history._meta.concrete_fields}
    columns = [by_attname[f.attname].column for f in tracked]
    source_pk = model._meta.pk.column
    sql = (
        f"WITH h AS (INSERT INTO {quote(history._meta.db_table)} "
        f"({', '.join(quote(c) for c in columns)}, history_date, history_change_reason, history_type, "
        "history_user_id) "
        f"SELECT {', '.join(quote(f.column) for f in tracked)}, %s, '', '+', %s "
        f"FROM {quote(model._meta.db_table)} WHERE {quote(source_pk)} = ANY(%s) ORDER BY {quote(source_pk)} "
        f"RETURNING history_id, {quote(by_attname[model._meta.pk.attname].column)} AS owner_id)"
    )
    if m2m_field:
        field = model._meta.get_field(m2m_field)
        through = field.remote_field.through._meta
        owner = through.get_field(field.m2m_field_name()).column  # e.g. hazard_id
        target = through.get_field(field.m2m_reverse_field_name()).column  # e.g. sector_id
        snapshot = getattr(history, m2m_field).model._meta
        # A data-modifying WITH runs to completion whether or not the final SELECT reads it.
        sql += (
            f", s AS (INSERT INTO {quote(snapshot.db_table)} "
            f"({quote(snapshot.get_field('history').column)}, id, "
            f"{quote(snapshot.get_field(field.m2m_field_name()).column)}, "
            f"{quote(snapshot.get_field(field.m2m_reverse_field_name()).column)}) "
            f"SELECT h.history_id, l.id, l.{quote(owner)}, l.{quote(target)} "
            f"FROM {quote(through.db_table)} l JOIN h ON l.{quote(owner)} = h.owner_id ORDER BY l.id)"
        )
    return sql + " SELECT count(*) FROM h", [when or timezone.now(), user_id, list(ids)]


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids from the sequence behind `model`'s pk, in increasing order."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), model._meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY `rows` (tuples in the order of `columns`) into `table`, streamed."""
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)


def _values(fields: list[models.Field], objs: Sequence[models.Model]) -> Iterator[tuple]:
    """Each object's row: plain values in one attrgetter call, auto_now(_add) stamped per object as
    bulk_create stamps them (and left on the object), other types through get_db_prep_save."""
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    converted = [
        (i, f) for i, f in enumerate(fields) if f not in stamped and f.get_internal_type() not in _PLAIN_TYPES
    ]
    get = operator.attrgetter(*(f.attname for f in fields)) if len(fields) > 1 else None
    for obj in objs:
        for field in stamped:
            field.pre_save(obj, True)
        row = get(obj) if get is not None else (getattr(obj, fields[0].attname),)
        if converted:
            row = list(row)
            for i, field in converted:
                row[i] = field.get_db_prep_save(row[i], connection)
        yield row


def bulk_insert_values(model: type[models.Model], rows: Iterable[dict]) -> int:
    """Insert rows given as {attname: value}, the pk and any field left out taking their defaults as a
    new instance would (callable defaults called per row); no model instance is made. Returns how many."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if not copy_enabled() or any(f.has_db_default() for f in fields):
        objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return len(objs)
    count = 0

    def counted(values: Iterator[list]) -> Iterator[list]:
        nonlocal count
        for row in values:
            count += 1
            yield row

    columns, values = insert_values_rows(model, rows)
    copy_rows(model._meta.db_table, columns, counted(values))
    return count


def insert_values_rows(model: type[models.Model], rows: Iterable[dict]) -> tuple[list[str], Iterator[list]]:
    """(columns, COPY rows) of bulk_insert_values(model, rows), for a caller that runs the COPY itself."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    fixed = {f.attname: f.get_default() for f in fields if not callable(f.default)}
    called = [f for f in fields if callable(f.default)]
    converted = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() not in _PLAIN_TYPES]
    attnames = [f.attname for f in fields]

    def values() -> Iterator[list]:
        for given in rows:
            row = {**fixed, **{f.attname: f.get_default() for f in called if f.attname not in given}, **given}
            out = [row[a] for a in attnames]
            for i, field in converted:
                out[i] = field.get_db_prep_save(out[i], connection)
            yield out

    return [f.column for f in fields], values()


def copies_plainly(model: type[models.Model]) -> bool:
    """Whether every column of `model` goes to COPY as its Python value is (no get_db_prep_save), with
    no database default: rows of it can be built as plain tuples."""
    fields = model._meta.concrete_fields
    return all(f.get_internal_type() in _PLAIN_TYPES and not f.has_db_default() for f in fields)


def _sync_related_ids(fields: list[models.Field], objs: Sequence[models.Model]) -> None:
    """A related object assigned before it had a pk: take its pk now, as bulk_create does."""
    related = [f for f in fields if f.is_relation and f.many_to_one]
    for obj in objs:
        cache = obj._state.fields_cache
        for field in related:
            if getattr(obj, field.attname) is None and cache.get(field.name) is not None:
                setattr(obj, field.attname, cache[field.name].pk)


def copy_sql(table: str, columns: Sequence[str]) -> str:
    """The COPY … FROM STDIN statement of copy_rows(), for a caller that runs it itself."""
    quote = connection.ops.quote_name
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


class BackgroundWriter:
    """Writes handed over by the caller run one after another in a thread of their own, on the caller's
    connection and inside its transaction, while the caller goes on: an import reads and checks its next
    rows while the server writes the last ones (and maintains their indexes) on the other core.

    A write is a list of steps: ("copy", sql, rows) or ("sql", sql, params). The connection is shared, so
    the caller's own queries go through `turn()`. The writes happen after a savepoint taken here; the
    first one that fails rolls back to it (so the caller's next query still works), and the writes after
    it are skipped: `error` holds it, as Django's exception. Call close() before the transaction ends.
    """

    def __init__(self) -> None:
        if not connection.in_atomic_block:
            raise RuntimeError("BackgroundWriter must run inside the transaction it writes in")
        self.error: Exception | None = None
        self._savepoint = transaction.savepoint()
        # The caller's connection (Django's and psycopg's), not the one `connection` means in the thread.
        self._db = transaction.get_connection()
        self._raw = self._db.connection
        self._lock = threading.Lock()
        # Callers waiting for a turn: the thread lets them in before its next write (a Lock is not fair).
        self._waiting = 0
        self._turns = threading.Condition()
        self._todo: queue.SimpleQueue = queue.SimpleQueue()
        self._done: queue.SimpleQueue = queue.SimpleQueue()
        self._pending = 0
        self._thread = threading.Thread(target=self._work, name="bulk-writer", daemon=True)
        self._thread.start()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Around the caller's own queries: they wait for the write in progress (not for the ones queued
        after it), and do not interleave with it."""
        with self._turns:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._turns:
                self._waiting -= 1
                self._turns.notify_all()
        try:
            yield
        finally:
            self._lock.release()

    def submit(self, steps: list[tuple], tag: object = None) -> None:
        """Queue a write; `tag` comes back from done() once it is made (or skipped)."""
        self._pending += 1
        self._todo.put((steps, tag))

    def done(self, *, wait: bool) -> Iterator[object]:
        """The tags of the writes made since the last call; with `wait`, until every write is made."""
        while self._pending:
            try:
                tag = self._done.get(block=wait)
            except queue.Empty:
                return
            self._pending -= 1
            yield tag

    def fail(self, error: Exception) -> None:
        """The caller's own part of the writing failed: undo every write and skip the rest."""
        with self.turn():
            self.error = self.error or error
            transaction.savepoint_rollback(self._savepoint)

    def rollback(self) -> None:
        """Undo every write (none may be queued): the transaction is back where it was at the start."""
        with self.turn():
            transaction.savepoint_rollback(self._savepoint)

    def close(self) -> None:
        """Stop the thread; writes still queued are skipped."""
        if self.error is None:
            self.error = _Closed()
        self._todo.put(None)
        self._thread.join()
        if isinstance(self.error, _Closed):
            self.error = None

    def _work(self) -> None:
        while (job := self._todo.get()) is not None:
            steps, tag = job
            with self._turns:
                self._turns.wait_for(lambda: not self._waiting)
            try:
                with self._lock:
                    if self.error is None:
                        try:
                            self._run(steps)
                        except Exception as exc:
                            self.error = self._as_django(exc)
                            with self._raw.cursor() as cursor:
                                cursor.execute(
                                    f"ROLLBACK TO SAVEPOINT {self._db.ops.quote_name(self._savepoint)}"
                                )
            except Exception as exc:
                # The rollback failed too (the connection is gone): the caller's next query will say so.
                self.error = self.error or exc
            finally:
                self._done.put(tag)

    def _run(self, steps: list[tuple]) -> None:
        with self._raw.cursor() as cursor:
            for kind, sql, data in steps:
                if kind == "copy":
                    with cursor.copy(sql) as copy:
                        for row in data:
                            copy.write_row(row)
                else:
                    cursor.execute(sql, data)

    def _as_django(self, exc: Exception) -> Exception:
        # As the ORM would raise it (IntegrityError …), so callers catch what they always catch.
        try:
            with self._db.wrap_database_errors:
                raise exc
        except Exception as wrapped:
            return wrapped


class _Closed(Exception):
    """Set as the writer's error while it closes, so writes still queued are skipped."""
