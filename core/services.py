"""Writes of the ground floor: starting a background import job, resubmitting one Redis refused, and
ending the wait on one whose worker died."""

import os
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import STALE_STATE
from .imports import get_importer
from .models import ImportJob
from .tasks import RUNNING, lost_jobs, queue_import_job, recover_import_job


@transaction.atomic
def import_job_start(*, user, kind: str, upload) -> ImportJob:
    """Store an uploaded ledger and queue its import; the task runs after commit, so it finds the job.

    Without a broker (CELERY_TASK_ALWAYS_EAGER) the import runs inline when this transaction commits.
    """
    importer = get_importer(kind)  # an unknown kind fails here, in the request, not later in the worker
    if not importer.allowed(user):
        raise PermissionDenied(_("您没有导入权限。"))
    name = os.path.basename(upload.name or "")[-255:]
    job = ImportJob(kind=kind, user=user, filename=name, queued=timezone.now())
    job.file.save(name or "ledger.xlsx", upload, save=False)
    job.save()
    # After the commit, a broker that is down must not turn the upload into an error: queue_import_job
    # marks the job 未能排队 and the job page says so (the file is kept).
    transaction.on_commit(partial(queue_import_job, job.pk))
    return job


@transaction.atomic
def import_job_requeue(*, user, job: ImportJob) -> ImportJob:
    """重新提交: queue again a job that could not be queued (Redis was down). Only its own user; only
    while it is 未能排队 (a job already queued or finished is refused as moved on)."""
    if job.user_id != user.pk:
        raise PermissionDenied(_("只能重新提交自己的导入任务。"))
    requeued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UNQUEUED).update(
        status=ImportJob.Status.PENDING, queued=timezone.now()
    )
    if not requeued:
        raise ValidationError(_("该导入任务已在排队或已结束，无需重新提交。"), code=STALE_STATE)
    transaction.on_commit(partial(queue_import_job, job.pk))
    job.refresh_from_db()
    return job


def import_job_check(*, job: ImportJob) -> ImportJob:
    """When the job page looks at a running job whose worker died (its heartbeat stopped), act at once
    rather than wait for the every-minute recovery: run it again, or fail it as 导入中断 when it has lost
    its worker too often. Any other job is returned as it is, without a query."""
    if job.status not in RUNNING:
        return job
    if not ImportJob.objects.filter(lost_jobs(), pk=job.pk).exists():
        return job
    recover_import_job(job.pk)
    job.refresh_from_db()
    return job
