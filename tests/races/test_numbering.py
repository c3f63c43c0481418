"""Numbers issued at the same instant stay unique and gap-free: the counter itself, 检查行动 and
现场检查记录 numbers of two officers of one organiser, and YH hazard numbers of one district."""

import datetime as dt
import re
from functools import partial

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.services import number_next
from hazards import services as hazard_services
from hazards.models import Hazard
from inspections.models import InspectionAction, InspectionKind, InspectionRecord
from inspections.services import action_create
from tests.factories import UserFactory
from tests.hazards.conftest import hazard_data
from tests.races.conftest import ROUNDS, at_once, errors

pytestmark = pytest.mark.django_db(transaction=True)

EACH = 3  # numbers each racer takes one after the other, so the racers interleave


def serials(numbers, pattern: str) -> list[int]:
    return sorted(int(re.fullmatch(pattern, n).group(1)) for n in numbers)


def take(unit, year: int) -> list[int]:
    taken = []
    for _ in range(EACH):
        with transaction.atomic():
            taken.append(number_next(series="inspection", org_unit=unit, year=year))
    return taken


def test_concurrent_callers_get_distinct_consecutive_numbers(district):
    for round_ in range(ROUNDS):
        # A year no one has numbered yet: the racers also meet creating the counter row itself.
        year = 2000 + round_

        outcomes = at_once(*[partial(take, district.township_a, year)] * 4)

        assert not errors(outcomes)
        assert sorted(n for o in outcomes for n in o.value) == list(range(1, 4 * EACH + 1))


def enter_inspections(user, *, day, organizer, kind, enterprise) -> list[str]:
    return [
        action_create(
            user=user, date=day, organizer=organizer, kind=kind, members=[user], enterprises=[enterprise]
        ).number
        for _ in range(EACH)
    ]


def test_two_officers_entering_inspections_at_once_get_gapless_unique_numbers(
    district, officer, enterprise_a
):
    colleague = UserFactory(role=Role.OFFICER, org_unit=district.dept_emergency)
    kind = InspectionKind.objects.get(code="supervision")  # no 执法证 needed: one member suffices
    unit = district.dept_emergency
    today = timezone.localdate()
    for round_ in range(ROUNDS):
        day = dt.date(today.year - round_, 1, 15)  # a fresh year each round: the first number is made too
        enter = partial(enter_inspections, day=day, organizer=unit, kind=kind, enterprise=enterprise_a)

        outcomes = at_once(partial(enter, officer), partial(enter, colleague))

        assert not errors(outcomes)
        actions = InspectionAction.objects.filter(organizer=unit, date=day)
        numbers = list(actions.values_list("number", flat=True))
        assert sorted(numbers) == sorted(n for o in outcomes for n in o.value)
        assert serials(numbers, rf"区应急管理局检〔{day.year}〕(\d+)号") == list(range(1, 2 * EACH + 1))
        records = InspectionRecord.objects.filter(action__in=actions).values_list("number", flat=True)
        assert serials(records, rf"区应急管理局现检〔{day.year}〕(\d+)号") == list(range(1, 2 * EACH + 1))


def record_hazards(user, enterprise, *, found_days_ago: int) -> list[str]:
    data = hazard_data(enterprise, found_days_ago=found_days_ago, days=365 * 30)
    return [hazard_services.hazard_create(user=user, data=data).number for _ in range(EACH)]


def test_two_people_recording_hazards_at_once_get_gapless_unique_yh_numbers(
    district, officer, admin_user, enterprise_a, enterprise_b
):
    today = timezone.localdate()
    for round_ in range(ROUNDS):
        ago = (today - dt.date(today.year - round_, 3, 1)).days

        outcomes = at_once(
            partial(record_hazards, officer, enterprise_a, found_days_ago=ago),
            partial(record_hazards, admin_user, enterprise_b, found_days_ago=ago),
        )

        assert not errors(outcomes)
        year = today.year - round_
        numbers = Hazard.objects.filter(found_on__year=year).values_list("number", flat=True)
        assert sorted(numbers) == sorted(n for o in outcomes for n in o.value)
        assert serials(numbers, rf"YH{year}(\d{{5}})") == list(range(1, 2 * EACH + 1))
