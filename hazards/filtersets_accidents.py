"""Filters of the accident list: one definition for the page, its Excel export and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from accounts.selectors import sectors_active, townships_visible
from core.filters import ListFilterSet, YesNoFilter, yes_no_widget

from .choices import AccidentGrade
from .models import Accident
from .selectors_accidents import categories_active

ALL = _("全部")


def _townships(request):
    if request is None:
        return OrgUnit.objects.none()
    return townships_visible(user=request.user)


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccidentFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("编号、单位或经过"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("事故编号、单位名称或简要经过")}),
    )
    township = django_filters.ModelChoiceFilter(label=_("所属街道"), queryset=_townships, empty_label=ALL)
    sector = django_filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=sectors_active(), method="filter_sector", empty_label=ALL
    )
    category = django_filters.ModelChoiceFilter(
        label=_("事故类别"), queryset=categories_active(), empty_label=ALL
    )
    grade = django_filters.ChoiceFilter(label=_("事故等级"), choices=AccidentGrade.choices, empty_label=ALL)
    production = YesNoFilter(
        label=_("生产安全事故"), field_name="is_production_safety", widget=yes_no_widget()
    )
    fatal = YesNoFilter(label=_("有死亡"), method="filter_fatal", widget=yes_no_widget())
    date_from = django_filters.DateFilter(
        label=_("发生日期起"), field_name="occurred_on", lookup_expr="gte", widget=_date()
    )
    date_to = django_filters.DateFilter(
        label=_("发生日期止"), field_name="occurred_on", lookup_expr="lte", widget=_date()
    )

    class Meta:
        model = Accident
        fields = ["q", "township", "sector", "category", "grade"]

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(enterprise__name__icontains=value) | Q(summary__icontains=value)
        )

    def filter_sector(self, queryset, name, value: Sector):
        # The sector and its sub-sectors (工贸 covers 机械 …).
        return queryset.filter(Q(sector=value) | Q(sector__parent=value))

    def filter_fatal(self, queryset, name, value: bool):
        return queryset.filter(deaths__gt=0) if value else queryset.filter(deaths=0)
