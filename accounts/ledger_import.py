"""Excel ledger import: the contract every ledger kind follows, the registry, and the enterprise importer.

A ledger kind is registered once (`register_importer`) and then served the same way by the upload
page, the template download and `manage.py import_ledger`. Accounts registers "enterprises" when
this module is imported; later apps register theirs from AppConfig.ready(), so accounts never
imports the apps above it.

The rule every importer keeps: check every row first and report every problem (row, column,
reason); with any problem, import nothing. Only a clean file reaches the service, in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from .choices import (
    GRID_KINDS,
    JURISDICTION_KINDS,
    TOWNSHIP_KINDS,
    EnterpriseScale,
    EnterpriseStatus,
    OrgKind,
    RiskGradeCode,
)
from .excel import FileSource, LedgerFileError, read_sheet, write_workbook
from .models import Enterprise, OrgUnit, RiskGrade, Sector, User
from .scoping import Scope, restrict, scope_for
from .services import EnterpriseData, enterprise_upsert_many
from .validators import normalize_uscc, uscc_problem

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


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Importer(Protocol):
    headers: list[str]
    required: list[str]

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


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class _Registered:
    label: str
    importer: Importer


_registry: dict[str, _Registered] = {}


class UnknownLedgerKind(LookupError):
    def __init__(self, kind: str) -> None:
        known = "、".join(f"{k}（{label}）" for k, label in importer_kinds())
        super().__init__(
            _("未知的台账类型「{kind}」，可用的有：{known}").format(kind=kind, known=known or "—")
        )


def register_importer(kind: str, label: str, importer: Importer) -> None:
    """Make `kind` importable. Registering the same kind again with the same importer class is a no-op."""
    current = _registry.get(kind)
    if current is not None and type(current.importer) is not type(importer):
        raise ImproperlyConfigured(
            f"Ledger kind {kind!r} is already registered by {type(current.importer)!r}"
        )
    _registry[kind] = _Registered(label=label, importer=importer)


def get_importer(kind: str) -> Importer:
    """The importer for `kind`; UnknownLedgerKind (a LookupError; views answer 404) when none is registered."""
    try:
        return _registry[kind].importer
    except KeyError:
        raise UnknownLedgerKind(kind) from None


def importer_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered ledger, in registration order: usable as form choices."""
    return [(kind, str(entry.label)) for kind, entry in _registry.items()]


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


class RowErrors:
    """The errors of one row, so a parser can just say `errors.add(column, message)`."""

    def __init__(self, row: int, into: list[RowError]) -> None:
        self.row = row
        self._into = into
        self.count = 0

    def add(self, column: str, message: str) -> None:
        self._into.append(RowError(self.row, column, message))
        self.count += 1


class SheetImporter:
    """Base for one-sheet ledgers. A subclass declares its columns and fills in four methods:

    - `prepare(user, rows, present)`: load everything the rows refer to, in a handful of queries;
    - `parse_row(row, values, context, errors)`: one row to an item, or errors;
    - `save(user, items, context)`: hand the items to the app's service; returns (created, updated);
    - `row_key(values)` (optional): the normalized key, for "duplicate inside the file" errors.
    """

    sheet_title: ClassVar[str]
    headers: ClassVar[list[str]]  # the template's columns, in order
    required: ClassVar[list[str]]
    extra_headers: ClassVar[list[str]] = []  # also read when present (e.g. columns only the export writes)
    key_header: ClassVar[str | None] = None
    example: ClassVar[dict[str, object]] = {}
    column_widths: ClassVar[dict[str, float]] = {}

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
        if scope_for(user, "change").nothing:
            return _failed("", _("您没有导入权限"))
        try:
            headers, rows = read_sheet(file, columns=[*self.headers, *self.extra_headers])
        except LedgerFileError as exc:
            return _failed("", exc.message)
        errors = self._header_errors(headers)
        if errors:
            return ImportResult(errors=errors)
        if not rows:
            return _failed("", _("文件中没有数据行"))

        report = progress or (lambda stage, done, total: None)
        report("validating", 0, len(rows))
        context = self.prepare(user=user, rows=rows, present=set(headers))
        items = []
        first_seen: dict[object, int] = {}
        for index, (row_number, values) in enumerate(rows):
            if index and index % PROGRESS_EVERY == 0:
                report("validating", index, len(rows))
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
            if not row_errors.count:
                items.append(item)
        if errors:
            return ImportResult(errors=errors)
        report("saving", 0, len(items))
        token = _saving_progress.set(progress)
        try:
            return self._save(user=user, items=items, context=context, dry_run=dry_run)
        finally:
            _saving_progress.reset(token)

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
        except (ValidationError, PermissionDenied) as exc:
            # Rows were checked already; this is a change made by someone else meanwhile.
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("您没有导入权限")]
            return ImportResult(errors=[RowError(0, "", m) for m in messages])
        except IntegrityError:
            return _failed("", _("数据在导入期间被他人修改，请重新导入"))
        return ImportResult(created=created, updated=updated)

    # Subclasses fill these in.
    def prepare(self, *, user: User, rows: list[tuple[int, dict[str, object]]], present: set[str]) -> Any:
        return None

    def parse_row(self, *, row: int, values: dict[str, object], context: Any, errors: RowErrors) -> Any:
        raise NotImplementedError

    def save(self, *, user: User, items: list, context: Any) -> tuple[int, int]:
        raise NotImplementedError

    def row_key(self, values: dict[str, object]) -> object | None:
        return None


