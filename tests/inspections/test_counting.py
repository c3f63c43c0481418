"""The counting rules every work summary opens with, and the team rules of conduct."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import OrgKind, Role
from accounts.models import OrgUnit
from inspections.models import InspectionKind
from inspections.selectors import action_list, inspection_figures
from inspections.services import action_create
from tests.factories import EnterpriseFactory, UserFactory

DAY = dt.date(2026, 3, 10)
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture
def inspectors(district, certified):
    """Four inspectors of the emergency bureau, all holding a valid 执法证."""
    return certified(district.dept_emergency, 4, role=Role.OFFICER, expiry=dt.date(2027, 12, 31))


def kind(code: str) -> InspectionKind:
    return InspectionKind.objects.get(code=code)


def enter(user, members, enterprises, **kw):
    defaults = {"date": DAY, "organizer": user.org_unit, "kind": kind("special")}
    return action_create(user=user, members=members, enterprises=enterprises, **{**defaults, **kw})


def test_three_enterprises_four_people_is_1_action_4_person_times_3_visits(officer, inspectors, district):
    firms = EnterpriseFactory.create_batch(3, jurisdiction=district.community_a)
    enter(officer, inspectors, firms)
    assert inspection_figures(user=officer, start=YEAR[0], end=YEAR[1]) == {
        "actions": 1,
        "person_times": 4,
        "leader_led": 0,
        "unannounced": 0,
        "unit_visits": 3,
        "units": 3,
    }


def test_outside_experts_count_as_person_times(officer, inspectors, enterprise_a):
    action = enter(officer, inspectors[:2], [enterprise_a], kind=kind("expert"), experts="张工、李工，王工")
    assert action.person_count == 5
    assert action.experts == "张工、李工、王工"


def test_units_are_distinct_across_actions_but_visits_are_not(
    officer, inspectors, enterprise_a, enterprise_b
):
    enter(officer, inspectors[:2], [enterprise_a, enterprise_b])
    enter(
        officer,
        inspectors[2:],
        [enterprise_a],
        is_leader_led=True,
        leader_name="陈区长",
        leader_level="district",
    )
    figures = inspection_figures(user=officer, start=YEAR[0], end=YEAR[1])
    assert figures["actions"] == 2 and figures["person_times"] == 4 and figures["leader_led"] == 1
    assert figures["unit_visits"] == 3 and figures["units"] == 2


def test_period_bounds_are_inclusive_and_other_years_excluded(officer, inspectors, enterprise_a):
    # An inspection cannot be recorded for a day still to come, so the bounds are tested at the start of
    # the period: the first day counts, the day before it does not.
    enter(officer, inspectors[:2], [enterprise_a], date=YEAR[0])
    enter(officer, inspectors[:2], [enterprise_a], date=YEAR[0] - dt.timedelta(days=1))
    assert inspection_figures(user=officer, start=YEAR[0], end=YEAR[1])["actions"] == 1


def test_nothing_counted_is_zero_not_none(officer):
    assert inspection_figures(user=officer, start=YEAR[0], end=YEAR[1])["person_times"] == 0


def test_township_counts_only_visits_to_its_own_enterprises(
    officer, inspectors, district, township_a_user, township_b_user, enterprise_a, enterprise_b
):
    enter(officer, inspectors[:3], [enterprise_a, enterprise_b])
    figures_a = inspection_figures(user=township_a_user, start=YEAR[0], end=YEAR[1])
    assert figures_a["unit_visits"] == 1 and figures_a["units"] == 1
    assert list(action_list(user=township_b_user)) == list(action_list(user=township_a_user))
    elsewhere = OrgUnit.objects.create(name="无关镇", kind=OrgKind.TOWN, parent=district.district)
    outsider = UserFactory(role=Role.TOWNSHIP, org_unit=elsewhere)
    assert inspection_figures(user=outsider, start=YEAR[0], end=YEAR[1])["actions"] == 0


def test_enforcement_inspection_needs_two_valid_certificates(officer, inspectors, enterprise_a):
    expired = UserFactory(enforcement_cert_no="X-1", enforcement_cert_expiry=dt.date(2026, 3, 9))
    uncertified = UserFactory()
    with pytest.raises(ValidationError, match="两名持有效执法证"):
        enter(officer, [inspectors[0], expired, uncertified], [enterprise_a])
    # A cert expiring on the day itself is still valid that day.
    on_the_day = UserFactory(enforcement_cert_no="X-2", enforcement_cert_expiry=DAY)
    assert enter(officer, [inspectors[0], on_the_day], [enterprise_a]).person_count == 2


def test_non_enforcement_kind_may_go_without_certificates(officer, enterprise_a):
    assert enter(officer, [UserFactory()], [enterprise_a], kind=kind("online")).person_count == 1


def test_township_cannot_enter_a_visit_to_another_townships_enterprise(
    township_a_user, inspectors, enterprise_b
):
    with pytest.raises(ValidationError, match="管辖范围"):
        enter(township_a_user, inspectors[:2], [enterprise_b])


def test_leader_cannot_enter(leader, inspectors, enterprise_a):
    with pytest.raises(PermissionDenied):
        enter(leader, inspectors[:2], [enterprise_a])


def test_leader_led_needs_the_leaders_name(officer, inspectors, enterprise_a):
    with pytest.raises(ValidationError, match="带队领导"):
        enter(officer, inspectors[:2], [enterprise_a], is_leader_led=True)


def test_history_keeps_who_entered_it(officer, inspectors, enterprise_a):
    action = enter(officer, inspectors[:2], [enterprise_a])
    assert action.history.first().history_user == officer
    assert action.created_by == officer


def test_repeat_visit_by_another_unit_within_the_window_is_found(officer, inspectors, district, enterprise_a):
    from inspections.selectors import recent_visits_by_others

    enter(officer, inspectors[:2], [enterprise_a], date=dt.date(2026, 3, 1))
    township_unit = district.township_a
    found = recent_visits_by_others(
        enterprise_ids=[enterprise_a.pk], organizer_id=township_unit.pk, on=DAY, days=30
    )
    assert [r.enterprise for r in found] == [enterprise_a]
    # The same unit coming back is not 多头检查, and an old visit is outside the window.
    assert not recent_visits_by_others(
        enterprise_ids=[enterprise_a.pk], organizer_id=officer.org_unit_id, on=DAY, days=30
    ).exists()
    assert not recent_visits_by_others(
        enterprise_ids=[enterprise_a.pk], organizer_id=township_unit.pk, on=DAY, days=5
    ).exists()


def test_actions_are_numbered_per_organiser_and_year(officer, inspectors, enterprise_a):
    first = enter(officer, inspectors[:2], [enterprise_a])
    second = enter(officer, inspectors[:2], [enterprise_a])
    assert first.number == "区应急管理局检〔2026〕1号"
    assert second.number == "区应急管理局检〔2026〕2号"
