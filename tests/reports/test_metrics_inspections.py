"""The inspection metrics (inspections.*) on small hand-built data, every number worked out by hand:
only inspections that happened count; a joint inspection visiting two townships counts once for each
township and once for the district; a corrected record is one visit; a township and a department count
the actions that visited an enterprise of theirs; hazards found on leader-led inspections by their
发现日期; the year before through the registry; drill-down rows equal the figures; one query per figure.

The data (every action entered through inspections.services.action_create, by the 应急局 officer):

    ea1  东城机械厂    township A (community)  machinery    → 应急局 by sector
    ea2  东城建设公司  township A              construction → 住建局 by sector
    eb   西山建筑公司  township B              construction → 住建局 by sector

    act1  2025-03-10  3 members                 ea1 + eb    leader-led (joint: two townships)
    act2  2025-06-01  2 members + 1 expert = 3  ea1 + ea2   ea1's record issued and corrected (更正)
    act3  2024-12-31  2 members                 ea1         leader-led (last year)
    act4  2025-05-01  planned (计划中)          ea1         not counted
    act5  2025-05-02  draft (草稿)              eb          not counted

    hazards on records: h1 act1/ea1 found 2025-03-10; h2 act1/eb 2025-03-10; h3 act1/ea1 voided;
    h4 act2/ea1 (not leader-led); h5 act3/ea1 found 2024-12-31; h6 act1/ea1 found 2026-01-05 (later);
    h7 ea1 self-reported 2025-03-10 (not on a record).
"""

import datetime as dt

import pytest

from accounts.choices import Role
from accounts.scoping import Scope
from hazards import services as hazard_services
from hazards.choices import HazardSource
from inspections.choices import ActionStatus
from inspections.models import InspectionKind, InspectionRecord
from inspections.services import action_create, record_correct, record_issue
from reports.periods import Period
from reports.registry import Window, compute, get_metric
from reports.scopes import WHOLE_DISTRICT, StatsScope
from tests.factories import EnterpriseFactory, UserFactory
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

D = dt.date
KEYS = [
    "inspections.actions",
    "inspections.person_times",
    "inspections.unit_visits",
    "inspections.units",
    "inspections.leader_led",
    "inspections.leader_led_hazards",
]
COUNTS = [key for key in KEYS if key != "inspections.person_times"]
Y2025 = Period.parse("2025")


@pytest.fixture
def world(officer, district, sectors, enterprise_a, enterprise_b):
    team = [
        UserFactory(
            role=Role.OFFICER,
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执{i:04d}",
            enforcement_cert_expiry=D(2030, 12, 31),
        )
        for i in range(3)
    ]
    ea1, eb = enterprise_a, enterprise_b
    ea2 = EnterpriseFactory(
        name="东城建设公司", jurisdiction=district.township_a, sectors=[sectors["construction"]]
    )
    routine = InspectionKind.objects.get(code="routine")

    def inspect(day, members, enterprises, **kw):
        return action_create(
            user=officer,
            date=day,
            organizer=district.dept_emergency,
            kind=routine,
            members=members,
            enterprises=enterprises,
            **kw,
        )

    leader = {"is_leader_led": True, "leader_name": "陈区长", "leader_level": "district"}
    act1 = inspect(D(2025, 3, 10), team, [ea1, eb], **leader)
    act2 = inspect(D(2025, 6, 1), team[:2], [ea1, ea2], experts="张工")
    act3 = inspect(D(2024, 12, 31), team[:2], [ea1], **leader)
    act4 = inspect(D(2025, 5, 1), team[:2], [ea1], status=ActionStatus.PLANNED, **leader)
    act5 = inspect(D(2025, 5, 2), team[:2], [eb], status=ActionStatus.DRAFT)
    old = act2.records.get(enterprise=ea1)
    record_correct(user=officer, record=record_issue(user=officer, record=old))

    def hazard(action, enterprise, found, **kw):
        record = InspectionRecord.objects.get(action=action, enterprise=enterprise, supersedes__isnull=True)
        data = hazard_data(
            enterprise,
            source=HazardSource.INSPECTION,
            found_on=found,
            deadline=found + dt.timedelta(days=15),
            inspection_record=record,
            **kw,
        )
        return hazard_services.hazard_create(user=officer, data=data)

    hazard(act1, ea1, D(2025, 3, 10))
    hazard(act1, eb, D(2025, 3, 10))
    h3 = hazard(act1, ea1, D(2025, 3, 10))
    hazard_services.hazard_void(user=officer, hazard=h3, reason="重复录入")
    hazard(act2, ea1, D(2025, 6, 1))
    hazard(act3, ea1, D(2024, 12, 31))
    hazard(act1, ea1, D(2026, 1, 5))
    self_reported = hazard_data(ea1, found_on=D(2025, 3, 10), deadline=D(2025, 3, 25))
    hazard_services.hazard_create(user=officer, data=self_reported)
    assert act1.person_count == 3 and act2.person_count == 3 and act3.person_count == 2
    return {"act1": act1, "act2": act2, "act3": act3, "act4": act4, "act5": act5, "ea2": ea2}


