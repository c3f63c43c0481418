"""The inspection list and export: scoped, filtered, and without N+1."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.choices import Role
from inspections.models import InspectionKind
from inspections.services import action_record
from tests.factories import EnterpriseFactory, UserFactory


@pytest.fixture
def team(district):
    return [
        UserFactory(
            role=Role.OFFICER,
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"C{i}",
            enforcement_cert_expiry=dt.date(2030, 1, 1),
        )
        for i in range(2)
    ]


def visit(officer, team, enterprises, **kw):
    return action_record(
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
