"""Two officers acting on one case at the same instant: exactly one decision is made, the other is told
the case moved under them (code "stale_state", the API's 409), and no penalty is written twice; two
cases opened at once get consecutive numbers."""

from decimal import Decimal
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enforcement import services
from enforcement.choices import CaseEventKind, CaseProcedure, CaseState
from enforcement.models import Case, Penalty
from tests.enforcement.conftest import case_data, fine, open_case, to_notified
from tests.factories import EnterpriseFactory
from tests.races.conftest import ROUNDS, at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officers_deciding_at_once_exactly_one_decision(sectors, district, officer, admin_user):
    for _round in range(ROUNDS):
        enterprise = EnterpriseFactory(jurisdiction=district.community_a)
        case = to_notified(open_case(officer, enterprise, district.district), officer)
        # Both pages were loaded while the case was 告知: each holds its own copy of that state.
        first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
        today = timezone.localdate()

        outcomes = at_once(
            partial(
                services.case_decide, user=officer, case=first, decided_on=today, penalties=[fine("1000")]
            ),
            partial(
                services.case_decide, user=admin_user, case=second, decided_on=today, penalties=[fine("2000")]
            ),
        )

        refused = [o.error for o in outcomes if not o.ok]
        assert len(refused) == 1, refused
        assert isinstance(refused[0], ValidationError) and refused[0].code == "stale_state"
        assert "刷新" in refused[0].messages[0]
        case.refresh_from_db()
        assert case.state == CaseState.DECIDED
        amounts = list(Penalty.objects.filter(case=case).values_list("amount", flat=True))
        assert amounts == [Decimal("1000.00") if outcomes[0].ok else Decimal("2000.00")]
        assert case.events.filter(kind=CaseEventKind.TRANSITION, to_state=CaseState.DECIDED).count() == 1


def test_no_penalty_against_decision_at_once(sectors, district, officer, admin_user):
    for _round in range(ROUNDS):
        enterprise = EnterpriseFactory(jurisdiction=district.community_a)
        case = open_case(officer, enterprise, district.district, procedure=CaseProcedure.SIMPLE)
        today = timezone.localdate()
        outcomes = at_once(
            partial(
                services.case_decide,
                user=officer,
                case=Case.objects.get(pk=case.pk),
                decided_on=today,
                penalties=[fine("50")],
            ),
            partial(
                services.case_no_penalty, user=admin_user, case=Case.objects.get(pk=case.pk), reason="轻微"
            ),
        )
        assert sum(1 for o in outcomes if o.ok) == 1
        case.refresh_from_db()
        assert case.state == (CaseState.DECIDED if outcomes[0].ok else CaseState.NO_PENALTY)
        assert Penalty.objects.filter(case=case).count() == (1 if outcomes[0].ok else 0)


def test_cases_opened_at_once_get_consecutive_numbers(sectors, district, officer, admin_user):
    enterprise = EnterpriseFactory(jurisdiction=district.community_a)
    numbers: list[str] = []
    for _round in range(ROUNDS):
        outcomes = at_once(
            partial(services.case_open, user=officer, data=case_data(enterprise, district.district)),
            partial(services.case_open, user=admin_user, data=case_data(enterprise, district.district)),
        )
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        numbers.extend(o.value.number for o in outcomes)
    year = case_data(enterprise, district.district).opened_on.year
    assert sorted(numbers) == sorted(f"示范区案〔{year}〕{n}号" for n in range(1, 2 * ROUNDS + 1))
