"""seed_demo's step "statistics": the leader's dashboard opens on stored figures at once — this year's
twelve months and the year for the district, the year for every township and department — computed
after the demo commits, so none of them is stale, and they equal the figures counted afresh."""

import pytest

from accounts.models import User
from reports import registry
from reports.models import Rollup
from reports.periods import Period, today
from reports.scopes import WHOLE_DISTRICT, scope_units
from tests.demo.conftest import committed_demo


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with committed_demo(django_db_blocker, "--seed", "4", "--enterprises", "150", statistics=True) as output:
        yield output


@pytest.fixture
def demo(world, db):
    return world


def test_the_default_dashboard_view_is_stored_fresh(demo):
    year = Period.containing("year", today())
    district_keys = set(
        Rollup.objects.filter(scope_code=WHOLE_DISTRICT.code).values_list("period_key", flat=True)
    )
    assert district_keys == {p.key for p in [*year.months(), year]}
    units = {str(pk) for pk in scope_units().values_list("pk", flat=True)}
    assert (
        set(
            Rollup.objects.filter(period_key=year.key)
            .exclude(scope_code="district")
            .values_list("scope_code", flat=True)
        )
        == units
    )
    assert not Rollup.objects.filter(stale=True).exists()
    stored = Rollup.objects.get(period_key=year.key, scope_code="district").figures
    fresh = registry.compute(
        year, WHOLE_DISTRICT, keys=["hazards.found", "inspections.actions", "enforcement.cases"]
    )
    for key, figure in fresh.items():
        assert stored[key]["value"] == figure.value > 0, key


def test_the_leader_opens_the_dashboard_with_its_trend_and_ranking(client, demo):
    client.force_login(User.objects.get(username="leader"))
    response = client.get("/reports/")
    assert response.status_code == 200
    assert response.context["trend"]["missing"] == 0
    assert response.context["ranking"]["missing"] == 0
    assert 'id="trend-missing"' not in response.content.decode()
