"""录入检查: the four-step form with server-side drafts, and the action / record / photo pages.

The form is driven through the test client the way a phone without JavaScript would: every step a
POST, every step saved. Outsiders get 404 (other people's drafts, other townships' records), the
leader gets 403, and an enterprise outside the user's scope never gets into a draft.
"""

import datetime as dt
import io
import struct
import threading
import time
import zlib

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.choices import Role
from inspections.choices import ActionStatus, CheckResultValue
from inspections.models import (
    CheckItem,
    CheckResult,
    InspectionAction,
    InspectionDraft,
    InspectionKind,
    InspectionRecord,
    RecordPhoto,
)
from inspections.services import ResultData, VisitData, action_create, draft_save, draft_start
from tests.factories import EnterpriseFactory, UserFactory

ACTIONS = "/api/v1/inspection-actions/"
RECORDS = "/api/v1/inspection-records/"
TODAY = timezone.localdate()
CERT_RULE = "执法检查的检查组须至少有两名持有效执法证的人员。"


@pytest.fixture
def items(sectors):
    """Enterprise A is 机械: it gets the 机械 item and the 工贸 (parent sector) items; B gets 建筑施工."""
    return {
        "machine": CheckItem.objects.create(
            sector=sectors["machinery"], code="JX-01", title="机械防护罩是否完好"
        ),
        "space": CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-01", title="有限空间作业是否审批"
        ),
        "dust": CheckItem.objects.create(
            sector=sectors["industry-trade"], code="GM-02", title="粉尘是否清扫"
        ),
        "site": CheckItem.objects.create(sector=sectors["construction"], code="JZ-01", title="临边洞口防护"),
    }


def step_url(draft, n: int) -> str:
    return reverse("inspections:draft_step", args=[draft.pk, n])


def basics_post(kind, organizer, members, **extra) -> dict:
    return {
        "date": TODAY.isoformat(),
        "kind": kind.pk,
        "organizer": organizer.pk,
        "members": [m.pk for m in members],
        "experts": "",
        "leader_level": "",
        "note": "",
        "goto": "2",
        **extra,
    }


