"""The hazard ledger in and out of Excel: the filtered export and the background import with progress."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.forms import ImportUploadForm
from accounts.ledger_import import get_importer
from accounts.scoping import can_write
from accounts.views import filtered, xlsx_response

from .excel import hazard_export as build_export
from .views import hazard_filter

KIND = "hazards"
# A failed import of a long ledger can have thousands of errors; the page shows this many, the
# downloadable error list has them all.
ERRORS_SHOWN = 500


@login_required
def hazard_export(request: HttpRequest) -> HttpResponse:
    """The ledger as Excel: the same filters and the same scope as the list page."""
    content = build_export(filtered(hazard_filter(request)))
    return xlsx_response(content, f"隐患台账_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def hazard_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger; it is checked and imported in the background and the next page shows progress."""
    if not can_write(request.user):
        raise PermissionDenied
    importer = get_importer(KIND)
    form = ImportUploadForm(request.POST or None, request.FILES or None, max_bytes=settings.IMPORT_MAX_BYTES)
    if request.method == "POST" and form.is_valid():
        job = account_services.import_job_start(
            user=request.user, kind=KIND, upload=form.cleaned_data["file"]
        )
        return redirect("hazards:hazard_import_job", pk=job.pk)
    return render(
        request,
        "hazards/import_form.html",
        {
            "form": form,
            "headers": importer.headers,
            "extra_headers": importer.extra_headers,
            "required": importer.required,
        },
    )


@login_required
def hazard_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(get_importer(KIND).template(), "隐患台账导入模板.xlsx")


@login_required
def hazard_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: the progress bar while it runs (import_progress.js polls), then its result."""
    job = account_selectors.import_job_get(user=request.user, pk=pk, kind=KIND)
    return render(
        request,
        "hazards/import_job.html",
        {
            "job": job,
            "errors": job.errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(job.errors) - ERRORS_SHOWN),
        },
    )
