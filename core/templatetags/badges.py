"""`{% load badges %}{% badge kind="state" value=h.state label=h.get_state_display %}`: a status badge in
the colours of DESIGN.md §3c.

    kind    "state"       hazard state; value: open 待整改 (red) · rectifying 整改中 (orange) ·
                          verifying 待复查 (blue) · closed 已销号 (green) · void 作废 (grey)
            "overdue"     逾期, dark red; drawn unless value is given and false
                          ({% badge kind="overdue" value=hazard.is_overdue %} draws it only when overdue)
            "grade"       risk grade; value: red 红 · orange 橙 · yellow 黄 · blue 蓝
            "enterprise"  enterprise status; value: operating 在营 · suspended 停产 · closed 关闭
            anything else a neutral grey badge showing label (or value)
    value   the stored choice value (e.g. hazard.state); it picks the class badge-<kind>-<value>.
    label   optional text (e.g. hazard.get_state_display); default: the Chinese word above.
    title   optional tooltip text.

A tag, not an included template: a list draws two or three badges a row, and an include costs a template
render with its own context each time (issue 15).
"""

from django import template
from django.template.defaultfilters import slugify
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

register = template.Library()

WORDS = {
    "state": {
        "open": _("待整改"),
        "rectifying": _("整改中"),
        "verifying": _("待复查"),
        "closed": _("已销号"),
        "void": _("作废"),
    },
    "grade": {"red": _("红"), "orange": _("橙"), "yellow": _("黄"), "blue": _("蓝")},
    "enterprise": {"operating": _("在营"), "suspended": _("停产"), "closed": _("关闭")},
}


def _title(title) -> str:
    return format_html(' title="{}"', title) if title else ""


@register.simple_tag
def badge(*, kind: str = "", value=None, label="", title="") -> str:
    if kind == "overdue":
        if value is None or value:
            return format_html(
                '<span class="badge badge-overdue"{}><i class="bi bi-alarm me-1" aria-hidden="true"></i>{}</span>',
                _title(title),
                label or _("逾期"),
            )
        return ""
    words = WORDS.get(kind)
    if words is not None:
        text = label or words.get(value, "" if value is None else value)
        pill = "rounded-pill " if kind == "state" else ""
        return format_html(
            '<span class="badge {}badge-{}-{}"{}>{}</span>', pill, kind, slugify(value), _title(title), text
        )
    if label or value:
        return format_html('<span class="badge badge-neutral"{}>{}</span>', _title(title), label or value)
    return ""
