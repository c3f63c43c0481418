"""The role matrix: every page, export and API operation (found from the URL conf and the OpenAPI
schema, tests/matrix/routes.py), visited by every persona on township A's records.

What each cell must answer:
- anonymous: a page redirects to the sign-in page (302 /login/?next=…); the API answers 401 or 403
  (403 for a bad token is a known defect being fixed elsewhere, so both are accepted here);
- a record outside the persona's scope: 404, on every detail, export, photo, PDF and API route;
- a write (an empty POST / PUT / PATCH, or a form page) by a role that may see but not change — the
  leader on any write, a township or department on a district-only action —: 403;
- an in-scope read: 200 (the page, the file, the PDF, the workbook);
- an in-scope write with an empty body: the form again, a redirect, or a 400/409 naming what is
  missing — never a 500, never a 403 or 404;
- a method the route does not take: 405, the same for everyone.
Nobody ever gets a 500.

Each persona is one test; every visit runs in a savepoint rolled back after it, so the world stays
as built whatever an empty POST did.
"""

import pytest
from django.test import Client

from .routes import PUBLIC_API, Cell, cells, discover, schema_operations
from .visit import Answer, visit
from .world import PERSONAS

pytestmark = pytest.mark.django_db

WRITERS = frozenset({"admin_user", "officer", "department_user", "township_a_user", "township_b_user"})
DISTRICT = frozenset({"admin_user", "officer"})  # 区安委办/应急局 and the administrator
VERIFIERS = DISTRICT | {"department_user"}  # 复查: never the township that rectified
EVERYONE = WRITERS | {"leader"}

# Page routes that take GET and POST and write (a form page), or are only for roles that write. A
# POST-only page (405 to GET) is a write without being listed; any other page is a read, and an
# empty POST to it answers as its GET does.
WRITE_PAGES = {
    "accounts:enterprise_create",
    "accounts:enterprise_edit",
    "core:import_upload",
    "core:import_template",  # the upload's template: for those who may upload
    "inspections:draw_create",
    "inspections:plan_create",
    "inspections:plan_edit",
    "inspections:entry_new",
    "inspections:entry_enterprise_search",
    "inspections:draft_step",
    "hazards:hazard_create",
    "campaigns:activity_create",
    "campaigns:activity_edit",
    "campaigns:campaign_create",
    "campaigns:campaign_edit",
    "hazards:from_result",
    "hazards:hazard_edit",
    "hazards:verify_confirm",  # the no-JavaScript step before 复查通过: back to the hazard when not 待复查
    "accounts:duty_list_create",
    "accounts:work_list_create",
    "accounts:letter_create",
    "accounts:work_item_progress",  # the form of 更新进展: for the unit the work list belongs to
    "enforcement:document_new",
    "enforcement:document_edit",
    "hazards:accident_create",
    "hazards:accident_edit",
    "enforcement:tip_create",
    "enforcement:tip_edit",
    "enforcement:tip_hazard",
    "enforcement:case_from_tip",
    "enforcement:case_from_accident",
    "enforcement:case_create",
    "enforcement:case_edit",
    "reports:report_new",  # 工作总结: 新建 and the 发布 confirmation are for the report's writers
    "reports:report_publish",
    "reports:template_edit",
    "reports:evaluation_indicator_create",
    "reports:evaluation_indicator_edit",
}

