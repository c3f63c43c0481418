"""Reading and writing .xlsx ledgers (core.excel): the file-format half of every import and export.

Uploads are untrusted, so whatever openpyxl makes of a bad file comes back as a LedgerFileError with
a message for the user, never as an exception that would end as a 500.
"""

import io
import zipfile
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core import excel
from core.excel import LedgerFileError, read_sheet, write_workbook
from tests.factories import xlsx

UNREADABLE = "文件无法读取，请上传 .xlsx 格式的Excel文件"


def test_write_workbook_has_a_bold_frozen_header_and_widths():
    content = write_workbook(
        sheet_title="台账/2024",
        headers=["名称", "日期", "数量"],
        rows=[["甲公司", timezone.make_aware(datetime(2024, 5, 1, 9, 30)), 3]],
        column_widths={"名称": 40},
    )

    ws = load_workbook(io.BytesIO(content)).active
    assert ws.title == "台账 2024"
    assert ws.freeze_panes == "A2"
    assert all(cell.font.b for cell in ws[1])
    assert ws.column_dimensions["A"].width == 40
    assert ws.column_dimensions["B"].width >= 8
    assert ws["B2"].value == datetime(2024, 5, 1, 9, 30)  # local time, no time zone


def test_write_workbook_streams_a_generator():
    content = write_workbook(sheet_title="大表", headers=["序号"], rows=([i] for i in range(5000)))

    headers, rows = read_sheet(content)
    assert headers == ["序号"]
    assert len(rows) == 5000
    assert rows[-1] == (5001, {"序号": 4999})


def test_read_sheet_strips_skips_blank_rows_and_keeps_row_numbers():
    wb = Workbook()
    ws = wb.active
    ws.append([" 名称 ", None, "日期", "数量", "备注"])
    ws.append(["  甲公司 ", "无表头的列", datetime(2024, 5, 1), 3, "x"])
    ws.append(["   ", None, None, None, None])
    ws.append([None, None, None, 2.5, None])
    wb.create_sheet("第二张表")["A1"] = "不读"
    buffer = io.BytesIO()
    wb.save(buffer)

    headers, rows = read_sheet(buffer.getvalue(), columns=["名称", "日期", "数量"])

    assert headers == ["名称", "日期", "数量", "备注"]
    assert rows == [
        (2, {"名称": "甲公司", "日期": datetime(2024, 5, 1), "数量": 3}),
        (4, {"名称": None, "日期": None, "数量": 2.5}),
    ]


def test_read_sheet_accepts_a_path_and_a_file_object(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(write_workbook(sheet_title="s", headers=["甲"], rows=[["1"]]))

    assert read_sheet(path)[1] == [(2, {"甲": "1"})]
    with open(path, "rb") as handle:
        assert read_sheet(handle)[1] == [(2, {"甲": "1"})]


@pytest.mark.parametrize("content", [b"", b"plain text", b"PK\x03\x04garbage"])
def test_read_sheet_turns_bad_files_into_ledger_file_error(content):
    with pytest.raises(LedgerFileError) as info:
        read_sheet(content)
    assert info.value.message == "文件无法读取，请上传 .xlsx 格式的Excel文件"


def test_read_sheet_refuses_files_over_the_size_limit(settings):
    settings.IMPORT_MAX_BYTES = 100
    content = write_workbook(sheet_title="s", headers=["甲"], rows=[["1"]])

    with pytest.raises(LedgerFileError, match="文件过大"):
        read_sheet(content)


def test_write_workbook_keeps_formula_like_text_as_text_and_drops_illegal_characters():
    content = write_workbook(
        sheet_title="s", headers=["名称"], rows=[['=HYPERLINK("http://x","点我")'], ["甲\x07公司"]]
    )

    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A2"].data_type == "s"
    assert ws["A2"].value == '\'=HYPERLINK("http://x","点我")'  # OWASP: a leading quote, never a formula
    assert ws["A3"].value == "甲公司"


def test_write_workbook_widths_count_chinese_characters_double_and_stay_in_bounds():
    content = write_workbook(
        sheet_title="", headers=["序", "名称", "备注"], rows=[[1, "某某机械制造有限公司", "x" * 500]]
    )

    ws = load_workbook(io.BytesIO(content)).active
    assert ws.title == "Sheet1"  # an empty title still makes a valid sheet
    assert ws.column_dimensions["A"].width == 8  # at least the minimum
    assert ws.column_dimensions["B"].width == 22  # ten CJK characters are twenty columns wide, plus two
    assert ws.column_dimensions["C"].width == 60  # at most the maximum


def test_read_sheet_keeps_the_first_of_two_columns_with_the_same_header():
    headers, rows = read_sheet(xlsx(["名称", "名称", "数量"], [["甲", "乙", 1]]), columns=["名称", "数量"])

    assert headers == ["名称", "名称", "数量"]
    assert rows == [(2, {"名称": "甲", "数量": 1})]


def test_read_sheet_skips_rows_blank_in_the_kept_columns_only():
    content = xlsx(["名称", "备注"], [["甲", None], [None, "只有备注"], ["乙", "x"]])

    assert read_sheet(content, columns=["名称"])[1] == [(2, {"名称": "甲"}), (4, {"名称": "乙"})]
    assert len(read_sheet(content)[1]) == 3


def test_read_sheet_of_an_empty_sheet_has_no_headers_and_no_rows():
    wb = Workbook()
    buffer = io.BytesIO()
    wb.save(buffer)

    assert read_sheet(buffer.getvalue()) == ([], [])


def test_read_sheet_refuses_more_rows_than_a_ledger_can_have(monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 3)

    assert len(read_sheet(xlsx(["甲"], [[i] for i in range(3)]))[1]) == 3
    with pytest.raises(LedgerFileError, match="文件超过 3 行数据，请分批导入"):
        read_sheet(xlsx(["甲"], [[i] for i in range(4)]))


def test_read_sheet_refuses_a_path_over_the_size_limit_without_reading_it_all(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.xlsx"
    path.write_bytes(write_workbook(sheet_title="s", headers=["甲"], rows=[["1"]]))

    with pytest.raises(LedgerFileError) as info:
        read_sheet(path)
    assert info.value.message == "文件过大（上限 0 MB）"


def test_read_sheet_of_a_missing_path_is_a_ledger_file_error(tmp_path):
    with pytest.raises(LedgerFileError) as info:
        read_sheet(tmp_path / "nope.xlsx")
    assert info.value.message == UNREADABLE


def test_read_sheet_of_a_zip_that_is_not_a_workbook_is_a_ledger_file_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是表格")

    with pytest.raises(LedgerFileError) as info:
        read_sheet(buffer.getvalue())
    assert info.value.message == UNREADABLE


def test_read_sheet_of_a_workbook_with_a_corrupt_sheet_is_a_ledger_file_error():
    good = xlsx(["名称"], [["甲"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off mid-XML
            target.writestr(item, data)

    with pytest.raises(LedgerFileError) as info:
        read_sheet(buffer.getvalue())
    assert info.value.message == UNREADABLE


def test_a_ledger_file_error_carries_its_message_for_the_user():
    error = LedgerFileError("文件过大")

    assert error.message == str(error) == "文件过大"
