"""举报 and 事故 under concurrency: two people concluding the same report at once (one conclusion, the
other told "stale_state"), two registering a hazard from it at once (one hazard), and accidents recorded
at once numbered without gaps or repeats."""

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from enforcement.choices_tips import TipChannel, TipState
from enforcement.models import Tip
from enforcement.services import (
    TipData,
    tip_check_start,
    tip_conclude,
    tip_create,
    tip_create_hazard,
    tip_reward,
)
from hazards.models import Accident, AccidentCategory, Hazard
from hazards.services import AccidentData, accident_create
from tests.factories import EnterpriseFactory
from tests.races.conftest import ROUNDS, at_once

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = dt.date.today


def _tip(officer, enterprise) -> Tip:
    tip = tip_create(
        user=officer,
        data=TipData(
            received_on=TODAY(), channel=TipChannel.PHONE, content="通道堵塞", enterprise=enterprise
        ),
    )
    return tip_check_start(user=officer, tip=tip)


def test_two_conclusions_at_once_one_wins(sectors, district, officer, admin_user, township_a_user):
    for _round in range(ROUNDS):
        tip = _tip(officer, EnterpriseFactory(jurisdiction=district.community_a))
        outcomes = at_once(
            partial(
                tip_conclude,
                user=officer,
                tip=Tip.objects.get(pk=tip.pk),
                substantiated=True,
                checked_on=TODAY(),
                result="属实",
            ),
            partial(
                tip_conclude,
                user=township_a_user,
                tip=Tip.objects.get(pk=tip.pk),
                substantiated=False,
                checked_on=TODAY(),
                result="不属实",
            ),
        )
        refused = [o.error for o in outcomes if not o.ok]
        assert len(refused) == 1 and isinstance(refused[0], ValidationError)
        assert refused[0].code == "stale_state"
        tip.refresh_from_db()
        assert tip.state == (TipState.SUBSTANTIATED if outcomes[0].ok else TipState.UNSUBSTANTIATED)


def test_two_hazards_from_one_report_at_once_make_one(sectors, district, officer, admin_user):
    for _round in range(ROUNDS):
        tip = _tip(officer, EnterpriseFactory(jurisdiction=district.community_a))
        tip = tip_conclude(user=officer, tip=tip, substantiated=True, checked_on=TODAY(), result="属实")
        deadline = TODAY() + dt.timedelta(days=10)
        outcomes = at_once(
            partial(tip_create_hazard, user=officer, tip=Tip.objects.get(pk=tip.pk), deadline=deadline),
            partial(tip_create_hazard, user=admin_user, tip=Tip.objects.get(pk=tip.pk), deadline=deadline),
        )
        assert sum(1 for o in outcomes if o.ok) == 1
        assert Hazard.objects.filter(tips=tip).count() == 1
        assert Hazard.objects.filter(enterprise=tip.enterprise).count() == 1


def test_two_rewards_at_once_pay_once(sectors, district, officer, admin_user):
    tip = _tip(officer, EnterpriseFactory(jurisdiction=district.community_a))
    tip = tip_conclude(user=officer, tip=tip, substantiated=True, checked_on=TODAY(), result="属实")
    outcomes = at_once(
        partial(
            tip_reward, user=officer, tip=Tip.objects.get(pk=tip.pk), amount=Decimal("500"), paid_on=TODAY()
        ),
        partial(
            tip_reward,
            user=admin_user,
            tip=Tip.objects.get(pk=tip.pk),
            amount=Decimal("800"),
            paid_on=TODAY(),
        ),
    )
    assert sum(1 for o in outcomes if o.ok) == 1
    tip.refresh_from_db()
    assert tip.reward_amount == (Decimal("500") if outcomes[0].ok else Decimal("800"))


def test_accidents_recorded_at_once_are_numbered_without_gaps(sectors, district, officer, admin_user):
    category = AccidentCategory.objects.get(code="fall")

    def data():
        return AccidentData(
            occurred_on=TODAY(),
            township=district.township_a,
            sector=sectors["construction"],
            category=category,
            summary="坠落",
        )

    for _round in range(ROUNDS):
        outcomes = at_once(
            partial(accident_create, user=officer, data=data()),
            partial(accident_create, user=admin_user, data=data()),
        )
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    numbers = sorted(Accident.objects.values_list("number", flat=True))
    year = TODAY().year
    assert numbers == [f"SG{year}{n:05d}" for n in range(1, 2 * ROUNDS + 1)]
