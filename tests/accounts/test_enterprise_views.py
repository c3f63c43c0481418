"""Enterprise pages and the API's writes: with permission, without, and with a narrower scope."""

import pytest
from django.urls import reverse

from accounts.models import Enterprise, RiskGrade
from tests.factories import EnterpriseFactory, make_uscc


def form_data(district, sectors, **overrides):
    data = {
        "uscc": make_uscc(),
        "name": "新登记企业",
        "sectors": [sectors["machinery"].pk],
        "jurisdiction": district.community_a.pk,
        "status": "operating",
    }
    data.update(overrides)
    return data


def test_officer_registers_an_enterprise_and_history_records_who(client, officer, district, sectors):
    client.force_login(officer)
    data = form_data(district, sectors)
    response = client.post(reverse("accounts:enterprise_create"), data)
    enterprise = Enterprise.objects.get(uscc=data["uscc"])
    assert response.status_code == 302 and response["Location"] == enterprise.get_absolute_url()
    assert enterprise.history.first().history_user == officer
    assert list(enterprise.sectors.all()) == [sectors["machinery"]]


def test_lower_case_code_is_normalised(client, officer, district, sectors):
    client.force_login(officer)
    code = make_uscc()
    client.post(reverse("accounts:enterprise_create"), form_data(district, sectors, uscc=f" {code.lower()} "))
    assert Enterprise.objects.filter(uscc=code).exists()


def test_bad_code_shows_a_chinese_error_and_saves_nothing(client, officer, district, sectors):
    client.force_login(officer)
    bad = make_uscc()[:-1] + ("0" if make_uscc()[-1] != "0" else "1")
    response = client.post(reverse("accounts:enterprise_create"), form_data(district, sectors, uscc=bad))
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_duplicate_code_is_refused(client, officer, district, sectors, enterprise_a):
    client.force_login(officer)
    response = client.post(
        reverse("accounts:enterprise_create"), form_data(district, sectors, uscc=enterprise_a.uscc)
    )
    assert "该统一社会信用代码已登记" in response.content.decode()
    assert Enterprise.objects.count() == 1


def test_township_user_cannot_place_an_enterprise_in_another_township(
    client, township_a_user, district, sectors
):
    client.force_login(township_a_user)
    response = client.post(
        reverse("accounts:enterprise_create"),
        form_data(district, sectors, jurisdiction=district.township_b.pk),
    )
    assert response.status_code == 200  # the choice is not offered: a form error, nothing saved
    assert not Enterprise.objects.exists()


def test_township_user_edits_own_enterprise(client, township_a_user, district, sectors, enterprise_a):
    client.force_login(township_a_user)
    data = form_data(district, sectors, uscc=enterprise_a.uscc, name="东城机械厂（更名）", version=0)
    response = client.post(reverse("accounts:enterprise_edit", args=[enterprise_a.pk]), data)
    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "东城机械厂（更名）"
    detail = client.get(enterprise_a.get_absolute_url()).content.decode()
    assert "东城机械厂（更名）" in detail and "单位名称" in detail  # the change shows in the timeline


def test_leader_can_read_but_not_create_or_edit(client, leader, district, sectors, enterprise_a):
    client.force_login(leader)
    assert client.get(enterprise_a.get_absolute_url()).status_code == 200
    assert client.get(reverse("accounts:enterprise_create")).status_code == 403
    assert client.post(reverse("accounts:enterprise_create"), form_data(district, sectors)).status_code == 403
    assert client.get(reverse("accounts:enterprise_edit", args=[enterprise_a.pk])).status_code == 403
    assert client.get(reverse("core:import_upload", args=["enterprises"])).status_code == 403


def test_list_filters_by_sector_grade_and_search(client, officer, district, sectors):
    red = RiskGrade.objects.get(code="red")
    EnterpriseFactory(
        name="红色化工", jurisdiction=district.township_a, sectors=[sectors["hazchem"]], risk_grade=red
    )
    EnterpriseFactory(name="蓝色商场", jurisdiction=district.township_b, sectors=[sectors["commerce"]])
    client.force_login(officer)
    url = reverse("accounts:enterprise_list")

    def listed(**params):
        return [e.name for e in client.get(url, params).context["enterprises"]]

    assert listed(sector=sectors["hazchem"].pk) == ["红色化工"]
    assert listed(risk_grade=red.pk) == ["红色化工"]
    assert listed(q="商场") == ["蓝色商场"]
    assert listed(township=district.township_b.pk) == ["蓝色商场"]


