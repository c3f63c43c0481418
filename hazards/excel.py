"""The hazard ledger as Excel, in the office's layout (隐患排查治理台账)."""

from collections import defaultdict

from django.db.models import QuerySet

from core.excel import write_workbook

from .choices import HazardLevel, HazardSource, HazardState, ListingLevel
from .models import Hazard

# Column names are the office's file format, not interface text: they stay Chinese whatever the language.
EXPORT_HEADERS = [
    "序号",
    "隐患编号",
    "单位名称",
    "统一社会信用代码",
    "所属街道",
    "行业领域",
    "隐患来源",
    "隐患等级",
    "隐患描述",
    "发现日期",
    "整改期限",
    "整改措施",
    "整改责任人",
    "整改状态",
    "销号日期",
    "挂牌督办级别",
]
NOT_LISTED = "无"
_WIDTHS = {
    "序号": 7,
    "隐患编号": 15,
    "单位名称": 30,
    "统一社会信用代码": 22,
    "所属街道": 14,
    "行业领域": 16,
    "隐患描述": 40,
    "发现日期": 12,
    "整改期限": 12,
    "整改措施": 36,
    "销号日期": 12,
}


def hazard_export(queryset: QuerySet[Hazard]) -> bytes:
    """The hazards of `queryset` (already scoped and filtered by the caller), in its order.

    Two queries whatever the number of rows: the hazards with their enterprise and township as plain
    values, and their sectors (the ones copied onto the hazard when it was recorded). Plain values,
    not model instances: a 10,000-row ledger is written in seconds.
    """
    hazards = list(queryset.values(*_COLUMNS))
    sectors: dict[int, list[str]] = defaultdict(list)
    links = (
        Hazard.sectors.through.objects.filter(hazard__in=queryset.values("pk"))
        .order_by("sector__order", "sector__name")
        .values_list("hazard_id", "sector__name")
    )
    for hazard_id, name in links:
        sectors[hazard_id].append(name)
    # Labels looked up once, not translated again on every row.
    labels = {
        "source": {value: str(label) for value, label in HazardSource.choices},
        "level": {value: str(label) for value, label in HazardLevel.choices},
        "state": {value: str(label) for value, label in HazardState.choices},
        "listing": {value: str(label) for value, label in ListingLevel.choices},
    }
    rows = (_row(index, h, sectors, labels) for index, h in enumerate(hazards, start=1))
    return write_workbook(sheet_title="隐患台账", headers=EXPORT_HEADERS, rows=rows, column_widths=_WIDTHS)


_COLUMNS = (
    "pk",
    "number",
    "enterprise__name",
    "enterprise__uscc",
    "township__name",
    "source",
    "level",
    "description",
    "found_on",
    "deadline",
    "measures",
    "responsible_person",
    "state",
    "closed_on",
    "listing_level",
)


def _row(index: int, h: dict, sectors: dict[int, list[str]], labels: dict[str, dict[str, str]]) -> list:
    return [
        index,
        h["number"],
        h["enterprise__name"],
        h["enterprise__uscc"],
        h["township__name"],
        "、".join(sectors.get(h["pk"], ())),
        labels["source"].get(h["source"], h["source"]),
        labels["level"].get(h["level"], h["level"]),
        h["description"],
        h["found_on"],
        h["deadline"],
        h["measures"],
        h["responsible_person"],
        labels["state"].get(h["state"], h["state"]),
        h["closed_on"],
        labels["listing"].get(h["listing_level"], h["listing_level"]) if h["listing_level"] else NOT_LISTED,
    ]
