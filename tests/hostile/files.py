"""Hostile workbooks, written straight with zipfile so they stay small on disk whatever they unpack to.

Each builder returns the path of a file in `folder`. The parts are the minimum openpyxl needs to open
a workbook: content types, the package and workbook relationships, the workbook, one sheet, and
(when asked) a shared-strings table.
"""

import zipfile
from collections.abc import Iterable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def workbook(
    path: Path,
    rows: Iterable[bytes],
    *,
    shared_strings: Iterable[bytes] = (),
    dimension: str | None = None,
    level: int = 6,
) -> Path:
    """A workbook whose sheet is the XML `rows` (streamed into the zip) and shared strings `shared_strings`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", PACKAGE_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as sst:
            sst.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            for chunk in shared_strings:
                sst.write(chunk)
            sst.write(b"</sst>")
    return path


def text_row(number: int, values: Iterable[str]) -> bytes:
    """One row of inline strings, columns A, B, C …"""
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def repeated(chunk: bytes, total: int) -> Iterable[bytes]:
    """`chunk` over and over until `total` bytes: a big part made without holding it in memory."""
    block = chunk * max(1, (1 << 20) // len(chunk))
    written = 0
    while written < total:
        yield block
        written += len(block)


def huge_shared_string(path: Path, size: int) -> Path:
    """One shared string of `size` bytes (the 1 GB string the probe used shrinks to a few hundred KB)."""
    return workbook(
        path,
        [b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
        shared_strings=[b"<si><t>", *repeated(b"A", size), b"</t></si>"],
        level=1,
    )


def many_small_shared_strings(path: Path, count: int) -> Path:
    """`count` distinct short shared strings: the table costs ~150 bytes of memory per string."""

    def chunks():
        for start in range(0, count, 10_000):
            yield "".join(f"<si><t>{i:x}</t></si>" for i in range(start, min(count, start + 10_000))).encode()

    return workbook(
        path, [b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], shared_strings=chunks(), level=9
    )


def empty_rows(
    path: Path, count: int, *, header: Iterable[str] = ("单位名称",), numbered: bool = False
) -> Path:
    """A header row and then `count` rows that hold nothing: the 287 KB file that cost a minute of CPU.

    Unnumbered (`<row/>`) they compress about 1000:1; numbered (`<row r="…"/>`) only about 7:1, so
    only the row count can stop them.
    """

    def chunks():
        yield text_row(1, header)
        if not numbered:
            yield from repeated(b"<row/>", 6 * count)
            return
        for start in range(2, count + 2, 50_000):
            yield "".join(f'<row r="{n}"/>' for n in range(start, min(count + 2, start + 50_000))).encode()

    return workbook(path, chunks(), level=9)


def far_row(path: Path, number: int, *, header: Iterable[str] = ("单位名称",)) -> Path:
    """A header row and one value in row `number`: openpyxl hands back every row in between as empty."""
    return workbook(path, [text_row(1, header), text_row(number, ["甲"])])


def plain_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path
