"""/api/v1/campaigns/: everyone reads; the district office and the lead department write (400 by
field in Chinese, 403 otherwise); progress counted from the tagged records the caller may see."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.choices import TargetMetric
from campaigns.models import Campaign, CampaignKind
from inspections.models import InspectionKind
from inspections.services import action_create
from tests.campaigns.campaign_world import make_campaign

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
URL = "/api/v1/campaigns/"


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def campaign(officer, district):
    return make_campaign(
        officer,
        district.dept_emergency,
        start=TODAY - dt.timedelta(days=10),
        end=TODAY + dt.timedelta(days=10),
        members=[district.township_a],
        targets=[(TargetMetric.INSPECTIONS, 4)],
        phases=[("排查攻坚", TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=10))],
    )


def body(district, **overrides) -> dict:
    data = {
        "kind": CampaignKind.objects.get(code="three-year").pk,
        "name": "安全生产专项整治三年行动",
        "start_on": "2026-01-01",
        "end_on": "2028-12-31",
        "lead_department": district.dept_emergency.pk,
        "member_units": [district.township_a.pk, district.township_b.pk],
        "phases": [
            {"name": "动员部署", "start_on": "2026-01-01", "end_on": "2026-03-31"},
            {"name": "集中攻坚", "start_on": "2026-04-01", "end_on": "2028-06-30"},
        ],
        "targets": [{"metric": "major_hazards_closed", "target": "10"}],
    }
    data.update(overrides)
    return data


def test_everyone_reads_the_list_and_a_campaign(township_b_user, leader, campaign):
    for user in (township_b_user, leader):
        listed = api_as(user).get(URL)
        assert listed.status_code == 200 and [c["id"] for c in listed.json()["results"]] == [campaign.pk]
        one = api_as(user).get(f"{URL}{campaign.pk}/").json()
        assert one["name"] == "危化品安全专项整治" and one["state"] == "active"
        assert one["phases"][0]["name"] == "排查攻坚" and one["targets"][0]["metric"] == "inspections"
    assert api_as(leader).get(URL, {"state": "ended"}).json()["results"] == []
    assert api_as(leader).get(URL, {"state": "bogus"}).status_code == 400
    assert APIClient().get(URL).status_code in (401, 403)


def test_officer_creates_updates_and_deletes(officer, district):
    api = api_as(officer)
    created = api.post(URL, body(district), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert [p["name"] for p in created.json()["phases"]] == ["动员部署", "集中攻坚"]
    patched = api.patch(f"{URL}{pk}/", {"name": "三年行动（修订）"}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "三年行动（修订）"
    assert len(patched.json()["phases"]) == 2  # kept: not sent
    child = api.post(
        URL,
        body(
            district, name="危化品专项整治", parent=pk, start_on="2026-03-01", end_on="2026-12-31", phases=[]
        ),
        format="json",
    )
    assert child.status_code == 201, child.json()
    assert api.delete(f"{URL}{pk}/").status_code == 400  # it has a sub-plan
    assert api.delete(f"{URL}{child.json()['id']}/").status_code == 204
    assert api.delete(f"{URL}{pk}/").status_code == 204


def test_bad_input_answers_400_by_field(officer, district):
    api = api_as(officer)
    response = api.post(URL, body(district, end_on="2025-12-31"), format="json")
    assert response.status_code == 400 and "end_on" in response.json()
    response = api.post(URL, body(district, lead_department=district.township_a.pk), format="json")
    assert response.status_code == 400 and "lead_department" in response.json()
    response = api.post(
        URL, body(district, targets=[{"metric": "hazards_found", "target": "2.5"}]), format="json"
    )
    assert response.status_code == 400 and "targets" in response.json()
    response = api.post(URL, body(district, targets=[{"metric": "nonsense", "target": "1"}]), format="json")
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_township_leader_and_other_department_may_not_write(
    township_a_user, leader, department_user, district, campaign
):
    for user in (township_a_user, leader):
        assert api_as(user).post(URL, body(district), format="json").status_code == 403
        assert api_as(user).patch(f"{URL}{campaign.pk}/", {"name": "x"}, format="json").status_code == 403
        assert api_as(user).delete(f"{URL}{campaign.pk}/").status_code == 403
    # 住建局 does not lead this one
    assert (
        api_as(department_user).patch(f"{URL}{campaign.pk}/", {"name": "x"}, format="json").status_code == 403
    )
    own = api_as(department_user).post(
        URL, body(district, lead_department=district.dept_construction.pk), format="json"
    )
    assert own.status_code == 201
    assert Campaign.objects.get(pk=campaign.pk).name == "危化品安全专项整治"
    assert api_as(department_user).get(f"{URL}999999/").status_code == 404


def test_progress_counts_tagged_records_in_the_callers_scope(
    officer, township_b_user, district, enterprise_a, campaign
):
    action_create(
        user=officer,
        date=TODAY,
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="covert"),
        members=[officer],
        enterprises=[enterprise_a],
        campaign=campaign,
    )
    mine = api_as(officer).get(f"{URL}{campaign.pk}/progress/").json()
    assert mine["scoped"] is False
    assert mine["targets"][0]["metric"] == "inspections"
    assert mine["targets"][0]["done"] == "1.00" and mine["targets"][0]["percent"] == "25.0"
    tagged = {t["key"]: t["value"] for t in mine["tagged"]}
    assert tagged["enterprises_inspected"] == "1.00"
    theirs = api_as(township_b_user).get(f"{URL}{campaign.pk}/progress/").json()
    assert theirs["scoped"] is True and theirs["targets"][0]["done"] == "0.00"


def test_inspection_and_hazard_api_accept_and_return_the_campaign(officer, district, enterprise_a, campaign):
    api = api_as(officer)
    created = api.post(
        "/api/v1/inspection-actions/",
        {
            "date": TODAY.isoformat(),
            "kind": "covert",
            "organizer": district.dept_emergency.pk,
            "members": [officer.pk],
            "campaign": campaign.pk,
            "records": [{"enterprise": enterprise_a.pk}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["campaign"] == campaign.pk
    listed = api.get("/api/v1/inspection-actions/", {"campaign": campaign.pk}).json()
    assert [a["id"] for a in listed["results"]] == [created.json()["id"]]
    record = created.json()["records"][0]["id"]
    hazard = api.post(
        "/api/v1/hazards/",
        {
            "enterprise": enterprise_a.pk,
            "source": "inspection",
            "description": "消防通道堵塞",
            "found_on": TODAY.isoformat(),
            "deadline": (TODAY + dt.timedelta(days=10)).isoformat(),
            "inspection_record": record,
        },
        format="json",
    )
    assert hazard.status_code == 201, hazard.json()
    assert hazard.json()["campaign"] == campaign.pk  # the inspection's campaign by default
    late = api.post(
        "/api/v1/inspection-actions/",
        {
            "date": (TODAY - dt.timedelta(days=30)).isoformat(),
            "kind": "covert",
            "organizer": district.dept_emergency.pk,
            "members": [officer.pk],
            "campaign": campaign.pk,
            "records": [{"enterprise": enterprise_a.pk}],
        },
        format="json",
    )
    assert late.status_code == 400 and "不在专项行动" in str(late.json()["campaign"])
