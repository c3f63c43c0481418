"""The statistics workbook (issue 13, "统计报表导出Excel"): one workbook per period and scope.

- 汇总: every registered metric with the same period a year before and the change, numbers as numbers
  (counts int, money in 元 with a number format, rates in percent with one decimal), the change as a
  number and in words (core.numbers.change_text), and the definition.
- One sheet per domain: the scope's townships (for a township: its communities/villages) as rows, the
  domain's metrics as columns, then 合计 — always the scope's own figure, computed for the scope itself,
  never a sum: a distinct count (检查单位, 一个单位在两个街镇各被检查) or a rate does not add up across
  rows. Records placed in no row (an enterprise directly under the district, an inspection organised
  by a department) get their own row "未落到街镇", so the rows of an additive metric sum to 合计; where
  they do not (a distinct count), a note under the table says why.

The sheets are computed fresh from the records (registry metrics: one aggregate query each per row);
only the summary compares with the year before.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from accounts.scoping import Scope, unit_scope
from core.excel import escape_formula
from core.numbers import plain_number

from .periods import Period
from .registry import DOMAINS, Metric, Number, Window, all_metrics, compute, compute_windows
from .scopes import StatsScope, townships

SUMMARY_TITLE = "汇总"

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_NOTE_FONT = Font(italic=True, color="595959")

# Number formats by metric kind: counts whole, sums as they are, money in 元 with fen, rates one decimal.
_FORMATS = {"count": "0", "sum": "General", "money": "#,##0.00", "rate": "0.0"}
_CHANGE_FORMAT = "0.00"
_HEADER_ROW = 3  # title, period line, then the table


# ---------------------------------------------------------------- the rows of a domain sheet


@dataclass(frozen=True)
class _Part(Scope):
    """A scope cut down further: the records of `base` that are in `inside` (when given) and in none of
    `outside`. Metrics only ever ask a scope for `q(Model)`, so a row can be "this department's records
    in township A" or "the district's records in no township" without the metrics knowing."""

    base: Scope = field(default_factory=lambda: Scope(everything=True))
    inside: Scope | None = None
    outside: tuple[Scope, ...] = ()

    @property
    def nothing(self) -> bool:
        return False

    def q(self, model: type[Model]) -> Q:
        condition = self.base.q(model)
        if self.inside is not None:
            condition &= self.inside.q(model)
        for other in self.outside:
            condition &= ~other.q(model)
        return condition


@dataclass(frozen=True)
class Row:
    label: str
    scope: Scope


@dataclass(frozen=True)
class Breakdown:
    """How a scope's domain sheets are cut: `rows` (one per unit), `rest` (records in none of them,
    None when the rows cover the scope by construction) and the header of the first column."""

    heading: str
    rows: list[Row]
    rest: Row | None


def breakdown(stats_scope: StatsScope) -> Breakdown:
    """The district and a department: by township. A township: by its communities/villages (itself
    alone when it has none)."""
    unit = stats_scope.unit
    base = stats_scope.scope
    if unit is not None and not unit.is_department and not unit.is_district:
        children = list(unit.children.filter(is_active=True).order_by("order", "name"))
        if not children:
            return Breakdown(_("单位"), [Row(unit.name, base)], None)
        units, heading, rest_label = children, _("村（社区）"), _("未落到村（社区）")
    else:
        units, heading, rest_label = list(townships()), _("街镇"), _("未落到街镇")
    if unit is not None and unit.is_department:
        rows = [Row(u.name, _Part(base=base, inside=unit_scope(u))) for u in units]
    else:
        rows = [Row(u.name, unit_scope(u)) for u in units]
    rest = Row(rest_label, _Part(base=base, outside=tuple(unit_scope(u) for u in units)))
    return Breakdown(heading, rows, rest)


# ---------------------------------------------------------------- the workbook


