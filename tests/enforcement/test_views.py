"""The case pages: the list and its filters and flags, the case page and its steps, 立案 from a hazard, an
inspection record or an enterprise — each for the role allowed, the role that only reads (township of the
enterprise, leader: no forms, 403 on a step), the outsider (township B, another department: 404) and the
anonymous visitor (login)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enforcement import services
from enforcement.choices import CaseProcedure, CaseState, MeasureKind, PenaltyKind, PenaltyTarget
from enforcement.models import Case, DocumentKind, LegalArticle
from tests.enforcement.conftest import open_case, to_notified
from tests.factories import EnterpriseFactory
from tests.hazards.conftest import inspection, record  # noqa: F401  (the inspection fixture)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def case_a(officer, enterprise_a, district):
    """A case of township A's machinery firm, handled by the 应急局."""
    return open_case(officer, enterprise_a, district.dept_emergency)


@pytest.fixture
def case_b(officer, enterprise_b, district):
    """A case of township B's construction firm, handled by the 应急局."""
    return open_case(officer, enterprise_b, district.dept_emergency, cause="西山施工现场未设置安全警示标志案")


@pytest.fixture
def case_zj(officer, enterprise_b, district, department_user):
    """A case handled by 住建 (department_user's unit), its officer named."""
    return open_case(
        officer,
        enterprise_b,
        district.dept_construction,
        officers=[department_user],
        cause="住建立案：未培训案",
    )


def url(name, case, *args):
    return reverse(f"enforcement:{name}", args=[case.pk, *args])


def numbers(response) -> list[str]:
    return [row.case.number for row in response.context["rows"]]


def listing(client, **params):
    return client.get(reverse("enforcement:case_list"), params)


def step_form(response, name):
    return next(s["form"] for s in response.context["steps"] if s["name"] == name)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------- the list


def test_list_is_scoped_by_persona(
    client, officer, township_a_user, township_b_user, department_user, leader, case_a, case_b, case_zj
):
    client.force_login(officer)
    assert set(numbers(listing(client))) == {case_a.number, case_b.number, case_zj.number}
    client.force_login(leader)
    assert set(numbers(listing(client))) == {case_a.number, case_b.number, case_zj.number}
    client.force_login(township_a_user)
    assert numbers(listing(client)) == [case_a.number]
    client.force_login(township_b_user)
    assert set(numbers(listing(client))) == {case_b.number, case_zj.number}
    client.force_login(department_user)  # its own enforcement only, not its sector's other cases
    assert numbers(listing(client)) == [case_zj.number]


def test_anonymous_goes_to_login(client, case_a):
    for target in (
        reverse("enforcement:case_list"),
        url("case_detail", case_a),
        reverse("enforcement:case_create"),
    ):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(url("case_investigate", case_a)).status_code == 302
    case_a.refresh_from_db()
    assert case_a.state == CaseState.OPEN


def test_filters_and_days_remaining(client, officer, enterprise_a, enterprise_b, district, sectors):
    old = open_case(
        officer, enterprise_a, district.dept_emergency, opened_days_ago=95
    )  # 5 days past the limit
    near = open_case(officer, enterprise_b, district.dept_emergency, opened_days_ago=85)  # 5 days left
    fresh = open_case(officer, enterprise_a, district.dept_construction, opened_days_ago=1)
    simple = open_case(officer, enterprise_b, district.dept_emergency, procedure=CaseProcedure.SIMPLE)
    client.force_login(officer)
    assert numbers(listing(client, deadline="overdue")) == [old.number]
    assert numbers(listing(client, deadline="near")) == [near.number]
    assert set(numbers(listing(client, deadline="flagged"))) == {old.number, near.number}
    assert numbers(listing(client, procedure="simple")) == [simple.number]
    assert set(numbers(listing(client, township=district.township_a.pk))) == {old.number, fresh.number}
    assert numbers(listing(client, handling_unit=district.dept_construction.pk)) == [fresh.number]
    assert set(numbers(listing(client, sector=sectors["industry-trade"].pk))) == {old.number, fresh.number}
    since = (TODAY() - dt.timedelta(days=6)).isoformat()
    assert set(numbers(listing(client, opened_from=since))) == {fresh.number, simple.number}
    assert numbers(listing(client, q=old.number)) == [old.number]
    assert numbers(listing(client, state="decided")) == []

    response = listing(client)
    rows = {row.case.number: row for row in response.context["rows"]}
    assert (rows[old.number].days, rows[old.number].flag, rows[old.number].late) == (-5, "overdue", 5)
    assert (rows[near.number].days, rows[near.number].flag) == (5, "near")
    assert (rows[fresh.number].days, rows[fresh.number].flag) == (89, "")
    assert rows[simple.number].days is None  # no limit runs on a simple-procedure case
    body = response.content.decode()
    assert "超期 5 天" in body and "剩 5 天" in body and "89 天" in body
    assert response.context["deadline_counts"] == {"overdue": 1, "near": 1}


