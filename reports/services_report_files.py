"""The summaries' files outside the web: what `manage.py build_report` uses.

`report_for_command` finds the report of a kind, period (or campaign) and scope, or creates it as a
fresh draft acting as no user (the command line is the server's own administrator: the audit log
records it as 命令行), and builds it from the records as they are; `report_file` prints a report (as it
stands, watermarked 「草稿」) or a published version (its stored PDF, the same bytes every time).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_event

from .docx import content_docx
from .models import Report, ReportKind, ReportTemplate, ReportVersion
from .pdf import DRAFT_WATERMARK, content_pdf
from .periods import Period
from .scopes import StatsScope
from .services_summaries import report_build
from .summaries import report_content, report_title

COMMAND_USER = "命令行"


@transaction.atomic
def report_for_command(
    *,
    kind: str,
    stats_scope: StatsScope,
    period: Period | None = None,
    campaign=None,
    rebuild: bool = True,
    create: bool = True,
) -> tuple[Report | None, bool]:
    """(report, created): the existing report rebuilt from fresh figures (unless `rebuild` is False; the
    narrative staff wrote stays), or a new draft built now (unless `create` is False: (None, False))."""
    if kind == ReportKind.CAMPAIGN:
        lookup = {"kind": kind, "campaign": campaign, "scope_code": stats_scope.code}
        period_key = ""
    else:
        lookup = {"kind": kind, "period_key": period.key, "scope_code": stats_scope.code, "campaign": None}
        period_key = period.key
    report = Report.objects.select_for_update().filter(**lookup).first()
    created = report is None
    if created and not create:
        return None, False
    if created:
        template = ReportTemplate.objects.filter(kind=kind).first()
        if template is None:
            raise ValidationError(_("还没有“%(kind)s”的报告模板。") % {"kind": ReportKind(kind).label})
        report = Report(
            kind=kind,
            period_key=period_key,
            scope_code=stats_scope.code,
            scope_unit=stats_scope.unit,
            campaign=campaign,
            created_by=None,
        )
        report.title = report_title(template, report)
        report.save()
        audit_event("report_create", user=COMMAND_USER, report=report.pk, kind=kind, scope=stats_scope.code)
    if created or rebuild:
        report = report_build(report=report, user=None)
    return report, created


def report_file(*, report: Report, fmt: str = "pdf", version: ReportVersion | None = None) -> bytes:
    """The report as a file: a version's own PDF when it has one, else printed now."""
    if version is not None:
        if fmt == "pdf" and version.pdf:
            with version.pdf.open("rb") as stored:
                return stored.read()
        content, watermark = version.content, ""
    else:
        content, watermark = report_content(report), DRAFT_WATERMARK
    if fmt == "docx":
        return content_docx(content, watermark=watermark)
    return content_pdf(content, watermark=watermark)
