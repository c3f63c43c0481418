"""Writes of the ground floor: starting a background import job."""

import os

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .imports import get_importer
from .models import ImportJob
from .tasks import run_import_job


@transaction.atomic
def import_job_start(*, user, kind: str, upload) -> ImportJob:
    """Store an uploaded ledger and queue its import; the task runs after commit, so it finds the job.

    Without a broker (CELERY_TASK_ALWAYS_EAGER) the import runs inline when this transaction commits.
    """
    importer = get_importer(kind)  # an unknown kind fails here, in the request, not later in the worker
    if not importer.allowed(user):
        raise PermissionDenied(_("您没有导入权限。"))
    name = os.path.basename(upload.name or "")[-255:]
    job = ImportJob(kind=kind, user=user, filename=name)
    job.file.save(name or "ledger.xlsx", upload, save=False)
    job.save()
    transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job
