"""Stored figures: what the nightly roll-up computed for a (period, scope), read by the dashboard."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import OrgUnit


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年")


class Rollup(models.Model):
    """统计快照: every metric of one period and scope, with the same period a year before.

    `figures` is {metric key: {"value": v, "previous": p}} (money in yuan, rates in percent). One row per
    (period, scope), replaced in place by each computation, so recomputing is idempotent. A row computed
    after its period ended is `settled`; a record entered late for that period marks it `stale` and
    queues a recompute.
    """

    period_key = models.CharField(_("统计期间"), max_length=10)
    period_kind = models.CharField(_("期间类型"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    scope_code = models.CharField(_("统计范围"), max_length=20, help_text=_("district 或单位编号"))
    scope_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("统计单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("空表示全区"),
    )
    figures = models.JSONField(_("统计数据"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    settled = models.BooleanField(_("期末已结算"), default=False)
    stale = models.BooleanField(_("待重新计算"), default=False)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        ordering = ["period_start", "scope_code"]
        constraints = [
            models.UniqueConstraint(fields=["period_key", "scope_code"], name="rollup_one_per_period_scope"),
        ]
        indexes = [models.Index(fields=["period_start", "period_end"], name="rollup_period_dates")]

    def __str__(self) -> str:
        return f"{self.period_key} · {self.scope_code}"


# ---------------------------------------------------------------- work summaries (工作总结, issue 14)


class ReportKind(models.TextChoices):
    ANNUAL = "annual", _("年度工作总结")
    QUARTERLY = "quarterly", _("季度工作报告")
    CAMPAIGN = "campaign", _("专项行动工作报告")
    DEPARTMENTS = "departments", _("成员单位年度工作总结")


class SectionTable(models.TextChoices):
    NONE = "", _("无")
    KEY_FIGURES = "key_figures", _("主要指标表（本期、去年同期、同比）")
    TOWNSHIPS = "townships", _("各街镇指标表")
    DEPARTMENTS = "departments", _("各成员单位指标表")
    CAMPAIGN_TARGETS = "campaign_targets", _("专项行动目标完成表")


class SectionChart(models.TextChoices):
    NONE = "", _("无")
    MONTHLY_TREND = "monthly_trend", _("逐月趋势图（隐患发现、整改、检查）")
    TOWNSHIPS = "townships", _("各街镇隐患整改率图")


class ReportTemplate(models.Model):
    """报告模板: the structure of one kind of summary — its title and its sections, in order. The office
    edits it (the sentence templates above all); a report copies nothing from it but reads it at each
    build, so an edited template shows in the next rebuild of every draft, never in a published version."""

    kind = models.CharField(_("报告类型"), max_length=20, choices=ReportKind.choices, unique=True)
    name = models.CharField(_("模板名称"), max_length=100)
    title_pattern = models.CharField(
        _("标题格式"),
        max_length=200,
        help_text=_("可用 {scope}（范围名称）、{year}、{quarter}（一/二/三/四）、{campaign}（专项行动名称）"),
    )
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
        verbose_name = _("报告模板")
        verbose_name_plural = _("报告模板")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.name


class TemplateSection(models.Model):
    """模板章节: a heading, the figure sentences written from metrics (one sentence template per line, see
    reports.sentences), what staff are asked to write, and an optional table and chart."""

    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("报告模板"), on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField(
        _("章节代码"), max_length=40, help_text=_("在模板内唯一，重新生成时据此保留已写的文字")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    level = models.PositiveSmallIntegerField(
        _("层级"), default=1, choices=[(1, _("一、")), (2, _("（一）")), (3, _("1."))]
    )
    heading = models.CharField(_("标题"), max_length=200)
    sentences = models.TextField(
        _("数据语句"), blank=True, help_text=_("每行一句，写法见右侧的指标列表；句末不写句号")
    )
    narrative_hint = models.TextField(_("撰写提示"), blank=True)
    default_narrative = models.TextField(_("默认文字"), blank=True)
    table = models.CharField(_("统计表"), max_length=20, choices=SectionTable.choices, blank=True, default="")
    chart = models.CharField(_("统计图"), max_length=20, choices=SectionChart.choices, blank=True, default="")
    per_unit = models.BooleanField(
        _("每个成员单位一部分"),
        default=False,
        help_text=_("成员单位总结：本章节为每个成员单位各写一遍，用其自己的数据"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("模板章节")
        verbose_name_plural = _("模板章节")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="template_section_key_unique")
        ]

    def __str__(self) -> str:
        return self.heading


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Report(models.Model):
    """工作总结: one summary of a kind, period and scope (and campaign), built from the records as a draft,
    edited, then published as numbered frozen versions (ReportVersion). `figures` and `sections` hold the
    last build; `previous_figures` the build before it, so the page shows what changed."""

    kind = models.CharField(_("报告类型"), max_length=20, choices=ReportKind.choices)
    period_key = models.CharField(_("报告期间"), max_length=10, help_text=_("2026 或 2026-Q3"))
    scope_code = models.CharField(_("统计范围"), max_length=20)
    scope_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("统计单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    figures = models.JSONField(_("本次生成的数据"), default=dict)
    previous_figures = models.JSONField(_("上次生成的数据"), default=dict)
    built_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作总结")
        verbose_name_plural = _("工作总结")
        ordering = ["-period_key", "kind", "scope_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_key", "scope_code"],
                condition=Q(campaign__isnull=True),
                name="report_one_per_kind_period_scope",
            ),
            models.UniqueConstraint(
                fields=["kind", "campaign", "scope_code"],
                condition=Q(campaign__isnull=False),
                name="report_one_per_campaign_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.pk])


class ReportSection(models.Model):
    """报告章节: a section of one report — the figure text of the last build (rewritten by each build) and
    the narrative staff write (never touched by a build). A per-unit section has one row per member unit."""

    report = models.ForeignKey(
        Report, verbose_name=_("工作总结"), on_delete=models.CASCADE, related_name="sections"
    )
    key = models.CharField(_("章节代码"), max_length=40)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("成员单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)
    level = models.PositiveSmallIntegerField(_("层级"), default=1)
    heading = models.CharField(_("标题"), max_length=200)
    figure_text = models.TextField(_("数据语句"), blank=True)
    parts = models.JSONField(
        _("数据语句（分段）"),
        default=list,
        help_text=_("[[文字, 指标代码或空], …]：网页据此给每个数字加链接"),
    )
    figure_error = models.TextField(_("数据语句错误"), blank=True)
    narrative = models.TextField(_("正文"), blank=True)
    table_data = models.JSONField(_("统计表"), null=True, blank=True)
    chart_data = models.JSONField(_("统计图"), null=True, blank=True)
    narrative_edited_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("撰写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    narrative_edited_at = models.DateTimeField(_("撰写时间"), null=True, blank=True)
    # Who wrote what in the narrative, version by version (builds rewrite only the figure sentences).
    history = HistoricalRecords(
        excluded_fields=["parts", "figure_text", "figure_error", "table_data", "chart_data"]
    )

    class Meta:
        verbose_name = _("报告章节")
        verbose_name_plural = _("报告章节")
        ordering = ["report", "order", "pk"]
        constraints = [
            # Two partial constraints rather than NULLS NOT DISTINCT, which the SQLite demo cannot build.
            models.UniqueConstraint(
                fields=["report", "key"], condition=Q(unit__isnull=True), name="report_section_once"
            ),
            models.UniqueConstraint(
                fields=["report", "key", "unit"],
                condition=Q(unit__isnull=False),
                name="report_unit_section_once",
            ),
        ]

    def __str__(self) -> str:
        return self.heading


class ReportVersion(models.Model):
    """发布版本: a published report, frozen. `content` is everything the web view, the PDF and the .docx
    show (title, sections with their text, tables and charts, the figures with period and scope), so
    neither a new record nor an edited template nor a rebuild can change it; the PDF is written once
    and kept with its sha256. A Postgres trigger refuses UPDATE and DELETE of the frozen columns."""

    report = models.ForeignKey(
        Report, verbose_name=_("工作总结"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    content = models.JSONField(_("内容"))
    figures = models.JSONField(_("数据"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        "accounts.User", verbose_name=_("发布人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF 校验值"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("发布版本")
        verbose_name_plural = _("发布版本")
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} · 第{self.number}版"

    def get_absolute_url(self) -> str:
        return reverse("reports:version_detail", args=[self.report_id, self.number])


class ReportJobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ReportJob(models.Model):
    """生成任务: one PDF (or .docx) being built by Celery, with the progress the browser polls. A draft's
    PDF is built afresh each time (kept here until the next one); a published version's PDF is its own."""

    report = models.ForeignKey(
        Report, verbose_name=_("工作总结"), on_delete=models.CASCADE, related_name="jobs"
    )
    version = models.ForeignKey(
        ReportVersion,
        verbose_name=_("发布版本"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    fmt = models.CharField(_("格式"), max_length=5, default="pdf", choices=[("pdf", "PDF"), ("docx", "Word")])
    state = models.CharField(
        _("状态"), max_length=10, choices=ReportJobState.choices, default=ReportJobState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    file = models.FileField(_("文件"), upload_to="reports/jobs/%Y/", blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("生成任务")
        verbose_name_plural = _("生成任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_state_display()}"


from .models_evaluation import *  # noqa: E402, F401, F403  (the evaluation's models live in their own module)