def values(stats_scope: StatsScope, period: Period = Y2025) -> dict:
    window = Window.of(period, stats_scope)
    return {key: get_metric(key).value(window) for key in KEYS}


def figures(actions, person_times, unit_visits, units, leader_led, leader_led_hazards) -> dict:
    return dict(
        zip(KEYS, [actions, person_times, unit_visits, units, leader_led, leader_led_hazards], strict=True)
    )


def test_the_metrics_are_registered_with_their_labels_and_units():
    expected = {
        "inspections.actions": ("检查行动", "次", "count"),
        "inspections.person_times": ("出动检查人员", "人次", "sum"),
        "inspections.unit_visits": ("检查生产经营单位(家次)", "家次", "count"),
        "inspections.units": ("检查生产经营单位(家)", "家", "count"),
        "inspections.leader_led": ("领导带队检查", "次", "count"),
        "inspections.leader_led_hazards": ("领导带队检查发现隐患", "个", "count"),
    }
    for key, (label, unit, kind) in expected.items():
        metric = get_metric(key)
        assert (metric.label, metric.unit, metric.kind) == (label, unit, kind)
        assert metric.records is not None and "已完成" in metric.definition
    assert "两个街道" in get_metric("inspections.actions").definition


def test_district_counts_what_happened_in_the_period(world):
    # act1 + act2 (act3 is last year's, act4 planned, act5 a draft); 3 + 3 people; visits ea1, eb, ea1
    # (corrected: one visit), ea2; three enterprises; act1 leader-led; h1 and h2 (h3 void, h4 not
    # leader-led, h6 found next year, h7 not on a record).
    assert values(WHOLE_DISTRICT) == figures(2, 6, 4, 3, 1, 2)


def test_last_year_counts_the_action_of_december_31(world):
    assert values(WHOLE_DISTRICT, Period.parse("2024")) == figures(1, 2, 1, 1, 1, 1)
    assert values(WHOLE_DISTRICT, Period.parse("2025-M01")) == figures(0, 0, 0, 0, 0, 0)


def test_a_joint_inspection_counts_once_for_each_township_it_visited(world, district):
    township_a = values(StatsScope(district.township_a))
    township_b = values(StatsScope(district.township_b))
    # A: act1 (ea1) and act2 (ea1, ea2): both whole teams; visits ea1, ea1, ea2; h1 only.
    assert township_a == figures(2, 6, 3, 2, 1, 1)
    # B: act1 (eb) with its whole team of 3; its visit to eb only; h2.
    assert township_b == figures(1, 3, 1, 1, 1, 1)
    # So the townships' actions add up to more than the district's, their visits exactly to it.
    district_figures = values(WHOLE_DISTRICT)
    assert township_a["inspections.actions"] + township_b["inspections.actions"] == 3
    assert district_figures["inspections.actions"] == 2
    assert (
        township_a["inspections.unit_visits"] + township_b["inspections.unit_visits"]
        == district_figures["inspections.unit_visits"]
    )


