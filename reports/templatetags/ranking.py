"""`{% ranking_rows rows "rate" %}`: the rows of the dashboard's township rankings, written in Python.

A city's ranking is two tables of 125 townships with a link or two a row; rendered through the template
language they were a fifth of the dashboard (issue 15). The markup is the one the template wrote
(tests/reports/test_ranking_rows.py compares the two).
"""

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

NONE = "—"


def _name(row: dict) -> str:
    unit = row["unit"]
    return unit.short_name or unit.name


def _linked(url: str, value, title: str = "") -> SafeString:
    if title:
        return format_html('<a href="{}" title="{}">{}</a>', url, title, value)
    return format_html('<a href="{}">{}</a>', url, value)


@register.simple_tag
def ranking_rows(rows: list[dict], by: str) -> SafeString:
    """The <tr>s of the ranking `by` "rate" (name, found, rate) or "overdue" (name, overdue)."""
    parts = []
    if by == "rate":
        title = gettext("已整改销号的隐患")
        for n, row in enumerate(rows, 1):
            found = (
                NONE if row["found"] is None else _linked(row["found_url"], formats.localize(row["found"]))
            )
            rate = _linked(row["rectified_url"], row["rate"].text, title) if row["rate"] else NONE
            parts.append(
                format_html(
                    '<tr><td>{}. {}</td>\n              <td class="num">{}</td>\n'
                    '              <td class="num">{}</td></tr>',
                    n,
                    _name(row),
                    found,
                    rate,
                )
            )
    else:
        for n, row in enumerate(rows, 1):
            overdue = (
                NONE
                if row["overdue"] is None
                else _linked(row["overdue_url"], formats.localize(row["overdue"]))
            )
            parts.append(
                format_html(
                    '<tr><td>{}. {}</td>\n              <td class="num">{}</td></tr>', n, _name(row), overdue
                )
            )
    return mark_safe("".join(parts))
