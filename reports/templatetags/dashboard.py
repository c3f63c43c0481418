"""The dashboard's long repeats, written in Python: `{% ranking_rows rows "rate" %}` (the rows of the
townships' rankings) and `{% scope_options scopes current %}` (the scope picker's options).

A city's ranking is two tables of 125 townships with a link or two a row, and a district-wide user picks
among 139 scopes; rendered through the template language they were a quarter of the dashboard (issue 15).
The markup is the one the template wrote (tests/reports/test_dashboard_tags.py compares the two).
"""

from html import escape

from django import template
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

NONE = "—"


def _name(row: dict) -> str:
    unit = row["unit"]
    return escape(unit.short_name or unit.name)


def _linked(url: str, value, title: str = "") -> str:
    # html.escape is what django.utils.html.escape runs; format_html's per-argument checks were most of the
    # tag's time.
    titled = f' title="{escape(title)}"' if title else ""
    return f'<a href="{escape(url)}"{titled}>{escape(str(value))}</a>'


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
                f'<tr><td>{n}. {_name(row)}</td>\n              <td class="num">{found}</td>\n'
                f'              <td class="num">{rate}</td></tr>'
            )
    else:
        for n, row in enumerate(rows, 1):
            overdue = (
                NONE
                if row["overdue"] is None
                else _linked(row["overdue_url"], formats.localize(row["overdue"]))
            )
            parts.append(f'<tr><td>{n}. {_name(row)}</td>\n              <td class="num">{overdue}</td></tr>')
    return mark_safe("".join(parts))


@register.simple_tag
def scope_options(scopes: list, current) -> SafeString:
    """The scope picker's <option>s, `current` selected."""
    return mark_safe(
        "".join(
            f'<option value="{escape(s.code)}"{" selected" if s == current else ""}>{escape(s.name)}</option>'
            for s in scopes
        )
    )
