"""The hazard metrics (hazards.*) on a small hand-built ledger, with every number worked out by hand:
found / rectified by the 销号日期 / rate / 重大 / 挂牌督办 / overdue as of the period's last day; void
entries counted nowhere; a township sees its own, the district is the sum; a department what it
supervises or follows; the year before through the registry; drill-down rows equal the figures; one
query per figure.

The ledger (every hazard recorded, closed, listed or voided through hazards.services):

    township A (东城机械厂, machinery → 应急局 by sector)
      h1  found 2025-03-10  deadline 2025-03-25  一般  closed 2025-03-20
      h2  found 2025-12-10  deadline 2025-12-25  一般  closed 2026-01-05   (December → January)
      h3  found 2025-06-01  deadline 2025-07-01  重大  listed 区级 2025-06-05, closed 2025-06-30
      h4  found 2025-05-01  deadline 2025-05-10  一般  voided                 (would be overdue)
      h5  found 2024-11-01  deadline 2024-11-30  一般  still open            (last year's, still overdue)
      h10 found 2025-04-01  deadline 2025-04-15  一般  open, followed by 住建局
    township B (西山建筑公司, construction → 住建局 by sector)
      h6  found 2025-08-01  deadline 2025-09-01  重大  listed 市级 2026-01-10, open
      h7  found 2025-02-01  deadline 2025-02-20  一般  closed 2025-02-15
      h8  found 2024-05-01  deadline 2024-05-30  一般  closed 2024-05-20
      h9  found 2026-01-03  deadline 2026-01-18  一般  closed 2026-01-20
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.scoping import Scope
from hazards import services
from hazards.choices import HazardLevel, ListingLevel
from hazards.models import Hazard
from reports.periods import Period
from reports.registry import Window, all_metrics, compute, get_metric
from reports.scopes import WHOLE_DISTRICT, StatsScope
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

D = dt.date
KEYS = [
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "hazards.major",
    "hazards.major_rectified",
    "hazards.listed",
    "hazards.overdue",
]
COUNTS = [key for key in KEYS if key != "hazards.rectification_rate"]
Y2025 = Period.parse("2025")


def make(
    officer,
    enterprise,
    found: dt.date,
    deadline: dt.date,
    *,
    level=HazardLevel.GENERAL,
    closed: dt.date | None = None,
    listed: tuple[str, dt.date] | None = None,
    void: bool = False,
    **extra,
) -> Hazard:
    hazard = services.hazard_create(
        user=officer, data=hazard_data(enterprise, level=level, found_on=found, deadline=deadline, **extra)
    )
    if listed is not None:
        level_code, on = listed
        services.listing_create(
            user=officer, hazard=hazard, level=level_code, listed_on=on, leader="张区长", document=""
        )
    if closed is not None:
        services.rectification_create(
            user=officer, hazard=hazard, text="已整改到位", done_on=closed, submit=True
        )
        services.hazard_verify(user=officer, hazard=hazard, passed=True, on=closed)
    if void:
        services.hazard_void(user=officer, hazard=hazard, reason="重复录入")
    hazard.refresh_from_db()
    return hazard


@pytest.fixture
def ledger(officer, district, enterprise_a, enterprise_b) -> dict[str, Hazard]:
    a, b = enterprise_a, enterprise_b
    return {
        "h1": make(officer, a, D(2025, 3, 10), D(2025, 3, 25), closed=D(2025, 3, 20)),
        "h2": make(officer, a, D(2025, 12, 10), D(2025, 12, 25), closed=D(2026, 1, 5)),
        "h3": make(
            officer,
            a,
            D(2025, 6, 1),
            D(2025, 7, 1),
            level=HazardLevel.MAJOR,
            listed=(ListingLevel.DISTRICT, D(2025, 6, 5)),
            closed=D(2025, 6, 30),
        ),
        "h4": make(officer, a, D(2025, 5, 1), D(2025, 5, 10), void=True),
        "h5": make(officer, a, D(2024, 11, 1), D(2024, 11, 30)),
        "h10": make(officer, a, D(2025, 4, 1), D(2025, 4, 15), responsible_unit=district.dept_construction),
        "h6": make(
            officer,
            b,
            D(2025, 8, 1),
            D(2025, 9, 1),
            level=HazardLevel.MAJOR,
            listed=(ListingLevel.CITY, D(2026, 1, 10)),
        ),
        "h7": make(officer, b, D(2025, 2, 1), D(2025, 2, 20), closed=D(2025, 2, 15)),
        "h8": make(officer, b, D(2024, 5, 1), D(2024, 5, 30), closed=D(2024, 5, 20)),
        "h9": make(officer, b, D(2026, 1, 3), D(2026, 1, 18), closed=D(2026, 1, 20)),
    }


def values(window: Window) -> dict:
    return {key: get_metric(key).value(window) for key in KEYS}


def figures(found, rectified, rate, major, major_rectified, listed, overdue) -> dict:
    return dict(zip(KEYS, [found, rectified, rate, major, major_rectified, listed, overdue], strict=True))


def window(start: dt.date, end: dt.date, stats_scope: StatsScope = WHOLE_DISTRICT) -> Window:
    return Window(start, end, stats_scope.scope)


def test_the_ledger_is_what_the_docstring_says(ledger):
    states = {name: (h.state, h.closed_on, h.listing_level) for name, h in ledger.items()}
    assert states["h2"] == ("closed", D(2026, 1, 5), "")
    assert states["h3"] == ("closed", D(2025, 6, 30), "district")
    assert states["h4"][0] == "void"
    assert states["h6"] == ("open", None, "city")


def test_a_year_for_the_district(ledger):
    # Found in 2025 (h4 void): h1 h2 h3 h10 h6 h7 = 6. Closed by 31 Dec: h1 h3 h7 (h2 closed in
    # January) = 3 → 50.0%. 重大: h3 h6; closed: h3. Listed by 31 Dec: h3 (h6 listed in January).
    # Overdue on 31 Dec: h2 (closed later), h5 (found 2024), h10, h6 — not the void h4.
    assert values(Window.of(Y2025, WHOLE_DISTRICT)) == figures(6, 3, Decimal("50.0"), 2, 1, 1, 4)


def test_december_hazard_closed_in_january(ledger):
    december = Period.parse("2025-M12")
    january = Period.parse("2026-M01")
    # December: h2 found, not closed by 31 Dec, overdue then (with h5 h10 h6).
    assert values(Window.of(december, WHOLE_DISTRICT)) == figures(1, 0, Decimal("0.0"), 0, 0, 0, 4)
    # January: h2 was not found in it, so its closing is not counted there; h9 found and closed.
    # Overdue on 31 Jan: h5 h10 h6 (h2 closed on 5 Jan).
    assert values(Window.of(january, WHOLE_DISTRICT)) == figures(1, 1, Decimal("100.0"), 0, 0, 0, 3)
    # A window covering both months counts h2 as found and rectified; h6's January listing now counts
    # only if h6 was found in the window — it was not.
    both = values(window(D(2025, 12, 1), D(2026, 1, 31)))
    assert both == figures(2, 2, Decimal("100.0"), 0, 0, 0, 3)
    # Rectified follows the 销号日期: on 4 January h2 (closed the 5th) and h9 (the 20th) were still open.
    assert get_metric("hazards.rectified").value(window(D(2025, 12, 1), D(2026, 1, 4))) == 0
    assert sorted(
        h.number for h in get_metric("hazards.rectified").records(window(D(2025, 12, 1), D(2026, 1, 5)))
    ) == [ledger["h2"].number]


def test_a_void_hazard_counts_nowhere(ledger, officer):
    may = window(D(2025, 5, 1), D(2025, 5, 31))
    # Only h4 was found in May, and it is void; overdue on 31 May: h5 and h10, not h4 (deadline 10 May).
    assert values(may) == figures(0, 0, None, 0, 0, 0, 2)
    everything = [set(get_metric(key).records(may)) for key in COUNTS]
    assert all(ledger["h4"] not in rows for rows in everything)


def test_a_reopened_hazard_is_no_longer_rectified(ledger, officer):
    services.hazard_reopen(user=officer, hazard=ledger["h1"], reason="复查发现仍未整改")
    march = Window.of(Period.parse("2025-M03"), WHOLE_DISTRICT)
    assert get_metric("hazards.found").value(march) == 1
    assert get_metric("hazards.rectified").value(march) == 0
    assert get_metric("hazards.rectification_rate").value(march) == Decimal("0.0")


def test_overdue_is_taken_on_the_periods_last_day(ledger):
    # On 30 Nov 2024: h5 (deadline the same day) is not overdue yet; h8 was closed. Nothing else existed.
    assert get_metric("hazards.overdue").value(window(D(2024, 11, 1), D(2024, 11, 30))) == 0
    assert get_metric("hazards.overdue").value(window(D(2024, 12, 1), D(2024, 12, 1))) == 1
    # On 28 Feb 2025: h5; not h7 (deadline 20 Feb, but closed on the 15th) nor h8 (closed).
    feb = get_metric("hazards.overdue").records(window(D(2025, 2, 1), D(2025, 2, 28)))
    assert [h.number for h in feb] == [ledger["h5"].number]


def test_overdue_of_a_running_period_is_taken_today(officer, enterprise_a):
    today = timezone.localdate()
    make(officer, enterprise_a, today - dt.timedelta(days=5), today + dt.timedelta(days=3))  # not due yet
    late = make(officer, enterprise_a, today - dt.timedelta(days=5), today - dt.timedelta(days=1))
    running = window(today - dt.timedelta(days=30), today + dt.timedelta(days=30))
    assert list(get_metric("hazards.overdue").records(running)) == [late]
    assert get_metric("hazards.overdue").value(running) == 1


def test_major_and_listed(ledger):
    june = Window.of(Period.parse("2025-M06"), WHOLE_DISTRICT)
    assert values(june)["hazards.major"] == 1
    assert values(june)["hazards.major_rectified"] == 1
    assert [h.number for h in get_metric("hazards.listed").records(june)] == [ledger["h3"].number]
    # h6: 重大, found in August, listed in January, never closed.
    august = Window.of(Period.parse("2025-M08"), WHOLE_DISTRICT)
    assert (values(august)["hazards.major"], values(august)["hazards.major_rectified"]) == (1, 0)
    assert values(august)["hazards.listed"] == 0
    assert get_metric("hazards.listed").value(window(D(2025, 8, 1), D(2026, 1, 31))) == 1


def test_townships_see_their_own_and_the_district_is_the_sum(ledger, district):
    a, b = StatsScope(district.township_a), StatsScope(district.township_b)
    # A: found h1 h2 h3 h10; closed h1 h3 → 50.0%; 重大 h3 (closed, listed); overdue h2 h5 h10.
    assert values(Window.of(Y2025, a)) == figures(4, 2, Decimal("50.0"), 1, 1, 1, 3)
    # B: found h6 h7; closed h7 → 50.0%; 重大 h6 (open, listed only in January); overdue h6.
    assert values(Window.of(Y2025, b)) == figures(2, 1, Decimal("50.0"), 1, 0, 0, 1)
    whole = values(Window.of(Y2025, WHOLE_DISTRICT))
    for key in COUNTS:
        assert values(Window.of(Y2025, a))[key] + values(Window.of(Y2025, b))[key] == whole[key], key
    rows_a = get_metric("hazards.found").records(Window.of(Y2025, a))
    assert {h.enterprise.jurisdiction.path.startswith(district.township_a.path) for h in rows_a} == {True}
    # The community under township A is a scope of its own, holding the same hazards.
    assert values(Window.of(Y2025, StatsScope(district.community_a)))["hazards.found"] == 4


def test_a_department_counts_its_sectors_and_what_it_follows(ledger, district):
    construction = StatsScope(district.dept_construction)
    # 住建: B's construction firm (h6 h7) and h10, which it follows in township A.
    assert values(Window.of(Y2025, construction)) == figures(3, 1, Decimal("33.3"), 1, 0, 0, 2)
    found = get_metric("hazards.found").records(Window.of(Y2025, construction))
    assert {h.number for h in found} == {ledger[n].number for n in ("h6", "h7", "h10")}
    # 应急: A's machinery firm (a sub-sector of 工贸): h1 h2 h3 h10.
    emergency = StatsScope(district.dept_emergency)
    assert values(Window.of(Y2025, emergency)) == figures(4, 2, Decimal("50.0"), 1, 1, 1, 3)


def test_year_before_and_change_through_the_registry(ledger):
    result = compute(Y2025, WHOLE_DISTRICT, keys=KEYS)
    # 2024: found h5 h8, closed h8; overdue on 31 Dec 2024: h5.
    assert {key: f.previous for key, f in result.items()} == figures(2, 1, Decimal("50.0"), 0, 0, 0, 1)
    assert result["hazards.found"].value == 6
    assert result["hazards.found"].change_pct == Decimal("200.00")
    assert result["hazards.rectified"].change_pct == Decimal("200.00")
    assert result["hazards.overdue"].change_pct == Decimal("300.00")
    assert result["hazards.major"].change_pct is None  # nothing the year before
    assert result["hazards.rectification_rate"].change_pct is None  # a rate is not compared
    assert result["hazards.rectification_rate"].as_dict() == {
        "value": 50,
        "text": "50.0%",
        "previous": 50,
        "change_pct": None,
    }
    assert result["hazards.found"].text == "6个"


def test_rate_is_none_when_nothing_was_found(ledger):
    nothing = window(D(2023, 1, 1), D(2023, 12, 31))
    assert get_metric("hazards.rectification_rate").value(nothing) is None
    assert compute(Period.parse("2023"), WHOLE_DISTRICT, keys=["hazards.found"])["hazards.found"].value == 0


def test_drill_down_rows_equal_the_figure(ledger, district):
    scopes = [WHOLE_DISTRICT, StatsScope(district.township_a), StatsScope(district.township_b)]
    scopes.append(StatsScope(district.dept_construction))
    periods = ["2024", "2025", "2025-M12", "2026-M01", "2025-H2", "2025-Q1"]
    windows = [Window.of(Period.parse(text), s) for s in scopes for text in periods]
    for key in COUNTS:
        metric = get_metric(key)
        for w in windows:
            assert metric.records(w).count() == metric.value(w), (key, w)
    # Not vacuous: the 2025 district windows hold rows for every count metric.
    assert all(get_metric(key).value(Window.of(Y2025, WHOLE_DISTRICT)) > 0 for key in COUNTS)


def test_one_query_per_figure(ledger, district, django_assert_max_num_queries):
    windows = [Window.of(Y2025, s) for s in (WHOLE_DISTRICT, StatsScope(district.township_a))]
    windows.append(Window.of(Y2025, StatsScope(district.dept_construction)))  # the scope is built here
    metrics = [get_metric(key) for key in KEYS]
    for metric in metrics:
        for w in windows:
            with django_assert_max_num_queries(1):
                metric.value(w)


def test_registered_with_labels_units_and_kinds(ledger):
    registered = {m.key: m for m in all_metrics() if m.domain == "hazards"}
    assert {key: (m.label, m.unit, m.kind) for key, m in registered.items() if key in KEYS} == {
        "hazards.found": ("发现隐患", "个", "count"),
        "hazards.rectified": ("已整改隐患", "个", "count"),
        "hazards.rectification_rate": ("隐患整改率", "%", "rate"),
        "hazards.major": ("重大隐患", "个", "count"),
        "hazards.major_rectified": ("重大隐患已整改", "个", "count"),
        "hazards.listed": ("挂牌督办隐患", "个", "count"),
        "hazards.overdue": ("逾期未整改隐患", "个", "count"),
    }
    assert all(registered[key].records is not None for key in COUNTS)
    assert "作废" in registered["hazards.found"].definition
    assert "销号日期" in registered["hazards.rectified"].definition


def test_an_empty_scope_counts_nothing(ledger):
    nobody = Window(Y2025.start, Y2025.end, Scope())
    assert values(nobody) == figures(0, 0, None, 0, 0, 0, 0)
