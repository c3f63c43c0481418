"""Reads of the stored figures (Rollup): what the dashboard shows, with the time it was computed.

Who may see which scope is decided by the caller with `reports.scopes.scope_allowed`; a roll-up holds
nothing but the figures of its (period, scope).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.fields.json import KeyTransform

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


def rollup_entries(
    periods: Iterable[Period], scopes: Iterable[StatsScope], keys: Iterable[str]
) -> dict[tuple[str, str], dict[str, dict]]:
    """A few stored entries ({"value": v, "previous": p}) of the roll-ups of every (period, scope) pair, as
    {(period key, scope code): {metric key: entry}}, in one query that reads only those keys of each
    roll-up's JSON; pairs not computed yet are absent. A city's ranking decoded 125 whole roll-ups (83
    metrics each) to show three figures of each, the trend twelve to show three."""
    keys = list(keys)
    period_keys = {p.key for p in periods}
    codes = {s.code for s in scopes}
    if not keys or not period_keys or not codes:
        return {}
    picked = {f"entry_{i}": KeyTransform(key, "figures") for i, key in enumerate(keys)}
    rows = (
        Rollup.objects.filter(period_key__in=period_keys, scope_code__in=codes)
        .order_by()
        .values("period_key", "scope_code", **picked)
    )
    return {
        (row["period_key"], row["scope_code"]): {
            key: row[f"entry_{i}"] for i, key in enumerate(keys) if row[f"entry_{i}"] is not None
        }
        for row in rows
    }


def rollup_figures(rollup: Rollup | None) -> dict[str, registry.Figure]:
    """The figures of a stored roll-up ({metric key: Figure}); metrics no longer registered are
    dropped. Empty for None (not computed yet)."""
    if rollup is None:
        return {}
    return registry.figures_from_stored(rollup.figures)


def rollups_stale_count() -> int:
    """How many stored roll-ups wait for the 10-minute recompute (the sweep's work)."""
    return Rollup.objects.filter(stale=True).count()
