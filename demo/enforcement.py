"""seed_demo step: a year of 行政执法 cases, opened from the demo's hazards and inspections.

Every major hazard is put on file (一般程序, heavier fines, 临时查封 / 责令三停 / 停产整顿 and now and then
关闭取缔), so is every hazard left overdue, and a sample of the others — some 简易程序 (警告 or a small fine on
the spot), most 一般程序 with 调查取证, 告知 (sometimes 听证), 决定 (罚款 in yuan, 一案双罚 on the person
responsible in about half), 执行 and 结案; a few end 不予处罚 or 移送. Each case is walked through the real
services (numbering, timeline; no history rows — nobody entered them), in 立案 order, stopping where today falls, so the recent ones are
still in progress; one or two are left past their 90-day limit and one has an approved extension. The
timeline's times are then put back on the days the steps happened. Fire cases go to the 消防 department,
construction cases to 住建, the rest to 应急.

Two 执法文书 are issued through the documents service (number, PDF, lock): printing every document of a
year with WeasyPrint would make the demo slow (about a second each), so only a 责令限期整改指令书 and a
简易程序 行政处罚决定书 are (see docs/manual.md). The texts are in demo/data/enforcement.json.
"""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Notification, NumberSequence, OrgUnit, User
from enforcement import services
from enforcement.choices import (
    CaseProcedure,
    CaseSource,
    CaseState,
    MeasureKind,
    PenaltyKind,
    PenaltyTarget,
    StopKind,
)
from enforcement.models import (
    Case,
    CaseEvent,
    CaseExtension,
    Document,
    DocumentKind,
    DocumentPdf,
    LegalArticle,
    Measure,
    Penalty,
)
from enforcement.numbering import SERIES_PREFIX
from hazards.choices import HazardLevel, HazardSource
from hazards.models import Hazard

from .district import DemoContext
from .tables import load

SAMPLE_SHARE = 0.07  # of the other hazards, the share put on file
SIMPLE_SHARE = 0.35  # of those, decided on the spot (简易程序)
CAMPAIGN_SHARE = (
    0.5  # of the hazards found on a campaign's inspections (not otherwise on file), the share put on file
)
DOUBLE_SHARE = 0.45  # 一案双罚 among general-procedure decisions


def _table() -> dict:
    return load("enforcement")


@contextmanager
def _history_paused() -> Iterator[None]:
    """No history rows for the demo's own cases (nobody entered them), as the hazards step does: half the
    writes of each service call. The timeline (CaseEvent) is written as usual."""
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


@dataclass
class Plan:
    """A case to open: from which hazard, when, by whom, and how its story goes."""

    hazard: Hazard
    kind: str  # "major", "overdue" or the hazard's category
    opened_on: dt.date
    procedure: str
    unit: OrgUnit
    handler: User
    from_record: bool = False
    case: Case | None = None
    stamps: list[dt.date] = field(default_factory=list)  # one per event the services write, in order


# ---------------------------------------------------------------- who handles what


def _units(context: DemoContext) -> tuple[dict[str, OrgUnit], dict[int, User]]:
    """The handling units (应急, 住建, 消防) and a handler for each: the named users first."""
    units = {
        short: context.departments[short]
        for short in ("应急", "住建", "消防")
        if short in context.departments
    }
    handlers: dict[int, User] = {}
    officer = context.users["officer"]
    for user in context.users.values():
        if user.role == Role.DEPARTMENT and user.is_active:
            handlers.setdefault(user.org_unit_id, user)
    if "department" in context.users:  # 王志强 of 住建, the demo's named department user
        handlers[context.users["department"].org_unit_id] = context.users["department"]
    handlers[units["应急"].pk] = officer  # the district office's officer works for 应急
    return units, handlers


def _unit_for(hazard: Hazard, codes: set[str], units: dict[str, OrgUnit]) -> OrgUnit:
    category = hazard.category.code if hazard.category_id else ""
    if category == "fire" and "消防" in units:
        return units["消防"]
    if (category == "construction" or "construction" in codes) and "住建" in units:
        return units["住建"]
    return units["应急"]


# ---------------------------------------------------------------- which hazards


