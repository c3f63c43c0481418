"""Reading an existing hazard ledger (Excel): ledger kind "hazards", registered in apps.py.

The import framework (core.imports) does the reading and the all-or-nothing rule: every row is checked
first and every problem reported by row and column; with any problem nothing is imported. A clean
file goes to services.hazards_import_many, which writes it in bulk through the same builder as a
hazard recorded by hand, so a 10,000-row ledger imports in seconds. On PostgreSQL each clean chunk of
5,000 rows goes to services.imports.HazardImport instead, which writes it (the same rows) while the
next chunk is read, in the same one transaction.

Decisions an old ledger forces (README「隐患台账导入」explains them to users):
- 隐患编号 already in the system → the row is refused ("隐患编号已存在"). There is no update by
  import: a hazard's later life is the closed loop (entries, verification, history), which a
  spreadsheet must not overwrite. A blank 隐患编号 gets the next number of the district's series;
  a given number of the system's own form (YH2026xxxxx) moves the series past it, so numbers
  generated later never collide with imported ones.
- 重大隐患 need 整改措施 and 整改责任人 (of the 五落实 the ones every old ledger has). 整改资金（万元）
  and 应急预案 are optional extra columns; a major hazard imported without them is accepted and its
  登记 line on the timeline says which of the 五落实 are still to be filled in.
- The responsible unit is the enterprise's township (属地管理), as when recording by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.importers import LedgerImporter
from accounts.models import Enterprise, User
from accounts.scoping import restrict
from accounts.validators import normalize_uscc
from core.dates import EARLIEST
from core.imports import RowErrors, cell_date, cell_decimal, cell_text
from inspections.models import InspectionAction, InspectionRecord

from .choices import HazardLevel, HazardSource, HazardState, ListingLevel
from .models import Hazard, HazardCategory
from .services import HazardData, HazardRow, default_responsible_unit, hazards_import_many
from .services.imports import HazardImport

# Column names are the file format, not interface text: they stay Chinese whatever the language.
NUMBER = "隐患编号"
FOUND_ON = "发现日期"
USCC = "统一社会信用代码"
ACTION = "检查行动编号"
SOURCE = "隐患来源"
LEVEL = "隐患等级"
DESCRIPTION = "隐患描述"
DEADLINE = "整改期限"
MEASURES = "整改措施"
PERSON = "整改责任人"
STATE = "整改状态"
CLOSED_ON = "销号日期"
LISTING = "挂牌督办级别"
LISTED_ON = "挂牌日期"
# Optional columns: the rest of the 五落实, and what the hazard page shows when an old ledger has it.
FUNDS = "整改资金（万元）"
PLAN = "应急预案"
CATEGORY = "隐患类别"
LOCATION = "隐患部位"
LEADER = "督办领导"
DOCUMENT = "督办文号"

HAZARD_HEADERS = [
    NUMBER,
    FOUND_ON,
    USCC,
    ACTION,
    SOURCE,
    LEVEL,
    DESCRIPTION,
    DEADLINE,
    MEASURES,
    PERSON,
    STATE,
    CLOSED_ON,
    LISTING,
    LISTED_ON,
]
HAZARD_EXTRA_HEADERS = [FUNDS, PLAN, CATEGORY, LOCATION, LEADER, DOCUMENT]
NOT_LISTED = "无"
# The states an old ledger may hold; 作废 is a decision taken in the system, never imported.
IMPORT_STATES = (HazardState.OPEN, HazardState.RECTIFYING, HazardState.VERIFYING, HazardState.CLOSED)
_LIMITS = {NUMBER: 40, PERSON: 50, LOCATION: 200, LEADER: 50, DOCUMENT: 60}
_FUNDS_MAX = Decimal("9999999999.99")
_CENTS = Decimal("0.01")
_WIDTHS = {NUMBER: 15, USCC: 22, ACTION: 16, DESCRIPTION: 40, MEASURES: 36}


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded a chunk of rows at a time in a handful of queries each."""

    today: dt.date
    present: set[str]
    categories: dict[str, HazardCategory]
    labels: dict[str, dict[str, str]]
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    writable: set[str] = field(default_factory=set)
    sector_ids: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    taken_numbers: set[str] = field(default_factory=set)
    actions: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # 检查行动编号 → ids
    records: dict[tuple[int, int], InspectionRecord] = field(default_factory=dict)  # (action, enterprise)
    codes_loaded: set[str] = field(default_factory=set)
    actions_loaded: set[str] = field(default_factory=set)
    # Numbers the import itself has written already (chunk by chunk, in its transaction): not taken.
    written_numbers: set[str] = field(default_factory=set)


