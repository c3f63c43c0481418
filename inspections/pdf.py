"""现场检查记录 as a printable PDF: the official form, rendered from HTML by WeasyPrint.

The fonts are the system's Noto CJK (fonts-noto-cjk), embedded as subsets, so the file prints the
same on any machine. The template links nothing: no stylesheet, image or font URL, so rendering
never reaches for the network.
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML

from accounts.models import User
from core.memory import release_memory
from core.pdf import font_config

from .choices import ActionStatus, CheckResultValue
from .models import CheckResult, InspectionRecord

# A record not yet numbered (a planned or draft inspection) prints as a blank form to fill in on
# site; this many empty item rows leave room to write.
BLANK_ITEM_ROWS = 6


@dataclass(frozen=True)
class Inspector:
    name: str
    cert_no: str


def record_pdf(record: InspectionRecord) -> bytes:
    """The record as an A4 PDF. `record` comes with its action, kind, organiser and enterprise
    (selectors.record_list); the team and the item results take one query each."""
    action = record.action
    members = [
        Inspector(name=u.display_name, cert_no=u.enforcement_cert_no)
        for u in User.objects.filter(inspection_actions=action).order_by("name", "pk")
    ]
    results = list(
        CheckResult.objects.filter(record=record)
        .select_related("item__sector")
        .order_by("item__sector__order", "item__order", "item__code", "pk")
    )
    enterprise = record.enterprise
    html = render_to_string(
        "inspections/record_pdf.html",
        {
            "record": record,
            "action": action,
            "enterprise": enterprise,
            "place": _place(record),
            "members": members,
            "results": results,
            "noncompliant": CheckResultValue.NONCOMPLIANT,
            "any_noncompliant": any(r.result == CheckResultValue.NONCOMPLIANT for r in results),
            "is_done": action.status == ActionStatus.DONE,
            "blank_rows": range(1, BLANK_ITEM_ROWS + 1),
        },
    )
    pdf = HTML(string=html).write_pdf(font_config=font_config())
    # WeasyPrint keeps ~50 MB of font data per document until a full collection (issue 15: 25 PDFs in
    # one process swung between 170 and 750 MB; with a collection after each, 171–177 MB).
    release_memory()
    return pdf


def _place(record: InspectionRecord) -> str:
    """检查场所: where the enterprise sits (township / community) and its address."""
    unit = record.enterprise.jurisdiction
    names = [unit.parent.name, unit.name] if unit.parent and not unit.is_township else [unit.name]
    return " ".join([*names, record.enterprise.address]).strip()


def record_pdf_filename(record: InspectionRecord) -> str:
    return f"现场检查记录_{record.number or record.enterprise.name}.pdf"


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """Shown in the browser (inline), saved under a Chinese name (RFC 5987, as xlsx_response does)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response
