"""The statistics contract shared by `manage.py report_stats` and `/api/v1/stats/`:

    {"period": {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "label": "…"},
     "scope": {"code": "…", "name": "…"},
     "metrics": {KEY: {"value": …, "text": "…", "previous": …, "change_pct": …}}}

computed fresh from the records (`registry.compute`), and the reading of a period as a person or a
client writes it, refused with a Chinese message (ValueError) when it cannot be read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .periods import MAX_YEAR, MIN_YEAR, Period
from .registry import Figure, compute
from .scopes import StatsScope

# A period needs its year before (同比) to be a period too: Period accepts 1900–9999.


def _bad_period(text: str) -> ValueError:
    return ValueError(
        _("统计期间“%(text)s”无法识别：请写成 2026、2026-H1、2026-Q3 或 2026-M03（年份 %(min)s–%(max)s）。")
        % {"text": text, "min": MIN_YEAR, "max": MAX_YEAR}
    )


def period_from_key(text: str) -> Period:
    """ "2026", "2026-H1", "2026-Q3", "2026-M03" (or "2026-03"); ValueError with a Chinese message."""
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise _bad_period(text) from exc
    if not MIN_YEAR <= period.year <= MAX_YEAR:
        raise _bad_period(text)
    return period


def _whole(text: str | int | None, name: str, low: int, high: int) -> int:
    value = str(text).strip()
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise ValueError(
            _("%(name)s“%(value)s”不正确：应为 %(low)s 到 %(high)s 之间的整数。")
            % {"name": name, "value": text, "low": low, "high": high}
        )
    return int(value)


def period_of(
    year: str | int,
    *,
    quarter: str | int | None = None,
    month: str | int | None = None,
    half: str | int | None = None,
) -> Period:
    """The period of the command's --year with at most one of --quarter / --month / --half; each part
    checked, ValueError with a Chinese message."""
    parts = [
        name
        for name, value in (("--quarter", quarter), ("--month", month), ("--half", half))
        if value is not None
    ]
    if len(parts) > 1:
        raise ValueError(_("%(parts)s 只能选一个：一次统计一个期间。") % {"parts": "、".join(parts)})
    y = _whole(year, _("年份"), MIN_YEAR, MAX_YEAR)
    if quarter is not None:
        return Period(y, "quarter", _whole(quarter, _("季度"), 1, 4))
    if month is not None:
        return Period(y, "month", _whole(month, _("月份"), 1, 12))
    if half is not None:
        return Period(y, "half", _whole(half, _("半年"), 1, 2))
    return Period(y, "year")


def period_dict(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}


def stats_payload(period: Period, stats_scope: StatsScope, figures: dict[str, Figure] | None = None) -> dict:
    """The contract for `period` and `stats_scope`; `figures` computed fresh unless given."""
    if figures is None:
        figures = compute(period, stats_scope)
    return {
        "period": period_dict(period),
        "scope": stats_scope.as_dict(),
        "metrics": {key: figure.as_dict() for key, figure in figures.items()},
    }
