"""Scoped reads and the counts the work summaries open with (次, 人次, 家次, 家)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from accounts.scoping import restrict, scope_for

from .models import InspectionAction, InspectionRecord


def record_list(*, user: User, action: str = "view") -> QuerySet[InspectionRecord]:
    return restrict(InspectionRecord.objects.all(), user, action).select_related(
        "action__kind", "action__organizer", "enterprise__jurisdiction__parent"
    )


def action_list(*, user: User) -> QuerySet[InspectionAction]:
    """Actions organised within the user's scope, or that visited an enterprise the user may see."""
    base = InspectionAction.objects.select_related("kind", "organizer")
    scope = scope_for(user)
    if scope.everything:
        return base
    if scope.nothing:
        return base.none()
    visited = restrict(InspectionRecord.objects.all(), user).values("action_id")
    return base.filter(scope.q(InspectionAction) | Q(pk__in=visited))


def inspection_figures(*, user: User, start: dt.date, end: dt.date) -> dict[str, int]:
    """The inspection figures of a period within the user's scope, in two aggregate queries.

    actions 次 · person_times 人次 (team size of each action, summed) · unit_visits 家次 (records)
    · units 家 (distinct enterprises) · leader_led 次.
    """
    actions = action_list(user=user).filter(date__gte=start, date__lte=end)
    totals = actions.aggregate(
        actions=Count("pk"),
        person_times=Sum("person_count", default=0),
        leader_led=Count("pk", filter=Q(is_leader_led=True)),
    )
    visits = restrict(InspectionRecord.objects.filter(action__in=actions.values("pk")), user).aggregate(
        unit_visits=Count("pk"), units=Count("enterprise", distinct=True)
    )
    return {**totals, **visits}
