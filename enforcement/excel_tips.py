"""The whistle-blower reports as Excel. The reporter columns are written only for the district office
(举报人信息保密): for anyone else they are not in the workbook at all."""

from django.db.models import QuerySet

from core.excel import write_workbook

from .choices_tips import TipChannel, TipState
from .models import Tip

HEADERS = [
    "序号",
    "举报编号",
    "受理日期",
    "举报渠道",
    "所属街道",
    "被举报单位",
    "统一社会信用代码",
    "行业领域",
    "地址",
    "举报内容",
    "办理状态",
    "核查日期",
    "核查结果",
    "奖励金额（元）",
    "奖励发放日期",
]
REPORTER_HEADERS = ["举报人", "举报人电话"]
_WIDTHS = {
    "举报编号": 15,
    "受理日期": 12,
    "被举报单位": 28,
    "统一社会信用代码": 22,
    "举报内容": 48,
    "核查结果": 36,
}
_COLUMNS = (
    "number",
    "received_on",
    "channel",
    "township__name",
    "enterprise__name",
    "enterprise__uscc",
    "sector__name",
    "address",
    "content",
    "state",
    "checked_on",
    "result",
    "reward_amount",
    "reward_paid_on",
)


def tip_export(queryset: QuerySet[Tip], *, with_reporter: bool) -> bytes:
    """The reports of `queryset` (scoped and filtered by the caller): one query."""
    channels = {v: str(label) for v, label in TipChannel.choices}
    states = {v: str(label) for v, label in TipState.choices}
    columns = _COLUMNS + (("reporter_name", "reporter_phone") if with_reporter else ())

    def row(index: int, t: dict) -> list:
        cells = [
            index,
            t["number"],
            t["received_on"],
            channels.get(t["channel"], t["channel"]),
            t["township__name"],
            t["enterprise__name"] or "",
            t["enterprise__uscc"] or "",
            t["sector__name"] or "",
            t["address"],
            t["content"],
            states.get(t["state"], t["state"]),
            t["checked_on"],
            t["result"],
            t["reward_amount"],
            t["reward_paid_on"],
        ]
        if with_reporter:
            cells += [t["reporter_name"], t["reporter_phone"]]
        return cells

    rows = (row(i, t) for i, t in enumerate(queryset.values(*columns).iterator(), start=1))
    headers = HEADERS + (REPORTER_HEADERS if with_reporter else [])
    return write_workbook(sheet_title="举报台账", headers=headers, rows=rows, column_widths=_WIDTHS)