def stats_workbook(period: Period, stats_scope: StatsScope) -> Workbook:
    """The statistics workbook of `period` for `stats_scope`: 汇总, then one sheet per domain."""
    metrics = all_metrics()
    figures = compute(period, stats_scope, keys=[m.key for m in metrics])
    scope_name = _scope_label(stats_scope)
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_TITLE
    _write_summary(summary, period, scope_name, [figures[m.key] for m in metrics if m.key in figures])

    cut = breakdown(stats_scope)
    for domain, domain_label in DOMAINS.items():
        domain_metrics = [m for m in metrics if m.domain == domain and m.key in figures]
        if not domain_metrics:
            continue
        totals = {m.key: figures[m.key].value for m in domain_metrics}
        ws = wb.create_sheet(title=domain_label[:31])
        _write_domain(ws, period, scope_name, domain_label, domain_metrics, cut, totals)
    return wb


def stats_workbook_bytes(period: Period, stats_scope: StatsScope) -> bytes:
    buffer = io.BytesIO()
    stats_workbook(period, stats_scope).save(buffer)
    return buffer.getvalue()


def stats_filename(period: Period, stats_scope: StatsScope) -> str:
    """统计_2026年第一季度_全区.xlsx"""
    return f"{_('统计')}_{period.label}_{_scope_label(stats_scope)}.xlsx"


def _scope_label(stats_scope: StatsScope) -> str:
    return _("全区") if stats_scope.is_district else stats_scope.unit.name


# ---------------------------------------------------------------- 汇总


def summary_headers() -> list[str]:
    return [
        _("领域"),
        _("指标"),
        _("单位"),
        _("本期"),
        _("去年同期"),
        _("同比增减（%）"),
        _("同比"),
        _("定义"),
        _("指标代码"),
    ]


_SUMMARY_WIDTHS = (14, 26, 8, 14, 14, 14, 20, 70, 28)


def _write_summary(ws, period: Period, scope_name: str, figures: Sequence) -> None:
    _title(
        ws, _("%(scope)s%(period)s安全生产统计汇总") % {"scope": scope_name, "period": period.label}, period
    )
    _header(ws, summary_headers(), _SUMMARY_WIDTHS)
    for index, figure in enumerate(figures, start=_HEADER_ROW + 1):
        metric: Metric = figure.metric
        number_format = _FORMATS.get(metric.kind, "General")
        cells = [
            (DOMAINS.get(metric.domain, metric.domain), None),
            (metric.label, None),
            (metric.unit, None),
            (_number(figure.value), number_format),
            (_number(figure.previous), number_format),
            (_number(figure.change_pct), _CHANGE_FORMAT),
            (figure.change_text, None),
            (metric.definition, None),
            (metric.key, None),
        ]
        for column, (value, fmt) in enumerate(cells, start=1):
            cell = _put(ws, index, column, value, fmt)
            if column == 8:
                cell.alignment = _WRAP
    ws.freeze_panes = ws.cell(row=_HEADER_ROW + 1, column=3)


# ---------------------------------------------------------------- domain sheets


