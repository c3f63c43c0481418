"""执法文书 as PDF: the official form of each kind, rendered from HTML by WeasyPrint.

A4, the system's Noto Serif CJK (fonts-noto-cjk, the 宋体 look) embedded as subsets, black only (no
red header: the office prints on its own letterhead and stamps the seal by hand, so the form leaves a
place for it). The templates link nothing — no stylesheet, image or font URL — so rendering never
reaches for the network.

A draft renders as a preview: no number (the number is taken when the document is issued) and a
「草稿 · 预览」 watermark on every page. An issued document is rendered once, in the issuing
transaction, and its bytes are stored (models.DocumentPdf); downloads serve those bytes.
"""

import contextlib
import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from core.memory import release_memory
from core.pdf import font_config

from .document_layouts import FieldType
from .models import Document

WATERMARK = "草稿 · 预览"


def party_of(document: Document) -> dict[str, str]:
    """当事单位 as printed: the snapshot taken at issue, or the enterprise as it is now (a draft)."""
    snapshot = document.content.get("party") if isinstance(document.content, dict) else None
    if snapshot:
        return snapshot
    enterprise = document.enterprise
    return {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "address": enterprise.address,
        "contact_person": enterprise.contact_person,
        "contact_phone": enterprise.contact_phone,
    }


def cn_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _fields(document: Document) -> dict[str, str]:
    """The content by key, dates written the Chinese way (2026年3月1日), ready for the template."""
    layout = document.kind.layout_spec
    values = {}
    for field in layout.fields:
        raw = document.content.get(field.key, "")
        if field.type == FieldType.DATE and raw:
            with contextlib.suppress(ValueError):
                raw = cn_date(dt.date.fromisoformat(raw))
        values[field.key] = raw
    return values


def document_html(document: Document, *, preview: bool) -> str:
    issued_on = timezone.localdate(document.issued_at) if document.issued_at else None
    case = document.case
    fields = _fields(document)
    return render_to_string(
        document.kind.layout_spec.template,
        {
            "document": document,
            "kind": document.kind,
            "f": fields,
            # Multi-line text as paragraphs, each indented like the rest of the body.
            "p": {
                key: [line.strip() for line in value.splitlines() if line.strip()]
                for key, value in fields.items()
            },
            "party": party_of(document),
            "unit": document.issuing_unit,
            "case": case,
            "number": document.number or "",
            "issued_on": cn_date(issued_on),
            "follows": document.follows,
            "supersedes": document.supersedes,
            "preview": preview,
            "watermark": WATERMARK if preview else "",
        },
    )


def document_pdf_render(document: Document, *, preview: bool = False) -> bytes:
    """The document as an A4 PDF. `preview`: the draft as it would print, without a number, watermarked."""
    pdf = HTML(string=document_html(document, preview=preview)).write_pdf(font_config=font_config())
    # WeasyPrint keeps ~50 MB of font data per document until a full collection (SETUP-NOTES), and
    # glibc keeps the heap pages it freed unless trimmed (issue 15).
    release_memory()
    return pdf


def document_pdf_filename(document: Document) -> str:
    if document.number:
        return f"{document.kind.name}_{document.number}.pdf"
    return _("%(kind)s_%(enterprise)s_预览.pdf") % {
        "kind": document.kind.name,
        "enterprise": document.enterprise.name,
    }
