"""The metric registry: every figure the dashboard, the statistics workbook and the summaries show.

A metric is a named, documented aggregate — key, Chinese label, unit, the exact definition — and a
function of a `Window` (period start and end, and the record filter of a scope) that answers with one
aggregate query in the owning app's selectors. Most metrics also name the records behind the figure
(`records`), so every figure can open the list of exactly what it counted.

Computing every metric of a roll-up one query at a time reads the same table again and again (the hazard
ledger sixteen times for a year and its year before). So a metric may also belong to a `Batch`: one
function of the owning app that answers all the metrics of one table, for the period and the year before
at once, in one aggregate query (a `COUNT(*) FILTER (WHERE …)` per metric and period). `compute` uses
the batches; a single figure (`metric.value`) still takes its own query. tests/reports/test_rollup_floor.py
holds the two to the same numbers, and both to the hand-written SQL floor of bench/rollup.py.

The definitions live in `reports/metrics/<domain>.py` (registered from ReportsConfig.ready()); a domain
whose app is not installed simply registers nothing. Families whose keys come from reference data
(activity quantities by kind, meetings by type, 约谈 by target) register a provider instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet

from accounts.scoping import Scope
from core.numbers import change_pct, change_text, plain_number, value_text

from .periods import Period
from .scopes import StatsScope

Number = int | Decimal | None
MetricKind = Literal["count", "sum", "money", "rate"]

# Display order of the domains, as the summaries tell them (accidents first).
DOMAINS: dict[str, str] = {
    "accidents": "事故",
    "hazards": "隐患排查治理",
    "inspections": "监督检查",
    "enforcement": "行政执法",
    "activities": "宣传培训与活动",
    "meetings": "会议",
    "talks": "约谈",
}


@dataclass(frozen=True)
class Window:
    """What a metric function is given: the period's first and last day (inclusive) and the scope."""

    start: dt.date
    end: dt.date
    scope: Scope

    @classmethod
    def of(cls, period: Period, stats_scope: StatsScope) -> Window:
        return cls(period.start, period.end, stats_scope.scope)


@dataclass(frozen=True)
class Batch:
    """Several metrics of one table in one aggregate query: `figures(windows=[(start, end), …],
    scope=…)` answers, for each window in order, a mapping from each metric's `field` to its value."""

    name: str
    figures: Callable[..., list[Mapping[str, Number]]]


@dataclass(frozen=True)
class Metric:
    key: str  # "hazards.found"
    label: str  # "发现隐患"
    unit: str  # 个/家/家次/次/人次/起/人/元/%
    definition: str  # the exact definition, in Chinese, as the metric registry page shows it
    value: Callable[[Window], Number]
    records: Callable[[Window], QuerySet] | None = None  # the rows behind the figure, for drill-down
    kind: MetricKind = "count"
    order: int = 100
    batch: Batch | None = None  # computed with the other metrics of its batch by `compute`
    field: str = ""  # its name in the batch's answer

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def compares(self) -> bool:
        """Counts, sums and money get a year-over-year change; a rate is compared by its own figures."""
        return self.kind != "rate"

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "kind": self.kind,
            "domain": self.domain,
            "domain_label": DOMAINS.get(self.domain, self.domain),
            "definition": self.definition,
            "has_records": self.records is not None,
        }


def window_call(func: Callable[..., Number], **fixed) -> Callable[[Window], Number]:
    """A selector written as `func(*, start, end, scope, **fixed)` as a metric's function of a window."""

    def value(window: Window) -> Number:
        return func(start=window.start, end=window.end, scope=window.scope, **fixed)

    return value


_metrics: dict[str, Metric] = {}
_providers: dict[str, Callable[[], Iterable[Metric]]] = {}


def register(metric: Metric) -> Metric:
    """Add (or replace, when ready() runs twice) a metric."""
    if "." not in metric.key or metric.domain not in DOMAINS:
        raise ValueError(f"metric key {metric.key!r} must be '<domain>.<name>' with a known domain")
    _metrics[metric.key] = metric
    return metric


