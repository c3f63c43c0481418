"""The inspection figures of the metric registry (reports/metrics/inspections.py): for a period
(`start`..`end`, inclusive) and a scope (an `accounts.scoping.Scope`), each value ONE aggregate query,
each with the queryset of exactly the rows behind it (`*_records`) for the drill-down lists.

What is counted:
- Only inspections that happened (status 已完成); planned ones (计划中, 双随机 picks) and drafts do not.
- An action belongs to a scope when at least one of its records visited an enterprise in that scope
  (a record's `scope_fields` go by its enterprise: a township's subtree, a department's sectors or the
  enterprises it supervises). The organising unit does not decide it. A joint action that visited two
  townships counts once for each of them and once for the district, so the townships' actions may add
  up to more than the district's. The district counts every action that happened; every action has at
  least one record (services.check_visited), so the district's rule is the same rule.
- A record corrected by a newer version (更正) is one visit: only the latest version counts.

A roll-up asks for every figure at once, for a period and the year before: `action_batch` and
`visit_batch` answer them in ONE aggregate query each, with the conditions of the single figures, and
`plan_batch` the 检查计划完成率 of every window with one plans_progress (three queries, not three each).
"""

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from accounts.models import Enterprise
from accounts.scoping import Scope

from .choices import ActionStatus
from .models import InspectionAction, InspectionPlan, InspectionRecord, PlanTarget
from .selectors import plan_period, plans_progress
from .selectors_evaluation import _plans_in

LEADER_LED = Q(is_leader_led=True)
# Not corrected by a newer version. NOT EXISTS, not `superseded_by__isnull` (a LEFT JOIN … IS NULL):
# Postgres reads that join as matching nearly every row (almost no record is ever corrected) and then
# looks the actions up one visit at a time — 2.4 s instead of 0.3 s for two years of a city. The
# redundant IS NOT NULL lets it read the few corrections off the unique index instead of every record.
LATEST_VERSION = ~Exists(InspectionRecord.objects.filter(supersedes=OuterRef("pk"), supersedes__isnull=False))

Span = tuple[dt.date, dt.date]  # a window's first and last day, inclusive


def visit_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[InspectionRecord]:
    """The visits (家次) of the period in the scope: the latest version of each record of an action that
    happened in the period, whose enterprise lies in the scope."""
    return InspectionRecord.objects.filter(
        scope.q(InspectionRecord),
        LATEST_VERSION,
        action__status=ActionStatus.DONE,
        action__date__gte=start,
        action__date__lte=end,
    )


def action_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[InspectionAction]:
    """The actions (次) of the period in the scope: happened in the period, with a visit in the scope."""
    visited = visit_records(start=start, end=end, scope=scope).values("action_id")
    return InspectionAction.objects.filter(
        status=ActionStatus.DONE, date__gte=start, date__lte=end, pk__in=visited
    )


# ---------------------------------------------------------------- actions 次, person-times 人次


def actions(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    return action_records(start=start, end=end, scope=scope).count()


def person_times(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """The team sizes (members plus named outside experts) of the period's actions, summed."""
    total = action_records(start=start, end=end, scope=scope).aggregate(n=Sum("person_count", default=0))
    return int(total["n"])


def person_times_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[InspectionAction]:
    """The actions whose `person_count` person_times sums."""
    return action_records(start=start, end=end, scope=scope)


def leader_led_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[InspectionAction]:
    return action_records(start=start, end=end, scope=scope).filter(LEADER_LED)


def leader_led(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    return leader_led_records(start=start, end=end, scope=scope).count()


# ---------------------------------------------------------------- visits 家次, enterprises 家


def unit_visits(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    return visit_records(start=start, end=end, scope=scope).count()


def units(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """Distinct enterprises among the period's visits in the scope."""
    visits = visit_records(start=start, end=end, scope=scope)
    return visits.aggregate(n=Count("enterprise", distinct=True))["n"]


def units_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Enterprise]:
    visited = visit_records(start=start, end=end, scope=scope).values("enterprise_id")
    return Enterprise.objects.filter(pk__in=visited)


# ---------------------------------------------------------------- every figure, one query per table


def _by_window(row: dict, names: Sequence[str], count: int) -> list[dict]:
    """The aggregate's columns ("actions_0", "actions_1" …) regrouped per window."""
    return [{name: row[f"{name}_{i}"] for name in names} for i in range(count)]


def action_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: actions, person_times and leader_led, in one query over the actions of the
    whole span (an action is in a window's figures when its date is: its visits are of that date too)."""
    first, last = min(start for start, _ in windows), max(end for _, end in windows)
    columns = {}
    for i, (start, end) in enumerate(windows):
        dated = Q(date__gte=start, date__lte=end)
        columns[f"actions_{i}"] = Count("pk", filter=dated)
        columns[f"person_times_{i}"] = Sum("person_count", filter=dated, default=0)
        columns[f"leader_led_{i}"] = Count("pk", filter=dated & LEADER_LED)
    row = action_records(start=first, end=last, scope=scope).order_by().aggregate(**columns)
    return _by_window(row, ["actions", "person_times", "leader_led"], len(windows))


def visit_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: unit_visits (家次) and units (distinct enterprises), in one query."""
    first, last = min(start for start, _ in windows), max(end for _, end in windows)
    columns = {}
    for i, (start, end) in enumerate(windows):
        dated = Q(action__date__gte=start, action__date__lte=end)
        columns[f"unit_visits_{i}"] = Count("pk", filter=dated)
        columns[f"units_{i}"] = Count("enterprise", filter=dated, distinct=True)
    row = visit_records(start=first, end=last, scope=scope).order_by().aggregate(**columns)
    return _by_window(row, ["unit_visits", "units"], len(windows))


def plan_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: plan_completion_rate (selectors_evaluation.plan_completion_rate's definition),
    the plans of all windows counted together by one plans_progress."""
    wanted = Q(pk__in=[])
    for start, end in windows:
        wanted |= _plans_in(start, end)
    targets = PlanTarget.objects.select_related("township").order_by("pk")
    plans = (
        InspectionPlan.objects.filter(scope.q(InspectionPlan))
        .filter(wanted)
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("pk")
    )
    progress = list(plans_progress(plans=plans).values())
    result = []
    for start, end in windows:
        done = planned = 0
        for plan in progress:
            first, last = plan_period(plan.plan)
            if start <= first and last <= end:
                planned += sum(line.planned for line in plan.lines)
                done += sum(min(line.done, line.planned) for line in plan.lines)
        rate = (
            (Decimal(done * 100) / planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if planned
            else None
        )
        result.append({"plan_completion_rate": rate})
    return result
