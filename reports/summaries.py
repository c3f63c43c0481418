"""Work summaries (工作总结): what a report is built from and what it shows.

A report (models.Report) is one kind (annual, quarterly, campaign, departments), one period (or one
campaign) and one scope. Building it reads its kind's template (models.ReportTemplate, edited by the
office), computes every figure the template's sentences, tables and charts need fresh from the records
(reports.registry), and writes each section's figure sentences; the narrative staff wrote under a
section stays as it was. `report_content` is the whole report as plain JSON — what the web page, the
PDF, the .docx and a published (frozen) version all show, so they can never disagree.

The content's shape (a published version stores exactly this):

    {"title", "kind", "kind_label", "period": {"key", "label", "start", "end"}, "scope": {"code", "name"},
     "campaign": {"id", "name"} | None, "built_at",
     "sections": [{"key", "unit": {"id", "name"} | None, "level", "number" (一、/（一）/1.), "heading",
                   "parts": [[text, metric key | None], …]  (the figure sentences, each ending 。),
                   "figure_text", "figure_error", "narrative",
                   "table": {"kind", "caption", "columns", "rows": [[cell, …]]} | None,
                   "chart": {"kind", "caption", "labels", "series": [{"name", "type", "values"}]} | None}],
     "figures": {scope code: {key: {"value", "previous"}}},
     "metrics": {key: {"label", "unit", "kind"}}}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrgKind
from accounts.models import OrgUnit
from core.numbers import change_text, plain_number, value_text

from .models import (
    Report,
    ReportKind,
    ReportSection,
    ReportTemplate,
    SectionChart,
    SectionTable,
    TemplateSection,
)
from .periods import Period
from .registry import Figure, Window, all_metrics, compute_windows, figures_from_stored, figures_to_stored
from .scopes import StatsScope, scope_parse, scope_units, townships
from .sentences import SentenceError, keys_used, parse, render_parts

LEVEL_ONE = "一二三四五六七八九十"

# The figures a key-figures table lists, in the summaries' order (those not registered are skipped).
KEY_FIGURES = (
    "accidents.count",
    "accidents.deaths",
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "hazards.major",
    "hazards.listed",
    "hazards.overdue",
    "inspections.actions",
    "inspections.person_times",
    "inspections.unit_visits",
    "inspections.units",
    "enforcement.cases",
    "enforcement.fines_total",
)
# The columns of the township / department tables.
UNIT_TABLE_FIGURES = (
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "hazards.overdue",
    "inspections.actions",
    "inspections.units",
    "enforcement.cases",
    "enforcement.fines_total",
)
TREND_FIGURES = ("hazards.found", "hazards.rectified", "inspections.actions")


# ---------------------------------------------------------------- what a report covers


@dataclass(frozen=True)
class Coverage:
    """The dates and scope a report counts: a period (annual, quarterly, departments) or a campaign's days."""

    start: dt.date
    end: dt.date
    stats_scope: StatsScope
    period: Period | None
    label: str
    key: str

    def window(self, stats_scope: StatsScope | None = None) -> Window:
        return Window(self.start, self.end, (stats_scope or self.stats_scope).scope)

    def window_before(self, stats_scope: StatsScope | None = None) -> Window:
        return Window(
            _year_before(self.start), _year_before(self.end), (stats_scope or self.stats_scope).scope
        )

    def months(self) -> list[Period]:
        """The calendar months the report covers (the trend chart's bars), at most 12."""
        months: list[Period] = []
        month = Period.containing("month", self.start)
        while month.start <= self.end and len(months) < 24:
            months.append(month)
            month = Period(month.year + (month.number == 12), "month", month.number % 12 + 1)
        return months[-12:]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def cn_date(day: dt.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def report_stats_scope(report: Report) -> StatsScope:
    return StatsScope(report.scope_unit) if report.scope_unit_id else StatsScope()


def report_coverage(report: Report, *, today: dt.date | None = None) -> Coverage:
    stats_scope = report_stats_scope(report)
    if report.kind == ReportKind.CAMPAIGN:
        campaign = report.campaign
        end = min(campaign.end_on, today or timezone.localdate())
        end = max(end, campaign.start_on)
        label = _("%(start)s至%(end)s") % {"start": cn_date(campaign.start_on), "end": cn_date(end)}
        return Coverage(campaign.start_on, end, stats_scope, None, label, f"campaign-{campaign.pk}")
    period = Period.parse(report.period_key)
    return Coverage(period.start, period.end, stats_scope, period, period.label, period.key)


def period_for(kind: str, *, year: int, quarter: int | None = None) -> Period:
    """The period of a report kind: a quarter for the quarterly report, else the year."""
    if kind == ReportKind.QUARTERLY:
        if quarter not in (1, 2, 3, 4):
            raise ValueError(_("季度报告须指定第几季度（1–4）。"))
        return Period(year, "quarter", quarter)
    return Period(year, "year")


def report_title(template: ReportTemplate, report: Report) -> str:
    period = None if report.kind == ReportKind.CAMPAIGN else Period.parse(report.period_key)
    values = {
        "scope": report_stats_scope(report).name,
        "year": period.year if period else (report.campaign.start_on.year if report.campaign_id else ""),
        "quarter": "一二三四"[period.number - 1] if period and period.kind == "quarter" else "",
        "campaign": report.campaign.name if report.campaign_id else "",
    }
    try:
        return template.title_pattern.format(**values)
    except (KeyError, IndexError, ValueError):
        return template.name


# ---------------------------------------------------------------- the template's needs


def section_units(report: Report) -> list[OrgUnit]:
    """The member units a departments report has a part for: every active department for the district,
    the department itself when the report is one department's."""
    if report.scope_unit_id and report.scope_unit.kind == OrgKind.DEPARTMENT:
        return [report.scope_unit]
    return list(scope_units().filter(kind=OrgKind.DEPARTMENT))


def table_units(report: Report, table: str) -> list[OrgUnit]:
    if table == SectionTable.DEPARTMENTS:
        return section_units(report)
    units = townships()
    if report.scope_unit_id and report.scope_unit.kind != OrgKind.DEPARTMENT:
        units = units.filter(path__startswith=report.scope_unit.path)
    return list(units)


def template_sections(template: ReportTemplate) -> list[TemplateSection]:
    return list(template.sections.order_by("order", "pk"))


def sentence_lines(section: TemplateSection) -> list[str]:
    return [line.strip() for line in section.sentences.splitlines() if line.strip()]


def template_problems(
    template: ReportTemplate, sections: Iterable[TemplateSection] | None = None
) -> list[str]:
    """Every problem of a template's sentences, each with its section and line (for the editor and before
    a build): a report is never built half from a bad template."""
    known = all_metrics()
    problems: list[str] = []
    for section in sections if sections is not None else template_sections(template):
        for number, line in enumerate(sentence_lines(section), start=1):
            try:
                parse(line, known)
            except SentenceError as error:
                for problem in error.problems:
                    problems.append(
                        _("“%(heading)s”第%(n)s句：%(problem)s")
                        % {"heading": section.heading, "n": number, "problem": problem}
                    )
    return problems


def _keys_needed(sections: list[TemplateSection]) -> set[str]:
    keys: set[str] = set()
    for section in sections:
        for line in sentence_lines(section):
            keys |= keys_used(line)
        if section.table == SectionTable.KEY_FIGURES:
            keys |= set(KEY_FIGURES)
    return keys


# ---------------------------------------------------------------- computing


def compute_figures(coverage: Coverage, stats_scope: StatsScope, keys: Iterable[str]) -> dict[str, Figure]:
    """`keys` (those registered) fresh from the records for the coverage's dates in `stats_scope`, with
    the same dates a year before: one query per batch of metrics (registry.compute_windows)."""
    return compute_windows(coverage.window(stats_scope), coverage.window_before(stats_scope), keys=keys)


def _section_number(level: int, counters: list[int]) -> str:
    counters[level - 1] += 1
    for deeper in range(level, len(counters)):
        counters[deeper] = 0
    n = counters[level - 1]
    if level == 1:
        return _chinese_number(n) + "、"
    if level == 2:
        return "（" + _chinese_number(n) + "）"
    return f"{n}."


def _chinese_number(n: int) -> str:
    if n <= 10:
        return LEVEL_ONE[n - 1]
    if n < 20:
        return "十" + LEVEL_ONE[n - 11]
    tens, ones = divmod(n, 10)
    return LEVEL_ONE[tens - 1] + "十" + (LEVEL_ONE[ones - 1] if ones else "")


DISTRICT_WORD = "全区"


def _sentences(
    section: TemplateSection, figures: dict[str, Figure], scope_name: str | None = None
) -> tuple[list[list], str]:
    """The section's figure sentences as (text, key) parts, each sentence closed with 。; or the error.

    The templates speak as the district ("全区共发生…", as the seeds do); in a township's or a department's
    report (`scope_name`) the word 全区 is written as the unit's name ("东城街道共发生…")."""
    parts: list[list] = []
    for line in sentence_lines(section):
        try:
            pieces = render_parts(line, figures)
        except SentenceError as error:
            return [], "；".join(error.problems)
        if not pieces:
            continue
        if scope_name:
            pieces = [
                (text.replace(DISTRICT_WORD, scope_name) if key is None else text, key)
                for text, key in pieces
            ]
        parts.extend([text, key] for text, key in pieces)
        parts.append(["。", None])
    return parts, ""


def _key_figures_table(figures: dict[str, Figure]) -> dict:
    rows = []
    for key in KEY_FIGURES:
        figure = figures.get(key)
        if figure is None:
            continue
        rows.append(
            [
                figure.metric.label,
                value_text(figure.value, figure.metric.unit),
                value_text(figure.previous, figure.metric.unit),
                change_text(figure.value, figure.previous, prefix="") if figure.metric.compares else "—",
            ]
        )
    return {
        "kind": SectionTable.KEY_FIGURES,
        "caption": _("主要指标"),
        # The values carry their units (个, 起, 万元 …): no unit column to contradict them.
        "columns": [_("指标"), _("本期"), _("去年同期"), _("同比")],
        "rows": rows,
        "keys": [key for key in KEY_FIGURES if key in figures],
    }


def _unit_table(kind: str, coverage: Coverage, units: list[OrgUnit], store: dict) -> dict:
    metrics = {m.key: m for m in all_metrics() if m.key in UNIT_TABLE_FIGURES}
    keys = [key for key in UNIT_TABLE_FIGURES if key in metrics]
    rows = []
    for unit in units:
        stats_scope = StatsScope(unit)
        figures = compute_figures(coverage, stats_scope, keys)
        store[stats_scope.code] = {**store.get(stats_scope.code, {}), **figures_to_stored(figures)}
        rows.append([unit.name, *(value_text(figures[key].value, metrics[key].unit) for key in keys)])
    caption = _("各街镇主要指标") if kind == SectionTable.TOWNSHIPS else _("各成员单位主要指标")
    return {
        "kind": kind,
        "caption": caption,
        "columns": [_("单位"), *(metrics[key].label for key in keys)],
        "rows": rows,
        "keys": keys,
        "units": [unit.pk for unit in units],
    }


def _trend_chart(coverage: Coverage, stats_scope: StatsScope) -> dict:
    metrics = {m.key: m for m in all_metrics() if m.key in TREND_FIGURES}
    months = coverage.months()
    series = []
    for key in TREND_FIGURES:
        if key not in metrics:
            continue
        metric = metrics[key]
        values = [plain_number(metric.value(Window(m.start, m.end, stats_scope.scope))) for m in months]
        series.append(
            {
                "name": metric.label,
                "type": "line" if key.startswith("inspections") else "bar",
                "values": values,
            }
        )
    return {
        "kind": SectionChart.MONTHLY_TREND,
        "caption": _("逐月隐患排查整治和检查情况"),
        "labels": [m.short_label for m in months],
        "series": series,
    }


def _townships_chart(table: dict) -> dict:
    index = (
        table["keys"].index("hazards.rectification_rate") + 1
        if "hazards.rectification_rate" in table["keys"]
        else None
    )
    values = []
    for row in table["rows"]:
        text = row[index] if index is not None else ""
        values.append(
            float(text.rstrip("%"))
            if text and text not in ("—", "-") and text.rstrip("%").replace(".", "", 1).isdigit()
            else None
        )
    return {
        "kind": SectionChart.TOWNSHIPS,
        "caption": _("各街镇隐患整改率（%）"),
        "labels": [row[0] for row in table["rows"]],
        "series": [{"name": _("整改率"), "type": "bar", "values": values}],
    }


@dataclass
class BuiltSection:
    key: str
    unit: OrgUnit | None
    level: int
    heading: str
    parts: list
    figure_error: str
    table: dict | None
    chart: dict | None
    default_narrative: str

    @property
    def figure_text(self) -> str:
        return "".join(text for text, _key in self.parts)


def build_sections(
    report: Report, template: ReportTemplate, *, progress=None
) -> tuple[list[BuiltSection], dict]:
    """Every section of `report` from its template and fresh figures: (sections, stored figures by scope).

    `progress(done, total, message)` is called as it goes (the PDF job's progress bar)."""
    coverage = report_coverage(report)
    sections = template_sections(template)
    keys = _keys_needed(sections)
    main = coverage.stats_scope
    store: dict[str, dict] = {}
    figures = compute_figures(coverage, main, keys)
    store[main.code] = figures_to_stored(figures)
    units = section_units(report) if any(s.per_unit for s in sections) else []
    unit_figures: dict[int, dict[str, Figure]] = {}
    per_unit_keys = _keys_needed([s for s in sections if s.per_unit])
    total = len(sections) + len(units)
    done = 0
    for unit in units:
        stats_scope = StatsScope(unit)
        unit_figures[unit.pk] = compute_figures(coverage, stats_scope, per_unit_keys)
        store[stats_scope.code] = {
            **store.get(stats_scope.code, {}),
            **figures_to_stored(unit_figures[unit.pk]),
        }
        done += 1
        if progress:
            progress(done, total, _("计算%(unit)s的数据") % {"unit": unit.name})

    built: list[BuiltSection] = []
    index = 0
    while index < len(sections):
        section = sections[index]
        if not section.per_unit:
            built.append(_build_one(report, coverage, section, None, figures, store))
            index += 1
            done += 1
            if progress:
                progress(done, total, section.heading)
            continue
        block = []
        while index < len(sections) and sections[index].per_unit:
            block.append(sections[index])
            index += 1
        top = min(s.level for s in block)
        for unit in units:
            built.append(BuiltSection("unit", unit, max(top - 1, 1), unit.name, [], "", None, None, ""))
            for section in block:
                built.append(_build_one(report, coverage, section, unit, unit_figures[unit.pk], store))
        done += len(block)
        if progress:
            progress(done, total, block[0].heading)
    return built, store


def _build_one(report, coverage, section, unit, figures, store) -> BuiltSection:
    scope = StatsScope(unit) if unit else coverage.stats_scope
    parts, error = _sentences(section, figures, None if scope.is_district else scope.unit.name)
    table = chart = None
    if section.table == SectionTable.KEY_FIGURES:
        table = _key_figures_table(figures)
    elif section.table in (SectionTable.TOWNSHIPS, SectionTable.DEPARTMENTS):
        table = _unit_table(section.table, coverage, table_units(report, section.table), store)
    elif section.table:
        table = extra_table(section.table, report, coverage)
    if section.chart == SectionChart.MONTHLY_TREND:
        chart = _trend_chart(coverage, StatsScope(unit) if unit else coverage.stats_scope)
    elif section.chart == SectionChart.TOWNSHIPS:
        township_table = (
            table
            if table and table["kind"] == SectionTable.TOWNSHIPS
            else _unit_table(
                SectionTable.TOWNSHIPS, coverage, table_units(report, SectionTable.TOWNSHIPS), store
            )
        )
        chart = _townships_chart(township_table)
    return BuiltSection(
        section.key,
        unit,
        section.level,
        section.heading,
        parts,
        error,
        table,
        chart,
        section.default_narrative,
    )


# Tables other kinds bring (the campaign's targets): {table kind: function(report, coverage) -> table dict}.
_extra_tables: dict = {}


def register_table(kind: str, func) -> None:
    _extra_tables[kind] = func


def extra_table(kind: str, report: Report, coverage: Coverage) -> dict | None:
    func = _extra_tables.get(kind)
    return func(report, coverage) if func else None


# ---------------------------------------------------------------- content


def figures_changed(report: Report) -> dict[str, dict[str, tuple]]:
    """{scope code: {key: (before, now)}} for every figure whose value differs from the build before."""
    changed: dict[str, dict[str, tuple]] = {}
    for code, now in (report.figures or {}).items():
        before = (report.previous_figures or {}).get(code)
        if before is None:
            continue
        for key, entry in now.items():
            old = before.get(key)
            if old is not None and old.get("value") != entry.get("value"):
                changed.setdefault(code, {})[key] = (old.get("value"), entry.get("value"))
    return changed


def report_content(
    report: Report, sections: QuerySet[ReportSection] | list[ReportSection] | None = None
) -> dict:
    """The report as it stands (its last build and the narrative): see the module docstring."""
    rows = list(
        sections if sections is not None else report.sections.select_related("unit").order_by("order", "pk")
    )
    counters = [0, 0, 0]
    out = []
    for row in rows:
        out.append(
            {
                "key": row.key,
                "unit": {"id": row.unit_id, "name": row.unit.name} if row.unit_id else None,
                "level": row.level,
                "number": _section_number(row.level, counters),
                "heading": row.heading,
                "parts": row.parts,
                "figure_text": row.figure_text,
                "figure_error": row.figure_error,
                "narrative": row.narrative,
                "table": row.table_data,
                "chart": row.chart_data,
            }
        )
    coverage = report_coverage(report)
    metrics = {
        m.key: {"label": m.label, "unit": m.unit, "kind": m.kind}
        for m in all_metrics()
        if any(m.key in stored for stored in (report.figures or {}).values())
    }
    return {
        "title": report.title,
        "kind": report.kind,
        "kind_label": report.get_kind_display(),
        "period": coverage.as_dict(),
        "scope": report_stats_scope(report).as_dict(),
        "campaign": {"id": report.campaign_id, "name": report.campaign.name} if report.campaign_id else None,
        "built_at": report.built_at.isoformat() if report.built_at else None,
        "sections": out,
        "figures": report.figures or {},
        "metrics": metrics,
    }


def content_figures(content: dict, code: str | None = None) -> dict[str, Figure]:
    """The Figures of a content's (or version's) stored figures, for its main scope or `code`."""
    stored = content.get("figures", {}).get(code or content["scope"]["code"], {})
    return figures_from_stored(stored)


def scope_of(code: str) -> StatsScope:
    return scope_parse(code)
