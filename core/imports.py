"""Excel ledger import: the contract every ledger kind follows, its registry, and the sheet importer base.

A ledger kind is registered once (`register_importer`, from the owning app's AppConfig.ready()) and
then served the same way everywhere: the upload page with its progress bar, the template download
and `manage.py import_ledger`. Nothing here knows a domain: who may import is the importer's own
`allowed(user)`, the meaning of the columns is its `parse_row`, the bulk write is its app's service.

The rule every importer keeps: check every row first and report every problem (row, column,
reason); with any problem, import nothing. Only a clean file reaches the service, in one transaction.
(An importer with a chunk saver hands each clean chunk over while the next is checked: still one
transaction, rolled back whole when any row turns out wrong.)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from .excel import FileSource, LedgerFileError, Sheet, open_sheet, write_workbook

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

# ---------------------------------------------------------------- the contract


@dataclass(frozen=True)
class RowError:
    """One problem: Excel row number (1 is the header row, 0 the file as a whole) and header name."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第{row}行").format(row=self.row) if self.row else ""
        column = f"[{self.column}]" if self.column else ""
        return " ".join(part for part in (where, column, self.message) if part)


# A garbage file of 10,000 rows has ~80,000 errors: a 10 MB page nobody reads. The first ones are
# kept (enough to see what is wrong with the file), the rest only counted.
MAX_ERRORS = 1_000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_hidden: int = 0  # errors found beyond MAX_ERRORS: counted, not listed

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_hidden


class Importer(Protocol):
    """What the pages, the job and the command need of a ledger kind."""

    label: str  # 生产经营单位, 检查行动 … for titles and messages
    headers: list[str]
    required: list[str]
    extra_headers: list[str]
    notes: list[str]  # lines of help shown beside the upload form
    template_filename: str
    list_url_name: str  # the ledger's list page: "back" on the import pages, "see it" after a success

    def allowed(self, user: User) -> bool: ...

    def template(self) -> bytes: ...

    def run(
        self, *, user: User, file: FileSource, dry_run: bool = False, progress: Progress | None = None
    ) -> ImportResult: ...


# progress(stage, done, total): stage is "validating" (rows checked so far) or "saving" (rows written
# so far, from inside the import's transaction: reported when the importer's save() calls
# report_saving(), else only at its start). Background imports show it as a bar.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 500
_saving_progress: ContextVar[Progress | None] = ContextVar("ledger_import_saving_progress", default=None)


def report_saving(done: int, total: int) -> None:
    """For an importer's save() writing in chunks: how far it is, for the progress bar (if anyone asks)."""
    progress = _saving_progress.get()
    if progress is not None:
        progress("saving", done, total)


def unlisted_errors(count: int) -> str:
    """The line that stands for the errors beyond MAX_ERRORS, on the job page, errors.xlsx and the command."""
    return _("另有 {n} 处错误未列出，请先改正以上错误后重新导入").format(n=count)


# ---------------------------------------------------------------- the registry


_registry: dict[str, Importer] = {}


class UnknownLedgerKind(LookupError):
    def __init__(self, kind: str) -> None:
        known = "、".join(f"{k}（{label}）" for k, label in importer_kinds())
        super().__init__(
            _("未知的台账类型「{kind}」，可用的有：{known}").format(kind=kind, known=known or "—")
        )


def register_importer(kind: str, importer: Importer) -> None:
    """Make `kind` importable. Registering the same kind again with the same importer class is a no-op."""
    current = _registry.get(kind)
    if current is not None and type(current) is not type(importer):
        raise ImproperlyConfigured(f"Ledger kind {kind!r} is already registered by {type(current)!r}")
    _registry[kind] = importer


def get_importer(kind: str) -> Importer:
    """The importer for `kind`; UnknownLedgerKind (a LookupError; views answer 404) when none is registered."""
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownLedgerKind(kind) from None


