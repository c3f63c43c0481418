"""The hazard ledger API: recording, the closed loop as actions, figures, scoping and the schema.

The service tests cover the rules themselves; here it is the API's answers: 201/200 for who may,
403 for a role that may not, 404 for a hazard outside the caller's view scope (whatever the role),
409 when the hazard has moved under the caller, Chinese messages keyed by the fields sent.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import Role
from hazards import services
from hazards.choices import EventKind, ExtensionStatus, HazardLevel, HazardState, ListingLevel
from hazards.models import DeadlineExtension, Hazard, HazardCategory, RectificationPhoto
from tests.factories import UserFactory
from tests.hazards.conftest import (
    HAZARDS,
    TODAY,
    api_as,
    hazard_data,
    payload,
    png,
    record,
    to_closed,
    to_verifying,
)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def as_user(api: APIClient, user) -> APIClient:
    api.force_authenticate(user)
    return api


def url(hazard, action: str = "") -> str:
    return f"{HAZARDS}{hazard.pk}/{action + '/' if action else ''}"


def rectify(hazard, user):
    services.rectification_create(user=user, hazard=hazard, text="已更换配电箱并接地", done_on=TODAY())


@pytest.fixture
def major_a(officer, enterprise_a):
    return services.hazard_create(user=officer, data=hazard_data(enterprise_a, level=HazardLevel.MAJOR))


# ---------------------------------------------------------------- recording


def test_officer_records_a_hazard(api, officer, enterprise_a):
    category = HazardCategory.objects.first()
    response = as_user(api, officer).post(HAZARDS, payload(enterprise_a, category=category.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    hazard = Hazard.objects.get()
    assert body["id"] == hazard.pk and body["number"] == f"YH{TODAY().year}00001"
    assert body["state"] == HazardState.OPEN and body["state_display"] == "待整改"
    assert body["responsible_unit"]["id"] == enterprise_a.township.pk  # 属地 by default
    assert body["category"]["id"] == category.pk
    assert [e["kind"] for e in body["events"]] == [EventKind.CREATED]
    assert hazard.created_by == officer


def test_township_records_a_hazard_of_its_own_enterprise(api, township_a_user, enterprise_a):
    response = as_user(api, township_a_user).post(HAZARDS, payload(enterprise_a), format="json")
    assert response.status_code == 201, response.json()
    assert Hazard.objects.get().township == enterprise_a.township


@pytest.mark.parametrize("whose", ["other_township", "unknown"])
def test_township_cannot_record_for_an_enterprise_outside_its_scope(
    api, township_a_user, enterprise_b, whose
):
    data = payload(enterprise_b)
    if whose == "unknown":
        data["enterprise"] = enterprise_b.pk + 1000
    response = as_user(api, township_a_user).post(HAZARDS, data, format="json")
    assert response.status_code == 400
    # The same words for a unit that does not exist and one the caller may not see.
    assert response.json()["enterprise"] == ["所选单位不在您的管辖范围内。"]
    assert not Hazard.objects.exists()


def test_major_hazard_needs_the_five_implementations_through_the_api(api, officer, enterprise_a):
    response = as_user(api, officer).post(HAZARDS, payload(enterprise_a, level="major"), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"responsible_person", "measures", "funds", "contingency_plan"} <= errors.keys()
    assert "五落实" in errors["funds"][0]
    assert not Hazard.objects.exists()


def test_leader_cannot_record(api, leader, enterprise_a):
    response = as_user(api, leader).post(HAZARDS, payload(enterprise_a), format="json")
    assert response.status_code == 403
    assert not Hazard.objects.exists()


def test_state_is_not_editable_and_nothing_is_deleted(api, officer, hazard_a):
    client = as_user(api, officer)
    # PATCH corrects details only (修改隐患信息): a state sent with it is no field it knows.
    assert client.patch(url(hazard_a), {"state": "closed"}, format="json").status_code == 200
    assert client.put(url(hazard_a), {"state": "closed"}, format="json").status_code == 405
    assert client.delete(url(hazard_a)).status_code == 405
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN


# ---------------------------------------------------------------- reading and scoping


def test_list_is_scoped_and_filtered(api, officer, township_a_user, hazard_a, hazard_b, district):
    ids = [h["id"] for h in as_user(api, township_a_user).get(HAZARDS).json()["results"]]
    assert ids == [hazard_a.pk]
    client = as_user(APIClient(), officer)
    assert {h["id"] for h in client.get(HAZARDS).json()["results"]} == {hazard_a.pk, hazard_b.pk}
    by_town = client.get(HAZARDS, {"township": district.township_b.pk}).json()["results"]
    assert [h["id"] for h in by_town] == [hazard_b.pk]
    assert client.get(HAZARDS, {"state": "closed"}).json()["count"] == 0
    assert client.get(HAZARDS, {"overdue": "true"}).json()["count"] == 0


def test_detail_has_timeline_rectifications_photos_and_extensions(
    api, media, officer, township_a_user, township_b_user, hazard_a
):
    services.rectification_create(
        user=township_a_user,
        hazard=hazard_a,
        text="已接地",
        done_on=TODAY(),
        photos_before=[png("before.png")],
        photos_after=[png("after.png")],
    )
    services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=10),
        reason="备件未到",
    )
    body = as_user(api, township_a_user).get(url(hazard_a)).json()
    assert [e["kind"] for e in body["events"]] == [
        EventKind.CREATED,
        EventKind.TRANSITION,
        EventKind.RECTIFICATION,
        EventKind.EXTENSION_REQUESTED,
    ]
    assert body["events"][1]["to_state"] == HazardState.RECTIFYING
    [entry] = body["rectifications"]
    assert entry["text"] == "已接地" and {p["stage"] for p in entry["photos"]} == {"before", "after"}
    assert body["extensions"][0]["status"] == ExtensionStatus.PENDING
    photo_url = entry["photos"][0]["url"]
    assert api.get(photo_url).status_code == 200
    # The photo is reached only through its hazard's scope.
    assert as_user(APIClient(), township_b_user).get(photo_url).status_code == 404


def test_detail_query_count_does_not_grow_with_the_timeline(
    api, officer, township_a_user, hazard_a, django_assert_max_num_queries
):
    for i in range(5):
        services.rectification_create(user=township_a_user, hazard=hazard_a, text=f"第{i}次", done_on=TODAY())
    client = as_user(api, officer)
    # 7: the hazard, its sectors, events, rectifications with photos, extensions, and the 约谈 it is linked to.
    with django_assert_max_num_queries(7):
        assert client.get(url(hazard_a)).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_constant(
    api, officer, enterprise_a, enterprise_b, rows, django_assert_max_num_queries
):
    for i in range(rows):
        services.hazard_create(user=officer, data=hazard_data(enterprise_a if i % 2 else enterprise_b))
    client = as_user(api, officer)
    with django_assert_max_num_queries(4):
        response = client.get(HAZARDS)
    assert response.json()["count"] == rows


# Every action with a body that would pass the parser, for the 404/403 sweeps.
ACTIONS = [
    ("rectifications", {"text": "已整改", "done_on": "2026-01-01"}),
    ("submit", {}),
    ("verify", {"passed": True}),
    ("reopen", {"reason": "复查发现"}),
    ("void", {"reason": "重复录入"}),
    ("extensions", {"new_deadline": "2099-01-01", "reason": "备件未到"}),
    ("extensions/1/decide", {"approve": True}),
    ("list", {"level": "district", "listed_on": "2026-01-01", "leader": "陈区长"}),
    ("delist", {}),
]


def test_leader_reads_but_cannot_act(api, leader, hazard_a):
    client = as_user(api, leader)
    assert client.get(url(hazard_a)).status_code == 200
    for action, data in ACTIONS:
        response = client.post(url(hazard_a, action), data)
        assert response.status_code == 403, action
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN


def test_township_b_gets_404_for_township_a_hazard_everywhere(api, township_b_user, hazard_a):
    client = as_user(api, township_b_user)
    assert client.get(url(hazard_a)).status_code == 404
    for action, data in ACTIONS:
        assert client.post(url(hazard_a, action), data).status_code == 404, action
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN and hazard_a.events.count() == 1


def test_a_leader_outside_the_scope_also_gets_404_not_403(api, district, hazard_a):

    town_leader = UserFactory(role=Role.LEADER, org_unit=district.township_b)
    client = as_user(api, town_leader)
    for action, data in ACTIONS:
        assert client.post(url(hazard_a, action), data).status_code == 404, action


# ---------------------------------------------------------------- the closed loop, per role


def test_township_logs_rectification_with_photos_and_submits(api, media, township_a_user, hazard_a):
    client = as_user(api, township_a_user)
    response = client.post(
        url(hazard_a, "rectifications"),
        {
            "text": "已更换配电箱",
            "done_on": TODAY().isoformat(),
            "photos_before": [png("a.png"), png("b.png")],
            "photos_after[]": [png("c.png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert [p["stage"] for p in response.json()["photos"]] == ["after", "before", "before"]
    response = client.post(url(hazard_a, "submit"), {"note": "请复查"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == HazardState.VERIFYING


def test_a_renamed_non_image_is_refused_in_chinese(api, media, township_a_user, hazard_a):
    fake = SimpleUploadedFile("photo.jpg", b"MZ not an image", content_type="image/jpeg")
    response = as_user(api, township_a_user).post(
        url(hazard_a, "rectifications"),
        {"text": "已整改", "done_on": TODAY().isoformat(), "photos_after": [fake]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "不是有效的图片文件" in response.json()["photos"][0]
    assert not hazard_a.rectifications.exists()


def test_missing_text_is_a_field_error(api, township_a_user, hazard_a):
    response = as_user(api, township_a_user).post(
        url(hazard_a, "rectifications"), {"text": "  ", "done_on": TODAY().isoformat()}
    )
    assert response.status_code == 400 and "text" in response.json()


def test_township_cannot_verify_officer_can(api, officer, township_a_user, hazard_a):
    to_verifying(hazard_a, township_a_user)
    response = as_user(api, township_a_user).post(url(hazard_a, "verify"), {"passed": True}, format="json")
    assert response.status_code == 403
    assert "复查" in response.json()["detail"]
    response = as_user(APIClient(), officer).post(
        url(hazard_a, "verify"), {"passed": True, "note": "现场复查合格"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == HazardState.CLOSED and body["closed_on"] == TODAY().isoformat()


def test_failed_verification_needs_a_note(api, officer, township_a_user, hazard_a):
    to_verifying(hazard_a, township_a_user)
    client = as_user(api, officer)
    response = client.post(url(hazard_a, "verify"), {"passed": False}, format="json")
    assert response.status_code == 400 and response.json()["note"] == ["请填写理由。"]
    response = client.post(
        url(hazard_a, "verify"), {"passed": False, "note": "接地电阻不合格"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == HazardState.RECTIFYING


def test_department_in_scope_may_verify(api, department_user, officer, enterprise_b):
    hazard = services.hazard_create(user=officer, data=hazard_data(enterprise_b))  # construction: 住建
    to_verifying(hazard, officer)
    response = as_user(api, department_user).post(url(hazard, "verify"), {"passed": True}, format="json")
    assert response.status_code == 200 and response.json()["state"] == HazardState.CLOSED


def test_reopen_and_void_are_the_district_offices(api, officer, township_a_user, hazard_a):
    to_closed(hazard_a, township_a_user, officer)
    town = as_user(api, township_a_user)
    assert town.post(url(hazard_a, "reopen"), {"reason": "复发"}, format="json").status_code == 403
    assert town.post(url(hazard_a, "void"), {"reason": "错录"}, format="json").status_code == 403
    office = as_user(APIClient(), officer)
    response = office.post(url(hazard_a, "reopen"), {"reason": ""}, format="json")
    assert response.status_code == 400 and response.json()["reason"] == ["请填写理由。"]
    response = office.post(url(hazard_a, "reopen"), {"reason": "抽查发现复发"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == HazardState.RECTIFYING
    response = office.post(url(hazard_a, "void"), {"reason": "重复录入"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == HazardState.VOID


def test_extension_requested_by_township_decided_by_officer(
    api, officer, township_a_user, hazard_a, hazard_b
):
    new_deadline = hazard_a.deadline + dt.timedelta(days=15)
    town = as_user(api, township_a_user)
    response = town.post(
        url(hazard_a, "extensions"), {"new_deadline": new_deadline.isoformat(), "reason": "设备订货周期长"}
    )
    assert response.status_code == 201, response.json()
    extension = DeadlineExtension.objects.get(pk=response.json()["id"])
    decide = f"{url(hazard_a)}extensions/{extension.pk}/decide/"
    assert town.post(decide, {"approve": True}, format="json").status_code == 403

    office = as_user(APIClient(), officer)
    # An extension reached through another hazard's URL does not exist there.
    assert (
        office.post(f"{url(hazard_b)}extensions/{extension.pk}/decide/", {"approve": True}).status_code == 404
    )
    response = office.post(decide, {"approve": False}, format="json")
    assert response.status_code == 400 and response.json()["note"] == ["请填写理由。"]
    response = office.post(decide, {"approve": True, "note": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == ExtensionStatus.APPROVED
    hazard_a.refresh_from_db()
    assert hazard_a.deadline == new_deadline
    # Deciding again: someone already did.
    response = office.post(decide, {"approve": False, "note": "不同意"}, format="json")
    assert response.status_code == 409 and "已处理" in response.json()["detail"]


def test_extension_to_an_earlier_date_is_a_field_error(api, township_a_user, hazard_a):
    response = as_user(api, township_a_user).post(
        url(hazard_a, "extensions"), {"new_deadline": hazard_a.deadline.isoformat(), "reason": "x"}
    )
    assert response.status_code == 400 and "new_deadline" in response.json()


def test_listing_and_delisting_a_major_hazard(api, officer, township_a_user, major_a, hazard_a):
    listing = {"level": ListingLevel.CITY, "listed_on": TODAY().isoformat(), "leader": "刘副市长",
               "document": "潭安委办〔2026〕12号"}  # fmt: skip
    town = as_user(api, township_a_user)
    assert town.post(url(major_a, "list"), listing, format="json").status_code == 403
    office = as_user(APIClient(), officer)
    response = office.post(url(hazard_a, "list"), listing, format="json")
    assert response.status_code == 400 and "重大隐患" in response.json()["non_field_errors"][0]
    response = office.post(url(major_a, "list"), {**listing, "leader": " "}, format="json")
    assert response.status_code == 400 and response.json()["leader"] == ["请填写督办领导。"]

    response = office.post(url(major_a, "list"), listing, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["is_listed"] and body["listing_level_display"] == "市级"
    assert body["listing_document"] == "潭安委办〔2026〕12号" and body["listing_leader"] == "刘副市长"
    # 摘牌 only after 销号.
    response = office.post(url(major_a, "delist"))
    assert response.status_code == 409 and "销号" in response.json()["detail"]
    to_closed(major_a, township_a_user, officer)
    assert town.post(url(major_a, "delist")).status_code == 403
    response = office.post(url(major_a, "delist"))
    assert response.status_code == 200 and not response.json()["is_listed"]


def test_stale_state_answers_409_with_the_message(api, officer, township_a_user, hazard_a):
    office = as_user(api, officer)
    response = office.post(url(hazard_a, "verify"), {"passed": True}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "stale_state"
    assert "待整改" in response.json()["detail"] and "刷新" in response.json()["detail"]
    to_verifying(hazard_a, township_a_user)
    town = as_user(APIClient(), township_a_user)
    assert town.post(url(hazard_a, "submit")).status_code == 409
    assert office.post(url(hazard_a, "verify"), {"passed": True}, format="json").status_code == 200
    assert office.post(url(hazard_a, "verify"), {"passed": True}, format="json").status_code == 409


def test_submitting_a_hazard_nobody_has_worked_on_is_refused(api, township_a_user, hazard_a):
    # 整改中 is reached only by a rectification entry, so the refusal is the state's: 待整改.
    response = as_user(api, township_a_user).post(url(hazard_a, "submit"))
    assert response.status_code == 409


# ---------------------------------------------------------------- figures


def test_figures_with_no_hazards_have_no_rate(api, officer):
    body = as_user(api, officer).get(f"{HAZARDS}figures/").json()
    assert body == {"found": 0, "rectified": 0, "rate": None, "major": 0, "listed": 0, "overdue": 0}


def test_figures_follow_filter_and_scope(
    api, officer, township_a_user, hazard_a, hazard_b, major_a, district
):
    to_closed(hazard_a, township_a_user, officer)
    client = as_user(api, officer)
    body = client.get(f"{HAZARDS}figures/").json()
    assert body["found"] == 3 and body["rectified"] == 1 and body["rate"] == "33.3" and body["major"] == 1
    assert client.get(f"{HAZARDS}figures/", {"township": district.township_a.pk}).json()["rate"] == "50.0"


def test_figures_for_township_b_count_only_its_own(
    api, officer, township_a_user, township_b_user, hazard_a, hazard_b
):
    to_closed(hazard_a, township_a_user, officer)
    body = as_user(api, township_b_user).get(f"{HAZARDS}figures/").json()
    assert body["found"] == 1 and body["rectified"] == 0 and body["rate"] == "0.0"


# ---------------------------------------------------------------- auth, categories, schema


def test_token_authentication(township_a_user, hazard_a, hazard_b):
    token = Token.objects.create(user=township_a_user)
    client = APIClient()
    assert client.get(HAZARDS).status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(HAZARDS)
    assert response.status_code == 200 and [h["id"] for h in response.json()["results"]] == [hazard_a.pk]
    response = client.post(
        url(hazard_a, "rectifications"), {"text": "已整改", "done_on": TODAY().isoformat()}
    )
    assert response.status_code == 201


def test_hazard_categories_are_read_only(api, leader):
    client = as_user(api, leader)
    body = client.get("/api/v1/hazard-categories/").json()
    assert body["count"] == HazardCategory.objects.count() > 0
    assert client.post("/api/v1/hazard-categories/", {"name": "新类别", "code": "new"}).status_code in (
        403,
        405,
    )


def test_schema_has_the_hazard_endpoints_and_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    for path in [
        "/api/v1/hazards/:",
        "/api/v1/hazards/figures/:",
        "/api/v1/hazards/{id}/rectifications/:",
        "/api/v1/hazards/{id}/verify/:",
        "/api/v1/hazards/{id}/extensions/{extension_pk}/decide/:",
        "/api/v1/hazards/{id}/list/:",
        "/api/v1/hazards/{id}/delist/:",
        "/api/v1/hazard-categories/:",
    ]:
        assert path in schema, path
    assert "HazardInputRequest" in schema and "VerifyInputRequest" in schema


# ---------------------------------------------------------------- hand-crafted ids and links


@pytest.mark.parametrize("path", ["abc/", "abc/submit/", "1x/photos/1/", "-1/"])
def test_api_id_that_is_not_a_number_is_404(officer, hazard_a, path):
    api = api_as(officer)
    response = api.post(HAZARDS + path, {}) if "submit" in path else api.get(HAZARDS + path)
    assert response.status_code == 404


def test_responsible_unit_that_is_inactive_is_refused(township_a_user, district, enterprise_a):
    district.dept_construction.is_active = False
    district.dept_construction.save()
    unit = district.dept_construction.pk
    response = api_as(township_a_user).post(
        HAZARDS, payload(enterprise_a, responsible_unit=unit), format="json"
    )
    assert response.status_code == 400 and "停用" in str(response.json()["responsible_unit"])


def test_negative_funds_are_refused(officer, enterprise_a):
    response = api_as(officer).post(HAZARDS, payload(enterprise_a, funds="-5.00"), format="json")
    assert response.status_code == 400 and "funds" in response.json()


def test_inspection_links_must_fit_the_hazard(officer, township_a_user, enterprise_a, inspection):
    api = api_as(officer)
    a, b = inspection["record_a"], inspection["record_b"]

    def post(**extra):
        return api.post(HAZARDS, payload(enterprise_a, source="inspection", **extra), format="json")

    assert "inspection_record" in post(inspection_record=b.pk).json()  # another enterprise's record
    assert "check_result" in post(inspection_record=a.pk, check_result=inspection["site"].pk).json()
    assert "check_result" in post(inspection_record=a.pk, check_result=inspection["good"].pk).json()  # 符合
    response = api.post(HAZARDS, payload(enterprise_a, source="self", inspection_record=a.pk), format="json")
    assert response.status_code == 400 and "source" in response.json()
    assert post(inspection_record=a.pk, check_result=inspection["bad"].pk).status_code == 201
    again = post(inspection_record=a.pk, check_result=inspection["bad"].pk)  # the same item twice
    assert again.status_code == 400 and "已登记为隐患" in str(again.json())
    # Township A cannot reach township B's record at all.
    response = api_as(township_a_user).post(
        HAZARDS, payload(enterprise_a, source="inspection", inspection_record=b.pk), format="json"
    )
    assert response.status_code == 400 and "inspection_record" in response.json()
    assert Hazard.objects.count() == 1


def test_api_extension_of_another_hazard_or_outside_scope_is_404(
    officer, township_a_user, township_b_user, hazard_a, hazard_b
):
    extension = services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=9),
        reason="缺料",
    )
    assert (
        api_as(officer)
        .post(f"{HAZARDS}{hazard_b.pk}/extensions/{extension.pk}/decide/", {"approve": True}, format="json")
        .status_code
        == 404
    )
    assert (
        api_as(township_b_user)
        .post(f"{HAZARDS}{hazard_a.pk}/extensions/{extension.pk}/decide/", {"approve": True}, format="json")
        .status_code
        == 404
    )
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


def test_api_photo_of_another_hazard_is_404(media, township_a_user, hazard_a, officer, enterprise_a):
    other = record(officer, enterprise_a)
    services.rectification_create(
        user=township_a_user, hazard=other, text="已整改", done_on=TODAY(), photos_after=[png()]
    )
    photo = RectificationPhoto.objects.get()
    api = api_as(township_a_user)
    assert api.get(f"{HAZARDS}{other.pk}/photos/{photo.pk}/").status_code == 200
    assert api.get(f"{HAZARDS}{hazard_a.pk}/photos/{photo.pk}/").status_code == 404


def test_inactive_category_is_refused_by_the_api_and_the_form(client, officer, enterprise_a):
    category = HazardCategory.objects.first()
    category.is_active = False
    category.save()
    response = api_as(officer).post(HAZARDS, payload(enterprise_a, category=category.pk), format="json")
    assert response.status_code == 400 and "category" in response.json()
    client.force_login(officer)
    data = {**payload(enterprise_a), "level": "general", "category": category.pk}
    response = client.post(reverse("hazards:hazard_create"), data)
    assert "category" in response.context["form"].errors and not Hazard.objects.exists()


def test_api_photo_whose_file_is_gone_answers_404(media, township_a_user, hazard_a):
    services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="已整改", done_on=TODAY(), photos_after=[png()]
    )
    photo = RectificationPhoto.objects.get()
    photo.image.storage.delete(photo.image.name)  # the row outlived its file (a restore, a cleaned disk)
    assert api_as(township_a_user).get(f"{HAZARDS}{hazard_a.pk}/photos/{photo.pk}/").status_code == 404
