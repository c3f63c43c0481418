"""The statistics workbook (reports/excel.py) and its download (reports:stats_xlsx).

Most tests swap the registry for a handful of fake metrics over real records (hazards, case fines, an
accident), so the numbers are exact whatever the domain helpers register; one test walks the real
registry, whatever it holds, and checks the summary against registry.compute."""

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Sector
from core.numbers import rate
from enforcement.models import Case, Penalty
from hazards.choices import HazardLevel
from hazards.models import Accident, AccidentCategory, Hazard
from hazards.services import AccidentData, accident_create
from reports import registry
from reports.excel import SUMMARY_TITLE, stats_filename, stats_workbook, stats_workbook_bytes
from reports.periods import Period
from reports.registry import DOMAINS, Metric, Window
from reports.scopes import WHOLE_DISTRICT, StatsScope
from tests.enforcement.conftest import open_case, to_decided
from tests.factories import EnterpriseFactory
from tests.hazards.conftest import record

HEADER_ROW = 3
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- fake metrics over real records


def _found(w: Window) -> int:
    return Hazard.objects.filter(w.scope.q(Hazard), found_on__range=(w.start, w.end)).count()


def _major_rate(w: Window):
    found = Hazard.objects.filter(w.scope.q(Hazard), found_on__range=(w.start, w.end))
    counts = found.aggregate(major=Count("pk", filter=Q(level=HazardLevel.MAJOR)), total=Count("pk"))
    return rate(counts["major"], counts["total"])


def _sectors(w: Window) -> int:
    """Distinct sectors of the firms with hazards: the same sector in two townships counts once."""
    found = Hazard.objects.filter(w.scope.q(Hazard), found_on__range=(w.start, w.end))
    return Sector.objects.filter(enterprises__hazards__in=found).distinct().count()


def _fines(w: Window) -> Decimal:
    cases = Case.objects.filter(w.scope.q(Case), decided_on__range=(w.start, w.end))
    total = Penalty.objects.filter(case__in=cases).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def _accidents(w: Window) -> int:
    return Accident.objects.filter(w.scope.q(Accident), occurred_on__range=(w.start, w.end)).count()


FAKES = [
    Metric("accidents.x_count", "事故起数", "起", "测试：事故起数", _accidents, order=1),
    Metric("hazards.x_found", "发现隐患", "个", "测试：发现日期在期内的隐患", _found, order=1),
    Metric("hazards.x_sectors", "涉及行业", "个", "测试：去重行业", _sectors, order=2),
    Metric("hazards.x_major_rate", "重大隐患占比", "%", "测试：比率", _major_rate, kind="rate", order=3),
    Metric("enforcement.x_fines", "罚款金额", "元", "测试：罚款", _fines, kind="money", order=1),
]


@pytest.fixture
def fakes(monkeypatch):
    """The registry holds only FAKES for the test (monkeypatch puts the real one back)."""
    monkeypatch.setattr(registry, "_metrics", {m.key: m for m in FAKES})
    monkeypatch.setattr(registry, "_providers", {})
    return FAKES


def _year_ago(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=min(day.day, 28))


@pytest.fixture
def world(district, sectors, officer, enterprise_a):
    """Township A: 2 hazards (one major) and a case fined 20000 + 5000.50; township B: 1 hazard in the
    same sector and an accident; a firm directly under the district: 1 hazard; a year ago: 1 hazard in A."""
    today = timezone.localdate()
    machinery = sectors["machinery"]
    firm_b = EnterpriseFactory(name="西山机械厂", jurisdiction=district.community_b, sectors=[machinery])
    firm_d = EnterpriseFactory(name="区直机械厂", jurisdiction=district.district, sectors=[machinery])
    record(officer, enterprise_a, found_days_ago=0)
    record(
        officer,
        enterprise_a,
        found_days_ago=0,
        level=HazardLevel.MAJOR,
        responsible_person="王厂长",
        measures="停用",
        funds=Decimal("1"),
        contingency_plan="预案",
    )
    record(officer, firm_b, found_days_ago=0)
    record(officer, firm_d, found_days_ago=0, responsible_unit=district.district)
    record(officer, enterprise_a, found_days_ago=(today - _year_ago(today)).days)
    to_decided(open_case(officer, enterprise_a, district.dept_emergency, opened_days_ago=0), officer)
    accident_create(
        user=officer,
        data=AccidentData(
            occurred_on=today,
            township=district.township_b,
            sector=machinery,
            category=AccidentCategory.objects.order_by("pk").first(),
            summary="机械伤害",
            enterprise=firm_b,
            injuries=1,
        ),
    )
    return Period.containing("year", today)


