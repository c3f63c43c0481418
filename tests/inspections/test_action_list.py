"""The inspection list and export: scoped, filtered, and without N+1."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from inspections.models import InspectionKind
from inspections.services import action_create
from tests.factories import EnterpriseFactory

ACTIONS = "/api/v1/inspection-actions/"


def visit(officer, team, enterprises, **kw):
    return action_create(
        user=officer,
        date=kw.pop("date", dt.date(2026, 5, 1)),
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="special"),
        members=team,
        enterprises=enterprises,
        **kw,
    )


def listed(client, **params) -> list[str]:
    return [a.number for a in client.get(reverse("inspections:action_list"), params).context["actions"]]


def test_township_sees_only_actions_that_visited_its_enterprises(
    client, officer, team, township_a_user, enterprise_a, enterprise_b
):
    to_a = visit(officer, team, [enterprise_a])
    visit(officer, team, [enterprise_b])
    client.force_login(township_a_user)
    assert listed(client) == [to_a.number]


def test_officer_filters_by_leader_led_and_township(
    client, officer, team, district, enterprise_a, enterprise_b
):
    led = visit(
        officer, team, [enterprise_b], is_leader_led=True, leader_name="陈区长", leader_level="district"
    )
    plain = visit(officer, team, [enterprise_a])
    client.force_login(officer)
    assert listed(client, is_leader_led="true") == [led.number]
    assert listed(client, township=district.township_a.pk) == [plain.number]
    assert listed(client, date_from="2026-06-01") == []


def test_export_holds_only_the_scope_with_counts(
    client, officer, team, township_b_user, enterprise_a, enterprise_b
):
    visit(officer, team, [enterprise_a])
    to_b = visit(officer, team, [enterprise_b], experts="张工")
    client.force_login(township_b_user)
    response = client.get(reverse("inspections:action_export"))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert [(r[0], r[4], r[5]) for r in rows] == [(to_b.number, 3, 1)]


def test_list_query_count_does_not_grow(client, officer, team, district, django_assert_max_num_queries):
    client.force_login(officer)
    visit(officer, team, [EnterpriseFactory(jurisdiction=district.township_a)])
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("inspections:action_list"))
    for _ in range(10):
        visit(officer, team, EnterpriseFactory.create_batch(2, jurisdiction=district.township_b))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(reverse("inspections:action_list")).context["actions"]) == 11


def test_menu_marks_only_the_current_page(client, officer):
    client.force_login(officer)
    menu = client.get(reverse("inspections:check_item_list")).context["nav_menu"]
    assert [m["label"] for m in menu if m["active"]] == ["检查事项清单"]


def test_api_actions_and_records_are_scoped(officer, team, township_a_user, enterprise_a, enterprise_b):
    from rest_framework.test import APIClient

    to_a = visit(officer, team, [enterprise_a])
    to_b = visit(officer, team, [enterprise_b])
    api = APIClient()
    api.force_authenticate(township_a_user)
    data = api.get("/api/v1/inspection-actions/").json()
    assert [a["number"] for a in data["results"]] == [to_a.number]
    assert data["results"][0]["person_count"] == 2 and data["results"][0]["visit_count"] == 1
    assert api.get(f"/api/v1/inspection-actions/{to_b.pk}/").status_code == 404
    record_b = to_b.records.get()
    assert api.get(f"/api/v1/inspection-records/{record_b.pk}/").status_code == 404
    records = api.get("/api/v1/inspection-records/").json()["results"]
    assert [r["enterprise_name"] for r in records] == [enterprise_a.name]


def test_api_schema_lists_inspection_endpoints(client, officer):
    client.force_login(officer)
    body = client.get("/api/schema/").content
    assert b"/api/v1/inspection-actions/" in body and b"/api/v1/check-items/" in body


# ---------------------------------------------------------------- joint actions: only what the user may see


@pytest.fixture
def joint(officer, team, district, sectors, enterprise_a, enterprise_b, inspect):
    """One district outing to A's 机械 firm, B's construction firm and B's hazchem firm."""
    hazchem_b = EnterpriseFactory(jurisdiction=district.township_b, sectors=[sectors["hazchem"]])
    return inspect(officer, officer.org_unit, team, [enterprise_a, enterprise_b, hazchem_b])


def listed_counts(client, **params) -> list[tuple[int, int]]:
    page = client.get(reverse("inspections:action_list"), params)
    return [(a.pk, a.visit_count) for a in page.context["actions"]]


def test_joint_action_counts_only_the_visits_the_township_may_see(
    client, api, township_a_user, officer, joint, enterprise_a
):
    client.force_login(township_a_user)
    assert listed_counts(client) == [(joint.pk, 1)]  # its own 家次, as the action's page lists them
    export = client.get(reverse("inspections:action_export"))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert [r[5] for r in rows] == [1]
    page = client.get(reverse("inspections:action_detail", args=[joint.pk]))
    assert [r.enterprise for r in page.context["records"]] == [enterprise_a]
    api.force_authenticate(township_a_user)
    assert [a["visit_count"] for a in api.get(ACTIONS).json()["results"]] == [1]
    client.force_login(officer)
    assert listed_counts(client) == [(joint.pk, 3)]


def test_filters_match_only_visits_the_user_may_see(
    client, api, township_a_user, department_user, district, sectors, joint
):
    client.force_login(township_a_user)
    # B's construction firm is on the action, but township A cannot see it: no match through it.
    assert listed_counts(client, sector=sectors["construction"].pk) == []
    assert listed_counts(client, sector=sectors["industry-trade"].pk) == [(joint.pk, 1)]
    client.force_login(department_user)  # 住建: sees the action through B's construction firm only
    assert listed_counts(client, township=district.township_b.pk) == [(joint.pk, 1)]
    assert listed_counts(client, township=district.township_a.pk) == []
    assert listed_counts(client, sector=sectors["hazchem"].pk) == []
    export = client.get(reverse("inspections:action_export"), {"sector": sectors["hazchem"].pk})
    assert openpyxl.load_workbook(io.BytesIO(export.content)).active.max_row == 1  # the header only
    api.force_authenticate(department_user)
    assert api.get(ACTIONS, {"township": district.township_a.pk}).json()["results"] == []


# ---------------------------------------------------------------- never a 500


@pytest.mark.parametrize(
    "params",
    [
        {"organizer": "99999999999999999999"},
        {"township": "x"},
        {"date_from": "2026-13-45"},
        {"page": "99999999999999999999"},
        {"kind": "-1", "sector": "abc"},
    ],
)
def test_bad_filters_give_a_page_not_a_500(client, officer, params):
    client.force_login(officer)
    assert client.get(reverse("inspections:action_list"), params).status_code == 200
    assert client.get(reverse("inspections:action_export"), params).status_code == 200