# Who may use a route at all, where it is not every role that writes. (Which records: the world's
# `seen_by`.) Keys are page URL names or (method, schema path) of API operations.
WHO: dict = {
    "accounts:notification_read_all": EVERYONE,  # one's own bell, not a record
    "reports:recompute": DISTRICT,  # 重新计算 of the stored figures: the district office
    # 报告模板: edited by the district office (the pages are theirs; the API reads them to everyone).
    "reports:template_list": DISTRICT,
    "reports:template_edit": DISTRICT,
    # 月度评估: computed, scored, published and followed up by the district office; its indicators too.
    **{
        f"reports:evaluation_{name}": DISTRICT
        for name in (
            "compute",
            "recompute",
            "score",
            "publish",
            "follow_up",
            "indicator_create",
            "indicator_edit",
        )
    },
    # 事故: recorded and corrected by the district office and the departments of its sector (the world's
    # accident is in construction, 住建's); townships and leaders read.
    "hazards:accident_create": DISTRICT | {"department_user"},
    "hazards:accident_edit": DISTRICT | {"department_user"},
    ("POST", "/api/v1/accidents/"): DISTRICT | {"department_user"},
    ("PUT", "/api/v1/accidents/{id}/"): DISTRICT | {"department_user"},
    ("PATCH", "/api/v1/accidents/{id}/"): DISTRICT | {"department_user"},
    "enforcement:case_from_accident": DISTRICT | {"department_user"},  # who may open cases
    # 举报: recorded, corrected and rewarded by the district office; checked by the unit it lies with.
    "enforcement:tip_create": DISTRICT,
    "enforcement:tip_edit": DISTRICT,
    "enforcement:tip_reward": DISTRICT,
    ("POST", "/api/v1/tips/"): DISTRICT,
    ("PUT", "/api/v1/tips/{id}/"): DISTRICT,
    ("PATCH", "/api/v1/tips/{id}/"): DISTRICT,
    ("POST", "/api/v1/tips/{id}/reward/"): DISTRICT,
    "enforcement:case_from_tip": DISTRICT | {"department_user"},
    "hazards:verification_list": VERIFIERS,
    "hazards:hazard_verify": VERIFIERS,
    "hazards:verify_confirm": VERIFIERS,
    # 修改隐患信息: the district office and the unit following the hazard (not a department that only
    # supervises it).
    "hazards:hazard_edit": DISTRICT | {"township_a_user"},
    ("PATCH", "/api/v1/hazards/{id}/"): DISTRICT | {"township_a_user"},
    "hazards:extension_decide": DISTRICT,
    "hazards:hazard_reopen": DISTRICT,
    "hazards:hazard_void": DISTRICT,
    "hazards:hazard_listing": DISTRICT,
    "hazards:hazard_delist": DISTRICT,
    ("POST", "/api/v1/hazards/{id}/verify/"): VERIFIERS,
    ("POST", "/api/v1/hazards/{id}/extensions/{extension_pk}/decide/"): DISTRICT,
    ("POST", "/api/v1/hazards/{id}/reopen/"): DISTRICT,
    ("POST", "/api/v1/hazards/{id}/void/"): DISTRICT,
    ("POST", "/api/v1/hazards/{id}/list/"): DISTRICT,
    ("POST", "/api/v1/hazards/{id}/delist/"): DISTRICT,
    # A record is its organising unit's document: seeing the enterprise is not enough to rewrite it.
    ("PUT", "/api/v1/inspection-records/{id}/"): DISTRICT | {"township_a_user"},
    ("PATCH", "/api/v1/inspection-records/{id}/"): DISTRICT | {"township_a_user"},
    ("POST", "/api/v1/inspection-records/{id}/photos/"): DISTRICT | {"township_a_user"},
    "inspections:record_issue": DISTRICT | {"township_a_user"},  # 出具记录 and 更正: the same rule
    "inspections:record_correct": DISTRICT | {"township_a_user"},
    ("POST", "/api/v1/inspection-records/{id}/issue/"): DISTRICT | {"township_a_user"},
    ("POST", "/api/v1/inspection-records/{id}/correct/"): DISTRICT | {"township_a_user"},
    # A plan is changed by who organises for its unit (a department does not see township A's plan).
    "inspections:plan_edit": DISTRICT | {"township_a_user"},
    ("PUT", "/api/v1/inspection-plans/{id}/"): DISTRICT | {"township_a_user"},
    ("PATCH", "/api/v1/inspection-plans/{id}/"): DISTRICT | {"township_a_user"},
    # 专项行动: the district office, and the lead department (住建 leads the world's campaign).
    "campaigns:campaign_create": DISTRICT | {"department_user"},
    "campaigns:campaign_edit": DISTRICT | {"department_user"},
    "campaigns:campaign_delete": DISTRICT,
    ("POST", "/api/v1/campaigns/"): DISTRICT | {"department_user"},
    ("PUT", "/api/v1/campaigns/{id}/"): DISTRICT | {"department_user"},
    ("PATCH", "/api/v1/campaigns/{id}/"): DISTRICT | {"department_user"},
    ("DELETE", "/api/v1/campaigns/{id}/"): DISTRICT,
    # 执法文书: drafted by the district office or a department (for its own cases / records it may
    # change); the world's document is the district office's, so only the district office works on it.
    "enforcement:document_new": DISTRICT | {"department_user"},
    "enforcement:document_edit": DISTRICT,
    "enforcement:document_issue": DISTRICT,
    "enforcement:document_correct": DISTRICT,
    "enforcement:document_discard": DISTRICT,
    ("POST", "/api/v1/documents/"): DISTRICT | {"department_user"},
    ("PUT", "/api/v1/documents/{id}/"): DISTRICT,
    ("PATCH", "/api/v1/documents/{id}/"): DISTRICT,
    ("DELETE", "/api/v1/documents/{id}/"): DISTRICT,
    ("POST", "/api/v1/documents/{id}/issue/"): DISTRICT,
    ("POST", "/api/v1/documents/{id}/correct/"): DISTRICT,
    # 案件: opened by the district office or a department; worked on by the district office and the
    # handling department (the world's case is 住建's); a township reads its enterprises' cases.
    ("POST", "/api/v1/cases/"): DISTRICT | {"department_user"},
    # The case pages: 立案, 修改 and each step (one URL per step) as the API; 延期审批 by the district office.
    "enforcement:case_create": DISTRICT | {"department_user"},
    "enforcement:case_edit": DISTRICT | {"department_user"},
    "enforcement:case_extension_decide": DISTRICT,
    **{
        f"enforcement:case_{step}": DISTRICT | {"department_user"}
        for step in (
            "investigate",
            "notify",
            "hearing",
            "decide",
            "execute",
            "close",
            "no_penalty",
            "transfer",
            "measure",
            "extend",
        )
    },
    ("PATCH", "/api/v1/cases/{id}/"): DISTRICT | {"department_user"},
    ("POST", "/api/v1/cases/{id}/extensions/{extension_pk}/decide/"): DISTRICT,
    **{
        ("POST", f"/api/v1/cases/{{id}}/{step}/"): DISTRICT | {"department_user"}
        for step in (
            "investigate",
            "notify",
            "hearing",
            "decide",
            "execute",
            "close",
            "no-penalty",
            "transfer",
            "measures",
            "extensions",
        )
    },
}
# Routes that ask the role before looking the record up (录入 is for writers): a leader gets 403 even
# for a record outside their scope (another user's draft), where anyone else gets 404.
ROLE_FIRST = {
    "inspections:entry_new",
    "inspections:entry_enterprise_search",
    "inspections:draft_step",
    "inspections:draft_discard",
    "enforcement:document_new",
}
# Reads answered with a redirect: 我的草稿's resume link goes to the step the draft is on.
REDIRECTING_READS = {"inspections:draft_resume"}

