"""Hostile Excel files against the reader every import goes through (core.excel.read_sheet).

Each must end as a clear Chinese LedgerFileError, in bounded memory and time: the zip is inspected
before openpyxl parses anything, and the sheet's rows are counted, empty ones included, up to a hard cap.
"""

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from core.excel import LedgerFileError, read_sheet
from tests.factories import xlsx

from . import files

ROOT = Path(settings.BASE_DIR)
UNREADABLE = "文件无法读取，请上传 .xlsx 格式的Excel文件"


def refused(path_or_bytes) -> tuple[str, float]:
    start = time.perf_counter()
    with pytest.raises(LedgerFileError) as info:
        read_sheet(path_or_bytes)
    return info.value.message, time.perf_counter() - start


def test_a_huge_shared_string_is_refused_from_the_zip_directory(hostile):
    assert hostile.huge_shared_string.stat().st_size < 2 << 20

    message, seconds = refused(hostile.huge_shared_string)

    assert message == "文件解压后过大（单个部件超过 100 MB），请检查文件是否正确"
    assert seconds < 5  # the zip directory only: milliseconds, with room for a busy machine


def test_many_small_shared_strings_are_refused_over_the_shared_strings_limit(hostile):
    message, seconds = refused(hostile.many_shared_strings)

    assert message == "文件中的文字内容过多（超过 20 MB），请删除多余内容或分批导入"
    assert seconds < 5  # the zip directory only: milliseconds, with room for a busy machine


def test_a_zip_bomb_in_the_sheet_itself_is_refused(hostile):
    message, _seconds = refused(hostile.sheet_bomb)

    assert message == "文件解压后过大（单个部件超过 100 MB），请检查文件是否正确"


def test_many_plausible_parts_are_refused_by_their_total(hostile):
    message, _seconds = refused(hostile.many_parts)

    assert message == "文件解压后过大（合计超过 100 MB），请检查文件是否正确"


def test_empty_rows_by_the_million_are_refused_by_their_compression_ratio(hostile):
    assert hostile.empty_rows.stat().st_size < 100_000

    message, seconds = refused(hostile.empty_rows)

    assert message == "文件压缩比异常（疑似压缩炸弹），请检查文件是否正确"
    assert seconds < 5  # the zip directory only: milliseconds, with room for a busy machine


def test_a_value_in_the_last_row_of_excel_stops_at_the_row_cap(hostile):
    message, seconds = refused(hostile.far_row)

    assert message == "工作表超过 200000 行（空行也计算在内），请删除多余的空行或分批导入"
    assert seconds < 20


def test_a_declared_dimension_over_the_cap_is_refused_before_reading_rows(hostile):
    message, seconds = refused(hostile.huge_dimension)

    assert message == "工作表超过 200000 行（空行也计算在内），请删除多余的空行或分批导入"
    assert seconds < 5  # the zip directory only: milliseconds, with room for a busy machine


def test_the_row_cap_is_a_setting(settings, tmp_path):
    settings.IMPORT_MAX_SHEET_ROWS = 10
    path = files.empty_rows(tmp_path / "e.xlsx", 20, numbered=True)

    message, _seconds = refused(path)

    assert message == "工作表超过 10 行（空行也计算在内），请删除多余的空行或分批导入"
    assert read_sheet(files.empty_rows(tmp_path / "ok.xlsx", 8, numbered=True)) == (["单位名称"], [])


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 64, id="exe-renamed"),
        pytest.param("单位名称,地址\n甲,乙\n".encode(), id="csv-renamed"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, id="png-renamed"),
        pytest.param(b"", id="empty"),
        pytest.param(xlsx(["单位名称"], [["甲"]])[:-200], id="truncated-xlsx"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused_clearly(content):
    message, _seconds = refused(content)

    assert message == UNREADABLE


def test_a_zip_that_is_not_a_workbook_is_refused_clearly(tmp_path):
    path = files.plain_zip(tmp_path / "docs.xlsx", {"readme.txt": "不是表格".encode()})

    assert refused(path)[0] == UNREADABLE


def test_a_corrupt_sheet_is_refused_clearly(tmp_path):
    path = files.workbook(
        tmp_path / "corrupt.xlsx", [files.text_row(1, ["单位名称"]), b'<row r="2"><c r="A2" t=']
    )

    assert refused(path)[0] == UNREADABLE


def test_formulas_without_cached_values_read_as_empty_cells(tmp_path):
    """A sheet written by a program has formulas but no cached results: data_only reads them as None."""
    path = files.workbook(
        tmp_path / "f.xlsx",
        [
            files.text_row(1, ["单位名称", "地址"]),
            b'<row r="2"><c r="A2"><f>1+1</f></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row>',
        ],
    )

    assert read_sheet(path) == (["单位名称", "地址"], [(2, {"单位名称": None, "地址": "x"})])


def test_a_legitimate_big_ledger_passes_every_guard(tmp_path):
    """Plausible data (10,000 rows, the same shape as the 100,000 a ledger may have) is not a bomb."""

    def rows():
        yield files.text_row(1, ["单位名称", "所属街道", "地址", "联系电话"])
        for start in range(2, 10_002, 5_000):
            yield b"".join(
                files.text_row(
                    n, [f"东城精密机械{n}有限公司", "东城街道/东城社区", f"东城路{n}号", "13800000000"]
                )
                for n in range(start, start + 5_000)
            )

    path = files.workbook(tmp_path / "big.xlsx", rows(), level=9)
    biggest = max(zipfile.ZipFile(path).infolist(), key=lambda i: i.file_size)

    headers, data = read_sheet(path)

    assert len(data) == 10_000
    assert biggest.file_size / biggest.compress_size < 100  # what real data compresses to


# ---------------------------------------------------------------- memory, in a process of its own

TOO_BIG = "文件解压后过大（单个部件超过 100 MB），请检查文件是否正确"
ROW_CAP = "工作表超过 200000 行（空行也计算在内），请删除多余的空行或分批导入"
# file: (the message, the most CPU seconds it may cost: CPU, not wall time, so a busy machine does not fail it)
MEASURED = {
    "huge_shared_string": (TOO_BIG, 2),
    "many_shared_strings": ("文件中的文字内容过多（超过 20 MB），请删除多余内容或分批导入", 2),
    "sheet_bomb": (TOO_BIG, 2),
    "many_parts": ("文件解压后过大（合计超过 100 MB），请检查文件是否正确", 2),
    "empty_rows": ("文件压缩比异常（疑似压缩炸弹），请检查文件是否正确", 2),
    # These two are parsed: 200,000 physical rows, then 100,001 rows of data.
    "numbered_empty_rows": (ROW_CAP, 15),
    "rows_200k": ("文件超过 100000 行数据，请分批导入", 30),
}


def test_every_hostile_file_is_refused_in_bounded_memory_and_time(hostile):
    """One fresh process (Django loaded, as a worker) reads every file in turn: each is refused with
    its message, and the process's peak RSS stays under 300 MB. ru_maxrss is a high-water mark, so
    the figure after each file is the worst so far."""
    names = list(MEASURED)
    paths = [str(getattr(hostile, name)) for name in names]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.measure", *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    results = dict(zip(names, (json.loads(line) for line in done.stdout.splitlines()), strict=True))

    for name, (message, seconds) in MEASURED.items():
        result = results[name]
        assert result["message"] == message, (name, result)
        assert result["peak_mb"] < 300, (name, result)
        assert result["cpu_seconds"] < seconds, (name, result)
