"""FastSelect writes the same <select> as Django's template-rendered one (the filter bars use it)."""

import pytest
from django import forms
from django.test.html import parse_html

from core.widgets import FastSelect, FastSelectMultiple, fast_selects
from hazards.filtersets import HazardFilterSet

CHOICES = [
    ("", "全部"),
    ("a", "东城街道 <旧>"),
    ("街镇", [("b", "西山镇"), ("c", "南湖 & 北湖")]),
    (3, "三"),
]


@pytest.mark.parametrize(
    ("plain", "fast", "value"),
    [
        (forms.Select, FastSelect, "b"),
        (forms.Select, FastSelect, None),
        (forms.Select, FastSelect, 3),
        (forms.SelectMultiple, FastSelectMultiple, ["a", "c"]),
    ],
)
def test_fast_select_writes_what_django_writes(plain, fast, value):
    attrs = {
        "class": "form-select form-select-sm",
        "id": "id_township",
        "data-x": 'say "hi"',
        "disabled": False,
    }
    want = plain(attrs=attrs, choices=CHOICES).render("township", value)
    got = fast(attrs=attrs, choices=CHOICES).render("township", value)
    assert parse_html(got) == parse_html(want)
    assert "&lt;旧&gt;" in got and "南湖 &amp; 北湖" in got  # labels escaped


def test_fast_selects_swaps_only_plain_selects():
    class Form(forms.Form):
        township = forms.ChoiceField(choices=CHOICES)
        many = forms.MultipleChoiceField(choices=CHOICES)
        radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
        text = forms.CharField()

    form = fast_selects(Form())
    assert type(form.fields["township"].widget) is FastSelect
    assert type(form.fields["many"].widget) is FastSelectMultiple
    assert type(form.fields["radio"].widget) is forms.RadioSelect
    assert type(form.fields["text"].widget) is forms.TextInput


@pytest.mark.django_db
def test_the_hazard_filter_bar_uses_it(rf, officer):
    request = rf.get("/")
    request.user = officer
    form = HazardFilterSet(data={}, request=request).form
    assert type(form.fields["township"].widget) is FastSelect
