"""Hazard fixtures and helpers shared by the hazard tests: a hazard in township A (machinery firm) and one
in township B (construction), the steps of the closed loop, photos, an API client, an inspection with
不符合 items to register as hazards."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from hazards import services
from hazards.choices import HazardLevel, HazardSource
from hazards.models import Hazard
from hazards.services import HazardData, hazard_create
from inspections.choices import CheckResultValue
from inspections.models import CheckItem, InspectionKind
from inspections.services import ResultData, VisitData, action_create

HAZARDS = "/api/v1/hazards/"
TODAY = timezone.localdate


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


def record(user, enterprise, **extra) -> Hazard:
    """登记隐患 through the service, with hazard_data's defaults."""
    return services.hazard_create(user=user, data=hazard_data(enterprise, **extra))


def to_verifying(hazard, user, text: str = "已整改") -> Hazard:
    services.rectification_create(user=user, hazard=hazard, text=text, done_on=TODAY())
    return services.hazard_submit(user=user, hazard=hazard)


def to_closed(hazard, follower, officer) -> Hazard:
    to_verifying(hazard, follower)
    return services.hazard_verify(user=officer, hazard=hazard, passed=True)


def png(name="p.png", size=(8, 8), mode="RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def payload(enterprise, **extra) -> dict:
    """An API body recording a hazard of `enterprise`."""
    return {
        "enterprise": enterprise.pk,
        "source": "self",
        "description": "配电箱未接地",
        "found_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
        "deadline": (TODAY() + dt.timedelta(days=20)).isoformat(),
        **extra,
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def hazard_a(officer, enterprise_a):
    return hazard_create(user=officer, data=hazard_data(enterprise_a))


@pytest.fixture
def hazard_b(officer, enterprise_b):
    return hazard_create(user=officer, data=hazard_data(enterprise_b))


@pytest.fixture
def inspection(officer, district, enterprise_a, enterprise_b):
    """One inspection of A (one 不符合 item, one 符合) and of B (one 不符合)."""
    bad = CheckItem.objects.create(sector=enterprise_a.sectors.get(), code="JX-01", title="防护罩缺失")
    good = CheckItem.objects.create(sector=enterprise_a.sectors.get(), code="JX-02", title="通道畅通")
    site = CheckItem.objects.create(sector=enterprise_b.sectors.get(), code="JZ-01", title="临边防护缺失")
    action = action_create(
        user=officer,
        date=TODAY(),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a, enterprise_b],
        visits={
            enterprise_a.pk: VisitData(
                results=[
                    ResultData(bad.pk, CheckResultValue.NONCOMPLIANT, "冲床无防护罩"),
                    ResultData(good.pk, CheckResultValue.COMPLIANT, ""),
                ]
            ),
            enterprise_b.pk: VisitData(results=[ResultData(site.pk, CheckResultValue.NONCOMPLIANT, "")]),
        },
    )
    a = action.records.get(enterprise=enterprise_a)
    b = action.records.get(enterprise=enterprise_b)
    return {
        "record_a": a,
        "record_b": b,
        "bad": a.results.get(item=bad),
        "good": a.results.get(item=good),
        "site": b.results.get(item=site),
    }
