"""A campaign's progress is counted from the records tagged to it (inspections, hazards, cases), by the
measures those apps register: hand-computed figures, per period, per member unit, and scoped to what
the viewer may see."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns import selectors
from campaigns.choices import TargetMetric
from campaigns.measures import measures
from enforcement.choices import CaseProcedure, CaseState, PenaltyKind, PenaltyTarget
from enforcement.models import Case, Penalty
from enforcement.services import CaseData, case_open
from hazards.choices import HazardLevel, HazardSource, HazardState
from hazards.models import Hazard
from hazards.services import HazardData, hazard_create, hazard_void
from inspections.models import InspectionKind
from inspections.services import action_create
from tests.campaigns.campaign_world import make_campaign
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D1 = TODAY - dt.timedelta(days=20)
D2 = TODAY - dt.timedelta(days=10)
D3 = TODAY - dt.timedelta(days=5)


@pytest.fixture
def firm(district, sectors):
    """A hazchem firm in township A."""
    return EnterpriseFactory(
        name="东城化工厂", jurisdiction=district.township_a, sectors=[sectors["hazchem"]]
    )


@pytest.fixture
def campaign(officer, district, sectors):
    return make_campaign(
        officer,
        district.dept_emergency,
        start=TODAY - dt.timedelta(days=40),
        end=TODAY + dt.timedelta(days=30),
        members=[district.township_a, district.township_b, district.dept_construction],
        targets=[
            (TargetMetric.INSPECTIONS, 4),
            (TargetMetric.ENTERPRISES_INSPECTED, 3),
            (TargetMetric.ENTERPRISES_INSPECTED, 2, sectors["construction"]),
            (TargetMetric.HAZARDS_FOUND, 4),
            (TargetMetric.MAJOR_HAZARDS_CLOSED, 1),
            (TargetMetric.CASES_OPENED, 2),
            (TargetMetric.FINES, "5"),
        ],
    )


def inspect(user, organizer, enterprises, day, campaign=None):
    return action_create(
        user=user,
        date=day,
        organizer=organizer,
        kind=InspectionKind.objects.get(code="covert"),  # 暗访: no 执法证 rule
        members=[user],
        enterprises=enterprises,
        campaign=campaign,
    )


def hazard(user, enterprise, day, **extra):
    fields = {
        "enterprise": enterprise,
        "source": HazardSource.SELF_REPORT,
        "description": "配电箱未接地",
        "found_on": day,
        "deadline": day + dt.timedelta(days=30),
        "responsible_unit": enterprise.township,
    }
    fields.update(extra)
    return hazard_create(user=user, data=HazardData(**fields))


@pytest.fixture
def tagged(campaign, officer, township_a_user, district, enterprise_a, enterprise_b, firm):
    """Three tagged inspections (A1 by 应急 of a and firm on D1, A2 by township A of a on D2, A3 by 应急 of b
    on D3), one untagged; two tagged hazards (H1 found on A1, H2 major and closed, tagged by hand), one
    untagged and one void; two tagged cases (C1 decided with 3.5万元 of fines, C2 open), one untagged."""
    a1 = inspect(officer, district.dept_emergency, [enterprise_a, firm], D1, campaign)
    inspect(township_a_user, district.township_a, [enterprise_a], D2, campaign)
    inspect(officer, district.dept_emergency, [enterprise_b], D3, campaign)
    inspect(officer, district.dept_emergency, [enterprise_a], D3)  # not tagged
    record_a = a1.records.get(enterprise=enterprise_a)
    record_firm = a1.records.get(enterprise=firm)
    h1 = hazard(officer, enterprise_a, D1, source=HazardSource.INSPECTION, inspection_record=record_a)
    h2 = hazard(
        officer,
        enterprise_b,
        D3,
        campaign=campaign,
        level=HazardLevel.MAJOR,
        responsible_person="王厂长",
        measures="停用并更换",
        funds=Decimal("12.50"),
        contingency_plan="现场应急处置方案",
    )
    Hazard.objects.filter(pk=h2.pk).update(state=HazardState.CLOSED, closed_on=TODAY)
    # Found on the tagged inspection, but said to belong to no campaign: not counted.
    hazard(officer, firm, D1, source=HazardSource.INSPECTION, inspection_record=record_firm, campaign=None)
    void = hazard(officer, firm, D2, campaign=campaign)
    hazard_void(user=officer, hazard=void, reason="重复登记")

    def case(enterprise, day, tag):
        opened = case_open(
            user=officer,
            data=CaseData(
                enterprise=enterprise,
                handling_unit=district.dept_emergency,
                procedure=CaseProcedure.GENERAL,
                cause="未按规定开展隐患排查",
                opened_on=day,
            ),
        )
        Case.objects.filter(pk=opened.pk).update(campaign=tag)
        return opened

    c1 = case(enterprise_a, D2, campaign)
    case(enterprise_b, D3, campaign)
    c3 = case(enterprise_a, D3, None)
    for decided, fines in ((c1, ["30000", "5000"]), (c3, ["10000"])):
        Case.objects.filter(pk=decided.pk).update(state=CaseState.DECIDED, decided_on=D3)
        for target, amount in zip([PenaltyTarget.UNIT, PenaltyTarget.PERSON], fines, strict=False):
            Penalty.objects.create(
                case=decided, target=target, kind=PenaltyKind.FINE, amount=Decimal(amount), person_name="张三"
            )
    return {"h1": h1}


def progress_of(user, campaign) -> dict[str, tuple]:
    return {
        row.label: (row.done, row.target.target, row.percent)
        for row in selectors.campaign_progress(user=user, campaign=campaign)
    }


def test_progress_against_each_target_counts_the_tagged_records(campaign, tagged, officer):
    assert tagged["h1"].campaign == campaign  # found on a tagged inspection: tagged too

    assert progress_of(officer, campaign) == {
        "检查行动": (3, Decimal("4"), Decimal("75.0")),
        "检查生产经营单位": (3, Decimal("3"), Decimal("100.0")),  # a, the firm and b: 3 家 (4 家次)
        "检查生产经营单位（建筑施工）": (1, Decimal("2"), Decimal("50.0")),  # b only
        "排查隐患": (2, Decimal("4"), Decimal("50.0")),  # H1 and H2; not the untagged nor the void one
        "重大事故隐患销号": (1, Decimal("1"), Decimal("100.0")),
        "立案查处": (2, Decimal("2"), Decimal("100.0")),
        "罚款金额": (Decimal("3.50"), Decimal("5"), Decimal("70.0")),  # 30000 + 5000 yuan = 3.50万元
    }


def test_figures_per_campaign_for_a_period_one_query_per_measure(
    campaign, tagged, officer, django_assert_num_queries
):
    other = make_campaign(
        officer,
        campaign.lead_department,
        name="打非治违专项行动",
        kind="illegal-operations",
        start=TODAY - dt.timedelta(days=40),
        end=TODAY,
    )
    with django_assert_num_queries(1 + len(measures())):  # the sub-plans, then one per measure
        figures = selectors.campaign_figures(
            user=officer, campaign_ids=[campaign.pk, other.pk], date_from=D1, date_to=D2
        )
    assert figures[campaign.pk] == {
        "inspections": 2,  # A1 and A2
        "enterprises_inspected": 2,  # a and the firm
        "inspection_visits": 3,
        "hazards_found": 1,  # H1 (H2 was found on D3)
        "hazards_rectified": 0,  # H2 was closed today
        "major_hazards_found": 0,
        "major_hazards_closed": 0,
        "cases_opened": 1,  # C1 (C2 on D3)
        "fines": Decimal("0.00"),  # decided on D3
    }
    assert set(figures[other.pk].values()) == {0}
    whole = selectors.campaign_figures(user=officer, campaign_ids=[campaign.pk])[campaign.pk]
    assert (whole["inspections"], whole["hazards_rectified"], whole["fines"]) == (3, 1, Decimal("3.50"))


def test_figures_are_scoped_to_what_the_viewer_may_see(campaign, tagged, township_a_user, township_b_user):
    # Township A sees the actions that visited its firms (A1, A2), their visits, its hazard and case.
    mine = selectors.campaign_figures(user=township_a_user, campaign_ids=[campaign.pk])[campaign.pk]
    assert (mine["inspections"], mine["enterprises_inspected"], mine["inspection_visits"]) == (2, 2, 3)
    assert (mine["hazards_found"], mine["cases_opened"], mine["fines"]) == (1, 1, Decimal("3.50"))
    theirs = selectors.campaign_figures(user=township_b_user, campaign_ids=[campaign.pk])[campaign.pk]
    assert (theirs["inspections"], theirs["hazards_found"], theirs["major_hazards_closed"]) == (1, 1, 1)
    assert theirs["fines"] == Decimal("0.00")


def test_member_units_contributions(campaign, tagged, officer, district):
    split, rows = selectors.campaign_contributions(user=officer, campaign=campaign)
    keys = [m.key for m in split]
    by_unit = {
        row.unit.name if row.unit else "其他单位": dict(zip(keys, row.values, strict=True)) for row in rows
    }
    assert list(by_unit) == ["区应急管理局", "东城街道", "西山镇", "区住建局"]  # the lead first
    assert rows[0].is_lead
    emergency, town_a, town_b = by_unit["区应急管理局"], by_unit["东城街道"], by_unit["西山镇"]
    assert (emergency["inspections"], emergency["cases_opened"], emergency["fines"]) == (
        2,
        2,
        Decimal("3.50"),
    )
    assert (town_a["inspections"], town_a["enterprises_inspected"], town_a["hazards_found"]) == (1, 1, 1)
    assert (town_b["inspections"], town_b["hazards_found"], town_b["major_hazards_closed"]) == (0, 1, 1)
    assert set(by_unit["区住建局"].values()) == {0}


def test_work_by_a_unit_that_is_not_a_member_shows_as_other_units(officer, district, enterprise_a):
    campaign = make_campaign(
        officer,
        district.dept_construction,
        start=TODAY - dt.timedelta(days=40),
        end=TODAY,
        members=[district.township_b],
    )
    inspect(officer, district.dept_emergency, [enterprise_a], D1, campaign)
    split, rows = selectors.campaign_contributions(user=officer, campaign=campaign)
    assert [r.unit.name if r.unit else None for r in rows] == ["区住建局", "西山镇", None]
    assert rows[-1].values[[m.key for m in split].index("inspections")] == 1


def test_a_campaign_counts_its_sub_plans_records(campaign, tagged, officer, district, enterprise_a, firm):
    """A three-year campaign's figures include its sub-plans'; a firm inspected under both is one 家."""
    child = make_campaign(
        officer,
        district.dept_emergency,
        name="有限空间专项整治",
        parent=campaign,
        start=TODAY - dt.timedelta(days=30),
        end=TODAY,
        targets=[(TargetMetric.INSPECTIONS, 1)],
    )
    inspect(officer, district.dept_emergency, [enterprise_a], D2, child)
    progress = progress_of(officer, campaign)
    assert progress["检查行动"] == (4, Decimal("4"), Decimal("100.0"))  # 3 + the sub-plan's 1
    assert progress["检查生产经营单位"][0] == 3  # enterprise a again: still a, the firm and b
    assert progress_of(officer, child)["检查行动"][0] == 1
    figures = selectors.campaign_figures(user=officer, campaign_ids=[campaign.pk, child.pk])
    assert (figures[campaign.pk]["inspections"], figures[child.pk]["inspections"]) == (4, 1)
    assert (figures[campaign.pk]["enterprises_inspected"], figures[campaign.pk]["inspection_visits"]) == (
        3,
        5,
    )
    split, rows = selectors.campaign_contributions(user=officer, campaign=campaign)
    assert rows[0].values[[m.key for m in split].index("inspections")] == 3  # 应急: A1, A3 and the sub-plan's
