"""Reads of the monthly evaluation (月度评估): which evaluations a user sees, the evaluation page's table,
the follow-ups a user may see, the dashboard's panel.

Visibility: the district office (can_manage) sees drafts and published evaluations; everyone else (the
leaders, townships and departments) only the published ones — a draft is work in progress. In a
published ranking everyone sees each unit's total and rank; the per-indicator figures, the entered
scores' reasons and the follow-ups of a unit are shown to whoever may see that unit's figures
(scopes.scope_allowed: district-wide users every unit, a township its own, a department its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import OrgUnit, User
from accounts.scoping import scope_for
from core.numbers import value_text

from .models_evaluation import (
    Evaluation,
    EvaluationFollowUp,
    EvaluationScore,
    EvaluationState,
    EvaluationTarget,
    IndicatorRule,
)
from .periods import Period, today
from .permissions_evaluation import can_manage

MONTHS_OFFERED = 12
BOTTOM = 3  # the units a follow-up is offered for first: the last three


def evaluation_list(*, user: User) -> QuerySet[Evaluation]:
    rows = Evaluation.objects.all()
    if not can_manage(user):
        rows = rows.filter(state=EvaluationState.PUBLISHED)
    return rows.select_related("published_by").order_by("-period_key", "target")


def evaluation_get(*, user: User, pk: int) -> Evaluation:
    """The evaluation if the user may see it; 404 otherwise (a draft does not exist for a township)."""
    found = evaluation_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def visible_unit_ids(user: User, unit_ids) -> set[int]:
    """Which of these units' detail the user may see (one query, none for district-wide users)."""
    ids = set(unit_ids)
    scope = scope_for(user)
    if scope.everything:
        return ids
    if scope.department_id is not None:
        return ids & {scope.department_id}
    if scope.subtree_path is None:
        return set()
    paths = OrgUnit.objects.filter(pk__in=ids).values_list("pk", "path")
    return {pk for pk, path in paths if path.startswith(scope.subtree_path)}


@dataclass(frozen=True)
class Cell:
    spec: dict
    value_text: str
    score: str | None
    reason: str = ""


def _value_text(spec: dict, value) -> str:
    if spec["rule"] == IndicatorRule.ENTERED:
        return ""
    return value_text(value, spec.get("unit", ""))


def evaluation_table(evaluation: Evaluation, user: User) -> dict:
    """The evaluation page's table: the indicators, and each row with its rank, total and (where the user
    may see them) each indicator's figure, score and reason; the units at the bottom."""
    specs = evaluation.indicators
    rows = evaluation.results.get("rows", [])
    shown = visible_unit_ids(user, [row["unit_id"] for row in rows])
    reasons = {
        (score.indicator.code, score.unit_id): score
        for score in EvaluationScore.objects.filter(evaluation=evaluation).select_related(
            "indicator", "entered_by"
        )
    }
    lowest = sorted({row["rank"] for row in rows}, reverse=True)[:BOTTOM] if rows else []
    bottom_ranks = set(lowest)
    table = []
    for row in rows:
        detail = row["unit_id"] in shown
        cells = []
        for spec in specs:
            entered = reasons.get((spec["code"], row["unit_id"]))
            cells.append(
                Cell(
                    spec=spec,
                    value_text=_value_text(spec, row["values"].get(spec["code"])) if detail else "",
                    score=row["scores"].get(spec["code"]) if detail else None,
                    reason=entered.reason if (detail and entered) else "",
                )
            )
        table.append(
            {
                **row,
                "detail": detail,
                "cells": cells,
                "bottom": len(rows) > BOTTOM and row["rank"] in bottom_ranks,
            }
        )
    return {"specs": specs, "rows": table, "as_of": evaluation.results.get("as_of", "")}


def entered_specs(evaluation: Evaluation) -> list[dict]:
    return [spec for spec in evaluation.indicators if spec["rule"] == IndicatorRule.ENTERED]


def follow_ups(evaluation: Evaluation, user: User) -> list[EvaluationFollowUp]:
    """The evaluation's follow-ups of the units whose detail the user may see."""
    rows = list(
        EvaluationFollowUp.objects.filter(evaluation=evaluation)
        .select_related("unit", "activity", "created_by")
        .order_by("created_at", "pk")
    )
    shown = visible_unit_ids(user, [row.unit_id for row in rows])
    return [row for row in rows if row.unit_id in shown]


def follow_up_get(*, user: User, pk: int) -> EvaluationFollowUp:
    """A follow-up if the user may see its evaluation and its unit; 404 otherwise."""
    found = EvaluationFollowUp.objects.select_related("evaluation", "unit").filter(pk=pk).first()
    if found is None:
        raise Http404
    evaluation_get(user=user, pk=found.evaluation_id)
    if found.unit_id not in visible_unit_ids(user, [found.unit_id]):
        raise Http404
    return found


def month_choices(on=None) -> list[Period]:
    """The months the office may evaluate: this one and the eleven before, newest first."""
    month = Period.containing("month", on or today())
    months = [month]
    while len(months) < MONTHS_OFFERED:
        months.append(months[-1].previous())
    return months


def period_label(evaluation: Evaluation) -> str:
    try:
        return Period.parse(evaluation.period_key).label
    except ValueError:
        return evaluation.period_key


def latest_published(target: str) -> Evaluation | None:
    return (
        Evaluation.objects.filter(state=EvaluationState.PUBLISHED, target=target)
        .order_by("-period_key")
        .first()
    )


def dashboard_panel(user: User) -> dict | None:
    """The latest published ranking of the townships (and of the departments), for the 统计 page: two
    queries, nothing when none is published."""
    panels = []
    for target in (EvaluationTarget.TOWNSHIP, EvaluationTarget.DEPARTMENT):
        evaluation = latest_published(target)
        if evaluation is not None:
            panels.append(
                {
                    "evaluation": evaluation,
                    "label": period_label(evaluation),
                    "rows": evaluation.results.get("rows", []),
                }
            )
    return {"panels": panels} if panels else None