def importer_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered ledger, in registration order: usable as form choices."""
    return [(kind, str(importer.label)) for kind, importer in _registry.items()]


# ---------------------------------------------------------------- cell helpers for importers

_NAME_SEPARATORS = re.compile(r"[、,，;；]")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_YES = {"是", "Y", "YES", "TRUE", "1", "√"}
_NO = {"否", "N", "NO", "FALSE", "0", "×"}


def cell_text(value: object) -> str:
    """A cell as text. Excel turns typed digits (phone numbers, codes) into numbers; turn them back."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_decimal(value: object) -> Decimal:
    """A number cell or numeric text; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite():
        raise ValueError(value)
    return number


def cell_date(value: object) -> date:
    """An Excel date, a date serial number, or text like 2024-05-01, 2024/5/1, 2024年5月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        # A date typed into a cell formatted as General arrives as its serial number.
        return from_excel(value).date()
    text = cell_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def cell_bool(value: object) -> bool:
    """是/否 (also Y/N, TRUE/FALSE, 1/0, √/×); ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(value)


def split_names(value: object) -> list[str]:
    """Several names in one cell, separated by 、 , ， ; or ；; blanks and repeats dropped."""
    names = [part.strip() for part in _NAME_SEPARATORS.split(cell_text(value))]
    return list(dict.fromkeys(name for name in names if name))


# ---------------------------------------------------------------- the shared run() of sheet importers


class ErrorList(list):
    """A file's errors: the first MAX_ERRORS kept in order, the rest only counted in `hidden`."""

    hidden = 0

    def add(self, error: RowError) -> None:
        if len(self) < MAX_ERRORS:
            self.append(error)
        else:
            self.hidden += 1


class RowErrors:
    """The errors of one row, so a parser can just say `errors.add(column, message)`."""

    def __init__(self, row: int, into: ErrorList) -> None:
        self.row = row
        self._into = into
        self.count = 0

    def add(self, column: str, message: str) -> None:
        self._into.add(RowError(self.row, column, message))
        self.count += 1


