"""Hostile values typed into forms and sent to the API: overlong text, negative or absurd amounts,
impossible dates. Each is a Chinese error on the field (a 400 by field on the API, the form again on a
page), never a 500 and never a row written."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hazards.choices import HazardSource
from hazards.models import DeadlineExtension, Hazard
from hazards.services import HazardData, extension_request, hazard_create
from inspections.models import InspectionAction
from tests.factories import UserFactory, make_uscc

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CJK = re.compile(r"[\u4e00-\u9fff]")


def day(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def chinese_400(response, field: str) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert field in body, body
    message = " ".join(body[field]) if isinstance(body[field], list) else str(body[field])
    assert CJK.search(message), message
    return message


def hazard_body(firm, **extra) -> dict:
    return {
        "enterprise": firm.pk,
        "source": "self",
        "description": "配电箱未接地",
        "found_on": day(-2),
        "deadline": day(20),
        **extra,
    }


MAJOR = {
    "level": "major",
    "responsible_person": "王厂长",
    "measures": "停用并更换",
    "funds": "12.50",
    "contingency_plan": "现场处置方案",
}


@pytest.mark.parametrize(
    "extra, field",
    [
        ({**MAJOR, "funds": "-0.01"}, "funds"),
        ({**MAJOR, "funds": "10000000000.00"}, "funds"),
        ({**MAJOR, "funds": "NaN"}, "funds"),
        ({**MAJOR, "funds": "Infinity"}, "funds"),
        ({"found_on": day(1)}, "found_on"),
        ({"found_on": day(-2), "deadline": day(-3)}, "deadline"),
        ({"found_on": "2026-02-30"}, "found_on"),
        ({"found_on": "0001-01-01"}, "found_on"),
        ({"location": "某" * 201}, "location"),
        ({"responsible_person": "某" * 51}, "responsible_person"),
        ({"enterprise": 10**20}, "enterprise"),
    ],
    ids=[
        "negative-funds",
        "funds-too-big",
        "funds-nan",
        "funds-infinity",
        "found-tomorrow",
        "deadline-before-found",
        "no-such-date",
        "found-in-year-1",
        "location-too-long",
        "person-too-long",
        "enterprise-id-out-of-range",
    ],
)
def test_hazard_api_refuses_in_chinese_by_field(api, officer, enterprise_a, extra, field):
    api.force_authenticate(officer)

    response = api.post("/api/v1/hazards/", hazard_body(enterprise_a, **extra), format="json")

    chinese_400(response, field)
    assert not Hazard.objects.exists()


def form_body(enterprise, **extra) -> dict:
    return {
        "enterprise": enterprise.pk,
        "source": "self",
        "level": "general",
        "description": "配电箱未接地",
        "found_on": day(-2),
        "deadline": day(20),
        **extra,
    }


@pytest.mark.parametrize(
    "extra, field",
    [
        ({**MAJOR, "funds": "-5"}, "funds"),
        ({"found_on": day(3)}, "found_on"),
        ({"deadline": day(-10)}, "deadline"),
        ({"found_on": "1900-01-01"}, "found_on"),
        ({"location": "某" * 201}, "location"),
        ({"responsible_person": "某" * 51}, "responsible_person"),
    ],
    ids=["negative-funds", "found-in-future", "deadline-before-found", "found-in-1900", "location", "person"],
)
def test_hazard_form_shows_the_error_on_the_field(client, officer, enterprise_a, extra, field):
    client.force_login(officer)

    response = client.post(reverse("hazards:hazard_create"), form_body(enterprise_a, **extra))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert CJK.search(errors[field][0])
    assert not Hazard.objects.exists()


@pytest.fixture
def hazard(officer, enterprise_a):
    return hazard_create(
        user=officer,
        data=HazardData(
            enterprise=enterprise_a,
            source=HazardSource.SELF_REPORT,
            description="配电箱未接地",
            found_on=TODAY - dt.timedelta(days=5),
            deadline=TODAY + dt.timedelta(days=10),
            responsible_unit=enterprise_a.township,
        ),
    )


@pytest.mark.parametrize(
    "action, body, field",
    [
        ("rectifications", {"text": "已整改", "done_on": day(1)}, "done_on"),
        ("rectifications", {"text": "已整改", "done_on": day(-30)}, "done_on"),
        ("extensions", {"new_deadline": day(5), "reason": "来不及"}, "new_deadline"),
        ("list", {"level": "district", "leader": "某" * 51, "listed_on": day(0)}, "leader"),
        (
            "list",
            {"level": "district", "leader": "张区长", "document": "某" * 61, "listed_on": day(0)},
            "document",
        ),
        ("list", {"level": "district", "leader": "张区长", "listed_on": day(2)}, "listed_on"),
        ("void", {"reason": "  "}, "reason"),
    ],
    ids=[
        "rectified-tomorrow",
        "rectified-before-found",
        "extension-earlier",
        "leader-too-long",
        "document-too-long",
        "listed-tomorrow",
        "void-without-reason",
    ],
)
def test_hazard_workflow_api_refuses_in_chinese(api, officer, township_a_user, hazard, action, body, field):
    api.force_authenticate(officer if action in ("list", "void") else township_a_user)
    encoding = "multipart" if action == "rectifications" else "json"  # photos come with it

    response = api.post(f"/api/v1/hazards/{hazard.pk}/{action}/", body, format=encoding)

    chinese_400(response, field)


def test_an_overlong_extension_decision_note_is_a_400_not_a_500(api, officer, township_a_user, hazard):
    extension = extension_request(
        user=township_a_user, hazard=hazard, new_deadline=TODAY + dt.timedelta(days=40), reason="设备到货晚"
    )
    api.force_authenticate(officer)

    response = api.post(
        f"/api/v1/hazards/{hazard.pk}/extensions/{extension.pk}/decide/",
        {"approve": False, "note": "某" * 301},
        format="json",
    )

    chinese_400(response, "note")
    assert DeadlineExtension.objects.get().status == "pending"


@pytest.fixture
def team(district):
    return [
        UserFactory(
            org_unit=district.dept_emergency,
            enforcement_cert_no=f"湘执{i}",
            enforcement_cert_expiry=TODAY + dt.timedelta(days=365),
        )
        for i in range(2)
    ]


def action_body(team, enterprise, **extra) -> dict:
    return {
        "date": day(0),
        "kind": "routine",
        "members": [u.pk for u in team],
        "records": [{"enterprise": enterprise.pk}],
        **extra,
    }


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"date": day(3)}, "date"),
        ({"date": "1900-01-01"}, "date"),
        ({"leader_name": "某" * 51, "is_leader_led": True, "leader_level": "district"}, "leader_name"),
        ({"experts": "某" * 201}, "experts"),
        ({"records": [{"enterprise": 10**20}]}, "records"),
    ],
    ids=[
        "done-in-the-future",
        "done-in-1900",
        "leader-too-long",
        "experts-too-long",
        "enterprise-id-out-of-range",
    ],
)
def test_inspection_api_refuses_in_chinese(api, officer, district, team, enterprise_a, extra, field):
    api.force_authenticate(officer)

    response = api.post(
        "/api/v1/inspection-actions/", action_body(team, enterprise_a, **extra), format="json"
    )

    chinese_400(response, field)
    assert not InspectionAction.objects.exists()


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"name": "某" * 201}, "name"),
        ({"address": "某" * 256}, "address"),
        ({"longitude": "999"}, "longitude"),
        ({"latitude": "-91"}, "latitude"),
        ({"uscc": "91330102MA2B3C4D5X"}, "uscc"),
    ],
    ids=["name-too-long", "address-too-long", "longitude", "latitude", "uscc-check-digit"],
)
def test_enterprise_api_refuses_in_chinese(api, officer, district, sectors, extra, field):
    api.force_authenticate(officer)
    body = {
        "uscc": make_uscc(),
        "name": "东城精密机械有限公司",
        "jurisdiction": district.community_a.pk,
        "sectors": [sectors["machinery"].pk],
        **extra,
    }

    response = api.post("/api/v1/enterprises/", body, format="json")

    body = response.json()
    # The coordinates' ranges are database constraints: their message comes without the field's name.
    chinese_400(response, field if field in body else "non_field_errors")
