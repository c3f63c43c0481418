"""Scoped reads and the counts the work summaries open with (次, 人次, 家次, 家)."""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.choices import TOWNSHIP_KINDS, EnterpriseStatus, Role
from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.scoping import get_object_in_scope, restrict, scope_for, unit_scope

from .choices import ORGANIZER_KINDS, ActionStatus, CheckResultValue
from .draws import grade_weight
from .models import (
    CheckItem,
    CheckResult,
    InspectionAction,
    InspectionDraft,
    InspectionKind,
    InspectionPlan,
    InspectionRecord,
    PlanTarget,
    RandomDraw,
    RecordPhoto,
)


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
    visited = restrict(InspectionRecord.objects.all(), user).order_by().values_list("action_id")
    organized = InspectionAction.objects.filter(scope.q(InspectionAction)).order_by().values_list("pk")
    # One id list (a UNION), not an OR of the two rules: the OR made the database test every action of
    # the city against both (a full scan, 130 ms at 240k actions); the union of a township's few thousand
    # ids is looked up by key, and the list's order and page come from those rows alone (issue 15).
    return base.filter(pk__in=organized.union(visited))


def action_list_ordered(*, user: User) -> QuerySet[InspectionAction]:
    """The list's actions newest first (index `action_date_order`), without the per-row visit count: what
    its filters, counts and page ids need."""
    return action_list(user=user).order_by("-date", "-pk")


def with_visit_counts(queryset: QuerySet[InspectionAction], *, user: User) -> QuerySet[InspectionAction]:
    """Each action with `visit_count`, in the same query (no N+1).

    The count is of the visits the user may see, as the action's page lists them: on a joint action
    a township counts its own enterprises, not the other towns'.
    """
    latest = Q(records__superseded_by__isnull=True)  # a corrected record (更正) is one visit
    visits = Count("records", filter=latest, distinct=True)
    if not scope_for(user).everything:
        visible = restrict(InspectionRecord.objects.all(), user).values("pk")
        visits = Count("records", filter=latest & Q(records__in=visible), distinct=True)
    return queryset.annotate(visit_count=visits)


def action_rows(*, ids: list[int], user: User) -> QuerySet[InspectionAction]:
    """A list page's actions by id, with their visit counts. The ids come from the user's (filtered) list,
    so the scope rule is not tested again on them: it is the costly part of the list's query."""
    rows = InspectionAction.objects.select_related("kind", "organizer").filter(pk__in=ids)
    return with_visit_counts(rows, user=user)


def action_list_rows(*, user: User) -> QuerySet[InspectionAction]:
    """The list's rows with their visit counts (the export and the API): one query, no N+1."""
    return with_visit_counts(action_list_ordered(user=user), user=user)


def action_list_figures(queryset: QuerySet[InspectionAction]) -> dict[str, int]:
    """total and 执法证未核验 of a (filtered) action list: an index-only count, and a count off the partial
    index of the few unverified ones (action_cert_unverified) — not a pass over every action's row."""
    rows = queryset.order_by()
    return {"total": rows.count(), "unverified": rows.filter(cert_unverified=True).count()}