class SheetImporter:
    """Base for one-sheet ledgers. A subclass declares its columns and pages and fills in five methods:

    - `allowed(user)`: may this user import this ledger at all (the app's permission rule);
    - `prepare(user, rows, present)`: load everything the rows refer to, in a handful of queries
      (with `chunk_rows`, once per chunk: `prepare(user, rows, present, context)`, see there);
    - `parse_row(row, values, context, errors)`: one row to an item, or errors;
    - `save(user, items, context)`: hand the items to the app's service; returns (created, updated);
    - `row_key(values)` (optional): the normalized key, for "duplicate inside the file" errors.
    """

    label: ClassVar[str]
    sheet_title: ClassVar[str]
    template_filename: ClassVar[str]
    list_url_name: ClassVar[str]
    notes: ClassVar[list[str]] = []
    headers: ClassVar[list[str]]  # the template's columns, in order
    required: ClassVar[list[str]]
    extra_headers: ClassVar[list[str]] = []  # also read when present (e.g. columns only the export writes)
    key_header: ClassVar[str | None] = None
    example: ClassVar[dict[str, object]] = {}
    column_widths: ClassVar[dict[str, float]] = {}
    # Rows checked per prepare() call, which then also gets the `context` it returned for the chunk
    # before (None the first time) and returns it extended: memory stays bounded by a chunk and the
    # checked items however long the file. None: the whole sheet at once, in one prepare() call.
    chunk_rows: ClassVar[int | None] = None

    def template(self) -> bytes:
        return write_workbook(
            sheet_title=self.sheet_title,
            headers=list(self.headers),
            rows=[[self.example.get(h) for h in self.headers]],
            column_widths=self.column_widths,
        )

    def run(
        self, *, user: User, file: FileSource, dry_run: bool = False, progress: Progress | None = None
    ) -> ImportResult:
        if not self.allowed(user):
            return _failed("", _("您没有导入权限"))
        report = progress or (lambda stage, done, total: None)
        try:
            with open_sheet(file, columns=[*self.headers, *self.extra_headers]) as sheet:
                errors = self._header_errors(sheet.headers)
                if errors:
                    # A file that cannot be used at all says so rather than naming columns: read it
                    # to the end, as the checks on its rows would have.
                    for _row in sheet.rows:
                        pass
                    return ImportResult(errors=errors)
                if self.chunk_rows is not None and self.saves_chunks():
                    token = _saving_progress.set(progress)
                    try:
                        return self._check_and_save(user=user, sheet=sheet, report=report, dry_run=dry_run)
                    finally:
                        _saving_progress.reset(token)
                checked = self._check(user=user, sheet=sheet, report=report)
        except LedgerFileError as exc:
            # Also when found part-way through the rows: the file as a whole is what is wrong.
            return _failed("", exc.message)
        if isinstance(checked, ImportResult):
            return checked
        items, context = checked
        report("saving", 0, len(items))
        token = _saving_progress.set(progress)
        try:
            return self._save(user=user, items=items, context=context, dry_run=dry_run)
        finally:
            _saving_progress.reset(token)

    def _check(
        self, *, user: User, sheet: Sheet, report: Progress, stream: _Stream | None = None
    ) -> ImportResult | tuple[list, Any]:
        """Every row checked: (the items, the context) of a clean file, or the result listing its errors.

        Only the checked items are kept for save(); with `chunk_rows` the rows are read and checked a
        chunk at a time, so a long file is never held whole. With `stream`, each chunk found clean (with
        none before it wrong) goes to the importer's chunk saver instead, and the items returned are [].
        """
        present = set(sheet.headers)
        if self.chunk_rows is None:
            rows = list(sheet.rows)
            chunks: Iterable[list] = [rows] if rows else []
            total = len(rows)
        else:
            chunks = _chunked(sheet.rows, self.chunk_rows)
            total = sheet.declared_rows  # the bar's length only; the sheet's own figure may be wrong
        errors = ErrorList()
        items = []
        first_seen: dict[object, int] = {}
        context = None
        index = 0
        report("validating", 0, total)
        for chunk in chunks:
            if self.chunk_rows is None:
                context = self.prepare(user=user, rows=chunk, present=present)
            else:
                with stream.turn() if stream else nullcontext():
                    context = self.prepare(user=user, rows=chunk, present=present, context=context)
            for row_number, values in chunk:
                if index and index % PROGRESS_EVERY == 0:
                    report("validating", index, max(total, index))
                index += 1
                row_errors = RowErrors(row_number, errors)
                item = self.parse_row(row=row_number, values=values, context=context, errors=row_errors)
                key = self.row_key(values)
                if key is not None and key in first_seen:
                    row_errors.add(
                        self.key_header or "",
                        _("与第{row}行的{column}重复").format(row=first_seen[key], column=self.key_header),
                    )
                elif key is not None:
                    first_seen[key] = row_number
                # Once a row is wrong nothing is imported: checked items are no longer worth keeping.
                if not errors:
                    items.append(item)
                elif items:
                    items = []
            if stream and items:
                stream.add(items, context)
                items = []
        if not index:
            return _failed("", _("文件中没有数据行"))
        if errors:
            return ImportResult(errors=list(errors), errors_hidden=errors.hidden)
        return items, context

    def _header_errors(self, headers: list[str]) -> list[RowError]:
        errors = [
            RowError(1, h, _("缺少必填列「{column}」").format(column=h))
            for h in self.required
            if h not in headers
        ]
        known = {*self.headers, *self.extra_headers}
        repeated = sorted({h for h in headers if h in known and headers.count(h) > 1}, key=headers.index)
        errors += [RowError(1, h, _("表头「{column}」出现了多次").format(column=h)) for h in repeated]
        return errors

    def _save(self, *, user: User, items: list, context: Any, dry_run: bool) -> ImportResult:
        try:
            with transaction.atomic():
                created, updated = self.save(user=user, items=items, context=context)
                if dry_run:
                    # A dry run goes through the real writes, so its counts and checks are the real ones.
                    transaction.set_rollback(True)
        except (ValidationError, PermissionDenied, IntegrityError) as exc:
            return _refused(exc)
        return ImportResult(created=created, updated=updated)

    def _check_and_save(self, *, user: User, sheet: Sheet, report: Progress, dry_run: bool) -> ImportResult:
        """_check() and _save() overlapped: each clean chunk is written (by the importer's chunk saver, in the
        background) while the next is read and checked. One transaction holds both, so all-or-nothing still
        holds: a wrong row in a later chunk, a file found unusable part-way, a failed write all roll back
        every chunk written, and every row is still checked and every error listed."""
        with transaction.atomic():
            stream = _Stream(self, user)
            try:
                checked = self._check(user=user, sheet=sheet, report=report, stream=stream)
                if isinstance(checked, ImportResult):
                    transaction.set_rollback(True)
                    return checked
                report("saving", 0, stream.count)
                try:
                    created, updated = stream.saver.finish()
                except (ValidationError, PermissionDenied, IntegrityError) as exc:
                    transaction.set_rollback(True)
                    return _refused(exc)
                if dry_run:
                    transaction.set_rollback(True)
                return ImportResult(created=created, updated=updated)
            finally:
                stream.close()

    # Subclasses fill these in.
    def allowed(self, user: User) -> bool:
        raise NotImplementedError

    def prepare(
        self, *, user: User, rows: list[tuple[int, dict[str, object]]], present: set[str], context: Any = None
    ) -> Any:
        return context

    def parse_row(self, *, row: int, values: dict[str, object], context: Any, errors: RowErrors) -> Any:
        raise NotImplementedError

    def save(self, *, user: User, items: list, context: Any) -> tuple[int, int]:
        raise NotImplementedError

    def row_key(self, values: dict[str, object]) -> object | None:
        return None

    # Optional, with `chunk_rows`: write each checked chunk while the next one is read.
    def saves_chunks(self) -> bool:
        """Whether chunk_saver() can be used here (this database, these models); else save() at the end."""
        return False

    def chunk_saver(self, *, user: User, context: Any) -> ChunkSaver:
        """Made (inside the import's transaction) when the first chunk is found clean; `context` is the
        one prepare() returned and keeps extending."""
        raise NotImplementedError


