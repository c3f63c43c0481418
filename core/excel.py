"""Reading and writing .xlsx ledgers: the file-format half of every import and export.

Nothing here knows about enterprises or permissions; ledger_import.py and the apps' importers give
the columns meaning. Uploads are untrusted, so reading never lets a parser error through as a 500:
whatever openpyxl makes of a bad file becomes a LedgerFileError with a message for the user.
"""

import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from os import PathLike
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, INLINE_STRING, WorkSheetParser
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import fromstring, iterparse

# A ledger this long is a mistake (a whole formatted sheet, a wrong file), not a district's data.
MAX_ROWS = 100_000
# Real xlsx parts compress 5–30:1; deflate tops out near 1000:1. Beyond this a part is a bomb
# (Apache POI's ZipSecureFile uses the same 100:1 floor). Small parts are not judged by their ratio.
MAX_COMPRESSION_RATIO = 100
_RATIO_GRACE_BYTES = 1 << 20
_CONTENT_TYPES_MAX_BYTES = 1 << 20
_WORKSHEET_TYPE = "spreadsheetml.worksheet+xml"
# Widths are guessed from the header and this many data rows; the rest stream without being looked at.
_WIDTH_SAMPLE_ROWS = 200
# Excel's limit for one cell; a longer text makes it "repair" the file and drop content.
_MAX_CELL_CHARS = 32_767
_MIN_WIDTH, _MAX_WIDTH = 8, 60

FileSource = str | PathLike | bytes | IO[bytes]

# Formula injection (OWASP "CSV Injection"): a cell whose text starts with one of these may be run as
# a formula by Excel or a CSV saved from it. Such text is written with a leading single quote, which
# Excel shows and never evaluates; reading a sheet takes the quote off again. Text that already starts
# with quotes before one of these gets one more, so every value reads back exactly as it was written.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


