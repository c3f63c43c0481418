"""举报: whistle-blower reports received by the district, checked, and — when substantiated — rewarded
and followed by a hazard or a case."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Enterprise, OrgUnit, Sector
from accounts.scoping import ScopeFields
from hazards.models import Hazard

from ..choices_tips import TipChannel, TipState


class Tip(models.Model):
    """举报: what a member of the public reported, and what came of it. The reporter's name and phone
    are confidential (举报人信息保密): only the district office sees them, in pages, exports and API."""

    number = models.CharField(_("举报编号"), max_length=40, unique=True)
    received_on = models.DateField(_("受理日期"), db_index=True)
    channel = models.CharField(_("举报渠道"), max_length=10, choices=TipChannel.choices)
    reporter_name = models.CharField(_("举报人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("举报人电话"), max_length=30, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("被举报单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tips",
    )
    township = models.ForeignKey(
        OrgUnit, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="tips"
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    content = models.TextField(_("举报内容"))
    state = models.CharField(
        _("办理状态"), max_length=16, choices=TipState.choices, default=TipState.RECEIVED, db_index=True
    )
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    result = models.TextField(_("核查结果"), blank=True)
    reward_amount = models.DecimalField(
        _("奖励金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reward_paid_on = models.DateField(_("奖励发放日期"), null=True, blank=True)
    hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("登记的隐患"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tips",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    # Seen by its township (and the district), and by the departments supervising its sector.
    scope_fields = ScopeFields(jurisdiction="township", sectors="sector")

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[TipState.RECEIVED, TipState.CHECKING]) | Q(checked_on__isnull=False),
                name="tip_concluded_has_date",
                violation_error_message=_("核查完毕的举报须有核查日期。"),
            ),
            models.CheckConstraint(
                condition=Q(reward_paid_on__isnull=True)
                | (Q(state=TipState.SUBSTANTIATED) & Q(reward_amount__gt=0)),
                name="tip_reward_only_substantiated",
                violation_error_message=_("只有属实的举报可以发放奖励，且须填写奖励金额。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("enforcement:tip_detail", args=[self.pk])
