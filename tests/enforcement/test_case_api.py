"""案件 API: scoped lists and details (404 outside), 立案 and each step as POST actions, 403 by role,
400 by field, 409 when the case moved under the caller, figures, and the schema."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from enforcement.choices import CaseState
from enforcement.models import Case, LegalArticle, Penalty
from tests.enforcement.conftest import open_case, to_decided

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def case_a(officer, enterprise_a, district):
    return open_case(officer, enterprise_a, district.district)


@pytest.fixture
def case_b(officer, enterprise_b, district):
    """Handled by 住建 (department_user's unit), in township B."""
    return open_case(officer, enterprise_b, district.dept_construction)


def test_list_is_scoped(case_a, case_b, officer, township_a_user, township_b_user, department_user, leader):
    def numbers(user):
        response = api_as(user).get(CASES)
        assert response.status_code == 200
        return {row["number"] for row in response.json()["results"]}

    assert numbers(officer) == numbers(leader) == {case_a.number, case_b.number}
    assert numbers(township_a_user) == {case_a.number}
    assert numbers(township_b_user) == numbers(department_user) == {case_b.number}
    assert api_as(township_a_user).get(f"{CASES}{case_b.pk}/").status_code == 404
    assert api_as(department_user).post(f"{CASES}{case_a.pk}/investigate/", {}).status_code == 404


def test_list_filters_and_query_count(
    officer, enterprise_a, enterprise_b, district, django_assert_max_num_queries
):
    for _i in range(4):
        open_case(officer, enterprise_a, district.district)
    late = open_case(officer, enterprise_b, district.district, opened_days_ago=95)
    api = api_as(officer)
    with django_assert_max_num_queries(6):
        rows = api.get(CASES).json()["results"]
    assert len(rows) == 5
    rows = api.get(CASES, {"deadline": "overdue"}).json()["results"]
    assert [r["number"] for r in rows] == [late.number]
    assert rows[0]["days_remaining"] == -5 and rows[0]["deadline_status"] == "overdue"
    assert len(api.get(CASES, {"township": district.township_a.pk}).json()["results"]) == 4
    assert api.get(CASES, {"state": "bogus"}).status_code == 400


def test_open_by_api_and_detail(officer, enterprise_a, district):
    article = LegalArticle.objects.get(article="第一百零二条")
    response = api_as(officer).post(
        CASES,
        {
            "enterprise": enterprise_a.pk,
            "procedure": "general",
            "cause": "未采取措施消除事故隐患",
            "opened_on": days(-1),
            "articles": [article.pk],
            "officers": [officer.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["handling_unit"]["id"] == district.district.pk  # by default the district office
    assert body["state"] == "open" and body["articles"][0]["label"] == "《安全生产法》第一百零二条"
    assert "investigate" in body["allowed_actions"]
    assert body["days_remaining"] == 89


def test_open_refusals(officer, township_a_user, leader, enterprise_a):
    payload = {"enterprise": enterprise_a.pk, "procedure": "general", "cause": "x", "opened_on": days(0)}
    for user in (township_a_user, leader):
        assert api_as(user).post(CASES, payload, format="json").status_code == 403
    response = api_as(officer).post(CASES, {**payload, "cause": " ", "opened_on": days(3)}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"cause"}
    response = api_as(officer).post(CASES, {**payload, "opened_on": days(3)}, format="json")
    assert response.status_code == 400 and "opened_on" in response.json()
    response = api_as(officer).post(CASES, {**payload, "articles": [999999]}, format="json")
    assert response.status_code == 400 and "articles" in response.json()


def test_steps_through_the_api_with_exact_fines(officer, case_a):
    api = api_as(officer)
    assert api.post(f"{CASES}{case_a.pk}/investigate/", {}, format="json").status_code == 200
    assert (
        api.post(f"{CASES}{case_a.pk}/notify/", {"hearing_requested": False}, format="json").status_code
        == 200
    )
    response = api.post(
        f"{CASES}{case_a.pk}/decide/",
        {
            "decided_on": days(0),
            "penalties": [
                {"target": "unit", "kind": "fine", "amount": "12345.67"},
                {"target": "person", "kind": "fine", "amount": "0.10", "person_name": "张三"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert sorted(p["amount"] for p in response.json()["penalties"]) == ["0.10", "12345.67"]
    assert sum(Penalty.objects.values_list("amount", flat=True), Decimal(0)) == Decimal("12345.77")
    response = api.post(f"{CASES}{case_a.pk}/measures/", {"kind": "seal", "start_on": days(0)}, format="json")
    assert response.status_code == 201 and response.json()["kind_display"] == "临时查封"
    assert api.post(f"{CASES}{case_a.pk}/execute/", {}, format="json").status_code == 200
    response = api.post(f"{CASES}{case_a.pk}/close/", {"closed_on": days(0)}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert [e["kind"] for e in response.json()["events"]][0] == "created"


def test_stale_state_is_409_and_bad_input_400(officer, case_a):
    api = api_as(officer)
    response = api.post(
        f"{CASES}{case_a.pk}/decide/", {"decided_on": days(0), "penalties": []}, format="json"
    )
    # General procedure not yet notified: the case's state refuses the step, whatever the body.
    assert response.status_code == 409
    assert "告知" in str(response.json())
    api.post(f"{CASES}{case_a.pk}/investigate/", {}, format="json")
    assert api.post(f"{CASES}{case_a.pk}/investigate/", {}, format="json").status_code == 409
    api.post(f"{CASES}{case_a.pk}/notify/", {}, format="json")
    response = api.post(
        f"{CASES}{case_a.pk}/decide/",
        {"decided_on": days(0), "penalties": [{"target": "person", "kind": "fine", "amount": "5"}]},
        format="json",
    )
    assert response.status_code == 400 and "penalties" in response.json()
    response = api.post(f"{CASES}{case_a.pk}/no-penalty/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert Case.objects.get(pk=case_a.pk).state == CaseState.NOTIFIED


def test_roles_on_the_api(case_b, department_user, township_b_user, leader, officer):
    assert api_as(township_b_user).get(f"{CASES}{case_b.pk}/").status_code == 200
    for user in (township_b_user, leader):
        assert api_as(user).post(f"{CASES}{case_b.pk}/investigate/", {}, format="json").status_code == 403
        assert api_as(user).patch(f"{CASES}{case_b.pk}/", {"cause": "改"}, format="json").status_code == 403
    api = api_as(department_user)
    assert api.post(f"{CASES}{case_b.pk}/investigate/", {}, format="json").status_code == 200
    response = api.patch(f"{CASES}{case_b.pk}/", {"facts": "补充"}, format="json")
    assert response.status_code == 200 and response.json()["facts"] == "补充"
    ext = api.post(
        f"{CASES}{case_b.pk}/extensions/", {"new_deadline": days(120), "reason": "鉴定"}, format="json"
    )
    assert ext.status_code == 201
    decide_url = f"{CASES}{case_b.pk}/extensions/{ext.json()['id']}/decide/"
    assert api.post(decide_url, {"approve": True}, format="json").status_code == 403
    response = api_as(officer).post(decide_url, {"approve": True}, format="json")
    assert response.status_code == 200 and response.json()["decided_by"]
    assert api_as(officer).post(decide_url, {"approve": True}, format="json").status_code == 409


def test_figures_endpoint(officer, township_b_user, case_a, district, enterprise_b):
    to_decided(case_a, officer)
    api = api_as(officer)
    response = api.get(f"{CASES}figures/", {"date_from": days(-30), "date_to": days(0)})
    assert response.status_code == 200
    body = response.json()
    assert body["opened"] == 1 and body["fines"] == {
        "unit": "20000.00",
        "person": "5000.50",
        "total": "25000.50",
    }
    assert body["double_penalty"] == 1
    assert (
        api_as(township_b_user)
        .get(f"{CASES}figures/", {"date_from": days(-30), "date_to": days(0)})
        .json()["opened"]
        == 0
    )
    assert api.get(f"{CASES}figures/", {"date_from": days(0), "date_to": days(-1)}).status_code == 400


def test_legal_articles_and_schema(officer, client):
    rows = api_as(officer).get("/api/v1/legal-articles/").json()
    labels = {r["label"] for r in (rows["results"] if isinstance(rows, dict) else rows)}
    assert "《安全生产法》第九十七条" in labels
    client.force_login(officer)
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/cases/{id}/decide/", "/api/v1/cases/{id}/no-penalty/", "/api/v1/cases/figures/"):
        assert path in schema


def test_sector_handling_unit_and_text_filters(officer, enterprise_a, enterprise_b, district, sectors):
    machinery = open_case(officer, enterprise_a, district.district, cause="冲床防护罩缺失")
    construction = open_case(officer, enterprise_b, district.dept_construction)
    api = api_as(officer)

    def numbers(**params):
        return {row["number"] for row in api.get(CASES, params).json()["results"]}

    # 工贸 covers its sub-sector 机械 (enterprise A's).
    assert numbers(sector=sectors["industry-trade"].pk) == {machinery.number}
    assert numbers(sector=sectors["construction"].pk) == {construction.number}
    assert numbers(handling_unit=district.dept_construction.pk) == {construction.number}
    assert numbers(q="防护罩") == {machinery.number}
    assert numbers(procedure="simple") == set()
    assert numbers(enterprise=enterprise_b.pk) == {construction.number}
