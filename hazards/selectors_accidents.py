"""Scoped reads of the accident records and their figures for the reports.

Every figure is one aggregate query over the user's scope for a period (发生日期 from `date_from` to
`date_to`, both included). The reports count 生产安全事故 (is_production_safety); the others (a road
accident that is not a work accident, a natural disaster) are recorded but counted apart.

The 同比 wording (`Change`, `joint_text`) and the money text come from `core.numbers`, the product's
one number style; they are re-exported here for the accident pages, API and tests.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.scoping import get_object_in_scope, restrict
from core.numbers import TEN_THOUSAND, Change, joint_text, money_text, to_decimal

from .models import Accident, AccidentCategory

ZERO = Decimal("0.00")
FIGURES = ("count", "deaths", "injuries", "direct_loss")


def accident_list(*, user: User, action: str = "view") -> QuerySet[Accident]:
    return restrict(Accident.objects.all(), user, action).select_related(
        "township", "enterprise", "sector", "category"
    )


def accident_get(*, user: User, pk: int) -> Accident:
    return get_object_in_scope(
        Accident.objects.select_related("township", "enterprise", "sector", "category", "created_by"),
        user,
        "view",
        pk=pk,
    )


def categories_active() -> QuerySet[AccidentCategory]:
    return AccidentCategory.objects.filter(is_active=True)


# ---------------------------------------------------------------- figures


def _sums(condition: Q) -> dict:
    """count / deaths / injuries / direct_loss of the rows matching `condition`, as aggregates."""
    return {
        "count": Count("pk", filter=condition),
        "deaths": Coalesce(Sum("deaths", filter=condition), Value(0), output_field=IntegerField()),
        "injuries": Coalesce(Sum("injuries", filter=condition), Value(0), output_field=IntegerField()),
        "direct_loss": Coalesce(
            Sum("direct_loss", filter=condition),
            Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    }


def _period(date_from: dt.date, date_to: dt.date) -> Q:
    return Q(occurred_on__gte=date_from, occurred_on__lte=date_to)


def _counted(user: User, *, production_safety: bool, township=None, sector=None) -> QuerySet[Accident]:
    """The accidents a figure counts: the user's scope, optionally one township (its 所属街道) or one
    sector (with its sub-sectors), and only 生产安全事故 unless asked otherwise."""
    rows = restrict(Accident.objects.all(), user).order_by()
    if production_safety:
        rows = rows.filter(is_production_safety=True)
    if township is not None:
        rows = rows.filter(township__path__startswith=township.path)
    if sector is not None:
        rows = rows.filter(Q(sector=sector) | Q(sector__parent=sector))
    return rows


def accident_figures(
    *,
    user: User,
    date_from: dt.date,
    date_to: dt.date,
    production_safety: bool = True,
    township=None,
    sector=None,
) -> dict:
    """生产安全事故 count, deaths, injuries and direct loss (万元, Decimal) of a period — "全区共发生生产
    安全事故2起、死亡2人" — in one query. `production_safety=False` counts every accident recorded."""
    rows = _counted(user, production_safety=production_safety, township=township, sector=sector)
    return rows.filter(_period(date_from, date_to)).aggregate(**_sums(Q()))


def accidents_by(
    *,
    user: User,
    date_from: dt.date,
    date_to: dt.date,
    by: str,
    production_safety: bool = True,
    township=None,
) -> list[dict]:
    """The same figures per 事故类别 (`by="category"`) or 行业领域 (`by="sector"`), most deaths first;
    one query. Each row: {id, name, count, deaths, injuries, direct_loss}."""
    if by not in ("category", "sector"):
        raise ValueError(by)
    rows = _counted(user, production_safety=production_safety, township=township)
    rows = rows.filter(_period(date_from, date_to))
    grouped = (
        rows.values(key=F(f"{by}_id"), label=F(f"{by}__name"))
        .annotate(**_sums(Q()))
        .order_by("-deaths", "-count", "label")
    )
    return [{"id": row["key"], "name": row["label"], **{k: row[k] for k in FIGURES}} for row in grouped]


# ---------------------------------------------------------------- year-over-year (同比)


def year_back(day: dt.date) -> dt.date:
    """The same day a year before; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def same_period_last_year(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """去年同期: 2026-01-01…2026-11-30 → 2025-01-01…2025-11-30 (a February ends on its own last day)."""
    end = year_back(date_to)
    if date_to.month == 2 and (date_to + dt.timedelta(days=1)).month == 3:
        end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return year_back(date_from), end


def accident_figures_yoy(
    *,
    user: User,
    date_from: dt.date,
    date_to: dt.date,
    production_safety: bool = True,
    township=None,
    sector=None,
) -> dict:
    """The period's figures, the same period last year's, and each one's change — one query.

    {"current": {count, deaths, injuries, direct_loss}, "previous": {…}, "previous_from",
    "previous_to", "change": {count: Change, …}, "text": "同比均下降60%" (count and deaths)}."""
    previous_from, previous_to = same_period_last_year(date_from, date_to)
    now, before = _period(date_from, date_to), _period(previous_from, previous_to)
    rows = _counted(user, production_safety=production_safety, township=township, sector=sector)
    rows = rows.filter(now | before)
    aggregates = {f"now_{k}": v for k, v in _sums(now).items()}
    aggregates |= {f"before_{k}": v for k, v in _sums(before).items()}
    found = rows.aggregate(**aggregates)
    current = {k: found[f"now_{k}"] for k in FIGURES}
    previous = {k: found[f"before_{k}"] for k in FIGURES}
    change = {k: Change(current[k], previous[k]) for k in FIGURES}
    return {
        "current": current,
        "previous": previous,
        "previous_from": previous_from,
        "previous_to": previous_to,
        "change": change,
        "text": joint_text(change["count"], change["deaths"]),
    }


def wan_text(value: Decimal | None) -> str:
    """A loss recorded in 万元, in the seeds' money style (`core.numbers.money_text`): 143.35 →
    "143.35万元", 19.50 → "19.5万元", 0.5 → "5000元"; None → "—"."""
    return money_text(None if value is None else to_decimal(value) * TEN_THOUSAND)
