"""From finding to hazard: at 录入检查's submit every 不符合 item becomes a hazard unless unticked on
the confirm step, with the level, deadline and 五落实 chosen there, the written finding as its
description, linked to its record and check item, and the visit's photos as found. The action page
lists what it produced. Driven through the test client as a phone without JavaScript would."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hazards.choices import DEADLINE_DAYS, HazardLevel, HazardSource, HazardState
from hazards.models import Hazard, HazardPhoto
from hazards.services import (
    check_result_refusal,
    default_deadline,
    finding_description,
)
from inspections.models import CheckItem, CheckResult, InspectionAction, InspectionDraft, InspectionKind
from inspections.services import draft_save, draft_start, draft_submit
from tests.hazards.conftest import png

TODAY = timezone.localdate()
FIVE_RULE = "重大隐患须落实“五落实”：请填写此项。"


def step_url(draft, n: int) -> str:
    return reverse("inspections:draft_step", args=[draft.pk, n])


@pytest.fixture
def items(enterprise_a):
    sector = enterprise_a.sectors.get()
    return [
        CheckItem.objects.create(sector=sector, code="JX-01", title="机械设备防护罩是否完好？", order=1),
        CheckItem.objects.create(sector=sector, code="JX-02", title="有限空间作业是否审批", order=2),
        CheckItem.objects.create(sector=sector, code="JX-03", title="安全通道是否畅通", order=3),
    ]


@pytest.fixture
def at_confirm(client, media, officer, district, enterprise_a, items):
    """The officer's draft at step 4: JX-01 and JX-02 不符合 (JX-02 without a note), JX-03 符合, one
    photo of the visit. Returns (draft, key of JX-01's line, key of JX-02's line)."""
    draft = draft_start(user=officer)
    basics = {
        **draft.data["basics"],
        "kind": InspectionKind.objects.get(code="supervision").pk,  # not an enforcement kind
        "organizer": district.dept_emergency.pk,
        "members": [officer.pk],
    }
    draft_save(user=officer, draft=draft, step=2, basics=basics)
    draft_save(user=officer, draft=draft, step=3, enterprise_ids=[enterprise_a.pk])
    client.force_login(officer)
    e = enterprise_a.pk
    response = client.post(
        step_url(draft, 3),
        {
            f"r-{e}-{items[0].pk}": "noncompliant",
            f"n-{e}-{items[0].pk}": "冲床防护罩缺失",
            f"r-{e}-{items[1].pk}": "noncompliant",
            f"r-{e}-{items[2].pk}": "compliant",
            f"findings-{e}": "冲床防护罩缺失；有限空间作业未审批。",
            f"photo-{e}": png("现场.png"),
            "goto": "4",
        },
    )
    assert response.url == step_url(draft, 4)
    return draft, f"hz-{e}-{items[0].pk}", f"hz-{e}-{items[1].pk}"


def lines_post(*keys: str, **fields) -> dict:
    """What step 4's form sends: each line shown, ticked unless `<key>-on` is given as None."""
    data = {}
    for key in keys:
        data[f"{key}-shown"] = "1"
        data[f"{key}-on"] = "1"
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------- the rules, as units


def test_default_deadline_is_15_days_for_a_general_hazard_and_30_for_a_major_one():
    on = dt.date(2026, 3, 1)
    assert DEADLINE_DAYS == {HazardLevel.GENERAL: 15, HazardLevel.MAJOR: 30}
    assert default_deadline(HazardLevel.GENERAL, on) == dt.date(2026, 3, 16)
    assert default_deadline(HazardLevel.MAJOR, on) == dt.date(2026, 3, 31)


def test_description_is_the_written_finding_else_the_item_phrased_as_a_finding():
    title = "粉尘涉爆场所是否按规定清扫？"
    assert finding_description(title=title, note=" 除尘器积尘 ", findings="很多问题") == "除尘器积尘"
    # The visit's 发现问题 speaks for the item when it is the visit's only 不符合 item …
    assert finding_description(title=title, findings="除尘系统积尘严重", sole=True) == "除尘系统积尘严重"
    # … not when it covers several; and never the bare question.
    phrased = finding_description(title=title, findings="除尘系统积尘严重", sole=False)
    assert phrased == "检查发现：粉尘涉爆场所是否按规定清扫不符合要求"
    assert finding_description(title=title) == phrased


# ---------------------------------------------------------------- the confirm step and the submit


def test_confirm_step_offers_every_noncompliant_item_ticked_with_its_defaults(client, at_confirm):
    draft, first, second = at_confirm
    page = client.get(step_url(draft, 4))
    html = page.content.decode()
    assert html.count('class="entry-hazard ') == 2  # one line per 不符合 item, none for the 符合 one
    for key in (first, second):
        assert f'name="{key}-on" value="1" id="{key}-on" checked' in html
        assert (
            f'name="{key}-deadline" id="{key}-deadline" value="{(TODAY + dt.timedelta(days=15)).isoformat()}"'
            in html
        )
    assert "冲床防护罩缺失" in html and "检查发现：有限空间作业是否审批不符合要求" in html
    assert "附现场照片 1 张" in html


