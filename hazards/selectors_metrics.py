"""The hazard and accident figures of the reports' metric registry (reports/metrics/hazards.py and
reports/metrics/accidents.py wrap them in `Metric`).

Each value function takes the period's first and last day (inclusive, Asia/Shanghai dates) and an
`accounts.scoping.Scope`, and answers with ONE aggregate query; its `*_records` twin gives exactly the
rows behind the figure, so a count's drill-down list has as many rows as the figure says.

Scope: `scope.q(Model)` as everywhere else — a township counts the hazards whose enterprise (the
jurisdiction copied onto the hazard) lies in its subtree and the accidents whose 所属街道 does; a
department the hazards of its sectors, those it supervises or follows, and the accidents of its sectors.

A roll-up asks for every figure at once, for a period and the year before: `hazard_batch` and
`accident_batch` answer all of them in ONE aggregate query each (a `COUNT(*) FILTER` per figure and
period) with the very conditions of the single figures below.

Hazards: a voided entry (作废) was entered in error and is in no count. "Rectified by the last day"
reads 销号日期 (`closed_on`, the Asia/Shanghai day of the 复查合格); a hazard reopened since has no
销号日期 and counts as not rectified.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import Scope

from .choices import HazardLevel, HazardState
from .models import Accident, Hazard
from .selectors import rectification_rate
from .selectors_leader_metrics import ON_LEADER_LED

Span = tuple[dt.date, dt.date]  # a window's first and last day, inclusive

# ---------------------------------------------------------------- hazards: the conditions


def _hazards(scope: Scope) -> QuerySet[Hazard]:
    """The non-void hazards of the scope, unordered (for aggregates)."""
    return Hazard.objects.filter(scope.q(Hazard)).exclude(state=HazardState.VOID).order_by()


def _found_q(start: dt.date, end: dt.date) -> Q:
    return Q(found_on__gte=start, found_on__lte=end)


def _closed_by_q(day: dt.date) -> Q:
    """已销号 on or before `day` (a hazard closed later was still open that day)."""
    return Q(state=HazardState.CLOSED, closed_on__lte=day)


def _listed_by_q(day: dt.date) -> Q:
    """挂牌督办 at any level, listed on or before `day` (a hazard delisted since still counts)."""
    return ~Q(listing_level="") & Q(listed_on__lte=day)


MAJOR = Q(level=HazardLevel.MAJOR)


def overdue_as_of(end: dt.date) -> dt.date:
    """The day a period's overdue stock is taken: its last day, or today while the period runs (a
    hazard whose deadline is still ahead is not overdue yet)."""
    return min(end, timezone.localdate())


def _overdue_q(end: dt.date) -> Q:
    """Found on or before the day, its deadline before the day, not closed by then."""
    day = overdue_as_of(end)
    return Q(found_on__lte=day, deadline__lt=day) & ~_closed_by_q(day)


def major_overdue_unlisted_q(end: dt.date) -> Q:
    """重大隐患逾期未挂牌 (hazards/selectors_evaluation.py has the definition): 重大, overdue as of the
    day the stock is taken, and not under 挂牌督办 by that day."""
    day = overdue_as_of(end)
    return MAJOR & _overdue_q(end) & ~_listed_by_q(day)


def _count(rows: QuerySet, condition: Q) -> int:
    return rows.aggregate(n=Count("pk", filter=condition))["n"]


def _rows(scope: Scope, condition: Q) -> QuerySet[Hazard]:
    """The drill-down rows: the same filter as the figure, in the ledger's order, ready for a list."""
    return (
        Hazard.objects.filter(scope.q(Hazard))
        .exclude(state=HazardState.VOID)
        .filter(condition)
        .select_related("enterprise", "township", "responsible_unit", "category")
        .order_by("-found_on", "-pk")
    )


# ---------------------------------------------------------------- hazards: the figures


