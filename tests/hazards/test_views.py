"""The hazard pages: the ledger and its figures, recording, the hazard page and its actions, the
queues, the photos — each for the role allowed, the role refused (403) and the outsider (404)."""

import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hazards import services
from hazards.choices import EventKind, ExtensionStatus, HazardLevel, HazardState, ListingLevel
from hazards.models import Hazard, Rectification, RectificationPhoto
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.services import ResultData, VisitData, action_create
from tests.factories import EnterpriseFactory
from tests.hazards.conftest import HAZARDS, TODAY, api_as, png, record, to_verifying

pytestmark = pytest.mark.django_db


def ledger(client, **params):
    return client.get(reverse("hazards:hazard_list"), params)


def numbers(response) -> list[str]:
    return [h.number for h in response.context["hazards"]]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------- the ledger


def test_ledger_is_scoped(client, officer, township_a_user, township_b_user, hazard_a, hazard_b):
    client.force_login(officer)
    assert set(numbers(ledger(client))) == {hazard_a.number, hazard_b.number}
    client.force_login(township_a_user)
    assert numbers(ledger(client)) == [hazard_a.number]
    client.force_login(township_b_user)
    assert numbers(ledger(client)) == [hazard_b.number]


def test_invalid_filter_shows_nothing(client, township_a_user, hazard_a, district):
    client.force_login(township_a_user)
    response = ledger(client, township=district.township_b.pk)  # not a township A may pick
    assert numbers(response) == []
    assert response.context["figures"]["found"] == 0


def test_filters(client, officer, district, enterprise_a, enterprise_b, sectors):
    general = record(officer, enterprise_a)
    major = record(officer, enterprise_b, level=HazardLevel.MAJOR)
    late = record(officer, enterprise_a, days=1, found_days_ago=10)  # deadline 9 days ago
    services.listing_create(
        user=officer, hazard=major, level=ListingLevel.DISTRICT, listed_on=TODAY(), leader="区长", document=""
    )
    client.force_login(officer)
    assert numbers(ledger(client, level="major")) == [major.number]
    assert numbers(ledger(client, listed="true")) == [major.number]
    assert set(numbers(ledger(client, listed="false"))) == {general.number, late.number}
    assert numbers(ledger(client, overdue="true")) == [late.number]
    assert numbers(ledger(client, township=district.township_b.pk)) == [major.number]
    # 工贸 covers its sub-sector 机械 (enterprise A's)
    assert set(numbers(ledger(client, sector=sectors["industry-trade"].pk))) == {general.number, late.number}
    assert numbers(ledger(client, q=enterprise_b.name[:3])) == [major.number]
    assert numbers(ledger(client, q=major.number)) == [major.number]
    assert numbers(ledger(client, responsible_unit=district.township_b.pk)) == [major.number]
    found_from = (TODAY() - dt.timedelta(days=7)).isoformat()
    assert set(numbers(ledger(client, found_from=found_from))) == {general.number, major.number}


def test_figure_cards_follow_the_filter(client, officer, township_a_user, enterprise_a, enterprise_b):
    closed = record(officer, enterprise_a)
    to_verifying(closed, township_a_user)
    services.hazard_verify(user=officer, hazard=closed, passed=True)
    record(officer, enterprise_a)
    record(officer, enterprise_a, level=HazardLevel.MAJOR)
    record(officer, enterprise_b)
    client.force_login(officer)

    figures = ledger(client).context["figures"]
    assert (figures["found"], figures["rectified"], figures["major"]) == (4, 1, 1)
    assert str(figures["rate"]) == "25.0"

    response = ledger(client, q=enterprise_a.name)
    figures = response.context["figures"]
    assert (figures["found"], figures["rectified"], str(figures["rate"])) == (3, 1, "33.3")
    cards = response.content.decode()
    assert "33.3" in cards and "整改率" in cards


def test_rate_shows_a_dash_when_nothing_found(client, officer, hazard_a):
    client.force_login(officer)
    response = ledger(client, state="closed", level="major")
    assert response.context["figures"]["rate"] is None
    body = response.content.decode()
    start = body.index('id="hazard-figures"')
    rate_card = body[body.index("整改率", start) : body.index("重大隐患", start)]
    assert "—" in rate_card and "%" not in rate_card and "100" not in rate_card


def test_ledger_query_count_does_not_grow_with_rows(
    client, officer, district, sectors, django_assert_max_num_queries
):
    enterprises = [EnterpriseFactory(jurisdiction=district.community_a) for _ in range(5)]
    for e in enterprises:
        record(officer, e)
    client.force_login(officer)
    with django_assert_max_num_queries(20) as few:
        ledger(client)
    ceiling = len(few.captured_queries)
    more = [EnterpriseFactory(jurisdiction=district.community_b, sectors=[sectors["gas"]]) for _ in range(7)]
    for i in range(35):
        record(officer, more[i % 7], level=HazardLevel.MAJOR if i % 3 == 0 else HazardLevel.GENERAL)
    with django_assert_max_num_queries(ceiling):
        response = ledger(client)
    assert response.context["page_obj"].paginator.count == 40
    with django_assert_max_num_queries(ceiling):
        ledger(client, level="major", page=1)


