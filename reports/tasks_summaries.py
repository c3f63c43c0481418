"""The background job that prints a work summary (工作总结) as PDF or .docx, with its progress bar.

`report_job_run(job_id)` takes the job's id only. It claims the queued job (one conditional UPDATE: of
two copies of the message, one runs), then, for a draft asked to be rebuilt first, rebuilds the report
from fresh figures (the narrative stays), renders the content — a draft as it stands, with its
「草稿」 watermark; a published version its frozen content, without — and stores the file: a draft's
on the job (kept until a later job replaces it on the page), a version's PDF on the version, written
once. Each step writes the job's progress where the polling page sees it at once: outside any
transaction as plain updates, and, during the rebuild (one transaction), through a second connection
of its own committed at once. Any failure ends the job as 失败 with a Chinese message (the traceback
goes to the log).

Without a broker (the dev default) the task runs inline right after the request's commit.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from . import services_summaries
from .docx import content_docx
from .jobs_summaries import set_job_queue
from .models import ReportJob, ReportJobState, ReportVersion
from .pdf import DRAFT_WATERMARK, content_filename, content_pdf
from .summaries import report_content

logger = logging.getLogger(__name__)

# Where the bar stands after each step (a rebuild fills BUILD_START…BUILD_END as its sections go).
BUILD_START, BUILD_END = 5, 60
RENDER, STORE = 70, 92


class Progress:
    """Writes the job's progress and step; visible to the polling page at once (see the module doc)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._side = None
        self._failed = False

    def __call__(self, percent: int, message: str) -> None:
        percent = max(0, min(100, int(percent)))
        message = str(message)[:200]
        if not connection.in_atomic_block:
            ReportJob.objects.filter(pk=self.job_id).update(progress=percent, message=message)
            return
        if connection.vendor == "sqlite" or self._failed:
            return  # one writer at a time: a second connection would wait for the build to end
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = connection.ops.quote_name(ReportJob._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress = %s, message = %s WHERE id = %s",  # noqa: S608  (our table name)
                    [percent, message, self.job_id],
                )
        except DatabaseError:
            logger.warning("Report job %s: progress not written", self.job_id, exc_info=True)
            self._failed = True

    def build_step(self, done: int, total: int, message: str) -> None:
        """The callback report_build gives build_sections: a share of BUILD_START…BUILD_END."""
        share = done / total if total else 1
        self(BUILD_START + (BUILD_END - BUILD_START) * share, _("重新生成：%(step)s") % {"step": message})

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _claim(job_id: int) -> bool:
    return bool(
        ReportJob.objects.filter(pk=job_id, state=ReportJobState.QUEUED).update(
            state=ReportJobState.RUNNING, progress=1, message=_("开始生成"), error=""
        )
    )


def _fail(job_id: int, error: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(
        state=ReportJobState.FAILED, error=error[:2000], message=_("生成失败"), finished_at=timezone.now()
    )


@shared_task(
    ignore_result=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660
)
def report_job_run(job_id: int, rebuild: bool = False) -> None:
    """Print one report (or version) as PDF or .docx; `rebuild` (a draft only): from fresh figures first."""
    if not _claim(job_id):
        return  # another copy has it, or it is over
    job = ReportJob.objects.select_related("report", "version", "requested_by").get(pk=job_id)
    progress = Progress(job_id)
    try:
        _run(job, progress, rebuild=rebuild)
    except ValidationError as error:
        _fail(job_id, "；".join(str(m) for m in error.messages))
    except PermissionDenied as error:
        _fail(job_id, str(error) or _("您没有重新生成该工作总结的权限。"))
    except Exception:
        logger.exception("Report job %s (report %s, %s) failed", job_id, job.report_id, job.fmt)
        _fail(job_id, _("生成文件时发生意外错误，请稍后重试；仍不成功请联系管理员。"))
    finally:
        progress.close()


def _run(job: ReportJob, progress: Progress, *, rebuild: bool) -> None:
    version: ReportVersion | None = job.version
    report = job.report
    if version is None and rebuild:
        progress(BUILD_START, _("按最新记录重新生成数据"))
        report = services_summaries.report_build(
            report=report, user=job.requested_by, progress=progress.build_step
        )
    if version is not None:
        version = ReportVersion.objects.get(pk=version.pk)
        content = version.content
    else:
        content = report_content(report)
    if version is not None and job.fmt == "pdf" and version.pdf:
        # Written once, at publishing or by an earlier job: the same bytes are served, never redrawn.
        _done(job.pk, progress)
        return
    progress(RENDER, _("排版 PDF") if job.fmt == "pdf" else _("生成 Word 文档"))
    watermark = "" if version is not None else DRAFT_WATERMARK
    if job.fmt == "docx":
        data = content_docx(content, watermark=watermark)
    else:
        data = content_pdf(content, watermark=watermark)
    progress(STORE, _("保存文件"))
    if version is not None and job.fmt == "pdf":
        services_summaries.version_pdf_store(version=version, pdf=data)
    else:
        name = content_filename(content, fmt=job.fmt, version=version.number if version else None)
        job.file.save(f"report-{job.report_id}-job-{job.pk}.{job.fmt}", ContentFile(data), save=False)
        ReportJob.objects.filter(pk=job.pk).update(file=job.file.name)
        if version is None:
            _drop_older_draft_files(job)
        logger.info("Report job %s: %s written (%s bytes)", job.pk, name, len(data))
    _done(job.pk, progress)


def _drop_older_draft_files(job: ReportJob) -> None:
    """A draft's file is kept until a newer one of the same format replaces it (drafts change)."""
    older = ReportJob.objects.filter(
        report_id=job.report_id, version__isnull=True, fmt=job.fmt, pk__lt=job.pk
    ).exclude(file="")
    for old in older:
        old.file.delete(save=False)
        ReportJob.objects.filter(pk=old.pk).update(file="")


def _done(job_id: int, progress: Progress) -> None:
    ReportJob.objects.filter(pk=job_id).update(
        state=ReportJobState.DONE, progress=100, message=_("已完成"), error="", finished_at=timezone.now()
    )


def queue_report_job(job_id: int, rebuild: bool = False) -> bool:
    """Send the job to a worker (inline without a broker). With the broker down the job fails at once
    with a message saying so (the page offers to try again), instead of waiting in 排队中 for ever."""
    try:
        report_job_run.delay(job_id, rebuild)
    except (KombuError, OSError):
        logger.warning("Report job %s could not be queued (broker unavailable)", job_id, exc_info=True)
        _fail(job_id, _("后台任务服务暂时不可用，未能开始生成，请稍后重试。"))
        return False
    return True


set_job_queue(queue_report_job)
