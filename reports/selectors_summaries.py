"""Reads of the work summaries (工作总结): which reports a user may see, and what their pages show —
each figure of a sentence linked to the records behind it, the figures changed since the last build,
and, for a published version, where the records now count differently from the frozen figure.

A report is seen by whoever may see its scope's figures (reports.scopes.scope_allowed): district-wide
users every report, a township's staff and leaders their township's, a department its own. Outside
that the report does not exist (404).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from accounts.scoping import scope_for
from core.numbers import value_text

from .models import Report, ReportKind, ReportSection, ReportVersion
from .registry import Window, all_metrics, compute_windows
from .scopes import DISTRICT, StatsScope, scope_allowed
from .sentences import FILTERS, filters_for
from .summaries import figures_changed, report_content, report_stats_scope


def visible_reports(user: User) -> QuerySet[Report]:
    """The reports whose scope `user` may see, with what the list shows (one query)."""
    scope = scope_for(user)
    reports = Report.objects.select_related("scope_unit", "campaign", "created_by").annotate(
        version_count=Count("versions")
    )
    if scope.everything:
        return reports
    if scope.nothing:
        return reports.none()
    if scope.department_id is not None:
        return reports.filter(scope_unit_id=scope.department_id)
    if scope.subtree_path is not None:
        return reports.filter(scope_unit__path__startswith=scope.subtree_path)
    return reports.none()


def report_get(user: User, pk: int) -> Report:
    """The report `pk` if `user` may see it; 404 otherwise (outside the scope it does not exist)."""
    report = Report.objects.select_related("scope_unit", "campaign", "created_by").filter(pk=pk).first()
    if report is None or not scope_allowed(user, report_stats_scope(report)):
        raise Http404
    return report


def version_get(user: User, report_pk: int, number: int) -> ReportVersion:
    report = report_get(user, report_pk)
    version = (
        ReportVersion.objects.select_related("published_by").filter(report=report, number=number).first()
    )
    if version is None:
        raise Http404
    version.report = report
    return version


def version_get_by_id(user: User, pk: int) -> ReportVersion:
    version = ReportVersion.objects.filter(pk=pk).only("report_id", "number").first()
    if version is None:
        raise Http404
    return version_get(user, version.report_id, version.number)


def section_get(report: Report, pk: int) -> ReportSection:
    section = ReportSection.objects.filter(report=report, pk=pk).first()
    if section is None:
        raise Http404
    return section


def report_versions(report: Report) -> list[ReportVersion]:
    return list(
        report.versions.select_related("published_by").defer("content", "figures").order_by("-number")
    )


# ---------------------------------------------------------------- figure links


def drillable_keys() -> set[str]:
    return {metric.key for metric in all_metrics() if metric.records is not None}


def drill_params(content: dict) -> dict[str, str]:
    """The dates of a report's content as the drill page reads them: the period key (annual, quarterly,
    departments), or the first and last day (a campaign's days have no period key)."""
    period = content.get("period") or {}
    if content.get("kind") == ReportKind.CAMPAIGN or not period.get("key"):
        return {"start": period.get("start", ""), "end": period.get("end", "")}
    return {"period": period["key"]}


def figure_url(key: str, params: dict[str, str], scope_code: str) -> str:
    return reverse("reports:figure", args=[key]) + "?" + urlencode({**params, "scope": scope_code})


def section_scope_code(content: dict, section: dict) -> str:
    unit = section.get("unit")
    return str(unit["id"]) if unit else content["scope"]["code"]


def linked_sections(content: dict, live: dict | None = None) -> list[dict]:
    """The content's sections, each with `segments`: [{text, url, key, note}] — url set for every figure
    whose records can be listed (the drill page with the report's dates and the section's scope); note
    set (a published version) where the records now count differently."""
    params = drill_params(content)
    drillable = drillable_keys()
    out = []
    for section in content.get("sections", []):
        code = section_scope_code(content, section)
        segments = []
        for text, key in section.get("parts") or []:
            url = figure_url(key, params, code) if key and key in drillable else ""
            note = ""
            if key and live is not None:
                note = live.get(code, {}).get(key, "")
            segments.append({"text": text, "key": key or "", "url": url, "note": note})
        out.append({**section, "segments": segments, "scope_code": code})
    return out


# ---------------------------------------------------------------- a published version against the records


def _parse_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def live_differences(content: dict) -> dict[str, dict[str, str]]:
    """{scope code: {key: note}} for each figure of the version's sentences whose value, counted now from
    the records for the same dates and scope, differs from the frozen one ("按现有记录为N，与发布时不同").
    One aggregate query per (scope, figure) named in the sentences — bounded by the template, not by
    the records."""
    period = content.get("period") or {}
    start, end = _parse_day(period.get("start")), _parse_day(period.get("end"))
    if start is None or end is None:
        return {}
    metrics = {metric.key: metric for metric in all_metrics()}
    wanted: dict[str, set[str]] = {}
    for section in content.get("sections", []):
        code = section_scope_code(content, section)
        for _text, key in section.get("parts") or []:
            if key and key in metrics:
                wanted.setdefault(code, set()).add(key)
    unit_ids = [int(code) for code in wanted if code != DISTRICT and code.isdigit()]
    units = {str(u.pk): u for u in OrgUnit.objects.filter(pk__in=unit_ids)}
    frozen = content.get("figures") or {}
    notes: dict[str, dict[str, str]] = {}
    for code, keys in wanted.items():
        if code != DISTRICT and code not in units:
            continue
        window = Window(start, end, StatsScope(units.get(code)).scope)
        # One query per batch of metrics; the "year before" is not wanted here, so it is the same range.
        live = compute_windows(window, window, keys=keys)
        for key in sorted(keys):
            metric = metrics[key]
            before = (frozen.get(code) or {}).get(key, {}).get("value")
            now = live[key].value
            if _same(before, now):
                continue
            notes.setdefault(code, {})[key] = _("按现有记录为%(n)s，与发布时不同") % {
                "n": value_text(now, metric.unit)
            }
    return notes


def _same(frozen, now) -> bool:
    if frozen is None or now is None:
        return frozen is None and now is None
    try:
        return abs(float(frozen) - float(now)) < 1e-9
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- the draft's panels


def changed_rows(report: Report) -> list[dict]:
    """The figures changed since the build before: [{scope, label, before, now}] (main scope first)."""
    changed = figures_changed(report)
    if not changed:
        return []
    metrics = {metric.key: metric for metric in all_metrics()}
    main = report.scope_code
    unit_ids = [int(code) for code in changed if code != DISTRICT and code.isdigit()]
    names = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    rows = []
    for code in sorted(changed, key=lambda c: (c != main, c)):
        scope_name = _("全区") if code == DISTRICT else names.get(int(code), code) if code.isdigit() else code
        for key, (before, now) in changed[code].items():
            metric = metrics.get(key)
            unit = metric.unit if metric else ""
            rows.append(
                {
                    "scope": scope_name,
                    "main": code == main,
                    "key": key,
                    "label": metric.label if metric else key,
                    "before": value_text(before, unit),
                    "now": value_text(now, unit),
                }
            )
    return rows


def draft_content(report: Report) -> tuple[dict, list[ReportSection]]:
    """The report's content as it stands, and its section rows in the same order (for the narrative
    forms)."""
    rows = list(report.sections.select_related("unit", "narrative_edited_by").order_by("order", "pk"))
    return report_content(report, rows), rows


# ---------------------------------------------------------------- the template editor's key list


def metric_catalogue() -> list[dict]:
    """Every metric a sentence may use, with the 写法 that fit it (shown beside the editor)."""
    return [
        {
            "key": metric.key,
            "label": metric.label,
            "unit": metric.unit,
            "domain": metric.domain,
            "filters": filters_for(metric),
        }
        for metric in all_metrics()
    ]


def filter_help() -> list[tuple[str, str]]:
    return [(name, str(text)) for name, text in FILTERS.items()]