def register_family(name: str, provider: Callable[[], Iterable[Metric]]) -> None:
    """Metrics whose keys come from reference data, listed afresh each time the registry is read."""
    _providers[name] = provider


def all_metrics() -> list[Metric]:
    """Every metric, by domain (DOMAINS order) and then by its order."""
    found = dict(_metrics)
    for provider in _providers.values():
        for metric in provider():
            found.setdefault(metric.key, metric)
    domain_rank = {name: i for i, name in enumerate(DOMAINS)}
    return sorted(found.values(), key=lambda m: (domain_rank.get(m.domain, 99), m.order, m.key))


def get_metric(key: str) -> Metric:
    """The metric `key`; KeyError when there is none (the app is not installed or the key is wrong)."""
    for metric in all_metrics():
        if metric.key == key:
            return metric
    raise KeyError(key)


@dataclass(frozen=True)
class Figure:
    """One metric for one period and scope, with the same period a year before."""

    metric: Metric
    value: Number
    previous: Number

    @property
    def change_pct(self) -> Decimal | None:
        return change_pct(self.value, self.previous) if self.metric.compares else None

    @property
    def text(self) -> str:
        return value_text(self.value, self.metric.unit)

    @property
    def previous_text(self) -> str:
        return value_text(self.previous, self.metric.unit)

    @property
    def change_text(self) -> str:
        return change_text(self.value, self.previous) if self.metric.compares else ""

    def as_dict(self) -> dict:
        """The `report_stats` / API contract: plain JSON numbers, money in yuan, rates in percent."""
        return {
            "value": plain_number(self.value),
            "text": self.text,
            "previous": plain_number(self.previous),
            "change_pct": plain_number(self.change_pct),
        }


def compute(
    period: Period, stats_scope: StatsScope, *, keys: Iterable[str] | None = None
) -> dict[str, Figure]:
    """Every metric (or those in `keys`) computed fresh from the records, for the period and the same
    period a year before: each batch once for both periods, each metric of no batch twice."""
    now = Window.of(period, stats_scope)
    return compute_windows(now, Window.of(period.year_before(), stats_scope), keys=keys)


def compute_windows(now: Window, before: Window, *, keys: Iterable[str] | None = None) -> dict[str, Figure]:
    """`compute` for any two date ranges of one scope (a campaign's dates and the same dates a year
    before): one query per batch for both ranges. Pass the same window twice when no 同比 is wanted: each
    metric of no batch then runs once."""
    wanted = set(keys) if keys is not None else None
    spans = [(now.start, now.end), (before.start, before.end)]
    answered: dict[str, list[Mapping[str, Number]]] = {}
    result: dict[str, Figure] = {}
    for metric in all_metrics():
        if wanted is not None and metric.key not in wanted:
            continue
        if metric.batch is None:
            value = metric.value(now)
            result[metric.key] = Figure(metric, value, value if before is now else metric.value(before))
            continue
        name = metric.batch.name
        if name not in answered:
            answered[name] = metric.batch.figures(windows=spans, scope=now.scope)
        value, previous = (figures[metric.field] for figures in answered[name])
        result[metric.key] = Figure(metric, value, previous)
    return result


def figures_from_stored(stored: dict) -> dict[str, Figure]:
    """Figures from a roll-up's stored JSON ({key: {"value": v, "previous": p}}); keys no longer
    registered are dropped, money and rates come back as Decimal."""
    result: dict[str, Figure] = {}
    for metric in all_metrics():
        entry = stored.get(metric.key)
        if entry is None:
            continue
        result[metric.key] = figure_from_stored(metric, entry)
    return result


def figure_from_stored(metric: Metric, entry: dict) -> Figure:
    """One stored figure ({"value": v, "previous": p}) of a metric already at hand: no registry lookup, which
    reads the activity code tables (a ranking builds one per township)."""
    return Figure(metric, _number(entry.get("value")), _number(entry.get("previous")))


def figures_to_stored(figures: dict[str, Figure]) -> dict:
    return {
        key: {"value": plain_number(f.value), "previous": plain_number(f.previous)}
        for key, f in figures.items()
    }


def _number(value) -> Number:
    if value is None or isinstance(value, int):
        return value
    return Decimal(str(value))