class ChunkSaver(Protocol):
    """Writes a clean file a chunk at a time, as save() would write it whole, in the caller's transaction.

    add() takes each chunk's items in file order and must not raise for the writes' sake (rows are still
    being checked); finish() waits for every write and returns (created, updated), or raises what save()
    would have raised (ValidationError, PermissionDenied, IntegrityError …). The importer's own queries
    (prepare) run inside turn(), so they take turns with the writes. close() is always called, last.
    """

    def turn(self) -> AbstractContextManager: ...

    def add(self, items: list) -> None: ...

    def finish(self) -> tuple[int, int]: ...

    def close(self) -> None: ...


class _Stream:
    """The chunk saver of one run, made when the first clean chunk comes."""

    def __init__(self, importer: SheetImporter, user: User) -> None:
        self.importer = importer
        self.user = user
        self.saver: ChunkSaver | None = None
        self.count = 0

    def turn(self) -> AbstractContextManager:
        return self.saver.turn() if self.saver is not None else nullcontext()

    def add(self, items: list, context: Any) -> None:
        if self.saver is None:
            self.saver = self.importer.chunk_saver(user=self.user, context=context)
        self.saver.add(items)
        self.count += len(items)

    def close(self) -> None:
        if self.saver is not None:
            self.saver.close()


def _chunked(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _refused(exc: Exception) -> ImportResult:
    """What a save refused for: rows were checked already, so this is a change made by someone else meanwhile."""
    if isinstance(exc, IntegrityError):
        return _failed("", _("数据在导入期间被他人修改，请重新导入"))
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("您没有导入权限")]
    return ImportResult(errors=[RowError(0, "", m) for m in messages])


def _failed(column: str, message: str) -> ImportResult:
    return ImportResult(errors=[RowError(0, column, message)])
