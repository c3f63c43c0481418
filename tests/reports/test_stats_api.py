"""/api/v1/metrics/ and /api/v1/stats/: the registry, the report_stats contract, scoping (a scope the
caller may not see is 404), the defaults, bad periods (400 in Chinese), and the schema."""

import io
import json

import pytest
from django.core.management import call_command

from accounts.choices import Role
from reports.periods import Period, today
from reports.registry import all_metrics
from tests.factories import UserFactory

from .activities_ledger import build

pytestmark = pytest.mark.django_db

METRICS = "/api/v1/metrics/"
STATS = "/api/v1/stats/"


@pytest.fixture
def ledger(officer, township_a_user, township_b_user, department_user, district, enterprise_a, enterprise_b):
    build(
        officer=officer,
        township_a_user=township_a_user,
        township_b_user=township_b_user,
        department_user=department_user,
        district=district,
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
    )
    return district


def get(api, user, url, **params):
    api.force_authenticate(user)
    return api.get(url, params)


def test_the_registry_lists_every_metric_with_its_definition(api, township_a_user):
    response = get(api, township_a_user, METRICS)
    assert response.status_code == 200
    body = response.json()
    rows = body["metrics"]
    assert [r["key"] for r in rows] == [m.key for m in all_metrics()]
    assert body["domains"][0] == {"code": "accidents", "label": "事故"}
    assert {"code": "talks", "label": "约谈"} in body["domains"]
    banner = next(r for r in rows if r["key"] == "activities.publicity.banner")
    assert banner["label"] == "宣传·横幅"
    assert (banner["unit"], banner["kind"], banner["domain"]) == ("条", "sum", "activities")
    assert "组织单位" in banner["definition"]
    assert set(banner) >= {"key", "label", "unit", "kind", "domain", "definition"}


def test_stats_is_the_report_stats_contract(api, officer, ledger):
    response = get(api, officer, STATS, period="2026-Q2", scope="district")
    assert response.status_code == 200
    payload = response.json()
    out = io.StringIO()
    call_command("report_stats", year=2026, quarter=2, stdout=out)
    assert payload == json.loads(out.getvalue())
    assert payload["period"] == {"start": "2026-04-01", "end": "2026-06-30", "label": "2026年第二季度"}
    assert payload["scope"] == {"code": "district", "name": "示范区"}
    assert payload["metrics"]["activities.publicity.banner"] == {
        "value": 32,
        "text": "32条",
        "previous": 40,
        "change_pct": -20,
    }


def test_the_defaults_are_this_year_and_the_callers_own_scope(api, officer, township_a_user, ledger):
    year = Period.containing("year", today())
    mine = get(api, township_a_user, STATS).json()
    assert mine["period"] == {
        "start": year.start.isoformat(),
        "end": year.end.isoformat(),
        "label": year.label,
    }
    assert mine["scope"] == {"code": str(ledger.township_a.pk), "name": "东城街道"}
    assert get(api, officer, STATS).json()["scope"]["code"] == "district"


def test_a_township_user_sees_its_own_township_only(api, township_a_user, ledger):
    own = get(api, township_a_user, STATS, period="2026", scope=str(ledger.township_a.pk))
    assert own.status_code == 200
    assert own.json()["metrics"]["activities.publicity.banner"]["value"] == 25
    assert get(api, township_a_user, STATS, period="2026", scope="东城社区").status_code == 200  # under A
    for other in ("district", str(ledger.township_b.pk), "西山镇", str(ledger.dept_construction.pk)):
        refused = get(api, township_a_user, STATS, period="2026", scope=other)
        assert refused.status_code == 404, other
        assert "metrics" not in refused.json()
    # A scope that does not exist answers as one that is not the caller's.
    missing = get(api, township_a_user, STATS, scope="999999")
    assert (missing.status_code, missing.json()) == (404, refused.json())


def test_a_department_sees_its_own_figures(api, department_user, ledger):
    own = get(api, department_user, STATS, period="2026").json()
    assert own["scope"]["code"] == str(ledger.dept_construction.pk)
    assert own["metrics"]["activities.training.leaflet"]["value"] == 200
    assert get(api, department_user, STATS, scope=str(ledger.township_a.pk)).status_code == 404


def test_a_leader_sees_the_district_and_any_township(api, leader, ledger):
    district = get(api, leader, STATS, period="2026")
    assert district.status_code == 200 and district.json()["scope"]["code"] == "district"
    assert district.json()["metrics"]["talks.township"]["value"] == 2
    township_b = get(api, leader, STATS, period="2026", scope=str(ledger.township_b.pk))
    assert township_b.json()["metrics"]["activities.publicity.banner"]["value"] == 7


def test_a_township_leader_sees_the_township_only(api, ledger):
    township_leader = UserFactory(username="leader_a", role=Role.LEADER, org_unit=ledger.township_a)
    own = get(api, township_leader, STATS, period="2026")
    assert own.status_code == 200 and own.json()["scope"]["code"] == str(ledger.township_a.pk)
    assert get(api, township_leader, STATS, period="2026", scope="district").status_code == 404


def test_another_township_is_an_outsider_to_township_a(api, township_b_user, ledger):
    assert get(api, township_b_user, STATS, period="2026", scope=str(ledger.township_a.pk)).status_code == 404
    assert get(api, township_b_user, STATS, period="2026", scope="东城街道").status_code == 404
    own = get(api, township_b_user, STATS, period="2026").json()
    assert own["metrics"]["activities.publicity.banner"]["value"] == 7


def test_anonymous_is_refused(api, district):
    assert api.get(STATS).status_code in (401, 403)
    assert api.get(METRICS).status_code in (401, 403)


@pytest.mark.parametrize(
    "period", ["2026-Q5", "2026-M13", "26", "last year", "1900", "2026-H3", "2026\x00", "9" * 30]
)
def test_a_bad_period_is_400_in_chinese(api, officer, period):
    response = get(api, officer, STATS, period=period)
    assert response.status_code == 400
    assert "统计期间" in response.json()["period"][0]


@pytest.mark.parametrize("scope", ["9" * 30, "abc\x00", "x" * 500, "-1"])
def test_a_strange_scope_is_404_not_an_error(api, officer, scope):
    assert get(api, officer, STATS, period="2026", scope=scope).status_code == 404


def test_writes_are_refused(api, officer):
    api.force_authenticate(officer)
    assert api.post(STATS, {}).status_code == 405
    assert api.post(METRICS, {}).status_code == 405


def test_the_query_count_does_not_grow_with_the_records(api, officer, ledger, django_assert_max_num_queries):
    # Two aggregate queries per metric (the period and the year before) and a few for the request.
    with django_assert_max_num_queries(2 * len(all_metrics()) + 12):
        assert get(api, officer, STATS, period="2026").status_code == 200


def test_the_schema_lists_both_paths(api, officer):
    api.force_authenticate(officer)
    schema = api.get("/api/schema/?format=json").json()
    stats = schema["paths"][STATS]["get"]
    assert {p["name"] for p in stats["parameters"]} == {"period", "scope"}
    assert {"200", "400", "401", "404"} <= set(stats["responses"])
    assert set(schema["paths"][METRICS]) == {"get"}
    figure = schema["components"]["schemas"]["Stats"]["properties"]["metrics"]
    assert figure["additionalProperties"]["$ref"].endswith("/Figure")