def png(name: str = "site.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def ready_draft(user, kind, organizer, members, enterprises) -> InspectionDraft:
    """A draft filled through the services up to step 3, as the form would leave it."""
    draft = draft_start(user=user)
    basics = {
        **draft.data["basics"],
        "kind": kind.pk,
        "organizer": organizer.pk,
        "members": [m.pk for m in members],
    }
    draft_save(user=user, draft=draft, step=2, basics=basics)
    return draft_save(user=user, draft=draft, step=3, enterprise_ids=[e.pk for e in enterprises])


# ---------------------------------------------------------------- start and resume


def test_new_shows_step_one_and_creates_the_draft_only_when_a_unit_is_posted(client, officer, routine):
    client.force_login(officer)
    page = client.get(reverse("inspections:entry_new"))
    assert page.status_code == 200 and page.context["form"].initial["organizer"] == officer.org_unit_id
    assert page.context["form"].initial["members"] == [officer.pk]
    assert not InspectionDraft.objects.filter(owner=officer).exists()  # opening 录入检查 saves nothing
    client.get(reverse("inspections:entry_new"))
    assert not InspectionDraft.objects.exists()

    # Posted without a unit: the form says so, still no "（尚未选择单位）" draft.
    response = client.post(reverse("inspections:entry_new"), {"date": TODAY.isoformat(), "kind": routine.pk})
    assert response.status_code == 200 and "organizer" in response.context["form"].errors
    assert not InspectionDraft.objects.exists()

    covert = InspectionKind.objects.get(code="covert")
    response = client.post(reverse("inspections:entry_new"), basics_post(covert, officer.org_unit, [officer]))
    draft = InspectionDraft.objects.get(owner=officer)
    assert response.url == step_url(draft, 2) and draft.step == 2
    assert draft.data["basics"]["organizer"] == officer.org_unit_id

    again = client.get(reverse("inspections:entry_new"))
    assert again.status_code == 200 and "继续" in again.content.decode()  # 我的草稿 offered to resume
    assert client.get(reverse("inspections:draft_resume", args=[draft.pk])).url == step_url(draft, 2)
    fresh = client.get(reverse("inspections:entry_new"), {"new": "1"})
    assert "form" in fresh.context and InspectionDraft.objects.filter(owner=officer).count() == 1


def test_new_with_a_failing_rule_keeps_the_draft_and_shows_the_rule(client, officer, routine):
    client.force_login(officer)
    response = client.post(
        reverse("inspections:entry_new"), basics_post(routine, officer.org_unit, [officer])
    )
    draft = InspectionDraft.objects.get(owner=officer)
    assert response.url == step_url(draft, 1)
    assert CERT_RULE in client.get(response.url).content.decode()


def test_organizer_choices_follow_the_role(client, district, officer, township_a_user, department_user):
    def choices(user):
        client.force_login(user)
        draft = draft_start(user=user)
        return set(client.get(step_url(draft, 1)).context["form"].fields["organizer"].queryset)

    # One rule for entry, import, plans and draws: the district office may enter for any organising unit.
    assert choices(officer) == {
        district.district,
        district.dept_construction,
        district.dept_emergency,
        district.township_a,
        district.township_b,
    }
    assert choices(township_a_user) == {district.township_a}
    assert choices(department_user) == {district.dept_construction}


def test_team_choices_mark_valid_certificates(client, officer, team, district, certified):
    outsider_team = certified(district.township_b, role=Role.TOWNSHIP)
    client.force_login(officer)
    draft = draft_start(user=officer)
    field = client.get(step_url(draft, 1)).context["form"].fields["members"]
    labels = {u.pk: field.label_from_instance(u) for u in field.queryset}
    assert "✓执法证" in labels[team[0].pk] and "✓执法证" not in labels[officer.pk]
    # Offered: the organiser's own certified staff and the user — not the whole district (issue 10).
    assert set(labels) == {officer.pk, *[m.pk for m in team]}

    client.force_login(township_b_user := UserFactory(role=Role.TOWNSHIP, org_unit=district.township_b))
    draft_b = draft_start(user=township_b_user)
    queryset = client.get(step_url(draft_b, 1)).context["form"].fields["members"].queryset
    assert set(queryset) == {township_b_user, *outsider_team}


# ---------------------------------------------------------------- the whole flow


def test_officer_enters_an_inspection_step_by_step(client, officer, team, routine, enterprise_a, items):
    client.force_login(officer)
    draft = draft_start(user=officer)

    response = client.post(
        step_url(draft, 1), basics_post(routine, officer.org_unit, team, experts="张工、李工")
    )
    assert response.url == step_url(draft, 2)

    client.post(step_url(draft, 2), {"add": enterprise_a.pk})
    page = client.get(step_url(draft, 2))
    assert [e.pk for e in page.context["chosen"]] == [enterprise_a.pk]
    assert client.post(step_url(draft, 2), {"goto": "3"}).url == step_url(draft, 3)

    panel = client.get(step_url(draft, 3)).context["panels"][0]
    assert {r["item"].code for r in panel["rows"]} == {"JX-01", "GM-01", "GM-02"}  # parent sector's too
    e, i = enterprise_a.pk, items
    response = client.post(
        step_url(draft, 3),
        {
            f"r-{e}-{i['machine'].pk}": "noncompliant",
            f"n-{e}-{i['machine'].pk}": "防护罩缺失",
            f"r-{e}-{i['space'].pk}": "noncompliant",
            f"n-{e}-{i['space'].pk}": "未审批",
            f"r-{e}-{i['dust'].pk}": "compliant",
            f"findings-{e}": "1. 防护罩缺失；2. 有限空间未审批",
            "goto": "4",
        },
    )
    assert response.url == step_url(draft, 4)
    confirm = client.get(step_url(draft, 4))
    assert confirm.context["problems"] == [] and confirm.context["panels"][0]["noncompliant"] == 2

    response = client.post(step_url(draft, 4), {"submit": "1"}, follow=True)
    action = InspectionAction.objects.get()
    assert action.status == ActionStatus.DONE and action.number.startswith("区应急管理局检〔")
    assert action.person_count == 4  # two certified members and two experts
    record = InspectionRecord.objects.get()
    assert record.number and record.findings.startswith("1. 防护罩缺失")
    bad = CheckResult.objects.filter(record=record, result="noncompliant")
    assert {(r.item.code, r.note) for r in bad} == {("JX-01", "防护罩缺失"), ("GM-01", "未审批")}
    assert not InspectionDraft.objects.exists()
    assert response.redirect_chain[-1][0] == reverse("inspections:action_detail", args=[action.pk])
    assert action.number in response.content.decode()


def test_step_one_keeps_the_input_and_shows_the_certificate_rule(client, officer, routine):
    client.force_login(officer)
    draft = draft_start(user=officer)
    response = client.post(
        step_url(draft, 1), basics_post(routine, officer.org_unit, [officer], experts="王工")
    )
    assert response.status_code == 200
    assert CERT_RULE in response.context["form"].errors["members"]
    assert CERT_RULE in response.content.decode()
    draft.refresh_from_db()
    assert draft.step == 1 and draft.data["basics"]["experts"] == "王工"  # nothing lost


def test_leader_led_needs_the_leader_named(client, officer, team):
    covert = InspectionKind.objects.get(code="covert")  # not an enforcement kind
    client.force_login(officer)
    draft = draft_start(user=officer)
    response = client.post(
        step_url(draft, 1), basics_post(covert, officer.org_unit, [officer], is_leader_led="on")
    )
    assert "领导带队的检查须填写带队领导。" in response.context["form"].errors["leader_name"]


def test_submit_sends_back_to_the_step_of_the_broken_rule(
    client, officer, team, routine, enterprise_a, items
):
    draft = ready_draft(officer, routine, officer.org_unit, team, [enterprise_a])
    team[0].enforcement_cert_expiry = TODAY - dt.timedelta(days=1)  # expired since step 1
    team[0].save()
    client.force_login(officer)
    response = client.post(step_url(draft, 4), {"submit": "1"})
    assert response.url == step_url(draft, 1)
    page = client.get(step_url(draft, 1))
    assert CERT_RULE in page.context["form"].errors["members"]
    assert not InspectionAction.objects.exists()
    draft.refresh_from_db()
    assert draft.data["enterprises"] == [enterprise_a.pk]  # nothing lost


def test_future_date_is_refused(client, officer, team, routine):
    client.force_login(officer)
    draft = draft_start(user=officer)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(step_url(draft, 1), basics_post(routine, officer.org_unit, team, date=tomorrow))
    assert "检查日期不能晚于今天。" in response.context["form"].errors["date"]


# ---------------------------------------------------------------- scope


def test_search_finds_only_enterprises_in_the_users_scope(
    client, township_a_user, enterprise_a, enterprise_b
):
    client.force_login(township_a_user)
    search = reverse("inspections:entry_enterprise_search")
    assert [r["id"] for r in client.get(search, {"q": "东城"}).json()["results"]] == [enterprise_a.pk]
    assert client.get(search, {"q": "西山"}).json()["results"] == []
    assert client.get(search, {"q": enterprise_b.uscc}).json()["results"] == []
    assert [r["id"] for r in client.get(search, {"q": enterprise_a.uscc[:10].lower()}).json()["results"]] == [
        enterprise_a.pk
    ]

    draft = draft_start(user=township_a_user)
    page = client.get(step_url(draft, 2), {"q": "西山"})  # the no-JS search on the page itself
    assert page.context["results"] == [] and "没有找到" in page.content.decode()
    assert client.get(step_url(draft, 2), {"q": "机械"}).context["results"] == [enterprise_a]


def test_search_returns_at_most_twenty(client, officer, district):
    for i in range(25):
        EnterpriseFactory(name=f"批量企业{i:02d}", jurisdiction=district.township_a)
    client.force_login(officer)
    assert (
        len(client.get(reverse("inspections:entry_enterprise_search"), {"q": "批量"}).json()["results"]) == 20
    )


def test_hand_crafted_enterprise_outside_scope_is_refused(
    client, township_a_user, district, enterprise_a, enterprise_b
):
    client.force_login(township_a_user)
    draft = draft_start(user=township_a_user)
    client.post(step_url(draft, 2), {"add": enterprise_a.pk})
    response = client.post(step_url(draft, 2), {"add": enterprise_b.pk}, follow=True)
    assert "所选单位不在您的管辖范围内。" in response.content.decode()
    assert enterprise_b.name not in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["enterprises"] == [enterprise_a.pk]


def test_submit_refuses_an_enterprise_that_left_the_scope(client, township_a_user, district, enterprise_a):
    covert = InspectionKind.objects.get(code="covert")
    draft = ready_draft(township_a_user, covert, district.township_a, [township_a_user], [enterprise_a])
    enterprise_a.jurisdiction = district.township_b  # moved to another township meanwhile
    enterprise_a.save()
    client.force_login(township_a_user)
    assert client.post(step_url(draft, 4), {"submit": "1"}).url == step_url(draft, 2)
    assert not InspectionAction.objects.exists()


def test_another_users_draft_is_404_everywhere(client, officer, township_a_user, routine, team, enterprise_a):
    draft = ready_draft(officer, routine, officer.org_unit, team, [enterprise_a])
    photo = RecordPhoto.objects.create(draft=draft, enterprise=enterprise_a, image=png(), uploaded_by=officer)
    other = UserFactory(role=Role.OFFICER, org_unit=officer.org_unit)
    client.force_login(other)
    for n in (1, 2, 3, 4):
        assert client.get(step_url(draft, n)).status_code == 404
        assert client.post(step_url(draft, n), {"goto": "2", "submit": "1"}).status_code == 404
    assert client.get(reverse("inspections:draft_resume", args=[draft.pk])).status_code == 404
    assert client.post(reverse("inspections:draft_discard", args=[draft.pk])).status_code == 404
    assert client.get(reverse("inspections:photo", args=[photo.pk])).status_code == 404
    assert draft.pk not in [
        r["draft"].pk for r in client.get(reverse("inspections:draft_list")).context["rows"]
    ]
    assert InspectionDraft.objects.filter(pk=draft.pk).exists() and not InspectionAction.objects.exists()


def test_details_outside_scope_are_404(
    client, officer, team, routine, township_a_user, township_b_user, enterprise_a
):
    action = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=routine,
        members=team,
        enterprises=[enterprise_a],
    )
    record = action.records.get()
    client.force_login(township_b_user)
    assert client.get(reverse("inspections:action_detail", args=[action.pk])).status_code == 404
    assert client.get(reverse("inspections:record_detail", args=[record.pk])).status_code == 404
    client.force_login(township_a_user)
    assert client.get(reverse("inspections:action_detail", args=[action.pk])).status_code == 200
    assert client.get(reverse("inspections:record_detail", args=[record.pk])).status_code == 200