def hazards_found(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """发现隐患: non-void hazards found (发现日期) in the period."""
    return _count(_hazards(scope), _found_q(start, end))


def hazards_found_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    return _rows(scope, _found_q(start, end))


def hazards_rectified(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """已整改隐患: of the hazards found in the period, those closed on or before its last day."""
    return _count(_hazards(scope), _found_q(start, end) & _closed_by_q(end))


def hazards_rectified_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    return _rows(scope, _found_q(start, end) & _closed_by_q(end))


def hazards_rectification_rate(*, start: dt.date, end: dt.date, scope: Scope) -> Decimal | None:
    """隐患整改率: rectified ÷ found × 100, one decimal; None when nothing was found. One query."""
    found = _found_q(start, end)
    figures = _hazards(scope).aggregate(
        found=Count("pk", filter=found), rectified=Count("pk", filter=found & _closed_by_q(end))
    )
    return rectification_rate(figures["found"], figures["rectified"])


def hazards_major(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """重大隐患: non-void 重大 hazards found in the period."""
    return _count(_hazards(scope), _found_q(start, end) & MAJOR)


def hazards_major_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    return _rows(scope, _found_q(start, end) & MAJOR)


def hazards_major_rectified(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """重大隐患已整改: of the 重大 hazards found in the period, those closed on or before its last day."""
    return _count(_hazards(scope), _found_q(start, end) & MAJOR & _closed_by_q(end))


def hazards_major_rectified_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    return _rows(scope, _found_q(start, end) & MAJOR & _closed_by_q(end))


def hazards_listed(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """挂牌督办隐患: of the hazards found in the period, those listed (any level) by its last day."""
    return _count(_hazards(scope), _found_q(start, end) & _listed_by_q(end))


def hazards_listed_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    return _rows(scope, _found_q(start, end) & _listed_by_q(end))


def hazards_overdue(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """逾期未整改隐患 as of the period's last day (today while it runs): a stock, so `start` is unused."""
    return _count(_hazards(scope), _overdue_q(end))


def hazards_overdue_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    return _rows(scope, _overdue_q(end))


# ---------------------------------------------------------------- every hazard figure, one scan


def _by_window(row: dict, names: Sequence[str], count: int) -> list[dict]:
    """The aggregate's columns ("found_0", "found_1" …) regrouped per window."""
    return [{name: row[f"{name}_{i}"] for name in names} for i in range(count)]


def hazard_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: found, rectified, rectification_rate, major, major_rectified, listed, overdue
    and major_overdue_unlisted: one scan of the scope's non-void hazards found up to the last day asked
    for (every figure, the overdue stocks included, counts only hazards found by its window's last day)."""
    columns, names = {}, []
    for i, (start, end) in enumerate(windows):
        found = _found_q(start, end)
        conditions = {
            "found": found,
            "rectified": found & _closed_by_q(end),
            "major": found & MAJOR,
            "major_rectified": found & MAJOR & _closed_by_q(end),
            "listed": found & _listed_by_q(end),
            "overdue": _overdue_q(end),
            "major_overdue_unlisted": major_overdue_unlisted_q(end),
        }
        columns |= {f"{name}_{i}": Count("pk", filter=condition) for name, condition in conditions.items()}
        names = list(conditions)
    last = max(end for _, end in windows)
    row = _hazards(scope).filter(found_on__lte=last).aggregate(**columns)
    result = _by_window(row, names, len(windows))
    for figures in result:
        figures["rectification_rate"] = rectification_rate(figures["found"], figures["rectified"])
    return result


def leader_led_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: leader_led (inspections.leader_led_hazards, selectors_leader_metrics' rule). Its
    own query, not a column of the scan above: joined to every hazard's record and action, the scan
    takes three times as long, while from the few leader-led actions down to their hazards it is a
    handful of index lookups."""
    first, last = min(start for start, _ in windows), max(end for _, end in windows)
    columns = {
        f"leader_led_{i}": Count("pk", filter=_found_q(start, end)) for i, (start, end) in enumerate(windows)
    }
    rows = _hazards(scope).filter(ON_LEADER_LED, _found_q(first, last))
    return _by_window(rows.aggregate(**columns), ["leader_led"], len(windows))


# ---------------------------------------------------------------- accidents


def _accidents(start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Accident]:
    """The 生产安全事故 of the scope (所属街道 for a township) dated (发生日期) in the period."""
    return Accident.objects.filter(
        scope.q(Accident), is_production_safety=True, occurred_on__gte=start, occurred_on__lte=end
    )


def accidents_count(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """生产安全事故: how many happened in the period."""
    return _accidents(start, end, scope).order_by().aggregate(n=Count("pk"))["n"]


def accidents_count_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Accident]:
    return _accidents(start, end, scope).select_related("township", "enterprise", "sector", "category")


def accidents_deaths(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """事故死亡人数: the deaths of the period's 生产安全事故 (0 when there were none)."""
    rows = _accidents(start, end, scope).order_by()
    return rows.aggregate(n=Coalesce(Sum("deaths"), Value(0), output_field=IntegerField()))["n"]


def accidents_deaths_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Accident]:
    """The accidents whose deaths the figure adds up (those with none add nothing and are left out)."""
    return accidents_count_records(start=start, end=end, scope=scope).filter(deaths__gt=0)


def accident_batch(*, windows: Sequence[Span], scope: Scope) -> list[dict]:
    """For each window: count and deaths of the 生产安全事故, in one query."""
    first, last = min(start for start, _ in windows), max(end for _, end in windows)
    columns = {}
    for i, (start, end) in enumerate(windows):
        dated = Q(occurred_on__gte=start, occurred_on__lte=end)
        columns[f"count_{i}"] = Count("pk", filter=dated)
        columns[f"deaths_{i}"] = Sum("deaths", filter=dated, default=0)
    row = _accidents(first, last, scope).order_by().aggregate(**columns)
    return _by_window(row, ["count", "deaths"], len(windows))
