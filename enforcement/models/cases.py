"""案件: a case from 立案 to 结案, its legal basis, penalties (一案双罚), measures, deadline extensions and
timeline. Written by enforcement.services.cases only."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Enterprise, OrgUnit
from accounts.scoping import ScopeFields
from core.models import ChoiceLabelsMixin
from hazards.models import Hazard
from inspections.models import InspectionRecord

from ..choices import (
    DEADLINE_WARNING_DAYS,
    FINAL_STATES,
    MONEY_PENALTIES,
    UNDECIDED_STATES,
    CaseEventKind,
    CaseProcedure,
    CaseSource,
    CaseState,
    DeadlineFlag,
    ExtensionStatus,
    MeasureKind,
    PenaltyKind,
    PenaltyTarget,
    StopKind,
)


class LegalArticle(models.Model):
    """法律依据: a code table of articles (《安全生产法》第九十七条 …) administrators edit."""

    law = models.CharField(_("法律法规"), max_length=100, default="中华人民共和国安全生产法")
    law_short = models.CharField(_("简称"), max_length=40, default="安全生产法")
    article = models.CharField(_("条款"), max_length=40, help_text=_("如：第九十七条、第一百零一条第一项"))
    summary = models.CharField(_("内容摘要"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("法律依据")
        verbose_name_plural = _("法律依据")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["law", "article"],
                name="legalarticle_unique_article",
                violation_error_message=_("该法律条款已存在。"),
            )
        ]

    def __str__(self) -> str:
        return f"《{self.law_short}》{self.article}"


class Case(ChoiceLabelsMixin, models.Model):
    """案件. The enterprise's jurisdiction and township are copied when the case is opened, so scoping
    and counting by township are plain indexed filters."""

    number = models.CharField(_("案件编号"), max_length=60, unique=True)
    source = models.CharField(
        _("案件来源"), max_length=12, choices=CaseSource.choices, default=CaseSource.NONE
    )
    source_record = models.ForeignKey(
        InspectionRecord,
        verbose_name=_("来源检查记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    source_hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("来源隐患"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    source_accident = models.ForeignKey(
        "hazards.Accident",
        verbose_name=_("来源事故"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    source_tip = models.ForeignKey(
        "enforcement.Tip",
        verbose_name=_("来源举报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("当事单位"), on_delete=models.PROTECT, related_name="cases"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    # 约谈: the talks (campaigns.Activity of a 约谈 sub-type) linked to this case.
    talks = models.ManyToManyField(
        "campaigns.Activity",
        verbose_name=_("约谈"),
        blank=True,
        related_name="cases",
        limit_choices_to={"subtype__is_talk": True},
    )
    jurisdiction = models.ForeignKey(
        OrgUnit, verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    township = models.ForeignKey(
        OrgUnit, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    handling_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("办案单位"),
        on_delete=models.PROTECT,
        related_name="handled_cases",
        help_text=_("区安委办/应急局或执法部门（消防案件由消防部门办理）。"),
    )
    procedure = models.CharField(_("程序类型"), max_length=10, choices=CaseProcedure.choices)
    cause = models.CharField(_("案由"), max_length=300)
    articles = models.ManyToManyField(
        LegalArticle, verbose_name=_("法律依据"), related_name="cases", blank=True
    )
    facts = models.TextField(_("案情"), blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        related_name="enforcement_cases",
        blank=True,
    )

    state = models.CharField(
        _("案件状态"), max_length=14, choices=CaseState.choices, default=CaseState.OPEN, db_index=True
    )
    opened_on = models.DateField(_("立案日期"), db_index=True)
    decided_on = models.DateField(_("处罚决定日期"), null=True, blank=True, db_index=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    deadline = models.DateField(
        _("办案期限"),
        null=True,
        blank=True,
        help_text=_("一般程序自立案之日起90日内作出决定；经批准可延期。"),
    )
    deadline_flag = models.CharField(
        _("期限提示"), max_length=10, choices=DeadlineFlag.choices, blank=True, default=DeadlineFlag.NONE
    )
    hearing_requested = models.BooleanField(_("要求听证"), default=False)
    decision_summary = models.TextField(_("处罚决定内容"), blank=True)
    outcome_reason = models.TextField(_("不予处罚/移送理由"), blank=True)
    transferred_to = models.CharField(_("移送机关"), max_length=100, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("立案人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[articles, officers])

    # Seen by the township the enterprise lies in (read only: see permissions) and by the handling
    # unit (a department sees the cases of its own enforcement, not those of its sectors).
    scope_fields = ScopeFields(jurisdiction="jurisdiction", department="handling_unit")

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-opened_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="case_state_deadline"),
            models.Index(fields=["township", "opened_on"], name="case_township_opened"),
            models.Index(fields=["handling_unit", "opened_on"], name="case_unit_opened"),
            # The list's order: a deep page reads its ids off this index instead of sorting every case
            # (issue 15, core.paging).
            models.Index(fields=["-opened_on", "-id"], name="case_opened_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=FINAL_STATES) | Q(closed_on__isnull=False),
                name="case_final_has_date",
                violation_error_message=_("结案（不予处罚、移送）须有结案日期。"),
            ),
            models.CheckConstraint(
                condition=Q(state__in=UNDECIDED_STATES)
                | Q(state__in=[CaseState.NO_PENALTY, CaseState.TRANSFERRED])
                | Q(decided_on__isnull=False),
                name="case_decided_has_date",
                violation_error_message=_("已作出处罚决定的案件须有决定日期。"),
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("opened_on")),
                name="case_decided_after_opened",
                violation_error_message=_("处罚决定日期不能早于立案日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
                violation_error_message=_("结案日期不能早于立案日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.cause}"

    def get_absolute_url(self) -> str:
        return reverse("enforcement:case_detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_undecided(self) -> bool:
        return self.state in UNDECIDED_STATES

    def days_remaining(self, today: dt.date | None = None) -> int | None:
        """Days left to decide (negative: past the limit); None when no limit runs (simple procedure,
        or already decided / ended)."""
        if self.deadline is None or self.state not in UNDECIDED_STATES:
            return None
        return (self.deadline - (today or timezone.localdate())).days

    def deadline_status(self, today: dt.date | None = None) -> str:
        """ "overdue", "near" or "" — the live answer (deadline_flag is what the nightly task stored)."""
        days = self.days_remaining(today)
        if days is None:
            return DeadlineFlag.NONE
        if days < 0:
            return DeadlineFlag.OVERDUE
        if days <= DEADLINE_WARNING_DAYS:
            return DeadlineFlag.NEAR
        return DeadlineFlag.NONE


class Penalty(ChoiceLabelsMixin, models.Model):
    """One penalty of a case's decision: on the unit, or (一案双罚) on the person responsible. A decision
    made in the system names the person; an imported ledger's 个人罚款 may come without the name."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="penalties")
    target = models.CharField(_("处罚对象"), max_length=10, choices=PenaltyTarget.choices)
    person_name = models.CharField(_("被处罚人"), max_length=50, blank=True)
    person_title = models.CharField(_("职务"), max_length=50, blank=True)
    kind = models.CharField(_("处罚种类"), max_length=20, choices=PenaltyKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("处罚")
        verbose_name_plural = _("处罚")
        ordering = ["case", "target", "pk"]
        # The figures ask "which cases have a 责令停产停业整顿 / 关闭 penalty" (停产整顿, 关闭取缔): one small
        # range of this index rather than a scan of every penalty (as measure_kind_case for measures).
        indexes = [models.Index(fields=["kind", "case"], name="penalty_kind_case")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=MONEY_PENALTIES) | Q(amount__gt=0),
                name="penalty_money_has_amount",
                violation_error_message=_("罚款、没收违法所得须填写金额。"),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MONEY_PENALTIES) | Q(amount__isnull=True),
                name="penalty_amount_only_for_money",
                violation_error_message=_("只有罚款、没收违法所得填写金额。"),
            ),
        ]

    def __str__(self) -> str:
        who = self.person_name if self.target == PenaltyTarget.PERSON else self.get_target_display()
        return f"{who} {self.get_kind_display()} {self.amount or ''}".strip()