def test_list_pages_and_query_count_does_not_grow_with_rows(
    client, officer, district, sectors, django_assert_max_num_queries
):
    client.force_login(officer)
    url = reverse("accounts:enterprise_list")
    EnterpriseFactory.create_batch(3, jurisdiction=district.community_a)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    EnterpriseFactory.create_batch(
        40, jurisdiction=district.community_b, sectors=[sectors["gas"], sectors["fire"]]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page_obj"].paginator.num_pages == 2


@pytest.mark.parametrize("persona", ["officer", "township_a_user", "department_user", "leader", "admin_user"])
def test_every_role_has_a_home_page(client, request, persona, enterprise_a):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert (
        "工作台" in response.content.decode()
        or "驾驶舱" in response.content.decode()
        or "系统管理" in response.content.decode()
    )


def test_org_tree_page_lists_units(client, township_a_user, district):
    client.force_login(township_a_user)
    body = client.get(reverse("accounts:orgunit_list")).content.decode()
    assert "示范区" in body and "区住建局" in body and "建筑施工" in body


# ---------------------------------------------------------------- API writes


def test_api_create_in_scope(api, township_a_user, district, sectors):
    api.force_authenticate(township_a_user)
    payload = {
        "uscc": make_uscc(),
        "name": "接口企业",
        "sectors": [sectors["fire"].pk],
        "jurisdiction": district.community_a.pk,
    }
    response = api.post("/api/v1/enterprises/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["township"]["name"] == "东城街道"


def test_api_create_outside_scope_is_refused(api, township_a_user, district, sectors):
    api.force_authenticate(township_a_user)
    payload = {
        "uscc": make_uscc(),
        "name": "越界企业",
        "sectors": [sectors["fire"].pk],
        "jurisdiction": district.township_b.pk,
    }
    response = api.post("/api/v1/enterprises/", payload, format="json")
    assert response.status_code == 400
    assert "管辖范围" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_api_bad_code_is_a_400_with_the_reason(api, officer, district, sectors):
    api.force_authenticate(officer)
    payload = {
        "uscc": "123",
        "name": "x",
        "sectors": [sectors["fire"].pk],
        "jurisdiction": district.township_a.pk,
    }
    response = api.post("/api/v1/enterprises/", payload, format="json")
    assert response.status_code == 400
    assert "18位" in response.content.decode()


def test_api_patch_own_and_404_for_other(api, township_a_user, enterprise_a, enterprise_b):
    api.force_authenticate(township_a_user)
    assert (
        api.patch(
            f"/api/v1/enterprises/{enterprise_a.pk}/", {"address": "东城路1号", "version": 0}, format="json"
        ).status_code
        == 200
    )
    enterprise_a.refresh_from_db()
    assert enterprise_a.address == "东城路1号"
    assert (
        api.patch(f"/api/v1/enterprises/{enterprise_b.pk}/", {"address": "x"}, format="json").status_code
        == 404
    )


def test_api_leader_cannot_write(api, leader, enterprise_a):
    api.force_authenticate(leader)
    assert api.get(f"/api/v1/enterprises/{enterprise_a.pk}/").status_code == 200
    assert (
        api.patch(f"/api/v1/enterprises/{enterprise_a.pk}/", {"address": "x"}, format="json").status_code
        == 403
    )


def test_api_delete_is_not_offered(api, officer, enterprise_a):
    api.force_authenticate(officer)
    assert api.delete(f"/api/v1/enterprises/{enterprise_a.pk}/").status_code == 405


def test_api_filters_and_org_units(api, officer, district, enterprise_a, enterprise_b, sectors):
    api.force_authenticate(officer)
    data = api.get("/api/v1/enterprises/", {"township": district.township_b.pk}).json()
    assert [r["name"] for r in data["results"]] == ["西山建筑公司"]
    units = api.get("/api/v1/org-units/", {"kind": "department"}).json()
    assert sorted(u["name"] for u in units["results"]) == sorted(["区应急管理局", "区住建局"])


def test_openapi_schema_and_offline_docs(client, officer):
    client.force_login(officer)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/enterprises/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert (
        "swagger-ui" in docs and "cdn" not in docs.lower() and "unpkg" not in docs and "jsdelivr" not in docs
    )


def test_detail_page_of_a_unit_with_no_history_yet(client, officer, enterprise_a):
    # Bulk-loaded units (the demo, old imports) may have no history row at all.
    enterprise_a.history.all().delete()
    client.force_login(officer)
    response = client.get(enterprise_a.get_absolute_url())
    assert response.status_code == 200
    assert "暂无记录" in response.content.decode()