def test_invalid_filter_shows_nothing(client, township_a_user, case_a, district):
    client.force_login(township_a_user)
    assert numbers(listing(client, township=district.township_b.pk)) == []  # not a township A may pick
    assert numbers(listing(client, opened_from="2026-13-45")) == []
    assert listing(client, state="nonsense").status_code == 200


def test_list_has_export_and_import_for_those_who_open(client, officer, township_a_user, case_a):
    client.force_login(officer)
    body = listing(client).content.decode()
    assert 'id="case-export"' in body and 'id="case-import"' in body and 'id="case-create"' in body
    assert reverse("core:import_upload", args=["cases"]) in body
    client.force_login(township_a_user)
    body = listing(client).content.decode()
    assert 'id="case-export"' in body and 'id="case-import"' not in body and 'id="case-create"' not in body


def test_export_follows_scope_and_filter(client, township_a_user, officer, case_a, case_b):
    client.force_login(township_a_user)
    response = client.get(reverse("enforcement:case_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {c for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert case_a.number in cells and case_b.number not in cells
    client.force_login(officer)
    response = client.get(reverse("enforcement:case_export"), {"q": case_b.number})
    cells = {
        c
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in row
    }
    assert case_b.number in cells and case_a.number not in cells


def test_list_query_count_does_not_grow_with_rows(
    client, officer, district, sectors, django_assert_max_num_queries
):
    firms = [EnterpriseFactory(jurisdiction=district.community_a) for _ in range(3)]
    for firm in firms:
        open_case(officer, firm, district.dept_emergency)
    client.force_login(officer)
    with django_assert_max_num_queries(20) as few:
        listing(client)
    ceiling = len(few.captured_queries)
    more = [EnterpriseFactory(jurisdiction=district.community_b) for _ in range(6)]
    for i in range(24):
        open_case(officer, more[i % 6], district.dept_construction if i % 2 else district.dept_emergency)
    with django_assert_max_num_queries(ceiling):
        response = listing(client)
    assert len(response.context["rows"]) == 25


# ---------------------------------------------------------------- the case page


@pytest.mark.parametrize(
    ("persona", "status", "forms"),
    [
        ("officer", 200, True),
        ("admin_user", 200, True),
        ("township_a_user", 200, False),  # the enterprise's township reads
        ("leader", 200, False),
        ("township_b_user", 404, False),
        ("department_user", 404, False),  # another unit's case
    ],
)
def test_case_page_per_persona(request, client, case_a, persona, status, forms):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url("case_detail", case_a))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert case_a.number in body and case_a.cause in body
        assert ('id="case-actions"' in body) is forms
        assert ('id="panel-investigate"' in body) is forms
        assert ('id="case-edit-link"' in body) is forms


def test_department_handles_its_own_case(client, department_user, case_zj):
    client.force_login(department_user)
    response = client.get(url("case_detail", case_zj))
    body = response.content.decode()
    assert response.status_code == 200 and 'id="panel-investigate"' in body
    assert "调查取证" in body and "区住建局" in body
    response = client.post(url("case_investigate", case_zj), {"on": TODAY().isoformat(), "note": "询问笔录"})
    assert response.status_code == 302
    case_zj.refresh_from_db()
    assert case_zj.state == CaseState.INVESTIGATING


@pytest.mark.parametrize(
    ("persona", "status"),
    [("township_a_user", 403), ("leader", 403), ("township_b_user", 404), ("department_user", 404)],
)
def test_steps_refused_to_readers_and_outsiders(request, client, case_a, persona, status):
    client.force_login(request.getfixturevalue(persona))
    on = TODAY().isoformat()
    assert client.post(url("case_investigate", case_a), {"on": on}).status_code == status
    assert client.post(url("case_measure", case_a), {"kind": "seal", "start_on": on}).status_code == status
    assert client.post(url("case_no_penalty", case_a), {"on": on, "reason": "x"}).status_code == status
    assert client.get(url("case_edit", case_a)).status_code == status
    case_a.refresh_from_db()
    assert case_a.state == CaseState.OPEN and not case_a.measures.exists()


def test_general_procedure_through_the_pages(client, officer, case_a):
    client.force_login(officer)
    on = TODAY().isoformat()
    page = client.get(url("case_detail", case_a)).content.decode()
    assert "下一步" in page and "调查取证" in page
    assert client.post(url("case_investigate", case_a), {"on": on, "note": "现场勘验"}).status_code == 302
    response = client.post(url("case_notify", case_a), {"on": on, "hearing_requested": "on"}, follow=True)
    assert any("当事人要求听证" in m for m in messages_of(response))
    assert 'id="panel-hearing"' in response.content.decode()
    assert client.post(url("case_hearing", case_a), {"on": on}).status_code == 302
    response = client.post(
        url("case_decide", case_a),
        {
            "decided_on": on,
            "unit_fine": "30000.50",
            "person_name": "王厂长",
            "person_title": "主要负责人",
            "person_fine": "12000",
            "summary": "依法作出行政处罚",
        },
        follow=True,
    )
    assert "已作出处罚决定。" in messages_of(response)
    case_a.refresh_from_db()
    assert case_a.state == CaseState.DECIDED and case_a.decided_on == TODAY()
    penalties = {(p.target, p.kind): p for p in case_a.penalties.all()}
    assert penalties[(PenaltyTarget.UNIT, PenaltyKind.FINE)].amount == Decimal("30000.50")
    person = penalties[(PenaltyTarget.PERSON, PenaltyKind.FINE)]
    assert (person.amount, person.person_name, person.person_title) == (
        Decimal("12000.00"),
        "王厂长",
        "主要负责人",
    )
    body = response.content.decode()
    assert "30000.50" in body and "王厂长" in body
    # 一般程序: 执行 before 结案 — refused, the case stays decided.
    assert client.post(url("case_close", case_a), {"closed_on": on}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.state == CaseState.DECIDED
    assert client.post(url("case_execute", case_a), {"on": on}).status_code == 302
    response = client.post(url("case_close", case_a), {"closed_on": on, "note": "执行完毕"}, follow=True)
    case_a.refresh_from_db()
    assert case_a.state == CaseState.CLOSED and case_a.closed_on == TODAY()
    body = response.content.decode()
    assert 'id="case-actions"' not in body and "案件已办结" in body
    kinds = [e.to_state for e in case_a.events.filter(kind="transition")]
    assert kinds == ["investigating", "notified", "hearing", "decided", "executing", "closed"]
    assert 'id="case-timeline"' in body and body.count('data-kind="transition"') == 6


def test_simple_procedure_decides_at_once(client, officer, enterprise_b, district):
    case = open_case(officer, enterprise_b, district.dept_emergency, procedure=CaseProcedure.SIMPLE)
    client.force_login(officer)
    page = client.get(url("case_detail", case)).content.decode()
    assert 'id="panel-decide"' in page and 'id="panel-investigate"' not in page
    on = TODAY().isoformat()
    assert client.post(url("case_decide", case), {"decided_on": on, "unit_warning": "on"}).status_code == 302
    assert client.post(url("case_close", case), {"closed_on": on}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert [p.kind for p in case.penalties.all()] == [PenaltyKind.WARNING]


def test_irreversible_steps_ask_first(client, officer, case_a):
    to_notified(case_a, officer)
    client.force_login(officer)
    body = client.get(url("case_detail", case_a)).content.decode()
    for panel in ("panel-decide", "panel-no_penalty", "panel-transfer"):
        start = body.index(f'id="{panel}"')
        form = body[start : body.index("</form>", start)]
        assert "data-confirm=" in form, panel
    start = body.index('id="panel-measure"')
    assert "data-confirm=" not in body[start : body.index("</form>", start)]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"person_fine": "5000"}, "person_name", "被处罚人"),
        ({"unit_fine": "100.555"}, "unit_fine", "两位小数"),
        ({"unit_fine": "-3"}, "unit_fine", "大于 0"),
        ({"unit_fine": "abc"}, "unit_fine", "金额"),
        ({"person_name": "李四"}, "person_fine", "个人"),
        ({}, None, "至少选择一项处罚"),
        ({"unit_warning": "on", "decided_on": "2099-01-01"}, "decided_on", "不能晚于今天"),
    ],
)
def test_decision_refused_by_field(client, officer, case_a, data, field, message):
    to_notified(case_a, officer)
    client.force_login(officer)
    response = client.post(url("case_decide", case_a), {"decided_on": TODAY().isoformat(), **data})
    assert response.status_code == 200
    form = step_form(response, "decide")
    errors = form.errors.get(field or "__all__")
    assert errors and any(message in e for e in errors), form.errors
    assert response.context["open_panel"] == "decide"
    case_a.refresh_from_db()
    assert case_a.state == CaseState.NOTIFIED and not case_a.penalties.exists()


