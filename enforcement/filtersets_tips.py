"""Filters of the report list: one definition for the page, the Excel export and the API. The
reporter is no filter: searching by name would tell who reported."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from accounts.selectors import sectors_active, townships_visible
from core.filters import ListFilterSet, YesNoFilter, yes_no_widget

from .choices_tips import TipChannel, TipState
from .models import Tip

ALL = _("全部")


def _townships(request):
    if request is None:
        return OrgUnit.objects.none()
    return townships_visible(user=request.user)


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TipFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("编号、单位或内容"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("举报编号、被举报单位或举报内容")}),
    )
    state = django_filters.ChoiceFilter(label=_("办理状态"), choices=TipState.choices, empty_label=ALL)
    channel = django_filters.ChoiceFilter(label=_("举报渠道"), choices=TipChannel.choices, empty_label=ALL)
    township = django_filters.ModelChoiceFilter(label=_("所属街道"), queryset=_townships, empty_label=ALL)
    sector = django_filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=sectors_active(), method="filter_sector", empty_label=ALL
    )
    rewarded = YesNoFilter(label=_("已发放奖励"), method="filter_rewarded", widget=yes_no_widget())
    date_from = django_filters.DateFilter(
        label=_("受理日期起"), field_name="received_on", lookup_expr="gte", widget=_date()
    )
    date_to = django_filters.DateFilter(
        label=_("受理日期止"), field_name="received_on", lookup_expr="lte", widget=_date()
    )

    class Meta:
        model = Tip
        fields = ["q", "state", "channel", "township", "sector"]

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(enterprise__name__icontains=value) | Q(content__icontains=value)
        )

    def filter_sector(self, queryset, name, value: Sector):
        return queryset.filter(Q(sector=value) | Q(sector__parent=value))

    def filter_rewarded(self, queryset, name, value: bool):
        return queryset.filter(reward_paid_on__isnull=not value)
