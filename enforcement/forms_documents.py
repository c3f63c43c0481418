"""The draft form of a 执法文书: one field per entry of the kind's layout, plus the issuing unit."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit

from .document_layouts import DocumentState, FieldType, Layout


class DocumentForm(forms.Form):
    """Built from a layout (document_layouts.LAYOUTS). A draft may be saved half-written: the required
    fields are asked for when the document is issued (the service says which one is missing)."""

    def __init__(self, *args, layout: Layout, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        if units is not None:
            self.fields["issuing_unit"] = forms.ModelChoiceField(
                queryset=units,
                label=_("出具单位"),
                empty_label=None,
                help_text=_("文号按出具单位、文书种类和年度连续编号。"),
            )
        for field in layout.fields:
            help_text = field.help
            if field.required:
                help_text = f"{help_text}{_('（出具时必填）')}" if help_text else _("出具时必填。")
            if field.type == FieldType.DATE:
                form_field = forms.DateField(
                    label=field.label,
                    required=False,
                    help_text=help_text,
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                )
            elif field.type == FieldType.LINE:
                form_field = forms.CharField(
                    label=field.label, required=False, help_text=help_text, max_length=field.max_length
                )
            else:
                form_field = forms.CharField(
                    label=field.label,
                    required=False,
                    help_text=help_text,
                    max_length=field.max_length,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
            self.fields[field.key] = form_field

    def content(self) -> dict[str, str]:
        """The cleaned values as the document's content (dates as YYYY-MM-DD)."""
        values = {}
        for field in self.layout.fields:
            value = self.cleaned_data.get(field.key)
            if isinstance(value, dt.date):
                value = value.isoformat()
            values[field.key] = value or ""
        return values

    @property
    def issuing_unit(self) -> OrgUnit | None:
        return self.cleaned_data.get("issuing_unit")


class DocumentFilterForm(forms.Form):
    kind = forms.CharField(required=False)
    state = forms.ChoiceField(required=False, choices=[("", _("全部"))] + list(DocumentState.choices))
    q = forms.CharField(required=False, max_length=100)
