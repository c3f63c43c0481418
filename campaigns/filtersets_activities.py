"""Filters of the activity ledger: one definition for the page, its figures, the Excel export and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from core.filters import ListFilterSet

from .choices_activities import ActivityKind
from .models import Activity
from .selectors_activities import campaigns_all, organisers_visible, subtypes_active

ALL = _("全部")


def _organisers(request):
    if request is None:
        return OrgUnit.objects.none()
    return organisers_visible(user=request.user)


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("主题或地点"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("主题、地点或备注")}),
    )
    kind = django_filters.ChoiceFilter(
        label=_("活动类型"), field_name="type__code", choices=ActivityKind.choices, empty_label=ALL
    )
    subtype = django_filters.ModelChoiceFilter(label=_("子类型"), queryset=subtypes_active(), empty_label=ALL)
    organiser = django_filters.ModelChoiceFilter(
        label=_("组织单位"), queryset=_organisers, method="filter_organiser", empty_label=ALL
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("专项行动"), queryset=campaigns_all(), empty_label=ALL
    )
    date_from = django_filters.DateFilter(
        label=_("日期起"), field_name="date", lookup_expr="gte", widget=_date()
    )
    date_to = django_filters.DateFilter(
        label=_("日期止"), field_name="date", lookup_expr="lte", widget=_date()
    )

    class Meta:
        model = Activity
        fields = ["q", "kind", "subtype", "organiser", "campaign", "date_from", "date_to"]

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(theme__icontains=value) | Q(place__icontains=value) | Q(notes__icontains=value)
        )

    def filter_organiser(self, queryset, name, value: OrgUnit):
        # A township's own and its communities' activities: what the township counts as its work.
        return queryset.filter(organiser__path__startswith=value.path)
