"""The campaign pages: list with filters and export, the campaign page with its progress, create and
edit forms for the district office and the lead department; townships and leaders read only."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.choices import TargetMetric
from campaigns.models import Campaign, CampaignKind
from inspections.models import InspectionKind
from inspections.services import action_create
from tests.campaigns.campaign_world import make_campaign

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST = reverse("campaigns:campaign_list")
NEW = reverse("campaigns:campaign_create")


@pytest.fixture
def active(officer, district, sectors):
    return make_campaign(
        officer,
        district.dept_emergency,
        name="危化品安全专项整治",
        start=TODAY - dt.timedelta(days=30),
        end=TODAY + dt.timedelta(days=30),
        members=[district.township_a],
        sectors=[sectors["hazchem"]],
        targets=[(TargetMetric.INSPECTIONS, 10), (TargetMetric.HAZARDS_FOUND, 5)],
        phases=[
            ("排查攻坚", TODAY - dt.timedelta(days=30), TODAY),
            ("总结验收", TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=30)),
        ],
    )


@pytest.fixture
def ended(officer, district):
    return make_campaign(
        officer,
        district.dept_construction,
        name="建筑施工打非治违",
        kind="illegal-operations",
        start=dt.date(TODAY.year - 1, 3, 1),
        end=dt.date(TODAY.year - 1, 5, 31),
    )


def form_data(**overrides) -> dict:
    data = {
        "kind": CampaignKind.objects.get(code="hundred-days").pk,
        "name": "百日攻坚行动",
        "start_on": TODAY.isoformat(),
        "end_on": (TODAY + dt.timedelta(days=99)).isoformat(),
        "description": "宣传、减压、强基、铁面、培训、演习六大行动",
        "phases-TOTAL_FORMS": "2",
        "phases-INITIAL_FORMS": "0",
        "phases-0-name": "排查攻坚",
        "phases-0-start_on": TODAY.isoformat(),
        "phases-0-end_on": (TODAY + dt.timedelta(days=59)).isoformat(),
        "phases-1-name": "",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-0-metric": TargetMetric.MAJOR_HAZARDS_CLOSED,
        "targets-0-target": "5",
        "targets-1-metric": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- list


def test_list_filters_by_year_kind_and_state(client, township_a_user, active, ended):
    client.force_login(township_a_user)  # everyone signed in reads every campaign
    response = client.get(LIST)
    assert response.status_code == 200
    assert [r["campaign"] for r in response.context["rows"]] == [active, ended]
    assert "新建专项行动" not in response.content.decode()

    def names(**query) -> list[str]:
        return [r["campaign"].name for r in client.get(LIST, query).context["rows"]]

    assert names(state="active") == ["危化品安全专项整治"]
    assert names(state="ended") == ["建筑施工打非治违"]
    assert names(year=TODAY.year - 1) == ["建筑施工打非治违"]
    assert names(kind=CampaignKind.objects.get(code="illegal-operations").pk) == ["建筑施工打非治违"]
    assert names(q="危化") == ["危化品安全专项整治"]
    assert names(state="nonsense") == []  # an invalid filter lists nothing rather than everything


def test_list_shows_tagged_figures_within_a_query_ceiling(
    client, officer, district, enterprise_a, active, ended, django_assert_max_num_queries
):
    for day in (TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=2)):
        action_create(
            user=officer,
            date=day,
            organizer=district.dept_emergency,
            kind=InspectionKind.objects.get(code="covert"),
            members=[officer],
            enterprises=[enterprise_a],
            campaign=active,
        )
    client.force_login(officer)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    row = response.context["rows"][0]
    assert dict((m.key, v) for m, v in row["figures"])["inspections"] == 2
    for i in range(6):
        make_campaign(officer, district.dept_emergency, name=f"专项{i}", start=TODAY, end=TODAY)
    with django_assert_max_num_queries(14):  # the same number of queries for more rows
        client.get(LIST)


def test_export_has_the_filtered_campaigns(client, officer, active, ended):
    client.force_login(officer)
    response = client.get(reverse("campaigns:campaign_export"), {"state": "active"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "名称", "类型", "上级专项行动")
    assert "检查行动（次）" in rows[0] and "罚款金额（万元）" in rows[0]
    assert [r[1] for r in rows[1:]] == ["危化品安全专项整治"]
    assert rows[1][7] == "东城街道" and rows[1][8] == "危险化学品"


# ---------------------------------------------------------------- the campaign page


def test_page_shows_phases_targets_progress_and_links(
    client, officer, district, enterprise_a, active, django_assert_max_num_queries
):
    action_create(
        user=officer,
        date=TODAY,
        organizer=district.township_a,
        kind=InspectionKind.objects.get(code="covert"),
        members=[officer],
        enterprises=[enterprise_a],
        campaign=active,
    )
    client.force_login(officer)
    with django_assert_max_num_queries(40):
        response = client.get(active.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "排查攻坚" in html and "总结验收" in html
    progress = {row.label: (row.done, row.percent) for row in response.context["progress"]}
    assert progress["检查行动"][0] == 1 and str(progress["检查行动"][1]) == "10.0"
    assert f"{reverse('inspections:action_list')}?campaign={active.pk}" in html
    assert f"{reverse('hazards:hazard_list')}?campaign={active.pk}" in html
    units = {(r.unit.name if r.unit else None): r.values for r in response.context["contributions"]}
    assert set(units) == {"区应急管理局", "东城街道"}
    assert "campaign-edit" in html


def test_township_and_leader_read_only(client, township_a_user, leader, active):
    for user in (township_a_user, leader):
        client.force_login(user)
        page = client.get(active.get_absolute_url())
        assert page.status_code == 200 and "campaign-edit" not in page.content.decode()
        assert client.get(NEW).status_code == 403
        assert client.get(reverse("campaigns:campaign_edit", args=[active.pk])).status_code == 403
        assert (
            client.post(reverse("campaigns:campaign_edit", args=[active.pk]), form_data()).status_code == 403
        )
        assert client.post(reverse("campaigns:campaign_delete", args=[active.pk])).status_code == 403
    assert Campaign.objects.get(pk=active.pk).name == "危化品安全专项整治"


def test_township_figures_say_they_are_scoped(client, township_a_user, officer, active):
    client.force_login(township_a_user)
    assert "只计您可见范围内的记录" in client.get(active.get_absolute_url()).content.decode()
    client.force_login(officer)
    assert "只计您可见范围内的记录" not in client.get(active.get_absolute_url()).content.decode()


def test_unknown_campaign_is_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("campaigns:campaign_detail", args=[999999])).status_code == 404


# ---------------------------------------------------------------- forms


def test_officer_creates_a_campaign_with_phases_and_targets(client, officer, district):
    client.force_login(officer)
    assert client.get(NEW).status_code == 200
    response = client.post(
        NEW,
        form_data(
            lead_department=district.dept_construction.pk,
            member_units=[district.township_a.pk, district.township_b.pk],
        ),
    )
    campaign = Campaign.objects.get(name="百日攻坚行动")
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    assert campaign.lead_department == district.dept_construction and campaign.created_by == officer
    assert set(campaign.member_units.all()) == {district.township_a, district.township_b}
    assert [p.name for p in campaign.phases.all()] == ["排查攻坚"]
    assert [(t.metric, t.target) for t in campaign.targets.all()] == [(TargetMetric.MAJOR_HAZARDS_CLOSED, 5)]
    assert {h.history_user for h in campaign.history.all()} == {officer}


def test_bad_input_is_shown_on_the_form(client, officer, district):
    client.force_login(officer)
    response = client.post(
        NEW,
        form_data(
            lead_department=district.township_a.pk,  # a township does not lead a campaign
            **{"phases-0-end_on": (TODAY + dt.timedelta(days=200)).isoformat()},
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "lead_department" in form.errors
    response = client.post(
        NEW,
        form_data(
            lead_department=district.dept_emergency.pk,
            **{"phases-0-end_on": (TODAY + dt.timedelta(days=200)).isoformat()},
        ),
    )
    assert response.status_code == 200
    assert "阶段须在专项行动期间之内" in str(response.context["form"].non_field_errors())
    response = client.post(NEW, form_data(lead_department=district.dept_emergency.pk, end_on="2000-01-01"))
    assert "end_on" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_lead_department_creates_and_edits_its_own_campaign_only(client, department_user, district, active):
    client.force_login(department_user)  # 区住建局
    response = client.post(NEW, form_data(lead_department=district.dept_construction.pk))
    assert response.status_code == 302
    own = Campaign.objects.get(name="百日攻坚行动")
    assert own.lead_department == district.dept_construction
    edit = reverse("campaigns:campaign_edit", args=[own.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, form_data(lead_department=district.dept_construction.pk, name="百日攻坚（修订）")
    )
    assert response.status_code == 302
    assert Campaign.objects.get(pk=own.pk).name == "百日攻坚（修订）"
    # Another department's campaign: read, not change; nor lead a campaign for another unit.
    assert client.get(reverse("campaigns:campaign_edit", args=[active.pk])).status_code == 403
    response = client.post(NEW, form_data(lead_department=district.dept_emergency.pk, name="别人的"))
    assert response.status_code == 200 and not Campaign.objects.filter(name="别人的").exists()
    assert client.post(reverse("campaigns:campaign_delete", args=[own.pk])).status_code == 403


def test_officer_deletes_an_untagged_campaign_but_not_a_tagged_one(
    client, officer, district, enterprise_a, active, ended
):
    client.force_login(officer)
    assert client.post(reverse("campaigns:campaign_delete", args=[ended.pk])).status_code == 302
    assert not Campaign.objects.filter(pk=ended.pk).exists()
    action_create(
        user=officer,
        date=TODAY,
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="covert"),
        members=[officer],
        enterprises=[enterprise_a],
        campaign=active,
    )
    response = client.post(reverse("campaigns:campaign_delete", args=[active.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert Campaign.objects.filter(pk=active.pk).exists()


def test_admin_edits_the_kinds_and_only_looks_at_campaigns(client, admin_user, active):
    client.force_login(admin_user)
    assert client.get(reverse("admin:campaigns_campaignkind_changelist")).status_code == 200
    kind = CampaignKind.objects.get(code="hundred-days")
    assert client.get(reverse("admin:campaigns_campaignkind_change", args=[kind.pk])).status_code == 200
    assert client.get(reverse("admin:campaigns_campaign_changelist")).status_code == 200
    assert client.get(reverse("admin:campaigns_campaign_add")).status_code == 403
