"""执法文书: the kinds (a code table) and the numbered, locked documents with their PDFs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Enterprise, OrgUnit, Sector
from accounts.scoping import ScopeFields
from hazards.models import Hazard
from inspections.models import InspectionRecord

from ..document_layouts import LAYOUT_CHOICES, LAYOUTS, DocumentState, Layout
from .cases import Case


class DocumentKind(models.Model):
    """文书种类: 责令限期整改指令书, 行政处罚决定书 … a code table administrators edit.

    `short_name` goes into the number (区应急管理局责改〔2026〕12号); `layout` is the printed form;
    `prerequisites` must have been issued on the same case (or the same hazard / inspection record)
    before a document of this kind can be issued."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    short_name = models.CharField(
        _("编号简称"), max_length=10, help_text=_("文号中的文书简称，如“罚决”：区应急管理局罚决〔2026〕3号。")
    )
    layout = models.CharField(_("版式"), max_length=30, choices=LAYOUT_CHOICES)
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("须先出具"),
        symmetrical=False,
        blank=True,
        related_name="+",
        help_text=_("出具本文书前，同一案件（或同一隐患、检查记录）须已出具的文书。"),
    )
    simple_procedure_skips_prerequisites = models.BooleanField(
        _("简易程序免前置文书"), default=False, help_text=_("简易程序案件出具本文书时不要求前置文书。")
    )
    allowed_without_case = models.BooleanField(
        _("可不立案出具"), default=False, help_text=_("可直接依据隐患或检查记录出具，不必先立案。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("文书种类")
        verbose_name_plural = _("文书种类")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def layout_spec(self) -> Layout:
        return LAYOUTS[self.layout]

    @property
    def is_external(self) -> bool:
        """Issued by another app (现场检查记录): counted, never drafted here."""
        return LAYOUTS[self.layout].external


def _locked_values(doc: "Document") -> tuple:
    return tuple(getattr(doc, name) for name in Document.LOCKED_FIELDS)


class Document(models.Model):
    """执法文书: a draft until issued; issuing numbers it, prints its PDF and locks both for good.

    A document belongs to a case, or — for the kinds allowed without a case (责令限期整改指令书 …) —
    to a hazard or an inspection record; its enterprise is always set. A correction is a new document
    that `supersedes` the old one: on issue the old one becomes 已更正, both are kept."""

    # Never written again once the document is issued (the services refuse; save() refuses too, and
    # a database trigger refuses an UPDATE that bypasses save()).
    LOCKED_FIELDS = (
        "kind_id",
        "case_id",
        "hazard_id",
        "inspection_record_id",
        "enterprise_id",
        "issuing_unit_id",
        "number",
        "serial",
        "year",
        "content",
        "issued_at",
        "issued_by_id",
        "supersedes_id",
        "follows_id",
    )

    kind = models.ForeignKey(
        DocumentKind, verbose_name=_("文书种类"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("当事单位"), on_delete=models.PROTECT, related_name="enforcement_documents"
    )
    # Copied from the case, the hazard or the enterprise when the draft is made, as a case or a hazard
    # copies it: the document keeps saying where it was even if the enterprise moves.
    jurisdiction = models.ForeignKey(
        OrgUnit, verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("依据隐患"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_documents",
    )
    inspection_record = models.ForeignKey(
        InspectionRecord,
        verbose_name=_("依据检查记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_documents",
    )
    follows = models.ForeignKey(
        "self",
        verbose_name=_("所依据的文书"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
        help_text=_("如整改复查意见书所复查的责令限期整改指令书。"),
    )
    issuing_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+"
    )
    # Who else sees a document issued outside a case: copied from its enterprise, as a hazard does.
    # A case's documents are seen by whoever sees the case; these stay empty for them.
    sectors = models.ManyToManyField(Sector, verbose_name=_("行业领域"), blank=True, related_name="+")
    supervising_department = models.ForeignKey(
        OrgUnit, verbose_name=_("监管部门"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    state = models.CharField(
        _("状态"), max_length=10, choices=DocumentState.choices, default=DocumentState.DRAFT, db_index=True
    )
    number = models.CharField(_("文书编号"), max_length=60, blank=True, db_index=True)
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    content = models.JSONField(_("文书内容"), default=dict, blank=True)

    issued_at = models.DateTimeField(_("出具时间"), null=True, blank=True, db_index=True)
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
        verbose_name=_("更正的文书"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[sectors])

    # The township it lies in; the unit that issued it and a case's handling unit; for a document
    # issued outside a case also the departments of its sectors, its supervising department and the
    # unit following its hazard — as for the hazard or inspection record it was issued from.
    scope_fields = ScopeFields(
        jurisdiction="jurisdiction",
        sectors="sectors",
        department=(
            "issuing_unit",
            "case__handling_unit",
            "supervising_department",
            "hazard__responsible_unit",
        ),
    )

    class Meta:
        verbose_name = _("执法文书")
        verbose_name_plural = _("执法文书")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["state", "issued_at"], name="document_state_issued")]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False)
                | Q(hazard__isnull=False)
                | Q(inspection_record__isnull=False),
                name="document_has_source",
                violation_error_message=_("执法文书须属于一个案件，或依据一条隐患或检查记录。"),
            ),
            models.CheckConstraint(
                condition=Q(state=DocumentState.DRAFT, number="", serial__isnull=True, issued_at__isnull=True)
                | (
                    ~Q(state=DocumentState.DRAFT)
                    & ~Q(number="")
                    & Q(serial__isnull=False, year__isnull=False, issued_at__isnull=False)
                ),
                name="document_number_iff_issued",
                violation_error_message=_("文书出具时编号，草稿没有编号。"),
            ),
            models.UniqueConstraint(
                fields=["issuing_unit", "kind", "year", "serial"],
                name="document_serial_unique",
                violation_error_message=_("该文书编号已被使用。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind.name} {self.number or _('（草稿）')}"

    def save(self, *args, **kwargs) -> None:
        """Invariant, not a rule: an issued document's content, number and links never change."""
        loaded_state = getattr(self, "_loaded_state", DocumentState.DRAFT)
        locked = self.pk and loaded_state != DocumentState.DRAFT
        if locked and getattr(self, "_loaded_locked", None) != _locked_values(self):
            raise ValidationError(_("该文书已出具，内容和编号不能修改；如需更正，请出具更正文书。"))
        super().save(*args, **kwargs)
        self._loaded_state = self.state
        self._loaded_locked = _locked_values(self)

    def get_absolute_url(self) -> str:
        return reverse("enforcement:document_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self.pk and getattr(self, "_loaded_state", DocumentState.DRAFT) != DocumentState.DRAFT:
            raise ValidationError(_("已出具的文书不能删除。"))
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "state" in field_names:
            instance._loaded_state = instance.state
        instance._loaded_locked = (
            _locked_values(instance) if set(field_names).issuperset(cls.LOCKED_FIELDS) else None
        )
        return instance

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._loaded_state = self.state
        self._loaded_locked = _locked_values(self)

    @property
    def is_draft(self) -> bool:
        return self.state == DocumentState.DRAFT

    @property
    def title(self) -> str:
        return self.kind.name


class DocumentPdf(models.Model):
    """The issued PDF, byte for byte: written once in the issuing transaction, never updated.

    Kept in the database beside its number, so a document is never numbered without its PDF nor the
    other way round (a rolled-back issue leaves no file behind), and a backup holds both."""

    document = models.OneToOneField(
        Document, verbose_name=_("执法文书"), on_delete=models.PROTECT, related_name="pdf", primary_key=True
    )
    data = models.BinaryField(_("PDF文件"))
    sha256 = models.CharField(_("SHA-256校验值"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    created = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文书PDF")
        verbose_name_plural = _("文书PDF")

    def __str__(self) -> str:
        return f"{self.document_id}: {self.sha256[:12]}"
