"""The closed loop, role by role; the overdue sweep; the figures. (The race between two people acting
at once: tests/races/test_transitions.py.)"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification
from accounts.scoping import restrict
from hazards import selectors, services
from hazards.choices import EventKind, HazardLevel, HazardState, ListingLevel
from hazards.filtersets import HazardFilterSet
from hazards.models import Hazard
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.services import ResultData, VisitData, action_create
from tests.hazards.conftest import (
    HAZARDS,
    TODAY,
    api_as,
    hazard_data,
    payload,
    png,
    record,
    to_closed,
    to_verifying,
)


def states(hazard) -> list[tuple[str, str]]:
    return list(hazard.events.filter(kind=EventKind.TRANSITION).values_list("from_state", "to_state"))


# ---------------------------------------------------------------- recording


@pytest.mark.django_db
def test_recording_numbers_places_and_logs(officer, enterprise_a, district):
    first = services.hazard_create(user=officer, data=hazard_data(enterprise_a))
    second = services.hazard_create(user=officer, data=hazard_data(enterprise_a))
    year = first.found_on.year
    assert first.number == f"YH{year}00001" and second.number == f"YH{year}00002"
    assert first.township == district.township_a
    assert first.jurisdiction == district.community_a
    assert set(first.sectors.values_list("code", flat=True)) == {"machinery"}
    assert first.state == HazardState.OPEN
    assert first.events.get().kind == EventKind.CREATED


@pytest.mark.django_db
def test_major_hazard_requires_the_five_implementations(officer, enterprise_a):
    data = hazard_data(enterprise_a, level=HazardLevel.MAJOR, funds=None, contingency_plan="")
    with pytest.raises(ValidationError) as exc:
        services.hazard_create(user=officer, data=data)
    assert {"funds", "contingency_plan"} <= set(exc.value.message_dict)
    assert not Hazard.objects.exists()


@pytest.mark.django_db
def test_township_cannot_record_a_hazard_outside_its_scope(township_a_user, enterprise_b):
    with pytest.raises(ValidationError) as exc:
        services.hazard_create(user=township_a_user, data=hazard_data(enterprise_b))
    assert "enterprise" in exc.value.message_dict


@pytest.mark.django_db
def test_leader_cannot_record(leader, enterprise_a):
    with pytest.raises(PermissionDenied):
        services.hazard_create(user=leader, data=hazard_data(enterprise_a))


@pytest.mark.django_db
def test_noncompliant_item_becomes_a_hazard_in_one_step(officer, enterprise_a, district):

    item = CheckItem.objects.create(sector=enterprise_a.sectors.get(), code="JX-01", title="防护罩缺失")
    action = action_create(
        user=officer,
        date=TODAY(),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),  # 督导检查: no 执法证 rule
        members=[officer],
        enterprises=[enterprise_a],
        visits={
            enterprise_a.pk: VisitData(
                results=[ResultData(item.pk, CheckResultValue.NONCOMPLIANT, "冲床无防护罩")]
            )
        },
    )
    result = action.records.get().results.get()
    hazard = services.hazard_from_check_result(
        user=officer, check_result=result, deadline=TODAY() + dt.timedelta(days=15)
    )
    assert hazard.inspection_record == result.record and hazard.check_result == result
    assert "冲床无防护罩" in hazard.description
    assert hazard.responsible_unit == district.township_a
    with pytest.raises(ValidationError):
        services.hazard_from_check_result(user=officer, check_result=result, deadline=TODAY())


# ---------------------------------------------------------------- the loop, role by role


@pytest.mark.django_db
def test_whole_loop_township_rectifies_officer_verifies(hazard_a, township_a_user, officer):
    entry = services.rectification_create(
        user=township_a_user, hazard=hazard_a, text="已整改", done_on=TODAY(), photos_after=[png()]
    )
    assert entry.photos.get().stage == "after"
    services.hazard_submit(user=township_a_user, hazard=hazard_a)
    services.hazard_verify(user=officer, hazard=hazard_a, passed=True)
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.CLOSED and hazard_a.closed_on == TODAY()
    assert states(hazard_a) == [
        (HazardState.OPEN, HazardState.RECTIFYING),
        (HazardState.RECTIFYING, HazardState.VERIFYING),
        (HazardState.VERIFYING, HazardState.CLOSED),
    ]
    assert set(hazard_a.events.values_list("user__username", flat=True)) == {"officer", "township_a"}


@pytest.mark.django_db
def test_township_cannot_verify_its_own_rectification(hazard_a, township_a_user):
    to_verifying(hazard_a, township_a_user)
    with pytest.raises(PermissionDenied):
        services.hazard_verify(user=township_a_user, hazard=hazard_a, passed=True)


@pytest.mark.django_db
def test_supervising_department_may_verify_in_its_sectors_only(
    officer, enterprise_b, hazard_a, department_user
):
    hazard_b = services.hazard_create(user=officer, data=hazard_data(enterprise_b))
    to_verifying(hazard_b, officer)
    to_verifying(hazard_a, officer)
    services.hazard_verify(user=department_user, hazard=hazard_b, passed=True)  # construction: its sector
    with pytest.raises(PermissionDenied):
        services.hazard_verify(user=department_user, hazard=hazard_a, passed=True)  # machinery: not its


@pytest.mark.django_db
def test_failed_verification_needs_a_reason_and_returns_to_rectifying(hazard_a, officer):
    to_verifying(hazard_a, officer)
    with pytest.raises(ValidationError):
        services.hazard_verify(user=officer, hazard=hazard_a, passed=False, note=" ")
    services.hazard_verify(user=officer, hazard=hazard_a, passed=False, note="接地电阻不合格")
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.RECTIFYING
    assert hazard_a.events.last().note == "接地电阻不合格"


@pytest.mark.django_db
def test_submit_needs_a_rectification_entry(hazard_a, officer):
    with pytest.raises(ValidationError):
        services.hazard_submit(user=officer, hazard=hazard_a)  # still 待整改


@pytest.mark.django_db
def test_reopen_is_for_the_district_office_with_a_reason(hazard_a, officer, township_a_user, department_user):
    to_verifying(hazard_a, officer)
    services.hazard_verify(user=officer, hazard=hazard_a, passed=True)
    for user in (township_a_user, department_user):
        with pytest.raises(PermissionDenied):
            services.hazard_reopen(user=user, hazard=hazard_a, reason="复发")
    with pytest.raises(ValidationError):
        services.hazard_reopen(user=officer, hazard=hazard_a, reason="")
    services.hazard_reopen(user=officer, hazard=hazard_a, reason="回头看发现复发")
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.RECTIFYING and hazard_a.closed_on is None


@pytest.mark.django_db
def test_void_is_district_only_needs_reason_and_keeps_the_record(
    hazard_a, officer, township_a_user, admin_user
):
    with pytest.raises(PermissionDenied):
        services.hazard_void(user=township_a_user, hazard=hazard_a, reason="录错")
    with pytest.raises(ValidationError):
        services.hazard_void(user=officer, hazard=hazard_a, reason="")
    services.hazard_void(user=admin_user, hazard=hazard_a, reason="重复录入")
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.VOID
    with pytest.raises(ValidationError):
        services.hazard_void(user=officer, hazard=hazard_a, reason="again")
    with pytest.raises(ValidationError):
        services.rectification_create(user=officer, hazard=hazard_a, text="x", done_on=TODAY())


@pytest.mark.django_db
def test_leader_can_do_nothing(hazard_a, leader):
    for call in (
        lambda: services.rectification_create(user=leader, hazard=hazard_a, text="x", done_on=TODAY()),
        lambda: services.hazard_void(user=leader, hazard=hazard_a, reason="x"),
        lambda: services.extension_request(
            user=leader, hazard=hazard_a, new_deadline=hazard_a.deadline + dt.timedelta(days=9), reason="x"
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


@pytest.mark.django_db
def test_township_b_cannot_act_on_township_a_hazard(hazard_a, township_b_user):
    with pytest.raises(PermissionDenied):
        services.rectification_create(user=township_b_user, hazard=hazard_a, text="x", done_on=TODAY())
    assert not selectors.hazard_list(user=township_b_user).filter(pk=hazard_a.pk).exists()


@pytest.mark.django_db
def test_photos_are_checked_by_content(hazard_a, township_a_user):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.rectification_create(
            user=township_a_user, hazard=hazard_a, text="x", done_on=TODAY(), photos_after=[fake]
        )
    assert "不是有效的图片" in str(exc.value)
    hazard_a.refresh_from_db()
    assert hazard_a.state == HazardState.OPEN and not hazard_a.rectifications.exists()


# ---------------------------------------------------------------- extensions and listing


@pytest.mark.django_db
def test_extension_requested_then_approved_moves_the_deadline(hazard_a, township_a_user, officer):
    new = hazard_a.deadline + dt.timedelta(days=20)
    with pytest.raises(ValidationError):
        services.extension_request(user=township_a_user, hazard=hazard_a, new_deadline=new, reason="")
    ext = services.extension_request(
        user=township_a_user, hazard=hazard_a, new_deadline=new, reason="设备到货晚"
    )
    with pytest.raises(ValidationError):  # one pending request at a time
        services.extension_request(user=township_a_user, hazard=hazard_a, new_deadline=new, reason="再延")
    with pytest.raises(PermissionDenied):
        services.extension_decide(user=township_a_user, extension=ext, approve=True)
    services.extension_decide(user=officer, extension=ext, approve=True)
    hazard_a.refresh_from_db()
    assert hazard_a.deadline == new
    with pytest.raises(ValidationError):
        services.extension_decide(user=officer, extension=ext, approve=False, note="迟了")


@pytest.mark.django_db
def test_refused_extension_needs_a_note_and_keeps_the_deadline(hazard_a, township_a_user, officer):
    old = hazard_a.deadline
    ext = services.extension_request(
        user=township_a_user, hazard=hazard_a, new_deadline=old + dt.timedelta(days=5), reason="人手不足"
    )
    with pytest.raises(ValidationError):
        services.extension_decide(user=officer, extension=ext, approve=False)
    services.extension_decide(user=officer, extension=ext, approve=False, note="理由不充分")
    hazard_a.refresh_from_db()
    assert hazard_a.deadline == old


@pytest.mark.django_db
def test_listing_is_for_major_hazards_and_delisting_only_after_closing(officer, enterprise_a, hazard_a):
    major = services.hazard_create(user=officer, data=hazard_data(enterprise_a, level=HazardLevel.MAJOR))
    listing = {
        "level": ListingLevel.CITY,
        "listed_on": TODAY(),
        "leader": "李副区长",
        "document": "清安办〔2026〕3号",
    }
    with pytest.raises(ValidationError):
        services.listing_create(user=officer, hazard=hazard_a, **listing)  # 一般隐患
    services.listing_create(user=officer, hazard=major, **listing)
    with pytest.raises(ValidationError):
        services.listing_end(user=officer, hazard=major)  # not closed yet
    to_verifying(major, officer)
    services.hazard_verify(user=officer, hazard=major, passed=True)
    services.listing_end(user=officer, hazard=major)
    major.refresh_from_db()
    assert major.delisted_on == TODAY() and not major.is_listed


# ---------------------------------------------------------------- overdue sweep


@pytest.mark.django_db
def test_overdue_sweep_is_idempotent_and_notifies(officer, enterprise_a, district):
    late = services.hazard_create(user=officer, data=hazard_data(enterprise_a, found_days_ago=40, days=10))
    major = services.hazard_create(
        user=officer, data=hazard_data(enterprise_a, level=HazardLevel.MAJOR, found_days_ago=40, days=10)
    )
    services.hazard_create(user=officer, data=hazard_data(enterprise_a))  # not due yet
    Hazard.objects.update(is_overdue=False, overdue_since=None)  # as if recorded before the deadline

    assert services.hazards_mark_overdue() == 2
    snapshot = (
        list(Hazard.objects.order_by("pk").values_list("is_overdue", "overdue_since", "updated")),
        Notification.objects.count(),
        Hazard.objects.get(pk=late.pk).events.count(),
    )
    assert services.hazards_mark_overdue() == 0
    assert snapshot == (
        list(Hazard.objects.order_by("pk").values_list("is_overdue", "overdue_since", "updated")),
        Notification.objects.count(),
        Hazard.objects.get(pk=late.pk).events.count(),
    )
    overdue = Notification.objects.filter(kind="hazard_overdue")
    assert overdue.filter(org_unit=district.township_a).count() == 2
    assert overdue.filter(role="officer").get().url.endswith(f"/{major.pk}/")


# ---------------------------------------------------------------- figures


@pytest.mark.django_db
def test_rate_with_nothing_found_is_none_not_100(officer):
    figures = selectors.hazard_figures(Hazard.objects.all())
    assert figures["found"] == 0 and figures["rate"] is None


@pytest.mark.django_db
def test_figures_in_one_query(officer, enterprise_a, django_assert_num_queries):
    hazards = [services.hazard_create(user=officer, data=hazard_data(enterprise_a)) for _ in range(3)]
    to_verifying(hazards[0], officer)
    services.hazard_verify(user=officer, hazard=hazards[0], passed=True)
    services.hazard_void(user=officer, hazard=hazards[2], reason="重复")
    with django_assert_num_queries(1):
        figures = selectors.hazard_figures(Hazard.objects.all())
    assert (figures["found"], figures["rectified"], str(figures["rate"])) == (2, 1, "50.0")


@pytest.mark.django_db
def test_rate_has_one_decimal(officer, enterprise_a):
    assert str(selectors.rectification_rate(3832, 3730)) == "97.3"
    assert str(selectors.rectification_rate(3, 2)) == "66.7"


@pytest.mark.django_db
def test_follow_list_puts_overdue_first_then_due_soon(officer, township_a_user, enterprise_a):
    later = services.hazard_create(user=officer, data=hazard_data(enterprise_a, found_days_ago=1, days=20))
    soon = services.hazard_create(user=officer, data=hazard_data(enterprise_a, found_days_ago=1, days=3))
    late = services.hazard_create(user=officer, data=hazard_data(enterprise_a, found_days_ago=30, days=5))
    assert list(selectors.hazards_to_follow(user=township_a_user)) == [late, soon, later]


@pytest.mark.django_db
def test_hazards_found_on_leader_led_inspections(officer, enterprise_a, district, township_b_user):

    item = CheckItem.objects.create(sector=enterprise_a.sectors.get(), code="JX-02", title="安全通道堵塞")
    kind = InspectionKind.objects.get(code="supervision")
    for leader_led in (True, False):
        action = action_create(
            user=officer,
            date=TODAY(),
            organizer=district.dept_emergency,
            kind=kind,
            members=[officer],
            enterprises=[enterprise_a],
            is_leader_led=leader_led,
            leader_name="陈区长" if leader_led else "",
            visits={enterprise_a.pk: VisitData(results=[ResultData(item.pk, CheckResultValue.NONCOMPLIANT)])},
        )
        services.hazard_from_check_result(
            user=officer, check_result=action.records.get().results.get(), deadline=TODAY()
        )
    services.hazard_create(user=officer, data=hazard_data(enterprise_a))  # not from an inspection
    year = dt.date(TODAY().year, 1, 1), dt.date(TODAY().year, 12, 31)
    figures = selectors.hazards_found_on_leader_led(user=officer, start=year[0], end=year[1])
    assert figures == {"found": 1, "rectified": 0}
    outsider = selectors.hazards_found_on_leader_led(user=township_b_user, start=year[0], end=year[1])
    assert outsider["found"] == 0


@pytest.mark.django_db
def test_closing_ends_a_pending_extension_and_a_voided_listed_hazard_can_be_delisted(
    officer, enterprise_a, township_a_user
):
    major = services.hazard_create(user=officer, data=hazard_data(enterprise_a, level=HazardLevel.MAJOR))
    ext = services.extension_request(
        user=township_a_user,
        hazard=major,
        new_deadline=major.deadline + dt.timedelta(days=9),
        reason="等配件",
    )
    services.listing_create(
        user=officer, hazard=major, level=ListingLevel.DISTRICT, listed_on=TODAY(), leader="李", document=""
    )
    services.hazard_void(user=officer, hazard=major, reason="重复录入")
    ext.refresh_from_db()
    assert ext.status == "refused" and "作废" in ext.decision_note
    assert not selectors.pending_extensions(user=officer).exists()
    services.listing_end(user=officer, hazard=major)
    major.refresh_from_db()
    assert not major.is_listed


@pytest.mark.django_db
def test_a_departments_work_list_is_what_it_follows(officer, district, department_user, enterprise_b):
    followed_by_township = services.hazard_create(user=officer, data=hazard_data(enterprise_b))
    followed_by_department = services.hazard_create(
        user=officer, data=hazard_data(enterprise_b, responsible_unit=district.dept_construction)
    )
    assert list(selectors.hazards_to_follow(user=department_user)) == [followed_by_department]
    assert selectors.hazard_list(user=department_user).filter(pk=followed_by_township.pk).exists()


# ---------------------------------------------------------------- recording rules; the overdue flag through the loop


def test_responsible_unit_must_be_able_to_see_the_hazard(township_a_user, officer, district, enterprise_a):
    """Township B named as the follower of a hazard in A would be notified of a page it gets 404 on."""
    api = api_as(township_a_user)
    response = api.post(
        HAZARDS, payload(enterprise_a, responsible_unit=district.township_b.pk), format="json"
    )
    assert response.status_code == 400 and "所在的街道" in str(response.json()["responsible_unit"])
    response = api.post(
        HAZARDS, payload(enterprise_a, responsible_unit=district.community_a.pk), format="json"
    )
    assert response.status_code == 400 and "responsible_unit" in response.json()
    # Even the district office cannot hand it to the wrong township.
    with pytest.raises(ValidationError) as exc:
        record(officer, enterprise_a, responsible_unit=district.township_b)
    assert "responsible_unit" in exc.value.message_dict
    # Its own township and a department (which then sees it) are fine.
    for unit in (district.township_a, district.dept_construction, district.district):
        assert (
            api.post(HAZARDS, payload(enterprise_a, responsible_unit=unit.pk), format="json").status_code
            == 201
        )
    assert not Hazard.objects.filter(responsible_unit=district.township_b).exists()


def test_a_major_hazard_recorded_with_funds_of_zero_is_fine(officer, enterprise_a):
    """五落实 funds may be 0 (整改不花钱), just never negative."""
    hazard = record(officer, enterprise_a, level=HazardLevel.MAJOR, funds=Decimal("0"))
    assert hazard.funds == 0


def overdue_state(hazard) -> tuple:
    hazard.refresh_from_db()
    return hazard.is_overdue, hazard.overdue_since


def test_closing_clears_the_flag_and_reopening_after_the_deadline_sets_and_notifies(
    officer, township_a_user, enterprise_a, district
):
    hazard = record(officer, enterprise_a, found_days_ago=20, days=10)  # deadline 10 days ago
    since = hazard.deadline + dt.timedelta(days=1)
    assert overdue_state(hazard) == (True, since)
    to_closed(hazard, township_a_user, officer)
    assert overdue_state(hazard)[0] is False
    Notification.objects.all().delete()
    services.hazard_reopen(user=officer, hazard=hazard, reason="回头看复发")
    assert overdue_state(hazard) == (True, since)
    assert hazard.events.last().kind == EventKind.OVERDUE
    assert Notification.objects.filter(org_unit=district.township_a, url=hazard.get_absolute_url()).exists()
    # The nightly sweep has nothing more to add.
    assert services.hazards_mark_overdue() == 0


def test_closed_before_the_deadline_and_reopened_after_it_is_overdue(officer, township_a_user, enterprise_a):
    hazard = record(officer, enterprise_a, found_days_ago=20, days=30)  # deadline in 10 days
    to_closed(hazard, township_a_user, officer)
    Hazard.objects.filter(pk=hazard.pk).update(deadline=TODAY() - dt.timedelta(days=2))  # time passes
    services.hazard_reopen(user=officer, hazard=hazard, reason="回头看复发")
    assert overdue_state(hazard) == (True, TODAY() - dt.timedelta(days=1))
    assert Notification.objects.filter(key__startswith=f"hazard-overdue:{hazard.pk}:").count() == 1


def test_recording_an_overdue_hazard_notifies_its_unit_once(officer, enterprise_a, district):
    hazard = record(officer, enterprise_a, found_days_ago=40, days=10, level=HazardLevel.MAJOR)
    notes = Notification.objects.filter(url=hazard.get_absolute_url(), kind="hazard_overdue")
    assert {(n.org_unit_id, n.role) for n in notes} == {(district.township_a.pk, ""), (None, "officer")}
    assert list(hazard.events.values_list("kind", flat=True)) == [EventKind.CREATED, EventKind.OVERDUE]
    assert services.hazards_mark_overdue() == 0 and notes.count() == 2


def test_extension_moves_the_flag_with_the_deadline(officer, township_a_user, enterprise_a):
    hazard = record(officer, enterprise_a, found_days_ago=40, days=10)  # deadline 30 days ago
    still_late = hazard.deadline + dt.timedelta(days=20)  # 10 days ago
    ext = services.extension_request(
        user=township_a_user, hazard=hazard, new_deadline=still_late, reason="缺料"
    )
    services.extension_decide(user=officer, extension=ext, approve=True)
    assert overdue_state(hazard) == (True, still_late + dt.timedelta(days=1))
    future = TODAY() + dt.timedelta(days=5)
    ext = services.extension_request(user=township_a_user, hazard=hazard, new_deadline=future, reason="再等")
    services.extension_decide(user=officer, extension=ext, approve=True)
    assert overdue_state(hazard) == (False, None)
    # A refused one leaves it as it was.
    ext = services.extension_request(
        user=township_a_user, hazard=hazard, new_deadline=future + dt.timedelta(days=9), reason="又缺料"
    )
    services.extension_decide(user=officer, extension=ext, approve=False, note="不同意")
    hazard.refresh_from_db()
    assert hazard.deadline == future and not hazard.is_overdue


def test_void_clears_the_flag(officer, enterprise_a):
    hazard = record(officer, enterprise_a, found_days_ago=40, days=10)
    services.hazard_void(user=officer, hazard=hazard, reason="重复录入")
    assert overdue_state(hazard)[0] is False
    assert services.hazards_mark_overdue() == 0


@pytest.mark.django_db
def test_a_hazard_in_two_matching_sectors_counts_once(officer, department_user, enterprise_a, sectors):
    """The figures count without DISTINCT: the sector filter and a department's scope must stay
    subqueries, so a hazard in two of the chosen sectors is one row, not two."""
    hazard = services.hazard_create(user=officer, data=hazard_data(enterprise_a))
    hazard.sectors.set([sectors["machinery"], sectors["metallurgy"]])
    chosen = HazardFilterSet({"sector": sectors["industry-trade"].pk}, queryset=Hazard.objects.all()).qs

    assert selectors.hazard_figures(chosen)["found"] == 1
    department_user.org_unit.supervised_sectors.add(sectors["machinery"], sectors["metallurgy"])
    assert selectors.hazard_figures(restrict(Hazard.objects.all(), department_user))["found"] == 1