# ---------------------------------------------------------------- recording by hand


def new_url(**params) -> str:

    return reverse("hazards:hazard_create") + ("?" + urlencode(params) if params else "")


def form_post(enterprise, **extra) -> dict:
    data = {
        "enterprise": enterprise.pk,
        "source": "self",
        "level": "general",
        "description": "消防通道堵塞",
        "location": "一号车间",
        "found_on": TODAY().isoformat(),
        "deadline": (TODAY() + dt.timedelta(days=10)).isoformat(),
        "responsible_person": "李主任",
        "measures": "清理通道",
    }
    data.update(extra)
    return data


def test_record_form_finds_enterprises_in_scope_only(client, township_a_user, enterprise_a, enterprise_b):
    client.force_login(township_a_user)
    body = client.get(new_url(q="公司")).content.decode() + client.get(new_url(q="厂")).content.decode()
    assert enterprise_a.name in body and enterprise_b.name not in body
    assert client.get(new_url(enterprise=enterprise_a.pk)).status_code == 200
    assert client.get(new_url(enterprise=enterprise_b.pk)).status_code == 404


def test_record_a_hazard(client, township_a_user, enterprise_a, district):
    client.force_login(township_a_user)
    response = client.post(new_url(), form_post(enterprise_a))
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response.url == hazard.get_absolute_url()
    assert hazard.responsible_unit == district.township_a  # the default: the enterprise's township
    assert hazard.created_by == township_a_user and hazard.location == "一号车间"


def test_record_with_photos_of_the_hazard_served_only_in_scope(
    client, township_a_user, township_b_user, enterprise_a
):
    client.force_login(township_a_user)
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(new_url(), {**form_post(enterprise_a), "photos": [fake]})
    assert response.status_code == 200 and not Hazard.objects.exists()
    assert "不是有效的图片" in response.content.decode()

    response = client.post(new_url(), {**form_post(enterprise_a), "photos": [png("a.png"), png("b.png")]})
    hazard = Hazard.objects.get()
    photos = list(hazard.found_photos.all())
    assert len(photos) == 2 and all(p.image.name.endswith(".png") for p in photos)
    url = reverse("hazards:found_photo", args=[photos[0].pk])
    assert url in client.get(hazard.get_absolute_url()).content.decode()
    assert client.get(url)["Content-Type"] == "image/png"
    client.force_login(township_b_user)
    assert client.get(url).status_code == 404