def test_leader_cannot_start_an_entry(client, leader, officer, team, routine, enterprise_a):
    client.force_login(leader)
    assert client.get(reverse("inspections:entry_new")).status_code == 403
    assert client.post(reverse("inspections:entry_new")).status_code == 403
    assert client.get(reverse("inspections:entry_enterprise_search"), {"q": "东城"}).status_code == 403
    assert not InspectionDraft.objects.exists()
    page = client.get(reverse("inspections:action_list"))
    assert "录入检查" not in page.content.decode()
    planned = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=routine,
        members=team,
        enterprises=[enterprise_a],
        status=ActionStatus.PLANNED,
    )
    assert client.post(reverse("inspections:planned_start", args=[planned.pk])).status_code == 403
    assert (
        "开始录入" not in client.get(reverse("inspections:action_detail", args=[planned.pk])).content.decode()
    )


def test_writers_see_the_menu_entry_and_the_list_button(client, township_a_user):
    client.force_login(township_a_user)
    page = client.get(reverse("inspections:action_list"))
    assert "录入检查" in [m["label"] for m in page.context["nav_menu"]]
    assert reverse("inspections:entry_new") in page.content.decode()


# ---------------------------------------------------------------- 多头检查 warning


@pytest.mark.parametrize(("days_ago", "warned"), [(5, True), (45, False)])
def test_repeat_visit_by_another_unit_is_warned_within_the_window(
    client, officer, team, district, routine, enterprise_a, days_ago, warned, certified
):
    township_team = certified(district.township_a, role=Role.TOWNSHIP)
    earlier = TODAY - dt.timedelta(days=days_ago)
    action_create(
        user=township_team[0],
        date=earlier,
        organizer=district.township_a,
        kind=routine,
        members=township_team,
        enterprises=[enterprise_a],
    )
    draft = ready_draft(officer, routine, officer.org_unit, team, [enterprise_a])
    client.force_login(officer)
    for n in (2, 4):
        content = client.get(step_url(draft, n)).content.decode()
        assert ("多头检查提示" in content) is warned
        if warned:
            assert "东城街道" in content and earlier.isoformat() in content


