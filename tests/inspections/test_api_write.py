"""Writing inspections through the API: an action with its visits in one call, record edits, photos.

Every write goes through the services and the scoping rule: out-of-scope enterprises are refused
without being named, records of another township answer 404, the leader reads only.
"""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from accounts.choices import Role
from accounts.models import NumberSequence
from hazards.services import hazard_from_check_result
from inspections.choices import ActionStatus, CheckResultValue
from inspections.models import (
    CheckItem,
    CheckResult,
    InspectionAction,
    InspectionKind,
    InspectionRecord,
    RecordPhoto,
)
from inspections.services import ResultData, VisitData, action_create
from tests.factories import UserFactory

ACTIONS = "/api/v1/inspection-actions/"
RECORDS = "/api/v1/inspection-records/"
TODAY = timezone.localdate()


@pytest.fixture
def township_team(district, certified):
    return certified(district.township_a, role=Role.TOWNSHIP)


@pytest.fixture
def items(sectors):
    """One item for 工贸 (enterprise A is 机械, a 工贸 sub-sector) and two for 建筑施工 (enterprise B)."""
    return {
        "trade": CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-01", title="有限空间作业是否审批"
        ),
        "site": CheckItem.objects.create(
            sector=sectors["construction"], code="JZ-01", title="临边洞口防护是否到位"
        ),
        "crane": CheckItem.objects.create(
            sector=sectors["construction"], code="JZ-02", title="起重机械是否检验合格"
        ),
    }


def payload(members, records, **kw) -> dict:
    return {
        "date": "2026-05-12",
        "kind": "special",
        "members": [m.pk for m in members],
        "records": records,
        **kw,
    }


