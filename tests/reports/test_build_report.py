"""manage.py build_report: a work summary to a file from the command line, on the records as they are
(issue 14)."""

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from reports import services_report_files
from reports.models import Report, ReportKind, ReportVersion
from reports.services_summaries import report_narrative_save, report_publish, version_pdf_store
from tests.conftest import STUB_PDF
from tests.reports.test_summary_pdf import YEAR, annual, flat, hazards

pytestmark = pytest.mark.django_db


def build(*args: str) -> str:
    out = io.StringIO()
    call_command("build_report", *args, stdout=out)
    return out.getvalue()


def test_it_creates_builds_and_prints_a_fresh_draft_when_there_is_none(officer, enterprise_a, tmp_path):
    hazards(officer, enterprise_a, 4)
    out = tmp_path / "年度总结.pdf"

    said = build("--kind", "annual", "--year", str(YEAR), "--out", str(out))

    report = Report.objects.get()
    assert (report.kind, report.period_key, report.scope_code, report.created_by) == (
        ReportKind.ANNUAL,
        str(YEAR),
        "district",
        None,
    )
    assert report.built_at is not None
    assert said.startswith(f"已写出 {out}（{report.title}，新建草稿，PDF，")
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert flat(report.title) in flat(text)
    assert "建立隐患台账4个" in flat(text)
    assert "草" in text and "稿" in text  # a draft's watermark


def test_an_existing_draft_is_rebuilt_keeping_its_narrative_and_printed_as_word(
    officer, enterprise_a, district, tmp_path
):
    hazards(officer, enterprise_a, 1)
    report = annual(officer, district.township_a)
    report_narrative_save(
        section=report.sections.get(key="highlights"), narrative="夜查常态化。", user=officer
    )
    hazards(officer, enterprise_a, 2)
    out = tmp_path / "东城.docx"

    said = build("--kind", "annual", "--year", str(YEAR), "--scope", "东城街道", "--out", str(out))

    assert Report.objects.count() == 1
    report.refresh_from_db()
    assert report.figures[str(district.township_a.pk)]["hazards.found"]["value"] == 3
    assert "草稿，DOCX" in said
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "夜查常态化。" in texts
    assert any("建立隐患台账3个" in t for t in texts)


def test_as_is_prints_without_rebuilding_and_a_version_prints_its_stored_pdf(
    officer, enterprise_a, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services_report_files, "content_pdf", lambda content, watermark="": STUB_PDF)
    hazards(officer, enterprise_a, 1)
    report = annual(officer)
    built_at = report.built_at
    with django_capture_on_commit_callbacks(execute=False):  # its PDF job is not run here
        report_publish(report=report, user=officer)
    hazards(officer, enterprise_a, 1)

    build("--kind", "annual", "--year", str(YEAR), "--as-is", "--out", str(tmp_path / "a.pdf"))
    report.refresh_from_db()
    assert report.built_at == built_at

    # Version 1 has no PDF yet: printed from its frozen content; once stored, those bytes exactly.
    build("--kind", "annual", "--year", str(YEAR), "--published", "1", "--out", str(tmp_path / "v1.pdf"))
    assert (tmp_path / "v1.pdf").read_bytes() == STUB_PDF
    version = ReportVersion.objects.get()
    stored = b"%PDF-1.4 stored once\n%%EOF\n"
    version_pdf_store(version=version, pdf=stored)
    build("--kind", "annual", "--year", str(YEAR), "--published", "1", "--out", str(tmp_path / "v1b.pdf"))
    assert (tmp_path / "v1b.pdf").read_bytes() == stored
    report.refresh_from_db()
    assert report.built_at == built_at  # printing a version rebuilds nothing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "monthly", "--year", "2026"], "报告类型“monthly”不存在"),
        (["--kind", "annual"], "请用 --year 指定年度"),
        (["--kind", "annual", "--year", "1999"], "请用 --year 指定年度"),
        (["--kind", "quarterly", "--year", "2026"], "季度报告须指定第几季度"),
        (["--kind", "quarterly", "--year", "2026", "--quarter", "5"], "季度报告须指定第几季度"),
        (["--kind", "annual", "--year", "2026", "--quarter", "2"], "只有季度报告"),
        (["--kind", "campaign"], "须用 --campaign 指定"),
        (["--kind", "campaign", "--campaign", "999"], "专项行动 999 不存在"),
        (["--kind", "annual", "--year", "2026", "--scope", "火星镇"], "统计范围“火星镇”不存在"),
        (["--kind", "annual", "--year", "2026", "--published", "3"], "还没有建立"),
    ],
)
def test_bad_arguments_get_a_clear_chinese_error(district, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        build(*args, "--out", str(tmp_path / "x.pdf"))


def test_the_output_must_fit_the_format_and_its_folder_exist(district, tmp_path):
    with pytest.raises(CommandError, match="扩展名“.pdf”与格式 docx 不符"):
        build("--kind", "annual", "--year", "2026", "--format", "docx", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="输出目录.*不存在"):
        build("--kind", "annual", "--year", "2026", "--out", str(tmp_path / "nope" / "x.pdf"))
    assert Report.objects.count() == 0
