"""Form widgets every app shares.

`DateInput`: a date typed and shown as 2026-12-02 whatever language the browser speaks. The browser's
own `<input type="date">` draws 12/02/2026 in an English browser and 2026/12/02 in a Chinese one, and
its picker speaks the browser's language; on a Chinese page both must read 年-月-日. So the control is
a text input with the ISO pattern and a 年/月/日 hint, and `static/js/date_input.js` adds a picker
button with a Chinese calendar (no CDN, no inline script). Without JavaScript it is a plain text box
the server reads as YYYY-MM-DD (and the other forms DATE_INPUT_FORMATS accepts).
"""

from django import forms
from django.forms.models import ModelChoiceIterator
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
    (two templates per option) and builds a dict per option first; a list's filter bar with the city's 125
    townships and 139 units then cost 60–75 ms per page (issue 15). Same markup as Django's select.html
    and select_option.html (tests/core/test_fast_select.py)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(attrs))]
        has_selected = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', option_value))
                options = option_label
            else:
                options = ((option_value, option_label),)
            for sub_value, sub_label in options:
                text = "" if sub_value is None else str(sub_value)
                # As Django's ChoiceWidget.optgroups: a single select marks only the first match.
                selected = (not has_selected or self.allow_multiple_selected) and text in chosen
                has_selected |= selected
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>', text, " selected" if selected else "", sub_label
                    )
                )
            if options is option_label:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every piece went through format_html)


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


class LabelValuesIterator(ModelChoiceIterator):
    """A model select's options as (pk, label) rows straight off the database, with no model instance
    per option: for models whose str() is one of their fields (`choice_label`, e.g. OrgUnit's name).
    Keeps django-filter's 空值 option (null_label) where the field has one."""

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if getattr(field, "null_label", None) is not None:
            yield (field.null_value, field.null_label)
        yield from self.queryset.values_list("pk", self.queryset.model.choice_label)


class FastInput:
    """An `<input>` written out in Python, the same markup as Django's input.html and attrs.html (a filter
    bar's text and date boxes: two template renders each otherwise)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            name,
            "" if shown is None else format_html(' value="{}"', shown),
            flatatt(widget["attrs"]),
        )


class FastTextInput(FastInput, forms.TextInput):
    pass


class FastNumberInput(FastInput, forms.NumberInput):
    pass


class FastHiddenInput(FastInput, forms.HiddenInput):
    pass


class FastDateInput(FastInput, DateInput):
    pass


FAST_WIDGETS = {
    forms.Select: FastSelect,
    forms.SelectMultiple: FastSelectMultiple,
    forms.TextInput: FastTextInput,
    forms.NumberInput: FastNumberInput,
    forms.HiddenInput: FastHiddenInput,
    DateInput: FastDateInput,
}


def _plain_label(field: forms.Field) -> bool:
    """A model select whose option labels are its model's str(), and that model names the field str() is."""
    return (
        isinstance(field, forms.ModelChoiceField)
        and field.to_field_name is None
        and type(field).label_from_instance is forms.ModelChoiceField.label_from_instance
        and hasattr(field.queryset.model, "choice_label")
    )


def fast_widgets(form: forms.Form) -> forms.Form:
    """Swap a form's plain selects and inputs for the ones written out in Python (the list filter bars),
    and read a model select's options without building its models where the model says which field its
    str() is."""
    for field in form.fields.values():
        fast = FAST_WIDGETS.get(type(field.widget))
        if fast is None:
            continue
        field.widget.__class__ = fast
        if isinstance(field.widget, FastSelect) and _plain_label(field):
            field.iterator = LabelValuesIterator
            field.widget.choices = field.iterator(field)
    return form
