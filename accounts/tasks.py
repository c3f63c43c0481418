"""Background work of accounts: sending notifications beyond the bell (e-mail, 钉钉/企业微信 robots)."""

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import KombuError

from . import delivery
from .models import DeliveryChannel

logger = logging.getLogger(__name__)


class DeliveryIncomplete(Exception):
    """Some channel failed for a network reason: the task is tried again later (autoretry)."""


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(DeliveryIncomplete,),
    max_retries=3,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    soft_time_limit=120,
    time_limit=180,
)
def deliver_notification(self, notification_id: int) -> int:
    """Send one notification through its unit's and readers' channels; returns how many went.

    Idempotent: a channel already sent is skipped, so a retry sends only what failed. A network fault
    is tried again (up to 3 more times, waiting longer each time; at once when run inline without a
    broker); after the last try the failure stays recorded on the Delivery row for the administrator
    and nothing is raised."""
    outcome = delivery.deliver(notification_id)
    if self.request.is_eager:
        # No broker (the demo, the tests): no worker comes back later, so the retries are made at once.
        for _retry in range(self.max_retries):
            if not outcome.transient:
                break
            outcome = delivery.deliver(notification_id)
        return outcome.sent
    if outcome.transient and self.request.retries < self.max_retries:
        raise DeliveryIncomplete(f"{outcome.transient} channel(s) failed for notification {notification_id}")
    return outcome.sent


def queue_deliveries(notification_ids: list[int]) -> None:
    """After the commit: queue each notification's delivery, when any channel is set up at all. A broker
    that is down loses the sending (logged), never the user's action or the notification in the bell."""
    if not notification_ids or not DeliveryChannel.objects.filter(active=True).exists():
        return
    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except (KombuError, OSError):
            logger.warning("Delivery of notification %s could not be queued", notification_id, exc_info=True)


def queue_deliveries_on_commit(notification_ids: list[int]) -> None:
    transaction.on_commit(lambda: queue_deliveries(notification_ids), robust=True)
