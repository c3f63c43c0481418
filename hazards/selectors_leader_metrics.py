"""`inspections.leader_led_hazards` of the metric registry (reports/metrics/inspections.py): hazards
found on leader-led inspections (“区级领导共带队检查367次，共发现隐患512个”). It lives here, not in
inspections, because it reads the Hazard model (hazards sits above inspections).

The same rule as selectors.hazards_found_on_leader_led (non-void hazards on a record of a leader-led
action), for a scope instead of a user, dated like `hazards.found` — by the hazard's 发现日期 (a hazard
entered from an inspection is found on the inspection's day) — so it is a part of `hazards.found` of
the same period and scope. The scope is the hazard's own (its 属地, sectors, supervising and
responsible unit), as for every hazard figure.
"""

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.scoping import Scope
from inspections.choices import ActionStatus

from .choices import HazardState
from .models import Hazard

ON_LEADER_LED = Q(
    inspection_record__action__is_leader_led=True, inspection_record__action__status=ActionStatus.DONE
)


def leader_led_hazards_records(*, start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Hazard]:
    return (
        Hazard.objects.exclude(state=HazardState.VOID)
        .filter(ON_LEADER_LED, found_on__gte=start, found_on__lte=end)
        .filter(scope.q(Hazard))
    )


def leader_led_hazards(*, start: dt.date, end: dt.date, scope: Scope) -> int:
    return leader_led_hazards_records(start=start, end=end, scope=scope).count()