def _plans(rng: random.Random, context: DemoContext, today: dt.date) -> list[Plan]:
    units, handlers = _units(context)
    hazards = list(
        Hazard.objects.filter(jurisdiction__path__startswith=context.district.path)
        # The campaign and the inspection's action: a case inherits the campaign of its hazard / record.
        .select_related("category", "enterprise", "campaign", "inspection_record__action__campaign")
        .order_by("found_on", "pk")
    )
    sector_codes: dict[int, set[str]] = {}
    through = Hazard.sectors.through.objects.filter(
        hazard__jurisdiction__path__startswith=context.district.path
    )
    for hazard_id, code in through.values_list("hazard_id", "sector__code"):
        sector_codes.setdefault(hazard_id, set()).add(code)
    plans = []
    for hazard in hazards:
        if hazard.level == HazardLevel.MAJOR:
            kind, opened = "major", hazard.found_on + dt.timedelta(days=rng.randint(1, 6))
        elif hazard.is_overdue:
            kind, opened = "overdue", hazard.deadline + dt.timedelta(days=rng.randint(3, 15))
        elif rng.random() < SAMPLE_SHARE:
            kind = hazard.category.code if hazard.category_id else "management"
            opened = hazard.found_on + dt.timedelta(days=rng.randint(0, 7))
        elif hazard.campaign_id and rng.random() < CAMPAIGN_SHARE:
            # A campaign's inspections are enforcement-heavy: cases opened while it runs, so they count
            # for it (a case inherits its hazard's campaign when opened within it).
            kind = hazard.category.code if hazard.category_id else "management"
            opened = min(hazard.found_on + dt.timedelta(days=rng.randint(0, 5)), hazard.campaign.end_on)
        else:
            continue
        if opened > today:
            continue
        simple = kind not in ("major", "overdue") and rng.random() < SIMPLE_SHARE
        unit = _unit_for(hazard, sector_codes.get(hazard.pk, set()), units)
        plans.append(
            Plan(
                hazard=hazard,
                kind=kind,
                opened_on=hazard.found_on if simple else opened,
                procedure=CaseProcedure.SIMPLE if simple else CaseProcedure.GENERAL,
                unit=unit,
                handler=handlers.get(unit.pk, context.users["officer"]),
                from_record=hazard.source == HazardSource.INSPECTION
                and hazard.inspection_record_id is not None
                and rng.random() < 0.5,
            )
        )
    plans.sort(key=lambda p: (p.opened_on, p.hazard.pk))  # numbers run as the cases were opened
    return plans


# ---------------------------------------------------------------- a case's story


def _cause(rng: random.Random, kind: str) -> tuple[str, list[str]]:
    causes = _table()["causes"]
    cause, articles = rng.choice(causes.get(kind) or causes["management"])
    return cause, articles


def _yuan(rng: random.Random, key: str) -> Decimal:
    return Decimal(rng.choice(_table()[key])).quantize(Decimal("0.01"))


def _person(rng: random.Random, hazard: Hazard) -> tuple[str, str]:
    name = (hazard.enterprise.contact_person or "").strip() or hazard.responsible_person or "张某"
    return name[:50], rng.choice(_table()["person_titles"])


def _penalties(rng: random.Random, plan: Plan) -> list[services.PenaltyData]:
    unit = PenaltyTarget.UNIT
    if plan.procedure == CaseProcedure.SIMPLE:
        if rng.random() < 0.4:
            return [services.PenaltyData(target=unit, kind=PenaltyKind.WARNING)]
        return [services.PenaltyData(target=unit, kind=PenaltyKind.FINE, amount=_yuan(rng, "simple_fines"))]
    major = plan.kind == "major"
    penalties = [
        services.PenaltyData(
            target=unit, kind=PenaltyKind.FINE, amount=_yuan(rng, "major_fines" if major else "unit_fines")
        )
    ]
    if major and rng.random() < 0.25:
        penalties.append(services.PenaltyData(target=unit, kind=PenaltyKind.SUSPENSION))
    if rng.random() < (0.8 if major else DOUBLE_SHARE):
        name, title = _person(rng, plan.hazard)
        penalties.append(
            services.PenaltyData(
                target=PenaltyTarget.PERSON,
                kind=PenaltyKind.FINE,
                amount=_yuan(rng, "person_fines"),
                person_name=name,
                person_title=title,
            )
        )
    return penalties