def test_every_noncompliant_item_becomes_a_hazard_with_the_visit_photos(client, at_confirm, enterprise_a):
    draft, first, second = at_confirm
    response = client.post(step_url(draft, 4), {"submit": "1"})  # the lines as offered
    action = InspectionAction.objects.get()
    assert response.url == reverse("inspections:action_detail", args=[action.pk])
    assert not InspectionDraft.objects.exists()
    record = action.records.get()
    hazards = {h.check_result.item.code: h for h in Hazard.objects.select_related("check_result__item")}
    assert set(hazards) == {"JX-01", "JX-02"}
    assert hazards["JX-01"].description == "冲床防护罩缺失"
    assert hazards["JX-02"].description == "检查发现：有限空间作业是否审批不符合要求"
    for hazard in hazards.values():
        assert hazard.source == HazardSource.INSPECTION and hazard.state == HazardState.OPEN
        assert hazard.level == HazardLevel.GENERAL
        assert hazard.found_on == action.date and hazard.deadline == action.date + dt.timedelta(days=15)
        assert hazard.inspection_record == record and hazard.check_result.record == record
        assert hazard.responsible_unit == enterprise_a.township
        assert hazard.events.get().kind == "created"
    # The visit's photo, as found, on each hazard: its own file, the record keeps its own.
    record_photo = record.photos.get()
    found = list(HazardPhoto.objects.all())
    assert len(found) == 2 and {p.hazard_id for p in found} == {h.pk for h in hazards.values()}
    for photo in found:
        assert photo.image.name != record_photo.image.name
        assert photo.image.read() == record_photo.image.open("rb").read()
    # The record page shows them registered; no 登记为隐患 form is left for these two.
    page = client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert hazards["JX-01"].number in page and hazards["JX-02"].number in page
    assert 'action="/hazards/from-result/' not in page


def test_found_photos_of_a_hazard_from_entry_are_served_through_the_scope(
    client, at_confirm, township_a_user, township_b_user
):
    draft, *_ = at_confirm
    client.post(step_url(draft, 4), {"submit": "1"})
    photo = HazardPhoto.objects.first()
    url = reverse("hazards:found_photo", args=[photo.pk])
    client.force_login(township_a_user)
    assert client.get(url).status_code == 200
    client.force_login(township_b_user)
    assert client.get(url).status_code == 404


def test_an_unticked_item_makes_no_hazard_and_can_still_be_registered_from_the_record(
    client, at_confirm, items
):
    draft, first, second = at_confirm
    client.post(step_url(draft, 4), {**lines_post(first, second, **{f"{second}-on": None}), "submit": "1"})
    hazard = Hazard.objects.get()
    assert hazard.check_result.item == items[0]
    later = CheckResult.objects.get(item=items[1])
    assert not later.hazards.exists() and check_result_refusal(later) is None
    record_page = client.get(reverse("inspections:record_detail", args=[later.record_id])).content.decode()
    assert reverse("hazards:from_result", args=[later.pk]) in record_page


def test_level_and_deadline_chosen_on_the_line_are_kept(client, at_confirm):
    draft, first, second = at_confirm
    deadline = (TODAY + dt.timedelta(days=7)).isoformat()
    fields = {
        f"{first}-deadline": deadline,
        f"{second}-level": "major",
        f"{second}-deadline": (TODAY + dt.timedelta(days=30)).isoformat(),
        f"{second}-responsible_person": "王厂长",
        f"{second}-measures": "停止作业，办理审批",
        f"{second}-funds": "1.5",
        f"{second}-contingency_plan": "有限空间应急预案",
    }
    client.post(step_url(draft, 4), {**lines_post(first, second, **fields), "submit": "1"})
    general = Hazard.objects.get(level=HazardLevel.GENERAL)
    major = Hazard.objects.get(level=HazardLevel.MAJOR)
    assert general.deadline.isoformat() == deadline
    assert (major.responsible_person, major.measures, major.funds, major.contingency_plan) == (
        "王厂长",
        "停止作业，办理审批",
        Decimal("1.50"),
        "有限空间应急预案",
    )


def test_major_without_five_measures_refuses_the_submit_and_keeps_everything(client, at_confirm):
    draft, first, second = at_confirm
    fields = {f"{second}-level": "major", f"{second}-responsible_person": "王厂长"}
    response = client.post(step_url(draft, 4), {**lines_post(first, second, **fields), "submit": "1"})
    assert response.url == step_url(draft, 4)
    # Nothing written: no action, no hazard, no number used; the draft and its photo stay.
    assert not InspectionAction.objects.exists() and not Hazard.objects.exists()
    draft.refresh_from_db()
    assert draft.photos.count() == 1
    assert draft.data["extra"]["hz"][f"{second}-responsible_person"] == "王厂长"

    page = client.get(step_url(draft, 4))
    html = page.content.decode()
    assert "尚未提交：请先改正标出的问题。" in html
    assert html.count(FIVE_RULE) == 3  # measures, funds, contingency plan: beside each field
    assert f'name="{second}-responsible_person" id="{second}-responsible_person" value="王厂长"' in html
    assert '<option value="major" selected>' in html
    assert page.context["pending"] == {}  # not repeated at the top as a bare list

    fields.update(
        {f"{second}-measures": "办理审批", f"{second}-funds": "2", f"{second}-contingency_plan": "预案"}
    )
    client.post(step_url(draft, 4), {**lines_post(first, second, **fields), "submit": "1"})
    assert Hazard.objects.filter(level=HazardLevel.MAJOR, measures="办理审批").count() == 1
    assert Hazard.objects.count() == 2