def _open(wb_bytes: bytes):
    return load_workbook(io.BytesIO(wb_bytes))


def _table(ws) -> tuple[list[str], dict[str, list]]:
    """(headers, {first column: the row's values}) of a domain sheet's table, notes left out."""
    headers = [c.value for c in ws[HEADER_ROW]]
    rows = {}
    for line in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if line[0] is None or str(line[0]).startswith("注"):
            continue
        rows[line[0]] = list(line[1:])
    return headers, rows


def _notes(ws) -> list[str]:
    return [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("注")]


# ---------------------------------------------------------------- the workbook


def test_sheets_headers_and_panes(fakes, world):
    wb = _open(stats_workbook_bytes(world, WHOLE_DISTRICT))
    assert wb.sheetnames == [SUMMARY_TITLE, DOMAINS["accidents"], DOMAINS["hazards"], DOMAINS["enforcement"]]
    summary = wb[SUMMARY_TITLE]
    assert [c.value for c in summary[HEADER_ROW]][:7] == [
        "领域",
        "指标",
        "单位",
        "本期",
        "去年同期",
        "同比增减（%）",
        "同比",
    ]
    for ws in wb.worksheets:
        header = ws.cell(row=HEADER_ROW, column=1)
        assert header.font.bold and header.fill.fgColor.rgb.endswith("DCE6F1")
        assert ws.freeze_panes in ("C4", "B4")
    assert summary.freeze_panes == "C4"
    assert wb[DOMAINS["hazards"]].freeze_panes == "B4"
    assert world.label in summary["A1"].value