def test_repeat_window_is_configurable_and_own_unit_is_not_warned(
    client, settings, officer, team, district, routine, enterprise_a
):
    earlier = TODAY - dt.timedelta(days=45)
    action_create(
        user=officer,
        date=earlier,
        organizer=district.township_a,
        kind=routine,
        members=team,
        enterprises=[enterprise_a],
    )
    action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=routine,
        members=team,
        enterprises=[enterprise_a],
    )
    settings.INSPECTION_REPEAT_DAYS = 60
    draft = ready_draft(officer, routine, officer.org_unit, team, [enterprise_a])
    client.force_login(officer)
    warnings = client.get(step_url(draft, 2)).context["warnings"]
    assert [w.action.organizer for w in warnings] == [district.township_a]  # not our own visit today


# ---------------------------------------------------------------- photos


def test_non_image_is_refused_and_a_png_ends_up_on_the_record(
    client, officer, team, routine, enterprise_a, items, township_a_user, township_b_user
):
    draft = ready_draft(officer, routine, officer.org_unit, team, [enterprise_a])
    client.force_login(officer)
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00 this is not a picture", content_type="image/jpeg")
    response = client.post(step_url(draft, 3), {f"photo-{enterprise_a.pk}": fake, "upload": enterprise_a.pk})
    assert response.status_code == 200
    assert "“现场.jpg”不是有效的图片文件" in response.content.decode()
    assert not RecordPhoto.objects.exists()

    response = client.post(step_url(draft, 3), {f"photo-{enterprise_a.pk}": png(), "upload": enterprise_a.pk})
    assert response.status_code == 302
    photo = RecordPhoto.objects.get()
    assert photo.draft == draft and photo.image.name.endswith(".png")
    page = client.get(step_url(draft, 3)).content.decode()
    photo_url = reverse("inspections:photo", args=[photo.pk])
    assert photo_url in page and "/media/" not in page
    assert client.get(photo_url)["Content-Type"] == "image/png"

    client.post(step_url(draft, 4), {"submit": "1"})
    photo.refresh_from_db()
    record = InspectionRecord.objects.get()
    assert photo.record == record and photo.draft is None
    assert photo_url in client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    client.force_login(township_a_user)  # the enterprise is theirs: they may see it
    assert client.get(photo_url).status_code == 200
    client.force_login(township_b_user)
    assert client.get(photo_url).status_code == 404


