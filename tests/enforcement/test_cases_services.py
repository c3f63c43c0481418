"""案件: 立案 → … → 结案 through the services, the rules of each step per role, and the timeline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification, NumberSequence
from enforcement import permissions as perms
from enforcement import services
from enforcement.choices import (
    CaseEventKind,
    CaseProcedure,
    CaseSource,
    CaseState,
    DeadlineFlag,
    MeasureKind,
    PenaltyKind,
    PenaltyTarget,
)
from enforcement.models import Case, Penalty
from enforcement.selectors import case_get, case_list
from hazards.services import HazardData, hazard_create
from tests.enforcement.conftest import case_data, fine, open_case, to_decided, to_notified

TODAY = timezone.localdate


def stale(excinfo) -> bool:
    return excinfo.value.code == perms.STALE_STATE


@pytest.fixture
def case(officer, enterprise_a, district):
    return open_case(officer, enterprise_a, district.district)


# ---------------------------------------------------------------- 立案


def test_open_numbers_per_unit_and_year_without_gaps(
    officer, enterprise_a, enterprise_b, district, fire_dept
):
    first = open_case(officer, enterprise_a, district.district)
    second = open_case(officer, enterprise_b, district.district)
    fire = open_case(officer, enterprise_a, fire_dept)
    year = TODAY().year if (TODAY() - dt.timedelta(days=5)).year == TODAY().year else TODAY().year - 1
    assert first.number == f"示范区案〔{year}〕1号"
    assert second.number == f"示范区案〔{year}〕2号"
    assert fire.number == f"消防案〔{year}〕1号"
    assert NumberSequence.objects.get(series="case", org_unit=district.district, year=year).last == 2


def test_open_copies_place_sets_deadline_and_records(officer, enterprise_a, district):
    case = open_case(officer, enterprise_a, district.district, officers=[officer])
    assert case.state == CaseState.OPEN
    assert case.jurisdiction == district.community_a and case.township == district.township_a
    assert case.deadline == case.opened_on + dt.timedelta(days=90)
    assert [a.article for a in case.articles.all()] == ["第九十七条"]
    event = case.events.get()
    assert event.kind == CaseEventKind.CREATED and event.user == officer
    assert case.history.count() >= 1 and case.history.first().history_user == officer


def test_simple_procedure_has_no_deadline(officer, enterprise_a, district):
    case = open_case(officer, enterprise_a, district.district, procedure=CaseProcedure.SIMPLE)
    assert case.deadline is None and case.days_remaining() is None


def test_open_refuses_bad_input_by_field(officer, enterprise_a, district):
    with pytest.raises(ValidationError) as excinfo:
        open_case(
            officer,
            enterprise_a,
            district.township_a,  # a township does not handle cases
            cause=" ",
            procedure="x",
            opened_on=TODAY() + dt.timedelta(days=1),
        )
    fields = excinfo.value.message_dict
    assert set(fields) >= {"cause", "procedure", "opened_on", "handling_unit"}
    assert "案由" in fields["cause"][0]
    assert not Case.objects.exists()


def test_open_who(officer, department_user, township_a_user, leader, enterprise_a, enterprise_b, district):
    # A department opens cases in its own name only.
    own = open_case(department_user, enterprise_b, district.dept_construction)
    assert own.handling_unit == district.dept_construction
    with pytest.raises(ValidationError) as excinfo:
        open_case(department_user, enterprise_b, district.district)
    assert "handling_unit" in excinfo.value.message_dict
    for user in (township_a_user, leader):
        with pytest.raises(PermissionDenied):
            open_case(user, enterprise_a, district.district)


def test_open_from_hazard_carries_enterprise_and_facts(officer, enterprise_a, enterprise_b, district):
    hazard = hazard_create(
        user=officer,
        data=HazardData(
            enterprise=enterprise_a,
            source="self",
            description="消防通道堵塞",
            found_on=TODAY() - dt.timedelta(days=40),
            deadline=TODAY() - dt.timedelta(days=10),
            responsible_unit=enterprise_a.township,
            level="major",
            responsible_person="王五",
            measures="清理",
            funds=Decimal("1.00"),
            contingency_plan="应急预案",
        ),
    )
    initial = services.case_initial_from_hazard(hazard)
    assert initial["enterprise"] == enterprise_a and "消防通道堵塞" in initial["facts"]
    case = services.case_open(
        user=officer,
        data=services.CaseData(
            enterprise=initial["enterprise"],
            handling_unit=district.district,
            procedure=CaseProcedure.GENERAL,
            cause="重大事故隐患逾期未整改",
            opened_on=initial["opened_on"],
            facts=initial["facts"],
            source_hazard=hazard,
        ),
    )
    assert case.source == CaseSource.HAZARD and case.source_hazard == hazard
    assert list(hazard.cases.all()) == [case]
    # The hazard's enterprise and the case's must agree.
    with pytest.raises(ValidationError) as excinfo:
        services.case_open(
            user=officer, data=case_data(enterprise_b, district.district, source_hazard=hazard)
        )
    assert "source_hazard" in excinfo.value.message_dict


def test_open_with_given_number_refuses_duplicate(officer, enterprise_a, district):
    services.case_open(
        user=officer, data=case_data(enterprise_a, district.district), number="旧案〔2020〕1号"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.case_open(
            user=officer, data=case_data(enterprise_a, district.district), number="旧案〔2020〕1号"
        )
    assert "number" in excinfo.value.message_dict


def test_opened_officers_are_notified(officer, emergency_user, enterprise_a, district):
    case = open_case(emergency_user, enterprise_a, district.dept_emergency, officers=[emergency_user])
    # The opener is not told about their own case.
    assert not Notification.objects.filter(kind="case_opened").exists()
    other = open_case(officer, enterprise_a, district.dept_emergency, officers=[emergency_user])
    note = Notification.objects.get(kind="case_opened")
    assert note.user == emergency_user and other.number in note.title
    assert case.pk != other.pk


def test_officers_must_belong_to_handling_unit(officer, department_user, enterprise_a, district):
    with pytest.raises(ValidationError) as excinfo:
        open_case(officer, enterprise_a, district.dept_emergency, officers=[department_user])
    assert "officers" in excinfo.value.message_dict


# ---------------------------------------------------------------- the general procedure


def test_general_procedure_full_path(officer, case):
    case = services.case_investigate(user=officer, case=case)
    assert case.state == CaseState.INVESTIGATING
    case = services.case_notify(user=officer, case=case, hearing_requested=True)
    assert case.state == CaseState.NOTIFIED and case.hearing_requested
    case = services.case_hearing(user=officer, case=case, note="听证会")
    assert case.state == CaseState.HEARING
    case = services.case_decide(
        user=officer,
        case=case,
        decided_on=TODAY(),
        penalties=[
            fine("30000"),
            fine("6000.25", PenaltyTarget.PERSON, person_name="李四", person_title="厂长"),
        ],
    )
    assert case.state == CaseState.DECIDED and case.decided_on == TODAY()
    assert sorted(p.amount for p in case.penalties.all()) == [Decimal("6000.25"), Decimal("30000.00")]
    case = services.case_execute(user=officer, case=case)
    assert case.state == CaseState.EXECUTING
    case = services.case_close(user=officer, case=case, closed_on=TODAY())
    assert case.state == CaseState.CLOSED and case.closed_on == TODAY()
    transitions = list(
        case.events.filter(kind=CaseEventKind.TRANSITION).values_list("from_state", "to_state")
    )
    assert transitions == [
        ("open", "investigating"),
        ("investigating", "notified"),
        ("notified", "hearing"),
        ("hearing", "decided"),
        ("decided", "executing"),
        ("executing", "closed"),
    ]
    assert all(e.user == officer for e in case.events.all())
    assert "李四" in case.events.get(to_state="decided").note


def test_general_cannot_skip_to_decision(officer, case):
    with pytest.raises(ValidationError) as excinfo:
        services.case_decide(user=officer, case=case, decided_on=TODAY(), penalties=[fine("100")])
    assert stale(excinfo)
    assert "告知" in excinfo.value.messages[0]
    assert Case.objects.get(pk=case.pk).state == CaseState.OPEN
    assert not Penalty.objects.exists()


def test_general_cannot_close_before_execution(officer, case):
    case = to_decided(case, officer)
    with pytest.raises(ValidationError) as excinfo:
        services.case_close(user=officer, case=case, closed_on=TODAY())
    assert "执行" in excinfo.value.messages[0]


def test_a_requested_hearing_comes_before_the_decision(officer, case):
    case = to_notified(case, officer, hearing=True)
    assert perms.DECIDE not in perms.case_allowed_actions(officer, case)
    with pytest.raises(ValidationError) as excinfo:
        services.case_decide(user=officer, case=case, decided_on=TODAY(), penalties=[fine("100")])
    assert stale(excinfo) and "听证" in excinfo.value.messages[0]
    case = services.case_hearing(user=officer, case=case)
    assert perms.DECIDE in perms.case_allowed_actions(officer, case)


def test_hearing_only_when_requested(officer, case):
    case = to_notified(case, officer, hearing=False)
    with pytest.raises(ValidationError) as excinfo:
        services.case_hearing(user=officer, case=case)
    assert "听证" in excinfo.value.messages[0]


def test_simple_procedure_straight_to_decision_and_close(officer, enterprise_a, district):
    case = open_case(officer, enterprise_a, district.district, procedure=CaseProcedure.SIMPLE)
    with pytest.raises(ValidationError) as excinfo:
        services.case_investigate(user=officer, case=case)
    assert "简易程序" in excinfo.value.messages[0]
    case = services.case_decide(
        user=officer, case=case, decided_on=TODAY(), penalties=[services.PenaltyData("unit", "warning")]
    )
    case = services.case_close(user=officer, case=case, closed_on=TODAY())
    assert case.state == CaseState.CLOSED


def test_a_step_taken_twice_is_stale(officer, case):
    services.case_investigate(user=officer, case=case)
    with pytest.raises(ValidationError) as excinfo:
        services.case_investigate(user=officer, case=case)  # the caller's copy still says 立案
    assert stale(excinfo)
    assert "调查取证" in excinfo.value.messages[0] and "刷新" in excinfo.value.messages[0]


def test_no_penalty_and_transfer_need_a_reason_and_end_the_case(officer, case, enterprise_a, district):
    with pytest.raises(ValidationError) as excinfo:
        services.case_no_penalty(user=officer, case=case, reason=" ")
    assert "reason" in excinfo.value.message_dict
    case = services.case_no_penalty(
        user=officer, case=case, reason="违法行为轻微并及时改正，没有造成危害后果"
    )
    assert case.state == CaseState.NO_PENALTY and case.closed_on == TODAY() and case.is_final
    other = open_case(officer, enterprise_a, district.district)
    other = services.case_investigate(user=officer, case=other)
    other = services.case_transfer(user=officer, case=other, reason="涉嫌犯罪", transferred_to="区公安分局")
    assert other.state == CaseState.TRANSFERRED and other.transferred_to == "区公安分局"
    with pytest.raises(ValidationError) as excinfo:
        services.case_update(user=officer, case=other, cause="x", facts="", articles=[], officers=[])
    assert stale(excinfo)


def test_decision_penalty_rules(officer, case):
    case = to_notified(case, officer)
    bad = [
        services.PenaltyData("unit", PenaltyKind.FINE),  # no amount
        services.PenaltyData("person", PenaltyKind.FINE, Decimal("100")),  # no name
        services.PenaltyData("unit", PenaltyKind.WARNING, Decimal("5")),  # amount on a warning
        services.PenaltyData("unit", PenaltyKind.FINE, Decimal("1.005")),  # fractions of a fen
        services.PenaltyData("person", PenaltyKind.CLOSURE, person_name="王"),
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.case_decide(user=officer, case=case, decided_on=TODAY(), penalties=bad)
    messages = excinfo.value.message_dict["penalties"]
    assert [m[:4] for m in messages] == ["第1项：", "第2项：", "第3项：", "第4项：", "第5项："]
    with pytest.raises(ValidationError) as excinfo:
        services.case_decide(user=officer, case=case, decided_on=TODAY(), penalties=[])
    assert "penalties" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.case_decide(
            user=officer, case=case, decided_on=case.opened_on - dt.timedelta(days=1), penalties=[fine("1")]
        )
    assert "decided_on" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.parse_amount(0.1)  # a float is never taken for money
    assert Case.objects.get(pk=case.pk).state == CaseState.NOTIFIED


def test_update_while_open(officer, case, emergency_user):
    case = services.case_update(
        user=officer, case=case, cause="新案由", facts="补充案情", articles=[], officers=[officer]
    )
    case.refresh_from_db()
    assert case.cause == "新案由" and list(case.officers.all()) == [officer] and not case.articles.exists()
    assert case.events.filter(kind=CaseEventKind.EDITED).exists()


# ---------------------------------------------------------------- measures


def test_measures(officer, case):
    m = services.measure_add(
        user=officer, case=case, kind=MeasureKind.THREE_STOPS, start_on=TODAY(), stop_kind="production"
    )
    assert m.created_by == officer and case.events.filter(kind=CaseEventKind.MEASURE, measure=m).exists()
    with pytest.raises(ValidationError) as excinfo:
        services.measure_add(user=officer, case=case, kind=MeasureKind.POLICE, start_on=TODAY())
    assert "persons" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.measure_add(
            user=officer,
            case=case,
            kind=MeasureKind.SEAL,
            start_on=TODAY(),
            end_on=TODAY() - dt.timedelta(days=1),
        )
    assert "end_on" in excinfo.value.message_dict
    services.measure_add(user=officer, case=case, kind=MeasureKind.POLICE, start_on=TODAY(), persons=2)
    assert case.measures.count() == 2


# ---------------------------------------------------------------- roles


@pytest.fixture
def dept_case(officer, enterprise_b, district):
    """A case handled by 住建 (the department_user's unit) on a firm in township B."""
    return open_case(officer, enterprise_b, district.dept_construction)


def test_department_handles_its_own_units_cases_only(department_user, dept_case, case):
    assert perms.case_allowed_actions(department_user, dept_case) >= {
        perms.INVESTIGATE,
        perms.EDIT,
        perms.MEASURE,
    }
    services.case_investigate(user=department_user, case=dept_case)
    # The district office's case is not the department's: it is not even in its scope.
    assert perms.case_allowed_actions(department_user, case) == frozenset()
    with pytest.raises(PermissionDenied):
        services.case_investigate(user=department_user, case=case)
    assert not case_list(user=department_user).filter(pk=case.pk).exists()


def test_department_does_not_see_cases_of_its_sectors_handled_by_others(
    department_user, officer, enterprise_b, district
):
    # A construction firm's case handled by the district office: 住建 supervises the sector, but the
    # cases it sees are the ones of its own enforcement.
    other = open_case(officer, enterprise_b, district.district)
    assert not case_list(user=department_user).filter(pk=other.pk).exists()


def test_township_reads_its_cases_but_cannot_change_them(township_b_user, township_a_user, dept_case):
    assert case_get(user=township_b_user, pk=dept_case.pk) == dept_case
    assert perms.case_allowed_actions(township_b_user, dept_case) == frozenset()
    for call in (
        lambda: services.case_investigate(user=township_b_user, case=dept_case),
        lambda: services.measure_add(user=township_b_user, case=dept_case, kind="seal", start_on=TODAY()),
        lambda: services.case_update(
            user=township_b_user, case=dept_case, cause="x", facts="", articles=[], officers=[]
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    # Township A: another township's case does not exist for it.
    assert not case_list(user=township_a_user).filter(pk=dept_case.pk).exists()


def test_leader_reads_only(leader, case):
    assert case_get(user=leader, pk=case.pk) == case
    assert perms.case_allowed_actions(leader, case) == frozenset()
    with pytest.raises(PermissionDenied):
        services.case_investigate(user=leader, case=case)


def test_fire_cases_belong_to_the_fire_department(
    officer, fire_user, emergency_user, enterprise_a, fire_dept
):
    fire_case = open_case(fire_user, enterprise_a, fire_dept)
    assert case_get(user=fire_user, pk=fire_case.pk) == fire_case
    assert not case_list(user=emergency_user).filter(pk=fire_case.pk).exists()
    assert perms.EDIT in perms.case_allowed_actions(officer, fire_case)


def test_allowed_actions_follow_state(officer, case):
    assert perms.case_allowed_actions(officer, case) == {
        perms.INVESTIGATE,
        perms.NO_PENALTY,
        perms.TRANSFER,
        perms.EDIT,
        perms.MEASURE,
        perms.EXTEND,
    }
    case = to_decided(case, officer)
    assert perms.case_allowed_actions(officer, case) == {perms.EXECUTE, perms.EDIT, perms.MEASURE}


# ---------------------------------------------------------------- deadlines and extensions


def test_extension_request_and_approval(officer, department_user, dept_case):
    old = dept_case.deadline
    ext = services.case_extension_request(
        user=department_user, case=dept_case, new_deadline=old + dt.timedelta(days=30), reason="案情复杂"
    )
    assert Notification.objects.get(kind="case_extension_requested").role == "officer"
    # The handling department does not approve its own request.
    with pytest.raises(PermissionDenied):
        services.case_extension_decide(user=department_user, extension=ext, approve=True)
    with pytest.raises(ValidationError) as excinfo:
        services.case_extension_request(
            user=department_user, case=dept_case, new_deadline=old + dt.timedelta(days=40), reason="再延"
        )
    assert stale(excinfo)
    ext = services.case_extension_decide(user=officer, extension=ext, approve=True, note="同意")
    dept_case.refresh_from_db()
    assert dept_case.deadline == old + dt.timedelta(days=30)
    assert ext.decided_by == officer and ext.status == "approved"
    assert Notification.objects.get(kind="case_extension_decided").user == department_user
    with pytest.raises(ValidationError) as excinfo:
        services.case_extension_decide(user=officer, extension=ext, approve=False, note="x")
    assert stale(excinfo)


def test_extension_must_be_later_and_reasoned(officer, case, enterprise_a, district):
    with pytest.raises(ValidationError) as excinfo:
        services.case_extension_request(user=officer, case=case, new_deadline=case.deadline, reason="x")
    assert "new_deadline" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.case_extension_request(
            user=officer, case=case, new_deadline=case.deadline + dt.timedelta(days=1), reason=""
        )
    assert "reason" in excinfo.value.message_dict
    simple = open_case(officer, enterprise_a, district.district, procedure=CaseProcedure.SIMPLE)
    with pytest.raises(ValidationError) as excinfo:
        services.case_extension_request(user=officer, case=simple, new_deadline=TODAY(), reason="x")
    assert stale(excinfo)


def test_days_remaining_and_flags(officer, enterprise_a, district):
    case = open_case(officer, enterprise_a, district.district, opened_days_ago=85)
    assert case.days_remaining() == 5 and case.deadline_status() == DeadlineFlag.NEAR
    late = open_case(officer, enterprise_a, district.district, opened_days_ago=95)
    assert late.days_remaining() == -5 and late.deadline_status() == DeadlineFlag.OVERDUE
    assert set(case_list(user=officer, filters={"deadline": "overdue"})) == {late}
    assert set(case_list(user=officer, filters={"deadline": "near"})) == {case}
