"""The enforcement metrics (enforcement.*) on small hand-built cases, every number worked out by hand:
cases by 立案日期, fines by 处罚决定日期 (a case opened in December and decided in January counts its
fine in January), unit plus person fines as exact Decimal yuan, 没收违法所得 not a fine, enterprises
under a measure counted once; a township counts the cases of its enterprises, a department those it
handles; the year before through the registry; drill-down rows equal the figures; one query per figure.

The cases (opened, decided and given measures through enforcement.services, by the district officer):

    ea  东城机械厂  township A (community)   ec  东城化工  township A   eb  西山建筑公司  township B

    c1  ea  区(district office)  opened 2025-03-01  decided 2025-04-01  fines 20000.00 unit + 5000.50 person
                                                    measure 临时查封
    c2  ea  区                   opened 2025-05-01  decided 2025-05-02  fine 0.10, 没收 800.00, 关闭 (penalty)
        (simple procedure)                                              measure 临时查封 (ea again)
    c3  ec  应急局               opened 2025-06-01  not decided         measures 责令三停, 停产整顿
    c4  eb  住建局               opened 2024-12-20  decided 2025-01-10  fines 1000.00 unit + 300.00 person
                                                                        measure 停产整顿 (2024's)
    c6  eb  住建局               opened 2025-07-01  decided 2025-08-01  fine 2000.00, 责令停产停业整顿 (penalty)
"""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.scoping import Scope
from enforcement import services
from enforcement.choices import CaseProcedure, MeasureKind, PenaltyKind, PenaltyTarget
from reports.periods import Period
from reports.registry import Window, compute, get_metric
from reports.scopes import WHOLE_DISTRICT, StatsScope
from tests.enforcement.conftest import fine, open_case, to_decided
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

D = dt.date
KEYS = [
    "enforcement.cases",
    "enforcement.fines_total",
    "enforcement.suspended",
    "enforcement.sealed",
    "enforcement.three_stops",
    "enforcement.closed_down",
]
COUNTS = [key for key in KEYS if key != "enforcement.fines_total"]
Y2025 = Period.parse("2025")


@pytest.fixture
def world(officer, district, sectors, enterprise_a, enterprise_b):
    ea, eb = enterprise_a, enterprise_b
    ec = EnterpriseFactory(name="东城化工", jurisdiction=district.township_a, sectors=[sectors["hazchem"]])

    def opened(enterprise, unit, on, **kw):
        return open_case(officer, enterprise, unit, opened_on=on, **kw)

    def measure(case, kind, on, **kw):
        services.measure_add(user=officer, case=case, kind=kind, start_on=on, **kw)

    c1 = opened(ea, district.district, D(2025, 3, 1))
    measure(c1, MeasureKind.SEAL, D(2025, 3, 5))
    to_decided(
        c1,
        officer,
        [fine("20000.00"), fine("5000.50", PenaltyTarget.PERSON, person_name="张三")],
        D(2025, 4, 1),
    )
    c2 = opened(ea, district.district, D(2025, 5, 1), procedure=CaseProcedure.SIMPLE)
    measure(c2, MeasureKind.SEAL, D(2025, 5, 1))
    confiscation = services.PenaltyData(PenaltyTarget.UNIT, PenaltyKind.CONFISCATION, Decimal("800.00"))
    closure = services.PenaltyData(PenaltyTarget.UNIT, PenaltyKind.CLOSURE)
    to_decided(c2, officer, [fine("0.10"), confiscation, closure], D(2025, 5, 2))
    c3 = opened(ec, district.dept_emergency, D(2025, 6, 1))
    measure(c3, MeasureKind.THREE_STOPS, D(2025, 6, 2), stop_kind="use")
    measure(c3, MeasureKind.SUSPENSION, D(2025, 6, 3))
    c4 = opened(eb, district.dept_construction, D(2024, 12, 20))
    measure(c4, MeasureKind.SUSPENSION, D(2024, 12, 22))
    to_decided(
        c4,
        officer,
        [fine("1000.00"), fine("300.00", PenaltyTarget.PERSON, person_name="李四")],
        D(2025, 1, 10),
    )
    c6 = opened(eb, district.dept_construction, D(2025, 7, 1))
    suspension = services.PenaltyData(PenaltyTarget.UNIT, PenaltyKind.SUSPENSION)
    to_decided(c6, officer, [fine("2000.00"), suspension], D(2025, 8, 1))
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c6": c6, "ec": ec}


def values(stats_scope: StatsScope, period: Period = Y2025) -> dict:
    window = Window.of(period, stats_scope)
    return {key: get_metric(key).value(window) for key in KEYS}


def figures(cases, fines, suspended, sealed, three_stops, closed_down) -> dict:
    return dict(zip(KEYS, [cases, Decimal(fines), suspended, sealed, three_stops, closed_down], strict=True))


def test_the_metrics_are_registered_with_their_labels_and_units():
    expected = {
        "enforcement.cases": ("立案", "起", "count"),
        "enforcement.fines_total": ("罚款金额", "元", "money"),
        "enforcement.suspended": ("停产整顿", "家", "count"),
        "enforcement.sealed": ("临时查封", "家", "count"),
        "enforcement.three_stops": ("责令三停", "家", "count"),
        "enforcement.closed_down": ("关闭取缔", "家", "count"),
    }
    for key, (label, unit, kind) in expected.items():
        metric = get_metric(key)
        assert (metric.label, metric.unit, metric.kind) == (label, unit, kind)
        assert metric.records is not None
    assert "“临时查封”" in get_metric("enforcement.sealed").definition
    assert "责令停产停业整顿" in get_metric("enforcement.suspended").definition


