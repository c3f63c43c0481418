"""A long hazard ledger is read and checked a chunk of rows at a time (HazardImporter.chunk_rows), never
held whole: still every error by its Excel row, duplicates across chunks found, nothing written when any
row is wrong, and everything written (with its history and timeline) when none is."""

import pytest

from core import excel
from hazards.choices import EventKind
from hazards.importers import HazardImporter
from hazards.models import Hazard, HazardEvent
from tests.hazards.test_excel import errors_at, good_row, run, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    # Chunks of 3 rows: a file of a dozen rows crosses several, as 100,000 rows cross 5,000-row chunks.
    monkeypatch.setattr(HazardImporter, "chunk_rows", 3)


def test_an_error_in_the_last_chunk_is_reported_by_its_row_and_nothing_is_written(
    township_a_user, enterprise_a
):
    rows = [good_row(enterprise_a, 隐患描述=f"隐患{i}") for i in range(11)]
    rows.append(good_row(enterprise_a, 隐患来源="天降"))

    result = run(township_a_user, xlsx(rows))

    assert list(errors_at(result)) == [(13, "隐患来源")]
    assert not Hazard.objects.exists() and not HazardEvent.objects.exists()
    assert not Hazard.history.exists()


def test_a_number_repeated_chunks_later_names_the_first_row(township_a_user, enterprise_a):
    rows = [good_row(enterprise_a, 隐患编号=f"OLD-{i}") for i in range(8)]
    rows.append(good_row(enterprise_a, 隐患编号="OLD-1"))

    result = run(township_a_user, xlsx(rows))

    assert errors_at(result) == {(10, "隐患编号"): "与第3行的隐患编号重复"}
    assert not Hazard.objects.exists()


def test_every_chunk_resolves_its_own_enterprises_and_all_rows_are_written(
    township_a_user, enterprise_a, enterprise_b
):
    # enterprise_b first appears in the third chunk and is outside township A: refused there, by row.
    rows = [good_row(enterprise_a, 隐患编号=f"OLD-{i}") for i in range(7)]
    refused = run(township_a_user, xlsx([*rows, good_row(enterprise_b)]))
    assert errors_at(refused) == {(9, "统一社会信用代码"): "该单位不在您的管辖范围内"}

    result = run(township_a_user, xlsx(rows))

    assert result.ok and result.created == 7
    assert Hazard.objects.count() == 7
    assert HazardEvent.objects.filter(kind=EventKind.CREATED).count() == 7
    assert Hazard.history.filter(history_type="+", history_user=township_a_user).count() == 7
    hazard = Hazard.objects.get(number="OLD-6")
    assert hazard.history.get().sectors.count() == hazard.sectors.count() > 0


def test_a_file_found_too_long_part_way_reports_only_that(township_a_user, enterprise_a, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 5)
    rows = [good_row(enterprise_a, 隐患来源="天降") for _i in range(6)]

    result = run(township_a_user, xlsx(rows))

    assert [(e.row, e.message) for e in result.errors] == [(0, "文件超过 5 行数据，请分批导入")]
    assert not Hazard.objects.exists()


def test_the_sheet_streams_its_rows():
    content = xlsx([{"隐患描述": "甲"}, {}, {"隐患描述": "乙"}], headers=["隐患描述"])

    with excel.open_sheet(content, columns=["隐患描述"]) as sheet:
        assert sheet.headers == ["隐患描述"]
        assert next(sheet.rows) == (2, {"隐患描述": "甲"})
        assert list(sheet.rows) == [(4, {"隐患描述": "乙"})]
