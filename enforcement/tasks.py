"""Background work of the enforcement app (Celery; inline when no broker is configured)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def flag_case_deadlines() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE, 01:10 Asia/Shanghai): flag general-procedure cases within 10 days of
    their 90-day limit or past it and tell their officers. Safe to run again: it adds nothing."""
    return services.cases_flag_deadlines()
