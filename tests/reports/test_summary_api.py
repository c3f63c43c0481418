"""工作总结 over the API: scoped lists and reads (404 outside), create + build, rebuild keeping the
narrative, publish, the frozen version, and leaders refused every write (issue 14)."""

import datetime as dt

import pytest
from django.utils import timezone

from hazards import services as hazard_services
from reports.models import Report, ReportKind, ReportSection
from reports.periods import Period
from reports.scopes import StatsScope
from reports.services_summaries import report_create
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def hazards(user, enterprise, n: int) -> None:
    today = timezone.localdate()
    for _ in range(n):
        hazard_services.hazard_create(
            user=user, data=hazard_data(enterprise, found_on=today, deadline=today + dt.timedelta(days=10))
        )


def annual(user, unit=None) -> Report:
    return report_create(
        kind=ReportKind.ANNUAL, period=Period(YEAR, "year"), stats_scope=StatsScope(unit), user=user
    )


def test_the_list_and_a_report_are_scoped(api, district, officer, township_a_user, department_user):
    whole = annual(officer)
    town_a = annual(officer, district.township_a)
    town_b = annual(officer, district.township_b)
    dept = annual(officer, district.dept_construction)

    api.force_authenticate(township_a_user)
    listed = api.get("/api/v1/reports/")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [town_a.pk]
    assert api.get(f"/api/v1/reports/{town_a.pk}/").status_code == 200
    for outside in (whole, town_b, dept):
        assert api.get(f"/api/v1/reports/{outside.pk}/").status_code == 404
        assert api.post(f"/api/v1/reports/{outside.pk}/build/").status_code == 404
        assert api.get(f"/api/v1/reports/{outside.pk}/versions/").status_code == 404

    api.force_authenticate(department_user)
    assert [r["id"] for r in api.get("/api/v1/reports/").json()["results"]] == [dept.pk]

    api.force_authenticate(officer)
    assert {r["id"] for r in api.get("/api/v1/reports/", {"kind": "annual"}).json()["results"]} == {
        whole.pk,
        town_a.pk,
        town_b.pk,
        dept.pk,
    }
    bad = api.get("/api/v1/reports/", {"kind": "weekly"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_create_builds_and_a_rebuild_keeps_the_narrative(api, district, township_a_user, enterprise_a):
    hazards(township_a_user, enterprise_a, 2)
    api.force_authenticate(township_a_user)
    created = api.post("/api/v1/reports/", {"kind": "annual", "year": YEAR}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["scope_code"] == str(district.township_a.pk)
    risk = next(s for s in body["sections"] if s["key"] == "risk_control")
    assert "建立隐患台账2个" in risk["figure_text"]
    assert ["2个", "hazards.found"] in risk["parts"]

    highlights = next(s for s in body["sections"] if s["key"] == "highlights")
    patched = api.patch(
        f"/api/v1/reports/{body['id']}/sections/{highlights['id']}/", {"narrative": "夜查"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["narrative"] == "夜查"

    hazards(township_a_user, enterprise_a, 1)
    rebuilt = api.post(f"/api/v1/reports/{body['id']}/build/")
    assert rebuilt.status_code == 200
    sections = {s["key"]: s for s in rebuilt.json()["sections"]}
    assert sections["highlights"]["narrative"] == "夜查"
    assert "建立隐患台账3个" in sections["risk_control"]["figure_text"]
    changed = {row["key"]: row for row in rebuilt.json()["changed"]}
    assert (changed["hazards.found"]["before"], changed["hazards.found"]["now"]) == ("2个", "3个")

    outside = api.post(
        "/api/v1/reports/", {"kind": "annual", "year": YEAR, "scope": district.township_b.pk}, format="json"
    )
    assert outside.status_code == 404
    missing = api.post("/api/v1/reports/", {"kind": "quarterly", "year": YEAR}, format="json")
    assert missing.status_code == 400 and "quarter" in missing.json()


def test_publish_freezes_a_version_the_api_returns_unchanged(api, officer, enterprise_a):
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    api.force_authenticate(officer)
    published = api.post(f"/api/v1/reports/{report.pk}/publish/")
    assert published.status_code == 201
    version = published.json()
    assert version["number"] == 1

    hazards(officer, enterprise_a, 4)
    api.post(f"/api/v1/reports/{report.pk}/build/")
    frozen = api.get(f"/api/v1/report-versions/{version['id']}/")
    assert frozen.status_code == 200
    assert frozen.json()["content"] == version["content"]
    assert frozen.json()["figures"]["district"]["hazards.found"]["value"] == 2
    risk = next(s for s in frozen.json()["content"]["sections"] if s["key"] == "risk_control")
    assert "建立隐患台账2个" in risk["figure_text"]
    listed = api.get(f"/api/v1/reports/{report.pk}/versions/")
    assert [v["number"] for v in listed.json()] == [1]


def test_a_leader_reads_but_is_refused_every_write(api, district, officer, leader, township_a_user):
    report = annual(officer)
    section = report.sections.get(key="highlights")
    api.force_authenticate(officer)
    version_id = api.post(f"/api/v1/reports/{report.pk}/publish/").json()["id"]

    api.force_authenticate(leader)
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 200
    assert api.get(f"/api/v1/report-versions/{version_id}/").status_code == 200
    assert api.post("/api/v1/reports/", {"kind": "annual", "year": YEAR}, format="json").status_code == 403
    assert api.post(f"/api/v1/reports/{report.pk}/build/").status_code == 403
    assert api.post(f"/api/v1/reports/{report.pk}/publish/").status_code == 403
    patch = api.patch(
        f"/api/v1/reports/{report.pk}/sections/{section.pk}/", {"narrative": "x"}, format="json"
    )
    assert patch.status_code == 403
    assert ReportSection.objects.get(pk=section.pk).narrative == section.narrative

    api.force_authenticate(township_a_user)
    assert api.get(f"/api/v1/report-versions/{version_id}/").status_code == 404


def test_templates_are_read_with_their_sections(api, township_a_user):
    api.force_authenticate(township_a_user)
    listed = api.get("/api/v1/report-templates/")
    assert listed.status_code == 200
    annual_template = next(t for t in listed.json()["results"] if t["kind"] == "annual")
    assert [s["key"] for s in annual_template["sections"]][:2] == ["overview", "measures"]
    assert api.post("/api/v1/report-templates/", {}, format="json").status_code == 405


def test_the_report_list_needs_a_bounded_number_of_queries(
    api, district, officer, django_assert_max_num_queries
):
    for unit in (None, district.township_a, district.township_b, district.dept_construction):
        annual(officer, unit)
    api.force_authenticate(officer)
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/reports/").status_code == 200
