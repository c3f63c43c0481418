"""The accident records as Excel: the columns of the import (so an export re-imports) after 序号 and
事故编号, plus 单位名称."""

from django.db.models import QuerySet

from core.excel import write_workbook

from .choices import AccidentGrade
from .models import Accident

EXPORT_HEADERS = [
    "序号",
    "事故编号",
    "发生日期",
    "行业领域",
    "事故类别",
    "是否生产安全事故",
    "死亡人数",
    "受伤人数",
    "直接经济损失（万元）",
    "事故等级",
    "所属街道",
    "统一社会信用代码",
    "单位名称",
    "简要经过",
]
_WIDTHS = {
    "事故编号": 15,
    "发生日期": 12,
    "所属街道": 14,
    "统一社会信用代码": 22,
    "单位名称": 28,
    "简要经过": 48,
}
_COLUMNS = (
    "number",
    "occurred_on",
    "sector__name",
    "category__name",
    "is_production_safety",
    "deaths",
    "injuries",
    "direct_loss",
    "grade",
    "township__name",
    "enterprise__uscc",
    "enterprise__name",
    "summary",
)


def accident_export(queryset: QuerySet[Accident]) -> bytes:
    """The accidents of `queryset` (scoped and filtered by the caller), in its order: one query."""
    grades = {value: str(label) for value, label in AccidentGrade.choices}
    rows = (
        [
            index,
            a["number"],
            a["occurred_on"],
            a["sector__name"],
            a["category__name"],
            "是" if a["is_production_safety"] else "否",
            a["deaths"],
            a["injuries"],
            a["direct_loss"],
            grades.get(a["grade"], a["grade"]),
            a["township__name"],
            a["enterprise__uscc"] or "",
            a["enterprise__name"] or "",
            a["summary"],
        ]
        for index, a in enumerate(queryset.values(*_COLUMNS).iterator(), start=1)
    )
    return write_workbook(sheet_title="事故台账", headers=EXPORT_HEADERS, rows=rows, column_widths=_WIDTHS)
