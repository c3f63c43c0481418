"""Hostile workbooks are built once per test run (some unpack to hundreds of MB, all are small on disk)."""

from pathlib import Path

import pytest

from . import files


class Hostile:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __getattr__(self, name: str) -> Path:
        path = self.folder / f"{name}.xlsx"
        if not path.exists():
            BUILDERS[name](path)
        return path


BUILDERS = {
    # The probe's file: one shared string of 1 GB (here 300 MB, three times the limit) in 1.3 MB.
    "huge_shared_string": lambda p: files.huge_shared_string(p, 300 << 20),
    # 1.5 million distinct short shared strings: 29 MB of XML, ~230 MB once openpyxl holds them.
    "many_shared_strings": lambda p: files.many_small_shared_strings(p, 1_500_000),
    # Two million rows holding nothing: 20 KB on disk.
    "empty_rows": lambda p: files.empty_rows(p, 2_000_000),
    # 250,000 numbered empty rows: they compress only 7:1, so only the row count stops them.
    "numbered_empty_rows": lambda p: files.empty_rows(p, 250_000, numbered=True),
    # A value in Excel's last row: openpyxl hands back the million rows in between as empty ones.
    "far_row": lambda p: files.far_row(p, 1_048_576),
    # A sheet declaring it spans a million rows.
    "huge_dimension": lambda p: files.workbook(
        p, [files.text_row(1, ["单位名称"]), files.text_row(2, ["甲"])], dimension="A1:C1048576"
    ),
    # One cell of inline text inflating to 400 MB: a zip bomb in the sheet itself.
    "sheet_bomb": lambda p: files.workbook(
        p,
        [
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>',
            *files.repeated(b"A", 400 << 20),
            b"</t></is></c></row>",
        ],
        level=1,
    ),
    # 2,000 parts of 60 KB each: every one small and plausible, 120 MB together.
    "many_parts": lambda p: files.plain_zip(
        p, {f"xl/media/pad{i}.xml": b"A" * 60_000 for i in range(2_000)} | {"[Content_Types].xml": b""}
    ),
    # 200,000 rows of data: twice the 100,000 a ledger may have.
    "rows_200k": lambda p: files.workbook(p, _data_rows(200_000)),
}


def _data_rows(count: int):
    yield files.text_row(1, ["单位名称", "所属街道", "地址"])
    for start in range(2, count + 2, 10_000):
        yield b"".join(
            files.text_row(n, [f"单位{n}", "东城街道", f"地址{n}号"]) for n in range(start, start + 10_000)
        )


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Hostile:
    return Hostile(tmp_path_factory.mktemp("hostile"))
