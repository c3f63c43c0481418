"""Reading and writing .xlsx ledgers: the file-format half of every import and export.

Nothing here knows about enterprises or permissions; ledger_import.py and the apps' importers give
the columns meaning. Uploads are untrusted, so reading never lets a parser error through as a 500:
whatever openpyxl makes of a bad file becomes a LedgerFileError with a message for the user.
"""

import io
import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime
from os import PathLike
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# A ledger this long is a mistake (a whole formatted sheet, a wrong file), not a district's data.
MAX_ROWS = 50_000
# Widths are guessed from the header and this many data rows; the rest stream without being looked at.
_WIDTH_SAMPLE_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 8, 60

FileSource = str | PathLike | bytes | IO[bytes]


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
) -> bytes:
    """One sheet: a bold, frozen header row, then `rows`. Streams (write-only), so long lists stay cheap.

    `column_widths` maps a header to a width and overrides the guess made from the header and the
    first rows.
    """
    rows = iter(rows)
    sample = [list(row) for row in itertools.islice(rows, _WIDTH_SAMPLE_ROWS)]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(sheet_title))
    ws.freeze_panes = "A2"
    widths = _guess_widths(headers, sample)
    for index, header in enumerate(headers):
        width = (column_widths or {}).get(header, widths[index])
        ws.column_dimensions[get_column_letter(index + 1)].width = width

    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
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
    content = _read_bytes(file)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl reports a bad upload as whatever its zip/XML layers raise; all mean the same to the user.
        raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc
    try:
        return _read_first_sheet(wb, None if columns is None else set(columns))
    except LedgerFileError:
        raise
    except Exception as exc:
        # Read-only mode parses lazily, so a corrupt sheet can also fail part-way through the rows.
        raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件")) from exc
    finally:
        wb.close()


def _read_first_sheet(wb, wanted: set[str] | None) -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    if not wb.worksheets:
        raise LedgerFileError(_("文件无法读取，请上传 .xlsx 格式的Excel文件"))
    ws = wb.worksheets[0]
    # Some generators write a wrong <dimension>; without this, read-only mode would cut rows off.
    ws.reset_dimensions()
    lines = ws.iter_rows(values_only=True)
    header_line = next(lines, ())
    headers: list[str] = []
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_line):
        header = "" if raw is None else str(raw).strip()
        if not header:
            continue
        headers.append(header)
        if (wanted is None or header in wanted) and header not in positions:
            positions[header] = index

    records: list[tuple[int, dict[str, object]]] = []
    # Gaps between rows come back as empty tuples, so counting keeps the Excel row numbers.
    for row_number, line in enumerate(lines, start=2):
        values = {header: _in_cell(line[i] if i < len(line) else None) for header, i in positions.items()}
        if all(value is None for value in values.values()):
            continue
        if len(records) >= MAX_ROWS:
            raise LedgerFileError(_("文件超过 {n} 行数据，请分批导入").format(n=MAX_ROWS))
        records.append((row_number, values))
    return headers, records


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


def _in_cell(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _out_cell(ws, value: object) -> object:
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones; the office reads local time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            # Stored text must stay text: an enterprise named "=HYPERLINK(…)" must not become a formula.
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
    return value


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
