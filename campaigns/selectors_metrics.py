"""The activity ledger's figures as report metrics: each a function of (start, end, scope) answering
in ONE aggregate query, with a matching `*_records` giving exactly the rows behind the figure.

`scope` is an `accounts.scoping.Scope`; an activity is placed by its organising unit
(`Activity.scope_fields`): a township counts the activities organised by it and the units under it
(its communities), a department those it organised itself. Dates are the activity's date (its first
day for an activity over several days), `start` and `end` inclusive.

The reports wrap these in metrics (reports/metrics/activities.py): `activities.<kind>.<quantity>`,
`meetings.<sub-type code>` and `talks.<target kind>`.
"""

import datetime as dt

from django.db.models import Count, QuerySet, Sum

from accounts.models import Enterprise, OrgUnit
from accounts.scoping import Scope

from .choices_activities import ActivityKind, TalkTargetKind
from .models import (
    Activity,
    ActivityQuantity,
    ActivitySubtype,
    ActivityTalkTarget,
    ActivityType,
    QuantityUnit,
)

# The activity's own quantities (fields of Activity), besides the catalogue's (ActivityQuantity rows).
ACTIVITY_FIELDS = ("sessions", "participants")


def _activities(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Activity]:
    """Activities dated in [start, end] organised within `scope`; unordered (for aggregates)."""
    return Activity.objects.filter(scope.q(Activity), date__gte=start, date__lte=end).order_by()


# ---------------------------------------------------------------- activities of one kind


def activity_count_records(*, start: dt.date, end: dt.date, scope: Scope, kind: str) -> QuerySet[Activity]:
    """The activities of `kind` (an ActivityKind code) dated in the period, in the scope."""
    return _activities(start=start, end=end, scope=scope).filter(type__code=kind)


def activity_count(*, start: dt.date, end: dt.date, scope: Scope, kind: str) -> int:
    """How many activities of `kind` are dated in the period (one query)."""
    return activity_count_records(start=start, end=end, scope=scope, kind=kind).count()


def activity_field_records(
    *, start: dt.date, end: dt.date, scope: Scope, kind: str, field: str
) -> QuerySet[Activity]:
    """The activities whose `field` (场次 or 参与人次) is summed: those of `kind` in the period."""
    if field not in ACTIVITY_FIELDS:
        raise ValueError(f"not an activity quantity: {field!r}")
    return activity_count_records(start=start, end=end, scope=scope, kind=kind)


def activity_field_sum(*, start: dt.date, end: dt.date, scope: Scope, kind: str, field: str) -> int:
    """The sum of `field` (sessions / participants) over the activities of `kind` in the period."""
    records = activity_field_records(start=start, end=end, scope=scope, kind=kind, field=field)
    return records.aggregate(total=Sum(field, default=0))["total"]


def activity_quantity_records(
    *, start: dt.date, end: dt.date, scope: Scope, kind: str, unit: str
) -> QuerySet[ActivityQuantity]:
    """The quantity rows (横幅 20 条 …) of catalogue unit `unit` (a QuantityUnit code) recorded on the
    activities of `kind` in the period: the rows whose `amount` is summed."""
    return ActivityQuantity.objects.filter(
        activity__in=activity_count_records(start=start, end=end, scope=scope, kind=kind).values("pk"),
        unit__code=unit,
    ).order_by()


def activity_quantity_sum(*, start: dt.date, end: dt.date, scope: Scope, kind: str, unit: str) -> int:
    """The sum of quantity `unit` over the activities of `kind` in the period (one query)."""
    records = activity_quantity_records(start=start, end=end, scope=scope, kind=kind, unit=unit)
    return records.aggregate(total=Sum("amount", default=0))["total"]


# ---------------------------------------------------------------- meetings by sub-type


def meeting_records(*, start: dt.date, end: dt.date, scope: Scope, subtype: str) -> QuerySet[Activity]:
    """The meetings of sub-type `subtype` (an ActivitySubtype code of the 会议 kind) in the period."""
    return _activities(start=start, end=end, scope=scope).filter(
        type__code=ActivityKind.MEETING, subtype__code=subtype
    )


def meeting_count(*, start: dt.date, end: dt.date, scope: Scope, subtype: str) -> int:
    """How many meetings of the sub-type are recorded in the period: one per record (one query)."""
    return meeting_records(start=start, end=end, scope=scope, subtype=subtype).count()


# ---------------------------------------------------------------- 约谈 by target kind


def _talk_targets(*, start: dt.date, end: dt.date, scope: Scope, kind: str) -> QuerySet[ActivityTalkTarget]:
    return ActivityTalkTarget.objects.filter(
        activity__in=_activities(start=start, end=end, scope=scope).values("pk"), kind=kind
    ).order_by()


def talk_target_records(*, start: dt.date, end: dt.date, scope: Scope, kind: str) -> QuerySet:
    """The distinct targets of `kind` talked to in the period: OrgUnits (township / department) or
    Enterprises, each once however many 约谈 named it."""
    targets = _talk_targets(start=start, end=end, scope=scope, kind=kind)
    if kind == TalkTargetKind.ENTERPRISE:
        return Enterprise.objects.filter(pk__in=targets.values("enterprise"))
    if kind in (TalkTargetKind.TOWNSHIP, TalkTargetKind.DEPARTMENT):
        return OrgUnit.objects.filter(pk__in=targets.values("org_unit"))
    raise ValueError(f"not a talk target kind: {kind!r}")


def talk_target_count(*, start: dt.date, end: dt.date, scope: Scope, kind: str) -> int:
    """How many distinct townships / departments / enterprises of `kind` were talked to (one query)."""
    if kind not in TalkTargetKind.values:
        raise ValueError(f"not a talk target kind: {kind!r}")
    field = "enterprise" if kind == TalkTargetKind.ENTERPRISE else "org_unit"
    targets = _talk_targets(start=start, end=end, scope=scope, kind=kind)
    return targets.aggregate(n=Count(field, distinct=True))["n"]


# ---------------------------------------------------------------- the code tables the families list


def metric_activity_types() -> list[ActivityType]:
    """The activity kinds, in the office's order (their names label the metrics)."""
    return list(ActivityType.objects.order_by("order", "pk"))


def metric_quantity_units() -> list[QuantityUnit]:
    """Every catalogue unit, disabled ones too: a period before a unit was disabled still has figures."""
    return list(QuantityUnit.objects.order_by("order", "pk"))


def metric_meeting_subtypes() -> list[ActivitySubtype]:
    """The sub-types of the 会议 kind (区委常委会, 安委会全会, 约谈 …), disabled ones too."""
    return list(ActivitySubtype.objects.filter(type__code=ActivityKind.MEETING).order_by("order", "pk"))
