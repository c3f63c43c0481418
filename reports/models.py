"""Stored figures: what the nightly roll-up computed for a (period, scope), read by the dashboard."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
