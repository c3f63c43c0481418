"""activities.* / meetings.* / talks.*: sums by activity kind, meetings by type, 约谈 by target kind,
counted on a hand-built ledger (tests/reports/activities_ledger.py), by the organiser's scope."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.scoping import unit_scope
from campaigns.models import ActivitySubtype, ActivityType, QuantityUnit
from reports.periods import Period
from reports.registry import Window, all_metrics, compute, get_metric
from reports.scopes import WHOLE_DISTRICT, StatsScope

from .activities_ledger import build

pytestmark = pytest.mark.django_db

YEAR = Period(2026, "year")
MINE = ("activities", "meetings", "talks")
# The monthly evaluation's rate of activities entered on time (reports/metrics/evaluation.py, tested in
# tests/reports/test_evaluation.py) is not one of the ledger's quantity figures.
EVALUATION_KEYS = {"activities.on_time_rate"}


@pytest.fixture
def ledger(officer, township_a_user, township_b_user, department_user, district, enterprise_a, enterprise_b):
    build(
        officer=officer,
        township_a_user=township_a_user,
        township_b_user=township_b_user,
        department_user=department_user,
        district=district,
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
    )
    return district


def values(period, stats_scope, keys) -> dict:
    figures = compute(period, stats_scope, keys=keys)
    return {key: figures[key].value for key in keys}


def test_keys_are_kind_and_quantity_codes_with_labels_and_units(district):
    metrics = {m.key: m for m in all_metrics() if m.domain in MINE and m.key not in EVALUATION_KEYS}
    banner = metrics["activities.publicity.banner"]
    assert (banner.label, banner.unit, banner.kind) == ("宣传·横幅", "条", "sum")
    assert (metrics["activities.training.sessions"].label, metrics["activities.training.sessions"].unit) == (
        "培训·场次",
        "场",
    )
    assert metrics["activities.meeting.sessions"].unit == "次"  # 会议*次
    assert metrics["activities.drill.participants"].unit == "人次"
    assert metrics["activities.publicity.count"].kind == "count"
    assert (metrics["meetings.safety-committee"].label, metrics["meetings.safety-committee"].unit) == (
        "安委会全会",
        "次",
    )
    assert "meetings.talk" in metrics
    assert [metrics[f"talks.{k}"].unit for k in ("township", "department", "enterprise")] == [
        "个",
        "个",
        "家",
    ]
    # Every kind × (count, sessions, participants, each catalogue unit); only 会议 sub-types as meetings.
    kinds, units = ActivityType.objects.count(), QuantityUnit.objects.count()
    assert sum(m.domain == "activities" for m in metrics.values()) == kinds * (3 + units)
    assert (
        sum(m.domain == "meetings" for m in metrics.values())
        == ActivitySubtype.objects.filter(type__code="meeting").count()
    )
    assert "meetings.safety-month" not in metrics  # a publicity sub-type is no meeting
    # The definitions say the figures follow the organising unit.
    assert all("组织单位" in m.definition for m in metrics.values())
    # Publicity before training before drills before meetings; within a kind: count, 场次, 人次, catalogue.
    order = [m.key for m in all_metrics() if m.domain == "activities"]
    assert order[:4] == [
        "activities.publicity.count",
        "activities.publicity.sessions",
        "activities.publicity.participants",
        "activities.publicity.banner",
    ]
    assert order.index("activities.training.count") < order.index("activities.meeting.count")


def test_a_unit_or_meeting_type_the_administrator_adds_appears(district):
    QuantityUnit.objects.create(code="flag", name="彩旗", unit="面", order=50)
    ActivitySubtype.objects.create(
        type=ActivityType.objects.get(code="meeting"), code="flood-meeting", name="防汛会商会", order=99
    )
    flag = get_metric("activities.drill.flag")
    assert (flag.label, flag.unit) == ("演练·彩旗", "面")
    assert get_metric("meetings.flood-meeting").label == "防汛会商会"
    assert compute(YEAR, WHOLE_DISTRICT, keys=["activities.drill.flag"])["activities.drill.flag"].value == 0


def test_sums_by_kind_for_the_district(ledger):
    got = values(
        YEAR,
        WHOLE_DISTRICT,
        [
            "activities.publicity.count",
            "activities.publicity.sessions",
            "activities.publicity.participants",
            "activities.publicity.banner",
            "activities.publicity.leaflet",
            "activities.publicity.board",
            "activities.publicity.media",
            "activities.training.count",
            "activities.training.sessions",
            "activities.training.participants",
            "activities.training.leaflet",
            "activities.training.banner",
            "activities.drill.count",
            "activities.drill.participants",
            "activities.meeting.count",
            "activities.meeting.sessions",
        ],
    )
    assert got == {
        "activities.publicity.count": 3,
        "activities.publicity.sessions": 2 + 1 + 3,
        "activities.publicity.participants": 300 + 120 + 400,
        "activities.publicity.banner": 20 + 5 + 7,
        "activities.publicity.leaflet": 1500 + 500 + 900,
        "activities.publicity.board": 10,
        "activities.publicity.media": 0,
        "activities.training.count": 1,
        "activities.training.sessions": 2,
        "activities.training.participants": 150,
        "activities.training.leaflet": 200,  # the training's leaflets are not publicity's
        "activities.training.banner": 0,
        "activities.drill.count": 1,
        "activities.drill.participants": 200,
        "activities.meeting.count": 2 + 1 + 3,  # 安委会全会 ×2, 区委常委会, 约谈 ×3
        "activities.meeting.sessions": 6,
    }


def test_meetings_by_type_and_talks_by_target_kind(ledger):
    got = values(
        YEAR,
        WHOLE_DISTRICT,
        [
            "meetings.safety-committee",
            "meetings.party-standing",
            "meetings.talk",
            "meetings.government-executive",
            "talks.township",
            "talks.department",
            "talks.enterprise",
        ],
    )
    assert got == {
        "meetings.safety-committee": 2,
        "meetings.party-standing": 1,
        "meetings.talk": 3,
        "meetings.government-executive": 0,
        "talks.township": 2,  # A (talked to twice) and B: distinct
        "talks.department": 1,
        "talks.enterprise": 2,  # A (by the district and by its township) and B
    }


def test_year_before_and_change(ledger):
    figures = compute(
        YEAR,
        WHOLE_DISTRICT,
        keys=["activities.publicity.banner", "activities.publicity.count", "meetings.safety-committee"],
    )
    banner = figures["activities.publicity.banner"]
    assert (banner.value, banner.previous) == (32, 40 + 4)  # 31 Dec 2025 is last year's; 2024 is in neither
    assert banner.change_pct == Decimal("-27.27")
    assert banner.text == "32条"
    assert banner.as_dict() == {"value": 32, "text": "32条", "previous": 44, "change_pct": -27.27}
    assert (figures["activities.publicity.count"].value, figures["activities.publicity.count"].previous) == (
        3,
        2,
    )
    committee = figures["meetings.safety-committee"]
    assert (committee.value, committee.previous, committee.change_pct) == (2, 1, Decimal("100"))


def test_a_quarter_counts_by_the_activity_date(ledger):
    got = values(
        Period(2026, "quarter", 2),
        WHOLE_DISTRICT,
        [
            "activities.publicity.count",
            "activities.drill.count",
            "activities.training.count",
            "meetings.safety-committee",
            "talks.township",
            "talks.enterprise",
        ],
    )
    assert got == {
        "activities.publicity.count": 3,
        "activities.drill.count": 1,  # 2 Apr
        "activities.training.count": 0,  # 10 Mar: first quarter
        "meetings.safety-committee": 1,  # 20 May (5 Feb is the first quarter's)
        "talks.township": 2,
        "talks.enterprise": 2,
    }


def test_a_township_counts_what_it_and_its_communities_organised(ledger):
    township_a = StatsScope(ledger.township_a)
    keys = [
        "activities.publicity.count",
        "activities.publicity.sessions",
        "activities.publicity.participants",
        "activities.publicity.banner",
        "activities.publicity.leaflet",
        "activities.drill.count",
        "activities.training.leaflet",
        "activities.meeting.count",
        "meetings.talk",
        "meetings.safety-committee",
        "talks.township",
        "talks.enterprise",
    ]
    assert values(YEAR, township_a, keys) == {
        "activities.publicity.count": 2,  # its own and its community's; not B's
        "activities.publicity.sessions": 3,
        "activities.publicity.participants": 420,
        "activities.publicity.banner": 25,
        "activities.publicity.leaflet": 2000,
        "activities.drill.count": 1,
        "activities.training.leaflet": 0,
        "activities.meeting.count": 1,  # its own 约谈
        "meetings.talk": 1,
        "meetings.safety-committee": 0,  # the district's meetings are not the township's
        # By organiser, not by target: the district talked to township A, but that is the district's.
        "talks.township": 0,
        "talks.enterprise": 1,
    }
    assert (
        compute(YEAR, township_a, keys=["activities.publicity.banner"])[
            "activities.publicity.banner"
        ].previous
        == 44
    )
    township_b = values(
        YEAR, StatsScope(ledger.township_b), ["activities.publicity.banner", "talks.enterprise"]
    )
    assert township_b == {"activities.publicity.banner": 7, "talks.enterprise": 0}


def test_a_department_counts_what_it_organised(ledger):
    construction = StatsScope(ledger.dept_construction)
    got = values(
        YEAR,
        construction,
        [
            "activities.training.count",
            "activities.training.leaflet",
            "activities.publicity.count",
            "talks.department",
        ],
    )
    assert got == {
        "activities.training.count": 1,
        "activities.training.leaflet": 200,
        "activities.publicity.count": 0,
        "talks.department": 0,  # it was talked to, by the district
    }


@pytest.mark.parametrize("unit", [None, "township_a", "dept_construction"])
def test_the_records_behind_each_figure_add_up_to_it(ledger, unit, django_assert_max_num_queries):
    scope = unit_scope(getattr(ledger, unit)) if unit else WHOLE_DISTRICT.scope
    window = Window(YEAR.start, YEAR.end, scope)
    checked = 0
    for metric in all_metrics():
        if metric.domain not in MINE or metric.key in EVALUATION_KEYS:
            continue
        with django_assert_max_num_queries(1):
            value = metric.value(window)
        records = metric.records(window)
        if metric.kind == "count":
            assert records.count() == value, metric.key
        else:
            field = metric.key.rsplit(".", 1)[1]
            field = field if field in ("sessions", "participants") else "amount"
            assert records.aggregate(total=Sum(field, default=0))["total"] == value, metric.key
        checked += 1
    assert checked > 40
