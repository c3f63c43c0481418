"""The accident metrics (accidents.count, accidents.deaths) on hand-built records: only 生产安全事故 dated
in the period count; a township counts by 所属街道 (the district is the sum), a department by its
sectors; the year before through the registry; drill-down rows match the figures; one query each.

    2025  A  machinery      2025-03-01  1 dead
    2025  B  construction   2025-06-30  2 dead
    2025  B  construction   2025-12-31  0 dead       (the period's last day)
    2025  A  road traffic   2025-04-01  3 dead       not a 生产安全事故
    2026  A  machinery      2026-01-01  1 dead       (the day after)
    2024  A  machinery      2024-05-01  1 dead
    2024  B  construction   2024-12-31  1 dead
    2024  B  construction   2024-07-01  1 dead       not a 生产安全事故
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.scoping import Scope
from hazards.models import AccidentCategory
from hazards.services import AccidentData, accident_create
from reports.periods import Period
from reports.registry import Window, all_metrics, compute, get_metric
from reports.scopes import WHOLE_DISTRICT, StatsScope

pytestmark = pytest.mark.django_db

D = dt.date
KEYS = ["accidents.count", "accidents.deaths"]
Y2025 = Period.parse("2025")


def record(user, township, sector, on, *, deaths=0, production=True, category="fall", enterprise=None):
    return accident_create(
        user=user,
        data=AccidentData(
            occurred_on=on,
            township=township,
            sector=sector,
            category=AccidentCategory.objects.get(code=category),
            summary="事故经过",
            is_production_safety=production,
            deaths=deaths,
            enterprise=enterprise,
        ),
    )


@pytest.fixture
def accidents(officer, district, sectors, enterprise_a):
    A, B = district.township_a, district.township_b
    machinery, build, road = sectors["machinery"], sectors["construction"], sectors["road-traffic"]
    return {
        "a1": record(officer, A, machinery, D(2025, 3, 1), deaths=1, enterprise=enterprise_a),
        "a2": record(officer, B, build, D(2025, 6, 30), deaths=2, category="collapse"),
        "a3": record(officer, B, build, D(2025, 12, 31)),
        "a4": record(officer, A, road, D(2025, 4, 1), deaths=3, production=False, category="road-traffic"),
        "a5": record(officer, A, machinery, D(2026, 1, 1), deaths=1),
        "a6": record(officer, A, machinery, D(2024, 5, 1), deaths=1),
        "a7": record(officer, B, build, D(2024, 12, 31), deaths=1),
        "a8": record(officer, B, build, D(2024, 7, 1), deaths=1, production=False),
    }


def values(window: Window) -> tuple[int, int]:
    return tuple(get_metric(key).value(window) for key in KEYS)


def test_a_year_counts_production_safety_accidents_dated_in_it(accidents):
    # a1 a2 a3 (a4 is not a 生产安全事故, a5 is the next year): 3 accidents, 3 dead.
    assert values(Window.of(Y2025, WHOLE_DISTRICT)) == (3, 3)
    rows = get_metric("accidents.count").records(Window.of(Y2025, WHOLE_DISTRICT))
    assert {a.pk for a in rows} == {accidents[n].pk for n in ("a1", "a2", "a3")}
    # The first half: a1 a2 (30 June included).
    assert values(Window.of(Period.parse("2025-H1"), WHOLE_DISTRICT)) == (2, 3)
    # April holds only the road accident that is not a 生产安全事故.
    assert values(Window.of(Period.parse("2025-M04"), WHOLE_DISTRICT)) == (0, 0)
    assert values(Window.of(Period.parse("2026-M01"), WHOLE_DISTRICT)) == (1, 1)


def test_townships_count_by_their_street_and_the_district_is_the_sum(accidents, district):
    a = values(Window.of(Y2025, StatsScope(district.township_a)))
    b = values(Window.of(Y2025, StatsScope(district.township_b)))
    assert a == (1, 1)  # a1 (a4 not counted)
    assert b == (2, 2)  # a2 a3
    whole = values(Window.of(Y2025, WHOLE_DISTRICT))
    assert (a[0] + b[0], a[1] + b[1]) == whole
    rows = get_metric("accidents.count").records(Window.of(Y2025, StatsScope(district.township_a)))
    assert [r.pk for r in rows] == [accidents["a1"].pk]


def test_a_department_counts_the_accidents_of_its_sectors(accidents, district):
    assert values(Window.of(Y2025, StatsScope(district.dept_construction))) == (2, 2)  # a2 a3
    assert values(Window.of(Y2025, StatsScope(district.dept_emergency))) == (1, 1)  # a1 (机械 ⊂ 工贸)


def test_year_before_and_change_through_the_registry(accidents, district):
    result = compute(Y2025, WHOLE_DISTRICT, keys=KEYS)
    count, deaths = result["accidents.count"], result["accidents.deaths"]
    # 2024: a6 a7 (a8 is not a 生产安全事故) → 2 accidents, 2 dead.
    assert (count.value, count.previous, count.change_pct) == (3, 2, Decimal("50.00"))
    assert (deaths.value, deaths.previous, deaths.change_pct) == (3, 2, Decimal("50.00"))
    assert count.as_dict() == {"value": 3, "text": "3起", "previous": 2, "change_pct": 50}
    assert deaths.text == "3人"
    # Township B: 2025 two accidents (2 dead), 2024 one (1 dead).
    b = compute(Y2025, StatsScope(district.township_b), keys=KEYS)
    assert (b["accidents.count"].previous, b["accidents.count"].change_pct) == (1, Decimal("100.00"))
    # Township A: 2024 a6 (1 dead), 2025 a1 (1 dead): 持平.
    a = compute(Y2025, StatsScope(district.township_a), keys=KEYS)
    assert a["accidents.deaths"].change_pct == Decimal("0.00")


def test_no_accidents_means_zero_not_none(accidents):
    assert values(Window.of(Period.parse("2023"), WHOLE_DISTRICT)) == (0, 0)
    assert values(Window(Y2025.start, Y2025.end, Scope())) == (0, 0)


def test_drill_down_rows_match_the_figures(accidents, district):
    scopes = [WHOLE_DISTRICT, StatsScope(district.township_a), StatsScope(district.township_b)]
    scopes.append(StatsScope(district.dept_construction))
    windows = [Window.of(Period.parse(t), s) for s in scopes for t in ("2024", "2025", "2025-H1", "2026")]
    for w in windows:
        count = get_metric("accidents.count")
        assert count.records(w).count() == count.value(w), w
        deaths = get_metric("accidents.deaths")
        total = deaths.records(w).aggregate(n=Sum("deaths"))["n"] or 0
        assert total == deaths.value(w), w
    # The deaths list leaves out the accident that killed nobody (a3).
    whole = Window.of(Y2025, WHOLE_DISTRICT)
    assert {a.pk for a in get_metric("accidents.deaths").records(whole)} == {
        accidents["a1"].pk,
        accidents["a2"].pk,
    }


def test_one_query_per_figure(accidents, district, django_assert_max_num_queries):
    windows = [Window.of(Y2025, s) for s in (WHOLE_DISTRICT, StatsScope(district.township_a))]
    windows.append(Window.of(Y2025, StatsScope(district.dept_construction)))  # the scope is built here
    metrics = [get_metric(key) for key in KEYS]
    for metric in metrics:
        for w in windows:
            with django_assert_max_num_queries(1):
                metric.value(w)


def test_registered_with_labels_and_units(db):
    registered = {m.key: (m.label, m.unit, m.kind) for m in all_metrics() if m.domain == "accidents"}
    assert registered == {
        "accidents.count": ("生产安全事故", "起", "count"),
        "accidents.deaths": ("事故死亡人数", "人", "sum"),
    }
    assert "生产安全事故" in get_metric("accidents.deaths").definition
    assert "所属街道" in get_metric("accidents.count").definition
