"""manage.py report_stats: the JSON contract against known records (activities, and a fine for the
money text), the table for a person, the workbook, and Chinese refusals for bad input."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from enforcement.choices import PenaltyTarget
from reports.management.commands.report_stats import _width
from reports.registry import all_metrics
from tests.enforcement.conftest import fine, open_case, to_decided

from .activities_ledger import build

pytestmark = pytest.mark.django_db

D = dt.date


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
    # 罚款: 1433512 yuan decided in March 2026 (143.35万余元), 1000000 yuan a year before (100万元).
    case = open_case(officer, enterprise_a, district.district, opened_on=D(2026, 3, 1))
    to_decided(
        case,
        officer,
        [fine("1433500.00"), fine("12.00", PenaltyTarget.PERSON, person_name="张三")],
        on=D(2026, 3, 10),
    )
    before = open_case(officer, enterprise_b, district.district, opened_on=D(2025, 4, 1))
    to_decided(before, officer, [fine("1000000.00")], on=D(2025, 5, 1))
    return district


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("report_stats", *args, stdout=out, **options)
    return out.getvalue()


def stats(*args, **options) -> dict:
    return json.loads(run(*args, **options))


def test_json_is_the_contract_for_the_whole_district(ledger):
    payload = stats("--year", "2026", "--format", "json")
    assert set(payload) == {"period", "scope", "metrics"}
    assert payload["period"] == {"start": "2026-01-01", "end": "2026-12-31", "label": "2026年"}
    assert payload["scope"] == {"code": "district", "name": "示范区"}
    assert set(payload["metrics"]) == {m.key for m in all_metrics()}  # every registered metric
    metrics = payload["metrics"]
    assert metrics["enforcement.fines_total"] == {
        "value": 1433512,
        "text": "143.35万余元",
        "previous": 1000000,
        "change_pct": 43.35,
    }
    assert metrics["activities.publicity.banner"] == {
        "value": 32,
        "text": "32条",
        "previous": 44,
        "change_pct": -27.27,
    }
    assert metrics["activities.publicity.participants"] == {
        "value": 820,
        "text": "820人次",
        "previous": 60,
        "change_pct": 1266.67,
    }
    # Last year had none: no rate.
    assert metrics["meetings.party-standing"] == {
        "value": 1,
        "text": "1次",
        "previous": 0,
        "change_pct": None,
    }
    assert metrics["talks.township"]["value"] == 2
    for figure in metrics.values():
        assert set(figure) == {"value", "text", "previous", "change_pct"}


def test_json_is_the_default_and_keeps_chinese_readable(ledger):
    text = run("--year", "2026")
    assert "宣传·横幅" not in text  # the contract carries values, not labels
    assert "143.35万余元" in text  # ensure_ascii=False
    assert text.startswith("{\n  ")  # indent 2


def test_a_quarter_of_one_township(ledger):
    payload = stats(year=2026, quarter=2, scope="东城街道")
    assert payload["period"] == {"start": "2026-04-01", "end": "2026-06-30", "label": "2026年第二季度"}
    assert payload["scope"] == {"code": str(ledger.township_a.pk), "name": "东城街道"}
    metrics = payload["metrics"]
    assert metrics["activities.publicity.banner"]["value"] == 25  # its own 20 and its community's 5
    assert metrics["activities.publicity.banner"]["previous"] == 40  # June 2025 (31 Dec is Q4)
    assert metrics["meetings.safety-committee"]["value"] == 0  # the district's
    # The same scope by id; a month and a half are periods too.
    assert stats(year=2026, quarter=2, scope=str(ledger.township_a.pk))["metrics"] == metrics
    month = stats(year=2026, month=6)
    assert month["period"] == {"start": "2026-06-01", "end": "2026-06-30", "label": "2026年6月"}
    assert month["metrics"]["activities.publicity.count"]["value"] == 3
    half = stats(year=2026, half=1)
    assert half["period"]["label"] == "2026年上半年"
    assert half["metrics"]["enforcement.fines_total"]["text"] == "143.35万余元"


def test_table_for_a_person(ledger):
    text = run("--year", "2026", "--format", "table")
    lines = text.splitlines()
    assert lines[0] == "2026年 · 示范区（2026-01-01 至 2026-12-31）"
    header = lines[2]
    assert header.split() == ["指标", "本期", "去年同期", "同比"]
    banner = next(line for line in lines if line.startswith("宣传·横幅"))
    assert banner.split() == ["宣传·横幅", "32条", "44条", "下降27.27%"]
    fines = next(line for line in lines if line.startswith("罚款金额"))
    assert fines.split() == ["罚款金额", "143.35万余元", "100万元", "上升43.35%"]
    party = next(line for line in lines if line.startswith("区委常委会"))
    assert party.split() == ["区委常委会", "1次", "0次", "去年同期为0"]
    assert "【宣传培训与活动】" in lines and "【约谈】" in lines

    # Aligned for a terminal: the value columns end at the same display column on every line.
    def ends_at(line: str, cell: str) -> int:
        return _width(line[: line.index(cell) + len(cell)])

    assert ends_at(banner, "32条") == ends_at(fines, "143.35万余元") == ends_at(header, "本期")
    assert ends_at(banner, "44条") == ends_at(fines, "100万元") == ends_at(header, "去年同期")


def test_json_and_table_to_a_file(ledger, tmp_path):
    target = tmp_path / "stats.json"
    assert "已写入" in run(year=2026, format="json", out=str(target))
    assert json.loads(target.read_text("utf-8"))["metrics"]["activities.publicity.banner"]["value"] == 32


def test_xlsx_writes_the_statistics_workbook(ledger, tmp_path):
    target = tmp_path / "统计.xlsx"
    run(year=2026, quarter=1, format="xlsx", out=str(target))
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames  # the workbook itself is tested with reports.excel


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "请用 --year 指定年度"),
        ({"year": "abc"}, "年份“abc”不正确"),
        ({"year": "1900"}, "年份“1900”不正确"),  # its year before is no period
        ({"year": "2026", "quarter": "5"}, "季度“5”不正确：应为 1 到 4 之间的整数"),
        ({"year": "2026", "month": "13"}, "月份“13”不正确"),
        ({"year": "2026", "month": "0"}, "月份“0”不正确"),
        ({"year": "2026", "half": "3"}, "半年“3”不正确"),
        ({"year": "2026", "quarter": "1", "month": "2"}, "只能选一个"),
        ({"year": "2026", "scope": "不存在的街道"}, "统计范围“不存在的街道”不存在"),
        ({"year": "2026", "scope": "999999"}, "统计范围“999999”不存在"),
        ({"year": "2026", "format": "pdf"}, "输出格式“pdf”不支持"),
        ({"year": "2026", "format": "xlsx"}, "xlsx 格式须用 --out 指定输出文件"),
    ],
)
def test_bad_input_stops_with_a_chinese_message(district, options, message):
    with pytest.raises(CommandError, match=message):
        run(**options)


def test_an_unwritable_out_file_is_a_command_error(district, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        run(year=2026, out=str(tmp_path / "missing-folder" / "stats.json"))
