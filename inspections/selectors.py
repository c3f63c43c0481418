"""Scoped reads and the counts the work summaries open with (次, 人次, 家次, 家)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from accounts.scoping import restrict, scope_for

from .choices import ActionStatus
from .models import CheckItem, InspectionAction, InspectionRecord


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


def action_list_rows(*, user: User) -> QuerySet[InspectionAction]:
    """The list page's rows: each action with its visit count, in one query (no N+1)."""
    return (
        action_list(user=user).annotate(visit_count=Count("records", distinct=True)).order_by("-date", "-pk")
    )


def inspection_figures(*, user: User, start: dt.date, end: dt.date) -> dict[str, int]:
    """The inspection figures of a period within the user's scope, in two aggregate queries.

    actions 次 · person_times 人次 (team size of each action, summed) · unit_visits 家次 (records)
    · units 家 (distinct enterprises) · leader_led 次.
    """
    # Only inspections that happened count; planned ones (双随机 picks) and drafts do not.
    actions = action_list(user=user).filter(date__gte=start, date__lte=end, status=ActionStatus.DONE)
    totals = actions.aggregate(
        actions=Count("pk"),
        person_times=Sum("person_count", default=0),
        leader_led=Count("pk", filter=Q(is_leader_led=True)),
    )
    visits = restrict(InspectionRecord.objects.filter(action__in=actions.values("pk")), user).aggregate(
        unit_visits=Count("pk"), units=Count("enterprise", distinct=True)
    )
    return {**totals, **visits}


def recent_visits_by_others(
    *, enterprise_ids: list[int], organizer_id: int, on: dt.date, days: int
) -> QuerySet[InspectionRecord]:
    """Visits by other units within `days` before `on` (多头检查/重复检查): a warning, not a refusal."""
    return (
        InspectionRecord.objects.filter(
            enterprise_id__in=enterprise_ids,
            action__date__gte=on - dt.timedelta(days=days),
            action__date__lte=on,
        )
        .exclude(action__organizer_id=organizer_id)
        .select_related("enterprise", "action__organizer", "action__kind")
        .order_by("-action__date")
    )


def check_items_published() -> QuerySet[CheckItem]:
    """The public list of what may be checked, by sector: readable by every signed-in user."""
    return CheckItem.objects.filter(is_active=True, sector__is_active=True).select_related("sector")