def _measure(plan: Plan, kind: str, start: dt.date, end: dt.date | None, **extra) -> None:
    services.measure_add(
        user=plan.handler,
        case=plan.case,
        kind=kind,
        start_on=start,
        end_on=end,
        detail=_table()["measure_details"][kind],
        **extra,
    )
    plan.stamps.append(start)


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def _open(plan: Plan, rng: random.Random, articles: dict[str, LegalArticle], officer: User) -> Case:
    """立案 by the district office's officer (who sees every source), the handling unit's person as 承办人."""
    hazard = plan.hazard
    cause, cited = _cause(rng, plan.kind)
    facts = services.case_initial_from_hazard(hazard)["facts"]
    plan.case = services.case_open(
        user=officer,
        data=services.CaseData(
            enterprise=hazard.enterprise,
            handling_unit=plan.unit,
            procedure=plan.procedure,
            cause=cause,
            opened_on=plan.opened_on,
            facts=facts,
            articles=[articles[a] for a in cited if a in articles],
            officers=[plan.handler],
            source=CaseSource.INSPECTION if plan.from_record else CaseSource.HAZARD,
            source_record=hazard.inspection_record,
            source_hazard=None if plan.from_record else hazard,
        ),
    )
    plan.stamps.append(plan.opened_on)
    return plan.case


def _tell(plan: Plan, rng: random.Random, today: dt.date, *, stall: str, officer: User) -> None:
    """Walk the case through its steps, each on its day, stopping at today (or where it stalls)."""
    user, on = plan.handler, plan.opened_on
    major = plan.kind == "major"
    if plan.procedure == CaseProcedure.SIMPLE:
        services.case_decide(user=user, case=plan.case, decided_on=on, penalties=_penalties(rng, plan))
        plan.stamps.append(on)
        closed = on + _days(rng, 0, 10)
        if closed <= today:
            services.case_close(user=user, case=plan.case, closed_on=closed)
            plan.stamps.append(closed)
        return
    # 一般程序: 责令限期整改 at once for most; the heavy measures for the major ones.
    if major or rng.random() < 0.7:
        _measure(plan, MeasureKind.RECTIFY_ORDER, on, on + _days(rng, 15, 30))
    if major and rng.random() < 0.5:
        _measure(plan, MeasureKind.SEAL, on, on + _days(rng, 20, 45))
    elif major and rng.random() < 0.5:
        stop = rng.choice([StopKind.PRODUCTION, StopKind.BUSINESS, StopKind.USE])
        _measure(plan, MeasureKind.THREE_STOPS, on, on + _days(rng, 10, 30), stop_kind=stop)
    elif not major and rng.random() < 0.05:
        _measure(plan, MeasureKind.SEAL, on, on + _days(rng, 15, 30))
    day = on + _days(rng, 1, 5)
    if day > today:
        return
    services.case_investigate(
        user=user, case=plan.case, on=day, note="调取现场检查记录，询问相关人员，制作询问笔录。"
    )
    plan.stamps.append(day)
    on = day
    if stall in ("stuck", "near"):
        return
    if stall == "extension":  # 案情复杂: more time asked on day 80, approved the next day
        asked = plan.opened_on + dt.timedelta(days=80)
        extension = services.case_extension_request(
            user=user,
            case=plan.case,
            new_deadline=plan.case.deadline + dt.timedelta(days=30),
            reason="案情复杂，需进一步调查取证并组织专家论证。",
        )
        plan.stamps.append(asked)
        services.case_extension_decide(user=officer, extension=extension, approve=True, note="同意延期30日。")
        plan.stamps.append(asked + dt.timedelta(days=1))
        on = asked + dt.timedelta(days=1)
    ending = rng.random()
    if ending < 0.04 and not major:
        day = on + _days(rng, 7, 20)
        if day <= today:
            services.case_no_penalty(
                user=user, case=plan.case, reason=rng.choice(_table()["no_penalty_reasons"]), on=day
            )
            plan.stamps.append(day)
        return
    if ending < 0.07:
        to, reason = rng.choice(_table()["transfer"])
        day = on + _days(rng, 7, 20)
        if day <= today:
            if to.endswith("公安分局"):
                _measure(plan, MeasureKind.POLICE, day, None, persons=rng.randint(1, 2))
            services.case_transfer(user=user, case=plan.case, reason=reason, transferred_to=to, on=day)
            plan.stamps.append(day)
        return
    day = on + _days(rng, 10, 35)
    if day > today:
        return
    hearing = (major and rng.random() < 0.3) or rng.random() < 0.08
    services.case_notify(
        user=user, case=plan.case, hearing_requested=hearing, on=day, note="送达行政处罚告知书。"
    )
    plan.stamps.append(day)
    on = day
    if hearing:
        day = on + _days(rng, 5, 12)
        if day > today:
            return
        services.case_hearing(user=user, case=plan.case, on=day, note="当事人陈述申辩，听证会依法举行。")
        plan.stamps.append(day)
        on = day
    day = min(on + _days(rng, 3, 12), plan.case.deadline or on)
    day = max(day, on)
    if day > today:
        return
    services.case_decide(
        user=user,
        case=plan.case,
        decided_on=day,
        penalties=_penalties(rng, plan),
        summary="依据《中华人民共和国安全生产法》有关规定，作出上述行政处罚。",
    )
    plan.stamps.append(day)
    on = day
    if major and rng.random() < 0.3:
        _measure(plan, MeasureKind.SUSPENSION, on, on + _days(rng, 20, 60))
        if rng.random() < 0.15:
            _measure(plan, MeasureKind.CLOSURE, on + dt.timedelta(days=1), None)
    day = on + _days(rng, 3, 20)
    if day > today:
        return
    services.case_execute(user=user, case=plan.case, on=day, note="当事人已缴纳罚款，整改措施落实到位。")
    plan.stamps.append(day)
    day = day + _days(rng, 5, 30)
    if day > today:
        return
    services.case_close(user=user, case=plan.case, closed_on=day, note="处罚决定执行完毕，准予结案。")
    plan.stamps.append(day)


