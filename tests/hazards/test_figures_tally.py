"""The ledger's figures off the group tally (HazardTally, kept by core.tallies.GroupTally's triggers) are what
one pass over the ledger counts: for the whole district, a township, a state and a level; through the closed loop,
listing, voiding, raw updates, a load with triggers off (once rebuilt), a TRUNCATE and the nightly folding;
and the overdue figure is right before the nightly sweep has flagged a hazard and after a flagged hazard's
deadline moves. Any other list (a township's scope, a source, a search) is counted, never read off the tally."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core import paging
from core.bulk import bulk_insert
from core.lists import filtered
from core.paging import IdsFirstPaginator
from core.tallies import tallies_compact, tallies_rebuild
from hazards import selectors, services
from hazards.models import Hazard, HazardTally
from hazards.views import hazard_filter
from tests.core.test_bulk import build
from tests.core.test_tallies import load_with_triggers_off
from tests.hazards.conftest import record
from tests.hazards.test_ledger_figures import mixed  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tally is kept by PostgreSQL triggers"),
]


def ledger_list(rf, user, **params):
    get = rf.get("/hazards/", params)
    get.user = user
    return filtered(hazard_filter(get))


def figures_read(hazards, today=None) -> tuple[dict, int, bool]:
    with CaptureQueriesContext(connection) as queries:
        figures, total = selectors.ledger_figures(hazards, today=today)
    return figures, total, any("hazards_hazardtally" in q["sql"] for q in queries.captured_queries)


def assert_tally_counts(hazards, today=None) -> None:
    figures, total, tallied = figures_read(hazards, today)
    assert tallied
    assert figures == selectors.hazard_figures(hazards, today=today)
    assert total == hazards.count()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"state": "closed"},
        {"state": "open"},
        {"state": "void"},
        {"township": "a"},
        {"township": "a", "state": "open"},
        {"level": "major"},
    ],
)
def test_district_township_and_state_lists_read_the_tally(rf, officer, district, mixed, params):  # noqa: F811
    if "township" in params:
        params = {**params, "township": district.township_a.pk}
    assert_tally_counts(ledger_list(rf, officer, **params))


@pytest.mark.parametrize(
    "persona, params",
    [
        ("township_a_user", {}),
        ("officer", {"source": "self"}),
        ("officer", {"q": "配电箱"}),
        ("officer", {"overdue": "true"}),
    ],
)
def test_other_lists_are_counted(request, rf, mixed, persona, params):  # noqa: F811
    hazards = ledger_list(rf, request.getfixturevalue(persona), **params)
    figures, total, tallied = figures_read(hazards)
    assert not tallied
    assert figures == selectors.hazard_figures(hazards) and total == hazards.count()


def test_overdue_is_right_before_the_sweep_and_after_a_deadline_moves(rf, officer, enterprise_a):
    due_today = record(officer, enterprise_a, found_days_ago=10, days=10)
    record(officer, enterprise_a)
    hazards = ledger_list(rf, officer)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert selectors.ledger_figures(hazards)[0]["overdue"] == 0
    # Tomorrow, before the nightly sweep has flagged it: overdue all the same.
    assert not Hazard.objects.get(pk=due_today.pk).is_overdue
    assert selectors.ledger_figures(hazards, today=tomorrow)[0]["overdue"] == 1
    assert_tally_counts(hazards, today=tomorrow)
    services.hazards_mark_overdue(today=tomorrow)
    assert Hazard.objects.get(pk=due_today.pk).is_overdue
    assert_tally_counts(hazards, today=tomorrow)
    # Flagged, but its deadline is now ahead (a correction written straight to the row): no longer overdue.
    Hazard.objects.filter(pk=due_today.pk).update(deadline=tomorrow + dt.timedelta(days=3))
    assert selectors.ledger_figures(hazards, today=tomorrow)[0]["overdue"] == 0
    assert_tally_counts(hazards, today=tomorrow)


def test_an_update_that_moves_no_row_between_groups_writes_nothing(rf, officer, enterprise_a):
    hazard = record(officer, enterprise_a)
    before = HazardTally.objects.count()
    Hazard.objects.filter(pk=hazard.pk).update(description="配电箱未接地（已补充）")
    assert HazardTally.objects.count() == before
    Hazard.objects.filter(pk=hazard.pk).update(level="major")
    assert HazardTally.objects.count() == before + 2  # −1 in the general group, +1 in the major one
    assert_tally_counts(ledger_list(rf, officer))


def test_a_rolled_back_write_leaves_the_tally(rf, officer, enterprise_a):
    record(officer, enterprise_a)
    with transaction.atomic():
        record(officer, enterprise_a, level="major")
        assert selectors.ledger_figures(ledger_list(rf, officer))[0]["major"] == 1  # the writer sees its rows
        transaction.set_rollback(True)
    assert_tally_counts(ledger_list(rf, officer))


def test_copy_delete_rebuild_truncate_and_folding(rf, officer, enterprise_a, enterprise_b):
    record(officer, enterprise_a)
    bulk_insert(Hazard, [build(enterprise_b, officer, f"C-{i}") for i in range(4)])  # one COPY
    Hazard.objects.filter(number="C-1").delete()
    hazards = ledger_list(rf, officer)
    assert_tally_counts(hazards)

    load_with_triggers_off([build(enterprise_a, officer, f"L-{i}") for i in range(3)])
    assert selectors.ledger_figures(hazards)[1] == 4  # the triggers did not see the load
    tallies_rebuild()
    assert_tally_counts(hazards)

    record(officer, enterprise_a)
    tallies_compact()
    groups = Hazard.objects.values("township_id", "state", "level", "listing_level", "is_overdue").distinct()
    assert HazardTally.objects.count() == groups.count()  # one row a group
    assert_tally_counts(hazards)

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred FK checks
        cursor.execute("TRUNCATE hazards_hazard CASCADE")
    assert not HazardTally.objects.exists()
    assert selectors.ledger_figures(hazards)[1] == 0


def test_a_deep_page_of_the_whole_ledger_seeks_its_day(rf, officer, enterprise_a, enterprise_b, monkeypatch):
    # 23 hazards over 6 days (some days with several, one with none), then the pages of 2 read by seeking.
    today = dt.date.today()
    hazards = []
    for i in range(23):
        hazard = build(enterprise_a if i % 2 else enterprise_b, officer, f"D-{i}")
        hazard.found_on = today - dt.timedelta(days=(i * 7) % 13 // 2)
        hazard.deadline = hazard.found_on + dt.timedelta(days=30)
        hazards.append(hazard)
    bulk_insert(Hazard, hazards)
    Hazard.objects.filter(number="D-4").delete()
    monkeypatch.setattr(paging, "SEEK_FROM", 1)
    ledger = ledger_list(rf, officer)
    seeking = IdsFirstPaginator(ledger, 2, seek=selectors.ledger_seek)
    walking = IdsFirstPaginator(ledger, 2)
    assert seeking.count == walking.count == 22
    with CaptureQueriesContext(connection) as queries:
        pages = [list(seeking.page(n).object_list) for n in seeking.page_range]
    assert pages == [list(walking.page(n).object_list) for n in walking.page_range]
    assert sum("hazards_hazarddaytally" in q["sql"] for q in queries.captured_queries) == len(pages) - 1
    # The rows run newest found first, by id within a day, and every hazard is on exactly one page.
    rows = [hazard for page in pages for hazard in page]
    assert [(h.found_on, h.pk) for h in rows] == sorted(((h.found_on, h.pk) for h in rows), reverse=True)
    assert len({h.pk for h in rows}) == 22


def test_a_narrowed_ledger_does_not_seek(rf, officer, district, enterprise_a):
    for _ in range(3):
        record(officer, enterprise_a)
    assert selectors.ledger_seek(ledger_list(rf, officer), 1) is not None
    assert selectors.ledger_seek(ledger_list(rf, officer, township=district.township_a.pk), 1) is None
    assert selectors.ledger_seek(ledger_list(rf, officer).order_by("deadline"), 1) is None
    assert selectors.ledger_seek(Hazard.objects.filter(found_on=dt.date.today()), 1) is None
