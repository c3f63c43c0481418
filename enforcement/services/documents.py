"""执法文书's writes: draft (from a case, a hazard or an inspection record), edit the draft, issue it
(number + PDF + lock, in one transaction), correct an issued one, discard a draft.

Numbers are taken only when a document is issued, inside the issuing transaction (numbering.py), so a
failed or rolled-back issue leaves no gap and two officers issuing at once never share a number. An
issued document never changes: its content, number and PDF stay as they were printed (the model and a
database trigger refuse too); a correction is a new document that supersedes the old one.
"""

import contextlib
import datetime as dt
import hashlib
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from hazards.models import Hazard
from inspections.choices import CheckResultValue
from inspections.models import InspectionRecord

from .. import permissions_documents as perms
from ..choices import CaseEventKind, CaseProcedure, PenaltyTarget
from ..document_layouts import DEFAULTS, DocumentState, FieldType, clean_content
from ..models import Case, CaseEvent, Document, DocumentKind, DocumentPdf
from ..numbering import document_number_next
from ..pdf import cn_date, document_pdf_render, party_of

STALE_STATE = "stale_state"
ISSUED_STATES = (DocumentState.ISSUED, DocumentState.CORRECTED)


# ---------------------------------------------------------------- pre-filled content


def _articles_text(case: Case) -> str:
    return "、".join(str(a) for a in case.articles.all())


def _penalty_text(case: Case) -> str:
    lines = []
    for p in case.penalties.all():
        who = _("对单位") if p.target == PenaltyTarget.UNIT else _("对%(name)s") % {"name": p.person_name}
        amount = _("人民币%(amount)s元") % {"amount": f"{p.amount:,.2f}"} if p.amount is not None else ""
        lines.append(f"{who}{p.get_kind_display()}{amount}{('，' + p.detail) if p.detail else ''}")
    return "；".join(lines) + "。" if lines else case.decision_summary


def _record_findings(record: InspectionRecord) -> str:
    """The problems found on an inspection: its hazards, else its 不符合 items, else its findings."""
    hazards = list(record.hazards.order_by("pk"))
    if hazards:
        return "\n".join(
            f"{n}. {h.location + '：' if h.location else ''}{h.description}" for n, h in enumerate(hazards, 1)
        )
    failed = record.results.filter(result=CheckResultValue.NONCOMPLIANT).select_related("item")
    lines = [
        f"{n}. {r.item.title}{('（' + r.note + '）') if r.note else ''}" for n, r in enumerate(failed, 1)
    ]
    return "\n".join(lines) or record.findings


def document_initial(
    *,
    kind: DocumentKind,
    case: Case | None = None,
    hazard: Hazard | None = None,
    inspection_record: InspectionRecord | None = None,
) -> dict[str, str]:
    """The content a new draft starts with, from its case, hazard or inspection record and the kind's
    standard wording (救济途径, 履行方式 …). Everything stays editable until the document is issued."""
    layout = kind.layout_spec
    today = timezone.localdate().isoformat()
    values: dict[str, str] = {}
    if case is not None:
        values.update(
            cause=case.cause,
            facts=case.facts,
            legal_basis=_articles_text(case),
            penalty=_penalty_text(case),
            summary=case.decision_summary or case.facts,
        )
        hazard = hazard or case.source_hazard
        inspection_record = inspection_record or case.source_record
    if hazard is not None:
        text = f"{hazard.location + '：' if hazard.location else ''}{hazard.description}"
        values.setdefault("facts", text)
        values["facts"] = values["facts"] or text
        values.update(deadline=hazard.deadline.isoformat(), requirements=hazard.measures)
    elif inspection_record is not None:
        values["facts"] = values.get("facts") or _record_findings(inspection_record)
        deadlines = [h.deadline for h in inspection_record.hazards.all()]
        if deadlines:
            values["deadline"] = max(deadlines).isoformat()
    values.update({k: v for k, v in DEFAULTS.items() if k not in values})
    values.update(review_date=today, start_date=today)
    return {f.key: values[f.key] for f in layout.fields if values.get(f.key)}


# ---------------------------------------------------------------- helpers


def _lock(document: Document) -> Document:
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("kind", "case", "enterprise", "issuing_unit", "supersedes", "follows")
        .get(pk=document.pk)
    )


