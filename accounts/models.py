import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    JURISDICTION_KINDS,
    TOWNSHIP_KINDS,
    DutyCategory,
    EnterpriseScale,
    EnterpriseStatus,
    OrgKind,
    RiskGradeCode,
    Role,
    WorkStatus,
)
from .scoping import ScopeFields
from .validators import validate_uscc


class Sector(models.Model):
    """行业领域: a code table (危险化学品, 建筑施工, 消防 …) that administrators edit, never an enum."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")
        ordering = ["order", "name"]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name


class RiskGrade(models.Model):
    """风险等级 红橙黄蓝: the four grades are fixed, their labels and colours are the office's to set."""

    code = models.CharField(_("代码"), max_length=10, choices=RiskGradeCode.choices, unique=True)
    label = models.CharField(_("显示名称"), max_length=30)
    color = models.CharField(_("颜色"), max_length=7, help_text=_("如 #d32f2f"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("风险等级")
        verbose_name_plural = _("风险等级")
        ordering = ["order"]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "label"

    def __str__(self) -> str:
        return self.label


class OrgUnit(models.Model):
    """组织单位: the district, its 街道/乡镇/管理处, their 社区/村, the 安委会成员单位 and the 专委会.

    `path` is the chain of ids from the root ("/1/4/27/"), so a subtree is one indexed prefix query
    however deep the tree. It is kept by save(): a tree invariant, not a business rule.
    """

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=False, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), editable=False, default=0)
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    supervised_sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("监管行业领域"),
        blank=True,
        related_name="supervising_units",
        help_text=_("部门所监管的行业领域；部门人员可见这些领域的生产经营单位。"),
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[supervised_sectors])

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"])
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="orgunit_unique_name_under_parent",
                violation_error_message=_("同一上级单位下已有同名单位。"),
            ),
        ]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        if not self.pk:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        self.path = new_path
        self.depth = new_path.count("/") - 2
        super().save(*args, **kwargs)
        if old_path and old_path != new_path:
            # Moving a unit moves its whole subtree in one statement.
            OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1)),
                depth=models.F("depth") + (self.depth - (old_path.count("/") - 2)),
            )

    def clean(self) -> None:
        if (
            self.pk
            and self.parent_id
            and (
                self.parent_id == self.pk or (self.parent and self.parent.path.startswith(self.path or "\0"))
            )
        ):
            raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})

    @property
    def is_township(self) -> bool:
        return self.kind in TOWNSHIP_KINDS

    @property
    def is_department(self) -> bool:
        return self.kind == OrgKind.DEPARTMENT

    @property
    def is_district(self) -> bool:
        return self.kind == OrgKind.DISTRICT

    def is_ancestor_of(self, other: "OrgUnit") -> bool:
        return bool(self.path) and other.path.startswith(self.path)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def subtree(self) -> models.QuerySet["OrgUnit"]:
        return OrgUnit.objects.filter(path__startswith=self.path)


