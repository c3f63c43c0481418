"""工作总结 as PDF: the content of a report (reports.summaries.report_content, or a published version's
frozen content) in the official look of reports/templates/reports/pdf/base.html, through WeasyPrint.

A4 with the official margins, the title centred in a heiti face (Noto Sans CJK SC), the body in a serif
face (Noto Serif CJK SC) at 三号, page numbers "— 1 —" at the foot. Section numbers as the content
gives them (一、 （一） 1.): a level-1 heading stands on its own line; level-2 and level-3 headings run
in, the section's text following on the same line, as the office's summaries write them. Tables are
the statistics (with the township breakdown); charts are SVG drawn by reports.charts, inline — the PDF
holds no JavaScript and nothing is fetched. A draft carries a 「草稿」 watermark on every page; a
published version none.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML

from core.memory import release_memory
from core.pdf import font_config

from .charts import chart_svg

DRAFT_WATERMARK = "草稿"
# A run-in heading ends with this unless it already ends with a mark of its own.
RUN_IN_END = "。"
ENDING_MARKS = "。！？：；，.!?:;"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date()


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def period_line(content: dict) -> str:
    """（2026年1月1日至2026年12月31日）: the dates the report counts."""
    period = content.get("period") or {}
    try:
        start = dt.date.fromisoformat(period.get("start", ""))
        end = dt.date.fromisoformat(period.get("end", ""))
    except ValueError:
        return period.get("label", "")
    return _("%(start)s至%(end)s") % {"start": cn_date(start), "end": cn_date(end)}


def sections_for_print(content: dict, *, draft: bool) -> list[dict]:
    """Each section as the template prints it: its heading (run in or on its own line), its paragraphs
    (the figure sentences first, then the narrative), its table and its chart as SVG."""
    out = []
    for section in content.get("sections", []):
        paragraphs = []
        figure_text = section.get("figure_text") or "".join(text for text, _key in section.get("parts") or [])
        if figure_text:
            paragraphs.append(figure_text)
        paragraphs += _paragraphs(section.get("narrative", ""))
        heading = section.get("heading", "")
        level = section.get("level", 1)
        run_in = level > 1
        if run_in and heading and heading[-1] not in ENDING_MARKS and paragraphs:
            heading += RUN_IN_END
        chart = section.get("chart")
        out.append(
            {
                "level": level,
                "number": section.get("number", ""),
                "heading": heading,
                "run_in": run_in,
                "first": paragraphs[0] if run_in and paragraphs else "",
                "paragraphs": paragraphs[1:] if run_in else paragraphs,
                "error": section.get("figure_error", "") if draft else "",
                "table": section.get("table"),
                "chart": chart,
                "chart_svg": mark_safe(chart_svg(chart)) if chart else "",  # noqa: S308  (built and escaped by chart_svg)
            }
        )
    return out


def content_html(content: dict, *, watermark: str = "") -> str:
    """The HTML WeasyPrint prints (also handy to look at in a browser)."""
    built = _date(content.get("built_at"))
    scope = (content.get("scope") or {}).get("name", "")
    return render_to_string(
        "reports/pdf/summary.html",
        {
            "title": content.get("title", ""),
            "scope_name": scope,
            "period_line": period_line(content),
            "campaign": content.get("campaign"),
            "sections": sections_for_print(content, draft=bool(watermark)),
            "built_on": cn_date(built) if built else "",
            "watermark": watermark,
        },
    )


def content_pdf(content: dict, *, watermark: str = "") -> bytes:
    """The report as an A4 PDF; `watermark` (「草稿」 for a draft) on every page."""
    pdf = HTML(string=content_html(content, watermark=watermark)).write_pdf(font_config=font_config())
    # WeasyPrint keeps ~50 MB of font data per document until a full collection (see enforcement.pdf).
    release_memory()
    return pdf


def content_filename(content: dict, *, fmt: str = "pdf", version: int | None = None) -> str:
    """年度工作总结（第1版）.pdf / …（草稿）.docx — the name the download carries."""
    title = (content.get("title") or _("工作总结")).replace("/", "／").replace("\\", "＼")
    tag = _("第%(n)s版") % {"n": version} if version else _("草稿")
    return f"{title}（{tag}）.{fmt}"