def _failed(column: str, message: str) -> ImportResult:
    return ImportResult(errors=[RowError(0, column, message)])


# ---------------------------------------------------------------- 生产经营单位

# Column names are the file format, not interface text: they stay Chinese whatever the language.
USCC = "统一社会信用代码"
NAME = "单位名称"
SECTORS = "行业领域"
TOWNSHIP = "所属街道"
DEPARTMENT = "监管部门"
GRADE = "风险等级"
SCALE = "单位规模"
ADDRESS = "地址"
CONTACT = "联系人"
PHONE = "联系电话"
LONGITUDE = "经度"
LATITUDE = "纬度"
STATUS = "经营状态"
FIRE_KEY = "消防安全重点单位"
MAJOR_HAZARD = "重大危险源"

ENTERPRISE_HEADERS = [
    USCC,
    NAME,
    SECTORS,
    TOWNSHIP,
    DEPARTMENT,
    GRADE,
    SCALE,
    ADDRESS,
    CONTACT,
    PHONE,
    LONGITUDE,
    LATITUDE,
]
ENTERPRISE_EXPORT_HEADERS = [*ENTERPRISE_HEADERS, STATUS, FIRE_KEY, MAJOR_HAZARD]
_TEXT_LIMITS = {NAME: 200, ADDRESS: 255, CONTACT: 50, PHONE: 30}
_COORDINATE_RANGES = {LONGITUDE: (Decimal(-180), Decimal(180)), LATITUDE: (Decimal(-90), Decimal(90))}
_SIX_PLACES = Decimal("0.000001")
_UNIT_SEPARATOR = re.compile(r"[/／]")
_ENTERPRISE_WIDTHS = {USCC: 22, NAME: 32, SECTORS: 18, TOWNSHIP: 20, DEPARTMENT: 16, ADDRESS: 36}


@dataclass
class _EnterpriseLookups:
    """Everything the rows may name, loaded once: the whole file resolves in a handful of queries."""

    scope: Scope
    present: set[str]
    sectors: dict[str, Sector]
    townships: dict[str, OrgUnit | None]  # None: two active townships share the name
    grids: dict[tuple[int, str], OrgUnit]  # (township id, community/village name)
    grid_townships: dict[str, list[OrgUnit]]  # community/village name → its townships, for hints
    departments: dict[str, OrgUnit | None]  # by name and by short name; None: ambiguous
    grades: dict[str, RiskGrade]
    existing: dict[str, Enterprise]  # the file's codes already registered
    writable: set[str]  # … of which the user may change


