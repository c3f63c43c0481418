from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Enterprise, OrgUnit, Sector
from accounts.scoping import ScopeFields

from .choices import ActionStatus, CheckResultValue, LeaderLevel


class InspectionKind(models.Model):
    """检查类型: 日常检查, 专项检查, 双随机抽查 … a code table administrators edit."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    is_enforcement = models.BooleanField(
        _("执法检查"), default=True, help_text=_("执法检查的检查组须有两名以上持有效执法证的人员。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查类型")
        verbose_name_plural = _("检查类型")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CheckItem(models.Model):
    """检查事项: what may be checked in a sector, published read-only to every user (2025 rules)."""

    sector = models.ForeignKey(
        Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="check_items"
    )
    code = models.CharField(_("编号"), max_length=30)
    title = models.CharField(_("检查内容"), max_length=300)
    basis = models.CharField(_("检查依据"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查事项")
        verbose_name_plural = _("检查事项")
        ordering = ["sector__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["sector", "code"],
                name="checkitem_unique_code_per_sector",
                violation_error_message=_("同一行业领域下检查事项编号不能重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class InspectionAction(models.Model):
    """检查行动: one outing by a team on one day, visiting one or more enterprises.

    Counting rules the summaries depend on: an action is 1 次; its person-times (人次) are its
    team size (members plus named outside experts); each visited enterprise is 1 家次.
    """

    number = models.CharField(_("编号"), max_length=40, blank=True, db_index=True)
    date = models.DateField(_("检查日期"), db_index=True)
    organizer = models.ForeignKey(
        OrgUnit, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="inspection_actions"
    )
    kind = models.ForeignKey(InspectionKind, verbose_name=_("检查类型"), on_delete=models.PROTECT)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人员"), related_name="inspection_actions", blank=True
    )
    experts = models.CharField(_("外聘专家"), max_length=200, blank=True, help_text=_("姓名以、分隔"))
    person_count = models.PositiveSmallIntegerField(
        _("出动人数"), default=0, editable=False, help_text=_("检查人员与外聘专家合计，由系统维护。")
    )
    is_leader_led = models.BooleanField(_("领导带队"), default=False)
    leader_name = models.CharField(_("带队领导"), max_length=50, blank=True)
    leader_level = models.CharField(_("领导级别"), max_length=10, choices=LeaderLevel.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.DONE
    )
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[members])

    # An action is seen by whoever may see one of the enterprises it visited (selectors apply it
    # through the records) or who belongs to the organising unit's subtree.
    scope_fields = ScopeFields(jurisdiction="organizer", department="organizer")

    class Meta:
        verbose_name = _("检查行动")
        verbose_name_plural = _("检查行动")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_leader_led=False) | ~Q(leader_name=""),
                name="action_leader_led_names_leader",
                violation_error_message=_("领导带队的检查须填写带队领导。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.date:%Y-%m-%d} {self.kind}"


class InspectionRecord(models.Model):
    """检查记录: one visited enterprise on an action (1 家次), with its check-item results."""

    action = models.ForeignKey(
        InspectionAction, verbose_name=_("检查行动"), on_delete=models.CASCADE, related_name="records"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        related_name="inspection_records",
    )
    findings = models.TextField(_("发现问题"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    scope_fields = ScopeFields(
        jurisdiction="enterprise__jurisdiction",
        sectors="enterprise__sectors",
        department="enterprise__supervising_department",
    )

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["action", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "enterprise"],
                name="record_one_visit_per_enterprise_per_action",
                violation_error_message=_("同一检查行动中该单位已有检查记录。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.enterprise}"


class CheckResult(models.Model):
    """One check item on a record: 符合 / 不符合 / 不涉及, with a note."""

    record = models.ForeignKey(
        InspectionRecord, verbose_name=_("检查记录"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(CheckItem, verbose_name=_("检查事项"), on_delete=models.PROTECT)
    result = models.CharField(_("结果"), max_length=15, choices=CheckResultValue.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "item"],
                name="result_one_per_item_per_record",
                violation_error_message=_("同一检查事项只能记录一次结果。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.get_result_display()}"