def _by_label(choices, allowed=None) -> dict[str, str]:
    return {str(label): value for value, label in choices if allowed is None or value in allowed}


class HazardImporter(LedgerImporter):
    label = gettext_lazy("隐患台账")
    sheet_title = "隐患台账"
    template_filename = "隐患台账导入模板.xlsx"
    list_url_name = "hazards:hazard_list"
    notes = [
        gettext_lazy("隐患编号留空时由系统按年度连续编号；已在系统中的隐患编号不能再次导入。"),
        gettext_lazy(
            "隐患来源：检查发现、企业自查、专家查隐患、线上巡查、群众举报、其他；隐患等级：一般、重大。"
        ),
        gettext_lazy(
            "检查行动编号可不填；填写时隐患关联到该次检查中该单位的检查记录，隐患来源应为“检查发现”。"
        ),
        gettext_lazy("整改状态：待整改、整改中、待复查、已销号；“已销号”须填写销号日期，其他状态不填。"),
        gettext_lazy(
            "重大隐患须填写整改措施和整改责任人；整改资金（万元）、应急预案可一并填写，未填的在隐患记录中提示待补充。"
        ),
        gettext_lazy("挂牌督办级别：无、区级、市级、省级，只适用于重大隐患，挂牌时须填写挂牌日期。"),
        gettext_lazy("系统先校验全部行，有任何错误则不导入任何数据，并按行、列列出全部错误。"),
    ]
    headers = HAZARD_HEADERS
    required = [FOUND_ON, USCC, SOURCE, LEVEL, DESCRIPTION, DEADLINE, STATE]
    extra_headers = HAZARD_EXTRA_HEADERS
    key_header = NUMBER
    column_widths = _WIDTHS
    chunk_rows = 5000
    # Placeholder values that match nothing, so an example row left in the file is reported, not imported.
    example = {
        NUMBER: "",
        FOUND_ON: "2026-03-01",
        USCC: "91330102MA2XXXXXX0",
        ACTION: "",
        SOURCE: "企业自查",
        LEVEL: "一般",
        DESCRIPTION: "示例：配电箱未可靠接地",
        DEADLINE: "2026-03-31",
        MEASURES: "更换配电箱并重新接地",
        PERSON: "张三",
        STATE: "待整改",
        CLOSED_ON: "",
        LISTING: NOT_LISTED,
        LISTED_ON: "",
    }

    def row_key(self, values: dict[str, object]) -> str | None:
        return cell_text(values.get(NUMBER)) or None

    def prepare(
        self,
        *,
        user: User,
        rows: list[tuple[int, dict[str, object]]],
        present: set[str],
        context: _Lookups | None = None,
    ) -> _Lookups:
        """What this chunk of rows refers to, added to what the chunks before loaded."""
        ctx = context or _Lookups(
            today=timezone.localdate(),
            present=present,
            categories={c.name: c for c in HazardCategory.objects.filter(is_active=True)},
            labels={
                SOURCE: _by_label(HazardSource.choices),
                LEVEL: _by_label(HazardLevel.choices),
                STATE: _by_label(HazardState.choices, IMPORT_STATES),
                LISTING: {NOT_LISTED: "", **_by_label(ListingLevel.choices)},
            },
        )
        codes = {normalize_uscc(cell_text(v.get(USCC))) for _r, v in rows} - {""}
        numbers = {cell_text(v.get(NUMBER)) for _r, v in rows} - {""}
        action_numbers = {cell_text(v.get(ACTION)) for _r, v in rows} - {""}
        new_codes = codes - ctx.codes_loaded
        new_actions = action_numbers - ctx.actions_loaded

        ctx.enterprises.update(
            (e.uscc, e)
            for e in Enterprise.objects.filter(uscc__in=new_codes).select_related(
                "jurisdiction__parent", "supervising_department"
            )
        )
        ctx.writable.update(
            restrict(Enterprise.objects.filter(uscc__in=new_codes), user, "change").values_list(
                "uscc", flat=True
            )
        )
        links = Enterprise.sectors.through.objects.filter(enterprise__uscc__in=new_codes)
        for enterprise_id, sector_id in links.values_list("enterprise_id", "sector_id"):
            ctx.sector_ids[enterprise_id].append(sector_id)
        ctx.codes_loaded |= new_codes

        for number, pk in InspectionAction.objects.filter(number__in=new_actions).values_list("number", "pk"):
            ctx.actions[number].append(pk)
        ctx.actions_loaded |= new_actions
        if action_numbers:
            # The record of an action and an enterprise that both came up before may first be needed now.
            ctx.records.update(
                ((r.action_id, r.enterprise_id), r)
                for r in InspectionRecord.objects.filter(
                    action__number__in=action_numbers, enterprise__uscc__in=codes
                )
                .select_related("action")
                .only("pk", "action_id", "enterprise_id", "action__campaign_id")
            )
        taken = set(Hazard.objects.filter(number__in=numbers).values_list("number", flat=True))
        ctx.taken_numbers |= taken - ctx.written_numbers
        return ctx

    def parse_row(
        self, *, row: int, values: dict[str, object], context: _Lookups, errors: RowErrors
    ) -> HazardRow | None:
        ctx = context
        texts = {h: self._text(values, h, errors) for h in (NUMBER, PERSON, LOCATION, LEADER, DOCUMENT)}
        number = texts[NUMBER]
        if number in ctx.taken_numbers:
            errors.add(NUMBER, _("隐患编号已存在"))

        enterprise = self._enterprise(values, ctx, errors)
        source = self._choice(values, SOURCE, ctx, errors)
        level = self._choice(values, LEVEL, ctx, errors)
        state = self._choice(values, STATE, ctx, errors)
        listing_level = self._choice(values, LISTING, ctx, errors, required=False)
        description = cell_text(values.get(DESCRIPTION))
        if not description:
            errors.add(DESCRIPTION, _("不能为空"))
        measures = cell_text(values.get(MEASURES))

        bad_dates: set[str] = set()  # a malformed date is reported once, not again as missing
        found_on = self._date(values, FOUND_ON, errors, bad_dates, required=True)
        if found_on and found_on > ctx.today:
            errors.add(FOUND_ON, _("不能晚于今天"))
        elif found_on and found_on < EARLIEST:
            errors.add(FOUND_ON, _("不能早于 %(year)s 年") % {"year": EARLIEST.year})
        deadline = self._date(values, DEADLINE, errors, bad_dates, required=True)
        if found_on and deadline and deadline < found_on:
            errors.add(DEADLINE, _("整改期限不能早于发现日期"))
        closed_on = self._date(values, CLOSED_ON, errors, bad_dates)
        if CLOSED_ON not in bad_dates:
            self._check_closed(state, closed_on, found_on, ctx, errors)
        listed_on = self._date(values, LISTED_ON, errors, bad_dates)
        self._check_listing(level, listing_level, listed_on, found_on, texts, ctx, errors, bad_dates)
        record = self._record(values, enterprise, source, ctx, errors)

        if level == HazardLevel.MAJOR:
            # 五落实: the measures and the person are required; funds and plan may follow later.
            if not measures:
                errors.add(MEASURES, _("重大隐患须填写整改措施（五落实）"))
            if not texts[PERSON]:
                errors.add(PERSON, _("重大隐患须填写整改责任人（五落实）"))
        funds = self._funds(values, errors)
        category = self._category(values, ctx, errors)

        if errors.count:
            return None
        return HazardRow(
            row=row,
            number=number,
            data=HazardData(
                enterprise=enterprise,
                source=source,
                description=description,
                found_on=found_on,
                deadline=deadline,
                responsible_unit=default_responsible_unit(enterprise),
                level=level,
                category=category,
                location=texts[LOCATION],
                responsible_person=texts[PERSON],
                measures=measures,
                funds=funds,
                contingency_plan=cell_text(values.get(PLAN)),
                inspection_record=record,
            ),
            state=state,
            closed_on=closed_on,
            listing_level=listing_level,
            listed_on=listed_on,
            listing_leader=texts[LEADER],
            listing_document=texts[DOCUMENT],
        )

    def save(self, *, user: User, items: list[HazardRow], context: _Lookups) -> tuple[int, int]:
        return hazards_import_many(user=user, rows=items, sector_ids=context.sector_ids), 0

    def saves_chunks(self) -> bool:
        return _ChunkSaver.usable()

    def chunk_saver(self, *, user: User, context: _Lookups) -> _ChunkSaver:
        # The sectors of enterprises later chunks bring are added to the same dict by prepare().
        return _ChunkSaver(user=user, sector_ids=context.sector_ids, written=context.written_numbers)

    # ------------------------------------------------------------ cells

    @staticmethod
    def _text(values: dict[str, object], column: str, errors: RowErrors) -> str:
        text = cell_text(values.get(column))
        limit = _LIMITS.get(column)
        if limit and len(text) > limit:
            errors.add(column, _("不能超过{n}个字符，当前为{m}个").format(n=limit, m=len(text)))
        return text

    @staticmethod
    def _date(
        values: dict[str, object], column: str, errors: RowErrors, bad: set[str], required: bool = False
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
    def _choice(values, column: str, ctx: _Lookups, errors: RowErrors, required: bool = True) -> str:
        text = cell_text(values.get(column))
        options = ctx.labels[column]
        if not text:
            if required:
                errors.add(column, _("不能为空"))
            return ""
        if text not in options:
            errors.add(column, _("应为以下之一：{options}").format(options="、".join(options)))
            return ""
        return options[text]

    @staticmethod
    def _enterprise(values, ctx: _Lookups, errors: RowErrors) -> Enterprise | None:
        code = normalize_uscc(cell_text(values.get(USCC)))
        if not code:
            errors.add(USCC, _("不能为空"))
            return None
        enterprise = ctx.enterprises.get(code)
        if enterprise is None:
            errors.add(USCC, _("未找到该统一社会信用代码的生产经营单位，请先登记该单位"))
            return None
        if code not in ctx.writable:
            errors.add(USCC, _("该单位不在您的管辖范围内"))
            return None
        return enterprise

    @staticmethod
    def _check_closed(state, closed_on, found_on, ctx: _Lookups, errors: RowErrors) -> None:
        if state == HazardState.CLOSED:
            if closed_on is None:
                errors.add(CLOSED_ON, _("整改状态为“已销号”时须填写销号日期"))
            elif closed_on and closed_on > ctx.today:
                errors.add(CLOSED_ON, _("不能晚于今天"))
            elif closed_on and found_on and closed_on < found_on:
                errors.add(CLOSED_ON, _("销号日期不能早于发现日期"))
        elif closed_on is not None and state:
            errors.add(CLOSED_ON, _("只有“已销号”的隐患填写销号日期"))

    @staticmethod
    def _check_listing(
        level, listing_level, listed_on, found_on, texts, ctx: _Lookups, errors: RowErrors, bad: set[str]
    ) -> None:
        if not listing_level:
            if listed_on is not None:
                errors.add(LISTED_ON, _("未挂牌督办的隐患不填写挂牌日期"))
            for column in (LEADER, DOCUMENT):
                if texts[column]:
                    errors.add(column, _("未挂牌督办的隐患不填写此项"))
            return
        if level and level != HazardLevel.MAJOR:
            errors.add(LISTING, _("只有重大隐患可以挂牌督办"))
        if listed_on is None:
            if LISTED_ON not in bad:
                errors.add(LISTED_ON, _("挂牌督办须填写挂牌日期"))
        elif listed_on > ctx.today:
            errors.add(LISTED_ON, _("不能晚于今天"))
        elif found_on and listed_on < found_on:
            errors.add(LISTED_ON, _("挂牌日期不能早于发现日期"))

    @staticmethod
    def _record(values, enterprise, source, ctx: _Lookups, errors: RowErrors) -> InspectionRecord | None:
        number = cell_text(values.get(ACTION))
        if not number:
            return None
        action_ids = ctx.actions.get(number, [])
        if not action_ids:
            errors.add(ACTION, _("未找到检查行动「{number}」").format(number=number))
            return None
        if source and source != HazardSource.INSPECTION:
            errors.add(SOURCE, _("填写了检查行动编号时，隐患来源应为“检查发现”"))
        if enterprise is None:
            return None
        records = [ctx.records[(a, enterprise.pk)] for a in action_ids if (a, enterprise.pk) in ctx.records]
        if not records:
            errors.add(ACTION, _("检查行动「{number}」中没有该单位的检查记录").format(number=number))
            return None
        if len(records) > 1:
            errors.add(ACTION, _("有多个检查行动编号为「{number}」，无法确定是哪一次").format(number=number))
            return None
        return records[0]

    @staticmethod
    def _funds(values, errors: RowErrors) -> Decimal | None:
        value = values.get(FUNDS)
        if value is None or cell_text(value) == "":
            return None
        try:
            amount = cell_decimal(value)
        except ValueError:
            errors.add(FUNDS, _("应为数字（万元）"))
            return None
        if not Decimal(0) <= amount <= _FUNDS_MAX:
            errors.add(FUNDS, _("应在 0 到 {max} 之间").format(max=_FUNDS_MAX))
            return None
        return amount.quantize(_CENTS, rounding=ROUND_HALF_UP)

    @staticmethod
    def _category(values, ctx: _Lookups, errors: RowErrors) -> HazardCategory | None:
        name = cell_text(values.get(CATEGORY))
        if not name:
            return None
        if name not in ctx.categories:
            errors.add(CATEGORY, _("应为以下之一：{options}").format(options="、".join(ctx.categories)))
            return None
        return ctx.categories[name]


class _ChunkSaver(HazardImport):
    def finish(self) -> tuple[int, int]:
        return super().finish(), 0


__all__ = ["HAZARD_EXTRA_HEADERS", "HAZARD_HEADERS", "HazardImporter"]
