"""The seam between the summaries' writes and their background job.

reports.services_summaries asks for a job (a PDF or .docx of a report, a published version's PDF) and
queues it here after the commit; reports.tasks_summaries, which prints the file and itself calls the
services (a rebuild, storing a version's PDF), plugs its queueing in when it is imported (from
ReportsConfig.ready()). So neither module imports the other and the app has no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

_queue: Callable[[int, bool], bool] | None = None


def set_job_queue(queue: Callable[[int, bool], bool]) -> None:
    """Called by reports.tasks_summaries on import: queue(job_id, rebuild) sends a job to Celery."""
    global _queue
    _queue = queue


def queue_job_on_commit(job_id: int, rebuild: bool = False) -> None:
    """Queue the job once the caller's transaction has committed (robust: a failure to queue, or an
    inline run that fails, never undoes the caller's action)."""
    if _queue is None:
        raise ImproperlyConfigured("reports.tasks_summaries is not imported (ReportsConfig.ready imports it)")
    transaction.on_commit(partial(_queue, job_id, rebuild), robust=True)
