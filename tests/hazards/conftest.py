"""Hazard fixtures: a hazard in township A (machinery firm) and one in township B (construction)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from hazards.choices import HazardLevel, HazardSource
from hazards.services import HazardData, hazard_record


def hazard_data(enterprise, *, level=HazardLevel.GENERAL, days=30, found_days_ago=5, **extra) -> HazardData:
    today = timezone.localdate()
    fields = {
        "enterprise": enterprise,
        "source": HazardSource.SELF_REPORT,
        "description": "配电箱未接地",
        "found_on": today - dt.timedelta(days=found_days_ago),
        "deadline": today - dt.timedelta(days=found_days_ago) + dt.timedelta(days=days),
        "responsible_unit": enterprise.township,
        "level": level,
    }
    if level == HazardLevel.MAJOR:
        fields.update(
            responsible_person="王厂长",
            measures="停用并更换",
            funds=Decimal("12.50"),
            contingency_plan="现场应急处置方案",
        )
    fields.update(extra)
    return HazardData(**fields)


@pytest.fixture
def hazard_a(officer, enterprise_a):
    return hazard_record(user=officer, data=hazard_data(enterprise_a))


@pytest.fixture
def hazard_b(officer, enterprise_b):
    return hazard_record(user=officer, data=hazard_data(enterprise_b))
