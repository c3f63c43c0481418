"""Filters of the case list: one definition for the page, its Excel export and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from accounts.selectors import sectors_active, townships_visible
from campaigns.models import Campaign
from core.filters import ListFilterSet, PinnedIdFilter
from core.widgets import DateInput

from .choices import CaseProcedure, CaseSource, CaseState
from .models import Case
from .selectors import handling_units, near_q, overdue_q

ALL = _("全部")
DEADLINE_CHOICES = [
    ("flagged", _("临近或超过期限")),
    ("near", _("10日内到期")),
    ("overdue", _("已超期")),
]


def _townships(request):
    if request is None:
        return OrgUnit.objects.none()
    return townships_visible(user=request.user)


class CaseFilterSet(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("编号、案由或单位"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("案件编号、案由、单位名称或信用代码")}),
    )
    state = django_filters.ChoiceFilter(label=_("案件状态"), choices=CaseState.choices, empty_label=ALL)
    procedure = django_filters.ChoiceFilter(
        label=_("程序类型"), choices=CaseProcedure.choices, empty_label=ALL
    )
    source = django_filters.ChoiceFilter(label=_("案件来源"), choices=CaseSource.choices, empty_label=ALL)
    handling_unit = django_filters.ModelChoiceFilter(
        label=_("办案单位"), queryset=handling_units(), empty_label=ALL
    )
    township = django_filters.ModelChoiceFilter(label=_("所属街道"), queryset=_townships, empty_label=ALL)
    sector = django_filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=sectors_active(), method="filter_sector", empty_label=ALL
    )
    opened_from = django_filters.DateFilter(
        label=_("立案日期起"), field_name="opened_on", lookup_expr="gte", widget=DateInput()
    )
    opened_to = django_filters.DateFilter(
        label=_("立案日期止"), field_name="opened_on", lookup_expr="lte", widget=DateInput()
    )
    deadline = django_filters.ChoiceFilter(
        label=_("办案期限"), choices=DEADLINE_CHOICES, method="filter_deadline", empty_label=ALL
    )
    # 专项行动: the campaign page's 立案查处 and 罚款 link here with ?campaign=<id>.
    campaign = django_filters.ModelChoiceFilter(
        label=_("专项行动"), queryset=Campaign.objects.order_by("-start_on", "name"), empty_label=ALL
    )
    # Pinned from another page (an enterprise's, a hazard's, an inspection record's 查看全部).
    enterprise = PinnedIdFilter(label=_("生产经营单位 id"), field_name="enterprise_id")
    source_hazard = PinnedIdFilter(label=_("来源隐患 id"), field_name="source_hazard_id")
    source_record = PinnedIdFilter(label=_("来源检查记录 id"), field_name="source_record_id")

    class Meta:
        model = Case
        fields = ["q", "state", "procedure", "source", "handling_unit", "township", "sector"]

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(cause__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(enterprise__uscc__icontains=value.upper())
        )

    def filter_sector(self, queryset, name, value: Sector):
        # The enterprise's sector or a sub-sector of it; a subquery keeps each case once.
        ids = Sector.objects.filter(Q(pk=value.pk) | Q(parent=value)).values("pk")
        return queryset.filter(pk__in=Case.objects.filter(enterprise__sectors__in=ids).values("pk"))

    def filter_deadline(self, queryset, name, value: str):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(overdue_q(today))
        if value == "near":
            return queryset.filter(near_q(today))
        if value == "flagged":
            return queryset.filter(overdue_q(today) | near_q(today))
        return queryset
