"""The seams between cases, campaigns (专项行动) and 约谈: a case carries its campaign (chosen, or inherited
from the hazard / inspection it was opened from), checked against the 立案日期, on the form, the API and
the import; hazards and cases link to 约谈 activities, and the 约谈's page lists them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.choices_activities import TalkTargetKind
from campaigns.models import Activity
from enforcement import services
from enforcement.choices import CaseProcedure
from enforcement.models import Case
from hazards import services as hazard_services
from inspections.models import InspectionAction, InspectionKind, InspectionRecord
from tests.campaigns.activity_helpers import record as activity_record
from tests.campaigns.activity_helpers import talk
from tests.campaigns.campaign_world import make_campaign
from tests.enforcement.conftest import case_data, open_case
from tests.enforcement.test_case_import import row, run, xlsx
from tests.hazards.conftest import api_as
from tests.hazards.conftest import record as hazard_record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def campaign(officer, district):
    return make_campaign(
        officer,
        district.dept_emergency,
        name="工贸行业专项整治",
        start=TODAY - dt.timedelta(days=30),
        end=TODAY + dt.timedelta(days=30),
    )


@pytest.fixture
def old_campaign(officer, district):
    return make_campaign(
        officer,
        district.dept_emergency,
        name="去年百日攻坚",
        kind="hundred-days",
        start=TODAY - dt.timedelta(days=400),
        end=TODAY - dt.timedelta(days=300),
    )


def tagged_record(officer, district, enterprise, campaign, on=None) -> InspectionRecord:
    action = InspectionAction.objects.create(
        number="区应急管理局检〔2026〕77号",
        date=on or TODAY - dt.timedelta(days=3),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        created_by=officer,
        campaign=campaign,
    )
    return InspectionRecord.objects.create(action=action, enterprise=enterprise)


# ---------------------------------------------------------------- the service


def test_a_case_inherits_the_campaign_of_its_hazard_or_record(officer, enterprise_a, district, campaign):
    hazard = hazard_record(officer, enterprise_a, campaign=campaign)
    from_hazard = open_case(officer, enterprise_a, district.district, source_hazard=hazard)
    assert from_hazard.campaign == campaign
    rec = tagged_record(officer, district, enterprise_a, campaign)
    from_record = open_case(officer, enterprise_a, district.district, source_record=rec)
    assert from_record.campaign == campaign
    # Said "none" explicitly: no campaign, whatever the source.
    untagged = open_case(officer, enterprise_a, district.district, source_hazard=hazard, campaign=None)
    assert untagged.campaign is None
    # Opened by hand without a source: none.
    assert open_case(officer, enterprise_a, district.district).campaign is None


def test_an_inherited_campaign_is_dropped_when_the_case_falls_outside_it(
    officer, enterprise_a, district, old_campaign
):
    rec = tagged_record(officer, district, enterprise_a, old_campaign, on=TODAY - dt.timedelta(days=350))
    case = open_case(officer, enterprise_a, district.district, source_record=rec)
    assert case.campaign is None  # 立案 5 days ago, long after the campaign ended: not counted for it


def test_a_chosen_campaign_must_cover_the_opening_date(
    officer, enterprise_a, district, old_campaign, campaign
):
    with pytest.raises(ValidationError) as caught:
        open_case(officer, enterprise_a, district.district, campaign=old_campaign)
    assert "不在专项行动“去年百日攻坚”期间" in caught.value.message_dict["campaign"][0]
    assert not Case.objects.exists()
    case = open_case(officer, enterprise_a, district.district, campaign=campaign)
    assert case.campaign == campaign


def test_update_changes_or_clears_the_campaign_and_checks_it(
    officer, enterprise_a, district, campaign, old_campaign
):
    case = open_case(officer, enterprise_a, district.district)
    kept = {"cause": case.cause, "facts": case.facts, "articles": [], "officers": []}
    case = services.case_update(user=officer, case=case, campaign=campaign, **kept)
    assert Case.objects.get().campaign == campaign
    with pytest.raises(ValidationError) as caught:
        services.case_update(user=officer, case=case, campaign=old_campaign, **kept)
    assert "campaign" in caught.value.message_dict
    services.case_update(user=officer, case=case, **kept)  # not given: unchanged
    assert Case.objects.get().campaign == campaign
    services.case_update(user=officer, case=case, campaign=None, **kept)
    assert Case.objects.get().campaign is None


# ---------------------------------------------------------------- the pages


def test_open_form_proposes_the_hazards_campaign_and_the_case_page_shows_it(
    client, officer, enterprise_a, district, campaign
):
    hazard = hazard_record(officer, enterprise_a, campaign=campaign)
    client.force_login(officer)
    target = reverse("enforcement:case_create") + f"?hazard={hazard.pk}"
    form = client.get(target).context["form"]
    assert form.initial["campaign"] == campaign and campaign in form.fields["campaign"].queryset
    post = {
        "hazard": hazard.pk,
        "handling_unit": district.dept_emergency.pk,
        "procedure": CaseProcedure.GENERAL,
        "cause": "未采取措施消除事故隐患案",
        "opened_on": TODAY.isoformat(),
        "campaign": campaign.pk,
    }
    response = client.post(target, post)
    case = Case.objects.get()
    assert response.status_code == 302 and case.campaign == campaign
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="case-campaign"' in page and campaign.name in page
    # The campaign page counts it: 立案查处 links to the case list filtered by the campaign.
    listed = client.get(reverse("enforcement:case_list"), {"campaign": campaign.pk})
    assert case.number in listed.content.decode()


def test_open_form_refuses_a_campaign_outside_the_date_by_field(
    client, officer, enterprise_a, district, campaign
):
    client.force_login(officer)
    target = reverse("enforcement:case_create") + f"?enterprise={enterprise_a.pk}"
    response = client.post(
        target,
        {
            "enterprise": enterprise_a.pk,
            "handling_unit": district.dept_emergency.pk,
            "procedure": CaseProcedure.SIMPLE,
            "cause": "安全设备未经常性维护案",
            "opened_on": (TODAY - dt.timedelta(days=60)).isoformat(),
            "campaign": campaign.pk,
        },
    )
    assert response.status_code == 200 and not Case.objects.exists()
    assert "不在专项行动“工贸行业专项整治”期间" in str(response.context["form"].errors["campaign"])


def test_edit_form_sets_the_campaign_and_the_talks(client, officer, enterprise_a, district, campaign):
    case = open_case(officer, enterprise_a, district.district)
    meeting = talk(officer, district.dept_emergency, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    client.force_login(officer)
    url = reverse("enforcement:case_edit", args=[case.pk])
    form = client.get(url).context["form"]
    assert meeting in form.fields["talks"].queryset
    response = client.post(
        url, {"cause": case.cause, "facts": case.facts, "campaign": campaign.pk, "talks": [meeting.pk]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.campaign == campaign and list(case.talks.all()) == [meeting]
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="case-talks"' in page and meeting.get_absolute_url() in page
    activity_page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="activity-cases"' in activity_page and case.number in activity_page


# ---------------------------------------------------------------- the API


def test_api_takes_and_returns_the_campaign(officer, enterprise_a, district, campaign, old_campaign):
    api = api_as(officer)
    body = {
        "enterprise": enterprise_a.pk,
        "procedure": CaseProcedure.SIMPLE,
        "cause": "安全设备未经常性维护案",
        "opened_on": TODAY.isoformat(),
        "campaign": campaign.pk,
    }
    created = api.post("/api/v1/cases/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["campaign"] == campaign.pk
    pk = created.json()["id"]
    refused = api.patch(f"/api/v1/cases/{pk}/", {"campaign": old_campaign.pk}, format="json")
    assert refused.status_code == 400 and "campaign" in refused.json()
    cleared = api.patch(f"/api/v1/cases/{pk}/", {"campaign": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["campaign"] is None
    listed = api.get("/api/v1/cases/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert "campaign" in rows[0]


# ---------------------------------------------------------------- the import


def test_import_matches_the_campaign_column_by_name(officer, enterprise_a, campaign):
    headers = [*[k for k in row(enterprise_a)], "专项行动"]
    opened = TODAY - dt.timedelta(days=10)
    result = run(
        officer,
        xlsx(
            [
                row(enterprise_a, **{"立案日期": opened, "专项行动": "工贸行业专项整治"}),
                row(enterprise_a, **{"立案日期": opened}),
            ],
            headers=headers,
        ),
    )
    assert result.errors == []
    assert sorted(str(c.campaign) if c.campaign else "" for c in Case.objects.all()) == [
        "",
        str(campaign),
    ]


def test_import_reports_an_unknown_or_out_of_period_campaign_by_row(officer, enterprise_a, campaign):
    headers = [*[k for k in row(enterprise_a)], "专项行动"]
    result = run(
        officer,
        xlsx(
            [
                row(enterprise_a, **{"专项行动": "不存在的行动"}),
                row(enterprise_a, **{"立案日期": TODAY - dt.timedelta(days=40), "专项行动": campaign.name}),
            ],
            headers=headers,
        ),
    )
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "未找到专项行动「不存在的行动」" in messages[(2, "专项行动")]
    assert "不在专项行动" in messages[(3, "专项行动")]
    assert not Case.objects.exists()


# ---------------------------------------------------------------- 约谈 on hazards


def hazard_edit_post(hazard, **extra) -> dict:
    return {
        "edit-level": hazard.level,
        "edit-description": hazard.description,
        "edit-location": hazard.location,
        "edit-responsible_unit": hazard.responsible_unit_id,
        "edit-responsible_person": hazard.responsible_person,
        "edit-measures": hazard.measures,
        "edit-contingency_plan": hazard.contingency_plan,
        **{f"edit-{k}": v for k, v in extra.items()},
    }


def test_hazard_edit_links_talks_and_both_pages_show_them(client, officer, enterprise_a, district):
    hazard = hazard_record(officer, enterprise_a)
    meeting = talk(officer, district.dept_emergency, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    client.force_login(officer)
    url = reverse("hazards:hazard_edit", args=[hazard.pk])
    assert meeting in client.get(url).context["form"].fields["talks"].queryset
    response = client.post(url, hazard_edit_post(hazard, talks=[meeting.pk]))
    assert response.status_code == 302, response.context["form"].errors
    assert list(hazard.talks.all()) == [meeting]
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert 'id="hazard-talks"' in page and meeting.get_absolute_url() in page
    activity_page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="activity-hazards"' in activity_page and hazard.number in activity_page
    # An activity with no linked hazard or case draws neither panel.
    other = talk(officer, district.dept_emergency, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    bare = client.get(other.get_absolute_url()).content.decode()
    assert 'id="activity-hazards"' not in bare and 'id="activity-cases"' not in bare


def test_talk_links_refuse_other_units_talks_and_plain_activities_but_keep_unseen_ones(
    officer, township_a_user, enterprise_a, district
):
    hazard = hazard_record(township_a_user, enterprise_a)
    districts_talk = talk(officer, district.dept_emergency, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    own_talk = talk(township_a_user, enterprise_a.township, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    publicity = activity_record(township_a_user, enterprise_a.township)
    assert not publicity.is_talk
    for refused in (districts_talk, publicity):
        with pytest.raises(ValidationError) as caught:
            hazard_services.hazard_update(user=township_a_user, hazard=hazard, data={"talks": [refused]})
        assert "talks" in caught.value.message_dict
    # The office links its 约谈; the township then edits its own links: the office's one stays.
    hazard_services.hazard_update(user=officer, hazard=hazard, data={"talks": [districts_talk]})
    hazard_services.hazard_update(user=township_a_user, hazard=hazard, data={"talks": [own_talk]})
    assert set(hazard.talks.all()) == {districts_talk, own_talk}
    hazard_services.hazard_update(user=township_a_user, hazard=hazard, data={"talks": []})
    assert set(hazard.talks.all()) == {districts_talk}
    assert Activity.objects.filter(hazards=hazard).count() == 1


def test_case_talk_links_follow_the_same_rule(officer, emergency_user, enterprise_a, district):
    case = services.case_open(
        user=officer, data=case_data(enterprise_a, district.dept_emergency, officers=[emergency_user])
    )
    own = talk(emergency_user, district.dept_emergency, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    kept = {"cause": case.cause, "facts": case.facts, "articles": [], "officers": [emergency_user]}
    services.case_update(user=emergency_user, case=case, talks=[own], **kept)
    assert list(case.talks.all()) == [own]
    services.case_update(user=emergency_user, case=case, **kept)  # talks not given: unchanged
    assert list(case.talks.all()) == [own]


def test_hazard_and_case_api_list_the_talks_the_caller_may_see(
    officer, township_a_user, enterprise_a, district
):
    hazard = hazard_record(township_a_user, enterprise_a)
    case = services.case_open(user=officer, data=case_data(enterprise_a, district.dept_emergency))
    districts_talk = talk(officer, district.dept_emergency, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    own_talk = talk(township_a_user, enterprise_a.township, [(TalkTargetKind.ENTERPRISE, None, enterprise_a)])
    hazard_services.hazard_update(user=officer, hazard=hazard, data={"talks": [districts_talk, own_talk]})
    kept = {"cause": case.cause, "facts": case.facts, "articles": [], "officers": list(case.officers.all())}
    services.case_update(user=officer, case=case, talks=[districts_talk, own_talk], **kept)

    for url in (f"/api/v1/hazards/{hazard.pk}/", f"/api/v1/cases/{case.pk}/"):
        seen = api_as(officer).get(url)
        assert seen.status_code == 200, seen.content
        assert {t["id"] for t in seen.json()["talks"]} == {districts_talk.pk, own_talk.pk}
        assert {t["theme"] for t in seen.json()["talks"]} == {districts_talk.theme, own_talk.theme}
        # The township reads its own 约谈 only: the office's is not its to open.
        theirs = api_as(township_a_user).get(url)
        assert theirs.status_code == 200, theirs.content
        assert [t["id"] for t in theirs.json()["talks"]] == [own_talk.pk]
