"""Background work of the hazard ledger (Celery; inline when no broker is configured)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def mark_overdue_hazards() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE, 01:00 Asia/Shanghai): flag hazards past their deadline and notify
    the responsible unit, and the district office for major ones. Safe to run again: it adds nothing."""
    return services.hazards_mark_overdue()