def test_a_unit_nobody_visited_counts_nothing(world, district):
    # 西山村 (under township B) had no visit: nothing, though the district had inspections.
    assert values(StatsScope(district.community_b)) == figures(0, 0, 0, 0, 0, 0)


def test_a_department_counts_the_actions_that_visited_its_sectors(world, district):
    # 住建局 (construction): eb on act1, ea2 on act2; h2 (eb's sector).
    assert values(StatsScope(district.dept_construction)) == figures(2, 6, 2, 2, 1, 1)
    # 应急局 (工贸 → machinery): ea1 on act1 and act2; h1.
    assert values(StatsScope(district.dept_emergency)) == figures(2, 6, 2, 1, 1, 1)


def test_year_before_and_change_through_the_registry(world, district):
    result = compute(Y2025, WHOLE_DISTRICT, keys=KEYS)
    actions = result["inspections.actions"]
    assert (actions.value, actions.previous, actions.change_pct) == (2, 1, 100)
    assert actions.text == "2次" and actions.change_text == "同比上升100%"
    person_times = result["inspections.person_times"]
    assert (person_times.value, person_times.previous, person_times.change_pct) == (6, 2, 200)
    hazards = result["inspections.leader_led_hazards"]
    assert (hazards.value, hazards.previous) == (2, 1)
    township_b = compute(Y2025, StatsScope(district.township_b), keys=["inspections.unit_visits"])
    assert (township_b["inspections.unit_visits"].value, township_b["inspections.unit_visits"].previous) == (
        1,
        0,
    )
    assert township_b["inspections.unit_visits"].change_pct is None


@pytest.mark.parametrize("scope_name", ["district", "township_a", "township_b", "dept_construction"])
def test_drill_down_rows_equal_the_figures(world, district, scope_name):
    stats_scope = WHOLE_DISTRICT if scope_name == "district" else StatsScope(getattr(district, scope_name))
    window = Window.of(Y2025, stats_scope)
    for key in COUNTS:
        metric = get_metric(key)
        assert metric.records(window).count() == metric.value(window), key
    person_times = get_metric("inspections.person_times")
    actions = person_times.records(window)
    assert sum(action.person_count for action in actions) == person_times.value(window)
    assert set(actions) == set(get_metric("inspections.actions").records(window))


def test_drill_down_lists_the_actions_and_enterprises_themselves(world, district):
    window = Window.of(Y2025, StatsScope(district.township_b))
    assert list(get_metric("inspections.actions").records(window)) == [world["act1"]]
    visits = get_metric("inspections.unit_visits").records(window)
    assert [(r.action_id, r.enterprise.name) for r in visits] == [(world["act1"].pk, "西山建筑公司")]
    whole = Window.of(Y2025, WHOLE_DISTRICT)
    names = set(get_metric("inspections.units").records(whole).values_list("name", flat=True))
    assert names == {"东城机械厂", "东城建设公司", "西山建筑公司"}
    assert not get_metric("inspections.actions").records(whole).filter(pk=world["act4"].pk).exists()


@pytest.mark.parametrize("scope_name", ["district", "township_a", "dept_construction"])
def test_each_figure_is_one_query(world, district, scope_name, django_assert_max_num_queries):
    stats_scope = WHOLE_DISTRICT if scope_name == "district" else StatsScope(getattr(district, scope_name))
    scope: Scope = stats_scope.scope  # a department's sectors are read once, here
    window = Window(Y2025.start, Y2025.end, scope)
    metrics = [get_metric(key) for key in KEYS]  # families of the registry read reference data
    for metric in metrics:
        with django_assert_max_num_queries(1):
            metric.value(window)


def test_the_organising_unit_does_not_place_an_action(world, officer, district):
    # Township B organises an inspection of township A's enterprise: it is A's action, not B's.
    team = list(world["act2"].members.all())
    action_create(
        user=officer,
        date=D(2025, 7, 1),
        organizer=district.township_b,
        kind=InspectionKind.objects.get(code="routine"),
        members=team,
        enterprises=[world["ea2"]],
    )
    assert values(StatsScope(district.township_b))["inspections.actions"] == 1
    assert values(StatsScope(district.township_a))["inspections.actions"] == 3