LOGIN = "login"
READ_OK = frozenset({200})
WRITE_OK = frozenset({200, 201, 204, 302, 400, 409})  # the form again, done (204: deleted), or "fix this"
METHOD_REFUSED = 405


# Ledger kinds that only some writers may import (core:import_upload and import_template of that kind).
IMPORT_WHO: dict[str, frozenset[str]] = {
    "accidents": DISTRICT | {"department_user"},  # 事故: the district office and sector departments
    "cases": DISTRICT | {"department_user"},  # 案件: whoever may open cases (permissions.can_open)
}


def _who(cell: Cell) -> frozenset[str]:
    route = cell.route
    if route.route_id in ("core:import_upload", "core:import_template"):
        kind = cell.url.strip("/").split("/")[1]  # /imports/<kind>/…
        if kind in IMPORT_WHO:
            return IMPORT_WHO[kind]
    key = route.route_id if route.kind == "page" else (cell.method, route.route_id)
    return WHO.get(key, WRITERS)


def _is_write(cell: Cell, refused: bool) -> bool:
    if cell.route.kind == "api":
        return cell.method != "GET"
    return cell.route.route_id in WRITE_PAGES or refused or _who(cell) is not WRITERS


def expected(persona: str, cell: Cell, world, *, refused: bool, post_only: bool) -> tuple[frozenset, str]:
    """The answers `persona` may get in `cell`, and why (for the failure message). `refused`: the route
    does not take the cell's method; `post_only`: it refuses GET (a page that only writes)."""
    route = cell.route
    if refused:
        if persona == "anonymous":  # refused before or after sign-in is asked: nothing is shown
            return frozenset({METHOD_REFUSED}) | {LOGIN}, "a method the route does not take"
        return frozenset({METHOD_REFUSED}), "a method the route does not take"
    if persona == "anonymous":
        if route.kind == "api":
            return frozenset({401, 403}), "anonymous API call"
        return frozenset({LOGIN}), "anonymous page visit"
    name = route.route_id
    may = persona in _who(cell)
    hidden = [key for key in cell.objects if persona not in world.objects[key].seen_by]
    if hidden:
        if name in ROLE_FIRST and not may:
            return frozenset({403}), "role checked before the record is looked up"
        return frozenset({404}), f"{', '.join(hidden)} outside the persona's scope"
    if _is_write(cell, post_only):
        if not may:
            return frozenset({403}), "a role that may not do this"
        return WRITE_OK, "an in-scope write with an empty body"
    if name in REDIRECTING_READS:
        return frozenset({302}), "a read that redirects"
    return READ_OK, "an in-scope read"


