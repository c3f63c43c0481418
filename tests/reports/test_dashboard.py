"""The 统计 page, the drill-down behind each figure, 重新计算 and the leader's home panel.

A small world of last year (so the dates never cross a year boundary whatever day the tests run),
built through the apps' services: in township A a hazard closed in time and a major hazard under
挂牌督办, in township B an overdue hazard; one inspection visiting both townships; a case; an accident
with one death. `grow()` adds the same again, to compare the pages' query counts on 1× and 3× data.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import OrgKind, Role
from accounts.models import OrgUnit
from hazards import services as hazard_services
from hazards.choices import HazardLevel
from inspections.models import InspectionKind
from inspections.services import action_create
from reports import registry
from reports.models import Rollup
from reports.periods import Period
from reports.rollups import rollup_compute
from reports.scopes import WHOLE_DISTRICT, StatsScope, scopes_for_user, townships
from reports.selectors_dashboard import ranking_units
from tests.enforcement.conftest import open_case
from tests.factories import UserFactory
from tests.hazards.conftest import hazard_data
from tests.hazards.test_accidents import record as accident_record

pytestmark = pytest.mark.django_db

YEAR = dt.date.today().year - 1
PERIOD = Period(YEAR, "year")
D = dt.date


def grow(*, officer, township_a_user, district, enterprise_a, enterprise_b, sectors):
    """One round of records, all in June of last year."""
    closed = hazard_services.hazard_create(
        user=officer, data=hazard_data(enterprise_a, found_on=D(YEAR, 6, 1), deadline=D(YEAR, 6, 30))
    )
    hazard_services.rectification_create(
        user=township_a_user, hazard=closed, text="已整改", done_on=D(YEAR, 6, 10)
    )
    hazard_services.hazard_submit(user=township_a_user, hazard=closed)
    hazard_services.hazard_verify(user=officer, hazard=closed, passed=True, on=D(YEAR, 6, 12))
    major = hazard_services.hazard_create(
        user=officer,
        data=hazard_data(
            enterprise_a, level=HazardLevel.MAJOR, found_on=D(YEAR, 6, 2), deadline=D(YEAR + 3, 1, 1)
        ),
    )
    hazard_services.listing_create(
        user=officer,
        hazard=major,
        level="district",
        listed_on=D(YEAR, 6, 3),
        leader="李区长",
        document="安委办〔1〕号",
    )
    hazard_services.hazard_create(
        user=officer, data=hazard_data(enterprise_b, found_on=D(YEAR, 6, 1), deadline=D(YEAR, 6, 15))
    )
    action_create(
        user=officer,
        date=D(YEAR, 6, 5),
        organizer=district.dept_emergency,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a, enterprise_b],
    )
    open_case(officer, enterprise_a, district.dept_emergency, opened_on=D(YEAR, 6, 8))
    accident_record(officer, district.township_a, sectors["construction"], D(YEAR, 6, 9), deaths=1)


@pytest.fixture
def world(officer, township_a_user, district, enterprise_a, enterprise_b, sectors):
    args = {
        "officer": officer,
        "township_a_user": township_a_user,
        "district": district,
        "enterprise_a": enterprise_a,
        "enterprise_b": enterprise_b,
        "sectors": sectors,
    }
    grow(**args)
    return args


def count_on_page(response) -> int:
    match = re.search(r'id="figure-count" data-count="(\d+)"', response.content.decode())
    assert match, "the drill page shows how many records it lists"
    return int(match.group(1))


def drill(client, key, stats_scope=WHOLE_DISTRICT, period=PERIOD):
    return client.get(f"/reports/figures/{key}/", {"period": period.key, "scope": stats_scope.code})


# ---------------------------------------------------------------- pages per role


def test_officer_sees_the_stored_figures_and_when_they_were_computed(client, officer, world):
    client.force_login(officer)
    response = client.get("/reports/", {"period": PERIOD.key})
    assert response.status_code == 200
    page = response.content.decode()
    assert "本期首次查看，已即时计算并保存" in page  # nothing was stored: computed once, now stored
    rollup = Rollup.objects.get(period_key=PERIOD.key, scope_code="district")
    assert rollup.figures["hazards.found"]["value"] == 3
    assert f"数据计算于 {rollup.computed_at.astimezone().strftime('%Y-%m-%d %H:%M')}" in page
    # The key figures are links to the records behind them.
    found_url = f"/reports/figures/hazards.found/?period={PERIOD.key}&amp;scope=district"
    assert found_url in page
    assert 'data-figure="hazards.found"' in page
    assert 'id="recompute-form"' in page and "导出Excel" in page
    # A second visit reads the stored row, says nothing of computing.
    again = client.get("/reports/", {"period": PERIOD.key}).content.decode()
    assert "本期首次查看" not in again
    assert Rollup.objects.filter(period_key=PERIOD.key, scope_code="district").count() == 1


def test_the_period_picker_reads_year_and_part(client, officer, world):
    client.force_login(officer)
    response = client.get("/reports/", {"year": YEAR, "part": "Q2"})
    assert response.status_code == 200
    assert response.context["period"] == Period(YEAR, "quarter", 2)
    assert response.context["stored"].figures["hazards.found"].value == 3
    q3 = client.get("/reports/", {"year": YEAR, "part": "Q3"})
    assert q3.context["stored"].figures["hazards.found"].value == 0
    bad = client.get("/reports/", {"period": "2026-Q9"})
    assert bad.status_code == 200 and "无法识别" in bad.content.decode()


def test_a_township_sees_its_own_figures_only(client, township_a_user, district, world):
    client.force_login(township_a_user)
    response = client.get("/reports/", {"period": PERIOD.key})
    assert response.status_code == 200
    assert response.context["stats_scope"] == StatsScope(district.township_a)
    figures = response.context["stored"].figures
    assert figures["hazards.found"].value == 2  # B's overdue hazard is not theirs
    assert figures["hazards.overdue"].value == 0
    assert response.context["ranking"] is None
    assert 'id="pick-scope"' not in response.content.decode()
    assert 'id="recompute-form"' not in response.content.decode()
    assert client.get("/reports/", {"scope": "district"}).status_code == 404
    assert client.get("/reports/", {"scope": district.township_b.pk}).status_code == 404
    assert drill(client, "hazards.found").status_code == 404
    assert drill(client, "hazards.found", StatsScope(district.township_b)).status_code == 404
    assert count_on_page(drill(client, "hazards.found", StatsScope(district.township_a))) == 2


def test_a_department_sees_its_own_unit(client, department_user, district, world):
    client.force_login(department_user)
    response = client.get("/reports/", {"period": PERIOD.key})
    assert response.status_code == 200
    assert response.context["stats_scope"] == StatsScope(district.dept_construction)
    assert client.get("/reports/", {"scope": "district"}).status_code == 404


def test_a_leader_picks_any_scope_and_sees_the_ranking(client, leader, district, world):
    client.force_login(leader)
    response = client.get("/reports/", {"period": PERIOD.key})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="pick-scope"' in page and 'id="recompute-form"' not in page
    assert client.get("/reports/", {"period": PERIOD.key, "scope": district.township_b.pk}).status_code == 200
    # The ranking reads the townships' stored roll-ups: none yet, then computed.
    assert response.context["ranking"]["missing"] == 2
    for unit in (district.township_a, district.township_b):
        rollup_compute(period=PERIOD, stats_scope=StatsScope(unit))
    ranking = client.get("/reports/", {"period": PERIOD.key}).context["ranking"]
    assert [(r["unit"], r["overdue"]) for r in ranking["by_overdue"]] == [
        (district.township_b, 1),
        (district.township_a, 0),
    ]
    assert [(r["unit"], r["rate"].text) for r in ranking["by_rate"]] == [
        (district.township_a, "50.0%"),
        (district.township_b, "0.0%"),
    ]


def test_anonymous_is_sent_to_sign_in(client):
    for url in ("/reports/", "/reports/figures/hazards.found/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_listed_hazards_and_cases_near_their_deadline(client, officer, district, enterprise_a, world):
    case = open_case(officer, enterprise_a, district.dept_emergency, opened_on=dt.date.today())
    near = dt.date.today() + dt.timedelta(days=3)
    type(case).objects.filter(pk=case.pk).update(deadline=near)
    client.force_login(officer)
    response = client.get("/reports/", {"period": PERIOD.key})
    listed, listed_total = response.context["listed"]
    assert listed_total == 1 and listed[0].level == HazardLevel.MAJOR
    cases, cases_total = response.context["cases"]
    # Last year's case of the world is long past its deadline: first; then the one due in 3 days.
    assert [c.pk for c in cases][-1] == case.pk and cases_total == 2
    page = response.content.decode()
    assert listed[0].get_absolute_url() in page and case.get_absolute_url() in page


# ---------------------------------------------------------------- every figure opens exactly its records


def test_every_count_figure_opens_a_list_of_exactly_that_many_records(client, officer, district, world):
    client.force_login(officer)
    checked = 0
    for stats_scope in (WHOLE_DISTRICT, StatsScope(district.township_a), StatsScope(district.township_b)):
        figures = registry.compute(PERIOD, stats_scope)
        for metric in registry.all_metrics():
            if metric.records is None:
                continue
            response = drill(client, metric.key, stats_scope)
            assert response.status_code == 200, metric.key  # sums and money list their rows too
            if metric.kind != "count":
                continue
            assert count_on_page(response) == figures[metric.key].value, (metric.key, stats_scope.code)
            checked += 1
    # The world is not empty where it matters: these figures are not zero.
    district_figures = registry.compute(PERIOD, WHOLE_DISTRICT)
    for key in (
        "hazards.found",
        "hazards.rectified",
        "hazards.overdue",
        "hazards.listed",
        "inspections.actions",
    ):
        assert district_figures[key].value > 0, key
    for key in ("inspections.units", "enforcement.cases", "accidents.count"):
        if key in district_figures:
            assert district_figures[key].value > 0, key
    assert checked >= 10


def test_the_drill_page_lists_the_records_with_links(client, officer, world):
    client.force_login(officer)
    response = drill(client, "hazards.overdue")
    page = response.content.decode()
    assert count_on_page(response) == 1
    overdue = response.context["page_obj"].object_list[0]
    assert overdue.get_absolute_url() in page
    assert "口径" in page and registry.get_metric("hazards.overdue").definition in page
    actions = drill(client, "inspections.actions")
    assert "/inspections/" in actions.content.decode()


def test_unknown_figures_and_figures_without_a_list_are_not_found(client, officer, world):
    client.force_login(officer)
    assert drill(client, "hazards.nothing").status_code == 404
    assert drill(client, "hazards.rectification_rate").status_code == 404  # a rate: no list of its own
    assert client.get("/reports/figures/hazards.found/", {"period": "soon"}).status_code == 404
    assert client.get("/reports/figures/hazards.found/", {"scope": "99999"}).status_code == 404


# ---------------------------------------------------------------- 重新计算


def test_an_officer_recomputes(client, officer, world, django_capture_on_commit_callbacks):
    client.force_login(officer)
    client.get("/reports/", {"period": PERIOD.key})
    rollup = Rollup.objects.get(period_key=PERIOD.key, scope_code="district")
    before = rollup.computed_at
    Rollup.objects.filter(pk=rollup.pk).update(figures={})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/recompute/", {"period": PERIOD.key, "scope": "district"}, follow=True
        )
    assert response.redirect_chain[-1][0] == f"/reports/?period={PERIOD.key}&scope=district"
    assert "已提交重新计算，稍后刷新" in response.content.decode()
    rollup.refresh_from_db()
    assert rollup.computed_at > before and rollup.figures["hazards.found"]["value"] == 3
    # The trend's months were queued too (eager here): last year's June is stored now.
    assert Rollup.objects.filter(period_key=f"{YEAR}-M06", scope_code="district").exists()


@pytest.mark.parametrize("persona", ["leader", "township_a_user", "department_user"])
def test_other_roles_may_not_recompute(client, persona, request, world):
    client.force_login(request.getfixturevalue(persona))
    response = client.post("/reports/recompute/", {"period": PERIOD.key})
    assert response.status_code == 403
    assert not Rollup.objects.filter(stale=True).exists()
    assert client.get("/reports/recompute/").status_code == 405


# ---------------------------------------------------------------- the leader's home page


def test_the_leader_home_shows_this_years_figures_with_links(client, leader, world):
    client.force_login(leader)
    response = client.get("/")
    page = response.content.decode()
    assert 'id="home-figures"' in page
    this_year = Period(dt.date.today().year, "year")
    assert f"/reports/figures/hazards.found/?period={this_year.key}&amp;scope=district" in page
    assert "查看统计" in page
    assert "同比" in page or "去年同期" in page
    assert "将在对应模块启用后显示在这里" not in page


def test_the_home_panel_is_for_leaders_only(client, officer, world):
    client.force_login(officer)
    assert 'id="home-figures"' not in client.get("/").content.decode()


def test_the_menu_has_statistics(client, township_a_user):
    client.force_login(township_a_user)
    assert 'href="/reports/"' in client.get("/").content.decode()


# ---------------------------------------------------------------- query counts


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def _store_all(district):
    scopes = [WHOLE_DISTRICT, StatsScope(district.township_a), StatsScope(district.township_b)]
    for stats_scope in scopes:
        rollup_compute(period=PERIOD, stats_scope=stats_scope)
    rollup_compute(period=Period(YEAR, "month", 6), stats_scope=WHOLE_DISTRICT)
    rollup_compute(period=Period(dt.date.today().year, "year"), stats_scope=WHOLE_DISTRICT)


def test_the_query_count_does_not_grow_with_the_data(client, leader, world, django_assert_max_num_queries):
    district = world["district"]
    _store_all(district)
    client.force_login(leader)
    small_page = _queries(client, "/reports/", {"period": PERIOD.key})
    small_home = _queries(client, "/")
    grow(**world)
    grow(**world)
    _store_all(district)
    assert (
        Rollup.objects.get(period_key=PERIOD.key, scope_code="district").figures["hazards.found"]["value"]
        == 9
    )
    with django_assert_max_num_queries(small_page):
        client.get("/reports/", {"period": PERIOD.key})
    assert _queries(client, "/reports/", {"period": PERIOD.key}) == small_page
    assert _queries(client, "/") == small_home


def test_a_township_leader_sees_the_township_only_everywhere(client, district, world):
    """A 街镇 leader (role 领导, unit a township) reads its township's figures — home panel, 统计 page,
    drill-down and API — and nothing wider; figures equal those counted for the township afresh."""
    township_leader = UserFactory(username="town-leader", role=Role.LEADER, org_unit=district.township_a)
    township = StatsScope(district.township_a)
    fresh = registry.compute(PERIOD, township, keys=["hazards.found"])["hazards.found"].value
    client.force_login(township_leader)
    page = client.get("/reports/", {"period": PERIOD.key})
    assert page.status_code == 200
    assert page.context["stats_scope"] == township
    assert page.context["stored"].figures["hazards.found"].value == fresh == 2
    assert 'id="recompute-form"' not in page.content.decode()
    for wider in ("district", str(district.township_b.pk)):
        assert client.get("/reports/", {"period": PERIOD.key, "scope": wider}).status_code == 404
        assert client.get("/api/v1/stats/", {"period": PERIOD.key, "scope": wider}).status_code == 404
    assert drill(client, "hazards.found").status_code == 404
    assert count_on_page(drill(client, "hazards.found", township)) == fresh
    api = client.get("/api/v1/stats/", {"period": PERIOD.key})
    assert api.status_code == 200
    assert api.json()["scope"]["code"] == township.code
    assert api.json()["metrics"]["hazards.found"]["value"] == fresh
    home = client.get("/")
    assert home.status_code == 200
    assert district.township_a.name in home.content.decode()


def test_each_township_in_the_ranking_costs_no_query(client, leader, world):
    """The ranking reads every township's stored roll-up in one query; building a township's 整改率 must not
    read the metric definitions again (a city has 125 townships)."""
    district = world["district"]
    rollup_compute(period=PERIOD, stats_scope=WHOLE_DISTRICT)
    rollup_compute(period=PERIOD, stats_scope=StatsScope(district.township_a))
    client.force_login(leader)
    one_stored = _queries(client, "/reports/", {"period": PERIOD.key})
    rollup_compute(period=PERIOD, stats_scope=StatsScope(district.township_b))
    response = client.get("/reports/", {"period": PERIOD.key})
    assert response.context["ranking"]["missing"] == 0
    assert _queries(client, "/reports/", {"period": PERIOD.key}) == one_stored


def test_the_ranking_takes_its_townships_from_the_scope_list_as_it_would_read_them(leader, district):
    # A township made inactive and one out of order: the scope list gives the same units in the same order.
    district.township_b.order, district.township_a.order = 1, 2
    district.township_b.save(update_fields=["order"])
    district.township_a.save(update_fields=["order"])
    gone = OrgUnit.objects.create(
        name="旧街道", kind=OrgKind.STREET, parent=district.district, is_active=False
    )
    from_scopes = ranking_units(scopes_for_user(leader))
    assert from_scopes == ranking_units(None) == list(townships())
    assert from_scopes[:2] == [district.township_b, district.township_a] and gone not in from_scopes
