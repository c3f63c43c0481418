"""Scoped reads of the hazard ledger and its figures. The reports reuse `hazard_figures` as metrics."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TOWNSHIP_KINDS, OrgKind, Role
from accounts.models import OrgUnit, Sector, User
from accounts.scoping import get_object_in_scope, restrict
from campaigns.models import Activity
from campaigns.selectors_activities import activity_list
from core.tallies import exact_count, group_tally_tests
from inspections.models import CheckResult, InspectionRecord
from inspections.selectors import record_list

from .choices import ACTIVE_STATES, ExtensionStatus, HazardLevel, HazardState
from .models import (
    DeadlineExtension,
    Hazard,
    HazardCategory,
    HazardDayTally,
    HazardEvent,
    HazardPhoto,
    HazardTally,
    Rectification,
    RectificationPhoto,
)


def hazard_list(*, user: User, action: str = "view") -> QuerySet[Hazard]:
    return restrict(Hazard.objects.all(), user, action).select_related(
        "enterprise", "township", "responsible_unit", "category"
    )


def hazard_talks(*, user: User, hazard: Hazard) -> list[Activity]:
    """The 约谈 linked to the hazard that the user may open, newest first."""
    return list(activity_list(user=user).filter(hazards=hazard).order_by("-date", "-pk"))


def hazard_get(*, user: User, pk: int) -> Hazard:
    return get_object_in_scope(
        Hazard.objects.select_related(
            "enterprise",
            "township",
            "jurisdiction",
            "responsible_unit",
            "supervising_department",
            "category",
            "created_by",
            "inspection_record__action",
            "check_result__item",
            "campaign",
        ),
        user,
        "view",
        pk=pk,
    )


def overdue_q(today: dt.date) -> Q:
    """Overdue = deadline passed and not closed (nor void). Computed from dates, so a figure is right
    even before the nightly job has flagged the hazard."""
    return Q(state__in=ACTIVE_STATES, deadline__lt=today)


def five_incomplete_q() -> Q:
    """A 重大 hazard whose 五落实 is not complete (整改期限 is always there): 五落实待补充."""
    return Q(level=HazardLevel.MAJOR) & (
        Q(responsible_person="") | Q(measures="") | Q(funds__isnull=True) | Q(contingency_plan="")
    )


def five_missing(hazard: Hazard) -> list[str]:
    """Which of the 五落实 a 重大 hazard still lacks, in the users' words; [] when complete or not major."""
    if hazard.level != HazardLevel.MAJOR:
        return []
    checks = (
        (_("整改责任人"), hazard.responsible_person.strip()),
        (_("整改措施"), hazard.measures.strip()),
        (_("整改资金"), hazard.funds),
        (_("应急预案"), hazard.contingency_plan.strip()),
    )
    return [label for label, value in checks if value in ("", None)]


