"""No record of another township ever appears in what township A's user sees: a list, a count, an
export or a dashboard figure. Every list is compared with an independent query (written here without
the scoping rule), and no string of a township-B record appears in any page, file or API answer.

The pages and API lists are found as the role matrix finds them (tests/matrix/routes.py).
"""

import io
import json
import re
from dataclasses import replace

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from openpyxl import load_workbook

from accounts.choices import EnterpriseStatus
from accounts.models import (
    DutyItem,
    DutyList,
    Enterprise,
    LetterKind,
    Notification,
    OrgUnit,
    ResponsibilityLetter,
    Sector,
    WorkItem,
    WorkList,
)
from campaigns.models import (
    Activity,
    ActivityAttachment,
    ActivitySubtype,
    Campaign,
    CampaignKind,
    QuantityUnit,
)
from core.models import ImportJob
from enforcement.models import Case, CaseExtension, Document, DocumentKind, LegalArticle, Tip
from hazards.choices import ACTIVE_STATES, HazardState
from hazards.models import (
    Accident,
    AccidentCategory,
    DeadlineExtension,
    Hazard,
    HazardCategory,
    HazardPhoto,
    RectificationPhoto,
)
from inspections.models import (
    CheckItem,
    CheckResult,
    InspectionAction,
    InspectionDraft,
    InspectionPlan,
    InspectionRecord,
    RandomDraw,
    RecordPhoto,
)
from reports.models import Evaluation, EvaluationFollowUp, Report, ReportTemplate

from .routes import KWARG_VALUES, Cell, Route, UnmappedParameter, cells, discover, object_key
from .visit import visit
from .world import World

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Code tables and the tree: everyone reads them.
REFERENCE = (
    OrgUnit,
    Sector,
    CheckItem,
    HazardCategory,
    ActivitySubtype,
    QuantityUnit,
    CampaignKind,
    AccidentCategory,
    LetterKind,
    DocumentKind,
    LegalArticle,
    ReportTemplate,  # 报告模板: definitions every signed-in user reads
)
# A list export → (the model of its rows, the field that names a row in the workbook).
EXPORT_ROWS = {
    "accounts:enterprise_export": (Enterprise, "uscc"),
    "accounts:letter_export": (ResponsibilityLetter, "title"),
    "hazards:hazard_export": (Hazard, "number"),
    "hazards:accident_export": (Accident, "number"),
    "enforcement:tip_export": (Tip, "number"),
    "enforcement:case_export": (Case, "number"),
    "campaigns:activity_export": (Activity, "theme"),
    "campaigns:campaign_export": (Campaign, "name"),  # district-wide plans: every campaign
    "inspections:action_export": (InspectionAction, "number"),
}
# Workbooks of figures, not of records (no row names a record): the figures are checked against
# independent counts in their own tests; here, like every file, they must show no string of B's.
FIGURE_EXPORTS = {"reports:stats_xlsx", "reports:evaluation_xlsx"}  # figures, not ledger rows
HREF = re.compile(r'href="(/[^"#?]*)')


