"""Filters of the hazard ledger: one definition for the page, its figures and the Excel export."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from accounts.selectors import sectors_active, townships_visible
from campaigns.models import Campaign
from core.filters import ListFilterSet, PinnedIdFilter, YesNoFilter
from core.widgets import DateInput

from .choices import HazardLevel, HazardSource, HazardState
from .models import Hazard
from .selectors import categories_active, five_incomplete_q, overdue_q, responsible_units

ALL = _("全部")


def _townships(request):
    if request is None:
        return OrgUnit.objects.none()
    return townships_visible(user=request.user)


def _yes_no() -> forms.Select:
    return forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])


def _date() -> forms.DateInput:
    return DateInput()


class HazardFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("编号或单位"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("隐患编号、单位名称或信用代码")}),
    )
    state = django_filters.ChoiceFilter(label=_("整改状态"), choices=HazardState.choices, empty_label=ALL)
    level = django_filters.ChoiceFilter(label=_("隐患等级"), choices=HazardLevel.choices, empty_label=ALL)
    source = django_filters.ChoiceFilter(label=_("隐患来源"), choices=HazardSource.choices, empty_label=ALL)
    category = django_filters.ModelChoiceFilter(
        label=_("隐患类别"), queryset=categories_active(), empty_label=ALL
    )
    township = django_filters.ModelChoiceFilter(label=_("所属街道"), queryset=_townships, empty_label=ALL)
    sector = django_filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=sectors_active(), method="filter_sector", empty_label=ALL
    )
    responsible_unit = django_filters.ModelChoiceFilter(
        label=_("跟踪责任单位"), queryset=responsible_units(), empty_label=ALL
    )
    found_from = django_filters.DateFilter(
        label=_("发现日期起"), field_name="found_on", lookup_expr="gte", widget=_date()
    )
    found_to = django_filters.DateFilter(
        label=_("发现日期止"), field_name="found_on", lookup_expr="lte", widget=_date()
    )
    overdue = YesNoFilter(label=_("逾期"), method="filter_overdue", widget=_yes_no())
    listed = YesNoFilter(label=_("挂牌督办"), method="filter_listed", widget=_yes_no())
    # The enterprise page's 查看全部: its hazards. A hidden field: the page says whose.
    enterprise = PinnedIdFilter(label=_("生产经营单位 id"), field_name="enterprise_id")
    five_incomplete = YesNoFilter(label=_("五落实待补充"), method="filter_five_incomplete", widget=_yes_no())
    # 专项行动: the campaign page's figures link here with ?campaign=<id>.
    campaign = django_filters.ModelChoiceFilter(
        label=_("专项行动"), queryset=Campaign.objects.order_by("-start_on", "name"), empty_label=ALL
    )

    class Meta:
        model = Hazard
        fields = ["q", "state", "level", "source", "category", "township", "sector", "responsible_unit"]

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(enterprise__uscc__icontains=value.upper())
        )

    def filter_sector(self, queryset, name, value: Sector):
        # The sector and its sub-sectors (工贸 covers 机械 …); a subquery keeps each hazard once.
        ids = Sector.objects.filter(Q(pk=value.pk) | Q(parent=value)).values("pk")
        return queryset.filter(pk__in=Hazard.objects.filter(sectors__in=ids).values("pk"))

    def filter_overdue(self, queryset, name, value: bool):
        # From the dates, like the 逾期 figure: right even before the nightly job has flagged a hazard.
        rule = overdue_q(timezone.localdate())
        return queryset.filter(rule) if value else queryset.exclude(rule)

    def filter_listed(self, queryset, name, value: bool):
        # Listed at some time, as the 挂牌督办 figure counts it (摘牌 keeps the listing on record).
        return queryset.exclude(listing_level="") if value else queryset.filter(listing_level="")

    def filter_five_incomplete(self, queryset, name, value: bool):
        # 重大隐患 whose 五落实 is not complete (imported ones, mostly) until someone fills it in.
        rule = five_incomplete_q()
        return queryset.filter(rule) if value else queryset.exclude(rule)