class LedgerFileError(Exception):
    """The upload as a whole cannot be used (not an xlsx, corrupt, too large). `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def write_workbook(
    *,
    sheet_title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    column_widths: dict[str, float] | None = None,
    title: str | None = None,
    preamble: Iterable[tuple[str, object]] = (),
) -> bytes:
    """One sheet: a bold, frozen header row, then `rows`. Streams (write-only), so long lists stay cheap.

    `column_widths` maps a header to a width and overrides the guess made from the header and the
    first rows. `title` (a large bold line) and `preamble` (bold label, value lines), when given, come
    above the table with an empty line between. Every text is written as text, never as a formula.
    """
    rows = iter(rows)
    sample = [list(row) for row in itertools.islice(rows, _WIDTH_SAMPLE_ROWS)]
    preamble = list(preamble)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(sheet_title))
    above = (1 if title is not None else 0) + len(preamble)
    header_row = above + 2 if above else 1
    ws.freeze_panes = f"A{header_row + 1}"
    widths = _guess_widths(headers, sample)
    for index, header in enumerate(headers):
        width = (column_widths or {}).get(header, widths[index])
        ws.column_dimensions[get_column_letter(index + 1)].width = width

    bold = Font(bold=True)
    if title is not None:
        ws.append([_styled(ws, title, Font(bold=True, size=14))])
    for label, value in preamble:
        ws.append([_styled(ws, label, bold), _out_cell(ws, value)])
    if above:
        ws.append([])
    centred = Alignment(horizontal="center", vertical="center")
    header_cells = []
    for header in headers:
        cell = _styled(ws, header, bold)
        cell.alignment = centred
        header_cells.append(cell)
    ws.append(header_cells)
    for row in itertools.chain(sample, rows):
        ws.append([_out_cell(ws, value) for value in row])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_sheet(
    file: FileSource, *, columns: Iterable[str] | None = None
) -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    """The first worksheet as (headers, [(excel_row_number, {header: value})]).

    Row 1 is the header row; header text is stripped and blank headers are dropped. With `columns`,
    the row dicts hold only those headers (extra columns are ignored); a header that appears twice
    keeps its first column. Rows with no value in any kept column are skipped. Strings come back
    stripped (empty ones as None), numbers as numbers, Excel dates as datetime.
    """
    with open_sheet(file, columns=columns) as sheet:
        return sheet.headers, list(sheet.rows)


class Sheet:
    """The first worksheet of an upload, read as it is iterated: `headers` at once, then `rows`, an
    iterator of (excel_row_number, {header: value}) as read_sheet() returns them, one at a time, so a
    long ledger is never held whole. Every check of read_sheet() is made, the ones on rows as they come
    (a LedgerFileError can be raised part-way). Use it as a context manager: leaving closes the file.
    """

    def __init__(self, file: FileSource, *, columns: Iterable[str] | None = None) -> None:
        content = _read_bytes(file)
        _check_package(content)
        try:
            reader = _Reader(io.BytesIO(content), read_only=True, data_only=True)
            reader.read()  # what load_workbook(…, read_only=True, data_only=True) does
            self._wb = reader.wb
        except Exception as exc:
            # openpyxl reports a bad upload as whatever its zip/XML layers raise; all mean the same to the user.
            raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc
        try:
            self._lines = self._open_first_sheet()
            self.headers, self._positions = self._header_row(None if columns is None else set(columns))
        except LedgerFileError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc
        self.rows = self._rows()

    def __enter__(self) -> "Sheet":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._wb.close()

    def _open_first_sheet(self):
        if not self._wb.worksheets:
            raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件"))
        ws = self._wb.worksheets[0]
        self.row_cap = settings.IMPORT_MAX_SHEET_ROWS
        declared = ws.max_row or 0
        if declared > self.row_cap:
            raise LedgerFileError(_too_many_sheet_rows(self.row_cap))
        # What the sheet says it holds, for a progress bar only: it can be wrong or missing.
        self.declared_rows = max(declared - 1, 0)
        # Some generators write a wrong <dimension>; without this, read-only mode would cut rows off.
        ws.reset_dimensions()
        return _row_values(ws)

    def _header_row(self, wanted: set[str] | None) -> tuple[list[str], dict[str, int]]:
        header_line = next(self._lines, ())
        headers: list[str] = []
        positions: dict[str, int] = {}
        for index, raw in enumerate(header_line):
            header = "" if raw is None else str(raw).strip()
            if not header:
                continue
            headers.append(header)
            if (wanted is None or header in wanted) and header not in positions:
                positions[header] = index
        return headers, positions

    def _rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        row_cap, positions, count = self.row_cap, list(self._positions.items()), 0
        try:
            # Gaps between rows come back as empty tuples, so counting keeps the Excel row numbers.
            for row_number, line in enumerate(self._lines, start=2):
                # Every physical row counts, empty ones too: two million blank rows cost a minute of parsing
                # (and openpyxl keeps a node per row) though none of them would ever reach MAX_ROWS.
                if row_number > row_cap:
                    raise LedgerFileError(_too_many_sheet_rows(row_cap))
                width = len(line)
                values = {header: _in_cell(line[i]) if i < width else None for header, i in positions}
                if all(value is None for value in values.values()):
                    continue
                if count >= MAX_ROWS:
                    raise LedgerFileError(_("文件超过 {n} 行数据，请分批导入").format(n=MAX_ROWS))
                count += 1
                yield row_number, values
        except LedgerFileError:
            raise
        except Exception as exc:
            # Read-only mode parses lazily, so a corrupt sheet can also fail part-way through the rows.
            raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc


# ---------------------------------------------------------------- openpyxl's read-only mode, twice as fast
# On the files openpyxl itself writes in write-only mode (every export of this system, many other systems'
# exports) read-only mode spent half its time on two things, fixed here without changing what is read:
# it looked for <dimension> until the end of <sheetData>, so a file without one was parsed twice; and it
# built a rich-text object for every inline string. Everything else is openpyxl's own code (openpyxl < 4).


class _ReadOnlySheet(ReadOnlyWorksheet):
    def _get_size(self) -> None:
        # <dimension> comes before <sheetData> (ECMA-376 CT_Worksheet): stop looking there.
        with self._get_source() as src:
            for _event, element in iterparse(src, events=("start",)):
                if element.tag == DIMENSION_TAG:
                    dimensions = SheetDimension.from_tree(element).boundaries
                    self._min_column, self._min_row, self._max_column, self._max_row = dimensions
                    return
                if element.tag == DATA_TAG:
                    return


class _Reader(ExcelReader):
    def read_worksheets(self) -> None:
        # ExcelReader.read_worksheets in read-only mode, with the sheet class above.
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            ws = _ReadOnlySheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


_PLAIN_TEXT = f"{{{SHEET_MAIN_NS}}}t"


class _SheetParser(WorkSheetParser):
    def parse_cell(self, element) -> dict:
        # An inline string of one plain run (<is><t>…</t></is>) is its text: what Text.from_tree(…).content
        # gives, without the object. Anything else (rich text, phonetic runs, formulas) goes to openpyxl.
        text = element.find(INLINE_STRING) if element.get("t") == "inlineStr" and self.data_only else None
        if text is None or len(text) != 1 or text[0].tag != _PLAIN_TEXT:
            return super().parse_cell(element)
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        style_id = element.get("s", 0)
        value = text[0].text or ""
        return {"row": row, "column": column, "value": value, "data_type": "s", "style_id": int(style_id)}


def _row_values(ws: ReadOnlyWorksheet) -> Iterator[tuple]:
    """ws.iter_rows(values_only=True) of a sheet without dimensions, through the parser above: a row per
    row of the sheet, gaps between rows as empty ones."""
    counter = 1
    with ws._get_source() as src:
        parser = _SheetParser(
            src,
            ws._shared_strings,
            data_only=ws.parent.data_only,
            epoch=ws.parent.epoch,
            date_formats=ws.parent._date_formats,
            timedelta_formats=ws.parent._timedelta_formats,
        )
        for index, cells in parser.parse():
            while counter < index:
                counter += 1
                yield ()
            if counter == index:
                counter += 1
                yield ws._get_row(cells, 1, None, True)


def open_sheet(file: FileSource, *, columns: Iterable[str] | None = None) -> Sheet:
    """The upload's first worksheet, to be read row by row (see Sheet); LedgerFileError when unusable."""
    return Sheet(file, columns=columns)