def _matches(answer: Answer, allowed: frozenset) -> bool:
    if LOGIN in allowed and answer.status == 302 and answer.location.startswith("/login/?next="):
        return True
    return answer.status in allowed


# (page route, method) → does the route refuse the method (405 to the administrator)? The same for
# every world, so asked once per test run.
_REFUSED: dict[tuple[str, str], bool] = {}


def _refused(admin: Client, cell: Cell, method: str) -> bool:
    if cell.route.kind == "api":
        return False  # the schema lists the methods each operation takes
    key = (cell.route.route_id, method)
    if key not in _REFUSED:
        _REFUSED[key] = (
            visit(admin, Cell(cell.route, method, cell.url, cell.objects)).status == METHOD_REFUSED
        )
    return _REFUSED[key]


def _all_cells(world) -> list[Cell]:
    return [cell for route in discover() for cell in cells(route, world)]


def test_every_route_of_the_url_conf_and_the_schema_is_in_the_matrix(world):
    """Every parameter of every route can be filled from the world (else: add it to KWARG_OBJECTS)."""
    routes = discover()
    names = {r.route_id for r in routes}
    for namespace in ("accounts:", "core:", "inspections:", "hazards:"):
        assert any(n.startswith(namespace) for n in names), namespace
    assert {path for path in schema_operations() if not path.startswith(PUBLIC_API)} <= names
    problems = []
    for route in routes:
        try:
            cells(route, world)
        except LookupError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(persona, world, personas):
    client = Client()
    if personas[persona] is not None:
        client.force_login(personas[persona])
    admin = Client()
    admin.force_login(personas["admin_user"])
    wrong = []
    for cell in _all_cells(world):
        post_only = _refused(admin, cell, "GET")
        if cell.route.kind == "page" and cell.method == "POST" and not _is_write(cell, post_only):
            continue  # a read page: its GET is the cell (the views take POST as GET)
        answer = visit(client, cell)
        allowed, why = expected(
            persona, cell, world, refused=_refused(admin, cell, cell.method), post_only=post_only
        )
        if answer.error:
            wrong.append(f"{cell}: 500 {answer.error}")
        elif not _matches(answer, allowed):
            shown = sorted(str(a) for a in allowed)
            wrong.append(f"{cell}: got {answer.status} {answer.location}, expected {shown} ({why})")
    assert not wrong, f"{persona}: {len(wrong)} cells answer wrongly:\n" + "\n".join(wrong)
