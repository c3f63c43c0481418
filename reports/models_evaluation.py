"""月度评估 and 排名通报 (issue 14): indicators the office configures, monthly scores of every township and
department, the published (frozen) ranking and what follows it (警示告知书, 约谈)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit

__all__ = [
    "AppliesTo",
    "Evaluation",
    "EvaluationFollowUp",
    "EvaluationIndicator",
    "EvaluationScore",
    "EvaluationState",
    "EvaluationTarget",
    "FollowUpKind",
    "IndicatorRule",
    "IndicatorSource",
    "NoDataRule",
]


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("由数据计算")
    ENTERED = "entered", _("安委办评分")


class IndicatorRule(models.TextChoices):
    RATE = "rate", _("按比率得分：分值 × 比率 ÷ 100")
    DEDUCT = "deduct", _("按数量扣分：分值 − 每个扣分 × 数量，扣完为止")
    ENTERED = "entered", _("安委办在 0 至分值之间评分，须写明理由")


class AppliesTo(models.TextChoices):
    TOWNSHIPS = "townships", _("街道/乡镇")
    DEPARTMENTS = "departments", _("部门")
    BOTH = "both", _("街道/乡镇和部门")


class NoDataRule(models.TextChoices):
    FULL = "full", _("得满分")
    ZERO = "zero", _("得0分")


class EvaluationIndicator(models.Model):
    """考核指标: one line of the monthly evaluation, with its weight. A computed indicator scores a
    registered metric (reports.registry) by its rule; an entered one is scored by the office with a
    reason. None counts inspections or fines for their own sake: rates and deductions measure whether
    the work that had to be done was done."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("指标名称"), max_length=50)
    source = models.CharField(_("来源"), max_length=10, choices=IndicatorSource.choices)
    rule = models.CharField(_("计分规则"), max_length=10, choices=IndicatorRule.choices)
    metric_key = models.CharField(
        _("统计指标"), max_length=80, blank=True, help_text=_("由数据计算的指标所用的统计指标代码")
    )
    weight = models.DecimalField(
        _("分值"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    points_per = models.DecimalField(
        _("每个扣分"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("按数量扣分的指标：每一个扣多少分"),
    )
    no_data = models.CharField(
        _("无数据时"),
        max_length=5,
        choices=NoDataRule.choices,
        default=NoDataRule.FULL,
        help_text=_("按比率得分的指标在本月无可计算的数据时（如未发现隐患、没有计划）如何得分"),
    )
    applies_to = models.CharField(
        _("适用对象"), max_length=12, choices=AppliesTo.choices, default=AppliesTo.BOTH
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    description = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="computed") & Q(rule__in=["rate", "deduct"]) & ~Q(metric_key=""))
                | (Q(source="entered") & Q(rule="entered")),
                name="indicator_rule_fits_source",
                violation_error_message=_(
                    "由数据计算的指标须选择统计指标和计分规则；安委办评分的指标按评分计。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def applies(self, target: str) -> bool:
        return self.applies_to == AppliesTo.BOTH or self.applies_to == (
            AppliesTo.TOWNSHIPS if target == EvaluationTarget.TOWNSHIP else AppliesTo.DEPARTMENTS
        )


class EvaluationTarget(models.TextChoices):
    TOWNSHIP = "township", _("街道/乡镇")
    DEPARTMENT = "department", _("部门")


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Evaluation(models.Model):
    """月度评估: the scores of every township (or every department) for one month. A draft is computed
    and recomputed from the records; publishing freezes it as the numbered 排名通报 with its PDF and Excel
    (the service refuses any later change, and a Postgres trigger refuses it too).

    `indicators` is the snapshot of the indicators scored (as they were configured); `results` is
    {"rows": [{"unit_id", "unit_name", "values": {code: raw}, "scores": {code: "12.50"|None},
    "total": "87.50", "rank": 1, "missing": [codes]}, …] in rank order, "as_of": "2026-11-30"}."""

    period_key = models.CharField(_("评估月份"), max_length=10, help_text=_("如 2026-M11"))
    target = models.CharField(_("评估对象"), max_length=12, choices=EvaluationTarget.choices)
    state = models.CharField(
        _("状态"), max_length=10, choices=EvaluationState.choices, default=EvaluationState.DRAFT
    )
    indicators = models.JSONField(_("考核指标"), default=list)
    results = models.JSONField(_("评估结果"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    computed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("计算人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    number = models.CharField(_("通报编号"), max_length=60, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pdf = models.FileField(_("排名通报 PDF"), upload_to="evaluations/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF 校验值"), max_length=64, blank=True)
    xlsx = models.FileField(_("排名表 Excel"), upload_to="evaluations/%Y/", blank=True)
    xlsx_sha256 = models.CharField(_("Excel 校验值"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度评估")
        verbose_name_plural = _("月度评估")
        ordering = ["-period_key", "target"]
        constraints = [
            models.UniqueConstraint(fields=["period_key", "target"], name="evaluation_one_per_month_target"),
            models.CheckConstraint(
                condition=Q(state="draft") | (~Q(number="") & Q(published_at__isnull=False)),
                name="evaluation_published_is_numbered",
                violation_error_message=_("已发布的评估须有通报编号和发布时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_key} · {self.get_target_display()}"

    def get_absolute_url(self) -> str:
        return reverse("reports:evaluation_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.state == EvaluationState.PUBLISHED


class EvaluationScore(models.Model):
    """人工评分: the office's score of one unit on one entered indicator, with the reason."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("月度评估"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        EvaluationIndicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("被评单位"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("评分理由"))
    entered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("评分人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["evaluation", "indicator", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator", "unit"], name="evaluation_score_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="evaluation_score_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator}: {self.score}"


class FollowUpKind(models.TextChoices):
    WARNING = "warning", _("警示告知书")
    TALK = "talk", _("约谈")


class EvaluationFollowUp(models.Model):
    """通报之后: a 警示告知书 (numbered, with its PDF) or a 约谈 (recorded as a campaigns Activity of a 约谈
    sub-type through the campaigns services) for a unit of a published evaluation."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("月度评估"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=10, choices=FollowUpKind.choices)
    number = models.CharField(_("文书编号"), max_length=60, blank=True)
    text = models.TextField(_("内容"), blank=True)
    activity = models.ForeignKey(
        "campaigns.Activity",
        verbose_name=_("约谈记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pdf = models.FileField(_("PDF"), upload_to="evaluations/notices/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF 校验值"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评估后续措施")
        verbose_name_plural = _("评估后续措施")
        ordering = ["evaluation", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit}"