def _stalls(rng: random.Random, plans: list[Plan], today: dt.date) -> dict[int, str]:
    """Which general cases stall: one or two old ones left past the 90-day limit, one near it, one with an
    approved extension."""
    general = [i for i, p in enumerate(plans) if p.procedure == CaseProcedure.GENERAL]
    old = [i for i in general if 100 <= (today - plans[i].opened_on).days <= 200]
    near = [i for i in general if 82 <= (today - plans[i].opened_on).days <= 88]
    extended = [i for i in general if 95 <= (today - plans[i].opened_on).days <= 115]
    stalls: dict[int, str] = {}
    for i in rng.sample(old, k=min(2, len(old))):
        stalls[i] = "stuck"
    for i in near[:1]:
        stalls.setdefault(i, "near")
    for i in [i for i in extended if i not in stalls][:1]:
        stalls[i] = "extension"
    return stalls


# ---------------------------------------------------------------- documents


def _issue(user: User, kind: DocumentKind, case: Case) -> int:
    document = services.document_create(user=user, kind=kind, case=case)
    services.document_issue(user=user, document=document)
    return 1


def _documents_removable() -> bool:
    """Issued documents and their PDFs are locked by Postgres triggers; the demo issues some only when its
    reset can purge them again (the triggers let a transaction with `enforcement.purge` on through)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'enforcement_documentpdf_locked'")
        row = cursor.fetchone()
    return row is None or "enforcement.purge" in row[0]


def _documents(plans: list[Plan]) -> int:
    """Two documents, issued through the service (numbered, printed, locked): the 责令限期整改指令书 of the
    latest general-procedure case that ordered one, and the 行政处罚决定书 of the latest simple-procedure
    case fined on the spot (a simple case needs no 告知书 first). Printing with WeasyPrint takes about a
    second a document, so the demo stops there."""
    if not _documents_removable():
        return 0
    kinds = {k.code: k for k in DocumentKind.objects.filter(code__in=["rectify-order", "penalty-decision"])}
    wanted = [
        ("rectify-order", Q(procedure=CaseProcedure.GENERAL, measures__kind=MeasureKind.RECTIFY_ORDER)),
        ("penalty-decision", Q(procedure=CaseProcedure.SIMPLE, penalties__kind=PenaltyKind.FINE)),
    ]
    handlers = {p.case.pk: p.handler for p in plans}
    issued = 0
    for code, rule in wanted:
        case = Case.objects.filter(rule, pk__in=handlers).order_by("-opened_on", "-pk").first()
        if case is not None and code in kinds:
            issued += _issue(handlers[case.pk], kinds[code], case)
    return issued


# ---------------------------------------------------------------- the step


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    """A year of cases from the demo's hazards and inspections; the summary line."""
    today = timezone.localdate()
    plans = _plans(rng, context, today)
    if not plans:
        return ["行政执法案件 0 件"]
    articles = {a.article: a for a in LegalArticle.objects.filter(is_active=True)}
    stalls = _stalls(rng, plans, today)
    officer = context.users["officer"]
    with _history_paused():
        for i, plan in enumerate(plans):
            _open(plan, rng, articles, officer)
            _tell(plan, rng, today, stall=stalls.get(i, ""), officer=officer)
    _date_timeline(plans)
    services.cases_flag_deadlines(today=today)
    documents = _documents(plans)
    return [_summary(context, documents)]