def test_major_hazard_without_five_implementations_is_refused_inline(client, officer, enterprise_a):
    client.force_login(officer)
    response = client.post(new_url(), form_post(enterprise_a, level="major", responsible_person=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert {"funds", "contingency_plan", "responsible_person"} <= set(form.errors)
    assert "五落实" in form.errors["funds"][0]
    body = response.content.decode()
    assert "消防通道堵塞" in body and "一号车间" in body  # nothing typed is lost
    assert not Hazard.objects.exists()

    response = client.post(
        new_url(),
        form_post(enterprise_a, level="major", funds="3.5", contingency_plan="疏散预案"),
    )
    assert response.status_code == 302
    assert Hazard.objects.get().funds == 3.5


def test_record_form_rejects_an_enterprise_outside_scope_and_bad_dates(
    client, township_a_user, enterprise_a, enterprise_b
):
    client.force_login(township_a_user)
    response = client.post(new_url(), form_post(enterprise_b))
    assert "所选单位不在您的管辖范围内。" in response.context["form"].errors["enterprise"]
    response = client.post(
        new_url(), form_post(enterprise_a, deadline=(TODAY() - dt.timedelta(days=1)).isoformat())
    )
    assert "整改期限不能早于发现日期。" in response.context["form"].errors["deadline"]
    assert not Hazard.objects.exists()


def test_leader_may_not_record(client, leader, enterprise_a):
    client.force_login(leader)
    assert client.get(new_url()).status_code == 403
    assert client.post(new_url(), form_post(enterprise_a)).status_code == 403


# ---------------------------------------------------------------- 登记为隐患 from an inspection


@pytest.fixture
def noncompliant(officer, enterprise_a, district):

    item = CheckItem.objects.create(sector=enterprise_a.sectors.get(), code="JX-01", title="防护罩缺失")
    action = action_create(
        user=officer,
        date=TODAY(),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a],
        visits={
            enterprise_a.pk: VisitData(
                results=[ResultData(item.pk, CheckResultValue.NONCOMPLIANT, "冲床无防护罩")]
            )
        },
    )
    return action.records.get().results.get()


def from_result_url(result) -> str:
    return reverse("hazards:from_result", args=[result.pk])


def test_one_click_from_a_noncompliant_item(client, officer, noncompliant, district):
    client.force_login(officer)
    deadline = TODAY() + dt.timedelta(days=30)
    response = client.post(
        from_result_url(noncompliant), {"deadline": deadline.isoformat(), "level": "general"}
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response.url == hazard.get_absolute_url()
    assert hazard.check_result == noncompliant and hazard.inspection_record == noncompliant.record
    assert "冲床无防护罩" in hazard.description and hazard.deadline == deadline
    assert hazard.responsible_unit == district.township_a
    # A second click goes to the hazard already recorded rather than a duplicate.
    again = client.post(from_result_url(noncompliant), {"deadline": deadline.isoformat(), "level": "general"})
    assert again.url == hazard.get_absolute_url() and Hazard.objects.count() == 1


def test_from_result_major_needs_the_full_form(client, officer, noncompliant):
    client.force_login(officer)
    page = client.get(from_result_url(noncompliant))
    assert page.status_code == 200
    assert page.context["form"].initial["description"] == "冲床无防护罩"  # the written finding
    response = client.post(
        from_result_url(noncompliant),
        {"deadline": (TODAY() + dt.timedelta(days=30)).isoformat(), "level": "major"},
    )
    assert response.status_code == 200
    assert {"funds", "contingency_plan"} <= set(response.context["form"].errors)
    assert response.context["form"]["description"].value() == "冲床无防护罩"
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(("level", "days"), [("general", 15), ("major", 30)])
def test_one_click_without_a_deadline_takes_the_entry_rule_from_the_inspection_date(
    client, officer, noncompliant, level, days
):
    """The one-click 登记为隐患 proposes the deadline of the confirm step of 录入检查 (one rule,
    hazards.services.default_deadline): inspection date + 15 days for 一般, + 30 for 重大."""
    inspected = noncompliant.record.action.date
    client.force_login(officer)
    page = client.get(reverse("inspections:record_detail", args=[noncompliant.record_id]))
    general, major = (inspected + dt.timedelta(days=d) for d in (15, 30))
    assert f'data-default-general="{general.isoformat()}"' in page.content.decode()
    assert f'data-default-major="{major.isoformat()}"' in page.content.decode()
    assert f'value="{general.isoformat()}"' in page.content.decode()
    form = client.get(from_result_url(noncompliant) + f"?level={level}").context["form"]
    assert form.initial["deadline"] == (inspected + dt.timedelta(days=days)).isoformat()
    data = {"level": level}
    if level == "major":
        data.update(responsible_person="张三", measures="加装防护罩", funds="1.5", contingency_plan="停机")
    response = client.post(from_result_url(noncompliant), data)
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert hazard.deadline == inspected + dt.timedelta(days=days)
    assert hazard.description == "冲床无防护罩"


def test_service_without_a_deadline_uses_the_same_rule(officer, noncompliant):
    five = {"responsible_person": "张三", "measures": "加装防护罩", "funds": 1, "contingency_plan": "停机"}
    hazard = services.hazard_from_check_result(user=officer, check_result=noncompliant, level="major", **five)
    assert hazard.deadline == services.default_deadline("major", noncompliant.record.action.date)
    assert hazard.deadline == noncompliant.record.action.date + dt.timedelta(days=30)


def test_from_result_outsider_and_reader(client, township_b_user, leader, noncompliant):
    client.force_login(township_b_user)
    assert client.get(from_result_url(noncompliant)).status_code == 404
    assert client.post(from_result_url(noncompliant), {"deadline": "2030-01-01"}).status_code == 404
    client.force_login(leader)
    assert client.post(from_result_url(noncompliant), {"deadline": "2030-01-01"}).status_code == 403
    assert not Hazard.objects.exists()


# ---------------------------------------------------------------- the hazard page


def detail(client, hazard):
    return client.get(reverse("hazards:hazard_detail", args=[hazard.pk]))


@pytest.mark.parametrize("persona", ["officer", "township_a_user", "leader", "admin_user"])
def test_hazard_page_for_those_in_scope(client, request, persona, hazard_a):
    client.force_login(request.getfixturevalue(persona))
    response = detail(client, hazard_a)
    assert response.status_code == 200
    assert hazard_a.number in response.content.decode()


def test_hazard_page_404_for_the_other_township(client, township_b_user, hazard_a):
    client.force_login(township_b_user)
    assert detail(client, hazard_a).status_code == 404


def test_action_panels_only_for_who_may_act(client, officer, township_a_user, leader, hazard_a):
    client.force_login(leader)
    allowed = detail(client, hazard_a).context["allowed"]
    assert not allowed
    client.force_login(township_a_user)
    allowed = detail(client, hazard_a).context["allowed"]
    assert "rectify" in allowed and "extend" in allowed
    assert not ({"verify", "void", "decide"} & allowed)
    client.force_login(officer)
    allowed = detail(client, hazard_a).context["allowed"]
    assert "void" in allowed and "rectify" in allowed and "verify" not in allowed


def test_timeline_shows_every_step(client, officer, township_a_user, hazard_a):
    services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="更换配电箱", done_on=TODAY(), photos_after=[png()]
    )
    services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=9),
        reason="等配件",
    )
    client.force_login(officer)
    response = detail(client, hazard_a)
    body = response.content.decode()
    assert [e.kind for e in response.context["timeline"]] == [
        EventKind.CREATED,
        EventKind.TRANSITION,
        EventKind.RECTIFICATION,
        EventKind.EXTENSION_REQUESTED,
    ]
    photo = RectificationPhoto.objects.get()
    assert reverse("hazards:photo", args=[photo.pk]) in body
    assert "/media/" not in body
    assert "更换配电箱" in body and "等配件" in body and "decide" in response.context["allowed"]


