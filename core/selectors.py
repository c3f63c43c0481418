"""Reads of the ground floor: a user's own import jobs."""

from django.shortcuts import get_object_or_404

from .models import ImportJob


def import_job_get(*, user, pk: int, kind: str | None = None) -> ImportJob:
    """An import job of this user (404 for anyone else's, whatever their role)."""
    jobs = ImportJob.objects.filter(user=user)
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    return get_object_or_404(jobs, pk=pk)
