import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Enterprise, OrgUnit, Sector
from accounts.scoping import ScopeFields
from core.models import ChoiceLabelsMixin
from core.tallies import GroupTally
from core.uploads import photo_extension
from inspections.models import CheckResult, InspectionRecord

from .choices import (
    ACTIVE_STATES,
    AccidentGrade,
    EventKind,
    ExtensionStatus,
    HazardLevel,
    HazardSource,
    HazardState,
    ListingLevel,
    PhotoStage,
)


class HazardCategory(models.Model):
    """隐患类别: a code table administrators edit (基础管理, 设备设施, 消防安全 …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("隐患类别")
        verbose_name_plural = _("隐患类别")
        ordering = ["order", "name"]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name


class Hazard(ChoiceLabelsMixin, models.Model):
    """隐患: one entry of the ledger, followed through the closed loop until 销号. Never deleted.

    The enterprise's township, jurisdiction, sectors and supervising department are copied onto the
    hazard when it is recorded, so counting by township or sector is a plain indexed filter and the
    ledger keeps saying where the hazard was even if the enterprise later moves.
    """

    number = models.CharField(_("隐患编号"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="hazards"
    )
    jurisdiction = models.ForeignKey(
        OrgUnit, verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    township = models.ForeignKey(
        OrgUnit, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("行业领域"), related_name="hazards", blank=True)
    supervising_department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("监管部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    source = models.CharField(_("隐患来源"), max_length=12, choices=HazardSource.choices)
    inspection_record = models.ForeignKey(
        InspectionRecord,
        verbose_name=_("检查记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
    )
    check_result = models.ForeignKey(
        CheckResult,
        verbose_name=_("不符合检查事项"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
    )
    level = models.CharField(
        _("隐患等级"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL
    )
    category = models.ForeignKey(
        HazardCategory, verbose_name=_("隐患类别"), on_delete=models.PROTECT, null=True, blank=True
    )
    description = models.TextField(_("隐患描述"))
    location = models.CharField(_("隐患部位"), max_length=200, blank=True)
    found_on = models.DateField(_("发现日期"), db_index=True)
    deadline = models.DateField(_("整改期限"), db_index=True)
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("跟踪责任单位"),
        on_delete=models.PROTECT,
        related_name="followed_hazards",
        help_text=_("负责跟踪督促整改的街道/乡镇或部门。"),
    )
    responsible_person = models.CharField(_("整改责任人"), max_length=50, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    # 五落实 of a major hazard: responsible person, measures, funds, deadline, contingency plan.
    funds = models.DecimalField(_("整改资金（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    contingency_plan = models.TextField(_("应急预案"), blank=True)

    state = models.CharField(
        _("整改状态"), max_length=12, choices=HazardState.choices, default=HazardState.OPEN, db_index=True
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    is_overdue = models.BooleanField(_("逾期"), default=False, db_index=True)
    overdue_since = models.DateField(_("逾期日期"), null=True, blank=True)

    listing_level = models.CharField(
        _("挂牌督办级别"), max_length=10, choices=ListingLevel.choices, blank=True
    )
    listed_on = models.DateField(_("挂牌日期"), null=True, blank=True)
    listing_leader = models.CharField(_("督办领导"), max_length=50, blank=True)
    listing_document = models.CharField(_("督办文号"), max_length=60, blank=True)
    delisted_on = models.DateField(_("摘牌日期"), null=True, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        help_text=_("从检查记录登记时默认为该检查所属的专项行动。"),
    )
    # 约谈: the talks (campaigns.Activity of a 约谈 sub-type) this hazard led to or came up in.
    talks = models.ManyToManyField(
        "campaigns.Activity",
        verbose_name=_("约谈"),
        blank=True,
        related_name="hazards",
        limit_choices_to={"subtype__is_talk": True},
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    # The history is read by hazard (id) and date only; an index per copied column (17 of them) made every
    # history row — two million at city scale, one per imported hazard — cost 17 index inserts (issue 15).
    history = HistoricalRecords(
        m2m_fields=[sectors],
        no_db_index=[
            "number", "enterprise", "jurisdiction", "township", "supervising_department", "inspection_record",
            "check_result", "category", "found_on", "deadline", "responsible_unit", "state", "is_overdue",
            "campaign", "created_by",
        ],
    )  # fmt: skip

    # Seen by the township it lies in, the departments of its sectors, the supervising department,
    # and the unit that follows it (a department may follow a hazard outside its sectors).
    scope_fields = ScopeFields(
        jurisdiction="jurisdiction",
        sectors="sectors",
        department=("supervising_department", "responsible_unit"),
    )

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="hazard_state_deadline"),
            models.Index(fields=["township", "state"], name="hazard_township_state"),
            # The ledger's order (newest found first): page N reads N×25 index entries instead of sorting
            # the whole (scoped) ledger (issue 15: a deep page at 300k hazards).
            models.Index(fields=["-found_on", "-id"], name="hazard_found_order"),
            # The same order within a township (the ?township= filter) and within a jurisdiction (a township
            # user's scope, a handful of jurisdictions): their deep pages read a few thousand index entries
            # instead of walking the whole ledger's order for the township's 0.5 % (issue 15, core.paging).
            models.Index(fields=["township", "-found_on", "-id"], name="hazard_township_found"),
            models.Index(fields=["jurisdiction", "-found_on", "-id"], name="hazard_jurisdiction_found"),
            # The ledger's figures (selectors.ledger_figures) without reading the closed rows, most of a
            # city's ledger: all it needs of the others is in this index, the township (filter) and the
            # jurisdiction (a township user's scope) included, so it is read alone (an index-only scan) ...
            models.Index(
                fields=["state", "deadline", "level", "listing_level", "township", "jurisdiction"],
                condition=~Q(state=HazardState.CLOSED),
                name="hazard_not_closed",
            ),
            # ... and the closed major and closed listed hazards are counted off these two.
            models.Index(
                fields=["state", "township", "jurisdiction"],
                condition=Q(level=HazardLevel.MAJOR),
                name="hazard_major",
            ),
            models.Index(
                fields=["state", "township", "jurisdiction"],
                condition=~Q(listing_level=""),
                name="hazard_listed",
            ),
            # The overdue figure off the group tally (HazardTally) is its flagged count corrected by the active
            # hazards whose flag the nightly sweep has not caught up with yet: unflagged with the deadline
            # passed, flagged with the deadline ahead (extended). Each is a short range of one of these two,
            # read alone (the state is in them). The flag is in their conditions, not their keys: the planner
            # cannot tell that few rows are both unflagged and past their deadline, and with the flag as a
            # key it walked a state's whole index instead.
            models.Index(
                fields=["deadline", "township", "state"],
                condition=Q(state__in=ACTIVE_STATES, is_overdue=False),
                name="hazard_due_unflagged",
            ),
            models.Index(
                fields=["deadline", "township", "state"],
                condition=Q(state__in=ACTIVE_STATES, is_overdue=True),
                name="hazard_due_flagged",
            ),
            # 挂牌督办 now (listed, not yet delisted), soonest deadline first: the leaders' dashboard panel
            # and the listed hazards page read a few thousand entries, not the ledger's deadline index.
            models.Index(
                fields=["deadline", "id"],
                condition=~Q(listing_level="") & Q(delisted_on__isnull=True),
                name="hazard_listed_now",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=HazardState.CLOSED) | Q(closed_on__isnull=False),
                name="hazard_closed_has_date",
                violation_error_message=_("已销号的隐患须有销号日期。"),
            ),
            models.CheckConstraint(
                condition=Q(listing_level="") | Q(listed_on__isnull=False),
                name="hazard_listed_has_date",
                violation_error_message=_("挂牌督办须填写挂牌日期。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("found_on")),
                name="hazard_deadline_after_found",
                violation_error_message=_("整改期限不能早于发现日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise.name}" if self.enterprise_id else self.number

    def get_absolute_url(self) -> str:
        return reverse("hazards:hazard_detail", args=[self.pk])

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    @property
    def is_listed(self) -> bool:
        return listed_now(self.listing_level, self.delisted_on)

    @property
    def days_open(self) -> int:
        return days_open(self.found_on, self.closed_on)


# The two rules below are also applied to plain rows (the hazard list API's, hazards.selectors.api_rows).
def listed_now(listing_level: str, delisted_on: dt.date | None) -> bool:
    """挂牌督办中: listed at some level and not yet delisted."""
    return bool(listing_level) and delisted_on is None


def days_open(found_on: dt.date, closed_on: dt.date | None) -> int:
    """Days from found to closed (销号), or to today while the hazard is open."""
    return ((closed_on or timezone.localdate()) - found_on).days


class HazardTally(models.Model):
    """隐患分组计数: how many hazards there are per (township, state, level, listed, overdue flag), written by
    the hazard table's own triggers (core.tallies.GroupTally, migration 0013): each INSERT, UPDATE or DELETE
    statement adds one row per group it changed, with the change, in the writer's transaction. The ledger's
    figures for the whole district, a township or a state are a sum over these rows (selectors.ledger_figures)
    instead of a pass over a city's two million hazards. A nightly job folds them (core.tallies)."""

    township_id = models.BigIntegerField(_("所属街道"))
    state = models.CharField(_("整改状态"), max_length=12)
    level = models.CharField(_("隐患等级"), max_length=10)
    listed = models.BooleanField(_("挂牌督办"))
    overdue = models.BooleanField(_("逾期标记"))
    rows = models.BigIntegerField(_("行数"))

    class Meta:
        verbose_name = _("隐患分组计数")
        verbose_name_plural = _("隐患分组计数")

    def __str__(self) -> str:
        return f"{self.township_id} {self.state} {self.level}: {self.rows:+d}"


