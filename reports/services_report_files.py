"""The summaries' files outside the web: what `manage.py build_report` uses.

`report_for_command` finds the report of a kind, period (or campaign) and scope, or creates it as a
fresh draft acting as no user (the command line is the server's own administrator: the audit log
records it as 命令行), and builds it from the records as they are; `report_file` prints a report (as it
stands, watermarked 「草稿」) or a published version (its stored PDF, the same bytes every time).
"""

from __future__ import annotations

from django.db import transaction

from .docx import content_docx
from .models import Report, ReportVersion
from .pdf import DRAFT_WATERMARK, content_pdf
from .periods import Period
from .scopes import StatsScope
from .services_summaries import report_build, report_find_or_new
from .summaries import report_content


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
    report, created = report_find_or_new(
        kind=kind, stats_scope=stats_scope, period=period, campaign=campaign, user=None, create=create
    )
    if report is None:
        return None, False
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
