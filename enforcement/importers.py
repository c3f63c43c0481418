"""Reading an existing case ledger (Excel): ledger kind "cases", registered in apps.py.

The import framework (core.imports) reads the file and keeps the all-or-nothing rule: every row is
checked first and every problem reported by row and column; with any problem nothing is imported. A
clean file goes to services.cases_import_many, which builds each case with the same builder as 立案 by
hand.

Decisions an old ledger forces:
- 案件编号 already in the system → refused; blank → the next of the handling unit's yearly series.
- 办案单位 (optional column): the district office when absent or blank; else a department or the
  district, by name or short name. A department user imports its own unit's cases only.
- The state follows the dates: 结案日期 → 结案; 处罚决定日期 → 决定; neither → 立案. 结案日期 needs a
  处罚决定日期 (a case that ended without a decision — 不予处罚 / 移送 — is recorded in the system).
- 罚款金额（元） is the fine on the unit, 个人罚款金额（元） the one on the person (一案双罚, the name
  may be added later); both exact to the fen, and they need a 处罚决定日期.
- 专项行动 (optional column): a campaign by name, matched like the inspection import (the one of that
  name running on the 立案日期); blank takes the campaign of the source inspection when it fits.
- 措施: several separated by 、 among 停产整顿、临时查封、责令三停、关闭取缔、暂扣, dated from the decision
  (or 立案 when there is none).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OrgKind
from accounts.importers import LedgerImporter
from accounts.models import Enterprise, OrgUnit, User
from accounts.validators import normalize_uscc
from campaigns.models import Campaign
from campaigns.selectors import campaign_match, campaigns_by_name
from campaigns.services import campaign_date_error
from core.dates import EARLIEST
from core.imports import RowErrors, cell_date, cell_decimal, cell_text
from inspections.models import InspectionRecord

from .choices import CaseProcedure, CaseSource
from .models import Case
from .permissions import can_open, can_use_unit
from .services import IMPORT_MEASURES, CaseData, CaseRow, cases_import_many
from .services.cases import AMOUNT_MAX

# Column names are the file format, not interface text: they stay Chinese whatever the language.
NUMBER = "案件编号"
OPENED_ON = "立案日期"
USCC = "统一社会信用代码"
PROCEDURE = "程序类型"
CAUSE = "案由"
FINE = "罚款金额（元）"
PERSON_FINE = "个人罚款金额（元）"
DECIDED_ON = "处罚决定日期"
MEASURES = "措施"
CLOSED_ON = "结案日期"
ACTION = "来源检查行动编号"
UNIT = "办案单位"
CAMPAIGN = "专项行动"

CASE_HEADERS = [
    NUMBER,
    OPENED_ON,
    USCC,
    PROCEDURE,
    CAUSE,
    FINE,
    PERSON_FINE,
    DECIDED_ON,
    MEASURES,
    CLOSED_ON,
    ACTION,
]
CASE_EXTRA_HEADERS = [UNIT, CAMPAIGN]
_CENTS = Decimal("0.01")
_SEPARATORS = re.compile(r"[、，,；;/\s]+")
_MEASURE_NAMES = "、".join(k for k in ("停产整顿", "临时查封", "责令三停", "关闭取缔", "暂扣"))


@dataclass
class _Lookups:
    today: dt.date
    user: User
    enterprises: dict[str, Enterprise]
    taken_numbers: set[str]
    units: dict[str, OrgUnit | None]  # name / short name → unit (None: ambiguous)
    districts: dict[int, OrgUnit]
    records: dict[tuple[str, int], list[InspectionRecord]]  # (action number, enterprise id) → records
    action_numbers: set[str]
    procedures: dict[str, str]
    campaigns: dict[str, list[Campaign]]  # by exact name


class CaseImporter(LedgerImporter):
    label = gettext_lazy("案件台账")
    sheet_title = "案件台账"
    template_filename = "案件台账导入模板.xlsx"
    list_url_name = "enforcement:case_list"
    notes = [
        gettext_lazy("案件编号留空时由系统按办案单位和年度连续编号；已在系统中的案件编号不能再次导入。"),
        gettext_lazy("程序类型：简易程序、一般程序。一般程序案件的办案期限为立案之日起90日。"),
        gettext_lazy("办案单位可不填（不填或无此列时为区安委办/应急局），填写时为部门名称或简称。"),
        gettext_lazy(
            "罚款金额（元）为对单位的罚款，个人罚款金额（元）为对责任人的罚款（一案双罚），精确到分；填写罚款须填写处罚决定日期。"
        ),
        gettext_lazy("措施可填多项，以“、”分隔：停产整顿、临时查封、责令三停、关闭取缔、暂扣。"),
        gettext_lazy(
            "有结案日期的为已结案案件，须同时填写处罚决定日期；有处罚决定日期、无结案日期的为已决定案件。"
        ),
        gettext_lazy("来源检查行动编号可不填；填写时案件关联到该次检查中该单位的检查记录。"),
        gettext_lazy(
            "专项行动可不填（可无此列），填写时为系统中专项行动的名称，立案日期须在该专项行动期间；"
            "不填时取来源检查所属的专项行动。"
        ),
        gettext_lazy("系统先校验全部行，有任何错误则不导入任何数据，并按行、列列出全部错误。"),
    ]
    headers = CASE_HEADERS
    required = [OPENED_ON, USCC, PROCEDURE, CAUSE]
    extra_headers = CASE_EXTRA_HEADERS
    key_header = NUMBER
    column_widths = {NUMBER: 22, USCC: 22, CAUSE: 40, MEASURES: 20, ACTION: 18}
    example = {
        NUMBER: "",
        OPENED_ON: "2026-03-01",
        USCC: "91330102MA2XXXXXX0",
        PROCEDURE: "一般程序",
        CAUSE: "示例：未按规定对从业人员进行安全生产教育和培训",
        FINE: "20000",
        PERSON_FINE: "5000",
        DECIDED_ON: "2026-04-10",
        MEASURES: "",
        CLOSED_ON: "",
        ACTION: "",
    }

    def allowed(self, user: User) -> bool:
        # A township writes hazards in its area but does not handle cases; a leader reads.
        return can_open(user)

    def row_key(self, values: dict[str, object]) -> str | None:
        return cell_text(values.get(NUMBER)) or None

    def prepare(
        self, *, user: User, rows: list[tuple[int, dict[str, object]]], present: set[str]
    ) -> _Lookups:
        codes = {normalize_uscc(cell_text(v.get(USCC))) for _r, v in rows} - {""}
        numbers = {cell_text(v.get(NUMBER)) for _r, v in rows} - {""}
        action_numbers = {cell_text(v.get(ACTION)) for _r, v in rows} - {""}
        campaign_names = {cell_text(v.get(CAMPAIGN)) for _r, v in rows} - {""}
        enterprises = {
            e.uscc: e
            for e in Enterprise.objects.filter(uscc__in=codes).select_related("jurisdiction__parent")
        }
        units: dict[str, OrgUnit | None] = {}
        districts: dict[int, OrgUnit] = {}
        for unit in OrgUnit.objects.filter(kind__in=[OrgKind.DISTRICT, OrgKind.DEPARTMENT], is_active=True):
            if unit.kind == OrgKind.DISTRICT:
                districts[unit.pk] = unit
            for name in {unit.name, unit.short_name} - {""}:
                units[name] = None if name in units and units[name] != unit else unit
        records: dict[tuple[str, int], list[InspectionRecord]] = {}
        for record in InspectionRecord.objects.filter(
            action__number__in=action_numbers, enterprise__uscc__in=codes, supersedes__isnull=True
        ).select_related("action"):
            records.setdefault((record.action.number, record.enterprise_id), []).append(record)
        known_actions = set(
            InspectionRecord.objects.filter(action__number__in=action_numbers).values_list(
                "action__number", flat=True
            )
        )
        return _Lookups(
            today=timezone.localdate(),
            user=user,
            enterprises=enterprises,
            taken_numbers=set(Case.objects.filter(number__in=numbers).values_list("number", flat=True)),
            units=units,
            districts=districts,
            records=records,
            action_numbers=known_actions,
            procedures={str(label): value for value, label in CaseProcedure.choices},
            campaigns=campaigns_by_name(campaign_names) if campaign_names else {},
        )

    def parse_row(
        self, *, row: int, values: dict[str, object], context: _Lookups, errors: RowErrors
    ) -> CaseRow | None:
        ctx = context
        number = cell_text(values.get(NUMBER))
        if len(number) > 60:
            errors.add(NUMBER, _("不能超过60个字符"))
        elif number in ctx.taken_numbers:
            errors.add(NUMBER, _("案件编号已存在"))
        enterprise = self._enterprise(values, ctx, errors)
        procedure = self._procedure(values, ctx, errors)
        cause = cell_text(values.get(CAUSE))
        if not cause:
            errors.add(CAUSE, _("不能为空"))
        elif len(cause) > 300:
            errors.add(CAUSE, _("不能超过300个字符"))

        bad: set[str] = set()  # a malformed date is reported once, not again as missing
        opened_on = self._date(values, OPENED_ON, errors, bad, required=True)
        if opened_on and opened_on > ctx.today:
            errors.add(OPENED_ON, _("不能晚于今天"))
        elif opened_on and opened_on < EARLIEST:
            errors.add(OPENED_ON, _("不能早于 %(year)s 年") % {"year": EARLIEST.year})
        decided_on = self._date(values, DECIDED_ON, errors, bad)
        closed_on = self._date(values, CLOSED_ON, errors, bad)
        for column, value in ((DECIDED_ON, decided_on), (CLOSED_ON, closed_on)):
            if value and value > ctx.today:
                errors.add(column, _("不能晚于今天"))
            elif value and opened_on and value < opened_on:
                errors.add(column, _("不能早于立案日期"))
        if closed_on and decided_on is None and DECIDED_ON not in bad:
            errors.add(DECIDED_ON, _("有结案日期的案件须填写处罚决定日期"))
        elif closed_on and decided_on and closed_on < decided_on:
            errors.add(CLOSED_ON, _("结案日期不能早于处罚决定日期"))

        fine = self._amount(values, FINE, errors)
        person_fine = self._amount(values, PERSON_FINE, errors)
        if (fine or person_fine) and decided_on is None and DECIDED_ON not in bad:
            errors.add(DECIDED_ON, _("填写罚款金额时须填写处罚决定日期"))
        measures = self._measures(values, errors)
        unit = self._unit(values, enterprise, ctx, errors)
        record = self._record(values, enterprise, ctx, errors)
        campaign = self._campaign(values, opened_on, ctx, errors)

        if errors.count:
            return None
        return CaseRow(
            row=row,
            number=number,
            data=CaseData(
                enterprise=enterprise,
                handling_unit=unit,
                procedure=procedure,
                cause=cause,
                opened_on=opened_on,
                source=CaseSource.INSPECTION if record else CaseSource.NONE,
                source_record=record,
                campaign=campaign,
            ),
            fine=fine,
            person_fine=person_fine,
            decided_on=decided_on,
            closed_on=closed_on,
            measures=tuple(measures),
        )

    def save(self, *, user: User, items: list[CaseRow], context: _Lookups) -> tuple[int, int]:
        return cases_import_many(user=user, rows=items), 0

    # ------------------------------------------------------------ cells

    @staticmethod
    def _campaign(values, opened_on: dt.date | None, ctx: _Lookups, errors: RowErrors):
        """The campaign the 专项行动 column names; ... (the source's default) when blank."""
        text = cell_text(values.get(CAMPAIGN))
        if not text:
            return ...
        campaign, problem = campaign_match(ctx.campaigns.get(text, []), opened_on)
        if problem == "unknown":
            errors.add(
                CAMPAIGN, _("未找到专项行动「%(value)s」，请先在系统中新建，或核对名称") % {"value": text}
            )
        elif problem:
            errors.add(
                CAMPAIGN, _("有多个名为「%(value)s」的专项行动，立案日期无法确定是哪一个") % {"value": text}
            )
        elif opened_on is not None and (message := campaign_date_error(campaign, opened_on)):
            errors.add(CAMPAIGN, message)
        return campaign

    @staticmethod
    def _date(
        values, column: str, errors: RowErrors, bad: set[str], required: bool = False
    ) -> dt.date | None:
        value = values.get(column)
        if value is None or cell_text(value) == "":
            if required:
                errors.add(column, _("不能为空"))
            return None
        try:
            return cell_date(value)
        except (ValueError, OverflowError):
            errors.add(column, _("日期格式不正确，应如 2026-03-01"))
            bad.add(column)
            return None

    @staticmethod
    def _amount(values, column: str, errors: RowErrors) -> Decimal | None:
        value = values.get(column)
        if value is None or cell_text(value) == "":
            return None
        try:
            amount = cell_decimal(str(value).replace(",", ""))
        except ValueError:
            errors.add(column, _("应为金额（元），如 20000 或 1500.50"))
            return None
        if amount == 0:
            return None
        if amount < 0 or amount > AMOUNT_MAX:
            errors.add(column, _("金额应大于0"))
            return None
        if amount != amount.quantize(_CENTS):
            errors.add(column, _("金额最多保留两位小数（分）"))
            return None
        return amount.quantize(_CENTS)

    @staticmethod
    def _procedure(values, ctx: _Lookups, errors: RowErrors) -> str:
        text = cell_text(values.get(PROCEDURE))
        if not text:
            errors.add(PROCEDURE, _("不能为空"))
            return ""
        if text not in ctx.procedures:
            errors.add(PROCEDURE, _("应为以下之一：{options}").format(options="、".join(ctx.procedures)))
            return ""
        return ctx.procedures[text]

    @staticmethod
    def _enterprise(values, ctx: _Lookups, errors: RowErrors) -> Enterprise | None:
        code = normalize_uscc(cell_text(values.get(USCC)))
        if not code:
            errors.add(USCC, _("不能为空"))
            return None
        enterprise = ctx.enterprises.get(code)
        if enterprise is None:
            errors.add(USCC, _("未找到该统一社会信用代码的生产经营单位，请先登记该单位"))
        return enterprise

    @staticmethod
    def _measures(values, errors: RowErrors) -> list[str]:
        text = cell_text(values.get(MEASURES))
        if not text:
            return []
        kinds, unknown = [], []
        for name in (part for part in _SEPARATORS.split(text) if part):
            if name in IMPORT_MEASURES:
                kinds.append(IMPORT_MEASURES[name])
            else:
                unknown.append(name)
        if unknown:
            errors.add(
                MEASURES,
                _("无法识别的措施：{unknown}；应为以下之一：{options}，多项以“、”分隔").format(
                    unknown="、".join(unknown), options=_MEASURE_NAMES
                ),
            )
        return kinds

    @staticmethod
    def _unit(values, enterprise: Enterprise | None, ctx: _Lookups, errors: RowErrors) -> OrgUnit | None:
        name = cell_text(values.get(UNIT))
        if name:
            if name not in ctx.units:
                errors.add(UNIT, _("未找到办案单位「{name}」（应为区或部门的名称、简称）").format(name=name))
                return None
            unit = ctx.units[name]
            if unit is None:
                errors.add(UNIT, _("有多个单位名为「{name}」，请填写全称").format(name=name))
                return None
        else:
            if enterprise is None:
                return None
            unit = ctx.districts.get(int(enterprise.jurisdiction.path.strip("/").split("/")[0]))
            if unit is None:
                errors.add(UNIT, _("找不到该单位所在的区，请填写办案单位"))
                return None
        if not can_use_unit(ctx.user, unit):
            errors.add(UNIT if name else USCC, _("您不能导入「{unit}」办理的案件").format(unit=unit.name))
            return None
        return unit

    @staticmethod
    def _record(
        values, enterprise: Enterprise | None, ctx: _Lookups, errors: RowErrors
    ) -> InspectionRecord | None:
        number = cell_text(values.get(ACTION))
        if not number:
            return None
        if number not in ctx.action_numbers:
            errors.add(ACTION, _("未找到检查行动「{number}」").format(number=number))
            return None
        if enterprise is None:
            return None
        records = ctx.records.get((number, enterprise.pk), [])
        if not records:
            errors.add(ACTION, _("检查行动「{number}」中没有该单位的检查记录").format(number=number))
            return None
        if len(records) > 1:
            errors.add(ACTION, _("有多个检查行动编号为「{number}」，无法确定是哪一次").format(number=number))
            return None
        return records[0]


__all__ = ["CASE_EXTRA_HEADERS", "CASE_HEADERS", "CaseImporter"]