# ---------------------------------------------------------------- actions: who may, who may not


def act(client, name, hazard, data=None, **kwargs):
    return client.post(reverse(f"hazards:{name}", args=[hazard.pk, *kwargs.values()]), data or {})


ALL_ACTIONS = [
    ("rectification_add", {"rect-text": "x", "rect-done_on": "2020-01-01"}),
    ("hazard_submit", {}),
    ("hazard_verify", {"decision": "pass"}),
    ("extension_request", {"extend-new_deadline": "2099-01-01", "extend-reason": "x"}),
    ("hazard_reopen", {"reopen-reason": "x"}),
    ("hazard_void", {"void-reason": "x"}),
    ("hazard_listing", {"listing-listing_level": "district", "listing-listing_leader": "x"}),
    ("hazard_delist", {}),
]


@pytest.mark.parametrize(("name", "data"), ALL_ACTIONS)
def test_every_action_is_404_for_the_other_township(client, township_b_user, hazard_a, name, data):
    client.force_login(township_b_user)
    assert act(client, name, hazard_a, data).status_code == 404
    assert hazard_a.events.count() == 1


def test_extension_decision_is_404_for_the_other_township_and_another_hazard(
    client, officer, township_a_user, township_b_user, hazard_a, hazard_b
):
    extension = services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=5),
        reason="x",
    )
    client.force_login(township_b_user)
    assert (
        act(client, "extension_decide", hazard_a, {"decision": "approve"}, x=extension.pk).status_code == 404
    )
    client.force_login(officer)
    # The extension of hazard A cannot be reached through hazard B.
    assert (
        act(client, "extension_decide", hazard_b, {"decision": "approve"}, x=extension.pk).status_code == 404
    )
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


@pytest.mark.parametrize(("name", "data"), ALL_ACTIONS)
def test_leader_may_not_act(client, leader, hazard_a, name, data):
    client.force_login(leader)
    assert act(client, name, hazard_a, data).status_code == 403


@pytest.mark.parametrize(
    "name", ["hazard_verify", "hazard_reopen", "hazard_void", "hazard_listing", "hazard_delist"]
)
def test_township_may_not_verify_or_decide(client, township_a_user, hazard_a, name):
    client.force_login(township_a_user)
    assert act(client, name, hazard_a, {"decision": "pass"}).status_code == 403


def test_actions_are_post_only(client, officer, hazard_a):
    client.force_login(officer)
    assert client.get(reverse("hazards:hazard_void", args=[hazard_a.pk])).status_code == 405


def test_rectification_with_photos(client, township_a_user, hazard_a):
    client.force_login(township_a_user)
    response = act(
        client,
        "rectification_add",
        hazard_a,
        {
            "rect-text": "已加装接地线",
            "rect-done_on": TODAY().isoformat(),
            "rect-photos_after": [png(), png("b.png")],
        },
    )
    assert response.status_code == 302 and response.url == hazard_a.get_absolute_url()
    entry = Rectification.objects.get()
    assert entry.photos.filter(stage="after").count() == 2
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.RECTIFYING


def test_a_non_image_photo_is_refused_and_nothing_saved(client, township_a_user, hazard_a):
    client.force_login(township_a_user)
    fake = SimpleUploadedFile("after.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = act(
        client,
        "rectification_add",
        hazard_a,
        {"rect-text": "已整改", "rect-done_on": TODAY().isoformat(), "rect-photos_after": [fake]},
    )
    assert response.status_code == 200
    form = response.context["forms"]["rectify"]
    assert any("不是有效的图片文件" in e for e in form.non_field_errors())
    assert any("未能保存" in m for m in messages_of(response))
    assert "已整改" in response.content.decode()  # the text typed is kept
    assert not Rectification.objects.exists() and not RectificationPhoto.objects.exists()
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN


def test_photo_is_served_through_the_scope(client, township_a_user, township_b_user, leader, hazard_a):
    services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="x", done_on=TODAY(), photos_before=[png()]
    )
    url = reverse("hazards:photo", args=[RectificationPhoto.objects.get().pk])
    client.force_login(leader)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(township_b_user)
    assert client.get(url).status_code == 404


def test_submit_then_verify_fail_needs_a_note_then_pass(client, officer, township_a_user, hazard_a):
    services.rectification_create(user=township_a_user, hazard=hazard_a, text="x", done_on=TODAY())
    client.force_login(township_a_user)
    assert act(client, "hazard_submit", hazard_a).status_code == 302
    client.force_login(officer)
    response = act(client, "hazard_verify", hazard_a, {"decision": "fail", "verify-note": ""})
    assert response.status_code == 200
    assert response.context["forms"]["verify"].errors["note"] == ["请填写理由。"]
    assert response.context["open_panel"] == "verify"
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.VERIFYING

    act(client, "hazard_verify", hazard_a, {"decision": "fail", "verify-note": "接地线未压接"})
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.RECTIFYING
    to_verifying_again = services.hazard_submit(user=township_a_user, hazard=hazard_a)
    assert to_verifying_again.state == HazardState.VERIFYING
    response = act(client, "hazard_verify", hazard_a, {"decision": "pass"})
    assert response.status_code == 302
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.CLOSED


