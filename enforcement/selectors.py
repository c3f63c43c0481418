"""Scoped reads of the cases and their figures. Every read passes through `accounts.scoping.restrict()`:
outside the user's scope a case does not exist (404).

The figures the summaries quote ("立案调查2454起，行政处罚143.35万余元"; "临时查封单位21家，责令三停单位12家";
"简易执法X起，处罚金额X千元"; "行政拘留*人") are functions of a user and a period, exact (Decimal yuan),
each ONE aggregate query.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.choices import OrgKind, Role
from accounts.models import OrgUnit, User
from accounts.scoping import get_object_in_scope, restrict
from campaigns.models import Activity
from campaigns.selectors_activities import activity_list
from hazards.models import Hazard

from .choices import (
    COUNTED_MEASURES,
    DEADLINE_WARNING_DAYS,
    FINAL_STATES,
    UNDECIDED_STATES,
    CaseProcedure,
    CaseState,
    ExtensionStatus,
    MeasureKind,
    PenaltyKind,
    PenaltyTarget,
)
from .models import Case, CaseEvent, CaseExtension, LegalArticle, Measure, Penalty
from .permissions import can_act_for_district

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


# ---------------------------------------------------------------- lists and records


def case_queryset(*, user: User, action: str = "view") -> QuerySet[Case]:
    return restrict(Case.objects.all(), user, action)


def case_list(*, user: User, filters: dict | None = None, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases this user may see, with what a list row shows, filtered by `filters` (see case_filter)."""
    queryset = restrict(Case.objects.all(), user).select_related("enterprise", "township", "handling_unit")
    return case_filter(queryset, filters or {}, today=today)


def overdue_q(today: dt.date) -> Q:
    """Past the limit and not decided: from the dates, right even before the nightly task has run."""
    return Q(state__in=UNDECIDED_STATES, deadline__lt=today)


def near_q(today: dt.date) -> Q:
    """Within 10 days of the limit (not past it) and not decided."""
    return Q(
        state__in=UNDECIDED_STATES,
        deadline__gte=today,
        deadline__lte=today + dt.timedelta(days=DEADLINE_WARNING_DAYS),
    )


