"""Reads of the stored figures (Rollup): what the dashboard shows, with the time it was computed.

Who may see which scope is decided by the caller with `reports.scopes.scope_allowed`; a roll-up holds
nothing but the figures of its (period, scope).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from . import registry
from .models import Rollup
from .periods import Period
from .scopes import StatsScope


def rollup_get(period: Period, stats_scope: StatsScope) -> Rollup | None:
    """The stored roll-up of `period` for `stats_scope`, or None when it has not been computed yet."""
    return Rollup.objects.filter(period_key=period.key, scope_code=stats_scope.code).first()


def rollups_for(periods: Iterable[Period], scopes: Iterable[StatsScope]) -> dict[tuple[str, str], Rollup]:
    """The stored roll-ups of every (period, scope) pair, in ONE query, keyed by (period key, scope
    code); pairs not computed yet are absent. For trends (twelve months) and rankings (townships)."""
    period_keys = {p.key for p in periods}
    scope_codes = {s.code for s in scopes}
    if not period_keys or not scope_codes:
        return {}
    rows = Rollup.objects.filter(Q(period_key__in=period_keys) & Q(scope_code__in=scope_codes))
    return {(r.period_key, r.scope_code): r for r in rows}


def rollup_figures(rollup: Rollup | None) -> dict[str, registry.Figure]:
    """The figures of a stored roll-up ({metric key: Figure}); metrics no longer registered are
    dropped. Empty for None (not computed yet)."""
    if rollup is None:
        return {}
    return registry.figures_from_stored(rollup.figures)


def rollups_stale_count() -> int:
    """How many stored roll-ups wait for the 10-minute recompute (the sweep's work)."""
    return Rollup.objects.filter(stale=True).count()