def png(name: str = "scene.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.name = name
    buffer.seek(0)
    return buffer


def test_officer_creates_an_action_with_two_visits_and_results_in_one_call(
    api, officer, team, items, enterprise_a, enterprise_b
):
    api.force_authenticate(officer)
    body = payload(
        team,
        [
            {"enterprise": enterprise_a.pk, "results": [{"item": items["trade"].pk, "result": "compliant"}]},
            {
                "enterprise": enterprise_b.pk,
                "findings": "三层临边未设防护栏杆",
                "results": [
                    {"item": items["site"].pk, "result": "noncompliant", "note": "三层临边无防护"},
                    {"item": items["crane"].pk, "result": "compliant"},
                ],
            },
        ],
        experts="张工、李工",
        is_leader_led=True,
        leader_name="刘建平（副区长）",
        leader_level="district",
        note="专项行动：安全生产月集中执法检查",
    )
    response = api.post(ACTIONS, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()

    action = InspectionAction.objects.get()
    assert data["id"] == action.pk and data["number"] == action.number
    assert re.fullmatch(r"区应急管理局检〔2026〕1号", action.number)
    assert action.person_count == 4 and action.is_leader_led and action.leader_level == "district"
    assert action.records.count() == 2
    assert {r["enterprise"] for r in data["records"]} == {enterprise_a.pk, enterprise_b.pk}
    assert all(r["number"].startswith("区应急管理局现检〔2026〕") for r in data["records"])
    assert {m["id"] for m in data["members"]} == {m.pk for m in team}
    record_b = InspectionRecord.objects.get(enterprise=enterprise_b)
    assert record_b.findings == "三层临边未设防护栏杆"
    assert set(record_b.results.values_list("item__code", "result", "note")) == {
        ("JZ-01", "noncompliant", "三层临边无防护"),
        ("JZ-02", "compliant", ""),
    }
    assert CheckResult.objects.count() == 3


def test_kind_by_id_and_organizer_defaults_to_the_callers_unit(
    api, township_a_user, township_team, enterprise_a
):
    api.force_authenticate(township_a_user)
    kind = InspectionKind.objects.get(code="routine")
    response = api.post(
        ACTIONS, payload(township_team, [{"enterprise": enterprise_a.pk}], kind=kind.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"]["code"] == "routine"
    assert response.json()["organizer"]["name"] == "东城街道"
    assert response.json()["number"] == "东城街道检〔2026〕1号"


def test_certificate_rule_answers_400_in_chinese(api, officer, district, enterprise_a):
    uncertified = [UserFactory(org_unit=district.dept_emergency) for _ in range(2)]
    api.force_authenticate(officer)
    response = api.post(ACTIONS, payload(uncertified, [{"enterprise": enterprise_a.pk}]), format="json")
    assert response.status_code == 400
    assert response.json() == {"members": ["执法检查的检查组须至少有两名持有效执法证的人员。"]}
    assert not InspectionAction.objects.exists()


def test_bad_input_is_refused_field_by_field(api, officer, team, enterprise_a, items):
    api.force_authenticate(officer)
    unknown_kind = api.post(
        ACTIONS, payload(team, [{"enterprise": enterprise_a.pk}], kind="nope"), format="json"
    )
    assert unknown_kind.status_code == 400 and "检查类型“nope”不存在或已停用。" in unknown_kind.json()["kind"]
    no_name = api.post(
        ACTIONS, payload(team, [{"enterprise": enterprise_a.pk}], is_leader_led=True), format="json"
    )
    assert no_name.json() == {"leader_name": ["领导带队的检查须填写带队领导。"]}
    twice = api.post(ACTIONS, payload(team, [{"enterprise": enterprise_a.pk}] * 2), format="json")
    assert twice.json() == {"records": ["同一检查行动中不能重复选择同一单位。"]}
    bad_item = api.post(
        ACTIONS,
        payload(
            team, [{"enterprise": enterprise_a.pk, "results": [{"item": 999999, "result": "compliant"}]}]
        ),
        format="json",
    )
    assert bad_item.json() == {"records": ["检查事项不存在或已停用。"]}
    assert api.post(ACTIONS, payload(team, []), format="json").status_code == 400
    assert not InspectionAction.objects.exists()
    assert not NumberSequence.objects.exists()  # a refused action takes no number


def test_township_cannot_enter_visits_outside_its_jurisdiction(
    api, township_a_user, township_team, enterprise_a, enterprise_b
):
    api.force_authenticate(township_a_user)
    response = api.post(
        ACTIONS,
        payload(township_team, [{"enterprise": enterprise_a.pk}, {"enterprise": enterprise_b.pk}]),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"records": ["所选单位不在您的管辖范围内。"]}
    assert enterprise_b.name not in response.content.decode()
    # An id that does not exist gets the very same answer: nothing tells the two apart.
    missing = api.post(ACTIONS, payload(township_team, [{"enterprise": 99999999}]), format="json")
    assert missing.json() == response.json()
    assert not InspectionAction.objects.exists() and not InspectionRecord.objects.exists()
    assert not NumberSequence.objects.exists()


def test_township_cannot_organise_for_another_unit_or_take_its_people(
    api, district, township_a_user, township_team, enterprise_a, certified
):
    api.force_authenticate(township_a_user)
    other_unit = api.post(
        ACTIONS,
        payload(township_team, [{"enterprise": enterprise_a.pk}], organizer=district.township_b.pk),
        format="json",
    )
    assert other_unit.status_code == 400 and "organizer" in other_unit.json()
    strangers = certified(district.township_b, role=Role.TOWNSHIP)
    other_people = api.post(ACTIONS, payload(strangers, [{"enterprise": enterprise_a.pk}]), format="json")
    assert other_people.status_code == 400 and "members" in other_people.json()
    assert not InspectionAction.objects.exists()


def test_leader_reads_but_cannot_create(api, leader, team, enterprise_a):
    api.force_authenticate(leader)
    assert api.get(ACTIONS).status_code == 200
    assert (
        api.post(ACTIONS, payload(team, [{"enterprise": enterprise_a.pk}]), format="json").status_code == 403
    )
    assert not InspectionAction.objects.exists()


def test_anonymous_cannot_create(api, team, enterprise_a):
    response = api.post(ACTIONS, payload(team, [{"enterprise": enterprise_a.pk}]), format="json")
    assert response.status_code in (401, 403)


def test_token_sign_in_then_create(api, township_a_user, township_team, enterprise_a):
    token = api.post("/api/v1/auth/token/", {"username": "township_a", "password": "demo12345"}).json()[
        "token"
    ]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post(ACTIONS, payload(township_team, [{"enterprise": enterprise_a.pk}]), format="json")
    assert response.status_code == 201, response.json()
    assert InspectionAction.objects.get().created_by == township_a_user
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get(ACTIONS).status_code in (401, 403)


def test_action_detail_shows_only_the_visits_the_caller_may_see(
    api, officer, team, township_a_user, enterprise_a, enterprise_b
):
    joint = action_create(
        user=officer,
        date=dt.date(2026, 6, 3),
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="joint"),
        members=team,
        enterprises=[enterprise_a, enterprise_b],
    )
    api.force_authenticate(township_a_user)
    data = api.get(f"{ACTIONS}{joint.pk}/").json()
    assert [r["enterprise_name"] for r in data["records"]] == [enterprise_a.name]
    assert {m["name"] for m in data["members"]} == {m.name for m in team}
    api.force_authenticate(officer)
    assert len(api.get(f"{ACTIONS}{joint.pk}/").json()["records"]) == 2


def test_action_list_and_detail_queries_stay_flat(
    api, officer, team, district, django_assert_max_num_queries
):
    from tests.factories import EnterpriseFactory

    for _ in range(5):
        action_create(
            user=officer,
            date=dt.date(2026, 6, 3),
            organizer=officer.org_unit,
            kind=InspectionKind.objects.get(code="joint"),
            members=team,
            enterprises=EnterpriseFactory.create_batch(3, jurisdiction=district.township_a),
        )
    api.force_authenticate(officer)
    with django_assert_max_num_queries(8):
        assert len(api.get(ACTIONS).json()["results"]) == 5
    last = InspectionAction.objects.first()
    with django_assert_max_num_queries(8):
        assert len(api.get(f"{ACTIONS}{last.pk}/").json()["records"]) == 3


# ---------------------------------------------------------------- record edits


@pytest.fixture
def record_a(officer, team, enterprise_a, items, district):
    """A record of an inspection organised by township A (entered for it by the district office)."""
    action = action_create(
        user=officer,
        date=dt.date(2026, 5, 6),
        organizer=district.township_a,
        kind=InspectionKind.objects.get(code="routine"),
        members=team,
        enterprises=[enterprise_a],
    )
    return action.records.get()


def test_township_updates_its_record_and_patch_keeps_what_was_not_sent(api, township_a_user, record_a, items):
    api.force_authenticate(township_a_user)
    url = f"/api/v1/inspection-records/{record_a.pk}/"
    put = api.put(
        url,
        {"findings": "有限空间未审批", "results": [{"item": items["trade"].pk, "result": "noncompliant"}]},
        format="json",
    )
    assert put.status_code == 200, put.json()
    assert put.json()["findings"] == "有限空间未审批" and put.json()["number"] == record_a.number
    patch = api.patch(url, {"note": "已责令限期整改"}, format="json")
    assert patch.status_code == 200
    record_a.refresh_from_db()
    assert (record_a.findings, record_a.note) == ("有限空间未审批", "已责令限期整改")
    assert list(record_a.results.values_list("result", flat=True)) == ["noncompliant"]
    assert record_a.history.first().history_user == township_a_user
    bad = api.patch(url, {"results": [{"item": items["trade"].pk, "result": "maybe"}]}, format="json")
    assert bad.status_code == 400 and "results" in bad.json()


def test_a_record_is_changed_only_by_its_organising_unit(
    api, officer, team, township_a_user, enterprise_a, items
):
    action = action_create(
        user=officer,
        date=dt.date(2026, 5, 7),
        organizer=officer.org_unit,  # the district office's own enforcement record
        kind=InspectionKind.objects.get(code="routine"),
        members=team,
        enterprises=[enterprise_a],
    )
    url = f"/api/v1/inspection-records/{action.records.get().pk}/"
    api.force_authenticate(township_a_user)
    assert api.get(url).status_code == 200  # its enterprise: the township may read it
    response = api.patch(url, {"findings": "改写"}, format="json")
    assert response.status_code == 403 and "检查单位" in response.json()["detail"]
    assert action.records.get().findings == ""


def test_record_of_another_township_answers_404_and_the_leader_403(api, township_b_user, leader, record_a):
    url = f"/api/v1/inspection-records/{record_a.pk}/"
    api.force_authenticate(township_b_user)
    assert api.patch(url, {"findings": "x"}, format="json").status_code == 404
    assert api.get(url).status_code == 404
    api.force_authenticate(leader)
    assert api.get(url).status_code == 200
    assert api.patch(url, {"findings": "x"}, format="json").status_code == 403
    record_a.refresh_from_db()
    assert record_a.findings == ""


# ---------------------------------------------------------------- photos


def test_png_is_stored_and_listed_with_scoped_downloads(
    api, client, media, township_a_user, township_b_user, record_a
):
    api.force_authenticate(township_a_user)
    url = f"/api/v1/inspection-records/{record_a.pk}/photos/"
    response = api.post(url, {"image": png("现场.jpg"), "caption": "三层临边"}, format="multipart")
    assert response.status_code == 201, response.json()
    photo = record_a.photos.get()
    assert photo.image.name.endswith(".png")  # named by what it is, not by what the client said
    assert photo.enterprise_id == record_a.enterprise_id and photo.uploaded_by == township_a_user
    listed = api.get(url).json()
    assert [p["caption"] for p in listed] == ["三层临边"]
    from_api = api.get(listed[0]["api_url"])
    assert from_api.status_code == 200 and from_api["Content-Type"] == "image/png"
    assert b"".join(from_api.streaming_content).startswith(b"\x89PNG")
    client.force_login(township_a_user)  # `url` is the web pages' photo view, for a signed-in browser
    assert client.get(listed[0]["url"]).status_code == 200

    api.force_authenticate(township_b_user)
    client.force_login(township_b_user)
    assert api.get(listed[0]["api_url"]).status_code == 404
    assert client.get(listed[0]["url"]).status_code == 404
    assert api.get(url).status_code == 404
    assert api.post(url, {"image": png()}, format="multipart").status_code == 404


def test_a_file_that_is_not_an_image_is_refused(api, media, township_a_user, leader, record_a):
    url = f"/api/v1/inspection-records/{record_a.pk}/photos/"
    api.force_authenticate(township_a_user)
    fake = io.BytesIO(b"MZ\x90\x00 not a picture")
    fake.name = "scene.jpg"
    response = api.post(url, {"image": fake}, format="multipart")
    assert response.status_code == 400
    assert "不是有效的图片文件" in response.json()["image"][0]
    assert not record_a.photos.exists()
    api.force_authenticate(leader)
    assert api.post(url, {"image": png()}, format="multipart").status_code == 403


# ---------------------------------------------------------------- schema


def test_schema_has_the_write_endpoints_and_no_warnings(client, officer, tmp_path):
    # --fail-on-warn turns any drf-spectacular warning or error into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/inspection-records/{id}/photos/" in schema and "ActionInputRequest" in schema
    client.force_login(officer)
    assert client.get("/api/schema/").status_code == 200


# ---------------------------------------------------------------- check items and results (review findings)


def test_api_refuses_check_items_of_another_sector(api, officer, team, enterprise_a, items):
    api.force_authenticate(officer)
    body = {
        "date": TODAY.isoformat(),
        "kind": "routine",
        "members": [m.pk for m in team],
        "records": [
            {"enterprise": enterprise_a.pk, "results": [{"item": items["site"].pk, "result": "compliant"}]}
        ],
    }
    response = api.post(ACTIONS, body, format="json")
    assert response.status_code == 400
    assert "检查事项不属于被检查单位的行业领域。" in response.json()["records"]
    assert not InspectionAction.objects.exists()

    body["records"][0]["results"] = [{"item": items["trade"].pk, "result": "noncompliant"}]  # parent sector
    created = api.post(ACTIONS, body, format="json")
    assert created.status_code == 201, created.json()
    record = created.json()["records"][0]["id"]
    wrong_item = {"results": [{"item": items["site"].pk, "result": "compliant"}]}
    wrong = api.patch(f"{RECORDS}{record}/", wrong_item, format="json")
    assert wrong.status_code == 400 and "检查事项不属于被检查单位的行业领域。" in wrong.json()["results"]
    assert list(CheckResult.objects.values_list("item", flat=True)) == [items["trade"].pk]


def test_patch_keeps_results_in_place_so_hazards_stay_linked(
    api, officer, team, enterprise_a, items, inspect
):
    action = inspect(
        officer,
        officer.org_unit,
        team,
        [enterprise_a],
        visits={
            enterprise_a.pk: VisitData(results=[ResultData(items["trade"].pk, CheckResultValue.NONCOMPLIANT)])
        },
    )
    record = action.records.get()
    result = record.results.get()
    hazard = hazard_from_check_result(
        user=officer, check_result=result, deadline=TODAY + dt.timedelta(days=30)
    )
    items["trade"].is_active = False  # retired since: the record keeps it and stays editable
    items["trade"].save()

    api.force_authenticate(officer)
    response = api.patch(f"{RECORDS}{record.pk}/", {"findings": "已当场责令整改"}, format="json")
    assert response.status_code == 200, response.json()
    hazard.refresh_from_db()
    assert hazard.check_result_id == result.pk  # before: the results were re-created, the link set NULL
    put = {"findings": "", "results": [{"item": items["trade"].pk, "result": "noncompliant", "note": "补记"}]}
    assert api.put(f"{RECORDS}{record.pk}/", put, format="json").status_code == 200
    assert record.results.get().pk == result.pk and record.results.get().note == "补记"


def test_results_wait_until_a_planned_inspection_is_completed(
    api, officer, team, enterprise_a, items, inspect
):
    planned = inspect(officer, officer.org_unit, team, [enterprise_a], status=ActionStatus.PLANNED)
    record = planned.records.get()
    api.force_authenticate(officer)
    body = {"results": [{"item": items["trade"].pk, "result": "noncompliant"}]}
    response = api.patch(f"{RECORDS}{record.pk}/", body, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert not record.results.exists()


def test_api_refuses_an_inspection_dated_in_the_future(api, officer, team, enterprise_a):
    api.force_authenticate(officer)
    body = {
        "date": (TODAY + dt.timedelta(days=1)).isoformat(),
        "kind": "routine",
        "members": [m.pk for m in team],
        "records": [{"enterprise": enterprise_a.pk}],
    }
    response = api.post(ACTIONS, body, format="json")
    assert response.status_code == 400 and response.json()["date"] == ["检查日期不能晚于今天。"]


def test_api_photo_whose_file_is_gone_answers_404(api, media, officer, team, enterprise_a, inspect):
    record = inspect(officer, officer.org_unit, team, [enterprise_a]).records.get()
    photo = RecordPhoto.objects.create(
        record=record, enterprise=enterprise_a, image="inspections/gone.png", uploaded_by=officer
    )
    api.force_authenticate(officer)
    assert api.get(f"{RECORDS}{record.pk}/photos/{photo.pk}/").status_code == 404


# ---------------------------------------------------------------- PUT replaces results, PATCH merges them


@pytest.fixture
def two_results(officer, team, enterprise_a, items, inspect):
    """A record of enterprise A with two results: 有限空间 不符合 and 动火作业 符合."""
    fire = CheckItem.objects.create(sector=items["trade"].sector, code="GM-02", title="动火作业是否审批")
    action = inspect(
        officer,
        officer.org_unit,
        team,
        [enterprise_a],
        visits={
            enterprise_a.pk: VisitData(
                results=[
                    ResultData(items["trade"].pk, CheckResultValue.NONCOMPLIANT),
                    ResultData(fire.pk, CheckResultValue.COMPLIANT),
                ]
            )
        },
    )
    return action.records.get(), items["trade"], fire


def results_of(record) -> dict[int, str]:
    return dict(CheckResult.objects.filter(record=record).values_list("item_id", "result"))


def test_put_without_results_removes_them(api, officer, two_results):
    record, _trade, _fire = two_results
    api.force_authenticate(officer)
    response = api.put(f"{RECORDS}{record.pk}/", {"findings": "现场整改完毕"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [] and response.json()["findings"] == "现场整改完毕"
    assert results_of(record) == {}


def test_put_with_a_subset_keeps_only_the_results_sent(api, officer, two_results):
    record, trade, fire = two_results
    kept = CheckResult.objects.get(record=record, item=trade)
    api.force_authenticate(officer)
    body = {"results": [{"item": trade.pk, "result": "compliant"}]}
    response = api.put(f"{RECORDS}{record.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert results_of(record) == {trade.pk: "compliant"}
    assert CheckResult.objects.get(record=record).pk == kept.pk  # updated in place, not re-created


def test_patch_with_a_subset_leaves_the_other_results_alone(api, officer, two_results):
    record, trade, fire = two_results
    api.force_authenticate(officer)
    body = {"results": [{"item": fire.pk, "result": "noncompliant", "note": "未审批"}]}
    response = api.patch(f"{RECORDS}{record.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert results_of(record) == {trade.pk: "noncompliant", fire.pk: "noncompliant"}
    assert CheckResult.objects.get(record=record, item=fire).note == "未审批"
    # Only the fields sent change: findings stay.
    assert (
        api.patch(f"{RECORDS}{record.pk}/", {}, format="json").json()["results"] == response.json()["results"]
    )