def _save(document: Document, user: User, reason: str, fields: list[str] | None = None) -> None:
    document._history_user = user
    document._change_reason = reason
    if fields is None:
        document.save()
    else:
        document.save(update_fields=[*fields, "updated"])


def _check_content(kind: DocumentKind, content: Mapping, *, required: bool) -> dict[str, str]:
    if not isinstance(content, Mapping):
        raise ValidationError({"content": _("文书内容格式不正确。")})
    cleaned, errors = clean_content(kind.layout_spec, dict(content), required=required)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _default_unit(user: User, case: Case | None) -> OrgUnit:
    if case is not None:
        return case.handling_unit
    if user.org_unit is not None and perms.can_issue_in(user, user.org_unit):
        return user.org_unit
    unit = perms.issuing_units_for(user).order_by("depth", "order", "pk").first()
    if unit is None:
        raise PermissionDenied(str(perms.NO_ISSUE))
    return unit


def _check_unit(user: User, unit: OrgUnit) -> None:
    if not perms.can_issue_in(user, unit):
        raise ValidationError(
            {"issuing_unit": _("不能以该单位名义出具文书：请选择区安委办/应急局或本部门。")}
        )


def _prerequisite_sources(document: Document) -> Q:
    """Where a prerequisite document must be: the same case, else the same hazard or inspection record."""
    if document.case_id is not None:
        return Q(case_id=document.case_id)
    q = Q(pk__in=[])
    if document.hazard_id is not None:
        q |= Q(hazard_id=document.hazard_id)
        if document.hazard.inspection_record_id is not None:
            q |= Q(inspection_record_id=document.hazard.inspection_record_id)
    if document.inspection_record_id is not None:
        q |= Q(inspection_record_id=document.inspection_record_id) | Q(
            hazard__inspection_record_id=document.inspection_record_id
        )
    return q & Q(enterprise_id=document.enterprise_id)


def prerequisites_missing(document: Document) -> list[DocumentKind]:
    """The kinds that must be issued before this document and are not (empty: ready to issue)."""
    kind = document.kind
    needed = list(kind.prerequisites.all())
    if not needed:
        return []
    if (
        kind.simple_procedure_skips_prerequisites
        and document.case_id is not None
        and document.case.procedure == CaseProcedure.SIMPLE
    ):
        return []
    found = set(
        Document.objects.filter(_prerequisite_sources(document), kind__in=needed, state__in=ISSUED_STATES)
        .values_list("kind_id", flat=True)
        .distinct()
    )
    return [k for k in needed if k.pk not in found]


def prerequisite_message(document: Document, missing: list[DocumentKind]) -> str:
    where = _("在本案件中") if document.case_id is not None else _("针对同一隐患或检查记录")
    message = _("出具%(kind)s前，须先%(where)s出具%(needed)s。") % {
        "kind": document.kind.name,
        "where": where,
        "needed": "、".join(k.name for k in missing),
    }
    if document.kind.simple_procedure_skips_prerequisites:
        message += _("（简易程序案件除外）")
    return message


def _follows_default(document: Document) -> Document | None:
    """The document this one answers (复查意见书 → the 指令书 it reviews): the latest issued prerequisite."""
    needed = document.kind.prerequisites.all()
    return (
        Document.objects.filter(_prerequisite_sources(document), kind__in=needed, state=DocumentState.ISSUED)
        .order_by("-issued_at", "-pk")
        .first()
    )


def _supervising_department_id(case: Case | None, hazard: Hazard | None, enterprise) -> int | None:
    """A case's documents are seen as the case is (its handling unit); others as their hazard or record."""
    if case is not None:
        return None
    return hazard.supervising_department_id if hazard is not None else enterprise.supervising_department_id


# ---------------------------------------------------------------- draft


