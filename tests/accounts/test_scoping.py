"""The one scoping rule, checked through selectors, pages, the API and the export."""

import io

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import selectors
from accounts.choices import OrgKind, Role
from accounts.models import Enterprise, OrgUnit
from accounts.scoping import restrict, scope_for
from tests.factories import EnterpriseFactory, UserFactory


@pytest.fixture
def many(district, sectors, enterprise_a, enterprise_b):
    """Besides enterprise_a (A, 机械) and enterprise_b (B, 建筑施工): a construction firm in A, and a
    hazchem firm in B that names 住建 as supervising department."""
    c = EnterpriseFactory(
        name="东城建工", jurisdiction=district.township_a, sectors=[sectors["construction"]]
    )
    d = EnterpriseFactory(
        name="西山化工",
        jurisdiction=district.community_b,
        sectors=[sectors["hazchem"], sectors["gas"]],
        supervising_department=district.dept_construction,
    )
    return {"a": enterprise_a, "b": enterprise_b, "c": c, "d": d}


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_officer_and_district_leader_see_everything(officer, leader, many):
    assert names(selectors.enterprise_list(user=officer)) == names(Enterprise.objects.all())
    assert names(selectors.enterprise_list(user=leader)) == names(Enterprise.objects.all())


def test_township_user_sees_only_its_subtree(township_a_user, township_b_user, many):
    assert names(selectors.enterprise_list(user=township_a_user)) == ["东城建工", "东城机械厂"]
    assert names(selectors.enterprise_list(user=township_b_user)) == ["西山化工", "西山建筑公司"]


def test_department_user_sees_its_sectors_and_the_units_it_supervises(department_user, many):
    # 住建 supervises 建筑施工; 西山化工 is not construction but names 住建 as its department.
    assert names(selectors.enterprise_list(user=department_user)) == ["东城建工", "西山化工", "西山建筑公司"]


def test_department_with_parent_sector_covers_sub_sectors(district, many):
    emergency = UserFactory(role=Role.DEPARTMENT, org_unit=district.dept_emergency)
    # 应急 supervises 危险化学品 and 工贸; 机械 is a sub-sector of 工贸.
    assert names(selectors.enterprise_list(user=emergency)) == ["东城机械厂", "西山化工"]


def test_multi_sector_record_appears_once(district, sectors):
    zj = district.dept_construction
    zj.supervised_sectors.add(sectors["gas"])
    EnterpriseFactory(jurisdiction=district.township_b, sectors=[sectors["construction"], sectors["gas"]])
    user = UserFactory(role=Role.DEPARTMENT, org_unit=zj)
    assert selectors.enterprise_list(user=user).count() == 1


def test_township_leader_sees_only_its_township(district, many):
    leader_a = UserFactory(role=Role.LEADER, org_unit=district.township_a)
    assert names(selectors.enterprise_list(user=leader_a)) == ["东城建工", "东城机械厂"]


def test_leader_may_not_change_anything(leader, many):
    assert restrict(Enterprise.objects.all(), leader, "change").count() == 0
    assert scope_for(leader, "change").nothing


def test_inactive_or_unplaced_users_see_nothing(district, many):
    inactive = UserFactory(role=Role.OFFICER, is_active=False)
    assert restrict(Enterprise.objects.all(), inactive).count() == 0


def test_subtree_is_one_query_whatever_the_depth(district, township_a_user, django_assert_num_queries):
    deep = district.community_a
    for level in range(6):
        deep = OrgUnit.objects.create(name=f"网格{level}", kind=OrgKind.COMMUNITY, parent=deep)
    EnterpriseFactory(jurisdiction=deep)
    scope_for(township_a_user)  # resolve the user's scope once (cached per request)
    with django_assert_num_queries(1):
        assert restrict(Enterprise.objects.all(), township_a_user).count() == 1


def test_moving_a_unit_moves_its_subtree(district, township_b_user, enterprise_a):
    district.community_a.parent = district.township_b
    district.community_a.save()
    fresh = UserFactory(role=Role.TOWNSHIP, org_unit=district.township_b)
    assert enterprise_a in selectors.enterprise_list(user=fresh)


# ---------------------------------------------------------------- pages


def test_township_a_gets_404_for_township_b_enterprise_page(client, township_a_user, enterprise_b):
    client.force_login(township_a_user)
    assert client.get(reverse("accounts:enterprise_detail", args=[enterprise_b.pk])).status_code == 404
    assert client.get(reverse("accounts:enterprise_edit", args=[enterprise_b.pk])).status_code == 404


