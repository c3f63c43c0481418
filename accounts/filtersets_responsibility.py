"""Filters for the 安全责任 lists, their exports and the API: one definition for all three."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ListFilterSet, PinnedIdFilter

from .filtersets import ALL, _townships
from .models import DutyList, LetterKind, OrgUnit, ResponsibilityLetter, WorkList


def _letter_kinds(request):
    return LetterKind.objects.all()


class LetterFilterSet(ListFilterSet):
    q = django_filters.CharFilter(label=_("签订方或名称"), method="filter_q")
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    kind = django_filters.ModelChoiceFilter(label=_("类型"), queryset=_letter_kinds, empty_label=ALL)
    township = django_filters.ModelChoiceFilter(
        label=_("所属街道"), queryset=_townships, method="filter_township", empty_label=ALL
    )
    signer = django_filters.ChoiceFilter(
        label=_("签订方"),
        choices=[("enterprise", _("企业")), ("unit", _("单位"))],
        method="filter_signer",
        empty_label=ALL,
    )
    enterprise = PinnedIdFilter(label=_("企业"), field_name="signer_enterprise")

    class Meta:
        model = ResponsibilityLetter
        fields = ["q", "year", "kind", "township", "signer"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(signer_enterprise__name__icontains=value)
            | Q(signer_enterprise__uscc__icontains=value.upper())
            | Q(signer_unit__name__icontains=value)
        )

    def filter_township(self, queryset, name, value: OrgUnit):
        """Letters signed in the township: by its enterprises, or by the township or its communities."""
        return queryset.filter(
            Q(signer_enterprise__jurisdiction__path__startswith=value.path)
            | Q(signer_unit__path__startswith=value.path)
        )

    def filter_signer(self, queryset, name, value):
        if value == "enterprise":
            return queryset.filter(signer_enterprise__isnull=False)
        return queryset.filter(signer_unit__isnull=False)


class WorkListFilterSet(ListFilterSet):
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    q = django_filters.CharFilter(label=_("单位或名称"), method="filter_q")

    class Meta:
        model = WorkList
        fields = ["year", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(title__icontains=value) | Q(unit__name__icontains=value)) if value else queryset
        )


class DutyListFilterSet(ListFilterSet):
    q = django_filters.CharFilter(label=_("领导、单位或名称"), method="filter_q")

    class Meta:
        model = DutyList
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(unit__name__icontains=value)
            | Q(holder_name__icontains=value)
            | Q(holder_post__icontains=value)
            | Q(holder_user__name__icontains=value)
        )
