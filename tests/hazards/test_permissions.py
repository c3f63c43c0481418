"""Who may do what to a hazard, and what now: permissions.hazard_allowed_actions per role and state (the
hazard page offers exactly these), the services refusing the rest (403 for the role, stale for the
state), and the hazard part of an inspection record's page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hazards import services
from hazards.choices import ExtensionStatus, HazardLevel, HazardState, ListingLevel
from hazards.permissions import (
    action_require,
    can_act_for_district,
    can_create,
    can_follow,
    can_verify,
    can_verify_any,
    hazard_allowed_actions,
)
from tests.hazards.conftest import HAZARDS, TODAY, api_as, record, to_closed, to_verifying

pytestmark = pytest.mark.django_db

NOTHING = frozenset()


def allowed(user, hazard) -> frozenset[str]:
    hazard.refresh_from_db()  # the services lock and re-read the row; this copy may be behind
    return hazard_allowed_actions(user, hazard)


def listed(hazard, officer):
    return services.listing_create(
        user=officer, hazard=hazard, level=ListingLevel.DISTRICT, listed_on=TODAY(), leader="李", document=""
    )


# ---------------------------------------------------------------- the predicates


def test_predicates_per_role(
    officer, admin_user, township_a_user, township_b_user, department_user, leader, hazard_a
):
    assert can_act_for_district(officer) and can_act_for_district(admin_user)
    assert not any(can_act_for_district(u) for u in (township_a_user, department_user, leader))
    assert can_create(officer) and can_create(township_a_user) and can_create(department_user)
    assert not can_create(leader)
    assert can_follow(officer, hazard_a) and can_follow(township_a_user, hazard_a)
    assert not can_follow(township_b_user, hazard_a) and not can_follow(leader, hazard_a)
    assert can_verify(officer, hazard_a) and not can_verify(township_a_user, hazard_a)
    assert can_verify_any(officer) and can_verify_any(department_user)
    assert not can_verify_any(township_a_user) and not can_verify_any(leader)


# ---------------------------------------------------------------- hazard_allowed_actions, state by state


def test_open_hazard(officer, township_a_user, township_b_user, department_user, leader, hazard_a):
    assert allowed(officer, hazard_a) == {"rectify", "extend", "void", "edit"}
    assert allowed(township_a_user, hazard_a) == {"rectify", "extend", "edit"}
    # Outside the scope (another township, a department of other sectors) and the leader: nothing.
    assert allowed(township_b_user, hazard_a) == NOTHING
    assert allowed(department_user, hazard_a) == NOTHING
    assert allowed(leader, hazard_a) == NOTHING


def test_open_major_hazard_may_be_listed_once(officer, township_a_user, enterprise_a):
    major = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    assert allowed(officer, major) == {"rectify", "extend", "void", "listing", "edit"}
    assert allowed(township_a_user, major) == {"rectify", "extend", "edit"}
    listed(major, officer)
    assert "listing" not in allowed(officer, major)


def test_rectifying_hazard(officer, township_a_user, leader, hazard_a):
    services.rectification_create(user=township_a_user, hazard=hazard_a, text="在改", done_on=TODAY())
    assert allowed(township_a_user, hazard_a) == {"rectify", "submit", "extend", "edit"}
    assert allowed(officer, hazard_a) == {"rectify", "submit", "extend", "void", "edit"}
    assert allowed(leader, hazard_a) == NOTHING


def test_verifying_hazard(
    officer, township_a_user, township_b_user, department_user, leader, hazard_a, hazard_b
):
    to_verifying(hazard_a, township_a_user)
    assert allowed(officer, hazard_a) == {"verify", "extend", "void", "edit"}
    # The township that did the work does not sign it off.
    assert allowed(township_a_user, hazard_a) == {"extend", "edit"}
    assert allowed(leader, hazard_a) == NOTHING
    # The supervising department verifies what a township followed.
    to_verifying(hazard_b, township_b_user)
    assert allowed(department_user, hazard_b) == {"verify", "extend"}
    assert allowed(township_a_user, hazard_b) == NOTHING


def test_pending_extension_is_decided_not_asked_again(officer, township_a_user, hazard_a):
    services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=9),
        reason="缺料",
    )
    assert allowed(officer, hazard_a) == {"rectify", "decide", "void", "edit"}
    assert allowed(township_a_user, hazard_a) == {"rectify", "edit"}
    assert hazard_allowed_actions(officer, hazard_a, pending=True) == hazard_allowed_actions(
        officer, hazard_a
    )


def test_closed_hazard(officer, township_a_user, leader, enterprise_a):
    major = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    plain = to_closed(record(officer, enterprise_a), township_a_user, officer)
    assert allowed(officer, plain) == {"reopen", "void", "edit"}
    assert allowed(township_a_user, plain) == NOTHING
    listed(major, officer)
    to_closed(major, township_a_user, officer)
    assert allowed(officer, major) == {"reopen", "void", "delist", "edit"}
    assert allowed(leader, major) == NOTHING


def test_void_hazard(officer, township_a_user, enterprise_a, hazard_a):
    services.hazard_void(user=officer, hazard=hazard_a, reason="重复录入")
    assert allowed(officer, hazard_a) == NOTHING
    assert allowed(township_a_user, hazard_a) == NOTHING
    # A listed hazard voided as entered in error may still be delisted (the service's rule).
    major = record(officer, enterprise_a, level=HazardLevel.MAJOR)
    listed(major, officer)
    services.hazard_void(user=officer, hazard=major, reason="录错")
    assert allowed(officer, major) == {"delist"}


# ---------------------------------------------------------------- the services refuse the rest


@pytest.mark.parametrize(
    "action",
    ["rectify", "submit", "extend", "verify", "decide", "listing", "delist", "reopen", "void", "edit"],
)
def test_outsider_and_leader_are_refused_every_action(township_b_user, leader, hazard_a, action):
    for user in (township_b_user, leader):
        with pytest.raises(PermissionDenied):
            action_require(user, hazard_a, action)


def test_a_state_that_does_not_allow_the_action_is_stale(officer, hazard_a):
    for action in ("submit", "verify", "reopen", "delist"):
        with pytest.raises(ValidationError) as exc:
            action_require(officer, hazard_a, action)
        assert exc.value.code == "stale_state"
    for action in hazard_allowed_actions(officer, hazard_a):
        action_require(officer, hazard_a, action)  # no refusal


def test_the_hazard_page_offers_exactly_the_allowed_actions(
    client, officer, township_a_user, leader, hazard_a
):
    for user in (officer, township_a_user, leader):
        client.force_login(user)
        response = client.get(reverse("hazards:hazard_detail", args=[hazard_a.pk]))
        assert response.context["allowed"] == hazard_allowed_actions(user, hazard_a)
        # 修改隐患信息 is a page of its own (a link), not a panel with a form.
        assert set(response.context["forms"]) == set(response.context["allowed"]) - {"delist", "edit"}


# ---------------------------------------------------------------- hand-crafted requests


def test_township_cannot_approve_its_own_extension(client, township_a_user, hazard_a):
    extension = services.extension_request(
        user=township_a_user,
        hazard=hazard_a,
        new_deadline=hazard_a.deadline + dt.timedelta(days=9),
        reason="缺料",
    )
    client.force_login(township_a_user)
    url = reverse("hazards:extension_decide", args=[hazard_a.pk, extension.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    api_url = f"{HAZARDS}{hazard_a.pk}/extensions/{extension.pk}/decide/"
    assert api_as(township_a_user).post(api_url, {"approve": True}, format="json").status_code == 403
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


def test_a_department_does_not_verify_the_hazard_it_follows_itself(
    client, officer, department_user, district, enterprise_b
):
    followed = record(officer, enterprise_b, responsible_unit=district.dept_construction)
    to_verifying(followed, department_user)
    with pytest.raises(PermissionDenied):
        services.hazard_verify(user=department_user, hazard=followed, passed=True)
    client.force_login(department_user)
    page = client.get(reverse("hazards:hazard_detail", args=[followed.pk]))
    assert "verify" not in page.context["allowed"]
    assert followed.number not in client.get(reverse("hazards:verification_list")).content.decode()
    post = client.post(reverse("hazards:hazard_verify", args=[followed.pk]), {"decision": "pass"})
    assert post.status_code == 403
    # Followed by the township, the supervising department verifies as before.
    other = to_verifying(record(officer, enterprise_b), officer)
    services.hazard_verify(user=department_user, hazard=other, passed=True)
    followed.refresh_from_db()
    assert followed.state == HazardState.VERIFYING


# ---------------------------------------------------------------- the hazard part of an inspection record's page


def test_record_page_panel_links_the_registered_hazard_for_an_in_scope_user(
    client, officer, township_a_user, leader, inspection
):
    record_url = reverse("inspections:record_detail", args=[inspection["record_a"].pk])
    bad = inspection["bad"]
    client.force_login(township_a_user)
    html = client.get(record_url).content.decode()
    # Not registered yet: the one-click form, and only beside the 不符合 item.
    assert reverse("hazards:from_result", args=[bad.pk]) in html
    assert reverse("hazards:from_result", args=[inspection["good"].pk]) not in html
    hazard = services.hazard_from_check_result(
        user=officer, check_result=bad, deadline=TODAY() + dt.timedelta(days=30)
    )
    html = client.get(record_url).content.decode()
    assert reverse("hazards:hazard_detail", args=[hazard.pk]) in html and hazard.number in html
    assert "已登记隐患" in html and reverse("hazards:from_result", args=[bad.pk]) not in html
    # A voided one is shown as such.
    services.hazard_void(user=officer, hazard=hazard, reason="录错")
    html = client.get(record_url).content.decode()
    assert "已作废" in html and reverse("hazards:hazard_detail", args=[hazard.pk]) in html
    # The leader reads: the link, never the form.
    client.force_login(leader)
    html = client.get(record_url).content.decode()
    assert reverse("hazards:hazard_detail", args=[hazard.pk]) in html
    assert reverse("hazards:from_result", args=[bad.pk]) not in html
