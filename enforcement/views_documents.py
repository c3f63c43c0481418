"""执法文书 pages: the list, drafting from a case / hazard / inspection record, the document page with
its preview (watermarked, no number), issuing, correcting, and the download of the issued PDF.

Parse, call a selector or a service, render: who may do what is permissions_documents, the rules are
services.documents, and a document outside the user's scope answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import form_add_errors, is_stale
from core.lists import paginate
from hazards import selectors as hazard_selectors
from inspections import selectors as inspection_selectors
from inspections.pdf import pdf_response

from . import permissions_documents as perms
from . import selectors, services
from .document_layouts import DocumentState
from .forms_documents import DocumentFilterForm, DocumentForm
from .models import Case, Document, DocumentKind
from .pdf import document_pdf_filename
from .selectors_documents import (
    document_correction,
    document_get,
    document_list,
    document_pdf_sha256,
    documents_for_case,
    documents_for_hazard,
    documents_for_record,
    kinds_for_case,
    kinds_without_case,
)

CASE_DOCUMENTS_TEMPLATE = "enforcement/documents/_case_documents.html"


# ---------------------------------------------------------------- for other pages


def case_documents_context(request: HttpRequest, case: Case) -> dict:
    """What the case page's 执法文书 block needs (enforcement/documents/_case_documents.html)."""
    can_draft = perms.can_draft_for_case(request.user, case)
    return {
        "documents_template": CASE_DOCUMENTS_TEMPLATE,
        "case_documents": list(documents_for_case(request.user, case)),
        "draft_kinds": list(kinds_for_case()) if can_draft else [],
        "documents_source_param": f"case={case.pk}",
        "can_draft_documents": can_draft,
    }


def hazard_documents_panel(request: HttpRequest, hazard=None, **objects) -> dict | None:
    """The hazard page's 执法文书 panel: documents issued from it, and 开具 buttons for those who may."""
    if hazard is None:
        return None
    documents = list(documents_for_hazard(request.user, hazard))
    can_draft = perms.can_draft_for_source(request.user, hazard)
    if not documents and not can_draft:
        return None
    return {
        "documents": documents,
        "draft_kinds": list(kinds_without_case()) if can_draft else [],
        "source_param": f"hazard={hazard.pk}",
    }


def record_documents_panel(request: HttpRequest, record=None, **objects) -> dict | None:
    """The inspection record page's 执法文书 panel (责令限期整改指令书 from what the inspection found)."""
    if record is None or not record.number:
        return None
    documents = list(documents_for_record(request.user, record))
    can_draft = perms.can_draft_for_source(request.user, record)
    if not documents and not can_draft:
        return None
    return {
        "documents": documents,
        "draft_kinds": list(kinds_without_case()) if can_draft else [],
        "source_param": f"record={record.pk}",
    }


# ---------------------------------------------------------------- list


@login_required
def document_list_view(request: HttpRequest) -> HttpResponse:
    form = DocumentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, document_list(request.user, filters))
    return render(
        request,
        "enforcement/documents/document_list.html",
        {
            "form": form,
            "page_obj": page,
            "kinds": DocumentKind.objects.filter(is_active=True),
            "states": DocumentState.choices,
            "filters": filters,
        },
    )


# ---------------------------------------------------------------- draft


def _source(request: HttpRequest, params) -> dict:
    """The case, hazard or inspection record named in the request, each within the user's scope (404)."""
    source = {}
    try:
        if params.get("case"):
            source["case"] = selectors.case_get(user=request.user, pk=int(params["case"]))
        elif params.get("hazard"):
            source["hazard"] = hazard_selectors.hazard_get(user=request.user, pk=int(params["hazard"]))
        elif params.get("record"):
            source["inspection_record"] = inspection_selectors.record_get(
                user=request.user, pk=int(params["record"])
            )
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return source


def _source_url(source: dict) -> str:
    if "case" in source:
        return source["case"].get_absolute_url()
    if "hazard" in source:
        return source["hazard"].get_absolute_url()
    if "inspection_record" in source:
        return reverse("inspections:record_detail", args=[source["inspection_record"].pk])
    return reverse("enforcement:document_list")


def _may_draft(user, source: dict) -> bool:
    if "case" in source:
        return perms.can_draft_for_case(user, source["case"])
    return perms.can_draft_for_source(user, source.get("hazard") or source["inspection_record"])