def test_discarding_a_draft_removes_its_photos(client, officer, team, routine, enterprise_a):
    draft = ready_draft(officer, routine, officer.org_unit, team, [enterprise_a])
    client.force_login(officer)
    client.post(step_url(draft, 3), {f"photo-{enterprise_a.pk}": png(), "upload": enterprise_a.pk})
    assert RecordPhoto.objects.count() == 1
    client.post(reverse("inspections:draft_discard", args=[draft.pk]))
    assert not InspectionDraft.objects.exists() and not RecordPhoto.objects.exists()


# ---------------------------------------------------------------- planned inspections (双随机)


def test_planned_inspection_is_completed_not_duplicated(client, officer, team, routine, enterprise_a, items):
    planned = action_create(
        user=officer,
        date=TODAY - dt.timedelta(days=1),
        organizer=officer.org_unit,
        kind=routine,
        members=team,
        enterprises=[enterprise_a],
        status=ActionStatus.PLANNED,
    )
    assert planned.number == ""
    client.force_login(officer)
    assert "开始录入" in client.get(reverse("inspections:action_detail", args=[planned.pk])).content.decode()
    response = client.post(reverse("inspections:planned_start", args=[planned.pk]))
    draft = InspectionDraft.objects.get()
    assert response.url == step_url(draft, 1) and draft.planned_action == planned
    assert draft.data["enterprises"] == [enterprise_a.pk]
    assert set(draft.data["basics"]["members"]) == {m.pk for m in team}
    # 开始录入 again resumes the same draft
    client.post(reverse("inspections:planned_start", args=[planned.pk]))
    assert InspectionDraft.objects.count() == 1

    client.post(step_url(draft, 1), basics_post(routine, officer.org_unit, team))
    client.post(step_url(draft, 3), {f"r-{enterprise_a.pk}-{items['space'].pk}": "noncompliant", "goto": "4"})
    client.post(step_url(draft, 4), {"submit": "1"})
    planned.refresh_from_db()
    assert InspectionAction.objects.count() == 1
    assert planned.status == ActionStatus.DONE and planned.number and planned.date == TODAY
    record = planned.records.get()
    assert record.number and record.results.get().result == "noncompliant"
    assert not InspectionDraft.objects.exists()