def inspection_figures(*, user: User, start: dt.date, end: dt.date) -> dict[str, int]:
    """The inspection figures of a period within the user's scope, in two aggregate queries.

    actions 次 · person_times 人次 (team size of each action, summed) · unit_visits 家次 (records)
    · units 家 (distinct enterprises) · leader_led 次 · unannounced 次 (四不两直, a flag on any kind).
    Actions imported with 执法证未核验 count like any other.
    """
    # Only inspections that happened count; planned ones (双随机 picks) and drafts do not.
    actions = action_list(user=user).filter(date__gte=start, date__lte=end, status=ActionStatus.DONE)
    totals = actions.aggregate(
        actions=Count("pk"),
        person_times=Sum("person_count", default=0),
        leader_led=Count("pk", filter=Q(is_leader_led=True)),
        unannounced=Count("pk", filter=Q(is_unannounced=True)),
    )
    # A record corrected by a newer version (更正) is one visit: only the latest version counts.
    records = InspectionRecord.objects.filter(action__in=actions.values("pk"), superseded_by__isnull=True)
    visits = restrict(records, user).aggregate(
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


# ---------------------------------------------------------------- inspection entry (录入检查)


def action_get(*, user: User, pk: int) -> InspectionAction:
    """One action the user may see (same rule as the list), or 404."""
    return get_object_or_404(action_list(user=user).select_related("created_by", "campaign"), pk=pk)


def action_records(*, user: User, action: InspectionAction) -> QuerySet[InspectionRecord]:
    """The action's records the user may see, each with its 不符合 count (one query)."""
    return (
        record_list(user=user)
        .filter(action=action)
        .annotate(
            result_count=Count("results", distinct=True),
            noncompliant_count=Count(
                "results", filter=Q(results__result=CheckResultValue.NONCOMPLIANT), distinct=True
            ),
        )
        .order_by("pk")
    )


def enterprise_records(*, user: User, enterprise: Enterprise) -> QuerySet[InspectionRecord]:
    """An enterprise's inspections (its records: one per visit), newest first, each with its 不符合
    count, in one query. Only visits the user may see; the other stops of a joint action are not here."""
    return (
        record_list(user=user)
        .filter(enterprise=enterprise)
        .annotate(
            noncompliant_count=Count("results", filter=Q(results__result=CheckResultValue.NONCOMPLIANT))
        )
        .order_by("-action__date", "-action__pk")
    )


def record_get(*, user: User, pk: int) -> InspectionRecord:
    """One record with the versions around it (更正: what it supersedes, what superseded it)."""
    records = record_list(user=user).select_related("supersedes", "superseded_by")
    return get_object_in_scope(records, user, "view", pk=pk)


def record_results(*, record: InspectionRecord) -> list[CheckResult]:
    """The record's check results in checklist order, kept on the record: `record.results.all()` then
    reads them without a query, so the panels apps above draw beside each result (core.panels) reuse
    them instead of asking again."""
    ordered = CheckResult.objects.select_related("item__sector").order_by(
        "item__sector__order", "item__order", "item__code"
    )
    prefetch_related_objects([record], Prefetch("results", queryset=ordered))
    return list(record.results.all())


def organizers_writable(*, user: User) -> QuerySet[OrgUnit]:
    """Units the user may organise inspections, draws and plans for: one rule (plan_organizers)."""
    return plan_organizers(user=user)


def team_candidates(*, user: User, include_ids=()) -> QuerySet[User]:
    """Who can be put on a team: people of the units the user may organise for (and their subtrees),
    the user himself, and anyone already named (a planned inspection's drawn inspectors)."""
    paths = list(organizers_writable(user=user).values_list("path", flat=True))
    in_units = Q(pk__in=[])
    for path in paths:
        in_units |= Q(org_unit__path__startswith=path)
    people = Q(is_active=True) & in_units & ~Q(role__in=[Role.LEADER, Role.ADMIN])
    return (
        User.objects.filter(people | Q(pk=user.pk) | Q(pk__in=list(include_ids)))
        .select_related("org_unit")
        .order_by("org_unit__path", "name", "username")
    )


def team_offered(*, user: User, organizer_id, kind: InspectionKind | None, on, keep_ids=()) -> QuerySet[User]:
    """Step 1's chips: of the people team_candidates allows, the organising unit's own staff — for an
    enforcement kind (or no kind yet) only those holding a 执法证 valid on the day — plus the user and
    anyone already chosen. The service still validates against team_candidates."""
    staff = Q(org_unit_id=organizer_id)
    if kind is None or kind.is_enforcement:
        staff &= ~Q(enforcement_cert_no="") & Q(enforcement_cert_expiry__gte=on)
    keep = Q(pk=user.pk) | Q(pk__in=list(keep_ids))
    return team_candidates(user=user, include_ids=keep_ids).filter(staff | keep)


def enterprise_search(*, user: User, q: str, limit: int = 20) -> QuerySet[Enterprise]:
    """Enterprises the user may inspect (change scope), by name or 统一社会信用代码."""
    q = q.strip()
    if not q:
        return Enterprise.objects.none()
    found = restrict(Enterprise.objects.all(), user, "change").filter(
        Q(name__icontains=q) | Q(uscc__icontains=q.upper())
    )
    return found.select_related("jurisdiction__parent").order_by("name", "pk")[:limit]


def enterprises_writable(*, user: User, ids) -> QuerySet[Enterprise]:
    return (
        restrict(Enterprise.objects.filter(pk__in=list(ids)), user, "change")
        .select_related("jurisdiction__parent")
        .prefetch_related("sectors")
    )


def check_items_by_enterprise(enterprises) -> dict[int, list[CheckItem]]:
    """The published items that apply to each enterprise: those of its sectors and their parent sectors
    (a 机械 firm gets the 工贸 items too). One query for all enterprises; sectors must be prefetched."""
    wanted: dict[int, set[int]] = {}
    for enterprise in enterprises:
        ids: set[int] = set()
        for sector in enterprise.sectors.all():
            ids.add(sector.pk)
            if sector.parent_id:
                ids.add(sector.parent_id)
        wanted[enterprise.pk] = ids
    all_ids = set().union(*wanted.values()) if wanted else set()
    items = list(check_items_published().filter(sector_id__in=all_ids))
    return {pk: [i for i in items if i.sector_id in ids] for pk, ids in wanted.items()}


def repeat_visits(*, enterprise_ids, organizer_id: int | None, on: dt.date) -> QuerySet[InspectionRecord]:
    """多头检查/重复检查 warnings: inspections that happened (not planned ones) by another unit within
    INSPECTION_REPEAT_DAYS before `on`."""
    if not enterprise_ids or organizer_id is None:
        return InspectionRecord.objects.none()
    return recent_visits_by_others(
        enterprise_ids=list(enterprise_ids),
        organizer_id=organizer_id,
        on=on,
        days=settings.INSPECTION_REPEAT_DAYS,
    ).filter(action__status=ActionStatus.DONE)


def draft_list(*, user: User) -> QuerySet[InspectionDraft]:
    """录入草稿 are personal: only the owner's own."""
    return InspectionDraft.objects.filter(owner=user).select_related("planned_action")


def draft_get(*, user: User, pk: int) -> InspectionDraft:
    return get_object_or_404(draft_list(user=user), pk=pk)


def draft_exists(*, pk: int) -> bool:
    """Whether a draft is still there, whoever owns it: gone means it was submitted (or discarded)."""
    return InspectionDraft.objects.filter(pk=pk).exists()


def photo_get(*, user: User, pk: int) -> RecordPhoto:
    """A photo the user may look at: on a record they may view, or on their own draft; else 404."""
    visible = Q(draft__owner=user) | Q(record__in=record_list(user=user).values("pk"))
    return get_object_or_404(RecordPhoto.objects.filter(visible), pk=pk)


# ---------------------------------------------------------------- 双随机抽取


def draw_list(*, user: User):
    """Draws organised within the user's scope, with how many of their planned inspections are done."""
    return (
        restrict(RandomDraw.objects.all(), user)
        .select_related("organizer", "created_by")
        .annotate(done_count=Count("picks", filter=Q(picks__action__status=ActionStatus.DONE)))
        .order_by("-created", "-pk")
    )


def draw_get(*, user: User, pk: int):
    return get_object_in_scope(draw_list(user=user), user, "view", pk=pk)


def draw_picks(*, draw) -> QuerySet:
    """The published result table: each pick with its enterprise, inspectors and planned inspection."""
    return (
        draw.picks.select_related("enterprise__jurisdiction__parent", "action")
        .prefetch_related("inspectors", "enterprise__sectors")
        .order_by("order")
    )


def draw_enterprise_pool(
    *, user: User, organizer: OrgUnit, sector_ids, township_ids, risk_grade_ids, weighted: bool
) -> list[tuple[int, int]]:
    """单位名录库: operating enterprises matching the filters that the user may inspect and that lie in
    the organising unit's own remit (a district officer drawing for a township draws from that
    township only), as (id, weight).

    A sector takes in its sub-sectors (工贸 → 机械 …), a township its communities.
    """
    pool = restrict(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING), user, "change")
    pool = pool.filter(unit_scope(organizer).q(Enterprise))
    if sector_ids:
        sectors = Sector.objects.filter(Q(pk__in=sector_ids) | Q(parent__in=sector_ids)).values("pk")
        pool = pool.filter(pk__in=Enterprise.objects.filter(sectors__in=sectors).values("pk"))
    if township_ids:
        places = Q(pk__in=[])
        for path in OrgUnit.objects.filter(pk__in=township_ids).values_list("path", flat=True):
            places |= Q(jurisdiction__path__startswith=path)
        pool = pool.filter(places)
    if risk_grade_ids:
        pool = pool.filter(risk_grade__in=risk_grade_ids)
    rows = pool.order_by("pk").values_list("pk", "risk_grade__code")
    return [(pk, grade_weight(code, weighted=weighted)) for pk, code in rows]


