"""Everyone told when the ball is in their court: who finds each hazard notification in the bell, who
does not, and that a robot that fails never fails the action that told it."""

import datetime as dt
import socket

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import selectors
from accounts.models import ChannelKind, Delivery, DeliveryChannel, DeliveryStatus, Notification
from hazards import services
from hazards.choices import HazardLevel, HazardState
from hazards.models import Hazard

from .conftest import TODAY, record, to_verifying

pytestmark = pytest.mark.django_db


def told(user, kind: str) -> list[Notification]:
    return list(selectors.notifications_for(user=user).filter(kind=kind))


@pytest.fixture
def hazard_b_supervised(officer, enterprise_b, district) -> Hazard:
    """A hazard of the construction firm in township B, supervised by 区住建局 (the department user)."""
    enterprise_b.supervising_department = district.dept_construction
    enterprise_b.save()
    return record(officer, enterprise_b)


def test_registering_tells_the_responsible_unit_only(
    officer, enterprise_a, township_a_user, township_b_user, department_user
):
    hazard = record(officer, enterprise_a, level=HazardLevel.MAJOR)

    [note] = told(township_a_user, "hazard_registered")
    assert note.title == f"【重大】新登记隐患：{hazard.number} {enterprise_a.name}"
    assert (
        "配电箱未接地" in note.body and hazard.deadline.isoformat() in note.body and "申请复查" in note.body
    )
    assert note.url == reverse("hazards:hazard_detail", args=[hazard.pk])
    assert told(township_b_user, "hazard_registered") == []
    assert told(department_user, "hazard_registered") == []
    assert told(officer, "hazard_registered") == []


def test_a_hazard_from_a_check_result_tells_the_township(
    officer, inspection, township_a_user, township_b_user
):
    services.hazard_from_check_result(
        user=officer, check_result=inspection["bad"], deadline=TODAY() + dt.timedelta(days=10)
    )
    assert len(told(township_a_user, "hazard_registered")) == 1
    assert told(township_b_user, "hazard_registered") == []


def test_submission_tells_the_district_office_not_the_township_that_asked(
    hazard_a, officer, township_a_user, township_b_user, department_user
):
    to_verifying(hazard_a, township_a_user)

    [note] = told(officer, "hazard_submitted")
    assert note.title.startswith("待复查：") and "东城街道" in note.body and "复查" in note.body
    assert note.url == reverse("hazards:hazard_detail", args=[hazard_a.pk])
    assert told(township_a_user, "hazard_submitted") == []
    assert told(township_b_user, "hazard_submitted") == []
    assert told(department_user, "hazard_submitted") == []  # 区住建局 does not supervise a machinery firm


def test_submission_also_tells_the_supervising_department(
    hazard_b_supervised, officer, township_a_user, township_b_user, department_user
):
    to_verifying(hazard_b_supervised, township_b_user)

    assert len(told(department_user, "hazard_submitted")) == 1
    assert len(told(officer, "hazard_submitted")) == 1
    assert told(township_b_user, "hazard_submitted") == []
    assert told(township_a_user, "hazard_submitted") == []


def test_failed_verification_returns_it_to_the_township_with_the_reason(
    hazard_a, officer, township_a_user, township_b_user
):
    to_verifying(hazard_a, township_a_user)
    services.hazard_verify(user=officer, hazard=hazard_a, passed=False, note="防护罩仍未安装")

    [note] = told(township_a_user, "hazard_returned")
    assert (
        note.title.startswith("复查未通过：")
        and "防护罩仍未安装" in note.body
        and "再次申请复查" in note.body
    )
    assert told(township_b_user, "hazard_returned") == []
    assert told(officer, "hazard_returned") == []

    # Rectified and submitted again: the verifiers are told again (a new submission is news).
    services.hazard_submit(user=township_a_user, hazard=hazard_a)
    assert len(told(officer, "hazard_submitted")) == 2


def test_closing_tells_the_township(hazard_a, officer, township_a_user, township_b_user):
    to_verifying(hazard_a, township_a_user)
    services.hazard_verify(user=officer, hazard=hazard_a, passed=True)

    [note] = told(township_a_user, "hazard_closed")
    assert note.title.startswith("隐患已销号：") and TODAY().isoformat() in note.body
    assert told(township_b_user, "hazard_closed") == []
    assert told(officer, "hazard_closed") == []


@pytest.mark.parametrize("approve", [True, False])
def test_an_extension_decision_tells_the_unit_that_asked(
    hazard_a, officer, township_a_user, township_b_user, approve
):
    later = hazard_a.deadline + dt.timedelta(days=15)
    extension = services.extension_request(
        user=township_a_user, hazard=hazard_a, new_deadline=later, reason="设备未到货"
    )
    services.extension_decide(
        user=officer, extension=extension, approve=approve, note="" if approve else "理由不足"
    )

    [note] = told(township_a_user, "extension_decided")
    if approve:
        assert note.title.startswith("延期申请已批准：") and later.isoformat() in note.body
    else:
        assert note.title.startswith("延期申请被驳回：") and "理由不足" in note.body
    assert told(township_b_user, "extension_decided") == []


def test_a_refused_action_tells_nobody(hazard_a, officer, township_a_user):
    to_verifying(hazard_a, township_a_user)
    with pytest.raises(ValidationError):
        services.hazard_verify(user=officer, hazard=hazard_a, passed=False, note="")  # a reason is required
    assert not Notification.objects.filter(kind__in=["hazard_returned", "hazard_closed"]).exists()


def test_overdue_still_notifies_once_through_the_same_function(officer, enterprise_a, township_a_user):
    hazard = record(officer, enterprise_a, days=1, found_days_ago=10)  # recorded already overdue
    assert hazard.is_overdue
    assert len(told(township_a_user, "hazard_overdue")) == 1
    services.hazards_mark_overdue()
    assert len(told(township_a_user, "hazard_overdue")) == 1


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_robot_that_cannot_be_reached_fails_no_action(
    officer, enterprise_a, township_a_user, district, django_capture_on_commit_callbacks
):
    DeliveryChannel.objects.create(
        org_unit=district.township_a,
        kind=ChannelKind.WECOM,
        address=f"http://127.0.0.1:{closed_port()}/robot",
    )
    with django_capture_on_commit_callbacks(execute=True):
        hazard = record(officer, enterprise_a)

    assert Hazard.objects.get(pk=hazard.pk).state == HazardState.OPEN
    [note] = told(township_a_user, "hazard_registered")
    [delivery] = Delivery.objects.filter(notification=note)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4  # the first try and three retries
    assert "refused" in delivery.last_error.lower()


def test_the_rectify_and_submit_page_answers_normally_when_the_robot_fails(
    client, hazard_a, township_a_user, officer, district, django_capture_on_commit_callbacks
):
    DeliveryChannel.objects.create(
        user=officer, kind=ChannelKind.WECOM, address=f"http://127.0.0.1:{closed_port()}/robot"
    )
    services.rectification_create(user=township_a_user, hazard=hazard_a, text="已安装防护罩", done_on=TODAY())
    client.force_login(township_a_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hazards:hazard_submit", args=[hazard_a.pk]), {"note": ""})

    assert response.status_code == 302
    assert Hazard.objects.get(pk=hazard_a.pk).state == HazardState.VERIFYING
    delivery = Delivery.objects.get(notification__kind="hazard_submitted")
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error
