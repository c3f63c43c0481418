"""Writes of the reports app: the stored figures (Rollup) of a period and scope.

A roll-up is computed from the records by the metric registry and stored in place, one row per
(period, scope), so computing it again is idempotent (reports.rollups). A record entered or corrected
late marks the roll-ups of its periods stale (reports.signals); the 10-minute beat recomputes them
(reports.tasks.rollups_recompute_stale). How a job flows: docs/architecture.md, "A Celery job".
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.audit import audit_event

from .models import Rollup
from .periods import Period
from .rollups import rollup_compute, rollups_mark_stale, rollups_mark_stale_between
from .scopes import StatsScope, scope_allowed
from .tasks import queue_rollup_compute_on_commit

__all__ = [
    "rollup_compute",
    "rollup_request_recompute",
    "rollups_mark_stale",
    "rollups_mark_stale_between",
]

# Who may press 重新计算: the district office and the administrator.
RECOMPUTE_ROLES = (Role.OFFICER, Role.ADMIN)


@transaction.atomic
def rollup_request_recompute(*, period: Period, stats_scope: StatsScope, user: User) -> None:
    """重新计算: an officer asks for the figures of `period` and `stats_scope` afresh.

    The stored row (if any) is marked stale at once, so the dashboard says 待重新计算, and the
    computation is queued after the commit; the caller returns without waiting (inline without a
    broker). With the broker down nothing is lost: the stale row is taken by the 10-minute sweep.
    Who asked goes to the audit log (core.audit, event "rollup_recompute"), as other actions that
    change no record of the ledgers do.
    """
    if user.role not in RECOMPUTE_ROLES or not scope_allowed(user, stats_scope):
        raise PermissionDenied(_("只有区安委办/应急局可以重新计算统计数据。"))
    Rollup.objects.filter(period_key=period.key, scope_code=stats_scope.code).update(stale=True)
    audit_event("rollup_recompute", user=user.get_username(), period=period.key, scope=stats_scope.code)
    queue_rollup_compute_on_commit(period.key, stats_scope.code)