def _date_timeline(plans: list[Plan]) -> None:
    """The services stamp "now"; the timeline, the cases and their measures are put back on their days."""
    ids = [p.case.pk for p in plans]
    stamps = {p.case.pk: p.stamps for p in plans}
    events = list(CaseEvent.objects.filter(case_id__in=ids).order_by("case_id", "pk"))
    seen: dict[int, int] = {}
    for event in events:
        n = seen.get(event.case_id, 0)
        seen[event.case_id] = n + 1
        days = stamps[event.case_id]
        day = days[min(n, len(days) - 1)]
        event.at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=7 * n))
    CaseEvent.objects.bulk_update(events, ["at"], batch_size=500)
    cases = list(Case.objects.filter(pk__in=ids))
    for case in cases:
        days = stamps[case.pk]
        case.created = timezone.make_aware(dt.datetime.combine(days[0], dt.time(9, 0)))
        case.updated = timezone.make_aware(dt.datetime.combine(days[-1], dt.time(17, 0)))
    Case.objects.bulk_update(cases, ["created", "updated"], batch_size=500)
    measures = list(Measure.objects.filter(case_id__in=ids))
    for measure in measures:
        measure.created = timezone.make_aware(dt.datetime.combine(measure.start_on, dt.time(10, 0)))
    Measure.objects.bulk_update(measures, ["created"], batch_size=500)


def _summary(context: DemoContext, documents: int) -> str:
    cases = Case.objects.filter(jurisdiction__path__startswith=context.district.path)
    total = cases.count()
    closed = cases.filter(state=CaseState.CLOSED).count()
    fines = sum(
        Penalty.objects.filter(case__in=cases, kind=PenaltyKind.FINE).values_list("amount", flat=True),
        Decimal("0"),
    )
    double = cases.filter(penalties__target=PenaltyTarget.PERSON).distinct().count()
    measures = Measure.objects.filter(case__in=cases)
    sealed = measures.filter(kind=MeasureKind.SEAL).values("case__enterprise").distinct().count()
    stops = measures.filter(kind=MeasureKind.THREE_STOPS).values("case__enterprise").distinct().count()
    return (
        f"行政执法案件 {total} 件（已结案 {closed}），罚款 {fines / 10000:.2f} 万元，一案双罚 {double} 件，"
        f"临时查封 {sealed} 家、责令三停 {stops} 家，出具执法文书 {documents} 份"
    )


# ---------------------------------------------------------------- reset


def reset(district: OrgUnit) -> None:
    """Remove every case of the demo district and all that hangs on it (before the hazards and
    inspections they point at), with their history, documents and number series."""
    cases = Case.objects.filter(jurisdiction__path__startswith=district.path)
    ids = list(cases.values_list("pk", flat=True))
    urls = [services.case_url(Case(pk=pk)) for pk in ids]
    documents = Document.objects.filter(Q(case_id__in=ids) | Q(jurisdiction__path__startswith=district.path))
    document_ids = list(documents.values_list("pk", flat=True))
    Notification.objects.filter(url__in=[u for u in urls if u]).delete()
    if connection.vendor == "postgresql":
        # Issued documents and their PDFs are locked by triggers; removing the demo's is the one deliberate
        # purge they let through (for this transaction only).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enforcement.purge = 'on'")
    DocumentPdf.objects.filter(document_id__in=document_ids).delete()
    Document.sectors.through.objects.filter(document_id__in=document_ids).delete()
    # Corrections point at what they correct, drafts at what they follow: newest first.
    for pk in sorted(document_ids, reverse=True):
        Document.objects.filter(pk=pk).delete()
    if hasattr(Document, "history"):
        Document.history.filter(id__in=document_ids).delete()
    CaseEvent.objects.filter(case_id__in=ids).delete()
    measures = Measure.objects.filter(case_id__in=ids)
    measure_ids = list(measures.values_list("pk", flat=True))
    measures.delete()
    Measure.history.filter(id__in=measure_ids).delete()
    Penalty.objects.filter(case_id__in=ids).delete()
    CaseExtension.objects.filter(case_id__in=ids).delete()
    cases.delete()
    history = Case.history.filter(id__in=ids)
    for name in ("HistoricalCase_articles", "HistoricalCase_officers"):
        snapshots = apps.get_model("enforcement", name)
        snapshots.objects.filter(history__in=history.values("pk")).delete()
    history.delete()
    NumberSequence.objects.filter(
        Q(series="case") | Q(series__startswith=SERIES_PREFIX), org_unit__path__startswith=district.path
    ).delete()
