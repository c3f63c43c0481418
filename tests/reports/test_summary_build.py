"""Building a work summary: the sentences come from the records, the narrative survives a rebuild,
publishing freezes a numbered version (issue 14)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hazards import services as hazard_services
from reports.models import Report, ReportKind, ReportSection, ReportTemplate, ReportVersion
from reports.periods import Period
from reports.scopes import StatsScope
from reports.services_summaries import report_build, report_create, report_narrative_save, report_publish
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def hazards(officer, enterprise, n: int) -> None:
    today = timezone.localdate()
    for _ in range(n):
        hazard_services.hazard_create(
            user=officer,
            data=hazard_data(enterprise, found_on=today, deadline=today + dt.timedelta(days=10)),
        )


def annual(user, unit=None):
    return report_create(
        kind=ReportKind.ANNUAL, period=Period(YEAR, "year"), stats_scope=StatsScope(unit), user=user
    )


def test_the_annual_summary_has_the_seed_structure_and_writes_its_figures(officer, enterprise_a):
    hazards(officer, enterprise_a, 3)
    report = annual(officer)

    headings = [(s.level, s.heading) for s in report.sections.order_by("order")]
    assert [h for level, h in headings if level == 1] == [
        "安全生产总体情况",
        "主要工作举措",
        "亮点工作",
        "存在问题",
        "下一步工作打算",
    ]
    risk = report.sections.get(key="risk_control")
    assert "建立隐患台账3个" in risk.figure_text
    assert any(key == "hazards.found" and text == "3个" for text, key in risk.parts)
    assert report.title.endswith(f"{YEAR}年安全生产工作总结")


def test_a_rebuild_keeps_the_narrative_and_records_which_figures_changed(officer, enterprise_a):
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    section = report.sections.get(key="highlights")
    report_narrative_save(section=section, narrative="全年创新开展“安全夜查”。", user=officer)

    hazards(officer, enterprise_a, 1)
    report = report_build(report=report, user=officer)

    assert report.sections.get(key="highlights").narrative == "全年创新开展“安全夜查”。"
    assert report.previous_figures["district"]["hazards.found"]["value"] == 2
    assert report.figures["district"]["hazards.found"]["value"] == 3
    assert "建立隐患台账3个" in report.sections.get(key="risk_control").figure_text


def test_a_published_version_is_frozen_whatever_arrives_later(officer, enterprise_a):
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    version = report_publish(report=report, user=officer)
    frozen = (version.content, version.figures, version.title)

    hazards(officer, enterprise_a, 5)
    report_build(report=report, user=officer)
    second = report_publish(report=report, user=officer)

    version.refresh_from_db()
    assert (version.content, version.figures, version.title) == frozen
    assert version.number == 1 and second.number == 2
    assert second.figures["district"]["hazards.found"]["value"] == 7
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(title="改过的标题")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).delete()


def test_a_bad_sentence_template_refuses_the_build_whole(officer):
    report = annual(officer)
    section = ReportTemplate.objects.get(kind="annual").sections.get(key="risk_control")
    section.sentences = "发现隐患{hazards.nonexistent|text}"
    section.save()
    before = list(report.sections.values_list("figure_text", flat=True))

    with pytest.raises(ValidationError) as error:
        report_build(report=report, user=officer)

    assert "hazards.nonexistent" in str(error.value)
    assert list(Report.objects.get(pk=report.pk).sections.values_list("figure_text", flat=True)) == before


def test_a_township_writes_its_own_summary_only_and_leaders_only_read(district, township_a_user, leader):
    own = annual(township_a_user, district.township_a)
    assert own.scope_code == str(district.township_a.pk)
    with pytest.raises(PermissionDenied):
        annual(township_a_user, district.township_b)
    with pytest.raises(PermissionDenied):
        annual(township_a_user)
    with pytest.raises(PermissionDenied):
        report_build(report=own, user=leader)


def test_a_townships_summary_speaks_of_the_township_not_the_district(district, township_a_user):
    report = annual(township_a_user, district.township_a)

    overview = report.sections.get(key="overview").figure_text
    assert overview.startswith("东城街道未发生生产安全事故")
    assert "全区" not in overview


def test_a_section_is_held_once_per_report_and_unit(officer, district):
    report = annual(officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportSection.objects.create(report=report, key="overview", heading="重复")
    ReportSection.objects.create(report=report, key="overview", unit=district.dept_emergency, heading="部门")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportSection.objects.create(
            report=report, key="overview", unit=district.dept_emergency, heading="又一次"
        )
