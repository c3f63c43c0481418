"""Which days a record of the ledgers counts on, for marking stored roll-ups stale when it is written
late: the table used by reports.signals (each save and delete) and by the nightly sweep of writes that
send no signals (bulk imports, queryset updates).

A record's own dates are read from its row (found/closed, occurred, inspection date, opened/decided,
activity date…); rows that count through a parent (an inspection record through its action, a penalty
through its case, an activity's quantities) are resolved through the parent's dates, one query per
parent model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models

from campaigns.models import Activity, ActivityQuantity, ActivityTalkTarget
from enforcement.models import Case, Measure, Penalty
from hazards.models import Accident, Hazard
from inspections.models import InspectionAction, InspectionRecord

from .periods import today
from .rollups import rollups_mark_stale_between

Span = tuple[dt.date, dt.date]


def _span(first: dt.date | None, last: dt.date | None = None) -> list[Span]:
    if first is None:
        return []
    last = last or first
    return [(min(first, last), max(first, last))]


def _hazard_spans(v: dict) -> list[Span]:
    # Counted in the period it was found in, and — until it is closed — in every period's overdue
    # figure from its deadline on: from the day found to the day closed (today while open).
    found = v.get("found_on")
    if found is None:
        return []
    return _span(found, v.get("closed_on") or max(today(), v.get("deadline") or found))


def _case_spans(v: dict) -> list[Span]:
    return _span(v.get("opened_on")) + _span(v.get("decided_on"))


@dataclass(frozen=True)
class Tracked:
    """A model whose rows count in the figures: its own date fields (read by `spans`) and the parents
    through which it counts (foreign key attname → parent model)."""

    fields: tuple[str, ...]
    spans: Callable[[dict], list[Span]]
    parents: dict[str, type[models.Model]] = field(default_factory=dict)
    written: str | None = None  # the row's auto timestamp (updated, else created), for the nightly sweep


def _no_spans(v: dict) -> list[Span]:
    return []


TRACKED: dict[type[models.Model], Tracked] = {
    Hazard: Tracked(("found_on", "closed_on", "deadline"), _hazard_spans, written="updated"),
    Accident: Tracked(("occurred_on",), lambda v: _span(v.get("occurred_on")), written="updated"),
    InspectionAction: Tracked(("date",), lambda v: _span(v.get("date")), written="updated"),
    InspectionRecord: Tracked(("action_id",), _no_spans, {"action_id": InspectionAction}, "updated"),
    Case: Tracked(("opened_on", "decided_on"), _case_spans, written="updated"),
    Penalty: Tracked(("case_id",), _no_spans, {"case_id": Case}, "created"),
    Measure: Tracked(
        ("start_on", "case_id"), lambda v: _span(v.get("start_on")), {"case_id": Case}, "created"
    ),
    Activity: Tracked(
        ("date", "end_date"), lambda v: _span(v.get("date"), v.get("end_date")), written="updated"
    ),
    # Written with their activity (whose own timestamp the sweep sees).
    ActivityQuantity: Tracked(("activity_id",), _no_spans, {"activity_id": Activity}),
    ActivityTalkTarget: Tracked(("activity_id",), _no_spans, {"activity_id": Activity}),
}


class Touched:
    """Days and parent ids collected from written rows; `mark()` resolves the parents and marks the
    roll-ups overlapping the days (and their 同比 year) stale in one UPDATE."""

    def __init__(self) -> None:
        self.spans: set[Span] = set()
        self.parents: dict[type[models.Model], set[int]] = {}

    def note(self, model: type[models.Model], values: dict) -> None:
        tracked = TRACKED[model]
        self.spans.update(tracked.spans(values))
        for attname, parent in tracked.parents.items():
            if values.get(attname) is not None:
                self.parents.setdefault(parent, set()).add(values[attname])

    def mark(self) -> int:
        spans = set(self.spans)
        for parent, ids in self.parents.items():
            tracked = TRACKED[parent]
            for row in parent._base_manager.filter(pk__in=ids).values(*tracked.fields):
                spans.update(tracked.spans(row))
        return rollups_mark_stale_between(ranges=merge_spans(spans)) if spans else 0


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or adjacent spans as one: a short UPDATE for an import of many days."""
    merged: list[list[dt.date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(first, last) for first, last in merged]


def rollups_mark_written_since(*, since: dt.datetime) -> int:
    """The nightly sweep: writes that sent no signal (bulk_create in the importers, queryset updates
    that set the timestamp) — mark stale the roll-ups of the days of every row written since `since`.
    One query per model (distinct date tuples), one per parent model, one UPDATE."""
    touched = Touched()
    for model, tracked in TRACKED.items():
        if tracked.written is None:
            continue
        rows = (
            model._base_manager.filter(**{f"{tracked.written}__gte": since})
            .values(*tracked.fields)
            .distinct()
        )
        for values in rows:
            touched.note(model, values)
    return touched.mark()