@transaction.atomic
def document_create(
    *,
    user: User,
    kind: DocumentKind,
    case: Case | None = None,
    hazard: Hazard | None = None,
    inspection_record: InspectionRecord | None = None,
    content: Mapping | None = None,
    issuing_unit: OrgUnit | None = None,
) -> Document:
    """起草文书: a draft of `kind` for a case, or — for the kinds allowed without a case — for a hazard or
    an inspection record. `content` None: pre-filled from the source (document_initial)."""
    if case is None and hazard is None and inspection_record is None:
        raise ValidationError({"case": _("请指定文书所属的案件，或所依据的隐患、检查记录。")})
    if case is not None:
        if not perms.can_draft_for_case(user, case):
            raise PermissionDenied(str(perms.NO_ISSUE))
    else:
        source = hazard or inspection_record
        if not perms.can_draft_for_source(user, source):
            raise PermissionDenied(str(perms.NO_ISSUE))
    if kind.is_external:
        raise ValidationError({"kind": _("现场检查记录在检查记录页出具，不在此起草。")})
    if not kind.is_active:
        raise ValidationError({"kind": _("该文书种类已停用。")})
    if case is None and not kind.allowed_without_case:
        raise ValidationError({"kind": _("%(kind)s须在案件中出具，请先立案。") % {"kind": kind.name}})
    if (
        hazard is not None
        and inspection_record is not None
        and hazard.inspection_record_id != inspection_record.pk
    ):
        raise ValidationError({"hazard": _("该隐患不属于所选检查记录。")})
    for source, label in ((hazard, _("隐患")), (inspection_record, _("检查记录"))):
        if case is not None and source is not None and source.enterprise_id != case.enterprise_id:
            raise ValidationError({"case": _("%(what)s与案件的当事单位不一致。") % {"what": label}})

    if content is None:
        content = document_initial(kind=kind, case=case, hazard=hazard, inspection_record=inspection_record)
    cleaned = _check_content(kind, content, required=False)
    unit = issuing_unit or _default_unit(user, case)
    _check_unit(user, unit)

    if case is not None:
        enterprise, jurisdiction = case.enterprise, case.jurisdiction
    elif hazard is not None:
        enterprise, jurisdiction = hazard.enterprise, hazard.jurisdiction
    else:
        enterprise = inspection_record.enterprise
        jurisdiction = enterprise.jurisdiction
    document = Document(
        kind=kind,
        case=case,
        hazard=hazard,
        inspection_record=inspection_record,
        enterprise=enterprise,
        jurisdiction=jurisdiction,
        issuing_unit=unit,
        supervising_department_id=_supervising_department_id(case, hazard, enterprise),
        content=cleaned,
        created_by=user,
    )
    _save(document, user, "起草")
    if case is None:
        document.sectors.set(hazard.sectors.all() if hazard is not None else enterprise.sectors.all())
    return document


@transaction.atomic
def document_update(
    *, user: User, document: Document, content: Mapping, issuing_unit: OrgUnit | None = None
) -> Document:
    """修改草稿: the content (and the issuing unit). An issued document is never changed (409)."""
    if not perms.can_work_on(user, document):
        raise PermissionDenied(str(perms.NO_ISSUE))
    document = _lock(document)
    if document.state != DocumentState.DRAFT:
        raise ValidationError(
            _("该文书已出具（%(number)s），不能修改；如需更正，请出具更正文书。")
            % {"number": document.number},
            code=STALE_STATE,
        )
    document.content = _check_content(document.kind, content, required=False)
    fields = ["content"]
    if issuing_unit is not None and issuing_unit.pk != document.issuing_unit_id:
        if document.supersedes_id is not None and issuing_unit.pk != document.supersedes.issuing_unit_id:
            raise ValidationError({"issuing_unit": _("更正文书须由原文书的出具单位出具。")})
        _check_unit(user, issuing_unit)
        document.issuing_unit = issuing_unit
        fields.append("issuing_unit")
    _save(document, user, "修改草稿", fields)
    return document


@transaction.atomic
def document_discard(*, user: User, document: Document) -> None:
    """删除草稿: a draft that will not be issued. An issued document is never deleted."""
    if not perms.can_work_on(user, document):
        raise PermissionDenied(str(perms.NO_ISSUE))
    document = _lock(document)
    if document.state != DocumentState.DRAFT:
        raise ValidationError(_("已出具的文书不能删除。"), code=STALE_STATE)
    document._history_user = user
    document.sectors.clear()
    document.delete()


# ---------------------------------------------------------------- issue


