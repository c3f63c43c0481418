"""The work summary as printed: the PDF in the official look read back with poppler (pdftotext, pdffonts,
pdfinfo), a published version's PDF that never changes, the .docx read back with python-docx, and the
server-drawn chart (issue 14). Real WeasyPrint renders, kept few (each costs a second or two)."""

import datetime as dt
import hashlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document

from hazards import services as hazard_services
from reports.charts import chart_svg, chart_table
from reports.docx import content_docx
from reports.models import ReportJob, ReportJobState, ReportKind
from reports.pdf import DRAFT_WATERMARK, content_html, content_pdf
from reports.periods import Period
from reports.scopes import StatsScope
from reports.services_summaries import report_build, report_create, report_narrative_save, report_publish
from reports.summaries import report_content
from tests.hazards.conftest import hazard_data

YEAR = timezone.localdate().year
TODAY = timezone.localdate()


def hazards(officer, enterprise, n: int) -> None:
    for _ in range(n):
        hazard_services.hazard_create(
            user=officer, data=hazard_data(enterprise, found_on=TODAY, deadline=TODAY + dt.timedelta(days=10))
        )


def annual(user, unit=None):
    report = report_create(
        kind=ReportKind.ANNUAL, period=Period(YEAR, "year"), stats_scope=StatsScope(unit), user=user
    )
    report.refresh_from_db()  # report_create hands back the row as it was before its build
    return report


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def flat(text: str) -> str:
    """pdftotext's text without the line breaks and spaces a justified line puts in."""
    return "".join(text.split())


# ---------------------------------------------------------------- the chart (no database)

TREND = {
    "kind": "monthly_trend",
    "caption": "逐月<隐患>&检查",
    "labels": ["1月", "2月", "3月", "4月"],
    "series": [
        {"name": "发现隐患", "type": "bar", "values": [320, 0, None, 3832]},
        {"name": "已整改<script>", "type": "bar", "values": [300, 0, None, 3730]},
        {"name": "检查行动", "type": "line", "values": [100, None, 120, 1315]},
    ],
}


def test_the_chart_is_the_same_svg_for_the_same_chart_and_escapes_its_text():
    svg = chart_svg(TREND)

    assert svg == chart_svg({**TREND, "series": [dict(s) for s in TREND["series"]]})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'font-family="Noto Sans CJK SC' in svg
    assert "<script>" not in svg and "已整改&lt;script&gt;" in svg
    assert "逐月&lt;隐患&gt;&amp;检查" in svg
    # Bars for the two bar series (a None draws nothing), the line on its own axis, the legend.
    assert svg.count("<rect") == 1 + 3 * 2 + 2  # background, 3 months × 2 bars, 2 legend keys
    assert "<polyline" in svg and "（右轴）" in svg
    assert ">4000<" in svg  # the left axis is rounded up above the largest bar (3832)


def test_a_chart_without_any_value_says_so():
    svg = chart_svg(
        {"caption": "空", "labels": ["1月"], "series": [{"name": "x", "type": "bar", "values": [None]}]}
    )
    assert "暂无数据" in svg


def test_the_chart_as_a_table_of_numbers_for_word():
    table = chart_table(TREND)
    assert table["columns"] == ["", "发现隐患", "已整改<script>", "检查行动"]
    assert table["rows"][2] == ["3月", "—", "—", "120"]
    assert table["rows"][3] == ["4月", "3832", "3730", "1315"]


# ---------------------------------------------------------------- the PDF


