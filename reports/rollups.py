"""Roll-ups: computing and storing the figures of a (period, scope), and marking them stale.

The computation itself, below the tasks that run it (reports.tasks imports this module; the services
re-export these functions and add the ones that queue tasks). How a job flows: docs/architecture.md,
"A Celery job".
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import Q
from django.utils import timezone

from core.parallel import parallel_workers

from . import registry
from .models import Rollup
from .periods import Period
from .scopes import StatsScope


def rollup_compute(*, period: Period, stats_scope: StatsScope) -> Rollup:
    """Compute every metric of `period` for `stats_scope` from the records and store the figures.

    The row is first cleared of its stale flag in its own statement, and only then are the records
    read: a late record committed meanwhile marks the row stale again after this (reports.signals
    marks after its commit), so a recompute is never lost and no lock is held while computing. Should
    the computation fail, the row is marked stale again for the next sweep.
    """
    keys = {"period_key": period.key, "scope_code": stats_scope.code}
    Rollup.objects.filter(**keys, stale=True).update(stale=False)
    try:
        with parallel_workers():  # a period's records, one pass per table: worth the cores (core/parallel.py)
            figures = registry.compute(period, stats_scope)
        return _rollup_store(period=period, stats_scope=stats_scope, figures=figures)
    except Exception:
        if not transaction.get_connection().needs_rollback:
            with suppress(DatabaseError, InterfaceError):  # the database itself may be what failed
                Rollup.objects.filter(**keys).update(stale=True)
        raise


def _rollup_store(*, period: Period, stats_scope: StatsScope, figures: dict[str, registry.Figure]) -> Rollup:
    # One upsert (INSERT … ON CONFLICT DO UPDATE), not get-then-save: two people opening a new period
    # at the same moment both compute it, and the second simply replaces the first's identical row.
    fields = {
        "period_kind": period.kind,
        "period_start": period.start,
        "period_end": period.end,
        "scope_unit_id": stats_scope.unit_id,
        "figures": registry.figures_to_stored(figures),
        "computed_at": timezone.now(),
        "settled": period.has_ended(),
    }
    Rollup.objects.bulk_create(
        [Rollup(period_key=period.key, scope_code=stats_scope.code, stale=False, **fields)],
        update_conflicts=True,
        unique_fields=["period_key", "scope_code"],
        update_fields=list(fields),
    )
    return Rollup.objects.get(period_key=period.key, scope_code=stats_scope.code)


def rollups_mark_stale(*, day: dt.date) -> int:
    """Mark stale every stored roll-up whose period contains `day`, or whose year-before figures
    (同比) do. Returns how many rows were marked."""
    return rollups_mark_stale_between(ranges=[(day, day)])


def rollups_mark_stale_between(*, ranges: list[tuple[dt.date, dt.date]]) -> int:
    """Mark stale the stored roll-ups whose period overlaps any of the (first, last) day ranges, or
    whose year-before period does. One UPDATE; rows already stale are left alone."""
    overlaps = Q()
    for start, end in ranges:
        for first, last in ((start, end), (_year_later(start), _year_later(end))):
            overlaps |= Q(period_start__lte=last, period_end__gte=first)
    if not ranges:
        return 0
    return Rollup.objects.filter(overlaps, stale=False).update(stale=True)


def _year_later(day: dt.date) -> dt.date:
    # 29 February has no twin: the 28th lies in the same month, which is all a period needs.
    return dt.date(day.year + 1, day.month, min(day.day, 28) if day.month == 2 else day.day)
