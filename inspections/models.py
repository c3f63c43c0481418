import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Enterprise, OrgUnit, Sector
from accounts.scoping import ScopeFields
from core.models import ChoiceLabelsMixin
from core.uploads import photo_extension

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

    # str() is this field: a filter bar's select reads it without building the model (core.widgets).
    choice_label = "name"

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


class InspectionAction(ChoiceLabelsMixin, models.Model):
    """检查行动: one outing by a team on one day, visiting one or more enterprises.

    Counting rules the summaries depend on: an action is 1 次; its person-times (人次) are its
    team size (members plus named outside experts); each visited enterprise is 1 家次.
    四不两直 is a flag any kind of inspection may carry, not a kind of its own. An imported inspection
    dated before INSPECTION_CERT_RULE_FROM whose team cannot be verified is kept and flagged 执法证未核验;
    it counts like any other.
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
    is_unannounced = models.BooleanField(
        _("四不两直"),
        default=False,
        help_text=_("不发通知、不打招呼、不听汇报、不用陪同接待，直奔基层、直插现场。"),
    )
    cert_unverified = models.BooleanField(
        _("执法证未核验"),
        default=False,
        editable=False,
        help_text=_("启用系统前的历史台账导入的执法检查，检查人员无法核验是否持有效执法证。"),
    )
    is_leader_led = models.BooleanField(_("领导带队"), default=False)
    leader_name = models.CharField(_("带队领导"), max_length=50, blank=True)
    leader_level = models.CharField(_("领导级别"), max_length=10, choices=LeaderLevel.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.DONE
    )
    note = models.TextField(_("备注"), blank=True)
    plan = models.ForeignKey(
        "InspectionPlan",
        verbose_name=_("检查计划"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="tasks",
        help_text=_("由检查计划生成的检查任务所属的计划。"),
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_actions",
    )
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
        # The list's order: a deep page reads its ids off this index instead of sorting every action
        # (issue 15, core.paging).
        indexes = [
            models.Index(fields=["-date", "-id"], name="action_date_order"),
            # The list's 执法证未核验 count: imported past actions only, a handful among a city's.
            models.Index(fields=["date"], condition=Q(cert_unverified=True), name="action_cert_unverified"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_leader_led=False) | ~Q(leader_name=""),
                name="action_leader_led_names_leader",
                violation_error_message=_("领导带队的检查须填写带队领导。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.date:%Y-%m-%d} {self.kind}"


class InspectionRecord(ChoiceLabelsMixin, models.Model):
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
    number = models.CharField(
        _("现场检查记录编号"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("按检查单位和年度连续编号，不跳号。"),
    )
    findings = models.TextField(_("发现问题"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    issued_at = models.DateTimeField(
        _("出具时间"), null=True, blank=True, help_text=_("打印签字出具后记录即锁定，更正须新建更正版本。")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出具人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text=_("本记录是对该已出具记录的更正版本；被更正的记录保持原样。"),
    )
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
            # A correction (更正版本) shares its action and enterprise with the record it supersedes.
            models.UniqueConstraint(
                fields=["action", "enterprise"],
                condition=Q(supersedes__isnull=True),
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


def photo_path(instance: "RecordPhoto", filename: str) -> str:
    # The stored name never comes from the browser: only the checked extension is kept.
    ext = photo_extension(filename)
    return f"inspections/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class InspectionDraft(models.Model):
    """录入草稿: the phone form's progress kept on the server, so a dropped connection loses nothing.

    `data` holds the form as entered so far (basics, chosen enterprises, item results per
    enterprise); it is checked only when the draft is submitted. Drafts are personal: only their
    owner sees them.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.CASCADE,
        related_name="inspection_drafts",
    )
    step = models.PositiveSmallIntegerField(_("当前步骤"), default=1)
    data = models.JSONField(_("草稿内容"), default=dict, blank=True)
    planned_action = models.ForeignKey(
        "InspectionAction",
        verbose_name=_("计划检查"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("从双随机抽取等计划检查开始录入时，提交后即完成该计划检查。"),
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查录入草稿")
        verbose_name_plural = _("检查录入草稿")
        ordering = ["-updated"]

    def __str__(self) -> str:
        return f"{self.owner} · {self.updated:%Y-%m-%d %H:%M}"


class RecordPhoto(models.Model):
    """现场照片 on a record. While the record is still a draft the photo hangs on the draft."""

    record = models.ForeignKey(
        InspectionRecord,
        verbose_name=_("检查记录"),
        on_delete=models.CASCADE,
        related_name="photos",
        null=True,
        blank=True,
    )
    draft = models.ForeignKey(
        InspectionDraft,
        verbose_name=_("草稿"),
        on_delete=models.CASCADE,
        related_name="photos",
        null=True,
        blank=True,
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    image = models.ImageField(_("照片"), upload_to=photo_path)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=False) | Q(draft__isnull=False),
                name="photo_belongs_to_record_or_draft",
            )
        ]

    def __str__(self) -> str:
        return self.caption or self.image.name


