"""The import pages every ledger kind shares: upload, template download, the job with its progress
bar, its status feed and its error list. One page template for all; the importer supplies the words.

An upload becomes a background job (Celery when a broker is configured, inline otherwise); the
next page polls it and then shows the counts, or every error with nothing imported.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .audit import audit_export
from .excel import write_workbook
from .forms import ImportUploadForm
from .imports import Importer, UnknownLedgerKind, get_importer, unlisted_errors
from .lists import xlsx_response

# A failed import of a long ledger can have thousands of errors; the page shows this many, the
# downloadable error list has them all.
ERRORS_SHOWN = 500


def _importer(kind: str) -> Importer:
    try:
        return get_importer(kind)
    except UnknownLedgerKind as exc:
        raise Http404 from exc


def _allowed_importer(request: HttpRequest, kind: str) -> Importer:
    importer = _importer(kind)
    if not importer.allowed(request.user):
        raise PermissionDenied
    return importer


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a ledger; it is checked and imported in the background and the next page shows progress."""
    importer = _allowed_importer(request, kind)
    # Bound on every POST, even one without fields: `request.POST or None` would show an empty
    # submission the blank form again with no word on what is missing.
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if form.is_bound and form.is_valid():
        job = services.import_job_start(user=request.user, kind=kind, upload=form.cleaned_data["file"])
        return redirect("core:import_job", pk=job.pk)
    return render(request, "core/import_form.html", {"form": form, "kind": kind, "importer": importer})


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _allowed_importer(request, kind)
    return xlsx_response(importer.template(), importer.template_filename)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: the progress bar while it runs (import_progress.js polls), then its result."""
    job = services.import_job_check(job=selectors.import_job_get(user=request.user, pk=pk))
    return render(
        request,
        "core/import_job.html",
        {
            "job": job,
            "importer": _importer(job.kind),
            "errors": job.errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(job.errors) - ERRORS_SHOWN),
            "errors_unlisted": unlisted_errors(job.errors_hidden) if job.errors_hidden else "",
        },
    )


@login_required
@require_POST
def import_job_requeue(request: HttpRequest, pk: int) -> HttpResponse:
    """重新提交 a job that Redis refused; the job page then shows it queued (or refused again)."""
    job = selectors.import_job_get(user=request.user, pk=pk)
    try:
        services.import_job_requeue(user=request.user, job=job)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    return redirect("core:import_job", pk=job.pk)


@login_required
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar's feed: a small JSON the job page polls. Only the job's own user sees it."""
    job = services.import_job_check(job=selectors.import_job_get(user=request.user, pk=pk))
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.is_finished,
            "total": job.total,
            "done": job.done,
            "percent": job.percent,
            "created": job.created_rows,
            "updated": job.updated_rows,
            "error_count": job.error_count,
        }
    )


@login_required
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every error of a failed import as Excel, for fixing a long ledger row by row."""
    job = selectors.import_job_get(user=request.user, pk=pk)
    rows = [[e["row"] or "", e["column"], e["message"]] for e in job.errors]
    if job.errors_hidden:
        rows.append(["", "", unlisted_errors(job.errors_hidden)])
    content = write_workbook(sheet_title="错误清单", headers=["行号", "列", "原因"], rows=rows)
    audit_export(request, what="import_errors", rows=len(job.errors), obj=job.pk)
    return xlsx_response(content, f"导入错误清单_{job.pk}.xlsx")