def township_records(world: World, user) -> dict[type, set[int]]:
    """What township A's user may see of each model, by the rule in words — not through restrict()."""
    a = world.township_a.path
    in_a = {"enterprise__jurisdiction__path__startswith": a}
    return {
        Enterprise: Enterprise.objects.filter(jurisdiction__path__startswith=a),
        # 安全责任: a unit's lists; a letter A issued, signed, or one of A's firms signed.
        DutyList: DutyList.objects.filter(unit__path__startswith=a),
        WorkList: WorkList.objects.filter(unit__path__startswith=a),
        DutyItem: DutyItem.objects.filter(duty_list__unit__path__startswith=a),
        WorkItem: WorkItem.objects.filter(work_list__unit__path__startswith=a),
        ResponsibilityLetter: ResponsibilityLetter.objects.filter(
            Q(issuer__path__startswith=a)
            | Q(signer_unit__path__startswith=a)
            | Q(signer_enterprise__jurisdiction__path__startswith=a)
        ),
        Hazard: Hazard.objects.filter(**in_a),
        Accident: Accident.objects.filter(township__path__startswith=a),  # by 所属街道
        Tip: Tip.objects.filter(township__path__startswith=a),
        # 案件: the cases of A's enterprises (read only for the township).
        Case: Case.objects.filter(enterprise__jurisdiction__path__startswith=a),
        CaseExtension: CaseExtension.objects.filter(case__enterprise__jurisdiction__path__startswith=a),
        Document: Document.objects.filter(jurisdiction__path__startswith=a),  # 执法文书: where it was issued
        InspectionRecord: InspectionRecord.objects.filter(**in_a),
        # An action organised in A, or one that visited a firm of A (a joint action, B's visit hidden).
        InspectionAction: InspectionAction.objects.filter(
            Q(organizer__path__startswith=a) | Q(records__enterprise__jurisdiction__path__startswith=a)
        ),
        InspectionPlan: InspectionPlan.objects.filter(organizer__path__startswith=a),
        Activity: Activity.objects.filter(organiser__path__startswith=a),
        ActivityAttachment: ActivityAttachment.objects.filter(activity__organiser__path__startswith=a),
        RandomDraw: RandomDraw.objects.filter(organizer__path__startswith=a),
        Campaign: Campaign.objects.all(),  # 专项行动 are district-wide plans everyone reads
        Report: Report.objects.filter(scope_unit__path__startswith=a),  # 工作总结 of A's scope
        # 排名通报: the published rankings, which everyone reads; a follow-up: A's own.
        Evaluation: Evaluation.objects.filter(state="published"),
        EvaluationFollowUp: EvaluationFollowUp.objects.filter(unit__path__startswith=a),
        InspectionDraft: InspectionDraft.objects.filter(owner=user),
        ImportJob: ImportJob.objects.filter(user=user),
        Notification: Notification.objects.filter(
            Q(user=user) | Q(org_unit=user.org_unit) | Q(role=user.role)
        ),
        RecordPhoto: RecordPhoto.objects.filter(Q(record__enterprise__jurisdiction__path__startswith=a)),
        HazardPhoto: HazardPhoto.objects.filter(hazard__enterprise__jurisdiction__path__startswith=a),
        RectificationPhoto: RectificationPhoto.objects.filter(
            rectification__hazard__enterprise__jurisdiction__path__startswith=a
        ),
        CheckResult: CheckResult.objects.filter(record__enterprise__jurisdiction__path__startswith=a),
        DeadlineExtension: DeadlineExtension.objects.filter(
            hazard__enterprise__jurisdiction__path__startswith=a
        ),
    }


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True).distinct())


