"""The product's number style in templates — `{% load numbers %}` (the rules: `core.numbers`).

    {{ loss|money }}            1433512 → 143.35万余元, 9500 → 9500元
    {{ share|rate }}            Decimal("97.34") → 97.3%
    {{ units|count:"家" }}       3832 → 3832家
    {{ now|change:before }}     2, 5 → 同比下降60%; 3, 3 → 同比持平; 2, 0 → 去年同期为0
    {{ pct|pct }}               Decimal("-28.45") → 28.45%
    {{ figure|value:unit }}     by unit: 元 → money, % → rate, else count

None — or a variable that does not exist ("") — prints as "—" (change: as nothing).
"""

from django import template

from core import numbers

register = template.Library()


def _given(value):
    """A missing template variable arrives as ""; treat it as no value, not as a crash."""
    return None if value == "" else value


@register.filter
def money(value):
    return numbers.money_text(_given(value))


@register.filter
def rate(value):
    return numbers.rate_text(_given(value))


@register.filter
def count(value, unit=""):
    return numbers.count_text(_given(value), unit)


@register.filter
def change(current, previous):
    return numbers.change_text(_given(current), _given(previous))


@register.filter
def pct(value):
    return numbers.pct_text(_given(value))


@register.filter
def value(figure, unit):
    return numbers.value_text(_given(figure), unit)