# The tally's columns as the triggers compute them from a hazard row (the migration keeps its own copy).
FIGURES_TALLY = GroupTally(
    table="hazards_hazard",
    tally_table="hazards_hazardtally",
    columns=(
        ("township_id", "township_id"),
        ("state", "state"),
        ("level", "level"),
        ("listed", "listing_level <> ''"),
        ("overdue", "is_overdue"),
    ),
)


class HazardDayTally(models.Model):
    """按发现日期计数: how many hazards were found on each day, written by the hazard table's triggers as
    HazardTally is. A deep page of the whole ledger (newest found first) finds the day its first row lies on
    from these few thousand rows, then skips only within that day (selectors.ledger_seek), instead of walking
    hundreds of thousands of index entries with OFFSET."""

    found_on = models.DateField(_("发现日期"))
    rows = models.BigIntegerField(_("行数"))

    class Meta:
        verbose_name = _("隐患按日计数")
        verbose_name_plural = _("隐患按日计数")

    def __str__(self) -> str:
        return f"{self.found_on}: {self.rows:+d}"


DAYS_TALLY = GroupTally(
    table="hazards_hazard", tally_table="hazards_hazarddaytally", columns=(("found_on", "found_on"),)
)


def rectification_photo_path(instance: "RectificationPhoto", filename: str) -> str:
    ext = photo_extension(filename)
    return f"hazards/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class HazardPhoto(models.Model):
    """隐患照片: the hazard as found, taken when it is recorded."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.PROTECT, related_name="found_photos"
    )
    image = models.ImageField(_("照片"), upload_to=rectification_photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class Rectification(models.Model):
    """整改记录: what the enterprise did, as logged by the unit following the hazard."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.PROTECT, related_name="rectifications"
    )
    text = models.TextField(_("整改情况"))
    done_on = models.DateField(_("整改日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.hazard.number} {self.done_on}"


class RectificationPhoto(models.Model):
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改记录"), on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField(_("类别"), max_length=10, choices=PhotoStage.choices)
    image = models.ImageField(_("照片"), upload_to=rectification_photo_path)
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改照片")
        verbose_name_plural = _("整改照片")
        ordering = ["stage", "pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.image.name}"


class DeadlineExtension(models.Model):
    """延期申请: a new deadline asked for with a reason, approved or refused by the district office."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.PROTECT, related_name="extensions"
    )
    old_deadline = models.DateField(_("原整改期限"))
    new_deadline = models.DateField(_("申请延期至"))
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
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="extension_one_pending_per_hazard",
                violation_error_message=_("该隐患已有待审批的延期申请。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.hazard.number} → {self.new_deadline}"


class HazardEvent(models.Model):
    """One line of the hazard's timeline: who did what, when, and why. Written by the services only."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=EventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=12, choices=HazardState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=HazardState.choices, blank=True)
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
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改记录"), on_delete=models.PROTECT, null=True, blank=True
    )
    extension = models.ForeignKey(
        DeadlineExtension, verbose_name=_("延期申请"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("隐患处理记录")
        verbose_name_plural = _("隐患处理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.hazard.number} {self.get_kind_display()}"


class AccidentCategory(models.Model):
    """事故类别: a code table administrators edit, seeded with the GB 6441 types (物体打击, 车辆伤害 …)
    plus 道路交通 and 自然灾害."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事故类别")
        verbose_name_plural = _("事故类别")
        ordering = ["order", "name"]

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

    def __str__(self) -> str:
        return self.name


class Accident(ChoiceLabelsMixin, models.Model):
    """事故: one accident of the district. It counts in a township through its 所属街道 (where it
    happened), whether or not an enterprise is named; the figures of the reports count the ones that
    are 生产安全事故. Recorded by the district office, or a department for its sectors; never deleted."""

    number = models.CharField(_("事故编号"), max_length=40, unique=True)
    occurred_on = models.DateField(_("发生日期"), db_index=True)
    occurred_at = models.TimeField(_("发生时间"), null=True, blank=True)
    township = models.ForeignKey(
        OrgUnit, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="accidents"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("生产经营单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accidents",
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="accidents"
    )
    category = models.ForeignKey(
        AccidentCategory, verbose_name=_("事故类别"), on_delete=models.PROTECT, related_name="accidents"
    )
    is_production_safety = models.BooleanField(_("是否生产安全事故"), default=True, db_index=True)
    grade = models.CharField(
        _("事故等级"), max_length=10, choices=AccidentGrade.choices, default=AccidentGrade.GENERAL
    )
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    injuries = models.PositiveIntegerField(_("受伤人数"), default=0)
    direct_loss = models.DecimalField(
        _("直接经济损失（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    summary = models.TextField(_("简要经过"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    # Seen by its township (and the district), and by the departments supervising its sector.
    scope_fields = ScopeFields(jurisdiction="township", sectors="sector")

    class Meta:
        verbose_name = _("事故")
        verbose_name_plural = _("事故")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["township", "occurred_on"], name="accident_township_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(direct_loss__isnull=True) | Q(direct_loss__gte=0),
                name="accident_loss_not_negative",
                violation_error_message=_("直接经济损失不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.occurred_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:accident_detail", args=[self.pk])