def test_planned_enterprises_cannot_be_changed(client, officer, team, routine, enterprise_a, district):
    other = EnterpriseFactory(jurisdiction=district.township_a)
    planned = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=routine,
        members=team,
        enterprises=[enterprise_a],
        status=ActionStatus.PLANNED,
    )
    client.force_login(officer)
    client.post(reverse("inspections:planned_start", args=[planned.pk]))
    draft = InspectionDraft.objects.get()
    response = client.post(step_url(draft, 2), {"add": other.pk}, follow=True)
    assert "计划检查的被检查单位不能更改。" in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["enterprises"] == [enterprise_a.pk]


# ---------------------------------------------------------------- detail pages


def test_detail_pages_stay_within_a_query_ceiling(
    client, officer, team, routine, district, items, django_assert_max_num_queries
):
    enterprises = [EnterpriseFactory(jurisdiction=district.community_a) for _ in range(6)]
    action = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=routine,
        members=team,
        enterprises=enterprises,
    )
    record = action.records.first()
    for item in items.values():
        CheckResult.objects.create(record=record, item=item, result="noncompliant", note="问题")
    for _ in range(3):
        RecordPhoto.objects.create(
            record=record, enterprise=record.enterprise, image=png(), uploaded_by=officer
        )
    client.force_login(officer)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("inspections:action_detail", args=[action.pk]))
    assert len(page.context["records"]) == 6
    # The record page: 10 of its own (with the hazards panel), plus what enforcement's panels show —
    # the cases opened from the record, its 执法文书 and the kinds for the draft menu — one query each,
    # computed once per page (core.panels), not per result row: the rows reuse the prefetched results.
    with django_assert_max_num_queries(13):
        page = client.get(reverse("inspections:record_detail", args=[record.pk]))
    content = page.content.decode()
    assert content.count("result-noncompliant") == 4 and "{# record-pdf-link #}" not in content


def test_action_list_links_numbers_to_the_detail_page(client, officer, team, routine, enterprise_a):
    action = action_create(
        user=officer,
        date=TODAY,
        organizer=officer.org_unit,
        kind=routine,
        members=team,
        enterprises=[enterprise_a],
    )
    client.force_login(officer)
    content = client.get(reverse("inspections:action_list")).content.decode()
    assert f'href="{reverse("inspections:action_detail", args=[action.pk])}"' in content


def test_service_refuses_an_organiser_the_user_may_not_act_for(township_a_user, district, enterprise_a):
    from django.core.exceptions import ValidationError

    from inspections.models import InspectionKind
    from inspections.services import action_create

    with pytest.raises(ValidationError) as exc:
        action_create(
            user=township_a_user,
            date=TODAY,
            organizer=district.township_b,
            kind=InspectionKind.objects.get(code="supervision"),
            members=[township_a_user],
            enterprises=[enterprise_a],
        )
    assert "organizer" in exc.value.message_dict


def test_planned_inspection_is_started_only_by_who_may_act_for_its_organiser(
    client, officer, district, department_user, township_a_user, routine, sectors, inspect, certified
):
    site_a = EnterpriseFactory(jurisdiction=district.township_a, sectors=[sectors["construction"]])
    town_team = certified(district.township_a, role=Role.TOWNSHIP)
    by_town = inspect(officer, district.township_a, town_team, [site_a], status=ActionStatus.PLANNED)
    by_district = inspect(officer, district.district, town_team, [site_a], status=ActionStatus.PLANNED)

    # 住建 sees township A's planned visit to a construction firm, but may not complete it for A.
    for user, planned in [(department_user, by_town), (township_a_user, by_district)]:
        client.force_login(user)
        detail = reverse("inspections:action_detail", args=[planned.pk])
        assert "开始录入" not in client.get(detail).content.decode()
        response = client.post(reverse("inspections:planned_start", args=[planned.pk]))
        assert response.status_code == 302 and response.url == detail
        assert "您不能录入" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not InspectionDraft.objects.exists()

    client.force_login(township_a_user)  # its own unit's planned inspection: yes
    assert "开始录入" in client.get(reverse("inspections:action_detail", args=[by_town.pk])).content.decode()
    client.post(reverse("inspections:planned_start", args=[by_town.pk]))
    assert InspectionDraft.objects.get().planned_action == by_town


