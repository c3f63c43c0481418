"""The enforcement figures of the metric registry (reports/metrics/enforcement.py): the same rules as
the user-based figures in selectors.py (cases_opened, fines_decided, enterprises_with_measures), for a
period (`start`..`end`, inclusive) and a scope (an `accounts.scoping.Scope`). Each value is ONE aggregate
query; each `*_records` gives exactly the rows behind it for the drill-down lists.

A case's scope (Case.scope_fields): a township counts the cases of enterprises in its subtree (the
jurisdiction copied when the case was opened), a department the cases it handles (办案单位) — not those
of its sectors handled by others.

A roll-up asks for every figure at once, for a period and the year before: `case_batch` (cases and the
enterprises under each measure) and `fine_batch` (the fines) answer them in ONE query each.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum

from accounts.models import Enterprise
from accounts.scoping import Scope

from .choices import MeasureKind, PenaltyKind
from .models import Case, Measure, Penalty
from .selectors import MEASURE_CONDITIONS

FEN = Decimal("0.01")
MONEY = DecimalField(max_digits=16, decimal_places=2)
Span = tuple[dt.date, dt.date]  # a window's first and last day, inclusive


def _has_measure(kind: str) -> Q:
    return Q(pk__in=Measure.objects.filter(kind=kind).values("case_id"))


def _has_penalty(kind: str) -> Q:
    return Q(pk__in=Penalty.objects.filter(kind=kind).values("case_id"))


# selectors.MEASURE_CONDITIONS as `IN (SELECT case_id …)`: joined, a case's measures and penalties would
# multiply the rows that the batch's case count counts, and an uncorrelated IN is hashed once where a
# correlated EXISTS would be looked up case by case.
MEASURE_IN = {
    MeasureKind.SUSPENSION: _has_measure(MeasureKind.SUSPENSION) | _has_penalty(PenaltyKind.SUSPENSION),
    MeasureKind.SEAL: _has_measure(MeasureKind.SEAL),
    MeasureKind.THREE_STOPS: _has_measure(MeasureKind.THREE_STOPS),
    MeasureKind.CLOSURE: _has_measure(MeasureKind.CLOSURE) | _has_penalty(PenaltyKind.CLOSURE),
}


def opened_cases(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Case]:
    """Cases opened (立案日期) in the period, in the scope, whatever became of them since."""
    return Case.objects.filter(scope.q(Case), opened_on__gte=start, opened_on__lte=end)


def decided_cases(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Case]:
    """Cases whose 处罚决定 is dated in the period, in the scope (opened in the period or before)."""
    return Case.objects.filter(scope.q(Case), decided_on__gte=start, decided_on__lte=end)


# ---------------------------------------------------------------- 立案 起


def cases(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    return opened_cases(start=start, end=end, scope=scope).count()


def cases_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Case]:
    return opened_cases(start=start, end=end, scope=scope)


# ---------------------------------------------------------------- 罚款 元


def fines_total_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Penalty]:
    """The 罚款 penalties (on the unit and, 一案双罚, on the person) of the decisions dated in the period.
    没收违法所得 is not a fine."""
    decided = decided_cases(start=start, end=end, scope=scope).values("pk")
    return Penalty.objects.filter(kind=PenaltyKind.FINE, case__in=decided)


def fines_total(*, start: dt.date, end: dt.date, scope: Scope) -> Decimal:
    """The fines of the period's decisions, exact Decimal yuan (two decimals)."""
    fines = fines_total_records(start=start, end=end, scope=scope)
    total = fines.aggregate(total=Sum("amount", default=Decimal(0), output_field=MONEY))["total"]
    return Decimal(total).quantize(FEN)


# ---------------------------------------------------------------- enterprises under a measure 家


def measure_enterprises_records(
    *, kind: str, start: dt.date, end: dt.date, scope: Scope
) -> QuerySet[Enterprise]:
    """The enterprises with a `kind` measure (停产整顿 / 临时查封 / 责令三停 / 关闭取缔, or the matching
    penalty of a decision: selectors.MEASURE_CONDITIONS) on a case opened in the period."""
    with_measure = opened_cases(start=start, end=end, scope=scope).filter(MEASURE_CONDITIONS[kind])
    return Enterprise.objects.filter(pk__in=with_measure.values("enterprise_id"))


def measure_enterprises(*, kind: str, start: dt.date, end: dt.date, scope: Scope) -> int:
    """Distinct enterprises (家): two cases of one enterprise, or a measure and a penalty, count it once."""
    opened = opened_cases(start=start, end=end, scope=scope)
    return opened.aggregate(n=Count("enterprise", filter=MEASURE_CONDITIONS[kind], distinct=True))["n"]


# ---------------------------------------------------------------- every figure, one query per table


def _by_window(row: dict, names: Sequence[str], count: int) -> list[dict]:
    """The aggregate's columns ("cases_0", "cases_1" …) regrouped per window."""
    return [{name: row[f"{name}_{i}"] for name in names} for i in range(count)]


def case_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: cases (立案) and, for each measure kind, the enterprises under it (keyed by the
    MeasureKind value), in one query over the cases opened in the whole span."""
    first, last = min(start for start, _ in windows), max(end for _, end in windows)
    columns = {}
    for i, (start, end) in enumerate(windows):
        opened = Q(opened_on__gte=start, opened_on__lte=end)
        columns[f"cases_{i}"] = Count("pk", filter=opened)
        for kind, condition in MEASURE_IN.items():
            columns[f"{kind}_{i}"] = Count("enterprise", filter=opened & condition, distinct=True)
    row = opened_cases(start=first, end=last, scope=scope).order_by().aggregate(**columns)
    return _by_window(row, ["cases", *map(str, MEASURE_IN)], len(windows))


def fine_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: fines_total, the fines of the decisions dated in it (exact yuan), in one query."""
    first, last = min(start for start, _ in windows), max(end for _, end in windows)
    columns = {
        f"fines_total_{i}": Sum(
            "amount",
            filter=Q(case__decided_on__gte=start, case__decided_on__lte=end),
            default=Decimal(0),
            output_field=MONEY,
        )
        for i, (start, end) in enumerate(windows)
    }
    # Joined to the cases for their decision date; the scope as a subquery only where there is one.
    fines = Penalty.objects.filter(
        kind=PenaltyKind.FINE, case__decided_on__gte=first, case__decided_on__lte=last
    )
    if not scope.everything:
        fines = fines.filter(case__in=Case.objects.filter(scope.q(Case)).values("pk"))
    row = fines.order_by().aggregate(**columns)
    return [
        {"fines_total": Decimal(figures["fines_total"]).quantize(FEN)}
        for figures in _by_window(row, ["fines_total"], len(windows))
    ]
