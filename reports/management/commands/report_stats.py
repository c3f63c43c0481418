"""manage.py report_stats --year Y [--quarter Q | --month M | --half H] [--scope CODE]
                         [--format json|table|xlsx] [--out FILE]

Every registered metric for one period and scope, computed fresh from the records (not the stored
roll-ups), with the same period a year before:

- `json` (default): the contract of reports/contract.py, as /api/v1/stats/ answers it;
- `table`: the same for a person, one aligned line per metric (指标, 本期, 去年同期, 同比);
- `xlsx`: the statistics workbook (reports.excel), written to --out.

Without --scope it is the whole district; --scope takes "district", a unit's id or its name. A bad
year, quarter, month, half, scope or format stops with a Chinese message (CommandError), no traceback.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.numbers import change_text
from reports.contract import period_of, stats_payload
from reports.excel import stats_workbook_bytes
from reports.periods import Period
from reports.registry import DOMAINS, Figure, compute
from reports.scopes import StatsScope, scope_parse

FORMATS = ("json", "table", "xlsx")


class Command(BaseCommand):
    help = "按期间和范围即时计算全部统计指标（含去年同期和同比），输出 JSON、表格或 Excel。"

    def add_arguments(self, parser: CommandParser) -> None:
        # Plain strings, checked in handle(): a bad value gets a Chinese message, not argparse's.
        parser.add_argument("--year", help="年度，如 2026（必填）")
        parser.add_argument("--quarter", help="季度 1–4")
        parser.add_argument("--month", help="月份 1–12")
        parser.add_argument("--half", help="半年：1 上半年，2 下半年")
        parser.add_argument("--scope", help="统计范围：district（默认，全区）、单位编号或单位名称")
        parser.add_argument("--format", dest="fmt", default="json", help="json（默认）、table 或 xlsx")
        parser.add_argument("--out", help="输出文件（xlsx 必填；json/table 不填时打印到屏幕）")

    def handle(self, *args, year, quarter, month, half, scope, fmt, out, **options) -> None:
        if not year:
            raise CommandError(_("请用 --year 指定年度，如 --year 2026。"))
        if fmt not in FORMATS:
            raise CommandError(_("输出格式“%(fmt)s”不支持：请用 json、table 或 xlsx。") % {"fmt": fmt})
        if fmt == "xlsx" and not out:
            raise CommandError(_("xlsx 格式须用 --out 指定输出文件，如 --out 统计.xlsx。"))
        try:
            period = period_of(year, quarter=quarter, month=month, half=half)
            stats_scope = scope_parse(scope)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if fmt == "xlsx":
            self._write_bytes(out, stats_workbook_bytes(period, stats_scope))
            self.stdout.write(_("已写入 %(out)s") % {"out": out})
            return
        figures = compute(period, stats_scope)
        if fmt == "json":
            text = json.dumps(stats_payload(period, stats_scope, figures), ensure_ascii=False, indent=2)
        else:
            text = stats_table(period, stats_scope, figures)
        if out:
            self._write_bytes(out, (text + "\n").encode("utf-8"))
            self.stdout.write(_("已写入 %(out)s") % {"out": out})
        else:
            self.stdout.write(text)

    def _write_bytes(self, out: str, content: bytes) -> None:
        try:
            Path(out).write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(out)s：%(error)s") % {"out": out, "error": exc.strerror or exc}
            ) from exc


# ---------------------------------------------------------------- the table for a person


def _width(text: str) -> int:
    """Columns a terminal gives `text`: two for a CJK (wide / full-width) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def stats_table(period: Period, stats_scope: StatsScope, figures: dict[str, Figure]) -> str:
    """指标 · 本期 · 去年同期 · 同比, aligned, one block per domain under its Chinese name."""
    headers = (_("指标"), _("本期"), _("去年同期"), _("同比"))
    rows: list[tuple[str, str, str, str] | str] = []
    domain = None
    for figure in figures.values():
        metric = figure.metric
        if metric.domain != domain:
            domain = metric.domain
            rows.append(DOMAINS.get(domain, domain))
        change = change_text(figure.value, figure.previous, prefix="") if metric.compares else ""
        rows.append((metric.label, figure.text, figure.previous_text, change or "—"))
    cells = [headers, *(r for r in rows if isinstance(r, tuple))]
    widths = [max(_width(row[i]) for row in cells) for i in range(4)]

    def line(row) -> str:
        return "  ".join(
            [_pad(row[0], widths[0]), *(_pad(row[i], widths[i], right=True) for i in (1, 2)), row[3]]
        ).rstrip()

    title = _("%(label)s · %(scope)s（%(start)s 至 %(end)s）") % {
        "label": period.label,
        "scope": stats_scope.name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    out = [title, "", line(headers), "-" * (sum(widths) + 6)]
    for row in rows:
        out.append(line(row) if isinstance(row, tuple) else f"【{row}】")
    if not figures:
        out.append(_("（没有已登记的统计指标）"))
    return "\n".join(out)
