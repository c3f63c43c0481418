"""FastSelect writes the same <select> as Django's template-rendered one (the filter bars use it)."""

import datetime as dt

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.test.html import parse_html

from accounts.models import OrgUnit, User
from core.filters import ListFilterSet
from core.widgets import (
    DateInput,
    FastDateInput,
    FastHiddenInput,
    FastNumberInput,
    FastSelect,
    FastSelectMultiple,
    FastTextInput,
    LabelValuesIterator,
    fast_widgets,
)
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


@pytest.mark.parametrize(
    ("plain", "fast"),
    [
        (forms.TextInput, FastTextInput),
        (forms.NumberInput, FastNumberInput),
        (forms.HiddenInput, FastHiddenInput),
        (DateInput, FastDateInput),
    ],
)
@pytest.mark.parametrize("value", [None, "", 'a "quoted" <b>', 7, dt.date(2026, 12, 3)])
def test_fast_input_writes_what_django_writes(plain, fast, value):
    attrs = {"class": "form-control", "id": "id_q", "required": True, "disabled": False, "data-x": "<&>"}
    want = plain(attrs=attrs).render("q", value)
    got = fast(attrs=attrs).render("q", value)
    assert parse_html(got) == parse_html(want)


def test_fast_widgets_swaps_plain_selects_and_inputs_only():
    class Form(forms.Form):
        township = forms.ChoiceField(choices=CHOICES)
        many = forms.MultipleChoiceField(choices=CHOICES)
        radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
        text = forms.CharField()

    form = fast_widgets(Form())
    assert type(form.fields["township"].widget) is FastSelect
    assert type(form.fields["many"].widget) is FastSelectMultiple
    assert type(form.fields["radio"].widget) is forms.RadioSelect
    assert type(form.fields["text"].widget) is FastTextInput


@pytest.mark.django_db
def test_the_hazard_filter_bar_uses_it(rf, officer):
    request = rf.get("/")
    request.user = officer
    form = HazardFilterSet(data={}, request=request).form
    assert type(form.fields["township"].widget) is FastSelect


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", [None, "b", "null"])
def test_a_model_select_reads_its_options_as_rows_and_writes_what_django_writes(
    rf, officer, district, chosen
):
    """The township select lists its units off values_list (no OrgUnit built per option), with the same
    options, labels, 空值 option and selection as django-filter's own iterator over the instances."""

    class Filters(ListFilterSet):
        township = django_filters.ModelChoiceFilter(
            queryset=OrgUnit.objects.filter(parent=district.district).order_by("name"), null_label="未指定"
        )

    value = {"b": str(district.township_b.pk), "null": "null"}.get(chosen)
    request = rf.get("/")
    request.user = officer
    data = {"township": value} if value else {}
    fast = Filters(data=data, queryset=OrgUnit.objects.all(), request=request).form
    plain = Filters(data=data, queryset=OrgUnit.objects.all(), request=request)
    plain_form = super(ListFilterSet, plain).form  # django-filter's form, widgets untouched
    field = fast.fields["township"]
    assert field.iterator is LabelValuesIterator
    assert type(plain_form.fields["township"].widget) is forms.Select
    got, want = str(fast["township"]), str(plain_form["township"])
    assert parse_html(got) == parse_html(want)
    assert district.township_b.name in got and "未指定" in got
    if chosen == "b":
        assert f'value="{district.township_b.pk}" selected' in got


def test_a_model_with_a_computed_label_keeps_djangos_iterator():
    """A model whose str() is not one field (no choice_label) still builds its instances for the labels."""
    field = forms.ModelChoiceField(queryset=User.objects.all())

    class Form(forms.Form):
        pass

    form = Form()
    form.fields["user"] = field
    fast_widgets(form)
    assert type(field.widget) is FastSelect
    assert field.iterator is not LabelValuesIterator


@pytest.mark.django_db
def test_choice_label_is_what_str_gives(district, sectors):
    """Each model that names its label field for the selects says what its str() says."""
    checked = 0
    for model in apps.get_models():
        field = getattr(model, "choice_label", None)
        if field is None:
            continue
        for obj in model.objects.all()[:20]:
            assert str(obj) == getattr(obj, field), model
            checked += 1
    assert checked >= 10
