"""The campaigns as Excel: the filtered list with what has been tagged to each (专项行动一览)."""

from collections import defaultdict

from django.db.models import QuerySet

from core.excel import write_workbook

from .measures import measures
from .models import Campaign
from .selectors import campaign_figures

# Column names are the office's file format, not interface text.
CAMPAIGN_HEADERS = [
    "序号",
    "名称",
    "类型",
    "上级专项行动",
    "开始日期",
    "结束日期",
    "牵头单位",
    "成员单位",
    "行业领域",
    "方案文号",
]
_WIDTHS = {"名称": 30, "上级专项行动": 24, "成员单位": 36, "行业领域": 20, "方案文号": 20}


def campaign_export(queryset: QuerySet[Campaign], *, user) -> bytes:
    """The campaigns of `queryset` in its order, then one column per registered measure (检查行动（次）,
    排查隐患（项）, 罚款（万元） …) counted from the tagged records `user` may see. A fixed number of
    queries whatever the number of rows: the campaigns, their member units, their sectors, and one per
    measure."""
    campaigns = list(
        queryset.values(
            "pk",
            "name",
            "kind__name",
            "parent__name",
            "start_on",
            "end_on",
            "lead_department__name",
            "document_number",
        )
    )
    ids = [c["pk"] for c in campaigns]
    members: dict[int, list[str]] = defaultdict(list)
    for cid, name in (
        Campaign.member_units.through.objects.filter(campaign_id__in=ids)
        .order_by("orgunit__path")
        .values_list("campaign_id", "orgunit__name")
    ):
        members[cid].append(name)
    sectors: dict[int, list[str]] = defaultdict(list)
    for cid, name in (
        Campaign.sectors.through.objects.filter(campaign_id__in=ids)
        .order_by("sector__order", "sector__name")
        .values_list("campaign_id", "sector__name")
    ):
        sectors[cid].append(name)
    shown = measures()
    figures = campaign_figures(user=user, campaign_ids=ids)
    headers = CAMPAIGN_HEADERS + [f"{m.label}（{m.unit}）" for m in shown]
    rows = (
        [
            index,
            c["name"],
            c["kind__name"],
            c["parent__name"] or "",
            c["start_on"],
            c["end_on"],
            c["lead_department__name"],
            "、".join(members.get(c["pk"], ())),
            "、".join(sectors.get(c["pk"], ())),
            c["document_number"],
            *(figures[c["pk"]][m.key] for m in shown),
        ]
        for index, c in enumerate(campaigns, start=1)
    )
    return write_workbook(sheet_title="专项行动", headers=headers, rows=rows, column_widths=_WIDTHS)
