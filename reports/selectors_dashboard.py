"""What the dashboard, the leader's home panel and the drill-down pages read.

Figures come from the stored roll-ups (reports.models.Rollup): one query for the period's figures, one
for the twelve months of the trend, one for the townships' ranking — whatever the number of records, so
the pages cost the same number of queries in a small district and a large one. When a period has no
roll-up yet it is computed once, here, and stored (then the next visit reads it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.db.models import F, QuerySet
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import TOWNSHIP_KINDS
from accounts.models import User
from enforcement.models import Case
from enforcement.selectors import case_list
from hazards.models import Hazard
from hazards.selectors import listed_hazards

from . import selectors, services
from .models import Rollup
from .periods import Period, last_twelve_months, today
from .registry import DOMAINS, Figure, Metric, figure_from_stored, figures_from_stored
from .scopes import StatsScope, townships

# The figures a leader sees first (home panel and the head of the 统计 page), in this order; a key whose
# app is not installed is left out.
KEY_METRICS = (
    "accidents.count",
    "accidents.deaths",
    "hazards.found",
    "hazards.rectified",
    "hazards.rectification_rate",
    "hazards.overdue",
    "inspections.actions",
    "inspections.units",
    "enforcement.cases",
    "enforcement.fines_total",
)
# The trend chart: hazards found and closed, inspection actions, per month.
TREND_SERIES = (
    ("found", "hazards.found", _("发现隐患")),
    ("closed", "hazards.rectified", _("已整改销号")),
    ("actions", "inspections.actions", _("检查行动")),
)
TOP = 10
# The stored figures the townships' ranking shows.
RANKING_KEYS = ("hazards.found", "hazards.rectification_rate", "hazards.overdue")


def figure_url(key: str, period: Period, stats_scope: StatsScope) -> str:
    """The drill-down page of `key`: the records behind the figure."""
    return f"{_figure_path(key, get_script_prefix(), get_urlconf())}?{_figure_query(period.key, stats_scope.code)}"


@lru_cache(maxsize=1024)
def _figure_query(period_key: str, scope_code: str) -> str:
    # Three links a township in the ranking share it.
    return urlencode({"period": period_key, "scope": scope_code})


@lru_cache(maxsize=256)
def _figure_path(key: str, prefix: str, urlconf) -> str:
    # The dashboard links ~500 figures (125 townships × 3 in the ranking at city scale): reverse() each
    # time was a fifth of the page. The prefix and urlconf are the cache key because reverse() uses them.
    return reverse("reports:figure", args=[key])


def dashboard_url(period: Period, stats_scope: StatsScope) -> str:
    return f"{reverse('reports:dashboard')}?{urlencode({'period': period.key, 'scope': stats_scope.code})}"


@dataclass
class StoredFigures:
    """The figures of one (period, scope) as stored, and whether this visit had to compute them."""

    period: Period
    stats_scope: StatsScope
    rollup: Rollup
    figures: dict[str, Figure]
    computed_now: bool = False
    links: dict[str, str] = field(default_factory=dict)

    @property
    def computed_at(self):
        return self.rollup.computed_at

    def item(self, key: str) -> dict | None:
        figure = self.figures.get(key)
        if figure is None:
            return None
        return {"key": key, "figure": figure, "metric": figure.metric, "url": self.links.get(key, "")}

    def items(self, keys) -> list[dict]:
        return [item for item in (self.item(key) for key in keys) if item is not None]

    def by_domain(self) -> list[dict]:
        """Every stored figure, grouped by domain in the summaries' order."""
        groups: dict[str, list[dict]] = {}
        for key in self.figures:  # figures_from_stored keeps the registry's order
            groups.setdefault(self.figures[key].metric.domain, []).append(self.item(key))
        return [{"domain": d, "label": DOMAINS.get(d, d), "items": groups[d]} for d in DOMAINS if d in groups]


def stored_figures(period: Period, stats_scope: StatsScope) -> StoredFigures:
    """The stored figures of (period, scope); computed and stored now when there are none yet."""
    rollup = selectors.rollup_get(period=period, stats_scope=stats_scope)
    computed_now = rollup is None
    if rollup is None:
        rollup = services.rollup_compute(period=period, stats_scope=stats_scope)
    figures = figures_from_stored(rollup.figures)
    links = {
        key: figure_url(key, period, stats_scope)
        for key, f in figures.items()
        if f.metric.records is not None
    }
    return StoredFigures(period, stats_scope, rollup, figures, computed_now, links)


def trend(period: Period, stats_scope: StatsScope, metrics: dict[str, Metric]) -> dict:
    """The twelve months ending with `period`'s last month, from their stored roll-ups (one query).
    Months not computed yet are empty (null) and counted in `missing`; months after today are left out
    of `missing` (nothing to compute yet)."""
    months = last_twelve_months(period)
    keys = [key for _, key, _ in TREND_SERIES if key in metrics]
    stored = selectors.rollup_entries(months, [stats_scope], keys)
    now = today()
    series = []
    for name, key, label in TREND_SERIES:
        if key not in metrics:
            continue
        values, urls = [], []
        for month in months:
            values.append(_entry_value(stored.get((month.key, stats_scope.code)), key))
            urls.append(figure_url(key, month, stats_scope) if metrics[key].records is not None else "")
        series.append({"name": name, "key": key, "label": str(label), "values": values, "urls": urls})
    missing = [m for m in months if (m.key, stats_scope.code) not in stored and m.has_started(now)]
    rows = [
        {"title": month.label, "cells": [{"value": s["values"][i], "url": s["urls"][i]} for s in series]}
        for i, month in enumerate(months)
    ]
    return {
        "chart": {
            "labels": [m.short_label for m in months],
            "titles": [m.label for m in months],
            "series": series,
        },
        "series": series,
        "rows": rows,
        "missing": len(missing),
    }