def test_township_a_sees_own_enterprise_page(client, township_a_user, enterprise_a):
    client.force_login(township_a_user)
    response = client.get(reverse("accounts:enterprise_detail", args=[enterprise_a.pk]))
    assert response.status_code == 200
    assert "东城机械厂" in response.content.decode()


def test_list_page_holds_only_own_enterprises(client, township_a_user, many):
    client.force_login(township_a_user)
    body = client.get(reverse("accounts:enterprise_list")).content.decode()
    assert "东城机械厂" in body and "东城建工" in body
    assert "西山建筑公司" not in body and "西山化工" not in body


def test_list_page_does_not_count_hidden_records(client, township_a_user, many):
    client.force_login(township_a_user)
    response = client.get(reverse("accounts:enterprise_list"))
    assert response.context["page_obj"].paginator.count == 2


def test_anonymous_is_sent_to_login(client, enterprise_a):
    response = client.get(reverse("accounts:enterprise_detail", args=[enterprise_a.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# ---------------------------------------------------------------- export


def export_names(client, **params) -> list[str]:
    response = client.get(reverse("accounts:enterprise_export"), params)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    col = header.index("单位名称")
    return sorted(row[col] for row in sheet.iter_rows(min_row=2, values_only=True) if row[col])


def test_export_holds_only_the_users_scope(client, township_a_user, many):
    client.force_login(township_a_user)
    assert export_names(client) == ["东城建工", "东城机械厂"]


def test_export_cannot_be_widened_by_filtering_for_another_township(client, township_a_user, district, many):
    client.force_login(township_a_user)
    # Township B is not among A's choices, so the filter is invalid and the export is empty.
    assert export_names(client, township=district.township_b.pk) == []
    assert "西山建筑公司" not in export_names(client, q="西山")


def test_department_export_holds_only_its_sectors(client, department_user, many):
    client.force_login(department_user)
    assert export_names(client) == ["东城建工", "西山化工", "西山建筑公司"]


# ---------------------------------------------------------------- API


@pytest.fixture
def api():
    return APIClient()


def test_api_township_a_gets_404_for_township_b_enterprise(api, township_a_user, enterprise_b):
    api.force_authenticate(township_a_user)
    assert api.get(f"/api/v1/enterprises/{enterprise_b.pk}/").status_code == 404


def test_api_list_is_scoped_and_counted_in_scope(api, township_a_user, many):
    api.force_authenticate(township_a_user)
    data = api.get("/api/v1/enterprises/").json()
    assert data["count"] == 2
    assert sorted(r["name"] for r in data["results"]) == ["东城建工", "东城机械厂"]


def test_api_department_sees_only_its_sectors(api, department_user, many):
    api.force_authenticate(department_user)
    data = api.get("/api/v1/enterprises/").json()
    assert sorted(r["name"] for r in data["results"]) == ["东城建工", "西山化工", "西山建筑公司"]


def test_api_token_login_and_use(api, township_a_user, enterprise_a):
    response = api.post("/api/v1/auth/token/", {"username": "township_a", "password": "demo12345"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == township_a_user
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/v1/enterprises/{enterprise_a.pk}/").json()["uscc"] == enterprise_a.uscc


def test_api_token_refused_for_wrong_password(api, township_a_user):
    assert api.post("/api/v1/auth/token/", {"username": "township_a", "password": "nope"}).status_code == 400


def test_api_requires_authentication(api, enterprise_a):
    assert api.get("/api/v1/enterprises/").status_code in (401, 403)


def test_api_id_that_is_not_a_number_is_404_not_an_error(api, officer, enterprise_a):
    api.force_authenticate(officer)
    assert api.get("/api/v1/enterprises/abc/").status_code == 404
    assert api.get(f"/api/v1/enterprises/{enterprise_a.pk}/").status_code == 200


def test_a_department_scope_tests_its_sectors_per_record_not_by_an_id_list(department_user, many):
    """EXISTS per record, never `pk IN (SELECT …)`: inside the scope's OR, Postgres cannot hash an id list
    larger than work_mem and rescans it for every row (a city department's 1.2M hazards: the ledger never
    came back). The records found are the same (the tests above)."""
    sql = str(restrict(Enterprise.objects.all(), department_user).query).upper()
    assert "EXISTS(" in sql
    assert '"ID" IN (SELECT' not in sql