def _text(answer) -> str:
    """What a person could read in the answer: the page, the JSON, every cell of a workbook."""
    if answer.content_type.startswith(XLSX):
        book = load_workbook(io.BytesIO(answer.body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    if answer.content_type.startswith(("text/", "application/json")):
        return answer.body.decode()
    return ""  # images and PDFs: what they show is the record's, reached only through its scope


def _model_of(world: World, route: Route, param: str) -> type | None:
    if param in KWARG_VALUES:
        return None
    return type(world.objects[object_key(route, param)].value)


def _worlds(world: World) -> list[World]:
    """The world, and the same with the joint action (a record in A and in B) in action A's place."""
    joint = World(
        objects={**world.objects, "action": world.objects["joint_action"]},
        b_markers=world.b_markers,
        township_a=world.township_a,
        township_b=world.township_b,
    )
    return [world, joint]


def _links(path_texts, w: World, cell: Cell, allowed, linked, wrong) -> None:
    """Check each record a page links to (by its detail URL) against the independent query."""
    for path in path_texts:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        target = Route("page", match.view_name, tuple(match.kwargs), ("GET",))
        for param, value in match.kwargs.items():
            try:
                model = _model_of(w, target, param)
            except UnmappedParameter as exc:
                wrong.append(f"{cell} links {path}: {exc}")
                continue
            if model is None or model in REFERENCE:
                continue
            if model not in allowed:
                wrong.append(f"{cell} links {path}: add {model.__name__} to township_records()")
            elif int(value) not in allowed[model]:
                wrong.append(f"{cell} links {path}: {model.__name__} {value} is not township A's")
            linked.setdefault(model, set()).add(int(value))


def test_township_a_is_shown_nothing_of_township_b(world, personas, a_client):
    """Every page, export, file and API answer township A's user can GET, on A's records and on the
    joint action: none shows a string of B's records (its firm, code, hazard, findings, numbers, plan,
    draw, notice), and every record a page links to is township A's by an independent query — while
    the pages do link A's own records."""
    allowed = {model: _ids(qs) for model, qs in township_records(world, personas["township_a_user"]).items()}
    linked: dict[type, set[int]] = {}
    read, leaks, wrong = 0, [], []
    for w in _worlds(world):
        for route in discover():
            for cell in cells(route, w):
                if cell.method != "GET" or (w is not world and "action" not in cell.objects):
                    continue
                answer = visit(a_client, cell, keep_body=True)
                text = _text(answer)
                read += bool(text)
                leaks += [f"{cell}: shows {m!r}" for m in w.b_markers if m and m in text]
                if answer.content_type.startswith("text/html"):
                    _links(set(HREF.findall(text)), w, cell, allowed, linked, wrong)
    assert not leaks, "\n".join(leaks)
    assert not wrong, "\n".join(wrong)
    assert read > 50  # the pages were really read
    for key in ("enterprise", "hazard", "action", "joint_action", "record", "plan", "draw"):
        obj = world.objects[key].value
        assert obj.pk in linked.get(type(obj), set()), f"no page links township A's {key}"


def test_every_api_list_holds_exactly_township_as_records(world, personas):
    """Each list operation of the API (found from the schema): the ids equal the independent query's."""
    user = personas["township_a_user"]
    allowed = {model: _ids(qs) for model, qs in township_records(world, user).items()}
    client = Client()
    client.force_login(user)
    checked, wrong = [], []
    for route in discover():
        if route.kind != "api" or route.params or "GET" not in route.methods:
            continue
        answer = visit(client, Cell(route, "GET", route.route_id, ()), keep_body=True)
        body = json.loads(answer.body)
        rows = body.get("results") if isinstance(body, dict) else body
        if not isinstance(rows, list):
            continue  # not a list of records (the API root, the figures)
        detail = replace(route, route_id=route.route_id + "{id}/", params=("id",))
        model = _model_of(world, detail, "id")
        if model in REFERENCE:
            continue
        ids = {row["id"] for row in rows}
        if model not in allowed:
            wrong.append(f"{route}: add {model.__name__} to township_records()")
        elif ids != allowed[model]:
            wrong.append(f"{route}: ids {sorted(ids)}, township A's are {sorted(allowed[model])}")
        checked.append(route.route_id)
    assert not wrong, "\n".join(wrong)
    assert {"/api/v1/enterprises/", "/api/v1/hazards/", "/api/v1/inspection-records/"} <= set(checked)


def test_every_list_export_holds_exactly_township_as_rows(world, personas, a_client):
    """Each list export (a page without parameters answering a workbook) has one row per record of
    township A, none of B's: counted by the code or number that names a row."""
    user = personas["township_a_user"]
    allowed = township_records(world, user)
    exports = 0
    for route in discover():
        if route.kind != "page" or route.params:
            continue
        answer = visit(a_client, Cell(route, "GET", reverse(route.route_id), ()), keep_body=True)
        if not answer.content_type.startswith(XLSX) or route.route_id in FIGURE_EXPORTS:
            continue
        assert route.route_id in EXPORT_ROWS, (
            f"{route} exports a workbook: add it to EXPORT_ROWS in tests/matrix/test_leaks.py "
            "(the model of its rows and the field naming a row)"
        )
        model, field = EXPORT_ROWS[route.route_id]
        every = set(model.objects.exclude(**{field: ""}).values_list(field, flat=True))
        cells_text = set(_text(answer).split("\n"))
        shown = every & cells_text
        expected = set(allowed[model].exclude(**{field: ""}).values_list(field, flat=True))
        assert expected, f"{route}: the world has no numbered {model.__name__} of township A"
        assert shown == expected, f"{route}: rows {sorted(shown)}, township A's are {sorted(expected)}"
        exports += 1
    assert exports == len(EXPORT_ROWS)


def test_home_page_and_ledger_figures_count_only_township_a(world, personas, a_client):
    """The home page's counts and work queue, and the hazard ledger's figures (page and API), equal
    independent counts of township A's records."""
    user = personas["township_a_user"]
    mine = township_records(world, user)
    enterprises = mine[Enterprise]
    hazards = mine[Hazard].exclude(state=HazardState.VOID)

    home = a_client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["enterprise_total"] == enterprises.count()
    operating = enterprises.filter(status=EnterpriseStatus.OPERATING).count()
    assert sum(row["count"] for row in home.context["grade_counts"]) == operating
    assert set(e.pk for e in home.context["recent_enterprises"]) <= _ids(enterprises)
    follow = [p["panel"] for p in home.context["home_panels"] if "soon" in p["panel"]]
    assert len(follow) == 1, "the township's home page shows its hazards to follow"
    assert follow[0]["total"] == mine[Hazard].filter(state__in=ACTIVE_STATES).count()
    assert {h.pk for h in follow[0]["hazards"]} <= _ids(mine[Hazard])

    ledger = a_client.get(reverse("hazards:hazard_list"))
    assert ledger.context["figures"]["found"] == hazards.count()
    api = a_client.get("/api/v1/hazards/figures/", HTTP_ACCEPT="application/json")
    assert api.json()["found"] == hazards.count() == 1
