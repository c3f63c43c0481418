"""Background work of the reports app: the roll-ups (stored figures) of every period and scope.

Every task takes strings (a period key such as "2026-M03", a scope code "district" or a unit id) and
is idempotent: a roll-up is one row per (period, scope), replaced in place. Big jobs are a fan-out of
small ones — a task per (period, scope) — so a worker that dies loses one small computation (acks_late
hands it out again), a database hiccup retries one small computation, and several workers share the
work. Schedule (CELERY_BEAT_SCHEDULE, Asia/Shanghai): `rollup_nightly` at 02:30,
`rollups_recompute_stale` every 10 minutes. Without a broker every task runs inline.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import KombuError

from .late_records import rollups_mark_written_since
from .models import Rollup
from .periods import Period, current_periods, today
from .rollups import rollup_compute
from .scopes import rollup_scopes, scope_parse
from .selectors import rollups_for

logger = logging.getLogger(__name__)

# Postgres restarting, a connection cut, a failover: try again later, waiting longer each time.
DATABASE_ERRORS = (OperationalError, InterfaceError)
# The nightly sweep looks at rows written in the last 25 hours (an hour of overlap: nothing slips
# between two nights when the beat runs a little late).
WRITES_LOOKBACK = dt.timedelta(hours=25)
# How many stale roll-ups one sweep queues; the rest wait for the next sweep ten minutes later.
STALE_BATCH = 2000


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    autoretry_for=DATABASE_ERRORS,
    max_retries=5,
    retry_backoff=15,
    retry_backoff_max=600,
    # No jitter: Celery's full jitter may draw a countdown of 0, i.e. retry at once against a database that
    # is still starting. 15, 30, 60 … s; the many tasks of one outage are spread by when they were queued.
    retry_jitter=False,
    soft_time_limit=300,
    time_limit=360,
)
def rollup_compute_task(self, period_key: str, scope_code: str, only_if_stale: bool = False) -> bool:
    """Compute and store the figures of one period for one scope; True when computed.

    Idempotent (the row is replaced in place). `only_if_stale` (the sweep): skip a row that is no
    longer stale — another copy of this task got there first. A period key or scope that no longer
    parses (a unit deleted since the task was queued) is logged and skipped, not retried."""
    try:
        period = Period.parse(period_key)
        stats_scope = scope_parse(scope_code)
    except ValueError:
        logger.warning("Roll-up %s · %s skipped: period or scope unknown", period_key, scope_code)
        return False
    if (
        only_if_stale
        and not Rollup.objects.filter(period_key=period.key, scope_code=stats_scope.code, stale=True).exists()
    ):
        return False
    rollup_compute(period=period, stats_scope=stats_scope)
    return True


def queue_rollup_compute(period_key: str, scope_code: str, *, only_if_stale: bool = False) -> bool:
    """Queue one computation; with the broker down, log it and say False (a stale row is picked up by
    the next sweep, the current periods by the next night)."""
    try:
        rollup_compute_task.delay(period_key, scope_code, only_if_stale)
    except (KombuError, OSError):
        logger.warning("Roll-up %s · %s could not be queued", period_key, scope_code, exc_info=True)
        return False
    return True


def queue_rollup_compute_on_commit(period_key: str, scope_code: str) -> None:
    """Queue one computation once the caller's transaction has committed (robust: a failure to queue,
    or an inline computation that fails, never undoes the caller's action)."""
    transaction.on_commit(partial(queue_rollup_compute, period_key, scope_code), robust=True)


@shared_task(ignore_result=True)
def rollup_nightly() -> int:
    """Nightly (02:30 Asia/Shanghai): refresh this month, quarter, half and year for the district and
    every township and department, and settle the period of each kind that has just ended (computed
    once after its end; later corrections go through the stale sweep, including rows written in bulk
    during the day, marked here). Fans out one task per (period, scope); returns how many were queued."""
    # Rows written since the last night without a signal (bulk imports): their roll-ups go stale first.
    rollups_mark_written_since(since=timezone.now() - WRITES_LOOKBACK)
    current = current_periods(today())
    ended = [period.previous() for period in current]
    scopes = rollup_scopes()
    stored = rollups_for(ended, scopes)
    pairs = [(period, scope) for period in current for scope in scopes]
    for period in ended:
        for scope in scopes:
            rollup = stored.get((period.key, scope.code))
            if rollup is None or not rollup.settled or rollup.stale:
                pairs.append((period, scope))
    for period, scope in pairs:
        rollup_compute_task.delay(period.key, scope.code)
    return len(pairs)


def year_periods(year: int) -> list[Period]:
    """The 19 periods of a year: 12 months, 4 quarters, 2 halves and the year."""
    return [
        *(Period(year, "month", m) for m in range(1, 13)),
        *(Period(year, "quarter", q) for q in range(1, 5)),
        *(Period(year, "half", h) for h in range(1, 3)),
        Period(year, "year"),
    ]


@shared_task(ignore_result=True)
def rollup_build_year(year: int) -> int:
    """(Re)build a whole year for the district and every township and department (manage.py
    rollup_build --year Y): one small task per (period, scope), never one long task. Returns how many
    were queued."""
    periods = year_periods(int(year))
    scopes = rollup_scopes()
    for period in periods:
        for scope in scopes:
            rollup_compute_task.delay(period.key, scope.code)
    return len(periods) * len(scopes)


@shared_task(ignore_result=True)
def rollups_recompute_stale() -> int:
    """Every 10 minutes: recompute the roll-ups marked stale by records entered or corrected late
    (reports.signals), by 重新计算, or by a computation that failed. Queues one task per stale row
    (oldest period first, at most STALE_BATCH); a copy queued twice computes once. Returns how many."""
    rows = list(
        Rollup.objects.filter(stale=True)
        .order_by("period_start", "period_end", "scope_code")
        .values_list("period_key", "scope_code")[:STALE_BATCH]
    )
    for period_key, scope_code in rows:
        rollup_compute_task.delay(period_key, scope_code, True)
    return len(rows)
