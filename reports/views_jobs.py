"""生成PDF / 导出Word of a work summary: start a job, poll its progress, download its file.

The report's page (and a version's) include reports/summaries/_job.html: two buttons and a progress
bar that static/js/report_job.js drives — it posts the form, then polls `report_job_status` every
0.7 s and, when the job is done, shows the download link. Without JavaScript the form posts the same
way and the page comes back with the link (or with the job still running).

Who may: whoever may read the report (its scope) starts a version's export and sees its jobs; a
draft's export is its writers' (the service says so: 403). Outside the scope everything is 404.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.audit import audit_export

from . import selectors_summaries as sel
from .models import ReportJob, ReportJobState, ReportVersion
from .pdf import content_filename
from .services_summaries import report_job_request

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _job_get(request: HttpRequest, pk: int) -> ReportJob:
    """The job `pk` if its report is in the user's scope; 404 otherwise."""
    job = ReportJob.objects.select_related("version").filter(pk=pk).first()
    if job is None:
        raise Http404
    job.report = sel.report_get(request.user, job.report_id)
    return job


def _download_url(job: ReportJob) -> str:
    if job.state != ReportJobState.DONE:
        return ""
    if job.version_id and job.fmt == "pdf":
        return reverse("reports:version_pdf", args=[job.report_id, job.version.number])
    return reverse("reports:report_job_download", args=[job.pk]) if job.file else ""


def _status(job: ReportJob) -> dict:
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": job.get_state_display(),
        "finished": job.state in (ReportJobState.DONE, ReportJobState.FAILED),
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "fmt": job.fmt,
        "download_url": _download_url(job),
        "status_url": reverse("reports:report_job_status", args=[job.pk]),
    }


@login_required
@require_POST
def report_job_start(request: HttpRequest, pk: int) -> HttpResponse:
    """POST fmt=pdf|docx [version=N] [rebuild=1]: start an export; JSON (202) for the progress bar, or
    back to the page without JavaScript."""
    report = sel.report_get(request.user, pk)
    version: ReportVersion | None = None
    number = request.POST.get("version", "").strip()
    if number:
        if not number.isdigit():
            return _refused(request, report, _("版本号无效。"))
        version = sel.version_get(request.user, report.pk, int(number))
    fmt = request.POST.get("fmt", "pdf")
    try:
        job = report_job_request(
            report=report,
            user=request.user,
            fmt=fmt,
            version=version,
            rebuild=request.POST.get("rebuild") == "1",
        )
    except ValidationError as error:
        return _refused(request, report, "；".join(error.messages), version=version)
    job.refresh_from_db()  # inline without a broker: it may be over already
    if _wants_json(request):
        return JsonResponse(_status(job), status=202)
    back = version.get_absolute_url() if version else report.get_absolute_url()
    if job.state == ReportJobState.DONE:
        return redirect(_download_url(job))
    if job.state == ReportJobState.FAILED:
        messages.error(request, job.error)
    else:
        messages.info(request, _("正在后台生成，请稍候刷新本页查看。"))
    return redirect(back)


def _refused(request: HttpRequest, report, message: str, *, version=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    return redirect(version.get_absolute_url() if version else report.get_absolute_url())


@login_required
@require_GET
def report_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar's feed: {state, progress, message, error, download_url, …}."""
    return JsonResponse(_status(_job_get(request, pk)))


@login_required
@require_GET
def report_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file a job wrote (a draft's PDF/Word, a version's Word), named after the report in Chinese."""
    job = _job_get(request, pk)
    if job.state != ReportJobState.DONE or not job.file:
        raise Http404
    content = job.version.content if job.version_id else {"title": job.report.title}
    filename = content_filename(content, fmt=job.fmt, version=job.version.number if job.version_id else None)
    audit_export(request, what=f"report_{job.fmt}", rows=1, obj=job.report_id)
    response = FileResponse(job.file.open("rb"), content_type=CONTENT_TYPES[job.fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
