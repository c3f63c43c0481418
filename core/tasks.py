"""Background work of the ground layer: running an uploaded ledger import (any registered kind), and
getting it through the faults of the services around it.

The task takes only the job's id: the upload is in storage, the importer is looked up by the job's
kind, so core runs the hazards importer (or any later one) without importing the app.

Faults, and what survives them (docs/development.md, "故障"):

- Redis down when a job is to be queued: `queue_import_job` says so (the job becomes 未能排队, the
  file is kept) instead of failing the request; 重新提交 or `recover_import_jobs` queues it again.
- A worker killed mid-import: the import's own transaction dies with it, so nothing was written. The
  message comes back (acks_late, reject on worker lost) or `recover_import_jobs` queues the job again;
  a run may claim a running job only once its heartbeat has stopped for IMPORT_JOB_STALE_SECONDS, and
  a run's result is committed, with the job's state, only if it still holds the job: two copies never
  both write. After IMPORT_JOB_MAX_ATTEMPTS lost runs the job fails as 导入中断.
"""

import datetime as dt
import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from .imports import ImportResult, RowError, get_importer
from .models import ImportJob
from .tallies import tallies_compact

logger = logging.getLogger(__name__)

RUNNING = (ImportJob.Status.VALIDATING, ImportJob.Status.SAVING)


def interrupted_message() -> str:
    return _("导入中断，未导入任何数据，请重新上传")


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def run_import_job(job_id: int) -> None:
    """Check and import one uploaded ledger, writing progress to the job as rows are checked and saved."""
    attempt = _claim(job_id)
    if attempt is None:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    progress = _ProgressWriter(job_id)
    with _Heartbeat(job_id, attempt):
        try:
            # One transaction for the rows and the job's end: a run killed before the commit wrote
            # nothing and left the job running (to be run again); one that committed left it done.
            with transaction.atomic():
                importer = get_importer(job.kind)
                with job.file.open("rb") as upload:
                    result = importer.run(user=job.user, file=upload, progress=progress)
                if not _finish(job_id, attempt, result, total=progress.total):
                    # Our heartbeat stopped long enough for another run to take the job over: its
                    # result stands, ours is thrown away.
                    logger.warning(
                        "Import job %s: taken over by another run; attempt %s discarded", job_id, attempt
                    )
                    transaction.set_rollback(True)
        except Exception:
            # The user gets a clear "nothing imported"; the traceback goes to the log for the administrator.
            logger.exception("Import job %s (%s) failed", job_id, job.kind)
            result = ImportResult(
                errors=[RowError(0, "", _("导入时发生意外错误，未导入任何数据，请联系管理员"))]
            )
            _finish(job_id, attempt, result, total=progress.total)
        finally:
            progress.close()


def queue_import_job(job_id: int) -> bool:
    """Send the job to a worker (inline without a broker). With the broker down or hung (the timeouts in
    settings bound the wait to seconds), the job is marked 未能排队 and kept, and the caller goes on."""
    try:
        run_import_job.delay(job_id)
    except (KombuError, OSError):
        logger.warning(
            "Import job %s could not be queued (broker unavailable); kept as unqueued", job_id, exc_info=True
        )
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.UNQUEUED
        )
        return False
    return True


