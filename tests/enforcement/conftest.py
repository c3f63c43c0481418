"""Case fixtures shared by the enforcement tests: the fire department and its officer, the emergency
department's officer, and `open_case` (立案 through the service) with the steps to move a case on."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import OrgKind, Role
from accounts.models import OrgUnit
from enforcement import services as case_services
from enforcement.choices import CaseProcedure, PenaltyKind, PenaltyTarget
from enforcement.models import LegalArticle
from tests.factories import UserFactory


@pytest.fixture
def fire_dept(district):
    return OrgUnit.objects.create(
        name="区消防救援大队", short_name="消防", kind=OrgKind.DEPARTMENT, parent=district.district
    )


@pytest.fixture
def fire_user(fire_dept):
    return UserFactory(username="fire", role=Role.DEPARTMENT, org_unit=fire_dept)


@pytest.fixture
def emergency_user(district):
    return UserFactory(username="emergency", role=Role.DEPARTMENT, org_unit=district.dept_emergency)


def case_data(enterprise, unit, *, procedure=CaseProcedure.GENERAL, opened_days_ago=5, **extra):
    fields = {
        "enterprise": enterprise,
        "handling_unit": unit,
        "procedure": procedure,
        "cause": "未按规定对从业人员进行安全生产教育和培训",
        "opened_on": timezone.localdate() - dt.timedelta(days=opened_days_ago),
        "facts": "现场检查发现三名员工未经培训上岗",
        "articles": list(LegalArticle.objects.filter(article="第九十七条")),
    }
    fields.update(extra)
    return case_services.CaseData(**fields)


def open_case(user, enterprise, unit, **extra):
    return case_services.case_open(user=user, data=case_data(enterprise, unit, **extra))


def fine(amount, target=PenaltyTarget.UNIT, **extra):
    return case_services.PenaltyData(target=target, kind=PenaltyKind.FINE, amount=Decimal(amount), **extra)


def to_notified(case, user, hearing=False):
    case = case_services.case_investigate(user=user, case=case)
    return case_services.case_notify(user=user, case=case, hearing_requested=hearing)


def to_decided(case, user, penalties=None, on=None):
    if case.procedure == CaseProcedure.GENERAL:
        case = to_notified(case, user)
    return case_services.case_decide(
        user=user,
        case=case,
        decided_on=on or timezone.localdate(),
        penalties=penalties or [fine("20000.00"), fine("5000.50", PenaltyTarget.PERSON, person_name="张三")],
    )
