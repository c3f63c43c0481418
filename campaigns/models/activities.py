"""活动台账: publicity (宣传), training (培训), drills (演练) and meetings (会议, including 约谈), with
the quantities the summaries count (横幅 条, 宣传资料 份, 展板 块, 受众 人次 …) and evidence files.

An activity belongs to the unit that organised it: a township sees its own (and its communities'),
a department its own, the district office all (scope_fields). The kinds are fixed; sub-types and the
quantity catalogue are code tables the administrator edits.
"""

import uuid

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

from ..choices_activities import ActivityKind, AttachmentKind, TalkTargetKind
from .campaigns import Campaign


class ActivityType(models.Model):
    """活动类型: the four fixed kinds (宣传/培训/演练/会议); the office may rename and reorder them."""

    code = models.CharField(_("代码"), max_length=20, choices=ActivityKind.choices, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["order", "pk"]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name


class ActivitySubtype(models.Model):
    """活动子类型: 安全生产月, 防灾减灾日 … (宣传); 主要负责人, 特种作业人员 … (培训, by audience);
    消防疏散, 电梯困人 … (演练); 区委常委会, 安委会全会, 约谈 … (会议). A code table.

    `is_talk` marks 约谈: such a meeting names who was talked to and why."""

    type = models.ForeignKey(
        ActivityType, verbose_name=_("活动类型"), on_delete=models.PROTECT, related_name="subtypes"
    )
    name = models.CharField(_("名称"), max_length=50)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    is_talk = models.BooleanField(
        _("约谈"), default=False, help_text=_("约谈类会议须填写约谈对象和约谈事由。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("活动子类型")
        verbose_name_plural = _("活动子类型")
        ordering = ["type__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "name"],
                name="activity_subtype_unique_name",
                violation_error_message=_("该活动类型下已有同名子类型。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class QuantityUnit(models.Model):
    """数量单位目录: what an activity's quantities are counted in — 横幅（条）, 宣传资料（份）,
    展板（块）, 媒体报道（篇）, 受众（人次） … The import reads one column per unit, headed “名称（单位）”."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    unit = models.CharField(_("计量单位"), max_length=10)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("数量单位")
        verbose_name_plural = _("数量单位")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """横幅（条）: the way the ledgers and the import's column headers write it."""
        return f"{self.name}（{self.unit}）"


class Activity(ChoiceLabelsMixin, models.Model):
    """一次活动: a publicity event, a training, a drill or a meeting (约谈 among them), organised by
    one unit, with its 场次 and 参与人次 and the quantities it produced."""

    date = models.DateField(_("日期"), db_index=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("跨多日的活动填写。"))
    type = models.ForeignKey(ActivityType, verbose_name=_("活动类型"), on_delete=models.PROTECT)
    subtype = models.ForeignKey(
        ActivitySubtype, verbose_name=_("子类型"), on_delete=models.PROTECT, null=True, blank=True
    )
    theme = models.CharField(_("主题"), max_length=200)
    organiser = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="activities"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("专项行动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    sessions = models.PositiveIntegerField(_("场次"), default=1)
    participants = models.PositiveIntegerField(_("参与人次"), default=0)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    talk_reason = models.TextField(_("约谈事由"), blank=True)
    notes = models.TextField(_("备注"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    # The organising unit's: its township (subtree) or its department, and the district office.
    scope_fields = ScopeFields(jurisdiction="organiser", department="organiser")

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["type", "date"], name="activity_type_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("date")),
                name="activity_end_after_start",
                violation_error_message=_("结束日期不能早于日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.theme}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:activity_detail", args=[self.pk])

    @property
    def is_talk(self) -> bool:
        return self.subtype is not None and self.subtype.is_talk


class ActivityQuantity(models.Model):
    """One quantity of an activity: 横幅 20 条, 宣传资料 500 份."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="quantities"
    )
    unit = models.ForeignKey(QuantityUnit, verbose_name=_("数量单位"), on_delete=models.PROTECT)
    amount = models.PositiveIntegerField(_("数量"))

    class Meta:
        verbose_name = _("活动数量")
        verbose_name_plural = _("活动数量")
        ordering = ["unit__order", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "unit"],
                name="activity_quantity_one_per_unit",
                violation_error_message=_("同一数量单位只能填写一次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.amount}{self.unit.unit}"


class ActivityTalkTarget(models.Model):
    """约谈对象: a township, a department or an enterprise talked to in a 约谈."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="talk_targets"
    )
    kind = models.CharField(_("对象类别"), max_length=12, choices=TalkTargetKind.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talks",
    )

    class Meta:
        verbose_name = _("约谈对象")
        verbose_name_plural = _("约谈对象")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=TalkTargetKind.ENTERPRISE, enterprise__isnull=False, org_unit__isnull=True)
                    | (
                        Q(kind__in=[TalkTargetKind.TOWNSHIP, TalkTargetKind.DEPARTMENT])
                        & Q(org_unit__isnull=False, enterprise__isnull=True)
                    )
                ),
                name="talk_target_names_one",
                violation_error_message=_("约谈对象须为一个单位或一家生产经营单位。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.enterprise if self.kind == TalkTargetKind.ENTERPRISE else self.org_unit)


def attachment_path(instance: "ActivityAttachment", filename: str) -> str:
    """A random name with the extension the content proved (the service sets it); never the sender's name."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = ext if ext in {"jpg", "png", "webp", "gif", "pdf"} else "bin"
    return f"activities/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class ActivityAttachment(models.Model):
    """佐证材料: a photo or a PDF (签到表, 会议纪要, 约谈笔录), checked by content when uploaded and
    served only through the activity's scope."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def is_photo(self) -> bool:
        return self.kind == AttachmentKind.PHOTO
