"""Form widgets every app shares.

`DateInput`: a date typed and shown as 2026-12-02 whatever language the browser speaks. The browser's
own `<input type="date">` draws 12/02/2026 in an English browser and 2026/12/02 in a Chinese one, and
its picker speaks the browser's language; on a Chinese page both must read 年-月-日. So the control is
a text input with the ISO pattern and a 年/月/日 hint, and `static/js/date_input.js` adds a picker
button with a Chinese calendar (no CDN, no inline script). Without JavaScript it is a plain text box
the server reads as YYYY-MM-DD (and the other forms DATE_INPUT_FORMATS accepts).
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%Y-%m-%d"
DATE_PATTERN = r"\d{4}-\d{1,2}-\d{1,2}"


class DateInput(forms.DateInput):
    """年-月-日 text input with a Chinese picker (static/js/date_input.js upgrades it)."""

    input_type = "text"

    def __init__(self, attrs: dict | None = None, format: str | None = None) -> None:
        base = {
            "data-date-input": "",
            "inputmode": "numeric",
            "pattern": DATE_PATTERN,
            "placeholder": _("年-月-日"),
            "title": _("日期，按 年-月-日 填写，如 2026-12-02"),
            "autocomplete": "off",
            "maxlength": "10",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=format or DATE_FORMAT)


class FastSelect(forms.Select):
    """A `<select>` written out in Python. Django renders every `<option>` through the template engine
    (two templates per option); a list's filter bar with the city's 125 townships and 139 units then cost
    60–75 ms per page (issue 15). Same markup as Django's select.html and select_option.html."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    "" if option["value"] is None else str(option["value"]),
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every piece went through format_html)


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


def fast_selects(form: forms.Form) -> forms.Form:
    """Swap a form's plain Select widgets for FastSelect (the list filter bars)."""
    for field in form.fields.values():
        kind = type(field.widget)
        if kind is forms.Select:
            field.widget.__class__ = FastSelect
        elif kind is forms.SelectMultiple:
            field.widget.__class__ = FastSelectMultiple
    return form