# ---------------------------------------------------------------- submitting twice


def ready(user, kind, members, enterprises) -> InspectionDraft:
    draft = draft_start(user=user)
    basics = {**draft.data["basics"], "kind": kind.pk, "members": [m.pk for m in members]}
    draft_save(user=user, draft=draft, step=2, basics=basics)
    return draft_save(user=user, draft=draft, step=4, enterprise_ids=[e.pk for e in enterprises])


def test_second_tap_after_the_first_went_through_lands_on_the_list(
    client, officer, team, routine, enterprise_a
):
    draft = ready(officer, routine, team, [enterprise_a])
    url = reverse("inspections:draft_step", args=[draft.pk, 4])
    client.force_login(officer)
    first = client.post(url, {"submit": "1"})
    assert first.url == reverse("inspections:action_detail", args=[InspectionAction.objects.get().pk])
    second = client.post(url, {"submit": "1"})
    assert second.status_code == 302 and second.url == reverse("inspections:action_list")
    assert InspectionAction.objects.count() == 1
    assert client.get(url).status_code == 404  # a GET of a gone draft is still a 404


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_action_and_no_404(district, officer, enterprise_a, certified):
    routine = InspectionKind.objects.get(code="routine")
    draft = ready(officer, routine, certified(district.dept_emergency), [enterprise_a])
    url = reverse("inspections:draft_step", args=[draft.pk, 4])
    landed: list[str] = []
    go = threading.Barrier(3)

    def tap() -> None:
        browser = Client()
        browser.force_login(officer)
        go.wait()
        landed.append(browser.post(url, {"submit": "1"}).url)
        connections.close_all()

    # Hold the draft's row so both taps are inside the view, waiting on its lock, before either submits.
    with transaction.atomic():
        InspectionDraft.objects.select_for_update().get(pk=draft.pk)
        taps = [threading.Thread(target=tap) for _ in range(2)]
        for t in taps:
            t.start()
        go.wait()
        time.sleep(0.5)
    for t in taps:
        t.join()
    action = InspectionAction.objects.get()
    assert sorted(landed) == sorted(
        [reverse("inspections:action_list"), reverse("inspections:action_detail", args=[action.pk])]
    )


# ---------------------------------------------------------------- never a 500


def test_digits_int_cannot_read_are_refused_quietly(client, api, officer, team, routine, enterprise_a):
    client.force_login(officer)
    assert client.get(reverse("inspections:check_item_list"), {"sector": "²"}).status_code == 200
    draft = ready(officer, routine, team, [enterprise_a])
    for step, data in [(2, {"add": "²"}), (2, {"remove": "²"}), (3, {"delete_photo": "²", "upload": "²"})]:
        assert client.post(reverse("inspections:draft_step", args=[draft.pk, step]), data).status_code == 302
    draft.refresh_from_db()
    assert draft.data["enterprises"] == [enterprise_a.pk]
    api.force_authenticate(officer)
    body = {
        "date": TODAY.isoformat(),
        "kind": "²",
        "members": [],
        "records": [{"enterprise": enterprise_a.pk}],
    }
    assert api.post(ACTIONS, body, format="json").status_code == 400


