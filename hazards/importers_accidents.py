"""Reading an accident ledger (Excel): ledger kind "accidents", registered in apps.py.

The framework (core.imports) checks every row first and reports every problem by row and column; with
any problem nothing is imported. A clean file goes to services.accidents_import_many, which numbers
and writes the rows in bulk through the same builder as an accident recorded by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import TOWNSHIP_KINDS
from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.scoping import Scope, scope_for
from accounts.validators import normalize_uscc
from core.dates import EARLIEST
from core.imports import RowErrors, SheetImporter, cell_bool, cell_date, cell_decimal, cell_text

from .choices import AccidentGrade
from .models import AccidentCategory
from .permissions import can_record_accident
from .services import AccidentData, accidents_import_many
from .services.accidents import LOSS_MAX

# Column names are the file format, not interface text: they stay Chinese whatever the language.
OCCURRED_ON = "发生日期"
SECTOR = "行业领域"
CATEGORY = "事故类别"
PRODUCTION = "是否生产安全事故"
DEATHS = "死亡人数"
INJURIES = "受伤人数"
LOSS = "直接经济损失（万元）"
GRADE = "事故等级"
TOWNSHIP = "所属街道"
USCC = "统一社会信用代码"
SUMMARY = "简要经过"

ACCIDENT_HEADERS = [
    OCCURRED_ON,
    SECTOR,
    CATEGORY,
    PRODUCTION,
    DEATHS,
    INJURIES,
    LOSS,
    GRADE,
    TOWNSHIP,
    USCC,
    SUMMARY,
]
_PEOPLE_MAX = 10_000
_CENTS = Decimal("0.01")


@dataclass
class _Lookups:
    today: dt.date
    scope: Scope
    townships: dict[str, OrgUnit | None]  # None: two active townships share the name
    sectors: dict[str, Sector]
    categories: dict[str, AccidentCategory]
    enterprises: dict[str, Enterprise]
    grades: dict[str, str]


class AccidentImporter(SheetImporter):
    label = gettext_lazy("事故")
    sheet_title = "事故台账"
    template_filename = "事故台账导入模板.xlsx"
    list_url_name = "hazards:accident_list"
    notes = [
        gettext_lazy(
            "事故类别：物体打击、车辆伤害、机械伤害、起重伤害、触电、淹溺、灼烫、火灾、高处坠落、坍塌、"
            "中毒和窒息、其他爆炸、其他伤害……以及道路交通、自然灾害（以系统中的事故类别为准）。"
        ),
        gettext_lazy("是否生产安全事故填“是”或“否”；事故等级：一般、较大、重大、特别重大。"),
        gettext_lazy("所属街道为事故发生地的街道/乡镇；统一社会信用代码可不填，填写时该单位须在所属街道内。"),
        gettext_lazy(
            "每行登记为一起新事故，由系统按年度连续编号；系统先校验全部行，有任何错误则不导入任何数据。"
        ),
    ]
    headers = ACCIDENT_HEADERS
    required = [OCCURRED_ON, SECTOR, CATEGORY, PRODUCTION, DEATHS, INJURIES, GRADE, TOWNSHIP, SUMMARY]
    column_widths = {OCCURRED_ON: 12, SECTOR: 14, CATEGORY: 14, TOWNSHIP: 14, USCC: 22, SUMMARY: 48}
    # Placeholder names that match nothing, so an example row left in the file is reported, not imported.
    example = {
        OCCURRED_ON: "2026-03-01",
        SECTOR: "建筑施工",
        CATEGORY: "高处坠落",
        PRODUCTION: "是",
        DEATHS: 1,
        INJURIES: 0,
        LOSS: 120.5,
        GRADE: "一般",
        TOWNSHIP: "某某街道",
        USCC: "",
        SUMMARY: "示例：某工地一名工人在脚手架作业时坠落",
    }

    def allowed(self, user: User) -> bool:
        return can_record_accident(user)

    def prepare(self, *, user: User, rows, present: set[str]) -> _Lookups:
        codes = {normalize_uscc(cell_text(v.get(USCC))) for _r, v in rows} - {""}
        townships: dict[str, OrgUnit | None] = {}
        for unit in OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS, is_active=True):
            for name in {unit.name, unit.short_name} - {""}:
                townships[name] = None if name in townships and townships[name] != unit else unit
        return _Lookups(
            today=timezone.localdate(),
            scope=scope_for(user, "change"),
            townships=townships,
            sectors={s.name: s for s in Sector.objects.filter(is_active=True)},
            categories={c.name: c for c in AccidentCategory.objects.filter(is_active=True)},
            enterprises={
                e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes).select_related("jurisdiction")
            },
            grades={str(label): value for value, label in AccidentGrade.choices},
        )

    def parse_row(self, *, row: int, values: dict[str, object], context: _Lookups, errors: RowErrors):
        ctx = context
        occurred_on = self._date(values, ctx, errors)
        sector = self._lookup(values, SECTOR, ctx.sectors, errors, _("未知的行业领域「{value}」"))
        category = self._lookup(values, CATEGORY, ctx.categories, errors, _("未知的事故类别「{value}」"))
        township = self._township(values, ctx, errors)
        production = None
        try:
            production = cell_bool(values.get(PRODUCTION))
        except ValueError:
            errors.add(PRODUCTION, _("应为“是”或“否”"))
        deaths = self._people(values, DEATHS, errors)
        injuries = self._people(values, INJURIES, errors)
        loss = self._loss(values, errors)
        grade_text = cell_text(values.get(GRADE))
        grade = ctx.grades.get(grade_text)
        if grade is None:
            errors.add(GRADE, _("应为以下之一：{options}").format(options="、".join(ctx.grades)))
        summary = cell_text(values.get(SUMMARY))
        if not summary:
            errors.add(SUMMARY, _("不能为空"))
        enterprise = self._enterprise(values, township, ctx, errors)
        if (
            township is not None
            and sector is not None
            and not ctx.scope.admits(jurisdiction=township, sector_ids=[sector.pk])
        ):
            errors.add(SECTOR, _("不在您监管的行业领域，不能导入"))
        if errors.count:
            return None
        return AccidentData(
            occurred_on=occurred_on,
            township=township,
            sector=sector,
            category=category,
            summary=summary,
            is_production_safety=production,
            grade=grade,
            deaths=deaths,
            injuries=injuries,
            direct_loss=loss,
            enterprise=enterprise,
        )

    def save(self, *, user: User, items: list[AccidentData], context: _Lookups) -> tuple[int, int]:
        return accidents_import_many(user=user, rows=items), 0

    # ------------------------------------------------------------ cells

    @staticmethod
    def _date(values, ctx: _Lookups, errors: RowErrors) -> dt.date | None:
        value = values.get(OCCURRED_ON)
        if value is None or cell_text(value) == "":
            errors.add(OCCURRED_ON, _("不能为空"))
            return None
        try:
            day = cell_date(value)
        except (ValueError, OverflowError):
            errors.add(OCCURRED_ON, _("日期格式不正确，应如 2026-03-01"))
            return None
        if day > ctx.today:
            errors.add(OCCURRED_ON, _("不能晚于今天"))
        elif day < EARLIEST:
            errors.add(OCCURRED_ON, _("不能早于 %(year)s 年") % {"year": EARLIEST.year})
        return day

    @staticmethod
    def _lookup(values, column: str, table: dict, errors: RowErrors, unknown: str):
        text = cell_text(values.get(column))
        if not text:
            errors.add(column, _("不能为空"))
            return None
        found = table.get(text)
        if found is None:
            errors.add(column, unknown.format(value=text))
        return found

    @staticmethod
    def _township(values, ctx: _Lookups, errors: RowErrors) -> OrgUnit | None:
        text = cell_text(values.get(TOWNSHIP))
        if not text:
            errors.add(TOWNSHIP, _("不能为空"))
            return None
        if text not in ctx.townships:
            errors.add(TOWNSHIP, _("未知的街道/乡镇「{value}」").format(value=text))
            return None
        unit = ctx.townships[text]
        if unit is None:
            errors.add(TOWNSHIP, _("有多个同名的街道/乡镇「{value}」，请写全称").format(value=text))
        return unit

    @staticmethod
    def _people(values, column: str, errors: RowErrors) -> int:
        value = values.get(column)
        if value is None or cell_text(value) == "":
            errors.add(column, _("不能为空，没有请填0"))
            return 0
        try:
            number = cell_decimal(value)
        except ValueError:
            errors.add(column, _("应为整数"))
            return 0
        if number != number.to_integral_value() or number < 0 or number > _PEOPLE_MAX:
            errors.add(column, _("应为不小于0的整数"))
            return 0
        return int(number)

    @staticmethod
    def _loss(values, errors: RowErrors) -> Decimal | None:
        value = values.get(LOSS)
        if value is None or cell_text(value) == "":
            return None
        try:
            number = cell_decimal(value)
        except ValueError:
            errors.add(LOSS, _("应为数字（万元）"))
            return None
        if number < 0 or number > LOSS_MAX:
            errors.add(LOSS, _("应为不小于0的数字（万元）"))
            return None
        if number != number.quantize(_CENTS):
            errors.add(LOSS, _("最多两位小数"))
            return None
        return number.quantize(_CENTS)

    @staticmethod
    def _enterprise(values, township: OrgUnit | None, ctx: _Lookups, errors: RowErrors):
        code = normalize_uscc(cell_text(values.get(USCC)))
        if not code:
            return None
        enterprise = ctx.enterprises.get(code)
        if enterprise is None:
            errors.add(USCC, _("系统中没有该统一社会信用代码的单位"))
            return None
        if township is not None and not enterprise.jurisdiction.path.startswith(township.path):
            errors.add(USCC, _("该单位不在所属街道「{name}」").format(name=township.name))
            return None
        return enterprise
