"""Activity figures the monthly evaluation (月度评估, reports/metrics/evaluation.py) needs: 活动按时报送率.

The activity ledger has no reporting deadline of its own; what it does record is when an activity
happened (日期, 结束日期) and when it was entered (登记时间). "Reported on time" is therefore read as:
entered within REPORT_WITHIN_DAYS days after the activity's last day (结束日期, else 日期), counted in
Asia/Shanghai days. Rate = on time ÷ all × 100, one decimal (ROUND_HALF_UP), over the activities dated
(by 日期) in the period and organised in the scope (the organising unit, as every activity figure);
None when the scope recorded none.

An activity changed later keeps its 登记时间: correcting an entry does not make it late. A ledger
imported in bulk is entered on the day of the import, so a month imported late counts as late — which is
what the figure is meant to show.

ONE aggregate query.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, TruncDate

from accounts.scoping import Scope

from .models import Activity

# Days after its last day within which an activity must be entered to count as reported on time.
REPORT_WITHIN_DAYS = 5


def activities_on_time(*, start: dt.date, end: dt.date, scope: Scope) -> tuple[int, int]:
    """(on time, all) of the period's activities in the scope."""
    rows = (
        Activity.objects.filter(scope.q(Activity), date__gte=start, date__lte=end)
        .order_by()
        .annotate(
            entered_on=TruncDate("created"),
            due_on=ExpressionWrapper(
                Coalesce(F("end_date"), F("date")) + dt.timedelta(days=REPORT_WITHIN_DAYS),
                output_field=DateField(),
            ),
        )
    )
    figures = rows.aggregate(every=Count("pk"), on_time=Count("pk", filter=Q(entered_on__lte=F("due_on"))))
    return figures["on_time"], figures["every"]


def activities_on_time_rate(*, start: dt.date, end: dt.date, scope: Scope) -> Decimal | None:
    """活动按时报送率: see the module's definition."""
    on_time, every = activities_on_time(start=start, end=end, scope=scope)
    if not every:
        return None
    return (Decimal(on_time * 100) / every).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