def test_district_figures_of_the_year(world):
    # Cases c1 c2 c3 c6 (c4 was opened in 2024). Fines decided in 2025: 20000.00 + 5000.50 + 0.10
    # + 1000.00 + 300.00 (c4, decided in January) + 2000.00 = 28300.60; the 800.00 confiscated is no
    # fine. 停产整顿: ec (measure) and eb (penalty of c6); c4's measure belongs to 2024. 临时查封: ea
    # twice → 1. 责令三停: ec. 关闭取缔: ea (关闭 decided as a penalty).
    result = values(WHOLE_DISTRICT)
    assert result == figures(4, "28300.60", 2, 1, 1, 1)
    assert str(result["enforcement.fines_total"]) == "28300.60"  # exact Decimal yuan, two places


def test_a_case_opened_in_december_and_decided_in_january(world):
    # c4: the case is December's, its fine January's (and so 2025's, not 2024's).
    assert values(WHOLE_DISTRICT, Period.parse("2024-M12")) == figures(1, "0.00", 1, 0, 0, 0)
    assert values(WHOLE_DISTRICT, Period.parse("2025-M01")) == figures(0, "1300.00", 0, 0, 0, 0)
    assert values(WHOLE_DISTRICT, Period.parse("2024")) == figures(1, "0.00", 1, 0, 0, 0)


def test_a_township_counts_the_cases_of_its_enterprises(world, district):
    # A: c1 c2 (ea, district office) and c3 (ec, 应急局); B: c6 (eb).
    assert values(StatsScope(district.township_a)) == figures(3, "25000.60", 1, 1, 1, 1)
    assert values(StatsScope(district.township_b)) == figures(1, "3300.00", 1, 0, 0, 0)
    assert values(StatsScope(district.community_b)) == figures(0, "0.00", 0, 0, 0, 0)


def test_a_department_counts_the_cases_it_handles(world, district):
    # 住建局 handles c4 and c6 (c4's fine is 2025's); 应急局 handles c3 only — not c1/c2 of 东城机械厂
    # although machinery is one of its sectors: the district office handled those.
    assert values(StatsScope(district.dept_construction)) == figures(1, "3300.00", 1, 0, 0, 0)
    assert values(StatsScope(district.dept_emergency)) == figures(1, "0.00", 1, 0, 1, 0)


def test_year_before_and_change_through_the_registry(world, district):
    result = compute(Y2025, WHOLE_DISTRICT, keys=KEYS)
    cases = result["enforcement.cases"]
    assert (cases.value, cases.previous, cases.change_pct) == (4, 1, 300)
    assert cases.text == "4起" and cases.change_text == "同比上升300%"
    fines = result["enforcement.fines_total"]
    assert (fines.value, fines.previous) == (Decimal("28300.60"), Decimal("0.00"))
    assert fines.text == "2.83万余元" and fines.change_pct is None
    assert fines.as_dict()["value"] == 28300.6
    suspended = result["enforcement.suspended"]
    assert (suspended.value, suspended.previous, suspended.change_text) == (2, 1, "同比上升100%")
    township_b = compute(Y2025, StatsScope(district.township_b), keys=["enforcement.fines_total"])
    assert township_b["enforcement.fines_total"].text == "3300元"


@pytest.mark.parametrize("scope_name", ["district", "township_a", "township_b", "dept_construction"])
def test_drill_down_rows_equal_the_figures(world, district, scope_name):
    stats_scope = WHOLE_DISTRICT if scope_name == "district" else StatsScope(getattr(district, scope_name))
    for period in (Y2025, Period.parse("2024")):
        window = Window.of(period, stats_scope)
        for key in COUNTS:
            metric = get_metric(key)
            assert metric.records(window).count() == metric.value(window), (key, period.key)
        fines = get_metric("enforcement.fines_total")
        rows = list(fines.records(window))
        assert all(row.kind == PenaltyKind.FINE for row in rows)
        assert sum((row.amount for row in rows), Decimal("0.00")) == fines.value(window)


def test_drill_down_lists_the_cases_and_enterprises_themselves(world):
    window = Window.of(Y2025, WHOLE_DISTRICT)
    cases = get_metric("enforcement.cases").records(window)
    assert set(cases) == {world["c1"], world["c2"], world["c3"], world["c6"]}
    suspended = get_metric("enforcement.suspended").records(window)
    assert set(suspended.values_list("name", flat=True)) == {"东城化工", "西山建筑公司"}
    sealed = get_metric("enforcement.sealed").records(window)
    assert list(sealed.values_list("name", flat=True)) == ["东城机械厂"]


@pytest.mark.parametrize("scope_name", ["district", "township_a", "dept_construction"])
def test_each_figure_is_one_query(world, district, scope_name, django_assert_max_num_queries):
    stats_scope = WHOLE_DISTRICT if scope_name == "district" else StatsScope(getattr(district, scope_name))
    scope: Scope = stats_scope.scope  # a department's sectors are read once, here
    window = Window(Y2025.start, Y2025.end, scope)
    metrics = [get_metric(key) for key in KEYS]  # families of the registry read reference data
    for metric in metrics:
        with django_assert_max_num_queries(1):
            metric.value(window)
