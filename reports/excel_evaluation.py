"""The 排名表 of a published evaluation as Excel (openpyxl, the statistics workbook's house style):

- 排名: rank, unit, each indicator's figure and score, the total — numbers as numbers (scores with two
  decimals, rates with one), a missing figure as an empty cell;
- 指标说明: each indicator's weight, rule and the exact definition of its figure.

Written once, when the ranking is published, and stored with its sha256.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.excel import escape_formula

from .models_evaluation import Evaluation, IndicatorRule
from .pdf_evaluation import ranking_title

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_SCORE = "0.00"
_HEADER_ROW = 4


def _number(value):
    """A stored figure or score as a number for its cell: ints stay ints, scores ("12.50") are floats."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return value
    return float(Decimal(str(value)))


def _header(ws, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=column, value=text)
        cell.font, cell.fill, cell.border, cell.alignment = _HEADER_FONT, _HEADER_FILL, _BORDER, _CENTRED


def ranking_workbook(evaluation: Evaluation) -> Workbook:
    specs = evaluation.indicators
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    ws.cell(row=1, column=1, value=escape_formula(ranking_title(evaluation))).font = _TITLE_FONT
    ws.cell(
        row=2,
        column=1,
        value=escape_formula(f"{evaluation.number}　数据截至 {evaluation.results.get('as_of', '')}"),
    )
    headers = ["排名", "单位"]
    for spec in specs:
        if spec["rule"] != IndicatorRule.ENTERED:
            headers.append(f"{spec['metric_label']}（{spec['unit']}）")
        headers.append(f"{spec['name']}得分（{Decimal(spec['weight']).normalize():f}分）")
    headers.append("总分")
    _header(ws, _HEADER_ROW, headers)
    for offset, row in enumerate(evaluation.results.get("rows", []), start=1):
        values: list = [row["rank"], escape_formula(row["unit_name"])]
        formats: list = ["0", None]
        for spec in specs:
            if spec["rule"] != IndicatorRule.ENTERED:
                values.append(_number(row["values"].get(spec["code"])))
                formats.append("0.0" if spec["rule"] == IndicatorRule.RATE else "0")
            values.append(_number(row["scores"].get(spec["code"])))
            formats.append(_SCORE)
        values.append(_number(row["total"]))
        formats.append(_SCORE)
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), start=1):
            cell = ws.cell(row=_HEADER_ROW + offset, column=column, value=value)
            cell.border = _BORDER
            if number_format:
                cell.number_format = number_format
    ws.freeze_panes = f"C{_HEADER_ROW + 1}"
    for column in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 8 if column == 1 else 18

    notes = wb.create_sheet("指标说明")
    _header(notes, 1, ["指标", "分值", "计分规则", "每个扣分", "无数据时", "统计指标", "口径", "说明"])
    for offset, spec in enumerate(specs, start=2):
        values = [
            spec["name"],
            _number(spec["weight"]),
            spec["rule_label"],
            _number(spec["points_per"]) if spec["rule"] == IndicatorRule.DEDUCT else None,
            ("得满分" if spec["no_data"] == "full" else "得0分")
            if spec["rule"] == IndicatorRule.RATE
            else "",
            spec["metric_key"],
            spec["definition"],
            spec["description"],
        ]
        for column, value in enumerate(values, start=1):
            cell = notes.cell(
                row=offset, column=column, value=escape_formula(value) if isinstance(value, str) else value
            )
            cell.border, cell.alignment = _BORDER, _WRAP
    for column, width in enumerate((18, 8, 30, 10, 10, 30, 70, 50), start=1):
        notes.column_dimensions[get_column_letter(column)].width = width
    return wb


def ranking_xlsx(evaluation: Evaluation) -> bytes:
    buffer = io.BytesIO()
    ranking_workbook(evaluation).save(buffer)
    return buffer.getvalue()
