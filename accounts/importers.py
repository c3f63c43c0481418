"""The enterprise ledger's importer, and the base every domain importer builds on.

The framework (checking every row first, all or nothing, jobs, pages, the command) is core.imports;
what a domain adds is who may import (`allowed`, the scoping rule) and what the columns mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import RowErrors, SheetImporter, cell_bool, cell_decimal, cell_text, split_names

from .choices import (
    JURISDICTION_KINDS,
    TOWNSHIP_KINDS,
    EnterpriseScale,
    EnterpriseStatus,
    OrgKind,
    RiskGradeCode,
)
from .models import Enterprise, OrgUnit, RiskGrade, Sector, User
from .scoping import Scope, can_write, restrict, scope_for
from .services import EnterpriseData, enterprise_upsert_many
from .validators import normalize_uscc, uscc_problem


class LedgerImporter(SheetImporter):
    """A ledger of this district: whoever may write records (the scoping rule) may import them;
    each row is then checked against the importing user's own scope."""

    def allowed(self, user: User) -> bool:
        return can_write(user)


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


class EnterpriseImporter(LedgerImporter):
    label = gettext_lazy("生产经营单位")
    sheet_title = "生产经营单位"
    template_filename = "生产经营单位导入模板.xlsx"
    list_url_name = "accounts:enterprise_list"
    notes = [
        gettext_lazy(
            "统一社会信用代码已存在的单位将被更新而不会重复；文件中没有的列保持原值，空白单元格清空该项。"
        ),
        gettext_lazy("所属街道写成“街道”或“街道/社区”；多个行业领域用顿号分隔。"),
        gettext_lazy("系统先校验全部行，有任何错误则不导入任何数据，并按行、列列出全部错误。"),
    ]
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