def test_acting_on_a_state_that_moved_gives_a_message_not_an_error(client, officer, hazard_a):
    client.force_login(officer)
    response = act(
        client,
        "hazard_verify",
        hazard_a,
        {"decision": "pass"},
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert any("不能复查" in m and "刷新" in m for m in messages_of(page))


def test_department_verifies_in_its_sectors_only(
    client, department_user, officer, township_b_user, hazard_b, hazard_a
):
    to_verifying(hazard_b, township_b_user)
    client.force_login(department_user)  # 住建: hazard B is a construction firm
    assert act(client, "hazard_verify", hazard_b, {"decision": "pass"}).status_code == 302
    hazard_b.refresh_from_db()
    assert hazard_b.state == HazardState.CLOSED
    assert act(client, "hazard_verify", hazard_a, {"decision": "pass"}).status_code == 404


def test_extension_request_and_decision(client, officer, township_a_user, hazard_a):
    client.force_login(township_a_user)
    new = hazard_a.deadline + dt.timedelta(days=20)
    response = act(
        client, "extension_request", hazard_a, {"extend-new_deadline": new.isoformat(), "extend-reason": ""}
    )
    assert "reason" in response.context["forms"]["extend"].errors
    act(
        client,
        "extension_request",
        hazard_a,
        {"extend-new_deadline": new.isoformat(), "extend-reason": "等配件"},
    )
    extension = hazard_a.extensions.get()
    assert (
        act(client, "extension_decide", hazard_a, {"decision": "approve"}, x=extension.pk).status_code == 403
    )

    client.force_login(officer)
    response = act(
        client, "extension_decide", hazard_a, {"decision": "refuse", "decide-note": ""}, x=extension.pk
    )
    assert "note" in response.context["forms"]["decide"].errors
    response = act(client, "extension_decide", hazard_a, {"decision": "approve"}, x=extension.pk)
    assert response.status_code == 302
    hazard_a.refresh_from_db()
    assert hazard_a.deadline == new


def test_listing_delisting_reopening_and_void(client, officer, township_a_user, enterprise_a):
    major = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    client.force_login(officer)
    response = act(
        client,
        "hazard_listing",
        major,
        {"listing-listing_level": "city", "listing-listed_on": TODAY().isoformat()},
    )
    assert "listing_leader" in response.context["forms"]["listing"].errors
    act(
        client,
        "hazard_listing",
        major,
        {
            "listing-listing_level": "city",
            "listing-listed_on": TODAY().isoformat(),
            "listing-listing_leader": "王副市长",
            "listing-listing_document": "市安办〔2026〕3号",
        },
    )
    major.refresh_from_db()
    assert major.is_listed and major.listing_document == "市安办〔2026〕3号"
    response = act(client, "hazard_delist", major)  # not closed yet
    assert any("摘牌" in m for m in messages_of(client.get(response.url)))
    to_verifying(major, township_a_user)
    act(client, "hazard_verify", major, {"decision": "pass"})
    act(client, "hazard_delist", major)
    major.refresh_from_db()
    assert major.delisted_on == TODAY()

    response = act(client, "hazard_reopen", major, {"reopen-reason": ""})
    assert "reason" in response.context["forms"]["reopen"].errors
    act(client, "hazard_reopen", major, {"reopen-reason": "复查发现反弹"})
    major.refresh_from_db()
    assert major.state == HazardState.RECTIFYING
    act(client, "hazard_void", major, {"void-reason": "重复录入"})
    major.refresh_from_db()
    assert major.state == HazardState.VOID


def test_listing_a_general_hazard_is_refused_inline(client, officer, hazard_a):
    client.force_login(officer)
    response = act(
        client,
        "hazard_listing",
        hazard_a,
        {
            "listing-listing_level": "district",
            "listing-listed_on": TODAY().isoformat(),
            "listing-listing_leader": "x",
        },
    )
    assert response.status_code == 200
    assert "只有重大隐患可以挂牌督办。" in response.context["forms"]["listing"].non_field_errors()


def test_next_only_returns_to_this_site(client, officer, township_a_user, hazard_a):
    to_verifying(hazard_a, township_a_user)
    client.force_login(officer)
    response = act(client, "hazard_verify", hazard_a, {"decision": "pass", "next": "https://evil.example/"})
    assert response.url == hazard_a.get_absolute_url()


# ---------------------------------------------------------------- queues and lists


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 200),
        ("admin_user", 200),
        ("department_user", 200),
        ("township_a_user", 403),
        ("leader", 403),
    ],
)
def test_verification_queue_page_roles(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("hazards:verification_list")).status_code == status


