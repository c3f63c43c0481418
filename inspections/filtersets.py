"""Filters for the inspection list, its export and the API: one definition for all three."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import TOWNSHIP_KINDS, OrgKind
from accounts.filtersets import ALL
from accounts.models import OrgUnit, Sector
from accounts.scoping import restrict
from accounts.selectors import sectors_active, townships_visible
from campaigns.models import Campaign
from core.filters import IdFilter, ListFilterSet, PinnedIdFilter, YesNoFilter
from core.widgets import DateInput

from .choices import ActionStatus
from .models import InspectionAction, InspectionKind, InspectionPlan, InspectionRecord
from .selectors import plan_years


def _townships(request):
    return townships_visible(user=request.user) if request else OrgUnit.objects.none()


class InspectionActionFilterSet(ListFilterSet):
    date_from = django_filters.DateFilter(
        label=_("检查日期自"),
        field_name="date",
        lookup_expr="gte",
        widget=DateInput(),
    )
    date_to = django_filters.DateFilter(
        label=_("至"), field_name="date", lookup_expr="lte", widget=DateInput()
    )
    kind = django_filters.ModelChoiceFilter(
        label=_("检查类型"), queryset=InspectionKind.objects.filter(is_active=True), empty_label=ALL
    )
    is_unannounced = YesNoFilter(
        label=_("四不两直"), widget=forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])
    )
    organizer = django_filters.ModelChoiceFilter(
        label=_("检查单位"),
        queryset=OrgUnit.objects.filter(
            kind__in=[OrgKind.DISTRICT, OrgKind.DEPARTMENT, *TOWNSHIP_KINDS]
        ).order_by("path"),
        empty_label=ALL,
    )
    township = django_filters.ModelChoiceFilter(
        label=_("被检查单位所属街道"), queryset=_townships, method="filter_township", empty_label=ALL
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=sectors_active(), method="filter_sector", empty_label=ALL
    )
    is_leader_led = YesNoFilter(
        label=_("领导带队"), widget=forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])
    )
    # Imported from a past ledger whose team could not be verified (see INSPECTION_CERT_RULE_FROM).
    cert_unverified = YesNoFilter(
        label=_("执法证未核验"),
        widget=forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))]),
    )
    # 计划中 (e.g. 双随机 picks) or 已完成: only done inspections count in the figures.
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ActionStatus.choices, empty_label=ALL)
    # 专项行动: the campaign page's figures link here with ?campaign=<id>.
    campaign = django_filters.ModelChoiceFilter(
        label=_("专项行动"), queryset=Campaign.objects.order_by("-start_on", "name"), empty_label=ALL
    )
    # The enterprise page's 查看全部: the actions that visited it. A hidden field: the page says whose.
    enterprise = PinnedIdFilter(label=_("被检查单位 id"), method="filter_enterprise")

    class Meta:
        model = InspectionAction
        fields = [
            "date_from",
            "date_to",
            "kind",
            "is_unannounced",
            "organizer",
            "township",
            "sector",
            "is_leader_led",
            "cert_unverified",
            "status",
            "campaign",
        ]

    def _visits(self):
        """Only the visits the user may see match: a joint action must not turn up under a township or
        sector because of another town's (or another sector's) enterprise the user cannot see."""
        if self.request is None:
            return InspectionRecord.objects.none()
        return restrict(InspectionRecord.objects.all(), self.request.user, "view")

    def filter_township(self, queryset, name, value: OrgUnit):
        visits = self._visits().filter(enterprise__jurisdiction__path__startswith=value.path)
        return queryset.filter(pk__in=visits.values("action_id"))

    def filter_sector(self, queryset, name, value: Sector):
        ids = Sector.objects.filter(Q(pk=value.pk) | Q(parent=value)).values("pk")
        visits = self._visits().filter(enterprise__sectors__in=ids)
        return queryset.filter(pk__in=visits.values("action_id"))

    def filter_enterprise(self, queryset, name, value: int):
        visits = self._visits().filter(enterprise_id=value)
        return queryset.filter(pk__in=visits.values("action_id"))


class InspectionPlanFilterSet(ListFilterSet):
    """检查计划 list and API: by year (a select of the years that have plans), unit and kind of plan."""

    year = django_filters.NumberFilter(label=_("年度"))
    period = django_filters.ChoiceFilter(
        label=_("计划类型"),
        choices=[("annual", _("年度计划")), ("monthly", _("月度计划"))],
        method="filter_period",
        empty_label=ALL,
    )
    organizer = django_filters.ModelChoiceFilter(
        label=_("检查单位"),
        queryset=OrgUnit.objects.filter(
            kind__in=[OrgKind.DISTRICT, OrgKind.DEPARTMENT, *TOWNSHIP_KINDS]
        ).order_by("path"),
        empty_label=ALL,
    )

    class Meta:
        model = InspectionPlan
        fields = ["year", "period", "organizer"]

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            years = [("", ALL), *[(y, f"{y}年") for y in plan_years(user=request.user)]]
            self.filters["year"].extra["widget"] = forms.Select(choices=years)

    def filter_period(self, queryset, name, value: str):
        return queryset.filter(month__isnull=value == "annual")


class InspectionRecordFilterSet(ListFilterSet):
    """The API's 检查记录 list by action or enterprise id. Ids, not lookups: an action or enterprise
    outside the caller's scope and one that does not exist both list nothing, telling neither apart."""

    action = IdFilter(label=_("检查行动 id"), field_name="action_id")
    enterprise = IdFilter(label=_("被检查单位 id"), field_name="enterprise_id")

    class Meta:
        model = InspectionRecord
        fields = ["action", "enterprise"]