@transaction.atomic
def document_issue(*, user: User, document: Document) -> Document:
    """出具: check the content and the prerequisites, take the next number of the issuing unit, kind and
    year, print the PDF and store it — all in this transaction — and lock the document for good. A
    case's document also gets a line in the case's timeline.

    Issuing a document someone has just issued answers stale_state (409): it is issued once, with one
    number. A correction, when issued, marks the document it corrects 已更正."""
    if not perms.can_work_on(user, document):
        raise PermissionDenied(str(perms.NO_ISSUE))
    document = _lock(document)
    if document.state != DocumentState.DRAFT:
        raise ValidationError(
            _("该文书已出具（%(number)s），不能重复出具。") % {"number": document.number}, code=STALE_STATE
        )
    kind = document.kind
    if not kind.is_active:
        raise ValidationError({"kind": _("该文书种类已停用，不能出具。")})
    document.content = _check_content(kind, document.content, required=True)
    if missing := prerequisites_missing(document):
        raise ValidationError(prerequisite_message(document, missing), code="prerequisite")
    old = None
    if document.supersedes_id is not None:
        old = Document.objects.select_for_update().get(pk=document.supersedes_id)
        if old.state != DocumentState.ISSUED:
            raise ValidationError(_("被更正的文书已被更正，请在最新版本上更正。"), code=STALE_STATE)
    if document.follows_id is None and kind.prerequisites.exists():
        document.follows = _follows_default(document)
    _check_unit(user, document.issuing_unit)

    now = timezone.now()
    year = timezone.localdate(now).year
    document.serial, document.number = document_number_next(
        unit=document.issuing_unit, kind_id=kind.pk, kind_short=kind.short_name, year=year
    )
    document.year = year
    document.issued_at = now
    document.issued_by = user
    document.state = DocumentState.ISSUED
    document.content = {**document.content, "party": party_of(document)}
    pdf = document_pdf_render(document)
    _save(document, user, "出具")
    DocumentPdf.objects.create(
        document=document, data=pdf, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
    )
    if old is not None:
        old.state = DocumentState.CORRECTED
        _save(old, user, "已更正", ["state"])
    if document.case_id is not None:
        note = _("出具%(kind)s %(number)s") % {"kind": kind.name, "number": document.number}
        if old is not None:
            note += _("（更正 %(number)s）") % {"number": old.number}
        CaseEvent.objects.create(case_id=document.case_id, kind=CaseEventKind.DOCUMENT, note=note, user=user)
    return document


# ---------------------------------------------------------------- correct


@transaction.atomic
def document_correct(*, user: User, document: Document) -> Document:
    """更正: a new draft copying an issued document (same kind, case or source, unit and content); when
    it is issued it takes a new number and the old one becomes 已更正. Both are kept. Asking again while
    the correction is still a draft returns that draft."""
    if not perms.can_work_on(user, document):
        raise PermissionDenied(str(perms.NO_ISSUE))
    old = _lock(document)
    if old.state == DocumentState.DRAFT:
        raise ValidationError(_("该文书尚未出具，可直接修改，无需更正。"), code=STALE_STATE)
    if old.state == DocumentState.CORRECTED:
        raise ValidationError(_("该文书已被更正，请在最新版本上更正。"), code=STALE_STATE)
    pending = Document.objects.filter(supersedes=old).first()
    if pending is not None:
        return pending
    content = {k: v for k, v in old.content.items() if k != "party"}
    new = Document(
        kind=old.kind,
        case=old.case,
        hazard=old.hazard,
        inspection_record=old.inspection_record,
        enterprise=old.enterprise,
        jurisdiction=old.jurisdiction,
        issuing_unit=old.issuing_unit,
        supervising_department_id=old.supervising_department_id,
        follows=old.follows,
        content=content,
        supersedes=old,
        created_by=user,
    )
    _save(new, user, "更正")
    new.sectors.set(old.sectors.all())
    return new


def document_preview(*, document: Document) -> bytes:
    """预览: a draft as it would print — no number, watermarked 草稿 · 预览; an issued document's own PDF."""
    if document.state != DocumentState.DRAFT:
        return document_pdf_bytes(document)
    return document_pdf_render(document, preview=True)


def document_pdf_bytes(document: Document) -> bytes:
    """The stored PDF of an issued document, exactly as it was issued."""
    return bytes(DocumentPdf.objects.get(document=document).data)


def content_for_display(document: Document) -> list[tuple[str, str]]:
    """(label, value) pairs of the content in the layout's order, dates as 2026年3月1日."""
    pairs = []
    for field in document.kind.layout_spec.fields:
        value = document.content.get(field.key, "")
        if field.type == FieldType.DATE and value:
            with contextlib.suppress(ValueError):
                value = cn_date(dt.date.fromisoformat(value))
        pairs.append((str(field.label), value))
    return pairs
