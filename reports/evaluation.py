"""月度评估's arithmetic: the units evaluated, the raw figure of each computed indicator for each unit
(from the metric registry, this month only), the score each indicator gives, totals and ranks.

Scoring rules (EvaluationIndicator.rule), each score rounded to 0.01 (ROUND_HALF_UP):
- rate: score = weight × min(rate, 100) ÷ 100. A rate that cannot be computed (nothing to measure: no
  hazard found, no plan, no activity) scores by the indicator's `no_data` rule (full marks or 0).
- deduct: score = max(0, weight − points_per × value).
- entered: the office's score (0..weight, with its reason); none yet is "missing" and counts 0 until
  entered — an evaluation with a missing score cannot be published.
Total = the sum of the scores. Rank: by total, highest first; equal totals share a rank and the next
rank skips (1, 2, 2, 4); within a tie the units keep their usual order.

Nothing here writes: services_evaluation stores what this computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from accounts.choices import OrgKind
from accounts.models import OrgUnit
from core.numbers import plain_number

from .models_evaluation import EvaluationIndicator, EvaluationTarget, IndicatorRule, NoDataRule
from .periods import Period
from .registry import Number, Window, all_metrics, get_metric
from .scopes import StatsScope, townships

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def units_for(target: str) -> QuerySet[OrgUnit]:
    """The units evaluated: every active township, or every active department, in their usual order."""
    if target == EvaluationTarget.DEPARTMENT:
        return OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True).order_by("order", "name")
    return townships()


def snapshot(indicator: EvaluationIndicator) -> dict:
    """An indicator as it is scored now, kept in the evaluation (later edits do not change it)."""
    entry = {
        "id": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "source": indicator.source,
        "rule": indicator.rule,
        "rule_label": str(indicator.get_rule_display()),
        "metric_key": indicator.metric_key,
        "weight": str(indicator.weight.quantize(CENT)),
        "points_per": str(indicator.points_per.quantize(CENT)),
        "no_data": indicator.no_data,
        "description": indicator.description,
        "unit": "",
        "metric_label": "",
        "definition": "",
    }
    if indicator.rule != IndicatorRule.ENTERED:
        metric = get_metric(indicator.metric_key)
        entry.update(unit=metric.unit, metric_label=metric.label, definition=metric.definition)
    return entry


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def score_of(spec: Mapping, value: Number) -> Decimal:
    """The score a computed indicator gives for `value` (see the module's rules)."""
    weight = Decimal(spec["weight"])
    value = _decimal(value)
    if spec["rule"] == IndicatorRule.RATE:
        if value is None:
            return weight if spec["no_data"] == NoDataRule.FULL else Decimal("0.00")
        return (weight * min(value, HUNDRED) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    deducted = Decimal(spec["points_per"]) * (value or 0)
    return max(Decimal(0), weight - deducted).quantize(CENT, rounding=ROUND_HALF_UP)


def raw_values(
    period: Period, units: Iterable[OrgUnit], specs: list[dict], *, on: dt.date | None = None
) -> dict[int, dict[str, Number]]:
    """{unit id: {indicator code: the metric's value this month}} for the computed indicators: one
    aggregate query (or a few, see each metric) per unit and indicator — the month only, no 同比."""
    registry = {metric.key: metric for metric in all_metrics()}  # the families are listed once
    computed = [
        (spec, registry[spec["metric_key"]]) for spec in specs if spec["rule"] != IndicatorRule.ENTERED
    ]
    values: dict[int, dict[str, Number]] = {}
    for unit in units:
        window = Window(period.start, period.end, StatsScope(unit).scope)
        values[unit.pk] = {spec["code"]: metric.value(window) for spec, metric in computed}
    return values


def rank(rows: list[dict]) -> list[dict]:
    """`rows` (in the units' usual order) sorted by total, highest first, each given its rank."""
    ordered = sorted(enumerate(rows), key=lambda pair: (-Decimal(pair[1]["total"]), pair[0]))
    result = []
    for position, (_index, row) in enumerate(ordered):
        previous = result[-1] if result else None
        if previous is not None and Decimal(previous["total"]) == Decimal(row["total"]):
            row["rank"] = previous["rank"]
        else:
            row["rank"] = position + 1
        result.append(row)
    return result


def results_build(
    *,
    units: Iterable[OrgUnit],
    specs: list[dict],
    values: Mapping[int, Mapping[str, Number]],
    entered: Mapping[tuple[str, int], Decimal],
    as_of: dt.date,
) -> dict:
    """The evaluation's `results` JSON from the raw values and the entered scores."""
    rows = []
    for position, unit in enumerate(units):
        unit_values = values.get(unit.pk, {})
        scores: dict[str, str | None] = {}
        missing: list[str] = []
        total = Decimal(0)
        for spec in specs:
            code = spec["code"]
            if spec["rule"] == IndicatorRule.ENTERED:
                score = entered.get((code, unit.pk))
                if score is None:
                    missing.append(code)
            else:
                score = score_of(spec, unit_values.get(code))
            scores[code] = None if score is None else str(score.quantize(CENT))
            total += score or 0
        rows.append(
            {
                "position": position,
                "unit_id": unit.pk,
                "unit_name": unit.name,
                "unit_short": unit.short_name or unit.name,
                "values": {code: plain_number(v) for code, v in unit_values.items()},
                "scores": scores,
                "total": str(total.quantize(CENT)),
                "missing": missing,
            }
        )
    return {"rows": rank(rows), "as_of": as_of.isoformat()}


def results_rescore(results: Mapping, specs: list[dict], entered: Mapping[tuple[str, int], Decimal]) -> dict:
    """The results again with new entered scores, from the raw values already stored (no query): the
    units keep the order they were computed in (their usual order) for ties."""
    rows = sorted(results.get("rows", []), key=lambda row: row.get("position", 0))
    units = [_StoredUnit(row) for row in rows]
    values = {row["unit_id"]: row["values"] for row in rows}
    return results_build(
        units=units,
        specs=specs,
        values=values,
        entered=entered,
        as_of=dt.date.fromisoformat(results["as_of"]),
    )


class _StoredUnit:
    """A unit as a stored row names it (id, name, short name), for rescoring without a query."""

    def __init__(self, row: Mapping) -> None:
        self.pk = row["unit_id"]
        self.name = row["unit_name"]
        self.short_name = row.get("unit_short", "")