def test_verification_queue_pass_and_fail_per_row(client, officer, township_a_user, enterprise_a):
    first, second = record(officer, enterprise_a), record(officer, enterprise_a)
    to_verifying(first, township_a_user)
    to_verifying(second, township_a_user)
    client.force_login(officer)
    url = reverse("hazards:verification_list")
    response = client.get(url)
    assert set(numbers(response)) == {first.number, second.number}
    assert "已整改" in response.content.decode()  # the rectification entry is shown to judge by
    act(client, "hazard_verify", first, {"decision": "pass", "next": url})
    response = act(client, "hazard_verify", second, {"decision": "fail", "next": url})
    assert response.url == url  # no note: back to the queue with the message
    assert any("请填写理由" in m for m in messages_of(client.get(url)))
    act(client, "hazard_verify", second, {"decision": "fail", "verify-note": "照片不清", "next": url})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (HazardState.CLOSED, HazardState.RECTIFYING)
    assert numbers(client.get(url)) == []


def test_listed_page_is_scoped(client, officer, township_b_user, enterprise_a):
    major = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    services.listing_create(
        user=officer,
        hazard=major,
        level=ListingLevel.PROVINCE,
        listed_on=TODAY(),
        leader="省领导",
        document="X1",
    )
    client.force_login(officer)
    response = client.get(reverse("hazards:listed_list"))
    assert numbers(response) == [major.number]
    assert "省领导" in response.content.decode() and "省级" in response.content.decode()
    client.force_login(township_b_user)
    assert numbers(client.get(reverse("hazards:listed_list"))) == []


def test_menu_entries_per_role(client, township_a_user, officer):
    client.force_login(township_a_user)
    labels = [m["label"] for m in client.get(reverse("hazards:hazard_list")).context["nav_menu"]]
    assert "隐患台账" in labels and "挂牌督办" in labels and "待复查" not in labels
    client.force_login(officer)
    labels = [m["label"] for m in client.get(reverse("hazards:hazard_list")).context["nav_menu"]]
    assert "待复查" in labels


# ---------------------------------------------------------------- home pages


def test_township_home_lists_hazards_overdue_first_then_due_soon(
    client, officer, township_a_user, enterprise_a, enterprise_b
):
    later = record(officer, enterprise_a, days=40)
    soon = record(officer, enterprise_a, days=7)  # found 5 days ago: due in 2 days
    late = record(officer, enterprise_a, days=2)  # due 3 days ago
    record(officer, enterprise_b)  # township B's
    closed = record(officer, enterprise_a)
    to_verifying(closed, township_a_user)
    services.hazard_verify(user=officer, hazard=closed, passed=True)
    client.force_login(township_a_user)
    response = client.get(reverse("home"))
    panel = next(p["panel"] for p in response.context["home_panels"] if "follow" in p["template_name"])
    assert [h.number for h in panel["hazards"]] == [late.number, soon.number, later.number]
    body = response.content.decode()
    assert body.index(late.number) < body.index(soon.number) < body.index(later.number)
    assert "3天内到期" in body and "逾期" in body


def test_officer_home_has_the_verify_queue_and_extensions(client, officer, township_a_user, enterprise_a):
    waiting = record(officer, enterprise_a)
    to_verifying(waiting, township_a_user)
    other = record(officer, enterprise_a)
    extension = services.extension_request(
        user=township_a_user,
        hazard=other,
        new_deadline=other.deadline + dt.timedelta(days=3),
        reason="雨季停工",
    )
    client.force_login(officer)
    body = client.get(reverse("home")).content.decode()
    assert reverse("hazards:hazard_verify", args=[waiting.pk]) in body
    assert reverse("hazards:extension_decide", args=[other.pk, extension.pk]) in body and "雨季停工" in body
    response = client.post(
        reverse("hazards:hazard_verify", args=[waiting.pk]), {"decision": "pass", "next": reverse("home")}
    )
    assert response.url == reverse("home")
    waiting.refresh_from_db()
    assert waiting.state == HazardState.CLOSED


@pytest.mark.parametrize("persona", ["township_a_user", "officer", "department_user"])
def test_home_query_count_does_not_grow_with_hazards(
    client, request, persona, officer, township_a_user, district, sectors, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    firms = [
        EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["construction"]])
        for _ in range(3)
    ]

    def add(n: int) -> None:
        for i in range(n):
            hazard = record(officer, firms[i % 3])
            if i % 2:
                to_verifying(hazard, township_a_user)

    add(3)
    client.force_login(user)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("home"))
    add(24)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("home")).status_code == 200


# ---------------------------------------------------------------- odd input, scope, query counts, the leader


def bomb() -> SimpleUploadedFile:
    """A few KB of PNG declaring 400 million pixels: Pillow refuses to open it."""
    return png("bomb.png", size=(20000, 20000), mode="1")