def _too_many_sheet_rows(cap: int) -> str:
    return _("工作表超过 {n} 行（空行也计算在内），请删除多余的空行或分批导入").format(n=cap)


def _check_package(content: bytes) -> None:
    """Refuse a zip bomb from the zip's directory, before any part is inflated or parsed.

    The sizes checked are the ones the directory declares; zipfile never hands out more than a
    part's declared size (a part that inflates to more fails its CRC), so they bound what openpyxl
    can be made to read. Worksheets are streamed and bounded by the row cap; every other XML part
    (shared strings, styles, relationships) is parsed whole and held, so it gets the smaller limit.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(content))
        parts = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    mb = f"{limit / 1024 / 1024:g}"
    if any(part.file_size > limit for part in parts):
        raise LedgerFileError(_("文件解压后过大（单个部件超过 {mb} MB），请检查文件是否正确").format(mb=mb))
    if sum(part.file_size for part in parts) > limit:
        raise LedgerFileError(_("文件解压后过大（合计超过 {mb} MB），请检查文件是否正确").format(mb=mb))
    if any(
        part.file_size > _RATIO_GRACE_BYTES and part.file_size > MAX_COMPRESSION_RATIO * part.compress_size
        for part in parts
    ):
        raise LedgerFileError(_("文件压缩比异常（疑似压缩炸弹），请检查文件是否正确"))
    worksheets = _worksheet_parts(package, parts)
    text_limit = settings.IMPORT_MAX_SHARED_STRINGS_BYTES
    for part in parts:
        parsed_whole = part.filename.lower().endswith((".xml", ".rels", ".vml"))
        if parsed_whole and part.filename not in worksheets and part.file_size > text_limit:
            raise LedgerFileError(
                _("文件中的文字内容过多（超过 {mb} MB），请删除多余内容或分批导入").format(
                    mb=f"{text_limit / 1024 / 1024:g}"
                )
            )


def _worksheet_parts(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> set[str]:
    """The parts [Content_Types].xml declares as worksheets; no content types, no workbook."""
    types = next((p for p in parts if p.filename == "[Content_Types].xml"), None)
    if types is None or types.file_size > _CONTENT_TYPES_MAX_BYTES:
        raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件"))
    try:
        root = fromstring(package.read(types))
    except Exception as exc:
        # Whatever the XML or zip layer raises, the file is not a workbook we can read.
        raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc
    return {
        node.get("PartName", "").lstrip("/")
        for node in root
        if node.tag.endswith("Override") and node.get("ContentType", "").endswith(_WORKSHEET_TYPE)
    }


def _read_bytes(file: FileSource) -> bytes:
    """The upload's bytes, refusing anything over IMPORT_MAX_BYTES before openpyxl inflates it."""
    limit = settings.IMPORT_MAX_BYTES
    if isinstance(file, bytes | bytearray):
        content = bytes(file)
    elif isinstance(file, str | PathLike):
        try:
            with open(file, "rb") as handle:
                content = handle.read(limit + 1)
        except OSError as exc:
            raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read(limit + 1)
    if len(content) > limit:
        raise LedgerFileError(_("文件过大（上限 {mb} MB）").format(mb=limit // (1024 * 1024)))
    return content


def escape_formula(text: str) -> str:
    """`text` as it is written to a cell: with a leading quote when Excel could take it for a formula."""
    if text.startswith(_FORMULA_START) or _ESCAPED.match(text):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """The text `escape_formula` was given: one leading quote off, when it was put there."""
    return text[1:] if _ESCAPED.match(text) else text


def _in_cell(value: object) -> object:
    if isinstance(value, str):
        value = unescape_formula(value).strip()
        return value or None
    return value


def _out_cell(ws, value: object) -> object:
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones; the office reads local time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        # Stored text must stay text: an enterprise named "=HYPERLINK(…)" must not become a formula.
        # Escaped, no text starts with "=" any more, so openpyxl writes every one as a plain string.
        text = escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
        if len(text) > _MAX_CELL_CHARS:
            text = text[: _MAX_CELL_CHARS - 1] + "…"
        return text
    return value


def _styled(ws, value: object, font: Font) -> object:
    cell = _out_cell(ws, value)
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(ws, value=cell)
    cell.font = font
    return cell


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    # CJK characters take two columns' width in Excel.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _guess_widths(headers: list[str], sample: list[list]) -> list[float]:
    widths = []
    for index, header in enumerate(headers):
        longest = max(
            [_display_width(header)] + [_display_width(row[index]) for row in sample if index < len(row)]
        )
        widths.append(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))
    return widths


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in sheet names and anything over 31 characters.
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Sheet1")[:31]