def case_filter(queryset: QuerySet[Case], filters: dict, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Plain filters by key (values already parsed): state, handling_unit, township, sector, procedure,
    source, date_from / date_to (立案日期), deadline ("near" / "overdue" / "flagged"), enterprise,
    source_hazard, source_record, q (number, cause or enterprise)."""
    today = today or timezone.localdate()
    f = {k: v for k, v in filters.items() if v not in (None, "", [])}
    if "state" in f:
        states = f["state"] if isinstance(f["state"], list | tuple) else [f["state"]]
        queryset = queryset.filter(state__in=states)
    for key, lookup in (
        ("handling_unit", "handling_unit"),
        ("township", "township"),
        ("procedure", "procedure"),
        ("source", "source"),
        ("enterprise", "enterprise"),
        ("source_hazard", "source_hazard"),
        ("source_record", "source_record"),
    ):
        if key in f:
            queryset = queryset.filter(**{lookup: f[key]})
    if "date_from" in f:
        queryset = queryset.filter(opened_on__gte=f["date_from"])
    if "date_to" in f:
        queryset = queryset.filter(opened_on__lte=f["date_to"])
    if "sector" in f:
        sector = f["sector"]
        sector_id = getattr(sector, "pk", sector)
        from_sectors = Q(enterprise__sectors=sector_id) | Q(enterprise__sectors__parent=sector_id)
        queryset = queryset.filter(pk__in=Case.objects.filter(from_sectors).values("pk"))
    deadline = f.get("deadline")
    if deadline == "overdue":
        queryset = queryset.filter(overdue_q(today))
    elif deadline == "near":
        queryset = queryset.filter(near_q(today))
    elif deadline == "flagged":
        queryset = queryset.filter(overdue_q(today) | near_q(today))
    if "q" in f and str(f["q"]).strip():
        text = str(f["q"]).strip()
        queryset = queryset.filter(
            Q(number__icontains=text)
            | Q(cause__icontains=text)
            | Q(enterprise__name__icontains=text)
            | Q(enterprise__uscc__icontains=text.upper())
        )
    return queryset


def case_talks(*, user: User, case: Case) -> list[Activity]:
    """The 约谈 linked to the case that the user may open, newest first."""
    return list(activity_list(user=user).filter(cases=case).order_by("-date", "-pk"))


def case_linked_hazards(*, user: User, case: Case, limit: int = 20) -> list[Hazard]:
    """The hazard the case came from and those registered on its inspection record, that `user` sees."""
    hazards = Hazard.objects.none()
    if case.source_record_id:
        hazards = Hazard.objects.filter(inspection_record_id=case.source_record_id)
    if case.source_hazard_id:
        hazards = hazards | Hazard.objects.filter(pk=case.source_hazard_id)
    return list(restrict(hazards, user, "view").order_by("found_on", "pk")[:limit])


def case_get(*, user: User, pk: int, action: str = "view") -> Case:
    """One case with what its page shows, or 404 outside the user's scope."""
    return get_object_in_scope(
        Case.objects.select_related(
            "enterprise",
            "township",
            "jurisdiction",
            "handling_unit",
            "created_by",
            "source_record__action",
            "source_hazard",
            "campaign",
        ).prefetch_related(
            "articles",
            "officers",
            Prefetch("penalties", queryset=Penalty.objects.order_by("target", "pk")),
            Prefetch("measures", queryset=Measure.objects.order_by("start_on", "pk")),
        ),
        user,
        action,
        pk=pk,
    )


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("user", "measure", "extension").order_by("at", "pk")


def case_extensions(*, case: Case) -> QuerySet[CaseExtension]:
    return case.extensions.select_related("requested_by", "decided_by").order_by("-requested_at", "-pk")


def pending_extension(*, case: Case) -> CaseExtension | None:
    return case.extensions.filter(status=ExtensionStatus.PENDING).first()


def extension_get(*, case: Case, pk: int) -> CaseExtension:
    """An extension of a case already fetched in the user's scope; 404 if it is not that case's."""
    return get_object_or_404(CaseExtension.objects.select_related("case"), case=case, pk=pk)


def pending_extensions(*, user: User) -> QuerySet[CaseExtension]:
    """延期申请 waiting for the district office (its home page queue)."""
    return (
        CaseExtension.objects.filter(status=ExtensionStatus.PENDING, case__in=case_queryset(user=user))
        .select_related("case__enterprise", "case__handling_unit", "requested_by")
        .order_by("requested_at", "pk")
    )


def cases_to_handle(*, user: User) -> QuerySet[Case]:
    """A handler's work list: the active cases the user may work on — every one for the district office,
    the own unit's for a department, none for a township or a leader (they read) — nearest deadline first."""
    queryset = Case.objects.exclude(state__in=FINAL_STATES)
    if can_act_for_district(user):
        pass
    elif getattr(user, "role", None) == Role.DEPARTMENT and user.org_unit_id is not None:
        queryset = queryset.filter(handling_unit_id=user.org_unit_id)
    else:
        return queryset.none()
    return queryset.select_related("enterprise", "handling_unit").order_by(
        F("deadline").asc(nulls_last=True), "opened_on", "pk"
    )


def cases_for_enterprise(*, user: User, enterprise) -> QuerySet[Case]:
    return case_list(user=user).filter(enterprise=enterprise)


def cases_for_hazard(*, user: User, hazard) -> QuerySet[Case]:
    return case_list(user=user).filter(source_hazard=hazard)


def cases_for_record(*, user: User, record) -> QuerySet[Case]:
    return case_list(user=user).filter(source_record=record)


def legal_articles_active() -> QuerySet[LegalArticle]:
    return LegalArticle.objects.filter(is_active=True).order_by("order", "pk")


def handling_units() -> QuerySet[OrgUnit]:
    """Units that handle cases: the district office and the departments (for the list filter)."""
    return OrgUnit.objects.filter(kind__in=[OrgKind.DISTRICT, OrgKind.DEPARTMENT], is_active=True).order_by(
        "order", "path"
    )


# ---------------------------------------------------------------- figures (one query each)


def _scoped(user: User) -> QuerySet[Case]:
    return restrict(Case.objects.all(), user).order_by()


def cases_opened(*, user: User, date_from: dt.date, date_to: dt.date) -> int:
    """立案 cases opened (立案日期) in the period: "立案调查2454起"."""
    return _scoped(user).filter(opened_on__gte=date_from, opened_on__lte=date_to).count()


def fines_decided(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[str, Decimal]:
    """罚款 decided (处罚决定日期 in the period), yuan, exact: on units, on persons (一案双罚), and total.
    Counts 罚款 only (没收违法所得 is not a fine); cases ended as 不予处罚/移送 have no decision."""
    scoped = _scoped(user).filter(decided_on__gte=date_from, decided_on__lte=date_to)
    sums = Penalty.objects.filter(case__in=scoped.values("pk"), kind=PenaltyKind.FINE).aggregate(
        unit=Coalesce(Sum("amount", filter=Q(target=PenaltyTarget.UNIT)), Value(ZERO), output_field=_MONEY),
        person=Coalesce(
            Sum("amount", filter=Q(target=PenaltyTarget.PERSON)), Value(ZERO), output_field=_MONEY
        ),
    )
    unit, person = Decimal(sums["unit"]), Decimal(sums["person"])
    return {"unit": unit, "person": person, "total": unit + person}


# What puts an enterprise under each counted measure: the measure itself, or the matching penalty of
# a decision (责令停产停业整顿 is also 停产整顿; 关闭 is also 关闭取缔), so an officer who recorded it either
# way is counted once.
MEASURE_CONDITIONS = {
    MeasureKind.SUSPENSION: Q(measures__kind=MeasureKind.SUSPENSION)
    | Q(penalties__kind=PenaltyKind.SUSPENSION),
    MeasureKind.SEAL: Q(measures__kind=MeasureKind.SEAL),
    MeasureKind.THREE_STOPS: Q(measures__kind=MeasureKind.THREE_STOPS),
    MeasureKind.CLOSURE: Q(measures__kind=MeasureKind.CLOSURE) | Q(penalties__kind=PenaltyKind.CLOSURE),
}


def enterprises_with_measures(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Distinct enterprises (家) with a 停产整顿 / 临时查封 / 责令三停 / 关闭取缔 measure on cases opened in the
    period, by measure kind: "临时查封单位21家，责令三停单位12家", "停产整顿*家，关闭取缔*家". One query."""
    scoped = _scoped(user).filter(opened_on__gte=date_from, opened_on__lte=date_to)
    rows = scoped.aggregate(
        **{
            str(kind): Count("enterprise", filter=condition, distinct=True)
            for kind, condition in MEASURE_CONDITIONS.items()
        }
    )
    return {str(kind): rows[str(kind)] for kind in COUNTED_MEASURES}


def enforcement_counts(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """The case counts of the summaries, one query: opened (起) and their enterprises (家) by 立案日期, by
    procedure; decisions (cases decided in the period: "行政处罚X起/家"), of which 一案双罚 (penalties on the
    unit and on the person); cases ended in the period as 结案 / 不予处罚 / 移送."""
    opened = Q(opened_on__gte=date_from, opened_on__lte=date_to)
    decided = Q(decided_on__gte=date_from, decided_on__lte=date_to)
    ended = Q(closed_on__gte=date_from, closed_on__lte=date_to)
    on_person = Penalty.objects.filter(target=PenaltyTarget.PERSON).values("case_id")
    on_unit = Penalty.objects.filter(target=PenaltyTarget.UNIT).values("case_id")
    return _scoped(user).aggregate(
        opened=Count("pk", filter=opened),
        enterprises=Count("enterprise", filter=opened, distinct=True),
        simple_opened=Count("pk", filter=opened & Q(procedure=CaseProcedure.SIMPLE)),
        general_opened=Count("pk", filter=opened & Q(procedure=CaseProcedure.GENERAL)),
        decided=Count("pk", filter=decided),
        decided_enterprises=Count("enterprise", filter=decided, distinct=True),
        double_penalty=Count("pk", filter=decided & Q(pk__in=on_person) & Q(pk__in=on_unit)),
        closed=Count("pk", filter=ended & Q(state=CaseState.CLOSED)),
        no_penalty=Count("pk", filter=ended & Q(state=CaseState.NO_PENALTY)),
        transferred=Count("pk", filter=ended & Q(state=CaseState.TRANSFERRED)),
    )


def simple_procedure_figures(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[str, object]:
    """简易执法X起，处罚金额X千元: simple-procedure cases opened in the period, and the fines decided on
    simple-procedure cases in the period (Decimal yuan). One query (cases joined to their penalties)."""
    simple = Q(procedure=CaseProcedure.SIMPLE)
    figures = _scoped(user).aggregate(
        cases=Count("pk", filter=simple & Q(opened_on__gte=date_from, opened_on__lte=date_to), distinct=True),
        fines=Coalesce(
            Sum(
                "penalties__amount",
                filter=simple
                & Q(decided_on__gte=date_from, decided_on__lte=date_to, penalties__kind=PenaltyKind.FINE),
            ),
            Value(ZERO),
            output_field=_MONEY,
        ),
    )
    return {"cases": figures["cases"], "fines": Decimal(figures["fines"])}


def persons_detained(*, user: User, date_from: dt.date, date_to: dt.date) -> int:
    """行政拘留*人: persons in 移送公安（行政拘留） measures started in the period. One query."""
    total = Measure.objects.filter(
        kind=MeasureKind.POLICE,
        start_on__gte=date_from,
        start_on__lte=date_to,
        case__in=_scoped(user).values("pk"),
    ).aggregate(total=Sum("persons"))["total"]
    return int(total or 0)


def deadline_counts(*, user: User, today: dt.date | None = None) -> dict[str, int]:
    """Undecided cases past the limit and within 10 days of it, in the user's scope (one query)."""
    today = today or timezone.localdate()
    # Both figures are of undecided cases: read only those, off the (state, deadline) index, counting a
    # column of that index so no case's row is visited (issue 15: 70 ms → a few at 100k cases).
    undecided = _scoped(user).filter(state__in=UNDECIDED_STATES).order_by()
    return undecided.aggregate(
        overdue=Count("state", filter=overdue_q(today)),
        near=Count("state", filter=near_q(today)),
    )
