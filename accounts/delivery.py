"""推送: a notification sent beyond the bell, by e-mail and to 钉钉/企业微信 group robots.

Who gets it is who sees it in the bell (the addressed unit, role or user): the addressed unit's
channels and the personal channels of the active users who read it. Each (notification, channel)
has one `Delivery` row that records every try, so running the delivery again sends only what has
not gone yet. Called by accounts.tasks.deliver_notification, never inside a user's request.
"""

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from .models import ChannelKind, Delivery, DeliveryChannel, DeliveryStatus, Notification, User

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
# Network and mail-server faults: worth another try later. Anything else (a robot answering errcode,
# no address to send to) will not mend by waiting.
TRANSIENT = (OSError, smtplib.SMTPException)


class DeliveryRefused(Exception):
    """The other side answered and said no (a robot's errcode, nobody to mail): not retried."""


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    transient: int = 0  # failures worth retrying


def readers(notification: Notification):
    """Active users who see the notification in their bell (the inverse of selectors.notifications_for)."""
    addressed = Q(pk=notification.user_id) if notification.user_id else Q(pk__in=[])
    if notification.org_unit_id:
        addressed |= Q(org_unit_id=notification.org_unit_id)
    if notification.role:
        addressed |= Q(role=notification.role)
    return User.objects.filter(addressed, is_active=True)


def channels_for(notification: Notification) -> list[DeliveryChannel]:
    """The active channels a notification goes through: its unit's and its readers' own."""
    addressed = Q(user__in=readers(notification))
    if notification.org_unit_id:
        addressed |= Q(org_unit_id=notification.org_unit_id)
    return list(
        DeliveryChannel.objects.filter(addressed, active=True)
        .select_related("org_unit", "user")
        .order_by("pk")
    )


def message_text(notification: Notification) -> str:
    link = notification.url
    if link.startswith("/") and settings.SITE_URL:
        link = settings.SITE_URL.rstrip("/") + link
    return "\n".join(part for part in (notification.title, notification.body, link) if part)


def email_recipients(channel: DeliveryChannel) -> list[str]:
    """A channel's address; left blank, the user's own e-mail, or for a unit every active user of it with
    an e-mail who has no e-mail channel of their own (they get it there, not twice)."""
    if channel.address.strip():
        return [channel.address.strip()]
    if channel.user_id:
        return [channel.user.email] if channel.user.email else []
    own = DeliveryChannel.objects.filter(kind=ChannelKind.EMAIL, active=True, user__isnull=False)
    users = (
        User.objects.filter(org_unit_id=channel.org_unit_id, is_active=True)
        .exclude(email="")
        .exclude(pk__in=own.values("user_id"))
        .order_by("pk")
    )
    return list(users.values_list("email", flat=True))


def dingtalk_signed(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """钉钉加签: timestamp (ms) and base64(HMAC-SHA256(secret, "timestamp\\nsecret")), url-encoded."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def post_robot(url: str, text: str) -> None:
    """POST a text message to a 钉钉 or 企业微信 robot (the same JSON for both); errcode 0 is success."""
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (admin-set URL)
        answer = response.read(65536)
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        return  # not JSON: a 2xx from a relay we cannot read further
    if errcode not in (0, "0", None):
        raise DeliveryRefused(answer.decode(errors="replace")[:500])


def send(channel: DeliveryChannel, notification: Notification) -> str:
    """Send through one channel; returns where it went. Raises on failure."""
    text = message_text(notification)
    if channel.kind == ChannelKind.EMAIL:
        to = email_recipients(channel)
        if not to:
            raise DeliveryRefused("没有可发送的邮箱地址")
        EmailMessage(subject=notification.title, body=text, to=to).send()
        return ", ".join(to)[:500]
    url = channel.address.strip()
    if channel.kind == ChannelKind.DINGTALK and channel.secret:
        url = dingtalk_signed(url, channel.secret)
    post_robot(url, text)
    return channel.address.split("?")[0][:500]  # the host and path, not the access token


def deliver(notification_id: int) -> Outcome:
    """Send a notification through each of its channels not yet sent, recording each try."""
    outcome = Outcome()
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return outcome
    for channel in channels_for(notification):
        delivery, _created = Delivery.objects.get_or_create(
            notification=notification, channel=channel, defaults={"kind": channel.kind}
        )
        if delivery.status == DeliveryStatus.SENT:
            continue
        delivery.attempts += 1
        try:
            delivery.target = send(channel, notification)
        except Exception as exc:  # a channel's fault is recorded, never raised into anyone's action
            delivery.status = DeliveryStatus.FAILED
            delivery.target = delivery.target or channel.address.split("?")[0][:500]
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            outcome.failed += 1
            outcome.transient += isinstance(exc, TRANSIENT)
            logger.warning("Notification %s via channel %s failed: %s", notification.pk, channel.pk, exc)
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
            outcome.sent += 1
        delivery.save()
    return outcome