def township_ranking(
    period: Period, metrics: dict[str, Metric], scopes: list[StatsScope] | None = None
) -> dict:
    """The townships ranked by rectification rate (highest first) and by overdue hazards (most first),
    from their stored roll-ups of `period` (one query for the units, one for the three figures shown).
    `scopes`: the page's scope list (scopes_for_user) when it holds every township already: no second query."""
    units = ranking_units(scopes)
    scopes = [StatsScope(unit) for unit in units]
    stored = {
        code: entries
        for (_, code), entries in selectors.rollup_entries([period], scopes, RANKING_KEYS).items()
    }
    rate_metric = metrics.get("hazards.rectification_rate")
    rows = []
    for stats_scope in scopes:
        entries = stored.get(stats_scope.code)
        rate = None if entries is None else entries.get("hazards.rectification_rate")
        rows.append(
            {
                "unit": stats_scope.unit,
                "computed": entries is not None,
                "found": _entry_value(entries, "hazards.found"),
                "rate": None
                if rate is None or rate_metric is None
                else figure_from_stored(rate_metric, rate),
                "overdue": _entry_value(entries, "hazards.overdue"),
                "found_url": figure_url("hazards.found", period, stats_scope),
                "rectified_url": figure_url("hazards.rectified", period, stats_scope),
                "overdue_url": figure_url("hazards.overdue", period, stats_scope),
            }
        )
    by_rate = sorted(rows, key=lambda r: (_rate_value(r) is None, -(_rate_value(r) or 0), r["unit"].order))
    by_overdue = sorted(rows, key=lambda r: (r["overdue"] is None, -(r["overdue"] or 0), r["unit"].order))
    return {
        "by_rate": by_rate,
        "by_overdue": by_overdue,
        "missing": sum(1 for r in rows if not r["computed"]),
        "has_rate": "hazards.rectification_rate" in metrics,
        "has_overdue": "hazards.overdue" in metrics,
    }


def ranking_units(scopes: list[StatsScope] | None) -> list:
    """The active townships in the ranking's order; taken from `scopes` when it is a district-wide user's list
    (rollup_scopes: every active township and department), else read."""
    if scopes is None:
        return list(townships())
    units = [s.unit for s in scopes if s.unit is not None and s.unit.kind in TOWNSHIP_KINDS]
    return sorted(units, key=lambda unit: (unit.order, unit.name))


def _entry_value(entries: dict | None, key: str):
    entry = None if entries is None else entries.get(key)
    return None if entry is None else entry.get("value")


def _rate_value(row: dict):
    return None if row["rate"] is None else row["rate"].value


def listed_now(*, user: User, stats_scope: StatsScope) -> tuple[list[Hazard], int]:
    """The hazards under 挂牌督办 now (not yet delisted) in the scope, soonest deadline first: the
    first ten and how many there are."""
    queryset = (
        listed_hazards(user=user)
        .filter(stats_scope.scope.q(Hazard), delisted_on__isnull=True)
        .select_related("enterprise")
        .order_by("deadline", "pk")
    )
    return list(queryset[:TOP]), queryset.count()


def cases_near_deadline(*, user: User, stats_scope: StatsScope) -> tuple[list[Case], int]:
    """Undecided cases past their deadline or within the warning days of it, in the scope, nearest first:
    the first ten and how many there are."""
    queryset: QuerySet[Case] = (
        case_list(user=user, filters={"deadline": "flagged"})
        .filter(stats_scope.scope.q(Case))
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )
    return list(queryset[:TOP]), queryset.count()


def metrics_by_key(figures: dict[str, Figure]) -> dict[str, Metric]:
    return {key: f.metric for key, f in figures.items()}


def stored_figure(period: Period, stats_scope: StatsScope, key: str) -> dict | None:
    """The stored figure `key` of (period, scope) and when it was computed; None when not stored yet
    (the drill-down page then shows only the live list)."""
    rollup = selectors.rollup_get(period=period, stats_scope=stats_scope)
    if rollup is None or key not in rollup.figures:
        return None
    figure = figures_from_stored({key: rollup.figures[key]}).get(key)
    return None if figure is None else {"figure": figure, "computed_at": rollup.computed_at}


def trend_months_missing(period: Period, stats_scope: StatsScope) -> list[Period]:
    """The months of `period`'s trend that have begun and have no stored roll-up (one query)."""
    months = [m for m in last_twelve_months(period) if m.has_started(today())]
    stored = selectors.rollups_for(months, [stats_scope])
    return [m for m in months if (m.key, stats_scope.code) not in stored]
