"""The activity ledger as Excel (活动台账), in the import's layout plus a column per other quantity unit,
so an export re-imports as it was."""

from django.db.models import QuerySet

from core.excel import write_workbook

from .models import Activity, QuantityUnit
from .selectors_activities import quantities_by_activity

# The import's columns (campaigns.importers), then the rest of the catalogue, then what the export adds.
BASE_HEADERS = ["日期", "活动类型", "子类型", "主题", "组织单位", "场次", "参与人次"]
TAIL_HEADERS = ["备注"]
EXTRA_HEADERS = ["结束日期", "地点", "专项行动", "约谈对象", "约谈事由"]
_WIDTHS = {"日期": 12, "主题": 36, "组织单位": 18, "备注": 30, "约谈对象": 30, "约谈事由": 30, "专项行动": 24}


def activity_export(queryset: QuerySet[Activity]) -> bytes:
    """The activities of `queryset` (already scoped and filtered by the caller), in its order; three
    queries whatever the number of rows (the activities, their quantities, their 约谈 targets)."""
    units = list(QuantityUnit.objects.filter(is_active=True))
    rows_qs = queryset.select_related("type", "subtype", "organiser", "campaign").prefetch_related(
        "talk_targets__org_unit", "talk_targets__enterprise"
    )
    activities = list(rows_qs)
    quantities = quantities_by_activity([a.pk for a in activities])
    used = {q.unit_id for qs in quantities.values() for q in qs}
    units += [
        u for u in {q.unit for qs in quantities.values() for q in qs} if u.pk in used and not u.is_active
    ]
    headers = [*BASE_HEADERS, *(u.label for u in units), *TAIL_HEADERS, *EXTRA_HEADERS]

    def row(activity: Activity) -> list:
        amounts = {q.unit_id: q.amount for q in quantities.get(activity.pk, ())}
        targets = "、".join(str(t) for t in activity.talk_targets.all())
        return [
            activity.date,
            activity.type.name,
            activity.subtype.name if activity.subtype else "",
            activity.theme,
            activity.organiser.name,
            activity.sessions,
            activity.participants,
            *(amounts.get(u.pk) for u in units),
            activity.notes,
            activity.end_date,
            activity.place,
            activity.campaign.name if activity.campaign else "",
            targets,
            activity.talk_reason,
        ]

    return write_workbook(
        sheet_title="活动台账", headers=headers, rows=(row(a) for a in activities), column_widths=_WIDTHS
    )