class EnterpriseImporter(SheetImporter):
    sheet_title = "生产经营单位"
    headers = ENTERPRISE_HEADERS
    required = [USCC, NAME, SECTORS, TOWNSHIP]
    # The export's extra columns: read back when present, so an export re-imports without loss.
    extra_headers = [STATUS, FIRE_KEY, MAJOR_HAZARD]
    key_header = USCC
    column_widths = _ENTERPRISE_WIDTHS
    # Placeholder names that match nothing, so an example row left in the file is reported, not imported.
    example = {
        USCC: "91330102MA2XXXXXX0",
        NAME: "示例：某某机械制造有限公司",
        SECTORS: "工贸、机械",
        TOWNSHIP: "某某街道/某某社区",
        DEPARTMENT: "区应急管理局",
        GRADE: "黄",
        SCALE: "规上",
        ADDRESS: "某某路1号",
        CONTACT: "张三",
        PHONE: "13800000000",
        LONGITUDE: 120.123456,
        LATITUDE: 30.123456,
    }

    def row_key(self, values: dict[str, object]) -> str | None:
        code = normalize_uscc(cell_text(values.get(USCC)))
        return code or None

    def prepare(
        self, *, user: User, rows: list[tuple[int, dict[str, object]]], present: set[str]
    ) -> _EnterpriseLookups:
        codes = {normalize_uscc(cell_text(values.get(USCC))) for _row, values in rows} - {""}
        townships: dict[str, OrgUnit | None] = {}
        grids: dict[tuple[int, str], OrgUnit] = {}
        grid_units: list[OrgUnit] = []
        for unit in OrgUnit.objects.filter(kind__in=JURISDICTION_KINDS, is_active=True):
            if unit.kind in TOWNSHIP_KINDS:
                townships[unit.name] = None if unit.name in townships else unit
            elif unit.parent_id is not None:
                grids[(unit.parent_id, unit.name)] = unit
                grid_units.append(unit)
        township_by_id = {u.pk: u for u in townships.values() if u is not None}
        grid_townships: dict[str, list[OrgUnit]] = {}
        for unit in grid_units:
            if unit.parent_id in township_by_id:
                grid_townships.setdefault(unit.name, []).append(township_by_id[unit.parent_id])

        departments: dict[str, OrgUnit | None] = {}
        for unit in OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True):
            for key in {unit.name, unit.short_name} - {""}:
                departments[key] = None if key in departments and departments[key] != unit else unit

        grades: dict[str, RiskGrade] = {}
        for grade in RiskGrade.objects.all():
            char = str(RiskGradeCode(grade.code).label)
            grades.update({grade.label: grade, char: grade, f"{char}色": grade})

        existing = {
            e.uscc: e
            for e in Enterprise.objects.filter(uscc__in=codes).select_related(
                "supervising_department", "risk_grade"
            )
        }
        writable = set(
            restrict(Enterprise.objects.filter(uscc__in=codes), user, "change").values_list("uscc", flat=True)
        )
        return _EnterpriseLookups(
            scope=scope_for(user, "change"),
            present=present,
            sectors={s.name: s for s in Sector.objects.filter(is_active=True)},
            townships=townships,
            grids=grids,
            grid_townships=grid_townships,
            departments=departments,
            grades=grades,
            existing=existing,
            writable=writable,
        )

    def parse_row(
        self, *, row: int, values: dict[str, object], context: _EnterpriseLookups, errors: RowErrors
    ) -> EnterpriseData | None:
        ctx = context
        code = normalize_uscc(cell_text(values.get(USCC)))
        current = ctx.existing.get(code)
        if not code:
            errors.add(USCC, _("不能为空"))
        elif problem := uscc_problem(code):
            errors.add(USCC, problem)
        elif current is not None and code not in ctx.writable:
            # Say only that it is taken: which unit holds it is outside this user's scope.
            errors.add(USCC, _("该统一社会信用代码已由其他单位登记，您无权修改"))

        name = self._text(values, NAME, errors)
        if not name:
            errors.add(NAME, _("不能为空"))
        sectors = self._sectors(values, ctx, errors)
        jurisdiction = self._jurisdiction(values, ctx, errors)
        department = self._pick(
            values, DEPARTMENT, ctx.departments, errors, current, "supervising_department"
        )
        grade = self._pick(values, GRADE, ctx.grades, errors, current, "risk_grade")
        scale = self._choice(values, SCALE, EnterpriseScale, errors, current, "scale", default="")
        status = self._choice(
            values,
            STATUS,
            EnterpriseStatus,
            errors,
            current,
            "status",
            default=EnterpriseStatus.OPERATING,
            blank_keeps=True,  # a blank status in an old export must not reopen a closed enterprise
        )
        longitude = self._coordinate(values, LONGITUDE, errors, current, "longitude")
        latitude = self._coordinate(values, LATITUDE, errors, current, "latitude")
        fire_key = self._flag(values, FIRE_KEY, errors, current, "is_fire_key_unit")
        major_hazard = self._flag(values, MAJOR_HAZARD, errors, current, "has_major_hazard_source")
        texts = {
            h: self._text(values, h, errors) if h in ctx.present else getattr(current, attr, "")
            for h, attr in ((ADDRESS, "address"), (CONTACT, "contact_person"), (PHONE, "contact_phone"))
        }

        if (
            jurisdiction is not None
            and sectors
            and not ctx.scope.admits(
                jurisdiction=jurisdiction,
                sector_ids={s.pk for s in sectors},
                department_id=department.pk if department else None,
            )
        ):
            if ctx.scope.subtree_path is not None:
                errors.add(
                    TOWNSHIP, _("「{name}」不在您的管辖范围内").format(name=cell_text(values.get(TOWNSHIP)))
                )
            else:
                errors.add(SECTORS, _("行业领域和监管部门均不在您的管辖范围内"))
        if errors.count:
            return None
        return EnterpriseData(
            uscc=code,
            name=name,
            jurisdiction=jurisdiction,
            sectors=sectors,
            supervising_department=department,
            risk_grade=grade,
            scale=scale,
            status=status,
            address=texts[ADDRESS],
            longitude=longitude,
            latitude=latitude,
            contact_person=texts[CONTACT],
            contact_phone=texts[PHONE],
            is_fire_key_unit=fire_key,
            has_major_hazard_source=major_hazard,
        )

    def save(
        self, *, user: User, items: list[EnterpriseData], context: _EnterpriseLookups
    ) -> tuple[int, int]:
        return enterprise_upsert_many(user=user, rows=items)

    # A column missing from the file keeps what an existing enterprise has; a blank cell clears it.

    @staticmethod
    def _text(values: dict[str, object], column: str, errors: RowErrors) -> str:
        text = cell_text(values.get(column))
        limit = _TEXT_LIMITS.get(column)
        if limit and len(text) > limit:
            errors.add(column, _("不能超过{n}个字符，当前为{m}个").format(n=limit, m=len(text)))
        return text

    @staticmethod
    def _sectors(values: dict[str, object], ctx: _EnterpriseLookups, errors: RowErrors) -> list[Sector]:
        names = split_names(values.get(SECTORS))
        if not names:
            errors.add(SECTORS, _("不能为空"))
        unknown = [n for n in names if n not in ctx.sectors]
        if unknown:
            errors.add(SECTORS, _("未找到行业领域：{names}").format(names="、".join(unknown)))
        return [ctx.sectors[n] for n in names if n in ctx.sectors]

    @staticmethod
    def _jurisdiction(
        values: dict[str, object], ctx: _EnterpriseLookups, errors: RowErrors
    ) -> OrgUnit | None:
        text = cell_text(values.get(TOWNSHIP))
        if not text:
            errors.add(TOWNSHIP, _("不能为空"))
            return None
        # A township whose own name holds a slash is taken whole before splitting.
        township_name, grid_name = (text, "") if text in ctx.townships else _split_unit(text)
        if township_name not in ctx.townships:
            hosts = ctx.grid_townships.get(township_name, [])
            if not grid_name and len(hosts) == 1:
                errors.add(
                    TOWNSHIP,
                    _("「{name}」是社区/村，请写成「{township}/{name}」").format(
                        name=township_name, township=hosts[0].name
                    ),
                )
            else:
                errors.add(TOWNSHIP, _("未找到街道/乡镇「{name}」").format(name=township_name))
            return None
        township = ctx.townships[township_name]
        if township is None:
            errors.add(TOWNSHIP, _("有多个街道/乡镇名为「{name}」，请联系管理员").format(name=township_name))
            return None
        if not grid_name:
            return township
        grid = ctx.grids.get((township.pk, grid_name))
        if grid is None:
            errors.add(
                TOWNSHIP,
                _("「{township}」下未找到社区/村「{name}」").format(township=township_name, name=grid_name),
            )
        return grid

    @staticmethod
    def _pick(values, column, table: dict, errors: RowErrors, current: Enterprise | None, attr: str):
        if column not in values:
            return getattr(current, attr, None)
        text = cell_text(values[column])
        if not text:
            return None
        if text not in table:
            errors.add(column, _("未找到「{value}」").format(value=text))
            return None
        if table[text] is None:
            errors.add(column, _("「{value}」对应多个单位，请填写全称").format(value=text))
        return table[text]

    @staticmethod
    def _choice(
        values,
        column,
        choices,
        errors: RowErrors,
        current: Enterprise | None,
        attr: str,
        *,
        default: str,
        blank_keeps: bool = False,
    ) -> str:
        if column not in values:
            return getattr(current, attr, default)
        text = cell_text(values[column])
        if not text:
            return getattr(current, attr, default) if blank_keeps else default
        by_label = {str(label): value for value, label in choices.choices}
        if text not in by_label:
            errors.add(column, _("应为以下之一：{options}").format(options="、".join(by_label)))
            return default
        return by_label[text]

    @staticmethod
    def _coordinate(
        values, column, errors: RowErrors, current: Enterprise | None, attr: str
    ) -> Decimal | None:
        if column not in values:
            return getattr(current, attr, None)
        if values[column] is None:
            return None
        low, high = _COORDINATE_RANGES[column]
        try:
            number = cell_decimal(values[column])
        except ValueError:
            errors.add(column, _("应为数字"))
            return None
        if not low <= number <= high:
            errors.add(column, _("应在 {low} 到 {high} 之间").format(low=low, high=high))
            return None
        return number.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)

    @staticmethod
    def _flag(values, column, errors: RowErrors, current: Enterprise | None, attr: str) -> bool:
        if column not in values or values[column] is None:
            return getattr(current, attr, False)
        try:
            return cell_bool(values[column])
        except ValueError:
            errors.add(column, _("应填写“是”或“否”"))
            return False