class InspectionPlan(models.Model):
    """检查计划/执法计划: an organising unit's annual (month empty) or monthly plan, with targets.

    The plan page compares targets with the records actually made; it is a tool for the office and
    deliberately has no per-inspector figures.
    """

    organizer = models.ForeignKey(
        OrgUnit, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="inspection_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(
        _("月份"), null=True, blank=True, help_text=_("留空为年度计划。")
    )
    title = models.CharField(_("计划名称"), max_length=100)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    scope_fields = ScopeFields(jurisdiction="organizer", department="organizer")

    class Meta:
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        ordering = ["-year", "month", "organizer__path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="plan_month_1_to_12",
                violation_error_message=_("月份应为1至12。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年度"


class PlanTarget(models.Model):
    """One line of a plan: how many unit-visits (家次) in a sector and/or township, of a kind."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("检查计划"), on_delete=models.CASCADE, related_name="targets"
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, null=True, blank=True
    )
    township = models.ForeignKey(
        OrgUnit,
        verbose_name=_("街道/乡镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.ForeignKey(
        InspectionKind, verbose_name=_("检查类型"), on_delete=models.PROTECT, null=True, blank=True
    )
    target_visits = models.PositiveIntegerField(_("计划检查家次"))

    class Meta:
        verbose_name = _("计划指标")
        verbose_name_plural = _("计划指标")
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        parts = [str(x) for x in (self.sector, self.township, self.kind) if x]
        return f"{' · '.join(parts) or _('全部')}: {self.target_visits}"


class RandomDraw(models.Model):
    """双随机抽取: N enterprises from a filtered pool, M certified inspectors for each.

    The seed, the pool of enterprises and the pool of inspectors are stored as they were at the
    draw, so anyone can re-run the draw and get exactly the published result.
    """

    number = models.CharField(_("抽取编号"), max_length=40, blank=True, db_index=True)
    title = models.CharField(_("抽查事项"), max_length=100)
    organizer = models.ForeignKey(
        OrgUnit, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="random_draws"
    )
    planned_date = models.DateField(_("计划检查日期"))
    criteria = models.JSONField(_("抽取条件"), default=dict, blank=True)
    weighted_by_grade = models.BooleanField(_("按风险等级加权"), default=False)
    enterprise_count = models.PositiveSmallIntegerField(_("抽取单位数"))
    inspectors_per_enterprise = models.PositiveSmallIntegerField(_("每家检查人员数"), default=2)
    seed = models.CharField(_("随机种子"), max_length=64)
    pool_enterprise_ids = models.JSONField(_("单位名录库"), default=list)
    pool_inspector_ids = models.JSONField(_("执法人员名录库"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    history = HistoricalRecords()

    scope_fields = ScopeFields(jurisdiction="organizer", department="organizer")

    class Meta:
        verbose_name = _("双随机抽取")
        verbose_name_plural = _("双随机抽取")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.number or self.title


class DrawPick(models.Model):
    """One drawn pair: an enterprise and the inspectors drawn for it; it becomes a planned inspection."""

    draw = models.ForeignKey(
        RandomDraw, verbose_name=_("双随机抽取"), on_delete=models.CASCADE, related_name="picks"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("生产经营单位"), on_delete=models.PROTECT, related_name="+"
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人员"), related_name="+"
    )
    action = models.OneToOneField(
        InspectionAction,
        verbose_name=_("计划检查"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draw_pick",
    )

    class Meta:
        verbose_name = _("抽取结果")
        verbose_name_plural = _("抽取结果")
        ordering = ["draw", "order"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "order"], name="drawpick_unique_order"),
            models.UniqueConstraint(fields=["draw", "enterprise"], name="drawpick_enterprise_once"),
        ]

    def __str__(self) -> str:
        return f"{self.draw} #{self.order} {self.enterprise}"