def test_a_decompression_bomb_is_refused_in_chinese_on_the_page_and_the_api(
    client, media, township_a_user, hazard_a
):
    client.force_login(township_a_user)
    url = reverse("hazards:rectification_add", args=[hazard_a.pk])
    data = {"rect-text": "已整改", "rect-done_on": TODAY().isoformat(), "rect-photos_after": bomb()}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "像素过多" in str(response.context["forms"]["rectify"].errors)
    api = api_as(township_a_user)
    data = {"text": "已整改", "done_on": TODAY().isoformat(), "photos_after": [bomb()]}
    response = api.post(f"{HAZARDS}{hazard_a.pk}/rectifications/", data, format="multipart")
    assert response.status_code == 400 and "像素过多" in str(response.json())
    assert not Rectification.objects.exists()


def test_an_oversized_or_empty_photo_is_refused_and_nothing_saved(
    client, media, settings, township_a_user, hazard_a
):
    settings.UPLOAD_IMAGE_MAX_BYTES = 50
    client.force_login(township_a_user)
    url = reverse("hazards:rectification_add", args=[hazard_a.pk])
    for upload, words in ((png(size=(64, 64)), "超过"), (SimpleUploadedFile("e.png", b""), "空")):
        data = {"rect-text": "已整改", "rect-done_on": TODAY().isoformat(), "rect-photos_before": upload}
        response = client.post(url, data)
        assert response.status_code == 200
        errors = response.context["forms"]["rectify"].errors
        assert errors and words in str(errors)
    assert not Rectification.objects.exists() and not RectificationPhoto.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rectification_add", {"rect-text": "x", "rect-done_on": "2026-13-45"}),
        ("rectification_add", {}),
        ("extension_request", {"extend-new_deadline": "明天", "extend-reason": "x"}),
        ("hazard_listing", {"listing-listing_level": "county", "listing-listed_on": "x"}),
        ("hazard_reopen", {}),
        ("hazard_void", {}),
    ],
)
def test_bad_dates_and_missing_fields_come_back_on_the_form(client, officer, hazard_a, name, data):
    client.force_login(officer)
    response = client.post(reverse(f"hazards:{name}", args=[hazard_a.pk]), data)
    assert response.status_code in (200, 302)
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN and hazard_a.events.count() == 1


def test_bad_filters_answer_nothing_not_an_error(client, officer, hazard_a):
    client.force_login(officer)
    for params in ({"found_from": "yesterday"}, {"township": "abc"}, {"page": "x"}, {"overdue": "maybe"}):
        response = client.get(reverse("hazards:hazard_list"), params)
        assert response.status_code == 200
        assert client.get(reverse("hazards:hazard_export"), params).status_code == 200
    assert api_as(officer).get(HAZARDS, {"found_from": "yesterday"}).status_code == 400


def test_record_form_refuses_another_township_as_follower(client, township_a_user, district, enterprise_a):
    client.force_login(township_a_user)
    data = {
        "enterprise": enterprise_a.pk,
        "source": "self",
        "level": "general",
        "description": "消防通道堵塞",
        "found_on": TODAY().isoformat(),
        "deadline": (TODAY() + dt.timedelta(days=10)).isoformat(),
        "responsible_unit": district.township_b.pk,
    }
    response = client.post(reverse("hazards:hazard_create"), data)
    assert response.status_code == 200 and "responsible_unit" in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_department_sees_and_acts_only_on_its_sectors(
    client, media, department_user, township_a_user, officer, hazard_a, hazard_b
):
    """住建 supervises construction (enterprise B), not machinery (enterprise A)."""
    services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="已整改", done_on=TODAY(), photos_after=[png()]
    )
    photo = RectificationPhoto.objects.get()
    client.force_login(department_user)
    assert client.get(reverse("hazards:hazard_detail", args=[hazard_b.pk])).status_code == 200
    assert client.get(reverse("hazards:hazard_detail", args=[hazard_a.pk])).status_code == 404
    assert client.get(reverse("hazards:photo", args=[photo.pk])).status_code == 404
    response = client.post(reverse("hazards:hazard_submit", args=[hazard_a.pk]))
    assert response.status_code == 404
    listed = client.get(reverse("hazards:hazard_list"))
    assert [h.number for h in listed.context["hazards"]] == [hazard_b.number]
    api = api_as(department_user)
    assert api.get(f"{HAZARDS}{hazard_a.pk}/").status_code == 404
    assert [h["number"] for h in api.get(HAZARDS).json()["results"]] == [hazard_b.number]
    assert api.get(f"{HAZARDS}figures/").json()["found"] == 1


def test_filter_by_a_township_outside_the_scope_gives_nothing_everywhere(
    client, township_a_user, district, hazard_a, hazard_b
):
    client.force_login(township_a_user)
    outside = {"township": district.township_b.pk}
    assert list(client.get(reverse("hazards:hazard_list"), outside).context["hazards"]) == []

    content = client.get(reverse("hazards:hazard_export"), outside).content
    assert len(list(load_workbook(io.BytesIO(content)).active.iter_rows())) == 1  # the header only
    api = api_as(township_a_user)
    assert api.get(HAZARDS, outside).status_code == 400
    assert api.get(f"{HAZARDS}figures/", outside).status_code == 400