def bomb_png() -> bytes:
    """A valid PNG header declaring 100000×100000 pixels: a few bytes that would unpack to gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_photo_is_refused_not_a_500(
    client, api, media, officer, team, routine, enterprise_a, inspect
):
    record = inspect(officer, officer.org_unit, team, [enterprise_a]).records.get()
    api.force_authenticate(officer)
    bomb = SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png")
    assert api.post(f"{RECORDS}{record.pk}/photos/", {"image": bomb}, format="multipart").status_code == 400
    draft = ready(officer, routine, team, [enterprise_a])
    client.force_login(officer)
    bomb = SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png")
    response = client.post(
        reverse("inspections:draft_step", args=[draft.pk, 3]), {f"photo-{enterprise_a.pk}": bomb}
    )
    assert response.status_code == 200 and "有照片未能上传" in response.content.decode()
    assert not RecordPhoto.objects.exists()


# ---------------------------------------------------------------- queries do not grow with rows


def test_entry_steps_drafts_and_record_api_keep_their_query_counts(
    client, api, officer, team, routine, district, items, django_assert_max_num_queries, inspect
):
    client.force_login(officer)
    api.force_authenticate(officer)
    urls = lambda draft: [  # noqa: E731
        *(reverse("inspections:draft_step", args=[draft.pk, n]) for n in (1, 2, 3, 4)),
        reverse("inspections:draft_list"),
        RECORDS,
    ]
    few = ready(officer, routine, team, [EnterpriseFactory(jurisdiction=district.community_a)])
    inspect(officer, officer.org_unit, team, [EnterpriseFactory(jurisdiction=district.community_a)])
    counts = []
    for url in urls(few):
        with django_assert_max_num_queries(20) as captured:
            assert (api if url == RECORDS else client).get(url).status_code == 200
        counts.append(len(captured.captured_queries))

    firms = EnterpriseFactory.create_batch(5, jurisdiction=district.community_a)
    many = ready(officer, routine, team, firms)
    for firm in firms:
        draft_save(
            user=officer,
            draft=many,
            step=3,
            visits={str(firm.pk): {"results": {str(items["space"].pk): {"result": "compliant"}}}},
        )
    inspect(
        officer,
        officer.org_unit,
        team,
        firms,
        visits={
            f.pk: VisitData(results=[ResultData(items["space"].pk, CheckResultValue.COMPLIANT)])
            for f in firms
        },
    )
    for url, before in zip(urls(many), counts, strict=True):
        with django_assert_max_num_queries(before):
            assert (api if url == RECORDS else client).get(url).status_code == 200


# ---------------------------------------------------------------- issue 10: step 1's choices


def _step1_form(client, user, **basics):
    client.force_login(user)
    draft = draft_start(user=user)
    if basics:
        draft_save(user=user, draft=draft, step=1, basics={**draft.data["basics"], **basics})
    return client.get(step_url(draft, 1)).context["form"]


def test_step1_offers_only_the_organisers_certified_staff_for_enforcement(client, district, officer, routine):
    expiry = TODAY + dt.timedelta(days=30)
    sure = UserFactory(
        name="持证甲",
        org_unit=district.dept_emergency,
        enforcement_cert_no="A1",
        enforcement_cert_expiry=expiry,
    )
    lapsed = UserFactory(
        name="过期乙",
        org_unit=district.dept_emergency,
        enforcement_cert_no="A2",
        enforcement_cert_expiry=TODAY - dt.timedelta(days=1),
    )
    plain = UserFactory(name="无证丙", org_unit=district.dept_emergency)
    elsewhere = UserFactory(
        name="他处丁", org_unit=district.township_a, enforcement_cert_no="A3", enforcement_cert_expiry=expiry
    )

    form = _step1_form(client, officer, kind=routine.pk, organizer=district.dept_emergency.pk)
    offered = set(form.fields["members"].queryset)
    assert sure in offered and officer in offered  # the user himself is always offered
    assert not offered & {lapsed, plain, elsewhere}

    covert = InspectionKind.objects.get(code="covert")  # not an enforcement kind: the unit's other staff too
    offered = set(
        _step1_form(client, officer, kind=covert.pk, organizer=district.dept_emergency.pk)
        .fields["members"]
        .queryset
    )
    assert {sure, lapsed, plain} <= offered and elsewhere not in offered

    # The server still validates: a member outside what the user may choose is refused.
    outsider = UserFactory(name="外区戊", org_unit=None)
    draft = InspectionDraft.objects.filter(owner=officer).latest("pk")
    response = client.post(
        step_url(draft, 1), basics_post(routine, district.dept_emergency, [officer, outsider])
    )
    assert response.status_code == 200 and "members" in response.context["form"].errors
    draft.refresh_from_db()
    assert outsider.pk not in draft.data["basics"]["members"]


def test_step1_organizers_in_tree_order_with_their_kind(client, district, officer):
    form = _step1_form(client, officer)
    labels = [label for value, label in form.fields["organizer"].choices if value]
    paths = [u.path for u in form.fields["organizer"].queryset]
    assert paths == sorted(paths)
    assert "区应急管理局（部门）" in labels and "东城街道（街道）" in labels and "西山镇（乡镇）" in labels
    page = client.get(step_url(InspectionDraft.objects.get(owner=officer), 1)).content.decode()
    assert "区应急管理局（部门）" in page