def _split_unit(text: str) -> tuple[str, str]:
    """ "东城街道/东城社区" → ("东城街道", "东城社区"); "东城街道" → ("东城街道", "")."""
    parts = _UNIT_SEPARATOR.split(text, maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def enterprise_export(*, queryset: QuerySet[Enterprise]) -> bytes:
    """The enterprises in `queryset` as an xlsx in the import format (so an export re-imports as is).

    The caller scopes and filters the queryset (selectors.enterprise_list); the related rows are
    fetched up front here too, so a plain queryset cannot turn into a query per row.
    """
    queryset = queryset.select_related(
        "jurisdiction__parent", "supervising_department", "risk_grade"
    ).prefetch_related("sectors")
    yes_no = {True: _("是"), False: _("否")}  # translated once, not twice per row
    return write_workbook(
        sheet_title="生产经营单位",
        headers=ENTERPRISE_EXPORT_HEADERS,
        rows=(_export_row(e, yes_no) for e in queryset),
        column_widths=_ENTERPRISE_WIDTHS,
    )


def _export_row(e: Enterprise, yes_no: dict[bool, str]) -> list[object]:
    return [
        e.uscc,
        e.name,
        "、".join(s.name for s in e.sectors.all()),
        unit_cell(e.jurisdiction),
        e.supervising_department.name if e.supervising_department else "",
        e.risk_grade.label if e.risk_grade else "",
        e.get_scale_display() if e.scale else "",
        e.address,
        e.contact_person,
        e.contact_phone,
        e.longitude,
        e.latitude,
        e.get_status_display(),
        yes_no[e.is_fire_key_unit],
        yes_no[e.has_major_hazard_source],
    ]


def unit_cell(unit: OrgUnit) -> str:
    """A jurisdiction as the 所属街道 column writes it: "街道" or "街道/社区"."""
    if unit.kind in GRID_KINDS and unit.parent is not None:
        return f"{unit.parent.name}/{unit.name}"
    return unit.name


def _register() -> None:
    register_importer("enterprises", gettext_lazy("生产经营单位"), EnterpriseImporter())


# Registered on import: every caller of get_importer() imports this module first, so "enterprises"
# is always there without an AppConfig hook.
_register()


__all__ = [
    "ImportResult",
    "Importer",
    "RowError",
    "RowErrors",
    "SheetImporter",
    "UnknownLedgerKind",
    "cell_bool",
    "cell_date",
    "cell_decimal",
    "cell_text",
    "enterprise_export",
    "get_importer",
    "importer_kinds",
    "register_importer",
    "report_saving",
    "split_names",
    "unit_cell",
]