def draw_inspector_pool(*, organizer, on: dt.date) -> list[int]:
    """执法人员名录库: active people of the organising unit (or below it) with a valid 执法证 on `on`."""
    people = (
        User.objects.filter(
            is_active=True, org_unit__path__startswith=organizer.path, enforcement_cert_expiry__gte=on
        )
        .exclude(enforcement_cert_no="")
        .order_by("pk")
    )
    return list(people.values_list("pk", flat=True))


# ---------------------------------------------------------------- 检查计划 (done vs planned)


def plan_list(*, user: User) -> QuerySet[InspectionPlan]:
    """Plans of organising units within the user's scope, with their target lines fetched up front."""
    targets = PlanTarget.objects.select_related("sector", "township", "kind").order_by("pk")
    return (
        restrict(InspectionPlan.objects.all(), user)
        .select_related("organizer")
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("-year", F("month").desc(nulls_first=True), "organizer__path", "pk")
    )


def plan_get(*, user: User, pk: int) -> InspectionPlan:
    return get_object_in_scope(plan_list(user=user), user, "view", pk=pk)


def plan_organizers(*, user: User) -> QuerySet[OrgUnit]:
    """Units the user may organise inspections, plans and draws for: district roles any organising unit,
    a department itself, a township user the organising units of its subtree; leaders none.
    (permissions.can_organize asks the same of one unit.)"""
    units = OrgUnit.objects.filter(kind__in=ORGANIZER_KINDS, is_active=True).order_by("path")
    scope = scope_for(user, "change")
    if scope.everything:
        return units
    if scope.department_id is not None:
        return units.filter(pk=scope.department_id)
    if scope.subtree_path is None:
        return units.none()
    return units.filter(path__startswith=scope.subtree_path)


