"""Hazard figures the monthly evaluation (月度评估, reports/metrics/evaluation.py) needs that the other
metrics do not give: 重大隐患逾期未挂牌.

Definition (one aggregate query): as of the period's last day (today while the period runs, the same
day the 逾期未整改隐患 stock is taken, selectors_metrics.overdue_as_of), the non-void 重大 hazards found on
or before that day whose 整改期限 (the current one, extensions included) is before that day, that are not
销号 by that day, and that were not under 挂牌督办 (any level) by that day — no listing, or listed only
after it. A stock, like 逾期未整改隐患: the period's first day is not used.

Scope: `scope.q(Hazard)`, as every hazard figure (a township its subtree's hazards, a department those
of its sectors, those it supervises or follows).
"""

import datetime as dt

from django.db.models import Count, QuerySet

from accounts.scoping import Scope

from .choices import HazardState
from .models import Hazard
from .selectors_metrics import major_overdue_unlisted_q


def major_overdue_unlisted(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    """重大隐患逾期未挂牌: see the module's definition."""
    rows = Hazard.objects.filter(scope.q(Hazard)).exclude(state=HazardState.VOID).order_by()
    return rows.aggregate(n=Count("pk", filter=major_overdue_unlisted_q(end)))["n"]


def major_overdue_unlisted_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    """The hazards the figure counts, in the ledger's order."""
    return (
        Hazard.objects.filter(scope.q(Hazard))
        .exclude(state=HazardState.VOID)
        .filter(major_overdue_unlisted_q(end))
        .select_related("enterprise", "township", "responsible_unit", "category")
        .order_by("-found_on", "-pk")
    )
