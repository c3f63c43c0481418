"""Writes of the work summaries (工作总结): create a draft, build it from fresh figures, write its narrative,
publish a frozen version, edit the templates. Who may: the district office and the administrator for any
scope; a township's staff for their township; a department's staff for their own part; leaders read.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.audit import audit_event

from .jobs_summaries import queue_job_on_commit
from .models import (
    Report,
    ReportJob,
    ReportKind,
    ReportSection,
    ReportState,
    ReportTemplate,
    ReportVersion,
)
from .periods import Period
from .scopes import StatsScope, scope_allowed
from .summaries import build_sections, report_content, report_title, template_problems

# Who writes summaries; leaders read them.
WRITER_ROLES = (Role.OFFICER, Role.ADMIN, Role.TOWNSHIP, Role.DEPARTMENT)
TEMPLATE_ROLES = (Role.OFFICER, Role.ADMIN)
# Who the audit log names when `manage.py build_report` creates or builds a report.
COMMAND_USER = "命令行"


def can_write(user: User, stats_scope: StatsScope) -> bool:
    """May `user` create, build, edit and publish the summaries of `stats_scope`? District-wide writers:
    every scope; a township's or department's staff: their own unit's (and a township's units below)."""
    return user.is_authenticated and user.role in WRITER_ROLES and scope_allowed(user, stats_scope)


def can_edit_templates(user: User) -> bool:
    return user.is_authenticated and user.role in TEMPLATE_ROLES


def _require_writer(user: User, stats_scope: StatsScope) -> None:
    if not can_write(user, stats_scope):
        raise PermissionDenied(_("您没有编写该范围工作总结的权限。"))


def _scope_of(report: Report) -> StatsScope:
    return StatsScope(report.scope_unit) if report.scope_unit_id else StatsScope()


@transaction.atomic
def report_create(
    *,
    kind: str,
    stats_scope: StatsScope,
    user: User,
    period: Period | None = None,
    campaign=None,
    build: bool = True,
) -> Report:
    """A draft summary of `kind` for `period` (or `campaign`) and `stats_scope`; the existing one when it
    is there already (one report per kind, period and scope). Built at once unless `build` is False."""
    _require_writer(user, stats_scope)
    report, created = report_find_or_new(
        kind=kind, stats_scope=stats_scope, period=period, campaign=campaign, user=user
    )
    if created and build:
        report = report_build(report=report, user=user)
    return report


def report_find_or_new(
    *,
    kind: str,
    stats_scope: StatsScope,
    period: Period | None,
    campaign,
    user: User | None,
    create: bool = True,
) -> tuple[Report | None, bool]:
    """(report, created): the report of `kind`, period (or campaign) and scope, locked; or a new, unbuilt
    draft (None, False when `create` is False). The caller has checked who may; `user` None is the
    command line. Run inside the caller's transaction."""
    if kind not in ReportKind.values:
        raise ValidationError(_("报告类型“%(kind)s”不存在。") % {"kind": kind})
    if kind == ReportKind.CAMPAIGN:
        if campaign is None:
            raise ValidationError(_("专项行动工作报告须选择一个专项行动。"))
        lookup = {"kind": kind, "campaign": campaign, "scope_code": stats_scope.code}
        period_key = ""
    else:
        if period is None:
            raise ValidationError(_("请选择报告期间。"))
        if kind == ReportKind.QUARTERLY and period.kind != "quarter":
            raise ValidationError(_("季度报告的期间须是一个季度。"))
        if kind in (ReportKind.ANNUAL, ReportKind.DEPARTMENTS) and period.kind != "year":
            raise ValidationError(_("年度总结的期间须是一年。"))
        lookup = {"kind": kind, "period_key": period.key, "scope_code": stats_scope.code, "campaign": None}
        period_key = period.key
    existing = Report.objects.select_for_update().filter(**lookup).first()
    if existing is not None or not create:
        return existing, False
    template = _template(kind)
    report = Report(
        kind=kind,
        period_key=period_key,
        scope_code=stats_scope.code,
        scope_unit=stats_scope.unit,
        campaign=campaign,
        created_by=user,
    )
    report.title = report_title(template, report)
    report.save()
    audit_event(
        "report_create",
        user=user.get_username() if user else COMMAND_USER,
        report=report.pk,
        kind=kind,
        scope=stats_scope.code,
    )
    return report, True


def _template(kind: str) -> ReportTemplate:
    template = ReportTemplate.objects.filter(kind=kind).first()
    if template is None:
        raise ValidationError(_("还没有“%(kind)s”的报告模板。") % {"kind": ReportKind(kind).label})
    return template