@pytest.mark.django_db
def test_the_draft_pdf_in_the_official_look(officer, enterprise_a, tmp_path):
    hazards(officer, enterprise_a, 3)
    report = annual(officer)
    report_narrative_save(
        section=report.sections.get(key="highlights"),
        narrative="创新开展“安全夜查”。\n全年无较大事故。",
        user=officer,
    )
    content = report_content(report)
    html = content_html(content, watermark=DRAFT_WATERMARK)
    assert "<script" not in html.lower()
    assert "<svg" in html  # the charts are drawn inline, on the server

    pdf = content_pdf(content, watermark=DRAFT_WATERMARK)
    text = poppler("pdftotext", pdf, tmp_path)
    body = flat(text)

    assert flat(report.title) in body
    assert f"（示范区{YEAR}年1月1日至{YEAR}年12月31日）" in body
    # The level-1 headings with their numbers, in order; a level-2 heading runs in before its text.
    positions = [
        body.index(f"{n}{heading}")
        for n, heading in zip(
            "一二三四五",
            ["、安全生产总体情况", "、主要工作举措", "、亮点工作", "、存在问题", "、下一步工作打算"],
            strict=True,
        )
    ]
    assert positions == sorted(positions)
    assert "强化风险管控和隐患排查治理。建立隐患台账3个" in body
    assert "创新开展“安全夜查”。" in body and "全年无较大事故。" in body
    # The statistics tables, with the township breakdown by name, and the chart's caption.
    assert "主要指标" in body and "各街镇主要指标" in body
    assert "东城街道" in body and "西山镇" in body
    assert "逐月隐患排查整治和检查情况" in body
    assert "—1—" in body  # the page number at the foot
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) >= 2
    assert all("草" in page and "稿" in page for page in pages)  # the watermark, on every page
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in body  # the date the figures were counted

    fonts = poppler("pdffonts", pdf, tmp_path)
    embedded = [line for line in fonts.splitlines() if "Noto" in line and "CJK" in line]
    assert any("Serif-CJK-SC" in line for line in embedded), fonts  # the body
    assert any("Sans-CJK-SC" in line for line in embedded), fonts  # the title and headings
    assert all(" yes yes yes " in line for line in embedded), fonts  # embedded, subset, unicode

    info = poppler("pdfinfo", pdf, tmp_path)
    assert "595.276 x 841.89 pts (A4)" in info or "595.28 x 841.89 pts (A4)" in info
    assert re.search(r"^JavaScript:\s+no$", info, re.M), info


@pytest.mark.django_db
def test_a_published_pdf_has_no_watermark_and_never_changes(
    officer, enterprise_a, tmp_path, django_capture_on_commit_callbacks
):
    """The version's PDF is printed by the job queued when it is published (on commit; inline without a
    broker) and never changes: not after new records, a rebuild, nor a second version."""
    hazards(officer, enterprise_a, 2)
    report = annual(officer)
    with django_capture_on_commit_callbacks(execute=True):
        first = report_publish(report=report, user=officer)
    first.refresh_from_db()
    job = ReportJob.objects.get(version=first)
    assert (job.state, job.progress, job.fmt, job.error) == (ReportJobState.DONE, 100, "pdf", "")
    assert first.pdf and first.pdf_sha256
    with first.pdf.open("rb") as stored:
        pdf = stored.read()
    assert hashlib.sha256(pdf).hexdigest() == first.pdf_sha256
    text = poppler("pdftotext", pdf, tmp_path)
    assert "草" not in text and "稿" not in text  # no watermark
    assert "建立隐患台账2个" in flat(text)

    hazards(officer, enterprise_a, 5)
    report_build(report=report, user=officer)
    with django_capture_on_commit_callbacks(execute=True):
        second = report_publish(report=report, user=officer)

    first.refresh_from_db()
    with first.pdf.open("rb") as stored:
        assert stored.read() == pdf
    assert first.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    second.refresh_from_db()
    assert second.pdf_sha256 != first.pdf_sha256
    with second.pdf.open("rb") as stored:
        assert "建立隐患台账7个" in flat(poppler("pdftotext", stored.read(), tmp_path))


# ---------------------------------------------------------------- Word


@pytest.mark.django_db
def test_the_docx_has_the_same_title_headings_text_and_tables(officer, enterprise_a):
    hazards(officer, enterprise_a, 3)
    report = annual(officer)
    content = report_content(report)

    document = Document(io.BytesIO(content_docx(content, watermark=DRAFT_WATERMARK)))

    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == report.title
    assert paragraphs[1] == f"（示范区　{YEAR}年1月1日至{YEAR}年12月31日）"
    assert "一、安全生产总体情况" in paragraphs
    assert "五、下一步工作打算" in paragraphs
    assert any(p.startswith("（二）强化风险管控和隐患排查治理。建立隐患台账3个") for p in paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    townships = next(t for t in tables if t[0][0] == "单位")
    assert [row[0] for row in townships[1:]] == ["东城街道", "西山镇"]
    assert any(
        t[0][1:] == ["发现隐患", "已整改隐患", "检查行动"] for t in tables
    )  # the trend chart's numbers
    # Official look: A4, the margins, a fangsong body (East Asian font), the draft marked in the header.
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    body_run = next(p for p in document.paragraphs if p.text.startswith("（二）")).runs[-1]
    assert body_run._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    ) == ("仿宋_GB2312")
    assert section.header.paragraphs[0].text == DRAFT_WATERMARK
