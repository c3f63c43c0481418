"""Notifications beyond the bell: e-mail through Django's mail backend (locmem here) and group robots
(a local HTTP server on 127.0.0.1 stands in for 钉钉 and 企业微信). Who gets what, the JSON and the
钉钉 signature, failures recorded for the administrator, and nothing sent twice."""

import base64
import hashlib
import hmac
import http.server
import json
import socket
import threading
import urllib.parse

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from accounts.models import ChannelKind, Delivery, DeliveryChannel, DeliveryStatus, Notification
from accounts.services import notification_create
from accounts.tasks import deliver_notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Robot:
    """A stand-in group robot: records each request and answers with the status and body it is given."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.answer = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                parsed = urllib.parse.urlsplit(self.path)
                robot.requests.append(
                    {
                        "path": parsed.path,
                        "query": urllib.parse.parse_qs(parsed.query),
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                payload = json.dumps(robot.answer).encode()
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://aq.example.gov.cn"


def to_unit(unit, key="n1", **extra) -> Notification:
    return notification_create(
        key=key,
        kind="test",
        title="新登记隐患：YH202600001 东城机械厂",
        body="请督促整改。",
        url="/hazards/1/",
        org_unit=unit,
        **extra,
    )


def test_notification_create_is_idempotent_by_key(district):
    first = to_unit(district.township_a)
    again = to_unit(district.township_a)
    assert first.pk == again.pk
    assert Notification.objects.filter(key="n1").count() == 1


def test_dingtalk_robot_gets_the_text_signed(district, robot, django_capture_on_commit_callbacks):
    secret = "SECtest0123456789"
    DeliveryChannel.objects.create(
        org_unit=district.township_a,
        kind=ChannelKind.DINGTALK,
        address=f"{robot.url}/robot/send?access_token=abc",
        secret=secret,
    )
    with django_capture_on_commit_callbacks(execute=True):
        note = to_unit(district.township_a)

    [request] = robot.requests
    assert request["path"] == "/robot/send" and request["query"]["access_token"] == ["abc"]
    assert request["content_type"].startswith("application/json")
    assert request["body"]["msgtype"] == "text"
    content = request["body"]["text"]["content"]
    assert "新登记隐患：YH202600001 东城机械厂" in content and "请督促整改。" in content
    assert "https://aq.example.gov.cn/hazards/1/" in content
    timestamp = request["query"]["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request["query"]["sign"] == [expected]  # parse_qs undid the url-encoding
    delivery = Delivery.objects.get(notification=note)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1 and delivery.sent_at
    assert "abc" not in delivery.target  # the access token is not copied into the record


def test_wecom_robot_gets_plain_json_unsigned(district, robot, django_capture_on_commit_callbacks):
    DeliveryChannel.objects.create(
        org_unit=district.township_a,
        kind=ChannelKind.WECOM,
        address=f"{robot.url}/cgi-bin/webhook/send?key=k1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        to_unit(district.township_a)

    [request] = robot.requests
    assert request["body"] == {"msgtype": "text", "text": {"content": request["body"]["text"]["content"]}}
    assert "timestamp" not in request["query"] and "sign" not in request["query"]


def test_only_the_addressed_units_channels_and_active_ones_are_used(
    district, robot, django_capture_on_commit_callbacks
):
    DeliveryChannel.objects.create(
        org_unit=district.township_b, kind=ChannelKind.WECOM, address=f"{robot.url}/b"
    )
    DeliveryChannel.objects.create(
        org_unit=district.township_a, kind=ChannelKind.WECOM, address=f"{robot.url}/off", active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        to_unit(district.township_a)
    assert robot.requests == []
    assert not Delivery.objects.exists()


def test_unit_email_goes_to_its_users_with_an_address_once_each(
    district, township_a_user, township_b_user, django_capture_on_commit_callbacks
):
    township_a_user.email = "a@example.cn"
    township_a_user.save()
    own = UserFactory(role=Role.TOWNSHIP, org_unit=district.township_a, email="own@example.cn")
    UserFactory(role=Role.TOWNSHIP, org_unit=district.township_a, email="")  # no address: nothing to send
    UserFactory(role=Role.TOWNSHIP, org_unit=district.township_a, email="gone@example.cn", is_active=False)
    township_b_user.email = "b@example.cn"
    township_b_user.save()
    DeliveryChannel.objects.create(org_unit=district.township_a, kind=ChannelKind.EMAIL)
    DeliveryChannel.objects.create(user=own, kind=ChannelKind.EMAIL)  # the user's own channel
    DeliveryChannel.objects.create(org_unit=district.township_b, kind=ChannelKind.EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        note = to_unit(district.township_a)

    sent = sorted((m.to, m.subject) for m in mail.outbox)
    assert sent == [
        (["a@example.cn"], note.title),
        (["own@example.cn"], note.title),
    ]
    assert "https://aq.example.gov.cn/hazards/1/" in mail.outbox[0].body
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_unit_mailbox_gets_it_instead_of_the_users(
    district, township_a_user, django_capture_on_commit_callbacks
):
    township_a_user.email = "a@example.cn"
    township_a_user.save()
    DeliveryChannel.objects.create(
        org_unit=district.township_a, kind=ChannelKind.EMAIL, address="ajb@example.cn"
    )
    with django_capture_on_commit_callbacks(execute=True):
        to_unit(district.township_a)
    assert [m.to for m in mail.outbox] == [["ajb@example.cn"]]


def test_a_role_notification_reaches_the_personal_channels_of_that_role_only(
    officer, township_a_user, district, django_capture_on_commit_callbacks
):
    officer.email, township_a_user.email = "officer@example.cn", "a@example.cn"
    officer.save()
    township_a_user.save()
    DeliveryChannel.objects.create(user=officer, kind=ChannelKind.EMAIL)
    DeliveryChannel.objects.create(user=township_a_user, kind=ChannelKind.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(key="r1", kind="test", title="待复查", role=Role.OFFICER)
    assert [m.to for m in mail.outbox] == [["officer@example.cn"]]


def test_a_robot_answering_500_is_retried_then_recorded_failed(
    district, robot, django_capture_on_commit_callbacks
):
    robot.status = 500
    DeliveryChannel.objects.create(
        org_unit=district.township_a, kind=ChannelKind.WECOM, address=f"{robot.url}/x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        note = to_unit(district.township_a)

    delivery = Delivery.objects.get(notification=note)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4 and len(robot.requests) == 4
    assert "500" in delivery.last_error


def test_a_robot_refusing_the_message_is_recorded_without_retrying(
    district, robot, django_capture_on_commit_callbacks
):
    robot.answer = {"errcode": 310000, "errmsg": "sign not match"}
    DeliveryChannel.objects.create(
        org_unit=district.township_a, kind=ChannelKind.DINGTALK, address=f"{robot.url}/x", secret="SECwrong"
    )
    with django_capture_on_commit_callbacks(execute=True):
        note = to_unit(district.township_a)
    delivery = Delivery.objects.get(notification=note)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "sign not match" in delivery.last_error


def test_a_mail_server_that_is_down_is_recorded_failed(
    settings, district, township_a_user, django_capture_on_commit_callbacks
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    DeliveryChannel.objects.create(
        org_unit=district.township_a, kind=ChannelKind.EMAIL, address="ajb@example.cn"
    )
    with django_capture_on_commit_callbacks(execute=True):
        note = to_unit(district.township_a)
    delivery = Delivery.objects.get(notification=note)
    assert delivery.status == DeliveryStatus.FAILED and "refused" in delivery.last_error.lower()


def test_delivering_again_sends_only_what_has_not_gone(district, robot):
    good = DeliveryChannel.objects.create(
        org_unit=district.township_a, kind=ChannelKind.WECOM, address=f"{robot.url}/ok"
    )
    note = to_unit(district.township_a)  # not committed in this test: the task is run by hand below
    deliver_notification.delay(note.pk)
    deliver_notification.delay(note.pk)
    assert len(robot.requests) == 1
    assert Delivery.objects.get(notification=note, channel=good).attempts == 1


def test_channel_rules(district, township_a_user):
    with pytest.raises(ValidationError):
        DeliveryChannel(
            org_unit=district.township_a, kind=ChannelKind.DINGTALK, address="not a url"
        ).full_clean()
    with pytest.raises(ValidationError):
        DeliveryChannel(org_unit=district.township_a, kind=ChannelKind.EMAIL, address="nobody").full_clean()
    with pytest.raises(ValidationError):
        DeliveryChannel(
            org_unit=district.township_a, user=township_a_user, kind=ChannelKind.EMAIL
        ).full_clean()
    with pytest.raises(ValidationError):
        DeliveryChannel(
            org_unit=district.township_a,
            kind=ChannelKind.WECOM,
            address="https://qyapi.example/x",
            secret="s",
        ).full_clean()
    DeliveryChannel(org_unit=district.township_a, kind=ChannelKind.EMAIL).full_clean()


def test_the_administrator_sees_failed_deliveries_read_only(client, admin_user, district):
    channel = DeliveryChannel.objects.create(
        org_unit=district.township_a, kind=ChannelKind.WECOM, address="http://127.0.0.1:9/x"
    )
    note = to_unit(district.township_a)
    delivery = Delivery.objects.create(
        notification=note,
        channel=channel,
        kind=channel.kind,
        status=DeliveryStatus.FAILED,
        attempts=4,
        last_error="URLError: Connection refused",
    )
    client.force_login(admin_user)
    listing = client.get(reverse("admin:accounts_delivery_changelist") + "?status__exact=failed")
    assert listing.status_code == 200 and "Connection refused" in listing.content.decode()
    assert client.get(reverse("admin:accounts_delivery_add")).status_code == 403
    page = client.get(reverse("admin:accounts_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        client.post(
            reverse("admin:accounts_delivery_delete", args=[delivery.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:accounts_deliverychannel_add")).status_code == 200


def test_staff_who_are_not_administrators_cannot_open_the_channels(client, officer):
    client.force_login(officer)
    response = client.get(reverse("admin:accounts_deliverychannel_changelist"))
    assert response.status_code in (302, 403)