def test_a_deadline_or_funds_that_is_not_valid_is_shown_on_its_line(client, at_confirm):
    draft, first, second = at_confirm
    fields = {
        f"{first}-deadline": (TODAY - dt.timedelta(days=1)).isoformat(),  # before the inspection
        f"{second}-level": "major",
        f"{second}-funds": "两万",
    }
    client.post(step_url(draft, 4), {**lines_post(first, second, **fields), "submit": "1"})
    assert not Hazard.objects.exists() and InspectionDraft.objects.exists()
    html = client.get(step_url(draft, 4)).content.decode()
    assert "整改期限不能早于发现日期。" in html
    assert "整改资金请填写数字（万元），最多两位小数。" in html
    assert 'value="两万"' in html


def test_choices_survive_going_back_to_step_three(client, at_confirm, items, enterprise_a):
    draft, first, second = at_confirm
    fields = {f"{first}-on": None, f"{second}-level": "major", f"{second}-measures": "先停用"}
    response = client.post(step_url(draft, 4), {**lines_post(first, second, **fields), "goto": "3"})
    assert response.url == step_url(draft, 3)
    # Step 3 saved again as it was, then back to step 4: the choices are as left.
    e = enterprise_a.pk
    client.post(
        step_url(draft, 3),
        {
            f"r-{e}-{items[0].pk}": "noncompliant",
            f"n-{e}-{items[0].pk}": "冲床防护罩缺失",
            f"r-{e}-{items[1].pk}": "noncompliant",
            f"r-{e}-{items[2].pk}": "compliant",
            "goto": "4",
        },
    )
    html = client.get(step_url(draft, 4)).content.decode()
    assert f'id="{first}-on" checked' not in html and f'id="{second}-on" checked' in html
    assert "先停用" in html and '<option value="major" selected>' in html


def test_submit_through_the_service_registers_every_noncompliant_item_by_default(
    media, officer, district, enterprise_a, items
):
    """A draft submitted without the confirm step's fields (never posted): every line at its defaults."""
    draft = draft_start(user=officer)
    basics = {
        **draft.data["basics"],
        "date": (TODAY - dt.timedelta(days=3)).isoformat(),
        "kind": InspectionKind.objects.get(code="supervision").pk,
        "organizer": district.dept_emergency.pk,
        "members": [officer.pk],
    }
    draft_save(user=officer, draft=draft, step=2, basics=basics, enterprise_ids=[enterprise_a.pk])
    visit = {
        "results": {str(items[2].pk): {"result": "noncompliant", "note": ""}},
        "findings": "通道堆放货物",
    }
    draft_save(user=officer, draft=draft, step=4, visits={str(enterprise_a.pk): visit})
    action = draft_submit(user=officer, draft=draft)
    hazard = Hazard.objects.get()
    assert hazard.description == "通道堆放货物"  # the visit's only 不符合 item: its 发现问题
    assert hazard.deadline == action.date + dt.timedelta(days=15) and hazard.found_on == action.date


# ---------------------------------------------------------------- the action page


def test_action_page_lists_the_hazards_it_produced(
    client, at_confirm, officer, township_a_user, township_b_user, leader
):
    draft, first, second = at_confirm
    client.post(step_url(draft, 4), {**lines_post(first, second, **{f"{second}-on": None}), "submit": "1"})
    action = InspectionAction.objects.get()
    hazard = Hazard.objects.get()
    url = reverse("inspections:action_detail", args=[action.pk])
    for user in (officer, township_a_user, leader):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert 'id="action-hazards"' in html and "登记的隐患（1 项）" in html
        assert hazard.number in html and reverse("hazards:hazard_detail", args=[hazard.pk]) in html
        assert "待整改" in html and "一般" in html
    client.force_login(township_b_user)
    assert client.get(url).status_code == 404


def test_action_page_without_hazards_has_no_hazard_panel(client, at_confirm):
    draft, first, second = at_confirm
    none = {f"{first}-on": None, f"{second}-on": None}
    client.post(step_url(draft, 4), {**lines_post(first, second, **none), "submit": "1"})
    assert not Hazard.objects.exists()
    html = client.get(reverse("inspections:action_detail", args=[InspectionAction.objects.get().pk]))
    assert 'id="action-hazards"' not in html.content.decode()
