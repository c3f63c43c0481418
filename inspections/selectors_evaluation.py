"""Inspection figures the monthly evaluation (月度评估, reports/metrics/evaluation.py) needs: 检查计划完成率.

Definition: the 检查计划 organised by units in the scope (a township: itself and the units under it; a
department: itself; `scope.q(InspectionPlan)`) whose whole period lies in the evaluated period — the
monthly plans of its months, and the annual plans when the period is a whole calendar year. Each plan line
counts its 已完成家次 as the plan page does (selectors.plans_progress: visits of inspections that
happened, by the plan's organiser in the plan's period, matching the line's kind, township and sector),
but never more than the line's 计划家次: overdoing one line does not make up for another, and visiting
more enterprises than planned earns nothing. Rate = Σ min(已完成, 计划) ÷ Σ 计划 × 100, one decimal
(ROUND_HALF_UP); None when the scope has no plan line for the period (nothing was planned).

Queries: the plans, their lines (prefetched) and ONE aggregate of every line's done count — three in all,
whatever the number of plans.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q

from accounts.scoping import Scope

from .models import InspectionPlan, PlanTarget
from .selectors import plans_progress


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _plans_in(start: dt.date, end: dt.date) -> Q:
    """Plans whose period lies wholly within start..end (whole months only: a month cut by the period's
    edge is left out)."""
    condition = Q(pk__in=[])
    for year, month in _months(start, end):
        first = dt.date(year, month, 1)
        last = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
        if start <= first and last <= end:
            condition |= Q(year=year, month=month)
    for year in range(start.year, end.year + 1):
        if start <= dt.date(year, 1, 1) and dt.date(year, 12, 31) <= end:
            condition |= Q(year=year, month__isnull=True)
    return condition


def plan_completion(*, start: dt.date, end: dt.date, scope: Scope) -> tuple[int, int]:
    """(Σ min(done, planned), Σ planned) over the scope's plan lines of the period."""
    targets = PlanTarget.objects.select_related("township").order_by("pk")
    plans = (
        InspectionPlan.objects.filter(scope.q(InspectionPlan))
        .filter(_plans_in(start, end))
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("pk")
    )
    done = planned = 0
    for progress in plans_progress(plans=plans).values():
        for line in progress.lines:
            planned += line.planned
            done += min(line.done, line.planned)
    return done, planned


def plan_completion_rate(*, start: dt.date, end: dt.date, scope: Scope) -> Decimal | None:
    """检查计划完成率: see the module's definition."""
    done, planned = plan_completion(start=start, end=end, scope=scope)
    if not planned:
        return None
    return (Decimal(done * 100) / planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