def test_summary_numbers_are_numbers_and_equal_compute(fakes, world):
    wb = _open(stats_workbook_bytes(world, WHOLE_DISTRICT))
    rows = {line[8]: line for line in wb[SUMMARY_TITLE].iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert set(rows) == {m.key for m in FAKES}
    found = rows["hazards.x_found"]
    assert found[1:7] == ("发现隐患", "个", 4, 1, 300, "同比上升300%")
    assert isinstance(found[3], int) and isinstance(found[5], int | float)
    fines = rows["enforcement.x_fines"]
    assert fines[3] == pytest.approx(25000.5) and isinstance(fines[3], float)
    assert fines[4] == 0 and fines[5] is None and fines[6] == "去年同期为0"
    major = rows["hazards.x_major_rate"]
    assert major[3] == 25 and major[4] == 0 and major[5] is None and major[6] in ("", None)
    # Number formats: money in yuan with fen, rates one decimal.
    cells = {c.value: c.row for c in wb[SUMMARY_TITLE]["I"]}
    assert wb[SUMMARY_TITLE].cell(row=cells["enforcement.x_fines"], column=4).number_format == "#,##0.00"
    assert wb[SUMMARY_TITLE].cell(row=cells["hazards.x_major_rate"], column=4).number_format == "0.0"
    computed = registry.compute(world, WHOLE_DISTRICT)
    for key, figure in computed.items():
        assert (
            rows[key][3] == pytest.approx(float(figure.value))
            if figure.value is not None
            else rows[key][3] is None
        )


def test_domain_rows_rest_and_total(fakes, world, district):
    wb = _open(stats_workbook_bytes(world, WHOLE_DISTRICT))
    headers, rows = _table(wb[DOMAINS["hazards"]])
    assert headers == ["街镇", "发现隐患（个）", "涉及行业（个）", "重大隐患占比（%）"]
    assert list(rows) == ["东城街道", "西山镇", "未落到街镇", "合计"]
    assert rows["东城街道"] == [2, 1, 50]
    assert rows["西山镇"] == [1, 1, 0]
    assert rows["未落到街镇"] == [1, 1, 0]
    # 合计 is the district's own figure: the distinct count is 1, the rate is the district's rate.
    assert rows["合计"] == [4, 1, 25]
    notes = _notes(wb[DOMAINS["hazards"]])
    assert len(notes) == 2 and "“涉及行业”" in notes[0] and "发现隐患" not in notes[0]
    _, fines = _table(wb[DOMAINS["enforcement"]])
    # Nothing unplaced for fines alone: the rest row is left out when all its figures are 0.
    assert list(fines) == ["东城街道", "西山镇", "合计"]
    assert fines["东城街道"][0] == pytest.approx(25000.5) and fines["合计"][0] == pytest.approx(25000.5)
    assert _notes(wb[DOMAINS["enforcement"]]) == []


@pytest.mark.parametrize("unit", [None, "township_a", "dept_emergency"])
def test_additive_rows_sum_to_the_scope_figure(fakes, world, district, unit):
    stats_scope = WHOLE_DISTRICT if unit is None else StatsScope(getattr(district, unit))
    computed = registry.compute(world, stats_scope)
    wb = stats_workbook(world, stats_scope)
    additive = {"hazards.x_found", "enforcement.x_fines", "accidents.x_count"}
    seen = set()
    for ws in wb.worksheets[1:]:
        headers, rows = _table(ws)
        total = rows.pop("合计")
        for index, header in enumerate(headers[1:]):
            metric = next(m for m in FAKES if header.startswith(m.label))
            assert total[index] == pytest.approx(float(computed[metric.key].value or 0))
            if metric.key in additive:
                seen.add(metric.key)
                assert sum(line[index] or 0 for line in rows.values()) == pytest.approx(total[index])
    assert seen == additive


def test_township_scope_is_cut_by_its_communities(fakes, world, district):
    wb = stats_workbook(world, StatsScope(district.township_a))
    headers, rows = _table(wb[DOMAINS["hazards"]])
    assert headers[0] == "村（社区）"
    assert rows == {"东城社区": [2, 1, 50], "合计": [2, 1, 50]}
    # Nothing of township B or the district-placed firm appears.
    names = {c.value for ws in wb.worksheets for line in ws.iter_rows() for c in line}
    assert "西山镇" not in names and "未落到村（社区）" not in names


def test_query_count_is_bounded(fakes, world, django_assert_max_num_queries):
    rows = 2 + 1  # two townships and the rest
    # compute: 2 per metric (one query each); sheets: one per metric and row; one for the townships.
    with django_assert_max_num_queries(2 * len(FAKES) + rows * len(FAKES) + 1):
        stats_workbook(world, WHOLE_DISTRICT)


def test_text_cells_are_never_formulas(fakes, world, district):
    district.township_a.name = "=SUM(A1)"
    district.township_a.save()
    ws = stats_workbook(world, WHOLE_DISTRICT)[DOMAINS["hazards"]]
    cells = [c for line in ws.iter_rows() for c in line if isinstance(c.value, str) and "SUM" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("'") for c in cells)


def test_real_registry_summary_matches_compute(world):
    """Whatever the domains register: one summary row per metric, values as compute gives them."""
    metrics = registry.all_metrics()
    wb = _open(stats_workbook_bytes(world, WHOLE_DISTRICT))
    rows = {line[8]: line for line in wb[SUMMARY_TITLE].iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert list(rows) == [m.key for m in metrics]
    computed = registry.compute(world, WHOLE_DISTRICT)
    for key, figure in computed.items():
        for got, want in ((rows[key][3], figure.value), (rows[key][4], figure.previous)):
            assert not isinstance(got, str)
            assert got == (None if want is None else pytest.approx(float(want)))
    assert len(wb.worksheets) == 1 + len({m.domain for m in metrics})


# ---------------------------------------------------------------- the download


def _url(**params) -> str:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items())
    return f"{reverse('reports:stats_xlsx')}?{query}"


def test_officer_downloads_the_district_workbook(fakes, world, client, officer):
    client.force_login(officer)
    response = client.get(_url(period=world.key, scope="district"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    filename = stats_filename(world, WHOLE_DISTRICT)
    assert filename == f"统计_{world.label}_全区.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(filename)}"
    assert _open(response.content).sheetnames[0] == SUMMARY_TITLE


def test_township_user_gets_own_township_only(fakes, world, client, township_a_user, district):
    client.force_login(township_a_user)
    assert client.get(_url(period=world.key, scope="district")).status_code == 404
    assert client.get(_url(period=world.key, scope=district.township_b.pk)).status_code == 404
    assert client.get(_url(period=world.key, scope="不存在的单位")).status_code == 404
    own = client.get(_url(period=world.key, scope=district.township_a.pk))
    assert own.status_code == 200
    assert quote("东城街道.xlsx") in own["Content-Disposition"]
    # Without a scope: the user's own township.
    default = client.get(_url(period=world.key))
    assert default.status_code == 200 and quote("东城街道") in default["Content-Disposition"]


def test_anonymous_is_sent_to_login(client):
    response = client.get(_url(period="2026-Q1", scope="district"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_bad_period_is_a_400_page(fakes, client, officer):
    client.force_login(officer)
    response = client.get(_url(period="2026-Q5", scope="district"))
    assert response.status_code == 400
    assert "统计期间“2026-Q5”无法识别" in response.content.decode()
