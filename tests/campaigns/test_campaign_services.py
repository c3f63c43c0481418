"""The rules of a campaign (campaigns.services): dates, parent and sub-plans, phases within the period,
targets, who may lead and change it; the 专项行动类型 code table."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError

from campaigns.choices import CampaignState, TargetMetric
from campaigns.models import Campaign, CampaignKind
from campaigns.services import CampaignData, PhaseData, TargetData, campaign_create, campaign_update
from tests.campaigns.campaign_world import make_campaign

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2028, 12, 31)


@pytest.fixture
def three_year(officer, district):
    return make_campaign(
        officer,
        district.dept_emergency,
        name="安全生产专项整治三年行动",
        kind="three-year",
        start=START,
        end=END,
    )


def data(district, **overrides) -> CampaignData:
    fields = {
        "kind": CampaignKind.objects.get(code="special-rectification"),
        "name": "燃气安全专项整治",
        "start_on": dt.date(2026, 4, 1),
        "end_on": dt.date(2026, 12, 31),
        "lead_department": district.dept_emergency,
    }
    fields.update(overrides)
    return CampaignData(**fields)


def errors(exc) -> dict:
    return exc.value.message_dict


def test_the_code_table_is_seeded_and_reseeding_changes_nothing(sectors):
    names = set(CampaignKind.objects.values_list("name", flat=True))
    assert {"专项整治", "打非治违", "百日攻坚", "三年行动", "安全生产月", "隐患排查治理"} <= names
    importlib.import_module("campaigns.migrations.0002_seed_campaign_kinds").seed(django_apps, None)
    assert CampaignKind.objects.count() == len(names)


def test_a_sub_plan_lies_within_its_three_year_campaign(officer, district, three_year):
    child = campaign_create(user=officer, data=data(district, parent=three_year))
    assert list(three_year.children.all()) == [child]
    with pytest.raises(ValidationError) as exc:
        campaign_create(user=officer, data=data(district, parent=three_year, end_on=dt.date(2029, 3, 1)))
    assert "parent" in errors(exc)
    with pytest.raises(ValidationError) as exc:  # a campaign cannot be its own grandparent
        campaign_update(
            user=officer, campaign=three_year, data=data(district, parent=child, name=three_year.name)
        )
    assert "上级专项行动不能是本行动或其下级行动" in errors(exc)["parent"][0]


def test_dates_phases_and_targets_are_checked_together(officer, district, sectors):
    bad = data(
        district,
        name=" ",
        end_on=dt.date(2026, 3, 1),
        phases=[PhaseData("排查攻坚", dt.date(2026, 4, 1), dt.date(2027, 1, 31))],
        targets=[
            TargetData(TargetMetric.HAZARDS_FOUND, Decimal("2.5")),
            TargetData(TargetMetric.INSPECTIONS, Decimal("3"), sector=sectors["construction"]),
            TargetData(TargetMetric.FINES, Decimal("0")),
        ],
    )
    with pytest.raises(ValidationError) as exc:
        campaign_create(user=officer, data=bad)
    found = errors(exc)
    assert set(found) == {"name", "end_on", "phases", "targets"}
    assert len(found["targets"]) == 3  # not whole, no sector for 检查行动, not above 0
    with pytest.raises(ValidationError) as exc:
        campaign_create(
            user=officer,
            data=data(district, phases=[PhaseData("排查攻坚", dt.date(2026, 4, 1), dt.date(2027, 1, 31))]),
        )
    assert "阶段须在专项行动期间之内" in errors(exc)["phases"][0]
    dup = [
        TargetData(TargetMetric.HAZARDS_FOUND, Decimal(5)),
        TargetData(TargetMetric.HAZARDS_FOUND, Decimal(6)),
    ]
    with pytest.raises(ValidationError) as exc:
        campaign_create(user=officer, data=data(district, targets=dup))
    assert "同一指标" in errors(exc)["targets"][0]
    fines = campaign_create(
        user=officer, data=data(district, targets=[TargetData(TargetMetric.FINES, Decimal("12.5"))])
    )
    assert fines.targets.get().target == Decimal("12.50")  # 万元 may have decimals
    with pytest.raises(ValidationError) as exc:
        campaign_create(user=officer, data=data(district))  # same name and start
    assert "同一开始日期已有同名专项行动" in errors(exc)["name"][0]


def test_who_may_lead_create_and_change(officer, department_user, township_a_user, leader, district):
    with pytest.raises(ValidationError) as exc:
        campaign_create(user=officer, data=data(district, lead_department=district.township_a))
    assert "lead_department" in errors(exc)
    for user in (township_a_user, leader):
        with pytest.raises(PermissionDenied):
            campaign_create(user=user, data=data(district))
    with pytest.raises(ValidationError) as exc:  # 住建 creates only campaigns it leads
        campaign_create(user=department_user, data=data(district))
    assert "lead_department" in errors(exc)
    own = campaign_create(
        user=department_user, data=data(district, lead_department=district.dept_construction)
    )
    other = campaign_create(user=officer, data=data(district, name="另一个"))
    campaign_update(
        user=department_user,
        campaign=own,
        data=data(district, lead_department=district.dept_construction, name="改"),
    )
    with pytest.raises(PermissionDenied):
        campaign_update(user=department_user, campaign=other, data=data(district, name="改"))
    with pytest.raises(PermissionDenied):
        campaign_update(user=township_a_user, campaign=own, data=data(district))
    assert Campaign.objects.get(pk=own.pk).name == "改"


def test_state_follows_the_dates(officer, district):
    campaign = make_campaign(
        officer, district.dept_emergency, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30)
    )
    assert campaign.state_on(dt.date(2026, 5, 31)) == CampaignState.UPCOMING
    assert campaign.state_on(dt.date(2026, 6, 30)) == CampaignState.ACTIVE
    assert campaign.state_on(dt.date(2026, 7, 1)) == CampaignState.ENDED
