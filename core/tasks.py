"""Background work of the ground layer: running an uploaded ledger import (any registered kind).

The task takes only the job's id: the upload is in storage, the importer is looked up by the job's
kind, so core runs the hazards importer (or any later one) without importing the app.
"""

import logging

from celery import shared_task
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from .imports import ImportResult, RowError, get_importer
from .models import ImportJob

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def run_import_job(job_id: int) -> None:
    """Check and import one uploaded ledger, writing progress to the job as rows are checked and saved."""
    # Claim the job: a redelivered message (acks_late after a lost worker) must not import twice.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.VALIDATING, started=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    progress = _ProgressWriter(job_id)
    try:
        importer = get_importer(job.kind)
        with job.file.open("rb") as upload:
            result = importer.run(user=job.user, file=upload, progress=progress)
    except Exception:
        # The user gets a clear "nothing imported"; the traceback goes to the log for the administrator.
        logger.exception("Import job %s (%s) failed", job_id, job.kind)
        result = ImportResult(errors=[RowError(0, "", _("导入时发生意外错误，未导入任何数据，请联系管理员"))])
    finally:
        progress.close()
    _finish(job_id, result, total=progress.total)


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


def _finish(job_id: int, result: ImportResult, *, total: int) -> None:
    fields = {"finished": timezone.now(), "total": total, "done": total}
    if result.ok:
        fields.update(status=ImportJob.Status.DONE, created_rows=result.created, updated_rows=result.updated)
    else:
        fields.update(
            status=ImportJob.Status.FAILED,
            errors=[{"row": e.row, "column": e.column, "message": str(e.message)} for e in result.errors],
        )
    ImportJob.objects.filter(pk=job_id).update(**fields)
