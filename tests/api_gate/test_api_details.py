"""The API's small promises a client builds on: what the schema says, how a bad filter or a bad
token is answered, and that a filter does not tell an out-of-scope record from a missing one."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.choices import Role
from hazards import services as hazard_services
from inspections.models import InspectionKind
from inspections.services import action_create
from tests.factories import UserFactory
from tests.hazards.conftest import hazard_data


@pytest.fixture
def schema(client, officer) -> dict:
    client.force_login(officer)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def as_token(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


# ---------------------------------------------------------------- the schema


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Hazard", "category"),
        ("HazardDetail", "category"),
        ("HazardDetail", "supervising_department"),
        ("Enterprise", "supervising_department"),
        ("Enterprise", "risk_grade"),
    ],
)
def test_nullable_relations_are_nullable_in_the_schema(schema, component, field):
    prop = schema["components"]["schemas"][component]["properties"][field]
    assert prop.get("nullable") is True or {"type": "null"} in prop.get("oneOf", []), prop


def operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op


def test_every_operation_documents_its_refusals(schema):
    missing = []
    for path, method, op in operations(schema):
        codes = set(op["responses"])
        expected = {"401"}
        takes_input = method in {"post", "put", "patch"} or any(
            p["in"] == "query" and p["name"] != "page" for p in op.get("parameters", [])
        )
        if takes_input:
            expected.add("400")
        if method != "get":
            expected.add("403")
        if "{" in path:
            expected.add("404")
        if not expected <= codes:
            missing.append((method.upper(), path, sorted(expected - codes)))
    assert not missing


def test_refusals_have_a_body_described(schema):
    op = schema["paths"]["/api/v1/hazards/"]["get"]
    body = op["responses"]["400"]["content"]["application/json"]["schema"]
    assert body  # a client can read the per-field messages' shape


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/hazards/?overdue=null",
        "/api/v1/hazards/?listed=maybe",
        "/api/v1/hazards/figures/?overdue=null",
        "/api/v1/enterprises/?is_fire_key_unit=null",
        "/api/v1/enterprises/?has_major_hazard_source=2",
        "/api/v1/inspection-actions/?is_leader_led=null",
        "/api/v1/sectors/?is_active=null",
        "/api/v1/hazard-categories/?is_active=none",
    ],
)
def test_an_invalid_yes_no_filter_answers_400_in_chinese(api, officer, url):
    api.force_authenticate(officer)
    response = api.get(url)
    assert response.status_code == 400, response.content
    (messages,) = response.json().values()
    assert "true" in messages[0] and "false" in messages[0] and "请" in messages[0]


def test_yes_no_filters_still_take_true_false_and_empty(api, officer, enterprise_a, hazard_a):
    api.force_authenticate(officer)
    for value in ("true", "false", "True", "1", "0", ""):
        assert api.get(f"/api/v1/hazards/?overdue={value}").status_code == 200
    assert api.get("/api/v1/hazards/?overdue=false").json()["count"] == 1
    assert api.get("/api/v1/hazards/?overdue=true").json()["count"] == 0


@pytest.fixture
def hazard_a(officer, enterprise_a):
    return hazard_services.hazard_create(user=officer, data=hazard_data(enterprise_a))


@pytest.fixture
def record_b(officer, district, enterprise_b):
    action = action_create(
        user=officer,
        date=dt.date(2026, 5, 6),
        organizer=district.township_b,
        kind=InspectionKind.objects.get(code="special"),
        members=[
            UserFactory(
                org_unit=district.dept_emergency,
                role=Role.OFFICER,
                enforcement_cert_no=f"湘执{i:04d}",
                enforcement_cert_expiry=dt.date(2099, 12, 31),
            )
            for i in range(2)
        ],
        enterprises=[enterprise_b],
    )
    return action.records.get()


@pytest.mark.parametrize("name", ["enterprise", "action"])
def test_record_filter_does_not_tell_out_of_scope_from_missing(api, township_a_user, record_b, name):
    api.force_authenticate(township_a_user)
    existing = getattr(record_b, f"{name}_id")
    outside = api.get(f"/api/v1/inspection-records/?{name}={existing}")
    missing = api.get(f"/api/v1/inspection-records/?{name}={existing + 100000}")
    assert (outside.status_code, outside.json()) == (missing.status_code, missing.json())
    assert outside.status_code == 200 and outside.json()["count"] == 0
    assert api.get(f"/api/v1/inspection-records/?{name}=abc").status_code == 400
    assert api.get(f"/api/v1/inspection-records/?{name}={10**20}").json()["count"] == 0  # no overflow


# ---------------------------------------------------------------- authentication


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Token not-a-real-token"}, {"HTTP_AUTHORIZATION": "Token"}],
    ids=["missing", "bad", "empty"],
)
def test_a_missing_or_bad_token_answers_401_with_www_authenticate(db, headers):
    response = APIClient().get("/api/v1/hazards/", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_good_token_and_a_browser_session_still_work(client, officer):
    assert as_token(officer).get("/api/v1/hazards/").status_code == 200
    client.force_login(officer)
    assert client.get("/api/v1/hazards/").status_code == 200


# ---------------------------------------------------------------- addresses no route matches


@pytest.mark.parametrize(
    "path", ["/api/v1/hazards/-1/", "/api/v1/hazards/1/photos/-5/", "/api/v1/no-such-thing/"]
)
def test_an_api_address_no_route_matches_answers_json_404(officer, path):
    response = as_token(officer).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_a_page_address_no_route_matches_keeps_the_404_page(client, officer):
    client.force_login(officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]
