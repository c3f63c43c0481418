"""Two people acting on one hazard at the same instant: exactly one transition happens; the other is
told the hazard moved under them (code "stale_state", the API's 409) and nothing is written twice."""

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from hazards import services
from hazards.choices import EventKind, HazardState
from hazards.models import Hazard
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.services import ResultData, VisitData, action_create
from tests.factories import EnterpriseFactory
from tests.hazards.conftest import TODAY, hazard_data, to_verifying
from tests.races.conftest import ROUNDS, at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_people_verifying_at_once_exactly_one_transition(sectors, district, officer, admin_user):
    for _round in range(ROUNDS):
        enterprise = EnterpriseFactory(jurisdiction=district.community_a)
        hazard = services.hazard_create(user=officer, data=hazard_data(enterprise))
        to_verifying(hazard, officer)
        # Both pages were loaded while the hazard was 待复查: each holds its own copy of that state.
        pass_copy, fail_copy = Hazard.objects.get(pk=hazard.pk), Hazard.objects.get(pk=hazard.pk)

        outcomes = at_once(
            partial(services.hazard_verify, user=officer, hazard=pass_copy, passed=True),
            partial(services.hazard_verify, user=admin_user, hazard=fail_copy, passed=False, note="不合格"),
        )

        refused = [o.error for o in outcomes if not o.ok]
        assert len(refused) == 1, refused
        assert isinstance(refused[0], ValidationError) and refused[0].code == "stale_state"
        assert "刷新" in refused[0].messages[0]
        hazard.refresh_from_db()
        assert hazard.state == (HazardState.CLOSED if outcomes[0].ok else HazardState.RECTIFYING)
        transitions = hazard.events.filter(kind=EventKind.TRANSITION, from_state=HazardState.VERIFYING)
        assert transitions.count() == 1


def test_two_clicks_on_register_as_hazard_at_once_make_one_hazard(sectors, district, officer, admin_user):
    item = CheckItem.objects.create(sector=sectors["machinery"], code="JX-09", title="防护罩缺失")
    for _round in range(ROUNDS):
        enterprise = EnterpriseFactory(jurisdiction=district.community_a, sectors=[sectors["machinery"]])
        action = action_create(
            user=officer,
            date=TODAY(),
            organizer=district.dept_emergency,
            kind=InspectionKind.objects.get(code="supervision"),
            members=[officer],
            enterprises=[enterprise],
            visits={
                enterprise.pk: VisitData(results=[ResultData(item.pk, CheckResultValue.NONCOMPLIANT, "")])
            },
        )
        result = action.records.get().results.get()
        click = partial(
            services.hazard_from_check_result, check_result=result, deadline=TODAY() + dt.timedelta(days=30)
        )

        outcomes = at_once(partial(click, user=officer), partial(click, user=admin_user))

        refused = [o.error for o in outcomes if not o.ok]
        assert len(refused) == 1, refused
        assert isinstance(refused[0], ValidationError) and "已登记为隐患" in str(refused[0].messages)
        assert Hazard.objects.filter(check_result=result).count() == 1
