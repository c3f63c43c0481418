"""The report templates the product starts with (reports/template_defaults.py, seeded by reports 0004):
the annual summary (001), the quarterly report (004), the campaign report (002) and the by-member-unit
summary (000). Every sentence parses against the registry as a fresh database has it, every kind builds
from an empty database without a figure error, and the figures land in the seeds' phrasing."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.choices import TargetMetric
from hazards import services as hazard_services
from reports.models import ReportKind, ReportTemplate
from reports.periods import Period
from reports.registry import Figure, all_metrics
from reports.scopes import StatsScope
from reports.sentences import keys_used, render
from reports.services_summaries import report_create
from reports.summaries import report_content, template_problems
from reports.template_defaults import DEFAULT_TEMPLATES, MEASURES, listing
from tests.campaigns import activity_helpers as activities
from tests.campaigns.campaign_world import make_campaign
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def build(kind, user, *, unit=None, period=None, campaign=None):
    report = report_create(
        kind=kind, period=period, campaign=campaign, stats_scope=StatsScope(unit), user=user
    )
    report.refresh_from_db()
    return report


def year():
    return Period(TODAY.year, "year")


def quarter():
    return Period.containing("quarter", TODAY)


def level_one(report) -> list[str]:
    return [s["heading"] for s in report_content(report)["sections"] if s["level"] == 1]


def texts(report) -> str:
    return "".join(s.figure_text for s in report.sections.all())


# ---------------------------------------------------------------- every template is clean


def test_every_kind_is_seeded_with_its_sections_and_no_bad_sentence(district):
    assert set(DEFAULT_TEMPLATES) == set(ReportKind.values)
    for kind, spec in DEFAULT_TEMPLATES.items():
        template = ReportTemplate.objects.get(kind=kind)
        assert [s.key for s in template.sections.order_by("order")] == [s["key"] for s in spec["sections"]]
        assert template_problems(template) == [], kind


def test_the_sentences_use_the_activity_meeting_and_talk_families_of_a_fresh_database(district):
    used = set()
    for spec in DEFAULT_TEMPLATES.values():
        for section in spec["sections"]:
            for sentence in section.get("sentences", []):
                used |= keys_used(sentence)
    assert {"activities.publicity.leaflet", "meetings.safety-special", "talks.enterprise"} <= used


@pytest.mark.parametrize("kind", [ReportKind.ANNUAL, ReportKind.QUARTERLY, ReportKind.DEPARTMENTS])
def test_each_kind_builds_from_an_empty_database_without_a_figure_error(district, officer, kind):
    period = quarter() if kind == ReportKind.QUARTERLY else year()
    report = build(kind, officer, period=period)
    content = report_content(report)
    assert content["sections"]
    assert [s["heading"] for s in content["sections"] if s["figure_error"]] == []


def test_the_campaign_report_builds_from_an_empty_campaign(district, officer):
    campaign = make_campaign(officer, district.dept_emergency, start=TODAY, end=TODAY)
    report = build(ReportKind.CAMPAIGN, officer, campaign=campaign)
    content = report_content(report)
    assert [s["heading"] for s in content["sections"] if s["figure_error"]] == []
    overview = content["sections"][0]
    assert overview["figure_text"] == "行动开展以来，未发生生产安全事故。"
    assert overview["table"]["kind"] == "campaign_targets"


# ---------------------------------------------------------------- the seeds' structure and phrasing


def test_the_quarterly_report_follows_004_and_compares_with_the_same_quarter(district, officer, enterprise_a):
    for _ in range(2):
        hazard_services.hazard_create(
            user=officer, data=hazard_data(enterprise_a, found_on=TODAY, deadline=TODAY)
        )
    report = build(ReportKind.QUARTERLY, officer, period=quarter())

    assert level_one(report) == [
        "安全生产总体情况",
        "强化组织领导，不断健全组织责任体系",
        "聚焦重点任务，持续深化专项整治成效",
        "紧盯重点领域，扎实推进隐患排查整治",
        "坚持强基固本，切实增强安全保障能力",
        "下步工作打算",
    ]
    assert report.title.endswith(f"{TODAY.year}年第{'一二三四'[quarter().number - 1]}季度安全生产工作报告")
    overview = report.sections.get(key="overview")
    assert overview.figure_text.startswith("本季度未发生生产安全事故。")
    assert overview.table_data["columns"] == ["指标", "本期", "去年同期", "同比"]
    assert "发现问题隐患2个，整改完成0个，整改率为0.0%" in texts(report)


def test_publicity_training_drills_and_meetings_are_written_when_there_were_some(district, officer):
    organiser = district.district
    activities.record(
        officer,
        organiser,
        on=TODAY,
        kind_code="publicity",
        sessions=3,
        participants=200,
        quantities={"leaflet": 5000, "banner": 20},
    )
    activities.record(officer, organiser, on=TODAY, kind_code="training", sessions=2, participants=150)
    activities.record(
        officer, organiser, on=TODAY, kind_code="meeting", subtype_code="safety-special", theme="专题会"
    )
    report = build(ReportKind.ANNUAL, officer, period=year())

    publicity = report.sections.get(key="publicity").figure_text
    assert (
        publicity
        == "开展安全宣传活动3场，发放宣传资料5000份，悬挂宣传横幅20条。组织安全生产培训2场，累计培训150人次。"
    )
    responsibility = report.sections.get(key="responsibility").figure_text
    assert responsibility == "召开安全生产专题会议1次，专题听取和研究部署安全生产工作。"


def test_a_quiet_year_leaves_the_activity_sentences_out(district, officer):
    report = build(ReportKind.ANNUAL, officer, period=year())
    assert report.sections.get(key="publicity").figure_text == ""
    assert report.sections.get(key="responsibility").figure_text == ""


def test_the_member_units_summary_has_one_part_per_department_under_their_heading(
    district, officer, department_user, enterprise_a
):
    hazard_services.hazard_create(
        user=officer, data=hazard_data(enterprise_a, found_on=TODAY, deadline=TODAY)
    )
    report = build(ReportKind.DEPARTMENTS, officer, period=year())
    sections = report_content(report)["sections"]

    assert [s["heading"] for s in sections if s["level"] == 1] == [
        "安全生产总体情况",
        "成员单位履职情况",
        "后段工作安排",
    ]
    units = [s for s in sections if s["key"] == "unit"]
    assert {s["heading"] for s in units} == {district.dept_construction.name, district.dept_emergency.name}
    assert all(s["level"] == 2 for s in units)
    emergency = [
        s for s in sections if s["key"] == "unit_work" and s["unit"]["id"] == district.dept_emergency.pk
    ]
    # 东城机械厂 is a 工贸 firm: the 应急 department's hazard, not 住建's.
    assert emergency[0]["figure_text"].startswith(
        "发现各类安全隐患1个，整改完成安全隐患0个，隐患整改率达到0.0%"
    )
    construction = [
        s for s in sections if s["key"] == "unit_work" and s["unit"]["id"] == district.dept_construction.pk
    ]
    assert construction[0]["figure_text"].startswith("未发现安全隐患")
    assert sections[[s["key"] for s in sections].index("units")]["table"]["kind"] == "departments"

    own = build(ReportKind.DEPARTMENTS, department_user, unit=department_user.org_unit, period=year())
    assert [s["heading"] for s in report_content(own)["sections"] if s["key"] == "unit"] == [
        department_user.org_unit.name
    ]


# ---------------------------------------------------------------- the campaign's phases and targets


@pytest.fixture
def campaign(officer, district):
    start = TODAY - dt.timedelta(days=40)
    return make_campaign(
        officer,
        district.dept_emergency,
        name="工贸行业安全专项整治",
        start=start,
        end=TODAY + dt.timedelta(days=30),
        members=[district.township_a, district.township_b],
        targets=[(TargetMetric.HAZARDS_FOUND, 4), (TargetMetric.CASES_OPENED, 2)],
        phases=[
            ("动员部署", start, start + dt.timedelta(days=9)),
            ("排查攻坚", start + dt.timedelta(days=10), TODAY + dt.timedelta(days=30)),
        ],
    )


def tagged_hazard(user, enterprise, campaign):
    hazard_services.hazard_create(
        user=user,
        data=hazard_data(enterprise, found_on=TODAY, deadline=TODAY, campaign=campaign),
    )


def test_the_campaign_report_shows_its_phases_and_progress_against_its_targets(
    district, officer, township_a_user, enterprise_a, enterprise_b, campaign
):
    tagged_hazard(officer, enterprise_a, campaign)
    tagged_hazard(officer, enterprise_a, campaign)
    tagged_hazard(officer, enterprise_b, campaign)
    hazard_services.hazard_create(
        user=officer, data=hazard_data(enterprise_a, found_on=TODAY, deadline=TODAY)
    )

    report = build(ReportKind.CAMPAIGN, officer, campaign=campaign)
    table = report.sections.get(key="overview").table_data
    rows = {row[0]: row[1:] for row in table["rows"]}

    assert table["caption"] == "工贸行业安全专项整治阶段安排和目标完成情况"
    assert list(rows)[:2] == ["第1阶段：动员部署", "第2阶段：排查攻坚"]
    assert rows["第1阶段：动员部署"][1] == "已结束"
    assert rows["第2阶段：排查攻坚"][1] == "进行中"
    # Only the hazards tagged with the campaign count towards its target; the sentences count them all.
    assert rows["排查隐患"] == ["4项", "3项", "75.0%"]
    assert rows["立案查处"] == ["2起", "0起", "0.0%"]
    assert "检查行动" in rows and rows["检查行动"][0] == "—"
    assert "行动期间排查隐患4个" in texts(report)

    # A township's campaign report counts its own records only, whoever builds it.
    own = build(ReportKind.CAMPAIGN, officer, unit=district.township_a, campaign=campaign)
    own_rows = {row[0]: row[1:] for row in own.sections.get(key="overview").table_data["rows"]}
    assert own_rows["排查隐患"] == ["4项", "2项", "50.0%"]
    mine = build(ReportKind.CAMPAIGN, township_a_user, unit=district.township_a, campaign=campaign)
    assert mine.pk == own.pk


# ---------------------------------------------------------------- the listing helper


def test_listing_names_only_the_figures_that_are_not_zero(district):
    metrics = {m.key: m for m in all_metrics()}

    def write(**values):
        figures = {
            key: Figure(metrics[key], values.get(key.split(".")[1], 0), 0)
            for key in (
                "enforcement.suspended",
                "enforcement.sealed",
                "enforcement.three_stops",
                "enforcement.closed_down",
            )
        }
        return render(MEASURES, figures)

    assert write() == ""
    assert write(sealed=21, three_stops=12) == "临时查封单位21家，责令三停单位12家"
    assert write(suspended=6, closed_down=1) == "责令停产整顿6家，关闭取缔1家"
    assert write(closed_down=2) == "关闭取缔2家"
    assert listing([("a.b", "甲")], before="召开", after="。") == "[if a.b > 0]召开甲{a.b|text}。[end]"