@login_required
def document_new(request: HttpRequest) -> HttpResponse:
    """起草文书 (?kind=<code>&case=<pk> | &hazard=<pk> | &record=<pk>). Without a source: how to start one."""
    if not perms.can_issue_any(request.user):
        raise PermissionDenied(str(perms.NO_ISSUE))
    params = request.POST if request.method == "POST" else request.GET
    source = _source(request, params)
    if not source:
        return render(request, "enforcement/documents/document_start.html", {"kinds": kinds_for_case()})
    if not _may_draft(request.user, source):
        raise PermissionDenied(str(perms.NO_ISSUE))
    offered = kinds_for_case() if "case" in source else kinds_without_case()
    kind = offered.filter(code=params.get("kind") or "").first()
    context = {"source": source, "back_url": _source_url(source), **source}
    if kind is None:
        return render(request, "enforcement/documents/document_new.html", {**context, "kinds": offered})
    units = perms.issuing_units_for(request.user)
    if request.method == "POST":
        form = DocumentForm(request.POST, layout=kind.layout_spec, units=units)
        if form.is_valid():
            try:
                document = services.document_create(
                    user=request.user,
                    kind=kind,
                    content=form.content(),
                    issuing_unit=form.issuing_unit,
                    **source,
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, _("草稿已保存。请预览核对后出具。"))
                return redirect(document)
    else:
        initial = services.document_initial(kind=kind, **source)
        default_unit = source["case"].handling_unit if "case" in source else request.user.org_unit
        if default_unit is not None and units.filter(pk=default_unit.pk).exists():
            initial["issuing_unit"] = default_unit.pk
        form = DocumentForm(initial=initial, layout=kind.layout_spec, units=units)
    return render(
        request, "enforcement/documents/document_form.html", {**context, "kind": kind, "form": form}
    )


# ---------------------------------------------------------------- one document


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = document_get(request.user, pk)
    return render(
        request,
        "enforcement/documents/document_detail.html",
        {
            "document": document,
            "content": services.content_for_display(document),
            "allowed": perms.document_allowed_actions(request.user, document),
            "missing": services.prerequisites_missing(document) if document.is_draft else [],
            "correction": document_correction(document),
            "pdf_sha256": document_pdf_sha256(document),
        },
    )


def _work_on(request: HttpRequest, pk: int) -> Document:
    document = document_get(request.user, pk)
    if not perms.can_work_on(request.user, document):
        raise PermissionDenied(str(perms.NO_ISSUE))
    return document


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _work_on(request, pk)
    if document.state != DocumentState.DRAFT:
        messages.error(request, _("该文书已出具，不能修改；如需更正，请出具更正文书。"))
        return redirect(document)
    layout = document.kind.layout_spec
    units = perms.issuing_units_for(request.user)
    if request.method == "POST":
        form = DocumentForm(request.POST, layout=layout, units=units)
        if form.is_valid():
            try:
                services.document_update(
                    user=request.user,
                    document=document,
                    content=form.content(),
                    issuing_unit=form.issuing_unit,
                )
            except ValidationError as exc:
                if is_stale(exc):
                    messages.error(request, "；".join(exc.messages))
                    return redirect(document)
                form_add_errors(form, exc)
            else:
                messages.success(request, _("草稿已保存。"))
                return redirect(document)
    else:
        form = DocumentForm(
            initial={**document.content, "issuing_unit": document.issuing_unit_id}, layout=layout, units=units
        )
    return render(
        request,
        "enforcement/documents/document_form.html",
        {"document": document, "kind": document.kind, "form": form, "back_url": document.get_absolute_url()},
    )


@login_required
def document_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """预览: the draft as it would print (no number, watermarked); an issued document's own PDF."""
    document = document_get(request.user, pk)
    return pdf_response(services.document_preview(document=document), document_pdf_filename(document))


@login_required
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued PDF, byte for byte as issued. A draft has none (its preview is the preview page)."""
    document = document_get(request.user, pk)
    if document.state == DocumentState.DRAFT:
        raise Http404
    return pdf_response(services.document_pdf_bytes(document), document_pdf_filename(document))


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@require_POST
@login_required
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    document = _work_on(request, pk)
    try:
        document = services.document_issue(user=request.user, document=document)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已出具：%(number)s。") % {"number": document.number})
    return redirect("enforcement:document_detail", pk=pk)


@require_POST
@login_required
def document_correct(request: HttpRequest, pk: int) -> HttpResponse:
    document = _work_on(request, pk)
    try:
        new = services.document_correct(user=request.user, document=document)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(document)
    messages.info(request, _("已生成更正草稿：修改后出具，原文书将标为“已更正”。"))
    return redirect("enforcement:document_edit", pk=new.pk)


@require_POST
@login_required
def document_discard(request: HttpRequest, pk: int) -> HttpResponse:
    document = _work_on(request, pk)
    back = document.case.get_absolute_url() if document.case_id else reverse("enforcement:document_list")
    try:
        services.document_discard(user=request.user, document=document)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(document)
    messages.success(request, _("草稿已删除。"))
    return redirect(back)