def _write_domain(
    ws,
    period: Period,
    scope_name: str,
    domain_label: str,
    metrics: list[Metric],
    cut: Breakdown,
    totals: dict[str, Number],
) -> None:
    _title(
        ws,
        _("%(scope)s%(period)s%(domain)s分%(by)s统计")
        % {"scope": scope_name, "period": period.label, "domain": domain_label, "by": cut.heading},
        period,
    )
    headers = [cut.heading] + [_column_title(m) for m in metrics]
    _header(ws, headers, [18] + [max(12, min(30, len(h) * 2)) for h in headers[1:]])

    def row_values(scope) -> list:
        # One query per batch of metrics for the row (the range twice: no 同比 column here).
        window = Window(period.start, period.end, scope)
        live = compute_windows(window, window, keys=[m.key for m in metrics])
        return [live[m.key].value for m in metrics]

    values = [row_values(row.scope) for row in cut.rows]
    labels = [row.label for row in cut.rows]
    if cut.rest is not None:
        rest = row_values(cut.rest.scope)
        if any(v for m, v in zip(metrics, rest, strict=True) if m.kind != "rate"):
            values.append(rest)
            labels.append(cut.rest.label)

    row = _HEADER_ROW + 1
    for label, line in zip(labels, values, strict=True):
        _put(ws, row, 1, label, None)
        for column, (metric, value) in enumerate(zip(metrics, line, strict=True), start=2):
            _put(ws, row, column, _number(value), _FORMATS.get(metric.kind, "General"))
        row += 1

    _put(ws, row, 1, _("合计"), None).font = _HEADER_FONT
    ws.cell(row=row, column=1).fill = _TOTAL_FILL
    for column, metric in enumerate(metrics, start=2):
        cell = _put(ws, row, column, _number(totals[metric.key]), _FORMATS.get(metric.kind, "General"))
        cell.font = _HEADER_FONT
        cell.fill = _TOTAL_FILL

    notes = _notes(metrics, values, totals, cut, scope_name)
    for offset, note in enumerate(notes, start=2):
        cell = ws.cell(row=row + offset, column=1, value=escape_formula(note))
        cell.font = _NOTE_FONT
    ws.freeze_panes = ws.cell(row=_HEADER_ROW + 1, column=2)


def _column_title(metric: Metric) -> str:
    """ "发现隐患（个）"; a label that already ends with its unit ("检查生产经营单位(家次)") is kept."""
    if not metric.unit or metric.label.endswith((f"({metric.unit})", f"（{metric.unit}）")):
        return metric.label
    return f"{metric.label}（{metric.unit}）"


def _notes(
    metrics: list[Metric],
    values: list[list[Number]],
    totals: dict[str, Number],
    cut: Breakdown,
    scope_name: str,
) -> list[str]:
    """Why 合计 is not the sum of the rows, for the columns where it is not."""
    uneven = []
    for index, metric in enumerate(metrics):
        if metric.kind == "rate":
            continue
        column_sum = sum((v for v in (line[index] for line in values) if v is not None), start=0)
        if column_sum != (totals[metric.key] or 0):
            uneven.append(metric.label)
    notes = []
    if uneven:
        names = "、".join(f"“{label}”" for label in uneven)
        notes.append(
            _(
                "注：%(names)s各行之和不等于合计：跨%(by)s联合检查、同一单位在多个%(by)s的记录分别计入各%(by)s；"
                "合计按%(scope)s去重。"
            )
            % {"names": names, "by": cut.heading, "scope": scope_name}
        )
    if any(m.kind == "rate" for m in metrics):
        notes.append(_("注：比率的合计按%(scope)s的记录计算，不是各行之和或平均。") % {"scope": scope_name})
    return notes


# ---------------------------------------------------------------- cells


def _title(ws, text: str, period: Period) -> None:
    ws.cell(row=1, column=1, value=escape_formula(text)).font = _TITLE_FONT
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    ws.cell(
        row=2,
        column=1,
        value=_("统计期间：%(start)s 至 %(end)s　生成时间：%(stamp)s")
        % {"start": period.start.isoformat(), "end": period.end.isoformat(), "stamp": stamp},
    )


def _header(ws, headers: Sequence[str], widths: Sequence[float]) -> None:
    for column, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=_HEADER_ROW, column=column, value=escape_formula(text))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTRED
        ws.column_dimensions[get_column_letter(column)].width = width


def _put(ws, row: int, column: int, value, number_format: str | None):
    if isinstance(value, str):
        value = escape_formula(value)
    cell = ws.cell(row=row, column=column, value=value)
    cell.border = _BORDER
    if number_format is not None and value is not None:
        cell.number_format = number_format
    return cell


def _number(value: Number | Decimal | None) -> int | float | None:
    """A figure as Excel stores it: int or float, never text; no figure → an empty cell."""
    return plain_number(value)
