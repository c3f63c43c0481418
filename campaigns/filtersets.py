"""Filters of the campaign list: one definition for the page, its Excel export and the API."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.filtersets import ALL
from core.filters import ListFilterSet, PinnedIdFilter

from .choices import CampaignState
from .models import Campaign, CampaignKind
from .selectors import lead_units, state_q


class CampaignFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("名称"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("名称或方案文号")}),
    )
    year = django_filters.NumberFilter(
        label=_("年度"),
        method="filter_year",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": _("如 2026"), "inputmode": "numeric"}),
        help_text=_("期间与该年有交集的专项行动。"),
    )
    kind = django_filters.ModelChoiceFilter(
        label=_("类型"), queryset=CampaignKind.objects.all(), empty_label=ALL
    )
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=CampaignState.choices, method="filter_state", empty_label=ALL
    )
    lead_department = django_filters.ModelChoiceFilter(
        label=_("牵头单位"), queryset=lead_units(), empty_label=ALL
    )
    # A three-year campaign's page links to its sub-plans.
    parent = PinnedIdFilter(label=_("上级专项行动 id"), field_name="parent_id")

    class Meta:
        model = Campaign
        fields = ["q", "year", "kind", "state", "lead_department"]

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(document_number__icontains=value))

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(start_on__lte=dt.date(year, 12, 31), end_on__gte=dt.date(year, 1, 1))

    def filter_state(self, queryset, name, value: str):
        return queryset.filter(state_q(value)) if value else queryset