class Measure(models.Model):
    """A measure taken in a case, with its dates: 责令限期整改, 临时查封, 责令三停, 停产整顿, 关闭取缔 …"""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("措施"), max_length=20, choices=MeasureKind.choices)
    stop_kind = models.CharField(
        _("三停类别"), max_length=12, choices=StopKind.choices, blank=True, default=StopKind.NONE
    )
    start_on = models.DateField(_("开始日期"), db_index=True)
    end_on = models.DateField(_("截止/解除日期"), null=True, blank=True)
    persons = models.PositiveSmallIntegerField(_("行政拘留人数"), default=0)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["start_on", "pk"]
        indexes = [models.Index(fields=["kind", "case"], name="measure_kind_case")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="measure_end_after_start",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_on}"


class CaseExtension(models.Model):
    """延长办案期限: asked by the handling unit with a reason, approved or refused by the district office."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="extensions"
    )
    old_deadline = models.DateField(_("原办案期限"))
    new_deadline = models.DateField(_("延长至"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("审批状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("办案期限延长")
        verbose_name_plural = _("办案期限延长")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="caseextension_one_pending",
                violation_error_message=_("该案件已有待审批的延期申请。"),
            ),
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("old_deadline")),
                name="caseextension_later",
                violation_error_message=_("延长后的期限须晚于原期限。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.new_deadline}"


class CaseEvent(models.Model):
    """One line of the case's timeline: who did what, when, from which state to which, and why."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("类别"), max_length=20, choices=CaseEventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=14, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=14, choices=CaseState.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.PROTECT, null=True, blank=True
    )
    extension = models.ForeignKey(
        CaseExtension, verbose_name=_("延期申请"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("案件处理记录")
        verbose_name_plural = _("案件处理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"