@shared_task(ignore_result=True)
def recover_import_jobs() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): queue again the jobs Redis refused, the ones whose message was
    lost and the ones whose worker died; fail those that lost their worker too often. Stops at the first
    refusal of the broker (it is down: the rest wait for the next minute). Returns how many were queued."""
    queued = 0
    for job_id in ImportJob.objects.filter(lost_jobs()).order_by("pk").values_list("pk", flat=True)[:200]:
        outcome = recover_import_job(job_id)
        if outcome is False:
            break
        queued += outcome is True
    return queued


def recover_import_job(job_id: int) -> bool | None:
    """One lost job: failed as 导入中断 when out of attempts (None), else queued again (True; False if the
    broker refused it). A job that is not lost (any more) is left alone (None)."""
    now = timezone.now()
    if _fail_if_out_of_attempts(job_id, now):
        return None
    requeued = ImportJob.objects.filter(lost_jobs(now), pk=job_id).update(
        status=ImportJob.Status.PENDING, queued=now
    )
    if not requeued:
        return None
    logger.info("Import job %s: lost (not queued, message lost or worker died); queued again", job_id)
    return queue_import_job(job_id)


def lost_jobs(now: dt.datetime | None = None) -> Q:
    """Jobs nobody will run without help: not queued (Redis refused), queued so long ago that the message
    must be lost, or running with a stopped heartbeat (the worker died)."""
    now = now or timezone.now()
    requeue_before = now - dt.timedelta(seconds=settings.IMPORT_JOB_REQUEUE_SECONDS)
    return (
        Q(status=ImportJob.Status.UNQUEUED)
        | Q(status=ImportJob.Status.PENDING, queued__lt=requeue_before)
        | Q(status=ImportJob.Status.PENDING, queued__isnull=True, created__lt=requeue_before)
        | _stopped(now)
    )


def _stopped(now: dt.datetime) -> Q:
    """Running jobs whose heartbeat stopped: their worker died (or lost the database)."""
    stale_before = now - dt.timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS)
    return Q(status__in=RUNNING) & (
        Q(heartbeat__lt=stale_before) | Q(heartbeat__isnull=True, started__lt=stale_before)
    )


def _claim(job_id: int) -> int | None:
    """Take the job for this run; its attempt number, or None when another run has it or it is over.

    A pending job is free; a running one only once its heartbeat has stopped (a redelivered message
    after its worker died). One conditional UPDATE: of two runs claiming at once, one wins.
    """
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        Q(status=ImportJob.Status.PENDING) | _stopped(now),
        pk=job_id,
        attempts__lt=settings.IMPORT_JOB_MAX_ATTEMPTS,
    ).update(
        status=ImportJob.Status.VALIDATING,
        started=now,
        heartbeat=now,
        attempts=F("attempts") + 1,
        done=0,
        total=0,
    )
    if not claimed:
        _fail_if_out_of_attempts(job_id, now)
        return None
    return ImportJob.objects.values_list("attempts", flat=True).get(pk=job_id)


def _fail_if_out_of_attempts(job_id: int, now: dt.datetime) -> bool:
    """A job that lost its worker IMPORT_JOB_MAX_ATTEMPTS times (a file that kills workers, a worker that
    keeps dying) ends as 导入中断 rather than running for ever."""
    failed = ImportJob.objects.filter(
        _stopped(now), pk=job_id, attempts__gte=settings.IMPORT_JOB_MAX_ATTEMPTS
    ).update(
        status=ImportJob.Status.FAILED,
        finished=now,
        errors=[{"row": 0, "column": "", "message": interrupted_message()}],
    )
    if failed:
        logger.error(
            "Import job %s: its worker was lost %s times; failed as interrupted",
            job_id,
            settings.IMPORT_JOB_MAX_ATTEMPTS,
        )
    return bool(failed)


class _Heartbeat:
    """Writes the job's heartbeat every IMPORT_JOB_HEARTBEAT_SECONDS from a thread of its own (with its
    own database connection) while the import runs, however long a single step takes: a job whose
    heartbeat stopped lost its worker."""

    def __init__(self, job_id: int, attempt: int) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"import-job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> "_Heartbeat":
        if connection.vendor != "sqlite":  # the SQLite demo has one writer at a time and one process
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.IMPORT_JOB_HEARTBEAT_SECONDS):
                try:
                    ImportJob.objects.filter(
                        pk=self.job_id, attempts=self.attempt, status__in=RUNNING
                    ).update(heartbeat=timezone.now())
                except DatabaseError:
                    logger.warning("Import job %s: heartbeat not written", self.job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection


class _ProgressWriter:
    """Writes each progress step to the job row where the polling page can see it at once.

    Rows are checked outside any transaction, so those steps are plain updates. Rows are saved inside
    the import's transaction, where an update would stay invisible until the end: those steps go
    through a second connection of their own, committed at once.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.total = 0
        self._side = None
        self._failed = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.total = total
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(status=stage, done=done, total=total)
            return
        if connection.vendor == "sqlite" or self._failed:
            return  # one writer at a time: a second connection would wait for the import to end
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = connection.ops.quote_name(ImportJob._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET status = %s, done = %s, total = %s WHERE id = %s",
                    [stage, done, total, self.job_id],
                )
        except DatabaseError:
            # The bar may stand still; the import itself must not fail over it.
            logger.warning("Import job %s: progress not written", self.job_id, exc_info=True)
            self._failed = True

    def close(self) -> None:
        if self._side is not None:
            self._side.close()


def _finish(job_id: int, attempt: int, result: ImportResult, *, total: int) -> bool:
    """Write the job's end, if this run still holds the job (its attempt); False when it does not."""
    fields = {"finished": timezone.now(), "total": total, "done": total}
    if result.ok:
        fields.update(status=ImportJob.Status.DONE, created_rows=result.created, updated_rows=result.updated)
    else:
        fields.update(
            status=ImportJob.Status.FAILED,
            errors=[{"row": e.row, "column": e.column, "message": str(e.message)} for e in result.errors],
            errors_hidden=result.errors_hidden,
        )
    return bool(ImportJob.objects.filter(pk=job_id, attempts=attempt, status__in=RUNNING).update(**fields))


@shared_task(ignore_result=True)
def compact_row_tallies() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): fold the day's tally rows of each tallied table into one (core.tallies),
    so reading a count stays a sum over a handful of rows."""
    return tallies_compact()
