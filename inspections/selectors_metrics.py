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
"""

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import Enterprise
from accounts.scoping import Scope

from .choices import ActionStatus
from .models import InspectionAction, InspectionRecord

LEADER_LED = Q(is_leader_led=True)


def visit_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[InspectionRecord]:
    """The visits (家次) of the period in the scope: the latest version of each record of an action that
    happened in the period, whose enterprise lies in the scope."""
    return InspectionRecord.objects.filter(
        scope.q(InspectionRecord),
        action__status=ActionStatus.DONE,
        action__date__gte=start,
        action__date__lte=end,
        superseded_by__isnull=True,
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
