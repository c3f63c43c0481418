"""The audit log (logger "safety.audit"): every login, success and failure, with user and IP, and every
export with who, what, which filters and how many rows — one JSON line each, for the log collector."""

import datetime as dt
import json
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from core.models import ImportJob
from hazards.services import hazard_create
from inspections.models import InspectionKind
from inspections.services import TargetData, action_create, draw_create, plan_create
from tests.factories import EnterpriseFactory, UserFactory
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def audit(caplog):
    caplog.set_level(logging.INFO, logger="safety.audit")

    def events(kind: str) -> list[dict]:
        found = [r.audit for r in caplog.records if r.name == "safety.audit" and r.audit["event"] == kind]
        for r in caplog.records:
            if r.name == "safety.audit":
                assert json.loads(r.getMessage()) == r.audit  # the line itself is the JSON record
        return found

    return events


def test_successful_login_is_logged_with_user_and_ip(client, township_a_user, audit):
    client.post("/login/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR="10.1.2.3")
    [event] = audit("login")
    assert event["user"] == "township_a" and event["ip"] == "10.1.2.3"


def test_failed_login_is_logged_with_the_name_tried_and_ip_never_the_password(client, township_a_user, audit):
    client.post("/login/", {"username": "township_a", "password": "s3cret-typo"}, REMOTE_ADDR="10.1.2.4")
    [event] = audit("login_failed")
    assert event["user"] == "township_a" and event["ip"] == "10.1.2.4"
    assert "s3cret-typo" not in json.dumps(event)


def test_token_login_and_failure_are_logged(api, township_a_user, audit):
    api.post("/api/v1/auth/token/", {"username": "township_a", "password": "bad"}, REMOTE_ADDR="10.1.2.5")
    api.post(
        "/api/v1/auth/token/", {"username": "township_a", "password": "demo12345"}, REMOTE_ADDR="10.1.2.5"
    )
    assert [e["ip"] for e in audit("login_failed")] == ["10.1.2.5"]
    assert [(e["user"], e["ip"], e["via"]) for e in audit("login")] == [("township_a", "10.1.2.5", "token")]


def test_logout_is_logged(client, township_a_user, audit):
    client.force_login(township_a_user)
    client.post("/logout/")
    [event] = audit("logout")
    assert event["user"] == "township_a"


def test_enterprise_export_is_logged_with_filters_and_row_count(
    client, township_a_user, enterprise_a, enterprise_b, audit
):
    client.force_login(township_a_user)
    response = client.get(reverse("accounts:enterprise_export"), {"q": "东城"})
    assert response.status_code == 200
    [event] = audit("export")
    assert event["user"] == "township_a"
    assert event["what"] == "enterprises"
    assert event["filters"] == {"q": "东城"}
    assert event["rows"] == 1  # enterprise_b is outside township A's scope


def test_inspection_and_hazard_exports_are_logged(client, officer, enterprise_a, audit):
    action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a],
    )
    hazard_create(user=officer, data=hazard_data(enterprise_a))
    client.force_login(officer)
    assert client.get(reverse("inspections:action_export")).status_code == 200
    assert client.get(reverse("hazards:hazard_export"), {"state": ""}).status_code == 200
    events = audit("export")
    assert [(e["what"], e["rows"]) for e in events] == [("inspections", 1), ("hazards", 1)]
    assert events[1]["filters"] == {"state": ""}


def test_draw_export_is_logged_with_the_draw_number(client, officer, district, sectors, audit):
    for i in range(3):
        UserFactory(
            org_unit=officer.org_unit,
            role=Role.DEPARTMENT,
            enforcement_cert_no=f"湘执审{i}",
            enforcement_cert_expiry=TODAY + dt.timedelta(days=365),
        )
    for _ in range(2):
        EnterpriseFactory(jurisdiction=district.township_a, sectors=[sectors["hazchem"]])
    draw = draw_create(
        user=officer,
        organizer=officer.org_unit,
        title="审计测试抽取",
        planned_date=TODAY + dt.timedelta(days=10),
        sector_ids=[],
        township_ids=[],
        risk_grade_ids=[],
        n=2,
        m=2,
        weighted_by_grade=False,
    )
    client.force_login(officer)
    assert client.get(reverse("inspections:draw_export", args=[draw.pk])).status_code == 200
    [event] = audit("export")
    assert event["what"] == "draw" and event["object"] == draw.number and event["rows"] == 2


def test_plan_export_is_logged(client, officer, district, audit):
    plan = plan_create(
        user=officer,
        organizer=district.township_a,
        year=TODAY.year,
        month=None,
        title="东城街道年度检查计划",
        note="",
        targets=[TargetData(4, township=district.township_a), TargetData(2)],
    )
    client.force_login(officer)
    assert client.get(reverse("inspections:plan_export", args=[plan.pk])).status_code == 200
    [event] = audit("export")
    assert event["what"] == "plan" and event["object"] == plan.pk and event["rows"] == 2


def test_import_errors_export_is_logged(client, township_a_user, audit):
    job = ImportJob.objects.create(
        kind="enterprises",
        user=township_a_user,
        filename="台账.xlsx",
        status=ImportJob.Status.FAILED,
        errors=[
            {"row": 2, "column": "单位名称", "message": "必填"},
            {"row": 3, "column": "", "message": "x"},
        ],
    )
    client.force_login(township_a_user)
    assert client.get(reverse("core:import_job_errors", args=[job.pk])).status_code == 200
    [event] = audit("export")
    assert event["what"] == "import_errors" and event["object"] == job.pk and event["rows"] == 2


def test_record_pdf_is_logged(client, officer, enterprise_a, audit, cheap_pdfs):
    """The audit line, not the printout (tests/inspections/test_record_pdf.py reads that)."""
    action = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a],
    )
    record = action.records.get()
    client.force_login(officer)
    assert client.get(reverse("inspections:record_pdf", args=[record.pk])).status_code == 200
    [event] = audit("export")
    assert event["what"] == "record_pdf" and event["object"] == record.pk and event["rows"] == 1


def test_an_outsider_refused_an_export_leaves_no_export_line(client, township_b_user, audit):
    job = ImportJob.objects.create(kind="enterprises", user=UserFactory(), filename="x.xlsx", errors=[])
    client.force_login(township_b_user)
    assert client.get(reverse("core:import_job_errors", args=[job.pk])).status_code == 404
    assert audit("export") == []
