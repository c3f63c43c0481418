"""The enforcement figures of the metric registry (reports/metrics/enforcement.py): the same rules as
the user-based figures in selectors.py (cases_opened, fines_decided, enterprises_with_measures), for a
period (`start`..`end`, inclusive) and a scope (an `accounts.scoping.Scope`). Each value is ONE aggregate
query; each `*_records` gives exactly the rows behind it for the drill-down lists.

A case's scope (Case.scope_fields): a township counts the cases of enterprises in its subtree (the
jurisdiction copied when the case was opened), a department the cases it handles (办案单位) — not those
of its sectors handled by others.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, QuerySet, Sum

from accounts.models import Enterprise
from accounts.scoping import Scope

from .choices import PenaltyKind
from .models import Case, Penalty
from .selectors import MEASURE_CONDITIONS

FEN = Decimal("0.01")
MONEY = DecimalField(max_digits=16, decimal_places=2)


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
