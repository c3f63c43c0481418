"""The 排名通报 and the 警示告知书 as PDF (WeasyPrint), in the official look of reports/pdf/base.html.

Both are rendered once, when the ranking is published or the notice is issued, and their bytes are
stored with their sha256: downloads serve the stored bytes, so a published document never changes.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from core.memory import release_memory
from core.pdf import font_config

from .models_evaluation import Evaluation, EvaluationFollowUp, EvaluationTarget
from .scopes import WHOLE_DISTRICT
from .selectors_evaluation import period_label


def cn_date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _target_words(evaluation: Evaluation) -> str:
    return "各部门" if evaluation.target == EvaluationTarget.DEPARTMENT else "各街道（乡镇）"


def ranking_title(evaluation: Evaluation) -> str:
    return f"关于{period_label(evaluation)}{_target_words(evaluation)}安全生产工作月度评估情况的通报"


def score_lists(evaluation: Evaluation) -> list[dict]:
    """The rows with their scores in the indicators' order (templates cannot look a key up)."""
    codes = [spec["code"] for spec in evaluation.indicators]
    return [
        {**row, "score_list": [row["scores"].get(code) for code in codes]}
        for row in evaluation.results.get("rows", [])
    ]


def _write(html: str) -> bytes:
    pdf = HTML(string=html).write_pdf(font_config=font_config())
    # WeasyPrint keeps ~50 MB of font data per document until a full collection (see enforcement.pdf).
    release_memory()
    return pdf


def ranking_html(evaluation: Evaluation) -> str:
    published = (
        timezone.localdate(evaluation.published_at) if evaluation.published_at else timezone.localdate()
    )
    return render_to_string(
        "reports/evaluation/pdf_ranking.html",
        {
            "title": ranking_title(evaluation),
            "evaluation": evaluation,
            "district": WHOLE_DISTRICT.name,
            "period_label": period_label(evaluation),
            "target_words": _target_words(evaluation),
            "specs": evaluation.indicators,
            "rows": score_lists(evaluation),
            "as_of": evaluation.results.get("as_of", ""),
            "published_on": cn_date(published),
        },
    )


def ranking_pdf(evaluation: Evaluation) -> bytes:
    return _write(ranking_html(evaluation))


def notice_html(follow_up: EvaluationFollowUp) -> str:
    evaluation = follow_up.evaluation
    row = next((r for r in evaluation.results.get("rows", []) if r["unit_id"] == follow_up.unit_id), None)
    return render_to_string(
        "reports/evaluation/pdf_notice.html",
        {
            "title": "安全生产工作警示告知书",
            "follow_up": follow_up,
            "evaluation": evaluation,
            "district": WHOLE_DISTRICT.name,
            "period_label": period_label(evaluation),
            "row": row,
            "count": len(evaluation.results.get("rows", [])),
            "paragraphs": [line.strip() for line in follow_up.text.splitlines() if line.strip()],
            "issued_on": cn_date(timezone.localdate(follow_up.created_at or timezone.now())),
        },
    )


def notice_pdf(follow_up: EvaluationFollowUp) -> bytes:
    return _write(notice_html(follow_up))