@transaction.atomic
def report_build(*, report: Report, user: User | None, progress=None) -> Report:
    """生成/重新生成: every section's figure sentences, tables and charts from fresh figures; the narrative
    staff wrote stays (matched by section and unit); new sections get the template's default text,
    sections the template no longer has are kept only if they hold narrative (so nothing written is lost).
    A template with a bad sentence is refused whole (ValidationError listing every problem).
    `user` None: the command line or a job acting for whoever asked."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if user is not None:
        _require_writer(user, _scope_of(report))
    template = _template(report.kind)
    problems = template_problems(template)
    if problems:
        raise ValidationError(problems)
    built, store = build_sections(report, template, progress=progress)
    existing = {(s.key, s.unit_id): s for s in report.sections.all()}
    keep: set[int] = set()
    for order, section in enumerate(built, start=1):
        row = existing.get((section.key, section.unit.pk if section.unit else None))
        if row is None:
            row = ReportSection(
                report=report, key=section.key, unit=section.unit, narrative=section.default_narrative
            )
        row.order = order * 10
        row.level = section.level
        row.heading = section.heading
        row.parts = section.parts
        row.figure_text = section.figure_text
        row.figure_error = section.figure_error
        row.table_data = section.table
        row.chart_data = section.chart
        row.save()
        keep.add(row.pk)
    # A section dropped from the template: kept at the end while it holds narrative, else removed.
    tail = len(built) + 1
    for row in existing.values():
        if row.pk in keep:
            continue
        if row.narrative.strip():
            tail += 1
            row.order = tail * 10
            row.parts, row.figure_text, row.table_data, row.chart_data = [], "", None, None
            row.figure_error = _("模板中已没有这一节；已写的文字保留在此，可移到别处后清空。")
            row.save()
        else:
            row.delete()
    report.previous_figures = report.figures if report.built_at else {}
    report.figures = store
    report.built_at = timezone.now()
    report.title = report_title(template, report)
    report.save(update_fields=["previous_figures", "figures", "built_at", "title", "updated_at"])
    audit_event("report_build", user=user.get_username() if user else COMMAND_USER, report=report.pk)
    return report


@transaction.atomic
def report_narrative_save(*, section: ReportSection, narrative: str, user: User) -> ReportSection:
    """Staff write (or rewrite) a section's narrative; kept across rebuilds, with its history."""
    report = Report.objects.select_for_update().get(pk=section.report_id)
    _require_writer(user, _scope_of(report))
    section = ReportSection.objects.get(pk=section.pk)
    section.narrative = narrative.strip()
    section.narrative_edited_by = user
    section.narrative_edited_at = timezone.now()
    section._history_user = user
    section.save(update_fields=["narrative", "narrative_edited_by", "narrative_edited_at"])
    report.save(update_fields=["updated_at"])
    return section


@transaction.atomic
def report_publish(*, report: Report, user: User) -> ReportVersion:
    """发布: freeze the report as it stands (its last build and the narrative) as the next numbered version.
    Its figures, text and PDF never change afterwards; the PDF is built by a job queued on commit and
    written once. A draft whose sentences could not be written is refused."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_writer(user, _scope_of(report))
    if report.built_at is None:
        raise ValidationError(_("请先生成报告，再发布。"))
    broken = [s.heading for s in report.sections.all() if s.figure_error and s.parts]
    if broken:
        raise ValidationError(
            _("以下章节的数据语句有错误，请先修改模板并重新生成：%(s)s") % {"s": "、".join(broken)}
        )
    content = report_content(report)
    number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        title=report.title,
        content=content,
        figures=report.figures,
        published_at=timezone.now(),
        published_by=user,
    )
    report.state = ReportState.PUBLISHED
    report.save(update_fields=["state", "updated_at"])
    audit_event("report_publish", user=user.get_username(), report=report.pk, version=number)
    # The version's PDF, printed once by a job after the commit (its bytes never change afterwards).
    job = ReportJob.objects.create(report=report, version=version, fmt="pdf", requested_by=user)
    queue_job_on_commit(job.pk)
    return version


def version_pdf_store(*, version: ReportVersion, pdf: bytes) -> ReportVersion:
    """Write a published version's PDF — once (the database refuses a second write)."""
    if version.pdf:
        raise ValidationError(_("该版本的 PDF 已生成，不能更改。"))
    version.pdf.save(f"report-{version.report_id}-v{version.number}.pdf", ContentFile(pdf), save=False)
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    ReportVersion.objects.filter(pk=version.pk, pdf="").update(
        pdf=version.pdf.name, pdf_sha256=version.pdf_sha256
    )
    return version


@transaction.atomic
def report_job_request(
    *,
    report: Report,
    user: User,
    fmt: str = "pdf",
    version: ReportVersion | None = None,
    rebuild: bool = False,
) -> ReportJob:
    """Ask for a PDF (or .docx) of the report — a draft as it stands now (`rebuild`: from fresh figures
    first, by its writers only), or a published version's frozen content (whoever may read the report).
    The job runs in Celery after the commit (inline without a broker); the browser polls its progress."""
    from_scope = _scope_of(report)
    if not scope_allowed(user, from_scope):
        raise PermissionDenied(_("您无权查看该工作总结。"))
    if fmt not in ("pdf", "docx"):
        raise ValidationError(_("不支持的格式“%(fmt)s”，请选择 PDF 或 Word。") % {"fmt": fmt})
    if version is not None and version.report_id != report.pk:
        raise ValidationError(_("该版本不属于这份工作总结。"))
    if version is None:
        _require_writer(user, from_scope)
        if report.built_at is None:
            raise ValidationError(_("请先生成报告，再导出。"))
    job = ReportJob.objects.create(report=report, version=version, fmt=fmt, requested_by=user)
    audit_event(
        "report_job_request",
        user=user.get_username(),
        report=report.pk,
        version=version.number if version else None,
        fmt=fmt,
    )
    queue_job_on_commit(job.pk, rebuild and version is None)
    return job
