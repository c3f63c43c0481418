"""专项行动: district-wide campaigns (专项整治, 打非治违, 百日攻坚, 三年行动 …) with their phases and targets.

Inspections, hazards and cases are tagged to a campaign by a foreign key declared on their own
(upper) models; a campaign never names them. Progress against the targets is counted from the tagged
records through the measures those apps register (`campaigns.measures`).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import OrgUnit, Sector

from ..choices import METRIC_UNITS, CampaignState, TargetMetric


class CampaignKind(models.Model):
    """专项行动类型: a code table administrators edit (专项整治, 打非治违, 百日攻坚, 三年行动 …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("专项行动类型")
        verbose_name_plural = _("专项行动类型")
        ordering = ["order", "name"]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """专项行动: a district-wide plan with a period, phases, a lead department, member units and targets.

    Campaigns are plans everyone signed in may read; the district office (and the lead department,
    for its own campaign) changes them. A three-year campaign carries its sub-plans as children
    (1 整体方案 + 2 专题 + 12 专项整治).
    """

    kind = models.ForeignKey(CampaignKind, verbose_name=_("类型"), on_delete=models.PROTECT)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级专项行动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("如三年行动下的专题方案、专项整治方案。"),
    )
    start_on = models.DateField(_("开始日期"), db_index=True)
    end_on = models.DateField(_("结束日期"), db_index=True)
    lead_department = models.ForeignKey(
        OrgUnit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_campaigns"
    )
    member_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("成员单位"), related_name="member_campaigns", blank=True
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("行业领域"), related_name="campaigns", blank=True)
    document_number = models.CharField(_("方案文号"), max_length=60, blank=True)
    description = models.TextField(_("工作内容"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[member_units, sectors])

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-start_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")),
                name="campaign_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.UniqueConstraint(
                fields=["name", "start_on"],
                name="campaign_unique_name_start",
                violation_error_message=_("同一开始日期已有同名专项行动。"),
            ),
        ]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", args=[self.pk])

    def state_on(self, day: date) -> str:
        if day < self.start_on:
            return CampaignState.UPCOMING
        if day > self.end_on:
            return CampaignState.ENDED
        return CampaignState.ACTIVE

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> str:
        return CampaignState(self.state).label

    def is_active_on(self, day: date) -> bool:
        return self.start_on <= day <= self.end_on


class CampaignPhase(models.Model):
    """阶段: 动员部署 / 排查攻坚 / 全面整治 / 总结验收 …, with dates inside the campaign's period."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("阶段名称"), max_length=50)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))
    tasks = models.TextField(_("阶段任务"), blank=True)

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["campaign", "start_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")),
                name="campaign_phase_end_after_start",
                violation_error_message=_("阶段结束日期不能早于开始日期。"),
            ),
        ]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name

    def state_on(self, day: date) -> str:
        if day < self.start_on:
            return CampaignState.UPCOMING
        if day > self.end_on:
            return CampaignState.ENDED
        return CampaignState.ACTIVE


class CampaignTarget(models.Model):
    """目标: e.g. 检查危险化学品企业 120 家, 重大事故隐患销号 5 项, 罚款 50 万元."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(_("指标"), max_length=30, choices=TargetMetric.choices)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("行业领域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("只计该行业领域的记录；不填为全部。"),
    )
    target = models.DecimalField(_("目标数"), max_digits=12, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__gt=0),
                name="campaign_target_positive",
                violation_error_message=_("目标数须大于0。"),
            ),
            # Two partial constraints rather than nulls_distinct=False, which SQLite (the demo) lacks.
            models.UniqueConstraint(
                fields=["campaign", "metric", "sector"],
                condition=Q(sector__isnull=False),
                name="campaign_target_unique_metric",
                violation_error_message=_("同一指标和行业领域的目标只能有一个。"),
            ),
            models.UniqueConstraint(
                fields=["campaign", "metric"],
                condition=Q(sector__isnull=True),
                name="campaign_target_unique_metric_all_sectors",
                violation_error_message=_("同一指标和行业领域的目标只能有一个。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.target}{self.unit}"

    @property
    def unit(self) -> str:
        return METRIC_UNITS.get(self.metric, "")

    @property
    def label(self) -> str:
        name = self.get_metric_display()
        return f"{name}（{self.sector.name}）" if self.sector_id else name