def rectification_rate(found: int, rectified: int) -> Decimal | None:
    """整改率 = rectified ÷ found × 100, one decimal; None (shown "—") when nothing was found."""
    if not found:
        return None
    return (Decimal(rectified) * 100 / Decimal(found)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hazard_figures(queryset: QuerySet[Hazard], *, today: dt.date | None = None) -> dict:
    """found / rectified / rate / major / listed / overdue of a (scoped, filtered) ledger, in one query.

    Voided entries were entered in error: they are in no count.
    """
    today = today or timezone.localdate()
    counted = queryset.exclude(state=HazardState.VOID).order_by()
    # No DISTINCT: the scoping rule and the list's filters (sector, campaign …) are subqueries, never
    # joins, so each hazard is one row already; a distinct count would sort the ledger once per figure
    # (issue 15: 170 → about 75 ms at 300k hazards).
    figures = counted.aggregate(
        found=Count("pk"),
        rectified=Count("pk", filter=Q(state=HazardState.CLOSED)),
        major=Count("pk", filter=Q(level=HazardLevel.MAJOR)),
        listed=Count("pk", filter=~Q(listing_level="")),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    figures["rate"] = rectification_rate(figures["found"], figures["rectified"])
    return figures


def ledger_figures(queryset: QuerySet[Hazard], *, today: dt.date | None = None) -> tuple[dict, int]:
    """The ledger page's figures (exactly hazard_figures') and its row count (voided entries included, as the
    list shows them), read so that no step walks a city's closed hazards row by row.

    Most of a ledger is closed, so: the rows count once (an index-only COUNT, which the page's paginator
    reuses); every figure about the open, rectifying, verifying and void rows comes off the partial index of
    the not-closed rows (hazard_not_closed); the closed major and the closed listed ones off their own partial
    indexes (hazard_major, hazard_listed). 销号 = all − void − active: the five states are the only ones.
    At 2M hazards this is 4 small index-only reads instead of one 1 s pass over the table (issue 15).
    """
    today = today or timezone.localdate()
    rows = queryset.order_by()
    tallied = _tallied_figures(rows, today)
    if tallied is not None:
        return tallied
    total = exact_count(rows)
    void = Q(state=HazardState.VOID)
    # Counting `state` (never null), not the id: the id is not in the index, and reading it would visit
    # every row.
    not_closed = rows.exclude(state=HazardState.CLOSED).aggregate(
        void=Count("state", filter=void),
        active=Count("state", filter=Q(state__in=ACTIVE_STATES)),
        overdue=Count("state", filter=overdue_q(today)),
        major=Count("state", filter=~void & Q(level=HazardLevel.MAJOR)),
        listed=Count("state", filter=~void & ~Q(listing_level="")),
    )
    closed = rows.filter(state=HazardState.CLOSED)
    found = total - not_closed["void"]
    figures = {
        "found": found,
        "rectified": found - not_closed["active"],
        "major": not_closed["major"] + closed.filter(level=HazardLevel.MAJOR).count(),
        "listed": not_closed["listed"] + closed.exclude(listing_level="").count(),
        "overdue": not_closed["overdue"],
    }
    figures["rate"] = rectification_rate(figures["found"], figures["rectified"])
    return figures, total


def _tallied_figures(rows: QuerySet[Hazard], today: dt.date) -> tuple[dict, int] | None:
    """ledger_figures off the group tally (HazardTally), when the list is the whole district's or narrowed only
    by township and state: a sum over a few hundred tally rows instead of counting a city's hazards.

    The overdue figure depends on today's date. The tally knows the nightly sweep's flag; the active hazards
    whose flag is behind today (deadline passed since the last sweep, or flagged and since extended) are
    counted off their two small indexes and corrected for, so the figure is exact whenever it is read.
    """
    tests = group_tally_tests(HazardTally, rows)
    if tests is None:
        return None
    total = void = active = flagged = major = listed = 0
    # Summed per group here, not by six FILTERed SUMs in SQL: the groups are a few dozen rows, and the ORM
    # took longer to write that query than Postgres to run it.
    groups = (
        HazardTally.objects.filter(**tests)
        .values_list("state", "level", "listed", "overdue")
        .annotate(n=Sum("rows"))
        .order_by()
    )
    for state, level, is_listed, overdue, n in groups:
        total += n
        if state == HazardState.VOID:
            void += n
            continue
        major += n if level == HazardLevel.MAJOR else 0
        listed += n if is_listed else 0
        if state in ACTIVE_STATES:
            active += n
            flagged += n if overdue else 0
    found = total - void
    figures = {
        "found": found,
        "rectified": found - active,
        "major": major,
        "listed": listed,
        "overdue": flagged + _overdue_behind(tests, today),
    }
    figures["rate"] = rectification_rate(figures["found"], figures["rectified"])
    return figures, total


def _overdue_behind(tests: dict, today: dt.date) -> int:
    """Overdue today minus flagged overdue, among the hazards matching `tests` (township, state)."""
    state = tests.get("state")
    if state is not None and state not in ACTIVE_STATES:
        return 0
    # The state is counted, not filtered on: with `state = …` in the WHERE the planner walks that state's
    # whole index rather than the flag's small one.
    counted = Count("state", filter=Q(state=state)) if state is not None else Count("state")
    active = Hazard.objects.filter(
        state__in=ACTIVE_STATES, **{k: v for k, v in tests.items() if k != "state"}
    )
    newly = active.filter(is_overdue=False, deadline__lt=today).aggregate(n=counted)["n"]
    extended = active.filter(is_overdue=True, deadline__gte=today).aggregate(n=counted)["n"]
    return newly - extended


def ledger_seek(queryset: QuerySet[Hazard], offset: int) -> tuple[QuerySet[Hazard], int] | None:
    """Where row `offset` of the whole ledger (newest found first) lies, off the per-day tally: the ledger from
    that day back, and how many of its rows to skip (at most a day's). A deep page then skips a few hundred
    index entries instead of walking a city's million (core.paging's `seek`). None for any narrowed list or
    another order: those skip with OFFSET."""
    query = queryset.query
    ordering = tuple(query.order_by or (Hazard._meta.ordering if query.default_ordering else ()))
    if ordering not in (("-found_on", "-pk"), ("-found_on", "-id")):
        return None
    if group_tally_tests(HazardDayTally, queryset) != {}:
        return None
    before = 0
    days = HazardDayTally.objects.values_list("found_on").annotate(n=Sum("rows")).order_by("-found_on")
    for day, n in days:
        if before + n > offset:
            return queryset.filter(found_on__lte=day), offset - before
        before += n
    return None


def hazards_to_follow(*, user: User, today: dt.date | None = None) -> QuerySet[Hazard]:
    """A unit's work list: its open hazards, overdue first, then due within 3 days, then the rest.

    A department sees every hazard of its sectors in the ledger, but its work list is the ones it
    follows itself; those a township follows are on the township's list.
    """
    today = today or timezone.localdate()
    hazards = hazard_list(user=user, action="change")
    if user.role == Role.DEPARTMENT:
        hazards = hazards.filter(responsible_unit=user.org_unit_id)
    return (
        hazards.filter(state__in=ACTIVE_STATES)
        .annotate(
            urgency=Case(
                When(deadline__lt=today, then=Value(0)),
                When(deadline__lte=today + dt.timedelta(days=3), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", "deadline", "pk")
    )


def verification_queue(*, user: User) -> QuerySet[Hazard]:
    """待复查: rectifications reported and waiting for the officer's pass or fail. A department does not
    verify what it follows itself (permissions.can_verify), so those are not in its queue."""
    queue = hazard_list(user=user, action="change").filter(state=HazardState.VERIFYING)
    if user.role == Role.DEPARTMENT:
        queue = queue.exclude(responsible_unit_id=user.org_unit_id)
    return queue.order_by("updated")


def pending_extensions(*, user: User) -> QuerySet[DeadlineExtension]:
    hazards = restrict(Hazard.objects.all(), user, "change").values("pk")
    return (
        DeadlineExtension.objects.filter(status=ExtensionStatus.PENDING, hazard__in=hazards)
        .select_related("hazard__enterprise", "requested_by")
        .order_by("requested_at")
    )


def photos_in_order() -> QuerySet[RectificationPhoto]:
    """整改前 before 整改后 ("before" > "after"), each in upload order."""
    return RectificationPhoto.objects.order_by("-stage", "pk")


def hazard_timeline(*, hazard: Hazard) -> QuerySet[HazardEvent]:
    return hazard.events.select_related("user", "rectification", "extension").prefetch_related(
        Prefetch("rectification__photos", queryset=photos_in_order())
    )


def listed_hazards(*, user: User) -> QuerySet[Hazard]:
    """挂牌督办 page: every listed hazard in scope, still-listed first."""
    return (
        hazard_list(user=user)
        .exclude(listing_level="")
        .order_by(Case(When(delisted_on__isnull=True, then=Value(0)), default=Value(1)), "listed_on")
    )


def enterprise_hazards(*, user: User, enterprise, today: dt.date | None = None) -> QuerySet[Hazard]:
    """An enterprise's hazards for its page: open ones first (overdue first, then by deadline), then the
    closed and voided, newest first; each with `overdue_now`. Only those the user may see."""
    today = today or timezone.localdate()
    rows = annotate_overdue(hazard_list(user=user).filter(enterprise=enterprise), today=today)
    return rows.annotate(
        closed_rank=Case(When(state__in=ACTIVE_STATES, then=Value(0)), default=Value(1)),
        overdue_rank=Case(When(overdue_q(today), then=Value(0)), default=Value(1)),
    ).order_by(
        "closed_rank",
        "overdue_rank",
        Case(When(state__in=ACTIVE_STATES, then="deadline")),
        "-found_on",
        "-pk",
    )


def enterprise_hazard_counts(*, user: User, enterprise, today: dt.date | None = None) -> dict[str, int]:
    """total / open / overdue of an enterprise's hazards the user may see, in one query."""
    today = today or timezone.localdate()
    return (
        hazard_list(user=user)
        .filter(enterprise=enterprise)
        .order_by()
        .aggregate(
            total=Count("pk"),
            open=Count("pk", filter=Q(state__in=ACTIVE_STATES)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    )


def hazards_found_on_leader_led(*, user: User, start: dt.date, end: dt.date) -> dict[str, int]:
    """“区级领导共带队检查367次，共发现隐患512个”: hazards found on leader-led inspections of a period
    (by the inspection's date), and how many of them are closed — one aggregate query."""
    found = (
        restrict(Hazard.objects.all(), user)
        .exclude(state=HazardState.VOID)
        .filter(
            inspection_record__action__is_leader_led=True,
            inspection_record__action__date__gte=start,
            inspection_record__action__date__lte=end,
        )
        .order_by()
    )
    return found.aggregate(found=Count("pk"), rectified=Count("pk", filter=Q(state=HazardState.CLOSED)))


# ---------------------------------------------------------------- pages (hazards/views.py)


def annotate_overdue(queryset: QuerySet[Hazard], *, today: dt.date | None = None) -> QuerySet[Hazard]:
    """`overdue_now` on each row, by the same rule as the figures, so a badge never disagrees with a count."""
    today = today or timezone.localdate()
    return queryset.annotate(overdue_now=ExpressionWrapper(overdue_q(today), output_field=BooleanField()))


def ledger_rows(queryset: QuerySet[Hazard]) -> QuerySet[Hazard]:
    """What a ledger row shows beyond its fields: the 逾期 and 五落实待补充 badges."""
    return annotate_five(annotate_overdue(queryset))


# What the hazard list API shows of a row and its related records, as plain values (HazardSerializer).
API_ROW_FIELDS = (
    "id", "number", "source", "level", "description", "location", "found_on", "deadline",
    "responsible_person", "state", "closed_on", "is_overdue", "overdue_since", "listing_level",
    "listed_on", "delisted_on", "campaign_id", "measures", "funds", "contingency_plan",
    "enterprise_id", "enterprise__name", "enterprise__uscc",
    "township_id", "township__name", "township__kind",
    "responsible_unit_id", "responsible_unit__name", "responsible_unit__kind",
    "category_id", "category__code", "category__name", "category__order", "category__is_active",
)  # fmt: skip


@cache
def _api_row_values() -> tuple[QuerySet, QuerySet]:
    """The ORM's two queries of `api_rows` (the rows, the sector links in the sectors' order), built once per
    process and narrowed to a page's ids per call: resolving the 35 fields' paths and joins took the ORM
    longer than the database took to run the query (issue 15)."""
    links = Hazard.sectors.through.objects.order_by(*(f"sector__{name}" for name in Sector._meta.ordering))
    return Hazard.objects.order_by().values(*API_ROW_FIELDS), links


@cache
def _api_rows_sql() -> tuple[str, list[str]]:
    """The Postgres query of `api_rows` as the ORM writes it, each row with its sectors' ids (an ARRAY
    subquery), compiled once, with the page's ids as one array parameter (`id = ANY(%s)`): compiling 36
    columns, four joins and the sector subquery on every call cost more than running it. Its columns are the
    values() names, in the order the ORM selects them."""
    rows, links = _api_row_values()
    sector_ids = ArraySubquery(links.filter(hazard_id=OuterRef("pk")).values("sector_id"))
    query = rows.annotate(sector_ids=sector_ids).filter(pk=0).query
    sql, params = query.sql_with_params()
    test = f"{connection.ops.quote_name(Hazard._meta.db_table)}.{connection.ops.quote_name('id')} = %s"
    if sql.count(test) != 1 or list(params) != [0]:
        raise RuntimeError(f"api_rows: unexpected SQL {sql!r}")
    columns = [*query.values_select, *query.annotation_select]
    return sql.replace(test, test.replace("= %s", "= ANY(%s)")), columns


def api_rows(ids: list[int], *, vendor: str | None = None) -> list[dict]:
    """The hazard list API's rows of these ids (already scoped and filtered by the list), as dicts with
    their sectors' ids under "sector_ids", and no model instance: a 50-row page built as Hazard objects with
    five related objects each was most of the request at city scale (issue 15). `vendor`: which of the two
    ways to read them (the database's own by default; the tests compare both)."""
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        sql, columns = _api_rows_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(ids)])
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    row_values, links = _api_row_values()
    rows = list(row_values.filter(pk__in=ids))
    sectors: dict[int, list[int]] = {row["id"]: [] for row in rows}
    for hazard_id, sector_id in links.filter(hazard_id__in=ids).values_list("hazard_id", "sector_id"):
        sectors[hazard_id].append(sector_id)
    for row in rows:
        row["sector_ids"] = sectors[row["id"]]
    return rows


def annotate_five(queryset: QuerySet[Hazard]) -> QuerySet[Hazard]:
    """`five_incomplete` on each row (五落实待补充), by the same rule as the ledger's filter."""
    return queryset.annotate(
        five_incomplete=ExpressionWrapper(five_incomplete_q(), output_field=BooleanField())
    )


def responsible_units() -> QuerySet[OrgUnit]:
    """Units that may follow a hazard: the townships, the departments and the district office."""
    kinds = [*TOWNSHIP_KINDS, OrgKind.DEPARTMENT, OrgKind.DISTRICT]
    return OrgUnit.objects.filter(kind__in=kinds, is_active=True).order_by("path")


def categories_active() -> QuerySet[HazardCategory]:
    return HazardCategory.objects.filter(is_active=True)


def rectification_photo_get(*, user: User, pk: int) -> RectificationPhoto:
    """A rectification photo whose hazard the user may view; 404 otherwise (never a bare /media/ link)."""
    visible = restrict(Hazard.objects.all(), user).values("pk")
    return get_object_or_404(RectificationPhoto.objects.filter(rectification__hazard__in=visible), pk=pk)


def hazard_photo_get(*, user: User, pk: int) -> HazardPhoto:
    """A photo of a hazard as found, if the user may view the hazard; 404 otherwise."""
    visible = restrict(Hazard.objects.all(), user).values("pk")
    return get_object_or_404(HazardPhoto.objects.filter(hazard__in=visible), pk=pk)


def check_result_get(*, user: User, pk: int) -> CheckResult:
    """A check result on an inspection record the user may view; 404 otherwise."""
    records = record_list(user=user).values("pk")
    return get_object_or_404(
        CheckResult.objects.select_related(
            "item", "record__action", "record__enterprise__jurisdiction"
        ).filter(record__in=records),
        pk=pk,
    )


def extension_get(*, hazard: Hazard, pk: int) -> DeadlineExtension:
    """An extension of this hazard only: a form can never reach another hazard's request."""
    return get_object_or_404(hazard.extensions.select_related("requested_by"), pk=pk)


def verification_rows(*, user: User) -> QuerySet[Hazard]:
    """The 待复查 queue with each hazard's rectification entries and photos as `entries`, oldest first
    (two queries more, not one per row): the last one's photos stand beside the pass/fail buttons."""
    entries = Rectification.objects.select_related("created_by").prefetch_related(
        Prefetch("photos", queryset=photos_in_order())
    )
    return verification_queue(user=user).prefetch_related(
        Prefetch("rectifications", queryset=entries, to_attr="entries")
    )


def latest_rectification(*, hazard: Hazard) -> Rectification | None:
    """The entry the 复查 is about: the last one logged, with its photos (整改前 first)."""
    return (
        hazard.rectifications.select_related("created_by")
        .prefetch_related(Prefetch("photos", queryset=photos_in_order()))
        .order_by("-created", "-pk")
        .first()
    )


def hazard_verifiers(hazard: Hazard) -> str:
    """Who will 复查 this hazard, by name: the district office, and the departments that supervise it
    (its supervising department, those of its sectors) unless one follows the hazard itself — nobody
    signs off their own work (permissions.can_verify)."""
    sectors = hazard.sectors.values_list("pk", "parent_id")
    sector_ids = {pk for pair in sectors for pk in pair if pk is not None}
    departments = (
        OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True)
        .filter(Q(pk=hazard.supervising_department_id) | Q(supervised_sectors__in=sector_ids))
        .exclude(pk=hazard.responsible_unit_id)
        .distinct()
        .order_by("path")
    )
    office = _("区安委办/应急局")
    names = "、".join(unit.name for unit in departments)
    if names:
        return _("%(office)s或%(departments)s") % {"office": office, "departments": names}
    return office


def check_result_hazard(result: CheckResult) -> Hazard | None:
    """The live hazard registered from a check result (登记为隐患), if any: a voided one frees it."""
    return result.hazards.exclude(state=HazardState.VOID).first()


def record_hazards(*, record: InspectionRecord) -> dict[int, list[Hazard]]:
    """The hazards registered from each check result of an inspection record (result id → hazards,
    voided ones included, shown as such), in one query: the record page's hazard panel."""
    by_result: dict[int, list[Hazard]] = {}
    hazards = Hazard.objects.filter(check_result__record=record).only(
        "pk", "number", "state", "check_result_id"
    )
    for hazard in hazards:
        by_result.setdefault(hazard.check_result_id, []).append(hazard)
    return by_result


def action_hazards(*, user: User, action) -> QuerySet[Hazard]:
    """The hazards an inspection action produced (from any of its records) that the user may view:
    the action page's hazard panel."""
    return (
        hazard_list(user=user)
        .filter(inspection_record__action=action)
        .order_by("number")
        .select_related("check_result__item")
    )
