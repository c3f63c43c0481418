"""Reading an activity ledger (Excel): ledger kind "activities", registered in apps.py.

The import framework (core.imports) reads the sheet and keeps the all-or-nothing rule: every row is
checked first and every problem reported by row and column, in Chinese; with any problem nothing is
imported. Each row is checked by the same rules as the form (services.activity_problems), and a clean
file is written by services.activities_import_many through the same builder as one record.

Columns: 日期, 活动类型 (宣传/培训/演练/会议), 子类型, 主题, 组织单位, 场次, 参与人次, 横幅（条）,
宣传资料（份）, 展板（块）, 媒体报道（篇）, 备注 — and, when present, a column for any other unit of
the catalogue headed “名称（单位）” (宣传专栏（块）, 受众（人次） …), 结束日期, 地点, 专项行动,
约谈对象 and 约谈事由 (the export writes them all, so an export imports back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.importers import LedgerImporter
from accounts.models import Enterprise, OrgUnit, User
from accounts.scoping import restrict
from accounts.validators import normalize_uscc
from core.imports import RowErrors, cell_date, cell_decimal, cell_text, split_names

from .choices_activities import ORGANISER_KINDS, TalkTargetKind
from .models import Activity, ActivitySubtype, ActivityType, Campaign, QuantityUnit
from .services.activities import (
    ActivityData,
    TalkTargetData,
    activities_import_many,
    activity_key,
    activity_problems,
)

# Column names are the file format, not interface text: they stay Chinese whatever the language.
DATE = "日期"
KIND = "活动类型"
SUBTYPE = "子类型"
THEME = "主题"
ORGANISER = "组织单位"
SESSIONS = "场次"
PARTICIPANTS = "参与人次"
NOTES = "备注"
END_DATE = "结束日期"
PLACE = "地点"
CAMPAIGN = "专项行动"
TALK_TARGETS = "约谈对象"
TALK_REASON = "约谈事由"
# The quantity columns of the layout, by the catalogue code they fill.
QUANTITY_HEADERS = {
    "横幅（条）": "banner",
    "宣传资料（份）": "leaflet",
    "展板（块）": "board",
    "媒体报道（篇）": "media",
}

ACTIVITY_HEADERS = [DATE, KIND, SUBTYPE, THEME, ORGANISER, SESSIONS, PARTICIPANTS, *QUANTITY_HEADERS, NOTES]
OTHER_HEADERS = [END_DATE, PLACE, CAMPAIGN, TALK_TARGETS, TALK_REASON]
# The service's field names → the column its message belongs to.
FIELD_COLUMNS = {
    "date": DATE,
    "end_date": END_DATE,
    "type": KIND,
    "subtype": SUBTYPE,
    "theme": THEME,
    "organiser": ORGANISER,
    "sessions": SESSIONS,
    "participants": PARTICIPANTS,
    "place": PLACE,
    "notes": NOTES,
    "talk_targets": TALK_TARGETS,
    "talk_reason": TALK_REASON,
    "quantities": "",
    "campaign": CAMPAIGN,
}
_MAX_INT = 100_000_000


@dataclass
class _Lookups:
    user: User
    today: dt.date
    types: dict[str, ActivityType]  # by name and by code
    subtypes: dict[tuple[int, str], ActivitySubtype]
    units: dict[str, QuantityUnit]  # column header → unit
    organisers: dict[str, list[OrgUnit]]  # name, short name and "上级/名称" → units
    campaigns: dict[str, list[Campaign]]
    talk_units: dict[str, list[OrgUnit]]  # townships and departments by name and short name
    enterprises: dict[str, Enterprise]  # visible enterprises by name and by code
    taken: set[tuple]  # activity keys (services.activity_key) already in the ledger


class ActivityImporter(LedgerImporter):
    label = gettext_lazy("活动台账（宣传、培训、演练、会议）")
    sheet_title = "活动台账"
    template_filename = "活动台账导入模板.xlsx"
    list_url_name = "campaigns:activity_list"
    notes = [
        gettext_lazy(
            "活动类型：宣传、培训、演练、会议；子类型按系统管理中的代码表填写（如 安全生产月、主要负责人、消防疏散、安委会全会、约谈）。"
        ),
        gettext_lazy(
            "组织单位填写单位名称（同名时写成“街道/社区”）；只能导入本单位（及下属社区/村）的活动。"
        ),
        gettext_lazy(
            "场次留空为 1，参与人次和各数量列留空为 0；数量列的表头为“名称（单位）”，如 横幅（条）、宣传专栏（块）、受众（人次）。"
        ),
        gettext_lazy("“约谈”须填写约谈对象（街道/乡镇、部门或生产经营单位名称，多个用顿号分隔）和约谈事由。"),
        gettext_lazy("系统先校验全部行，有任何错误则不导入任何数据，并按行、列列出全部错误。"),
    ]
    headers = ACTIVITY_HEADERS
    required = [DATE, KIND, THEME, ORGANISER]
    column_widths = {THEME: 36, ORGANISER: 18, NOTES: 30}
    # Placeholder names that match nothing, so an example row left in the file is reported, not imported.
    example = {
        DATE: "2026-06-16",
        KIND: "宣传",
        SUBTYPE: "安全生产月",
        THEME: "示例：安全生产月宣传咨询日",
        ORGANISER: "某某街道",
        SESSIONS: 1,
        PARTICIPANTS: 300,
        "横幅（条）": 20,
        "宣传资料（份）": 1500,
        "展板（块）": 12,
        "媒体报道（篇）": 2,
        NOTES: "",
    }

    @property
    def extra_headers(self) -> list[str]:  # type: ignore[override]
        """The other units of the catalogue (by their “名称（单位）”), and the export's extra columns."""
        fixed = set(QUANTITY_HEADERS.values())
        others = [u.label for u in QuantityUnit.objects.filter(is_active=True).exclude(code__in=fixed)]
        return [*others, *OTHER_HEADERS]

    def prepare(
        self, *, user: User, rows: list[tuple[int, dict[str, object]]], present: set[str]
    ) -> _Lookups:
        types: dict[str, ActivityType] = {}
        for t in ActivityType.objects.all():
            types[t.name] = t
            types[t.get_code_display()] = t
        subtypes = {(s.type_id, s.name): s for s in ActivitySubtype.objects.all()}
        units: dict[str, QuantityUnit] = {}
        for unit in QuantityUnit.objects.all():
            units[unit.label] = unit
            for header, code in QUANTITY_HEADERS.items():
                if unit.code == code:
                    units[header] = unit
        names = {cell_text(v.get(ORGANISER)) for _r, v in rows} - {""}
        leaf_names = {n.replace("／", "/").rsplit("/", 1)[-1].strip() for n in names}
        organisers: dict[str, list[OrgUnit]] = {}
        found = (
            OrgUnit.objects.filter(kind__in=ORGANISER_KINDS)
            .filter(Q(name__in=leaf_names) | Q(short_name__in=leaf_names))
            .select_related("parent")
        )
        for unit in found:
            keys = {unit.name, unit.short_name} - {""}
            if unit.parent is not None:
                keys |= {f"{p}/{unit.name}" for p in (unit.parent.name, unit.parent.short_name) if p}
            for key in keys:
                organisers.setdefault(key, []).append(unit)
        campaign_names = {cell_text(v.get(CAMPAIGN)) for _r, v in rows} - {""}
        campaigns: dict[str, list[Campaign]] = {}
        for c in Campaign.objects.filter(name__in=campaign_names):
            campaigns.setdefault(c.name, []).append(c)
        target_names = {n for _r, v in rows for n in split_names(v.get(TALK_TARGETS))}
        talk_units: dict[str, list[OrgUnit]] = {}
        enterprises: dict[str, Enterprise] = {}
        if target_names:
            for unit in OrgUnit.objects.filter(Q(name__in=target_names) | Q(short_name__in=target_names)):
                if unit.is_township or unit.is_department:
                    for key in {unit.name, unit.short_name} - {""}:
                        talk_units.setdefault(key, []).append(unit)
            codes = {normalize_uscc(n) for n in target_names}
            visible = restrict(Enterprise.objects.all(), user).filter(
                Q(name__in=target_names) | Q(uscc__in=codes)
            )
            for e in visible:
                enterprises[e.name] = e
                enterprises[e.uscc] = e
        dates = set()
        for _r, v in rows:
            try:
                dates.add(cell_date(v.get(DATE)))
            except (ValueError, OverflowError, TypeError):
                continue
        themes = {cell_text(v.get(THEME)) for _r, v in rows} - {""}
        taken = set(
            Activity.objects.filter(date__in=dates, theme__in=themes).values_list(
                "date", "type_id", "subtype_id", "theme", "organiser_id"
            )
        )
        return _Lookups(
            user=user,
            today=timezone.localdate(),
            types=types,
            subtypes=subtypes,
            units=units,
            organisers=organisers,
            campaigns=campaigns,
            talk_units=talk_units,
            enterprises=enterprises,
            taken=taken,
        )

    def parse_row(
        self, *, row: int, values: dict[str, object], context: _Lookups, errors: RowErrors
    ) -> ActivityData | None:
        ctx = context
        date = self._date(values, DATE, errors, required=True)
        end_date = self._date(values, END_DATE, errors)
        kind_text = cell_text(values.get(KIND))
        activity_type = ctx.types.get(kind_text)
        if not kind_text:
            errors.add(KIND, _("不能为空"))
        elif activity_type is None:
            errors.add(KIND, _("应为以下之一：宣传、培训、演练、会议"))
        subtype = None
        subtype_text = cell_text(values.get(SUBTYPE))
        if subtype_text and activity_type is not None:
            subtype = ctx.subtypes.get((activity_type.pk, subtype_text))
            if subtype is None:
                choices = "、".join(
                    n for (t, n), s in ctx.subtypes.items() if t == activity_type.pk and s.is_active
                )
                errors.add(
                    SUBTYPE,
                    _("“{name}”不是{kind}的子类型，应为：{choices}").format(
                        name=subtype_text, kind=activity_type.name, choices=choices
                    ),
                )
        theme = cell_text(values.get(THEME))
        if not theme:
            errors.add(THEME, _("不能为空"))
        organiser = self._organiser(values, ctx, errors)
        sessions = self._integer(values, SESSIONS, errors, default=1)
        participants = self._integer(values, PARTICIPANTS, errors, default=0)
        quantities = []
        for header, unit in ctx.units.items():
            if header in values:
                amount = self._integer(values, header, errors, default=0)
                if amount:
                    quantities.append((unit, amount))
        campaign = self._campaign(values, ctx, errors)
        targets = self._targets(values, ctx, errors)
        if errors.count or date is None or activity_type is None or organiser is None:
            return None
        data = ActivityData(
            date=date,
            end_date=end_date,
            type=activity_type,
            subtype=subtype,
            theme=theme,
            organiser=organiser,
            campaign=campaign,
            sessions=sessions,
            participants=participants,
            place=cell_text(values.get(PLACE)),
            notes=cell_text(values.get(NOTES)),
            talk_reason=cell_text(values.get(TALK_REASON)),
            quantities=tuple(quantities),
            talk_targets=tuple(targets),
        )
        if activity_key(data) in ctx.taken:
            errors.add(THEME, _("该活动已在台账中（同一日期、类型、子类型、主题和组织单位），不重复导入"))
        for name, messages in activity_problems(user=ctx.user, data=data, today=ctx.today).items():
            for message in messages:
                errors.add(FIELD_COLUMNS.get(name, ""), message)
        return None if errors.count else data

    def save(self, *, user: User, items: list[ActivityData], context: _Lookups) -> tuple[int, int]:
        return activities_import_many(user=user, rows=items), 0

    # ------------------------------------------------------------ cells

    @staticmethod
    def _date(values, column: str, errors: RowErrors, required: bool = False) -> dt.date | None:
        value = values.get(column)
        if value is None or cell_text(value) == "":
            if required:
                errors.add(column, _("不能为空"))
            return None
        try:
            return cell_date(value)
        except (ValueError, OverflowError):
            errors.add(column, _("日期格式不正确，应如 2026-06-16"))
            return None

    @staticmethod
    def _integer(values, column: str, errors: RowErrors, default: int) -> int:
        value = values.get(column)
        if value is None or cell_text(value) == "":
            return default
        try:
            number = cell_decimal(value)
        except ValueError:
            errors.add(column, _("应为整数"))
            return default
        if number != number.to_integral_value() or not 0 <= number <= _MAX_INT:
            errors.add(column, _("应为 0 到 {max} 之间的整数").format(max=_MAX_INT))
            return default
        return int(number)

    @staticmethod
    def _organiser(values, ctx: _Lookups, errors: RowErrors) -> OrgUnit | None:
        name = cell_text(values.get(ORGANISER)).replace("／", "/")
        if not name:
            errors.add(ORGANISER, _("不能为空"))
            return None
        name = "/".join(part.strip() for part in name.split("/"))
        units = ctx.organisers.get(name, [])
        if not units:
            errors.add(ORGANISER, _("未找到单位“{name}”").format(name=name))
            return None
        if len(units) > 1:
            errors.add(ORGANISER, _("有多个单位名为“{name}”，请写成“街道/社区”").format(name=name))
            return None
        return units[0]

    @staticmethod
    def _campaign(values, ctx: _Lookups, errors: RowErrors) -> Campaign | None:
        name = cell_text(values.get(CAMPAIGN))
        if not name:
            return None
        found = ctx.campaigns.get(name, [])
        if len(found) != 1:
            message = _("未找到专项行动“{name}”") if not found else _("有多个专项行动名为“{name}”")
            errors.add(CAMPAIGN, message.format(name=name))
            return None
        return found[0]

    @staticmethod
    def _targets(values, ctx: _Lookups, errors: RowErrors) -> list[TalkTargetData]:
        targets = []
        for name in split_names(values.get(TALK_TARGETS)):
            units = ctx.talk_units.get(name, [])
            enterprise = ctx.enterprises.get(name) or ctx.enterprises.get(normalize_uscc(name))
            if len(units) == 1:
                unit = units[0]
                kind = TalkTargetKind.TOWNSHIP if unit.is_township else TalkTargetKind.DEPARTMENT
                targets.append(TalkTargetData(kind, org_unit=unit))
            elif enterprise is not None:
                targets.append(TalkTargetData(TalkTargetKind.ENTERPRISE, enterprise=enterprise))
            elif units:
                errors.add(TALK_TARGETS, _("有多个单位名为“{name}”").format(name=name))
            else:
                errors.add(
                    TALK_TARGETS,
                    _(
                        "未找到“{name}”：应为街道/乡镇、部门或您可见的生产经营单位（名称或统一社会信用代码）"
                    ).format(name=name),
                )
        return targets


__all__ = ["ACTIVITY_HEADERS", "ActivityImporter"]
