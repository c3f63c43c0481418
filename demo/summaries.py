"""seed_demo step "summaries": work summaries (工作总结) a visitor sees at once —

- the district's annual summary of the demo year, built from the demo's records, as a draft whose
  narrative paragraphs (总体情况, 主要工作举措 …, 亮点工作, 存在问题, 下一步工作打算) are written in the
  voice of seed 001;
- the district's quarterly report of the last finished quarter, published (version 1, frozen);
- the annual summary of the `township` user's township, as a draft.

Everything goes through the summaries' services (report_create builds, report_narrative_save writes,
report_publish freezes), as the district office would. The texts are in demo/data/summaries.json. The
reset removes the demo's reports with their sections, section history, versions (the one deliberate purge
the version guard lets through) and jobs.
"""

import random

from django.db import connection

from accounts.models import OrgUnit, User
from reports.models import Report, ReportJob, ReportKind, ReportSection, ReportVersion
from reports.periods import Period
from reports.scopes import WHOLE_DISTRICT, StatsScope
from reports.services_summaries import report_create, report_narrative_save, report_publish

from . import inspections as demo_inspections
from .district import DemoContext
from .history import history_purge
from .tables import load


def _write(report: Report, texts: dict[str, str], user: User) -> int:
    """The narrative of each section named in `texts` (the district's own sections, not per unit)."""
    sections = {s.key: s for s in report.sections.filter(unit__isnull=True)}
    written = 0
    for key, text in texts.items():
        if key in sections:
            report_narrative_save(section=sections[key], narrative=text, user=user)
            written += 1
    return written


def build(*, rng: random.Random, context: DemoContext) -> list[str]:
    texts = load("summaries")
    officer = context.users["officer"]
    today = demo_inspections.demo_today()
    year = Period(today.year, "year")
    lines = []

    annual = report_create(kind=ReportKind.ANNUAL, period=year, stats_scope=WHOLE_DISTRICT, user=officer)
    _write(annual, texts["annual"], officer)
    lines.append(f"工作总结：{annual.title}（草稿，已撰写各章节正文）")

    quarter = Period.containing("quarter", today).previous()
    quarterly = report_create(
        kind=ReportKind.QUARTERLY, period=quarter, stats_scope=WHOLE_DISTRICT, user=officer
    )
    _write(quarterly, texts["quarterly"], officer)
    version = report_publish(report=quarterly, user=officer)
    lines.append(f"工作总结：{quarterly.title}（已发布第{version.number}版）")

    township_user = context.users.get("township")
    if township_user is not None and township_user.org_unit_id:
        own = report_create(
            kind=ReportKind.ANNUAL,
            period=year,
            stats_scope=StatsScope(township_user.org_unit),
            user=township_user,
        )
        _write(own, texts["township"], township_user)
        lines.append(f"工作总结：{own.title}（街镇草稿）")
    return lines


def reset(district: OrgUnit) -> None:
    """Remove the district-wide reports and those of the demo district's units (the demo's district is
    the only district of a demo database, as for the statistics step's roll-ups)."""
    reports = Report.objects.filter(scope_unit__isnull=True) | Report.objects.filter(
        scope_unit__path__startswith=district.path
    )
    ids = list(reports.values_list("pk", flat=True))
    if not ids:
        return
    for job in ReportJob.objects.filter(report_id__in=ids).exclude(file=""):
        job.file.delete(save=False)
    ReportJob.objects.filter(report_id__in=ids).delete()
    versions = ReportVersion.objects.filter(report_id__in=ids)
    for version in versions.exclude(pdf=""):
        version.pdf.storage.delete(version.pdf.name)
    if connection.vendor == "postgresql":
        # Published versions are frozen by a trigger; removing the demo's is the one deliberate purge it
        # lets through (for this transaction only).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL reports.purge = 'on'")
    versions.delete()
    history_purge(ReportSection, report_id__in=ids)
    ReportSection.objects.filter(report_id__in=ids).delete()
    Report.objects.filter(pk__in=ids).delete()