class User(AbstractUser):
    """A person who signs in: one role, one organisation unit (所属单位)."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.TOWNSHIP)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    enforcement_cert_no = models.CharField(_("执法证号"), max_length=40, blank=True)
    enforcement_cert_expiry = models.DateField(_("执法证有效期至"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[Role.ADMIN, Role.OFFICER, Role.LEADER]) | Q(org_unit__isnull=False),
                name="user_scoped_role_needs_org_unit",
                violation_error_message=_("部门人员和街镇人员必须指定所属单位。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.LEADER

    def holds_valid_cert(self, on) -> bool:
        """持有效执法证 on the given date: a number, and an expiry not before that day."""
        return (
            bool(self.enforcement_cert_no)
            and self.enforcement_cert_expiry is not None
            and (self.enforcement_cert_expiry >= on)
        )


class Enterprise(models.Model):
    """生产经营单位: one registered business, identified by its 统一社会信用代码.

    Who sees it follows from where it sits (jurisdiction → the township subtree) and what it does
    (sectors → the departments that supervise them).
    """

    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        # The same words whether the form, the API or a concurrent registration finds the code taken.
        error_messages={"unique": _("该统一社会信用代码已登记。")},
    )
    name = models.CharField(_("单位名称"), max_length=200)
    sectors = models.ManyToManyField(Sector, verbose_name=_("行业领域"), related_name="enterprises")
    jurisdiction = models.ForeignKey(
        OrgUnit,
        verbose_name=_("属地"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"kind__in": JURISDICTION_KINDS},
        help_text=_("所属街道/乡镇，或其下的社区/村。"),
    )
    supervising_department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("监管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_enterprises",
        limit_choices_to={"kind": OrgKind.DEPARTMENT},
    )
    risk_grade = models.ForeignKey(
        RiskGrade,
        verbose_name=_("风险等级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    scale = models.CharField(_("单位规模"), max_length=10, choices=EnterpriseScale.choices, blank=True)
    status = models.CharField(
        _("经营状态"), max_length=10, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_fire_key_unit = models.BooleanField(_("消防安全重点单位"), default=False)
    has_major_hazard_source = models.BooleanField(_("重大危险源"), default=False)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    # 乐观锁: every save adds one; a save from a page or client that loaded an older version is
    # refused (services.enterprise_update), so two people editing at once cannot overwrite each other.
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[sectors])

    scope_fields = ScopeFields(
        jurisdiction="jurisdiction", sectors="sectors", department="supervising_department"
    )

    class Meta:
        verbose_name = _("生产经营单位")
        verbose_name_plural = _("生产经营单位")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["status"], name="enterprise_status"),
            models.Index(fields=["name"], name="enterprise_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="enterprise_longitude_range",
                violation_error_message=_("经度应在 -180 到 180 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="enterprise_latitude_range",
                violation_error_message=_("纬度应在 -90 到 90 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:enterprise_detail", args=[self.pk])

    @property
    def township(self) -> OrgUnit:
        """The 街道/乡镇 the unit belongs to (its jurisdiction, or the jurisdiction's parent)."""
        unit = self.jurisdiction
        return unit if unit.is_township or unit.parent_id is None else unit.parent


class NumberSequence(models.Model):
    """编号计数器: the last number issued for one (series, unit, year), so numbers run without gaps.

    The counter row is locked and bumped inside the caller's transaction: if the caller rolls
    back, so does the number, and the next caller gets it — no gap, no reuse.
    """

    series = models.CharField(_("编号类别"), max_length=30)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "org_unit", "year"],
                name="numbersequence_one_per_series_unit_year",
                violation_error_message=_("该编号计数器已存在。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.org_unit} {self.year}: {self.last}"


class Notification(models.Model):
    """站内通知: a message to a unit, to a role, or to one user; shown in the app's bell menu.

    `key` makes producers idempotent: a nightly job that notifies about the same thing twice
    creates one notification, not two.
    """

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("接收单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    role = models.CharField(_("接收角色"), max_length=20, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        "User",
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=30)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    key = models.CharField(_("去重键"), max_length=120, unique=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_by = models.ManyToManyField("User", verbose_name=_("已读"), related_name="+", blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(org_unit__isnull=False) | ~Q(role="") | Q(user__isnull=False),
                name="notification_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WECOM = "wecom", _("企业微信群机器人")


class DeliveryChannel(models.Model):
    """通知推送通道: where a unit's or a user's notifications also go beyond the app's bell.

    E-mail: a unit's channel goes to the address filled in (a unit mailbox) or, left blank, to every
    active user of the unit with an e-mail address who has no e-mail channel of their own; a user's
    channel goes to the address filled in or else to the user's own e-mail. 钉钉/企业微信: the group
    robot's webhook URL; a 钉钉 robot with 加签 also needs its secret (SEC…).
    """

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery_channels",
    )
    user = models.ForeignKey(
        "User",
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery_channels",
    )
    kind = models.CharField(_("通道类型"), max_length=20, choices=ChannelKind.choices)
    address = models.CharField(
        _("地址"),
        max_length=500,
        blank=True,
        help_text=_("邮箱地址（可留空，见说明），或群机器人的 Webhook URL。"),
    )
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("仅钉钉机器人“加签”时填写。")
    )
    active = models.BooleanField(_("启用"), default=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知推送通道")
        verbose_name_plural = _("通知推送通道")
        ordering = ["org_unit__path", "user__username", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(org_unit__isnull=False, user__isnull=True)
                | Q(org_unit__isnull=True, user__isnull=False),
                name="deliverychannel_unit_or_user",
                violation_error_message=_("推送通道须指定单位或用户，二者选一。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_unit or self.user} · {self.get_kind_display()}"

    def clean(self) -> None:
        if (self.org_unit_id is None) == (self.user_id is None):
            raise ValidationError(_("推送通道须指定单位或用户，二者选一。"))
        address = self.address.strip()
        if self.kind == ChannelKind.EMAIL:
            if address:
                try:
                    EmailValidator()(address)
                except ValidationError:
                    raise ValidationError({"address": _("请填写有效的邮箱地址。")}) from None
        else:
            try:
                URLValidator(schemes=["http", "https"])(address)
            except ValidationError:
                raise ValidationError(
                    {"address": _("请填写群机器人的 Webhook URL（http:// 或 https:// 开头）。")}
                ) from None
        if self.secret and self.kind != ChannelKind.DINGTALK:
            raise ValidationError({"secret": _("只有钉钉机器人需要加签密钥。")})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """推送记录: one notification through one channel — whether it went, how many tries, the last error.

    One row per (notification, channel), so a repeated delivery task sends nothing twice.
    """

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(
        DeliveryChannel,
        verbose_name=_("推送通道"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="deliveries",
    )
    kind = models.CharField(_("通道类型"), max_length=20, choices=ChannelKind.choices)
    target = models.CharField(_("发送至"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最后错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                name="delivery_one_per_notification_channel",
                violation_error_message=_("该通知已经由此通道推送过。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.target or self.get_kind_display()}"


# ---------------------------------------------------------------- 安全责任: lists, work lists, letters


class DutyList(models.Model):
    """职责清单: the safety duties of one leader (an account, or a named person and post) or of a unit,
    as numbered items. It belongs to `unit` (the leader's unit, or the unit itself): who sees and
    edits it follows from there."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("清单名称"), max_length=200)
    holder_user = models.ForeignKey(
        "User",
        verbose_name=_("领导（账号）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("领导有系统账号时选择；否则填写姓名和职务。不填则为单位职责清单。"),
    )
    holder_name = models.CharField(_("领导姓名"), max_length=50, blank=True)
    holder_post = models.CharField(_("职务"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    created_by = models.ForeignKey(
        "User", verbose_name=_("录入人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    scope_fields = ScopeFields(jurisdiction="unit", department="unit")

    class Meta:
        verbose_name = _("职责清单")
        verbose_name_plural = _("职责清单")
        ordering = ["unit__path", "title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accounts:duty_list_detail", args=[self.pk])

    @property
    def holder(self) -> str:
        """领导: the account's name, or the name given; with the post. Empty for a unit's own list."""
        name = self.holder_user.display_name if self.holder_user_id else self.holder_name
        return "　".join(p for p in (self.holder_post, name) if p)


class DutyItem(models.Model):
    """One duty of a 职责清单."""

    duty_list = models.ForeignKey(
        DutyList, verbose_name=_("职责清单"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    category = models.CharField(
        _("类别"), max_length=20, choices=DutyCategory.choices, default=DutyCategory.OTHER
    )
    text = models.TextField(_("职责内容"))

    class Meta:
        verbose_name = _("职责条目")
        verbose_name_plural = _("职责条目")
        ordering = ["duty_list", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class WorkList(models.Model):
    """工作清单: a unit's safety tasks for one year, each with its lead unit, due date and progress."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("清单名称"), max_length=200)
    created_by = models.ForeignKey(
        "User", verbose_name=_("录入人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    scope_fields = ScopeFields(jurisdiction="unit", department="unit")

    class Meta:
        verbose_name = _("工作清单")
        verbose_name_plural = _("工作清单")
        ordering = ["-year", "unit__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="worklist_one_per_unit_year",
                violation_error_message=_("该单位本年度已有工作清单。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accounts:work_list_detail", args=[self.pk])


class WorkItem(models.Model):
    """One task of a 工作清单: what, who leads it, by when, and how far it is (updated by the unit)."""

    work_list = models.ForeignKey(
        WorkList, verbose_name=_("工作清单"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    task = models.TextField(_("工作任务"))
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("进展"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0)
    progress_note = models.TextField(_("进展情况"), blank=True)
    progress_by = models.ForeignKey(
        "User",
        verbose_name=_("进展更新人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    progress_on = models.DateTimeField(_("进展更新时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作任务")
        verbose_name_plural = _("工作任务")
        ordering = ["work_list", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100)
                & (~Q(status=WorkStatus.DONE) | Q(percent=100))
                & (~Q(status=WorkStatus.NOT_STARTED) | Q(percent=0)),
                name="workitem_percent_matches_status",
                violation_error_message=_("完成比例须在 0–100 之间：未开始为 0，已完成为 100。"),
            )
        ]

    def __str__(self) -> str:
        return self.task[:40]


class LetterKind(models.Model):
    """责任书类型 (code table): 目标管理责任书, 安全生产责任状, 安全承诺书 …"""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("责任书类型")
        verbose_name_plural = _("责任书类型")
        ordering = ["order", "pk"]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name


def letter_upload_to(instance: "ResponsibilityLetter", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = ext if ext in ("pdf", "jpg", "png", "webp", "gif") else "pdf"
    return f"letters/{instance.year}/{uuid.uuid4().hex}.{ext}"


class ResponsibilityLetter(models.Model):
    """签订的责任书/责任状/承诺书: issued by a unit (the district to a township, a township to its
    communities, a department to the firms of its sector …) and signed by another unit or an
    enterprise on a day, with the scanned letter. Seen by the issuer's, the signer's and the signing
    enterprise's scope."""

    kind = models.ForeignKey(LetterKind, verbose_name=_("类型"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200, blank=True)
    issuer = models.ForeignKey(
        OrgUnit, verbose_name=_("发放单位"), on_delete=models.PROTECT, related_name="+"
    )
    signer_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("签订单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("签订企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsibility_letters",
    )
    signed_on = models.DateField(_("签订日期"))
    file = models.FileField(_("扫描件"), upload_to=letter_upload_to, blank=True, max_length=200)
    file_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        "User", verbose_name=_("录入人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    scope_fields = ScopeFields(
        jurisdiction=("issuer", "signer_unit", "signer_enterprise__jurisdiction"),
        sectors="signer_enterprise__sectors",
        department=("issuer", "signer_unit", "signer_enterprise__supervising_department"),
    )

    class Meta:
        verbose_name = _("安全责任书")
        verbose_name_plural = _("安全责任书")
        ordering = ["-signed_on", "-pk"]
        indexes = [models.Index(fields=["year", "kind"], name="letter_year_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(signer_unit__isnull=True, signer_enterprise__isnull=False)
                | Q(signer_unit__isnull=False, signer_enterprise__isnull=True),
                name="letter_one_signer",
                violation_error_message=_("签订方须是一个单位或一家企业（二选一）。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.kind} {self.signer_name}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:letter_detail", args=[self.pk])

    @property
    def signer_name(self) -> str:
        signer = self.signer_enterprise if self.signer_enterprise_id else self.signer_unit
        return signer.name if signer else ""
