"""安全责任 exports through core.excel.write_workbook (text stays text, never a formula)."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from core.excel import write_workbook

from .excel import unit_cell
from .models import ResponsibilityLetter, WorkItem, WorkList

LETTER_HEADERS = [
    "年度",
    "类型",
    "名称",
    "发放单位",
    "签订方",
    "统一社会信用代码",
    "所属街道",
    "签订日期",
    "扫描件",
    "备注",
]
WORK_HEADERS = [
    "序号",
    "工作任务",
    "牵头单位",
    "完成时限",
    "进展",
    "完成比例（%）",
    "进展情况",
    "更新人",
    "更新时间",
]


def letters_export(*, queryset: QuerySet[ResponsibilityLetter]) -> bytes:
    """The letters of `queryset` (already scoped and filtered by the caller), one row each."""
    queryset = queryset.select_related(
        "kind", "issuer", "signer_unit", "signer_enterprise__jurisdiction__parent"
    )
    return write_workbook(
        sheet_title="安全责任书", headers=LETTER_HEADERS, rows=(_letter_row(x) for x in queryset)
    )


def _letter_row(x: ResponsibilityLetter) -> list:
    firm = x.signer_enterprise
    return [
        x.year,
        x.kind.name,
        x.title,
        x.issuer.name,
        x.signer_name,
        firm.uscc if firm else "",
        unit_cell(firm.jurisdiction) if firm else (x.signer_unit.name if x.signer_unit else ""),
        x.signed_on,
        "有" if x.file else "无",
        x.note,
    ]


def work_list_export(*, work_list: WorkList, items: Iterable[WorkItem]) -> bytes:
    return write_workbook(
        sheet_title="工作清单",
        title=work_list.title,
        preamble=[("单位", work_list.unit.name), ("年度", work_list.year)],
        headers=WORK_HEADERS,
        rows=(
            [
                i.order,
                i.task,
                i.lead_unit.name if i.lead_unit else work_list.unit.name,
                i.due_on,
                i.get_status_display(),
                i.percent,
                i.progress_note,
                i.progress_by.display_name if i.progress_by else "",
                timezone.localtime(i.progress_on).strftime("%Y-%m-%d %H:%M") if i.progress_on else "",
            ]
            for i in items
        ),
    )