def plan_townships(*, user: User) -> QuerySet[OrgUnit]:
    """街道/乡镇 a plan line may target: those in the user's write scope (a department's is all of them)."""
    units = OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS, is_active=True).order_by("order", "name")
    scope = scope_for(user, "change")
    if scope.everything or scope.department_id is not None:
        return units
    if scope.subtree_path is None:
        return units.none()
    return units.filter(path__startswith=scope.subtree_path)


def plan_period(plan: InspectionPlan) -> tuple[dt.date, dt.date]:
    """The calendar year, or the calendar month, both ends included."""
    if plan.month:
        last = calendar.monthrange(plan.year, plan.month)[1]
        return dt.date(plan.year, plan.month, 1), dt.date(plan.year, plan.month, last)
    return dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31)


@dataclass(frozen=True)
class LineProgress:
    """One line of the plan table (or its total): 计划家次, 已完成家次, 完成率."""

    planned: int
    done: int
    target: PlanTarget | None = None  # None on the total line

    @property
    def percent(self) -> Decimal | None:
        if not self.planned:
            return None
        return (Decimal(self.done * 100) / self.planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def bar(self) -> int:
        """Width of the progress bar in %: overfulfilment fills it, no more."""
        return min(100, int(self.percent or 0))


@dataclass(frozen=True)
class PeriodElapsed:
    """How much of the plan's period has gone: months of a year (the current one counted as begun),
    days of a month. "时间过半、任务过半": the plan is on track when its done share keeps up."""

    passed: int
    total: int
    unit: str  # 个月 / 天

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.passed * 100) / self.total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PlanProgress:
    plan: InspectionPlan
    lines: list[LineProgress]
    total: LineProgress
    elapsed: PeriodElapsed

    @property
    def on_track(self) -> bool:
        return self.total.percent is None or self.total.percent >= self.elapsed.percent


def _elapsed(plan: InspectionPlan, today: dt.date) -> PeriodElapsed:
    start, end = plan_period(plan)
    if plan.month:
        total, unit = end.day, "天"
        passed = today.day if start <= today <= end else 0
    else:
        total, unit = 12, "个月"
        passed = today.month if start <= today <= end else 0
    if today > end:
        passed = total
    return PeriodElapsed(passed=passed, total=total, unit=unit)


