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
from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from django.db import connection, models
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
    history = model.history.model
    tracked = list(history.tracked_fields)
    extra = (
        {f.attname for f in history._meta.concrete_fields} - _HISTORY_COLUMNS - {f.attname for f in tracked}
    )
    per_object = any(
        hasattr(obj, attr) for obj in objs for attr in ("_history_user", "_history_date", "_change_reason")
    )
    if not copy_enabled() or extra or per_object:
        if m2m_field and not links:
            # Written by bulk_insert_values, the through rows were never objects: read them back.
            field = model._meta.get_field(m2m_field)
            through = field.remote_field.through
            links = list(through.objects.filter(**{f"{field.m2m_field_name()}__in": [o.pk for o in objs]}))
        return len(history_bulk_create(model, objs, user=user, when=when, m2m_field=m2m_field, links=links))
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in history._meta.concrete_fields}
    columns = [by_attname[f.attname].column for f in tracked]
    user = user or history.get_default_history_user(objs[0])
    source_pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} "
            f"({', '.join(quote(c) for c in columns)}, history_date, history_change_reason, history_type, "
            "history_user_id) "
            f"SELECT {', '.join(quote(f.column) for f in tracked)}, %s, '', '+', %s "
            f"FROM {quote(model._meta.db_table)} WHERE {quote(source_pk)} = ANY(%s) ORDER BY {quote(source_pk)} "
            f"RETURNING history_id, {quote(by_attname[model._meta.pk.attname].column)}",
            [when or timezone.now(), getattr(user, "pk", None), [obj.pk for obj in objs]],
        )
        records = cursor.fetchall()
        if m2m_field:
            field = model._meta.get_field(m2m_field)
            through = field.remote_field.through._meta
            owner = through.get_field(field.m2m_field_name()).column  # e.g. hazard_id
            target = through.get_field(field.m2m_reverse_field_name()).column  # e.g. sector_id
            snapshot = getattr(history, m2m_field).model._meta
            cursor.execute(
                f"INSERT INTO {quote(snapshot.db_table)} "
                f"({quote(snapshot.get_field('history').column)}, id, "
                f"{quote(snapshot.get_field(field.m2m_field_name()).column)}, "
                f"{quote(snapshot.get_field(field.m2m_reverse_field_name()).column)}) "
                f"SELECT h.history_id, l.id, l.{quote(owner)}, l.{quote(target)} "
                f"FROM {quote(through.db_table)} l "
                "JOIN unnest(%s::integer[], %s::bigint[]) AS h(history_id, owner_id) "
                f"ON l.{quote(owner)} = h.owner_id ORDER BY l.id",
                [[r[0] for r in records], [r[1] for r in records]],
            )
    return len(records)


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
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
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
    fixed = {f.attname: f.get_default() for f in fields if not callable(f.default)}
    called = [f for f in fields if callable(f.default)]
    converted = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() not in _PLAIN_TYPES]
    attnames = [f.attname for f in fields]
    count = 0

    def values() -> Iterator[list]:
        nonlocal count
        for given in rows:
            row = {**fixed, **{f.attname: f.get_default() for f in called if f.attname not in given}, **given}
            out = [row[a] for a in attnames]
            for i, field in converted:
                out[i] = field.get_db_prep_save(out[i], connection)
            count += 1
            yield out

    copy_rows(model._meta.db_table, [f.column for f in fields], values())
    return count


def _sync_related_ids(fields: list[models.Field], objs: Sequence[models.Model]) -> None:
    """A related object assigned before it had a pk: take its pk now, as bulk_create does."""
    related = [f for f in fields if f.is_relation and f.many_to_one]
    for obj in objs:
        cache = obj._state.fields_cache
        for field in related:
            if getattr(obj, field.attname) is None and cache.get(field.name) is not None:
                setattr(obj, field.attname, cache[field.name].pk)