def test_listed_and_verify_pages_are_scoped(
    client, officer, township_b_user, department_user, enterprise_a, enterprise_b
):
    major_a = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    services.listing_create(
        user=officer, hazard=major_a, level=ListingLevel.DISTRICT, listed_on=TODAY(), leader="李", document=""
    )
    waiting_a = to_verifying(record(officer, enterprise_a), officer)
    client.force_login(township_b_user)
    assert list(client.get(reverse("hazards:listed_list")).context["hazards"]) == []
    client.force_login(department_user)
    assert list(client.get(reverse("hazards:listed_list")).context["hazards"]) == []
    assert waiting_a.number not in client.get(reverse("hazards:verification_list")).content.decode()


def grow(officer, township_a_user, enterprises, n: int) -> None:
    """n hazards, each with a rectification (two photos) waiting for verification, and listed if major."""
    for i in range(n):
        hazard = record(officer, enterprises[i % len(enterprises)], level=HazardLevel.MAJOR)
        services.listing_create(
            user=officer, hazard=hazard, level=ListingLevel.CITY, listed_on=TODAY(), leader="李", document="x"
        )
        services.rectification_create(
            user=township_a_user,
            hazard=hazard,
            text="已整改",
            done_on=TODAY(),
            photos_before=[png()],
            photos_after=[png()],
        )
        services.hazard_submit(user=township_a_user, hazard=hazard)


@pytest.mark.parametrize("url_name", ["hazards:verification_list", "hazards:listed_list", "home"])
def test_listing_pages_queries_do_not_grow_with_rows(
    client, media, url_name, officer, township_a_user, district, sectors, django_assert_max_num_queries
):
    firms = [
        EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]]) for _ in range(3)
    ]
    grow(officer, township_a_user, firms, 2)
    client.force_login(officer)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse(url_name)).status_code == 200
    grow(officer, township_a_user, firms, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_officer_home_with_pending_extensions_queries_do_not_grow(
    client, officer, township_a_user, district, sectors, django_assert_max_num_queries
):
    firm = EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]])

    def add(n):
        for _ in range(n):
            hazard = record(officer, firm)
            services.extension_request(
                user=township_a_user,
                hazard=hazard,
                new_deadline=hazard.deadline + dt.timedelta(days=5),
                reason="x",
            )

    add(2)
    client.force_login(officer)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("home"))
    add(9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "home-extensions" in client.get(reverse("home")).content.decode()


def test_hazard_page_queries_do_not_grow_with_the_timeline(
    client, media, officer, township_a_user, enterprise_a, django_assert_max_num_queries
):
    hazard = record(officer, enterprise_a, level=HazardLevel.MAJOR, photos=[png()])

    def work(n):
        for _ in range(n):
            services.rectification_create(
                user=township_a_user,
                hazard=hazard,
                text="整改中",
                done_on=TODAY(),
                photos_after=[png(), png()],
            )
            ext = services.extension_request(
                user=township_a_user,
                hazard=hazard,
                new_deadline=Hazard.objects.get(pk=hazard.pk).deadline + dt.timedelta(days=3),
                reason="缺料",
            )
            services.extension_decide(user=officer, extension=ext, approve=True)

    work(1)
    url = reverse("hazards:hazard_detail", args=[hazard.pk])
    for user in (officer, township_a_user):
        client.force_login(user)
        with django_assert_max_num_queries(40) as few:
            client.get(url)
        work(4)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


def test_leader_pages_have_no_write_button(client, leader, officer, township_a_user, enterprise_a):
    major = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    services.listing_create(
        user=officer, hazard=major, level=ListingLevel.CITY, listed_on=TODAY(), leader="李", document="x"
    )
    waiting = to_verifying(record(officer, enterprise_a), township_a_user)
    client.force_login(leader)
    pages = [
        reverse("hazards:hazard_list"),
        reverse("hazards:listed_list"),
        reverse("home"),
        reverse("hazards:hazard_detail", args=[major.pk]),
        reverse("hazards:hazard_detail", args=[waiting.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert (
            reverse("hazards:hazard_create") not in html
            and reverse("core:import_upload", args=["hazards"]) not in html
        )
        for hazard in (major, waiting):
            assert f"/hazards/{hazard.pk}/" + "verify/" not in html
            assert f"/hazards/{hazard.pk}/" + "rectify/" not in html
            assert f"/hazards/{hazard.pk}/" + "void/" not in html


def test_photos_whose_file_is_gone_answer_404(client, media, township_a_user, enterprise_a, hazard_a):
    client.force_login(township_a_user)
    client.post(new_url(), {**form_post(enterprise_a), "photos": [png("a.png")]})
    found = Hazard.objects.exclude(pk=hazard_a.pk).get().found_photos.get()
    services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="已整改", done_on=TODAY(), photos_after=[png()]
    )
    rectified = RectificationPhoto.objects.get()
    for photo in (found, rectified):
        photo.image.storage.delete(photo.image.name)
    assert client.get(reverse("hazards:found_photo", args=[found.pk])).status_code == 404
    assert client.get(reverse("hazards:photo", args=[rectified.pk])).status_code == 404