def _target_filter(plan: InspectionPlan, target: PlanTarget) -> Q:
    """The visits that fulfil one line: by the plan's organiser, in its period, matching the line.

    Only the organising unit itself counts, not its subtree: a district plan would otherwise sweep
    in every department's and township's own work (they hang under the district), and one visit
    would count towards two units' plans. A task generated from the plan (plan_tasks_create) counts
    once it is completed, even when it was completed after the period.
    """
    start, end = plan_period(plan)
    match = Q(action__organizer_id=plan.organizer_id, action__date__gte=start, action__date__lte=end)
    return (match | Q(action__plan_id=plan.pk)) & _line_filter(target)


def _line_filter(target: PlanTarget) -> Q:
    """The records (of whichever action) that match one plan line's kind, township and sector."""
    match = Q()
    if target.kind_id:
        match &= Q(action__kind_id=target.kind_id)
    if target.township_id:
        match &= Q(enterprise__jurisdiction__path__startswith=target.township.path)
    if target.sector_id:
        # 工贸 takes in 机械, 冶金 …; a subquery, not a join, so a firm in two matching sectors
        # is still one visit and the other lines' counts are not multiplied.
        sectors = Sector.objects.filter(Q(pk=target.sector_id) | Q(parent_id=target.sector_id)).values("pk")
        match &= Q(enterprise__in=Enterprise.objects.filter(sectors__in=sectors).values("pk"))
    return match


def plans_progress(*, plans, today: dt.date | None = None) -> dict[int, PlanProgress]:
    """Done vs planned for each plan, every line of every plan counted in ONE aggregate query.

    "Done" is unit-visits (家次: inspection records) of inspections that happened (status 已完成);
    planned inspections and drafts do not count. Targets must be prefetched (plan_list does).
    Counts are figures about the plan's own organiser, so they are not narrowed by the reader's
    scope: whoever may see the plan may see that unit's inspections (action_list admits them).
    """
    today = today or timezone.localdate()
    plans = list(plans)
    lines = [(plan, target) for plan in plans for target in plan.targets.all()]
    done: dict[str, int] = {}
    if lines:
        periods = [plan_period(plan) for plan in plans]
        base = InspectionRecord.objects.filter(
            Q(
                action__organizer_id__in={plan.organizer_id for plan in plans},
                action__date__gte=min(p[0] for p in periods),
                action__date__lte=max(p[1] for p in periods),
            )
            | Q(action__plan_id__in=[plan.pk for plan in plans]),
            action__status=ActionStatus.DONE,
        )
        done = base.aggregate(
            **{f"t{target.pk}": Count("pk", filter=_target_filter(plan, target)) for plan, target in lines}
        )
    result = {}
    for plan in plans:
        rows = [
            LineProgress(planned=t.target_visits, done=done.get(f"t{t.pk}", 0), target=t)
            for t in plan.targets.all()
        ]
        # Lines may overlap (a sector line and a township line): the total adds the lines as they
        # are planned, so done and planned are summed the same way.
        total = LineProgress(planned=sum(r.planned for r in rows), done=sum(r.done for r in rows))
        result[plan.pk] = PlanProgress(plan=plan, lines=rows, total=total, elapsed=_elapsed(plan, today))
    return result


def plan_task_records(*, plan: InspectionPlan) -> QuerySet[InspectionRecord]:
    """The records of the tasks generated from the plan (planned or done), one per task, oldest first."""
    return (
        InspectionRecord.objects.filter(action__plan=plan)
        .select_related("action__kind", "action__organizer", "enterprise__jurisdiction")
        .order_by("action__pk", "pk")
    )


def plan_task_count(*, plan: InspectionPlan, target: PlanTarget) -> int:
    """How many of the plan's tasks (planned or done) already match one line."""
    return plan_task_records(plan=plan).filter(_line_filter(target)).count()


def plan_progress(*, plan: InspectionPlan, today: dt.date | None = None) -> PlanProgress:
    return plans_progress(plans=[plan], today=today)[plan.pk]


def plan_years(*, user: User) -> list[int]:
    """Years that have plans the user may see, and the current one, newest first."""
    years = set(restrict(InspectionPlan.objects.all(), user).values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)
