"""The activity ledger's figures as report metrics: each a function of (start, end, scope) answering
in ONE aggregate query, with a matching `*_records` giving exactly the rows behind the figure.

`scope` is an `accounts.scoping.Scope`; an activity is placed by its organising unit
(`Activity.scope_fields`): a township counts the activities organised by it and the units under it
(its communities), a department those it organised itself. Dates are the activity's date (its first
day for an activity over several days), `start` and `end` inclusive.

The reports wrap these in metrics (reports/metrics/activities.py): `activities.<kind>.<quantity>`,
`meetings.<sub-type code>` and `talks.<target kind>`.

A roll-up asks for every figure at once, for a period and the year before: `activity_batch` (the
activities' counts, 场次, 参与人次 and meetings by sub-type), `quantity_batch` and `talk_batch` answer
them in ONE query each, grouped by kind / unit instead of one query per figure.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

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
from .selectors_evaluation import REPORT_WITHIN_DAYS

# The activity's own quantities (fields of Activity), besides the catalogue's (ActivityQuantity rows).
ACTIVITY_FIELDS = ("sessions", "participants")

Span = tuple[dt.date, dt.date]  # a window's first and last day, inclusive


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


# ---------------------------------------------------------------- every figure, one query per table
# Each batch answers a Counter per window: a kind, unit or sub-type with no rows in the window is 0, as
# its single figure would be (counts and sums default to 0).


def _span(windows: Sequence[Span]) -> Span:
    return min(start for start, _ in windows), max(end for _, end in windows)


def _of_activities(rows: QuerySet, first: dt.date, last: dt.date, scope: Scope) -> QuerySet:
    """Rows of an activity's (quantities, talk targets) dated first..last: joined to the activity for its
    date, with the scope as a subquery only where there is one (the district has none to apply)."""
    rows = rows.filter(activity__date__gte=first, activity__date__lte=last)
    if not scope.everything:
        rows = rows.filter(activity__in=Activity.objects.filter(scope.q(Activity)).values("pk"))
    return rows


def activity_batch(*, windows: Sequence[Span], scope: Scope) -> list[Counter]:
    """For each window: "<kind>.count", "<kind>.sessions", "<kind>.participants" for every activity kind,
    "meeting:<sub-type code>" for every 会议 sub-type and "on_time_rate" (活动按时报送率, with the rule of
    selectors_evaluation.activities_on_time); one query grouped by kind and sub-type."""
    first, last = _span(windows)
    on_time = Q(entered_on__lte=F("due_on"))
    columns = {}
    for i, (start, end) in enumerate(windows):
        dated = Q(date__gte=start, date__lte=end)
        columns[f"count_{i}"] = Count("pk", filter=dated)
        for field in ACTIVITY_FIELDS:
            columns[f"{field}_{i}"] = Sum(field, filter=dated, default=0)
        columns[f"on_time_{i}"] = Count("pk", filter=dated & on_time)
    groups = (
        _activities(start=first, end=last, scope=scope)
        .alias(
            entered_on=TruncDate("created"),
            due_on=ExpressionWrapper(
                Coalesce(F("end_date"), F("date")) + dt.timedelta(days=REPORT_WITHIN_DAYS),
                output_field=DateField(),
            ),
        )
        .values("type__code", "subtype__code")
        .annotate(**columns)
        .order_by()
    )
    result = [Counter() for _ in windows]
    reported = [[0, 0] for _ in windows]  # (on time, all) per window
    for group in groups:
        kind, subtype = group["type__code"], group["subtype__code"]
        for i, figures in enumerate(result):
            for name in ("count", *ACTIVITY_FIELDS):
                figures[f"{kind}.{name}"] += group[f"{name}_{i}"]
            if kind == ActivityKind.MEETING and subtype is not None:
                figures[f"meeting:{subtype}"] += group[f"count_{i}"]
            reported[i][0] += group[f"on_time_{i}"]
            reported[i][1] += group[f"count_{i}"]
    for figures, (in_time, every) in zip(result, reported, strict=True):
        figures["on_time_rate"] = (
            (Decimal(in_time * 100) / every).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if every
            else None
        )
    return result


def quantity_batch(*, windows: Sequence[Span], scope: Scope) -> list[Counter]:
    """For each window: "<kind>.<unit code>", the amounts of every catalogue unit on the activities of
    every kind; one query grouped by kind and unit."""
    first, last = _span(windows)
    columns = {
        f"amount_{i}": Sum("amount", filter=Q(activity__date__gte=start, activity__date__lte=end), default=0)
        for i, (start, end) in enumerate(windows)
    }
    groups = (
        _of_activities(ActivityQuantity.objects.all(), first, last, scope)
        .values("activity__type__code", "unit__code")
        .annotate(**columns)
        .order_by()
    )
    result = [Counter() for _ in windows]
    for group in groups:
        for i, figures in enumerate(result):
            figures[f"{group['activity__type__code']}.{group['unit__code']}"] += group[f"amount_{i}"]
    return result


def talk_batch(*, windows: Sequence[Span], scope: Scope) -> list[Counter]:
    """For each window: the distinct targets talked to, keyed by TalkTargetKind value; one query."""
    first, last = _span(windows)
    columns = {}
    for i, (start, end) in enumerate(windows):
        dated = Q(activity__date__gte=start, activity__date__lte=end)
        columns[f"enterprises_{i}"] = Count("enterprise", filter=dated, distinct=True)
        columns[f"units_{i}"] = Count("org_unit", filter=dated, distinct=True)
    groups = (
        _of_activities(ActivityTalkTarget.objects.all(), first, last, scope)
        .values("kind")
        .annotate(**columns)
        .order_by()
    )
    result = [Counter() for _ in windows]
    for group in groups:
        column = "enterprises" if group["kind"] == TalkTargetKind.ENTERPRISE else "units"
        for i, figures in enumerate(result):
            figures[group["kind"]] = group[f"{column}_{i}"]
    return result


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
