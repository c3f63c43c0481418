"""The inspections' part of a campaign's (专项行动) progress, registered with
`campaigns.measures.register_campaign_measure` from InspectionsConfig.ready().

Each function counts, for several campaigns at once, the inspections tagged to them that `user` may
see, in ONE query grouped by campaign (or, `combined`, for them together; or by inspecting unit). Only
inspections that happened (status 已完成) count; a corrected record (更正) is one visit.
"""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.scoping import restrict

from .choices import ActionStatus
from .models import InspectionRecord
from .selectors import action_list


def _actions(user: User, campaign_ids, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    actions = action_list(user=user).filter(campaign_id__in=campaign_ids, status=ActionStatus.DONE)
    if date_from is not None:
        actions = actions.filter(date__gte=date_from)
    if date_to is not None:
        actions = actions.filter(date__lte=date_to)
    return actions


def _records(user: User, campaign_ids, sector_id, date_from, date_to) -> QuerySet[InspectionRecord]:
    records = InspectionRecord.objects.filter(
        action__campaign_id__in=campaign_ids,
        action__status=ActionStatus.DONE,
        superseded_by__isnull=True,
    )
    if date_from is not None:
        records = records.filter(action__date__gte=date_from)
    if date_to is not None:
        records = records.filter(action__date__lte=date_to)
    if sector_id is not None:
        # A sector covers its sub-sectors (工贸 → 机械): a subquery, so one enterprise counts once.
        in_sector = InspectionRecord.objects.filter(
            Q(enterprise__sectors=sector_id) | Q(enterprise__sectors__parent=sector_id)
        ).values("pk")
        records = records.filter(pk__in=in_sector)
    return restrict(records, user).order_by()


def _counted(queryset: QuerySet, key: str, value, combined: bool):
    if combined:
        return queryset.aggregate(n=value)["n"] or 0
    return {row[key]: row["n"] for row in queryset.values(key).annotate(n=value).order_by() if row[key]}


def campaign_inspections(
    user: User, campaign_ids, *, sector_id=None, date_from=None, date_to=None, combined=False
):
    """检查行动 次 per campaign."""
    actions = _actions(user, campaign_ids, date_from, date_to)
    return _counted(actions, "campaign_id", Count("pk", distinct=True), combined)


def campaign_inspections_by_unit(user: User, campaign_ids, *, date_from=None, date_to=None):
    return _counted(
        _actions(user, campaign_ids, date_from, date_to), "organizer_id", Count("pk", distinct=True), False
    )


def campaign_enterprises(
    user: User, campaign_ids, *, sector_id=None, date_from=None, date_to=None, combined=False
):
    """检查生产经营单位 家 (distinct enterprises) per campaign."""
    records = _records(user, campaign_ids, sector_id, date_from, date_to)
    return _counted(records, "action__campaign_id", Count("enterprise", distinct=True), combined)


def campaign_enterprises_by_unit(user: User, campaign_ids, *, date_from=None, date_to=None):
    records = _records(user, campaign_ids, None, date_from, date_to)
    return _counted(records, "action__organizer_id", Count("enterprise", distinct=True), False)


def campaign_visits(
    user: User, campaign_ids, *, sector_id=None, date_from=None, date_to=None, combined=False
):
    """检查生产经营单位 家次 (records) per campaign."""
    records = _records(user, campaign_ids, sector_id, date_from, date_to)
    return _counted(records, "action__campaign_id", Count("pk", distinct=True), combined)


def campaign_visits_by_unit(user: User, campaign_ids, *, date_from=None, date_to=None):
    records = _records(user, campaign_ids, None, date_from, date_to)
    return _counted(records, "action__organizer_id", Count("pk", distinct=True), False)
