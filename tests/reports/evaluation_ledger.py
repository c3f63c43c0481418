"""The small November 2026 ledger the monthly evaluation's tests score (see tests/reports/test_evaluation.py
for the figures worked out by hand), and helpers to build it through the apps' services."""

import datetime as dt

from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.models import Activity, ActivitySubtype, ActivityType
from hazards import services as hazard_services
from hazards.choices import HazardLevel
from inspections import services as inspection_services
from inspections.models import InspectionKind
from inspections.services import TargetData
from reports import services_evaluation as services
from reports.periods import Period
from tests.hazards.conftest import hazard_data

D = dt.date
NOVEMBER = Period(2026, "month", 11)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def hazard(officer, enterprise, found, deadline, *, level=HazardLevel.GENERAL, closed=None, listed=None):
    h = hazard_services.hazard_create(
        user=officer, data=hazard_data(enterprise, level=level, found_on=found, deadline=deadline)
    )
    if listed is not None:
        hazard_services.listing_create(
            user=officer, hazard=h, level="district", listed_on=listed, leader="张区长", document=""
        )
    if closed is not None:
        hazard_services.rectification_create(
            user=officer, hazard=h, text="已整改", done_on=closed, submit=True
        )
        hazard_services.hazard_verify(user=officer, hazard=h, passed=True, on=closed)
    return h


def activity(user, unit, day, entered):
    data = campaign_services.ActivityData(
        date=day,
        type=ActivityType.objects.get(code="publicity"),
        subtype=ActivitySubtype.objects.get(code="safety-month"),
        theme=f"{unit.name}宣传{day}",
        organiser=unit,
    )
    created = campaign_services.activity_create(user=user, data=data)
    Activity.objects.filter(pk=created.pk).update(created=at(entered))
    return created


def build_ledger(district, officer, township_a_user, enterprise_a):
    hazard(officer, enterprise_a, D(2026, 11, 2), D(2026, 11, 17), closed=D(2026, 11, 10))
    hazard(officer, enterprise_a, D(2026, 11, 5), D(2026, 11, 20), closed=D(2026, 11, 18))
    hazard(officer, enterprise_a, D(2026, 11, 10), D(2026, 11, 25), closed=D(2026, 11, 28))
    hazard(officer, enterprise_a, D(2026, 11, 20), D(2026, 11, 25))
    hazard(officer, enterprise_a, D(2026, 10, 1), D(2026, 10, 16))
    hazard(officer, enterprise_a, D(2026, 10, 1), D(2026, 10, 31), level=HazardLevel.MAJOR)
    hazard(
        officer, enterprise_a, D(2026, 10, 1), D(2026, 10, 31), level=HazardLevel.MAJOR, listed=D(2026, 11, 5)
    )
    supervision = InspectionKind.objects.get(code="supervision")
    inspection_services.plan_create(
        user=officer,
        organizer=district.township_a,
        year=2026,
        month=11,
        title="东城11月检查计划",
        targets=[TargetData(4, kind=supervision), TargetData(1)],
    )
    for day in (D(2026, 11, 6), D(2026, 11, 16)):
        inspection_services.action_create(
            user=township_a_user,
            date=day,
            organizer=district.township_a,
            kind=supervision,
            members=[township_a_user],
            enterprises=[enterprise_a],
        )
    activity(township_a_user, district.township_a, D(2026, 11, 10), D(2026, 11, 20))
    activity(township_a_user, district.township_a, D(2026, 11, 28), D(2026, 12, 2))
    return district


def row_of(evaluation, unit):
    return next(r for r in evaluation.results["rows"] if r["unit_id"] == unit.pk)


def enter_all(officer, evaluation, district, a="8", b="9"):
    for unit, score in ((district.township_a, a), (district.township_b, b)):
        services.evaluation_score_enter(
            user=officer,
            evaluation=evaluation,
            indicator_code="work-done",
            unit_id=unit.pk,
            score=score,
            reason="督查交办事项落实情况",
        )
    evaluation.refresh_from_db()
    return evaluation
