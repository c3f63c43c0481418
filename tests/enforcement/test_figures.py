"""The enforcement figures of the summaries, against hand-computed numbers, one query each, scoped;
and the nightly deadline task (idempotent)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ChannelKind, Delivery, DeliveryChannel, DeliveryStatus, Notification
from enforcement import services
from enforcement.choices import (
    CaseEventKind,
    CaseProcedure,
    CaseState,
    DeadlineFlag,
    MeasureKind,
    PenaltyTarget,
)
from enforcement.models import Case, CaseEvent
from enforcement.selectors import (
    cases_opened,
    enforcement_counts,
    enterprises_with_measures,
    fines_decided,
    persons_detained,
    simple_procedure_figures,
)
from enforcement.tasks import flag_case_deadlines
from tests.enforcement.conftest import fine, open_case, to_decided
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def world(officer, enterprise_a, enterprise_b, district, sectors):
    """Cases in both townships, some decided with fines whose float sum would drift (0.1 + 0.2 …)."""
    enterprise_c = EnterpriseFactory(
        name="东城化工", jurisdiction=district.township_a, sectors=[sectors["hazchem"]]
    )
    a1 = open_case(officer, enterprise_a, district.district, opened_days_ago=20)
    to_decided(a1, officer, [fine("0.10"), fine("0.20", PenaltyTarget.PERSON, person_name="甲")], on=days(-5))
    a2 = open_case(
        officer, enterprise_a, district.district, opened_days_ago=15, procedure=CaseProcedure.SIMPLE
    )
    # 关闭 decided as a penalty counts the enterprise under 关闭取缔 as a measure would.
    to_decided(a2, officer, [fine("100000.05"), services.PenaltyData("unit", "closure")], on=days(-3))
    c1 = open_case(officer, enterprise_c, district.dept_emergency, opened_days_ago=10)
    to_decided(
        c1,
        officer,
        [
            fine("1433500.00"),
            fine("99999.99", PenaltyTarget.PERSON, person_name="乙"),
            services.PenaltyData("unit", "warning"),
        ],
        on=days(-1),
    )
    b1 = open_case(officer, enterprise_b, district.dept_construction, opened_days_ago=8)
    # Opened long ago, decided in the period: counts for fines, not for cases opened.
    old = open_case(
        officer, enterprise_b, district.district, opened_days_ago=200, procedure=CaseProcedure.SIMPLE
    )
    to_decided(old, officer, [fine("7.77")], on=days(-2))
    # Measures: two on enterprise A (two cases) count A once for 临时查封.
    services.measure_add(user=officer, case=a1, kind=MeasureKind.SEAL, start_on=days(-4))
    services.measure_add(user=officer, case=a2, kind=MeasureKind.SEAL, start_on=days(-3))
    services.measure_add(user=officer, case=c1, kind=MeasureKind.SEAL, start_on=days(-3))
    services.measure_add(
        user=officer, case=c1, kind=MeasureKind.THREE_STOPS, start_on=days(-3), stop_kind="use"
    )
    services.measure_add(user=officer, case=b1, kind=MeasureKind.SUSPENSION, start_on=days(-2))
    services.measure_add(
        user=officer, case=old, kind=MeasureKind.CLOSURE, start_on=days(-2)
    )  # opened outside
    services.measure_add(user=officer, case=b1, kind=MeasureKind.POLICE, start_on=days(-1), persons=2)
    services.case_no_penalty(
        user=officer,
        case=open_case(officer, enterprise_b, district.district, opened_days_ago=3),
        reason="轻微",
    )
    return {"a1": a1, "a2": a2, "c1": c1, "b1": b1, "old": old}


def period():
    return {"date_from": days(-30), "date_to": days(0)}


def test_figures_against_hand_computed_numbers(officer, world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert cases_opened(user=officer, **period()) == 5  # a1 a2 c1 b1 + the no-penalty one
    with django_assert_num_queries(1):
        money = fines_decided(user=officer, **period())
    assert money == {
        "unit": Decimal("0.10") + Decimal("100000.05") + Decimal("1433500.00") + Decimal("7.77"),
        "person": Decimal("0.20") + Decimal("99999.99"),
        "total": Decimal("1633507.91") + Decimal("0.20"),
    }
    assert money["total"] == Decimal("1633508.11") and isinstance(money["total"], Decimal)
    with django_assert_num_queries(1):
        measures = enterprises_with_measures(user=officer, **period())
    assert measures == {
        MeasureKind.SUSPENSION: 1,  # enterprise B
        MeasureKind.SEAL: 2,  # enterprise A (twice) and C
        MeasureKind.THREE_STOPS: 1,
        MeasureKind.CLOSURE: 1,  # A by its 关闭 penalty; B's measure is on a case opened before the period
    }
    with django_assert_num_queries(1):
        counts = enforcement_counts(user=officer, **period())
    assert counts == {
        "opened": 5,
        "enterprises": 3,
        "simple_opened": 1,
        "general_opened": 4,
        "decided": 4,
        "decided_enterprises": 3,
        "double_penalty": 2,
        "closed": 0,
        "no_penalty": 1,
        "transferred": 0,
    }
    with django_assert_num_queries(1):
        simple = simple_procedure_figures(user=officer, **period())
    assert simple == {"cases": 1, "fines": Decimal("100007.82")}
    with django_assert_num_queries(1):
        assert persons_detained(user=officer, **period()) == 2


def test_figures_are_scoped(world, township_a_user, township_b_user, department_user):
    assert cases_opened(user=township_a_user, **period()) == 3
    assert fines_decided(user=township_a_user, **period())["total"] == Decimal("1633500.34")
    assert cases_opened(user=township_b_user, **period()) == 2
    assert fines_decided(user=township_b_user, **period())["total"] == Decimal("7.77")
    # 住建 sees its own case only (b1): no fines, one 停产整顿, two detained.
    assert cases_opened(user=department_user, **period()) == 1
    assert fines_decided(user=department_user, **period())["total"] == Decimal("0.00")
    assert enterprises_with_measures(user=department_user, **period())[MeasureKind.SUSPENSION] == 1
    assert persons_detained(user=department_user, **period()) == 2


def test_empty_period_gives_exact_zeros(officer, world):
    far = {"date_from": days(-900), "date_to": days(-800)}
    assert fines_decided(user=officer, **far) == {
        "unit": Decimal("0"),
        "person": Decimal("0"),
        "total": Decimal("0"),
    }
    assert simple_procedure_figures(user=officer, **far) == {"cases": 0, "fines": Decimal("0")}
    assert persons_detained(user=officer, **far) == 0


# ---------------------------------------------------------------- the nightly deadline task


def test_deadline_task_flags_notifies_once_and_is_idempotent(officer, emergency_user, enterprise_a, district):
    near = open_case(
        officer, enterprise_a, district.dept_emergency, opened_days_ago=85, officers=[emergency_user]
    )
    late = open_case(officer, enterprise_a, district.dept_emergency, opened_days_ago=95)
    fine_case = open_case(officer, enterprise_a, district.district, opened_days_ago=10)
    decided = to_decided(open_case(officer, enterprise_a, district.district, opened_days_ago=120), officer)
    assert not Notification.objects.filter(kind="case_deadline").exists()  # the task announces

    assert flag_case_deadlines() == 2
    near.refresh_from_db()
    late.refresh_from_db()
    assert near.deadline_flag == DeadlineFlag.NEAR and late.deadline_flag == DeadlineFlag.OVERDUE
    assert (
        Case.objects.get(pk=fine_case.pk).deadline_flag == ""
        and Case.objects.get(pk=decided.pk).deadline_flag == ""
    )
    notes = Notification.objects.filter(kind="case_deadline")
    assert {(n.user_id, n.org_unit_id) for n in notes} == {
        (emergency_user.pk, None),  # near: its officer
        (None, district.dept_emergency.pk),  # late: no officer named, its handling unit
    }
    assert CaseEvent.objects.filter(kind=CaseEventKind.DEADLINE_NEAR, case=near).count() == 1
    assert CaseEvent.objects.filter(kind=CaseEventKind.OVERDUE, case=late).count() == 1

    assert flag_case_deadlines() == 0
    assert Notification.objects.filter(kind="case_deadline").count() == 2
    assert (
        CaseEvent.objects.filter(kind__in=[CaseEventKind.DEADLINE_NEAR, CaseEventKind.OVERDUE]).count() == 2
    )


def test_extension_clears_the_flag_and_a_new_deadline_warns_again(officer, enterprise_a, district):
    case = open_case(officer, enterprise_a, district.district, opened_days_ago=95, officers=[officer])
    flag_case_deadlines()
    ext = services.case_extension_request(user=officer, case=case, new_deadline=days(5), reason="鉴定未完成")
    services.case_extension_decide(user=officer, extension=ext, approve=True)
    case.refresh_from_db()
    assert case.deadline == days(5) and case.deadline_flag == DeadlineFlag.NONE
    assert flag_case_deadlines() == 1
    keys = set(Notification.objects.filter(kind="case_deadline").values_list("key", flat=True))
    assert len(keys) == 2 and any(days(5).isoformat() in k for k in keys)
    assert Case.objects.get(pk=case.pk).state == CaseState.OPEN


def test_deadline_notice_goes_out_by_email_where_set_up(
    officer, emergency_user, enterprise_a, district, mailoutbox, django_capture_on_commit_callbacks
):
    emergency_user.email = "zhang@example.cn"
    emergency_user.save()
    DeliveryChannel.objects.create(user=emergency_user, kind=ChannelKind.EMAIL, address="")
    case = open_case(
        officer, enterprise_a, district.dept_emergency, opened_days_ago=85, officers=[emergency_user]
    )
    with django_capture_on_commit_callbacks(execute=True):
        flag_case_deadlines()
    delivery = Delivery.objects.get(notification__kind="case_deadline")
    assert delivery.status == DeliveryStatus.SENT
    assert len(mailoutbox) == 1 and case.number in mailoutbox[0].subject + mailoutbox[0].body
