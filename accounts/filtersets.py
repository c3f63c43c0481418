"""Filters for the enterprise list, the export and the API: one definition for all three."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ListFilterSet, YesNoFilter

from .choices import EnterpriseScale, EnterpriseStatus, OrgKind
from .models import Enterprise, OrgUnit, RiskGrade, Sector
from .selectors import departments, sectors_active, townships_visible


def _townships(request):
    if request is None:
        return OrgUnit.objects.none()
    return townships_visible(user=request.user)


ALL = _("全部")


def _yes_no() -> forms.Select:
    return forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])


class EnterpriseFilterSet(ListFilterSet):
    q = django_filters.CharFilter(label=_("名称或代码"), method="filter_q")
    sector = django_filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=sectors_active(), method="filter_sector", empty_label=ALL
    )
    township = django_filters.ModelChoiceFilter(
        label=_("所属街道"), queryset=_townships, method="filter_township", empty_label=ALL
    )
    risk_grade = django_filters.ModelChoiceFilter(
        label=_("风险等级"), queryset=RiskGrade.objects.all(), empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("经营状态"), choices=EnterpriseStatus.choices, empty_label=ALL
    )
    scale = django_filters.ChoiceFilter(label=_("单位规模"), choices=EnterpriseScale.choices, empty_label=ALL)
    supervising_department = django_filters.ModelChoiceFilter(
        label=_("监管部门"), queryset=departments(), empty_label=ALL
    )
    is_fire_key_unit = YesNoFilter(label=_("消防安全重点单位"), widget=_yes_no())
    has_major_hazard_source = YesNoFilter(label=_("重大危险源"), widget=_yes_no())

    class Meta:
        model = Enterprise
        fields = ["q", "sector", "township", "risk_grade", "status", "scale", "supervising_department"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uscc__icontains=value.upper()))

    def filter_sector(self, queryset, name, value: Sector):
        # The sector and its sub-sectors (工贸 covers 机械 …); a subquery keeps each unit once.
        ids = Sector.objects.filter(Q(pk=value.pk) | Q(parent=value)).values("pk")
        return queryset.filter(pk__in=Enterprise.objects.filter(sectors__in=ids).values("pk"))

    def filter_township(self, queryset, name, value: OrgUnit):
        return queryset.filter(jurisdiction__path__startswith=value.path)


class OrgUnitFilterSet(ListFilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrgKind.choices)
    parent = django_filters.ModelChoiceFilter(label=_("上级单位"), queryset=OrgUnit.objects.all())
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent", "q"]
