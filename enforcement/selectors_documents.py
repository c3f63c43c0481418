"""Reads of 执法文书: scoped lists and details, the documents of a case / hazard / inspection record,
and the figure the summaries quote (下发责令改正通知书535份，下发行政处罚决定书76份) in one query.

Every queryset passes through accounts.scoping.restrict(): a document outside the user's scope does
not exist for them (404)."""

import datetime as dt

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.scoping import get_object_in_scope, restrict
from hazards.models import Hazard
from inspections.models import InspectionRecord

from .document_layouts import DocumentState
from .models import Case, Document, DocumentKind, DocumentPdf

INSPECTION_RECORD_LAYOUT = "inspection_record"
ISSUED_STATES = (DocumentState.ISSUED, DocumentState.CORRECTED)


def document_queryset(user: User, action: str = "view") -> QuerySet[Document]:
    qs = Document.objects.select_related(
        "kind", "case", "enterprise", "issuing_unit", "supersedes", "superseded_by", "follows", "issued_by"
    )
    return restrict(qs, user, action)


def document_get(user: User, pk, action: str = "view") -> Document:
    """One document within the user's scope, or 404."""
    return get_object_in_scope(document_queryset(user), user, action, pk=pk)


def document_list(user: User, filters: dict | None = None) -> QuerySet[Document]:
    """The documents a user sees, newest first; filters: kind (code), state, case, hazard,
    inspection_record, enterprise, year, issuing_unit, q (number or enterprise name)."""
    filters = filters or {}
    qs = document_queryset(user)
    if kind := filters.get("kind"):
        qs = qs.filter(kind__code=kind)
    if state := filters.get("state"):
        qs = qs.filter(state=state)
    for key in ("case", "hazard", "inspection_record", "enterprise", "issuing_unit", "year"):
        if (value := filters.get(key)) not in (None, ""):
            qs = qs.filter(**{key: value})
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(enterprise__name__icontains=q))
    return qs.order_by("-created", "-pk")


def documents_for_case(user: User, case: Case) -> QuerySet[Document]:
    return document_queryset(user).filter(case=case).order_by("kind__order", "created", "pk")


def documents_for_hazard(user: User, hazard: Hazard) -> QuerySet[Document]:
    """Issued from the hazard itself, or from the inspection record it was found on (outside a case)."""
    q = Q(hazard=hazard)
    if hazard.inspection_record_id is not None:
        q |= Q(inspection_record_id=hazard.inspection_record_id, hazard__isnull=True, case__isnull=True)
    return document_queryset(user).filter(q).order_by("created", "pk")


def documents_for_record(user: User, record: InspectionRecord) -> QuerySet[Document]:
    q = Q(inspection_record=record) | Q(hazard__inspection_record=record, case__isnull=True)
    return document_queryset(user).filter(q).order_by("created", "pk")


def document_pdf_sha256(document: Document) -> str | None:
    """The sha256 of an issued document's stored PDF (None for a draft, which has no stored PDF)."""
    if document.state == DocumentState.DRAFT:
        return None
    return DocumentPdf.objects.filter(document=document).values_list("sha256", flat=True).first()


def document_correction(document: Document) -> Document | None:
    """The document that corrected `document`, if any."""
    return Document.objects.filter(supersedes=document).first()


def kinds_for_case() -> QuerySet[DocumentKind]:
    """The kinds that can be drafted in a case (all active ones but the inspection record)."""
    return DocumentKind.objects.filter(is_active=True).exclude(layout=INSPECTION_RECORD_LAYOUT)


def kinds_without_case() -> QuerySet[DocumentKind]:
    """The kinds that can be drafted from a hazard or an inspection record, without a case."""
    return kinds_for_case().filter(allowed_without_case=True)


def documents_issued_by_kind(user: User, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """How many documents of each kind were issued (下发) in the period, by kind code — every active kind,
    0 when none — in ONE query. A correction is not a new document: each original counts once, on its
    own issue date. 现场检查记录 counts the inspection records issued in the period (inspections app)."""
    period = Q(issued_at__date__gte=date_from, issued_at__date__lte=date_to)
    issued = restrict(Document.objects.all(), user).filter(
        period, state__in=ISSUED_STATES, supersedes__isnull=True
    )
    records = restrict(InspectionRecord.objects.all(), user).filter(period, supersedes__isnull=True)
    # Each kind with the count of its issued documents, and the issued records as one more scalar
    # subquery: one statement however many kinds.
    per_kind = (
        issued.filter(kind_id=OuterRef("pk")).order_by().values("kind_id").annotate(c=Count("pk")).values("c")
    )
    all_records = records.order_by().annotate(g=Value(1)).values("g").annotate(c=Count("pk")).values("c")
    rows = DocumentKind.objects.filter(is_active=True).annotate(
        documents=Coalesce(Subquery(per_kind, output_field=IntegerField()), 0),
        records=Coalesce(Subquery(all_records, output_field=IntegerField()), 0),
    )
    return {
        code: (n_records if layout == INSPECTION_RECORD_LAYOUT else n_docs)
        for code, layout, n_docs, n_records in rows.values_list("code", "layout", "documents", "records")
    }