def test_decision_before_notice_is_refused(client, officer, case_a):
    """一般程序: the decision panel is not offered before 告知, and a POST is refused as stale."""
    client.force_login(officer)
    assert 'id="panel-decide"' not in client.get(url("case_detail", case_a)).content.decode()
    response = client.post(
        url("case_decide", case_a), {"decided_on": TODAY().isoformat(), "unit_warning": "on"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert any("告知" in m for m in messages_of(response))
    case_a.refresh_from_db()
    assert case_a.state == CaseState.OPEN


def test_stale_step_comes_back_as_a_message(client, officer, case_a):
    client.force_login(officer)
    on = TODAY().isoformat()
    client.post(url("case_investigate", case_a), {"on": on})
    response = client.post(url("case_investigate", case_a), {"on": on}, follow=True)
    assert response.status_code == 200
    assert any("调查取证" in m and "刷新" in m for m in messages_of(response))


def test_measures(client, officer, case_a):
    client.force_login(officer)
    on = TODAY().isoformat()
    response = client.post(url("case_measure", case_a), {"kind": MeasureKind.THREE_STOPS, "start_on": on})
    assert response.status_code == 200 and "stop_kind" in step_form(response, "measure").errors
    assert not case_a.measures.exists()
    response = client.post(
        url("case_measure", case_a),
        {"kind": MeasureKind.THREE_STOPS, "stop_kind": "production", "start_on": on, "end_on": "2000-01-01"},
    )
    assert response.status_code == 200 and "end_on" in step_form(response, "measure").errors
    assert not case_a.measures.exists()
    response = client.post(
        url("case_measure", case_a),
        {"kind": MeasureKind.THREE_STOPS, "stop_kind": "production", "start_on": on, "detail": "停产整改"},
        follow=True,
    )
    measure = case_a.measures.get()
    assert (measure.kind, measure.stop_kind, measure.start_on) == (
        MeasureKind.THREE_STOPS,
        "production",
        TODAY(),
    )
    assert 'id="case-measures"' in response.content.decode() and "停产" in response.content.decode()


def test_extension_requested_by_the_department_approved_by_the_office(
    client, officer, department_user, case_zj
):
    old = case_zj.deadline
    client.force_login(department_user)
    wanted = (old + dt.timedelta(days=30)).isoformat()
    response = client.post(
        url("case_extend", case_zj), {"new_deadline": wanted, "reason": "需专家论证"}, follow=True
    )
    assert "等待" in messages_of(response)[0]
    body = response.content.decode()
    assert 'id="case-pending-extension"' in body and 'id="panel-extension_decide"' not in body
    extension = case_zj.extensions.get()
    decide = url("case_extension_decide", case_zj, extension.pk)
    assert client.post(decide, {"decision": "approve"}).status_code == 403  # only the district office
    client.force_login(officer)
    page = client.get(url("case_detail", case_zj)).content.decode()
    assert 'id="panel-extension_decide"' in page and "区安委办/应急局" in page
    assert client.post(decide, {"decision": "approve", "note": "同意"}).status_code == 302
    case_zj.refresh_from_db()
    assert case_zj.deadline == old + dt.timedelta(days=30)


def test_extension_of_another_case_is_404(client, officer, case_a, case_zj, department_user):
    client.force_login(department_user)
    client.post(
        url("case_extend", case_zj),
        {"new_deadline": (case_zj.deadline + dt.timedelta(days=9)).isoformat(), "reason": "x"},
    )
    extension = case_zj.extensions.get()
    client.force_login(officer)
    assert (
        client.post(url("case_extension_decide", case_a, extension.pk), {"decision": "approve"}).status_code
        == 404
    )


def test_case_page_query_count(client, officer, case_a, django_assert_max_num_queries, cheap_pdfs):
    to_notified(case_a, officer)
    services.measure_add(user=officer, case=case_a, kind=MeasureKind.SEAL, start_on=TODAY())
    kind = DocumentKind.objects.get(code="rectify-order")
    for _ in range(3):  # the documents block grows with the case's documents, its queries do not
        draft = services.document_create(
            user=officer,
            kind=kind,
            case=case_a,
            content={"facts": "冲床无防护", "deadline": TODAY().isoformat(), "requirements": "立即整改"},
        )
    services.document_issue(user=officer, document=draft)
    client.force_login(officer)
    with django_assert_max_num_queries(30):
        response = client.get(url("case_detail", case_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="case-documents"' in body and draft.number in body and 'id="case-measures"' in body


def test_edit_case(client, officer, case_a):
    client.force_login(officer)
    article = LegalArticle.objects.get(article="第一百零二条")
    response = client.post(
        url("case_edit", case_a),
        {"cause": "未采取措施消除事故隐患案", "facts": "补充案情", "articles": [article.pk]},
    )
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.cause == "未采取措施消除事故隐患案" and list(case_a.articles.all()) == [article]
    response = client.post(url("case_edit", case_a), {"cause": ""})
    assert response.status_code == 200 and response.context["form"].errors["cause"]


# ---------------------------------------------------------------- 立案


def test_open_from_a_hazard_carries_enterprise_and_facts(client, officer, enterprise_a, district):
    hazard = record(officer, enterprise_a, description="冲床防护罩缺失，逾期未整改")
    client.force_login(officer)
    target = reverse("enforcement:case_create") + f"?hazard={hazard.pk}"
    response = client.get(target)
    body = response.content.decode()
    assert response.status_code == 200 and enterprise_a.name in body and hazard.number in body
    assert "冲床防护罩缺失" in response.context["form"].initial["facts"]
    response = client.post(
        target,
        {
            "hazard": hazard.pk,
            "handling_unit": district.dept_emergency.pk,
            "procedure": "general",
            "cause": "未采取措施消除事故隐患案",
            "opened_on": TODAY().isoformat(),
            "facts": response.context["form"].initial["facts"],
            "officers": [officer.pk],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (case.enterprise, case.source_hazard, case.source) == (enterprise_a, hazard, "hazard")
    assert "冲床防护罩缺失" in case.facts and case.deadline == TODAY() + dt.timedelta(days=90)
    page = client.get(reverse("hazards:hazard_detail", args=[hazard.pk])).content.decode()
    assert 'id="hazard-cases"' in page and case.number in page
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="case-hazard-link"' in case_page and hazard.number in case_page


def test_open_from_an_inspection_record(client, officer, inspection, district):  # noqa: F811
    rec = inspection["record_a"]
    client.force_login(officer)
    page = client.get(reverse("inspections:record_detail", args=[rec.pk])).content.decode()
    assert page.count('id="record-case-open"') == 1  # once, beside the first 不符合 result
    target = reverse("enforcement:case_create") + f"?record={rec.pk}"
    response = client.post(
        target,
        {
            "record": rec.pk,
            "handling_unit": district.dept_emergency.pk,
            "procedure": "simple",
            "cause": "安全设备未经常性维护案",
            "opened_on": TODAY().isoformat(),
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.enterprise, case.source_record, case.source) == (rec.enterprise, rec, "inspection")
    page = client.get(reverse("inspections:record_detail", args=[rec.pk])).content.decode()
    assert case.number in page


def test_open_by_searching_the_enterprise(client, officer, enterprise_a, district):
    client.force_login(officer)
    response = client.get(reverse("enforcement:case_create"), {"q": enterprise_a.name[:2]})
    assert enterprise_a in list(response.context["results"])
    response = client.post(
        reverse("enforcement:case_create") + f"?enterprise={enterprise_a.pk}",
        {
            "enterprise": enterprise_a.pk,
            "handling_unit": district.dept_emergency.pk,
            "procedure": "general",
            "cause": "",
            "opened_on": (TODAY() + dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200 and not Case.objects.exists()
    form = response.context["form"]
    assert "cause" in form.errors and "opened_on" in form.errors


def test_department_opens_only_for_its_own_unit(client, department_user, enterprise_b, district):
    client.force_login(department_user)
    response = client.get(reverse("enforcement:case_create") + f"?enterprise={enterprise_b.pk}")
    assert list(response.context["form"].fields["handling_unit"].queryset) == [district.dept_construction]
    response = client.post(
        reverse("enforcement:case_create"),
        {
            "enterprise": enterprise_b.pk,
            "handling_unit": district.dept_emergency.pk,
            "procedure": "general",
            "cause": "x",
            "opened_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 200 and "handling_unit" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["township_a_user", "leader"])
def test_readers_cannot_open(request, client, persona, enterprise_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("enforcement:case_create")).status_code == 403
    assert client.post(reverse("enforcement:case_create"), {"enterprise": enterprise_a.pk}).status_code == 403


def test_open_from_a_hazard_outside_scope_is_404(client, department_user, officer, enterprise_a):
    hazard = record(officer, enterprise_a)  # machinery: not 住建's
    client.force_login(department_user)
    assert client.get(reverse("enforcement:case_create") + f"?hazard={hazard.pk}").status_code == 404
