"""The benchmark's floor for the annual roll-up (bench/rollup.py: hand-written SQL, one pass per table)
gives the registry's figures, metric by metric, for the year and the year before — so the benchmark
compares the app with the same work done as fast as it can be, not with a cheaper approximation. And the
registry's batches (one query per table for a whole roll-up) give what each metric's own query gives,
for the district, a township and a department.

On the demo, with every other record moved a year back so that the year before (同比) has figures too.
"""

import datetime as dt

import pytest
from django.db.models import F

from bench.rollup import floor_figures
from campaigns.models import Activity
from enforcement.models import Case
from hazards.models import Accident, Hazard
from inspections.models import InspectionAction, InspectionPlan
from reports import registry
from reports.periods import Period, today
from reports.scopes import WHOLE_DISTRICT, StatsScope
from tests.demo.conftest import committed_demo

YEAR = today().year
A_YEAR = dt.timedelta(days=365)

# The dated fields of the records the metrics read: the odd rows are moved back a year.
DATED = {
    Hazard: ["found_on", "deadline", "closed_on", "listed_on"],
    Accident: ["occurred_on"],
    InspectionAction: ["date"],
    Case: ["opened_on", "decided_on"],
    Activity: ["date", "end_date", "created"],
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with committed_demo(django_db_blocker, "--seed", "4", "--enterprises", "150") as output:
        yield output


@pytest.fixture
def two_years(world, db):
    for model, fields in DATED.items():
        odd = model.objects.annotate(odd=F("pk") % 2).filter(odd=1)
        odd.update(**{field: F(field) - A_YEAR for field in fields})
    InspectionPlan.objects.annotate(odd=F("pk") % 2).filter(odd=1).update(year=F("year") - 1)


def registry_figures(year: int, stats_scope: StatsScope = WHOLE_DISTRICT) -> dict[str, tuple]:
    figures = registry.compute(Period(year, "year"), stats_scope)
    return {key: (figure.value, figure.previous) for key, figure in figures.items()}


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
def test_the_floor_gives_every_figure_of_the_registry(two_years, year):
    app = registry_figures(year)
    floor = floor_figures(year=year)

    assert sorted(set(app) - set(floor)) == [], "metrics the floor's SQL does not compute"
    assert sorted(set(floor) - set(app)) == [], "figures the floor computes that are no metric"
    differ = {key: (app[key], floor[key]) for key in app if app[key] != floor[key]}
    assert differ == {}
    # The comparison is not between zeros: the years have records in every domain.
    for position in (0, 1) if year == YEAR else (0,):
        counted = [key for key, pair in app.items() if pair[position]]
        domains = {key.split(".")[0] for key in counted}
        assert domains >= {"accidents", "hazards", "inspections", "enforcement", "activities", "meetings"}
        assert len(counted) > 30


def test_the_batches_give_what_each_metric_gives_alone(two_years):
    hazard = Hazard.objects.exclude(supervising_department=None).order_by("pk").first()
    township, department = hazard.township, hazard.supervising_department
    period = Period(YEAR, "year")
    for stats_scope in (WHOLE_DISTRICT, StatsScope(township), StatsScope(department)):
        now = registry.Window.of(period, stats_scope)
        before = registry.Window.of(period.year_before(), stats_scope)
        alone = {m.key: (m.value(now), m.value(before)) for m in registry.all_metrics()}
        assert registry_figures(YEAR, stats_scope) == alone, stats_scope.code
