"""What enforcement adds to the pages below it (core.panels) and the menu: the home queue of cases near
their limit (officers and departments only), the enterprise page's cases and 立案 button, the hazard
page's cases and 立案查处, the inspection record's 立案 — each shown or hidden by role and scope."""

import pytest
from django.urls import reverse

from tests.enforcement.conftest import open_case
from tests.hazards.conftest import inspection, record  # noqa: F401  (the inspection fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def near_case(officer, enterprise_a, district):
    """一般程序, opened 85 days ago: 5 days left — within the 10-day warning."""
    return open_case(officer, enterprise_a, district.dept_emergency, opened_days_ago=85)


def home(client, user) -> str:
    client.force_login(user)
    return client.get("/").content.decode()


def test_menu_entry_for_every_role(client, officer, township_a_user, leader, department_user):
    for user in (officer, township_a_user, leader, department_user):
        body = home(client, user)
        assert reverse("enforcement:case_list") in body and "行政执法" in body


def test_home_panel_for_those_who_handle_cases(
    client, officer, township_a_user, leader, department_user, near_case, enterprise_b, district
):
    body = home(client, officer)
    assert 'id="home-cases"' in body and near_case.number in body and "剩 5 天" in body
    for user in (township_a_user, leader):  # they read cases, they do not handle them
        assert 'id="home-cases"' not in home(client, user)
    assert 'id="home-cases"' not in home(client, department_user)  # nothing of its own near the limit
    own = open_case(officer, enterprise_b, district.dept_construction, opened_days_ago=100)
    body = home(client, department_user)
    assert 'id="home-cases"' in body and own.number in body and near_case.number not in body
    assert "超期 10 天" in body


def test_home_panel_leaves_out_decided_and_simple_cases(client, officer, enterprise_a, district):
    open_case(officer, enterprise_a, district.dept_emergency, opened_days_ago=30)  # 60 days left
    open_case(officer, enterprise_a, district.dept_emergency, procedure="simple", opened_days_ago=100)
    assert 'id="home-cases"' not in home(client, officer)


def test_enterprise_page(client, officer, township_a_user, township_b_user, leader, near_case, enterprise_a):
    page = reverse("accounts:enterprise_detail", args=[enterprise_a.pk])
    client.force_login(officer)
    body = client.get(page).content.decode()
    assert 'id="enterprise-cases"' in body and near_case.number in body
    assert 'id="enterprise-case-open"' in body
    assert f"{reverse('enforcement:case_create')}?enterprise={enterprise_a.pk}" in body
    for reader in (township_a_user, leader):
        client.force_login(reader)
        body = client.get(page).content.decode()
        assert near_case.number in body and 'id="enterprise-case-open"' not in body
    client.force_login(township_b_user)
    assert client.get(page).status_code == 404


def test_enterprise_page_of_another_units_case(client, department_user, officer, enterprise_b, district):
    """住建 sees the firm (its sector) but not the 应急局's case about it."""
    theirs = open_case(officer, enterprise_b, district.dept_emergency)
    ours = open_case(officer, enterprise_b, district.dept_construction)
    client.force_login(department_user)
    body = client.get(reverse("accounts:enterprise_detail", args=[enterprise_b.pk])).content.decode()
    assert ours.number in body and theirs.number not in body
    assert 'id="enterprise-case-open"' in body


def test_hazard_page(client, officer, township_a_user, leader, enterprise_a, district):
    hazard = record(officer, enterprise_a)
    page = reverse("hazards:hazard_detail", args=[hazard.pk])
    client.force_login(officer)
    body = client.get(page).content.decode()
    assert 'id="hazard-cases"' in body and 'id="hazard-case-open"' in body and "该隐患尚未立案" in body
    client.force_login(township_a_user)  # reads, opens nothing: no panel while there is no case
    assert 'id="hazard-cases"' not in client.get(page).content.decode()
    case = open_case(officer, enterprise_a, district.dept_emergency, source_hazard=hazard)
    for user in (township_a_user, leader):
        client.force_login(user)
        body = client.get(page).content.decode()
        assert case.number in body and 'id="hazard-case-open"' not in body


def test_record_page(client, officer, township_a_user, inspection, district):  # noqa: F811
    rec = inspection["record_a"]
    page = reverse("inspections:record_detail", args=[rec.pk])
    client.force_login(township_a_user)
    body = client.get(page).content.decode()
    assert 'id="record-cases"' not in body and 'id="record-case-open"' not in body
    case = open_case(officer, rec.enterprise, district.dept_emergency, source_record=rec)
    body = client.get(page).content.decode()
    assert (
        body.count('id="record-cases"') == 1 and case.number in body and 'id="record-case-open"' not in body
    )
    client.force_login(officer)
    body = client.get(page).content.decode()
    assert body.count('id="record-case-open"') == 1 and case.number in body
