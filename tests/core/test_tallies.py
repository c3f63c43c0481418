"""core.tallies: the hazard ledger's row count kept by triggers is COUNT(*) — after single saves, COPY,
deletes, rollbacks, a load with triggers off (once rebuilt), a TRUNCATE and the nightly folding — and only
an unfiltered count of the whole table reads it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.bulk import bulk_insert
from core.models import RowTally
from core.tallies import exact_count, tallies_compact, tallies_rebuild
from core.tasks import compact_row_tallies
from hazards import selectors
from hazards.models import Hazard
from tests.core.test_bulk import build
from tests.hazards.conftest import record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tally is kept by PostgreSQL triggers"),
]


def counted() -> int:
    # A WHERE that every row passes: COUNT(*) itself, never the tally.
    return Hazard.objects.filter(pk__gt=0).count()


def load_with_triggers_off(hazards: list[Hazard]) -> None:
    """COPY hazards as seed_scale loads: with the triggers (and so the tallies) off."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            bulk_insert(Hazard, hazards)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def read_off_the_tally(queryset) -> tuple[int, bool]:
    with CaptureQueriesContext(connection) as queries:
        n = exact_count(queryset)
    return n, any("core_rowtally" in q["sql"] for q in queries.captured_queries)


def test_saves_copies_and_deletes_keep_the_count(officer, enterprise_a, enterprise_b):
    assert read_off_the_tally(Hazard.objects.all()) == (0, True)
    record(officer, enterprise_a)
    bulk_insert(Hazard, [build(enterprise_b, officer, f"C-{i}") for i in range(5)])  # one COPY, one tally row
    assert read_off_the_tally(Hazard.objects.all()) == (6, True) and counted() == 6
    Hazard.objects.filter(number__in=["C-1", "C-2"]).delete()
    assert exact_count(Hazard.objects.all()) == counted() == 4


def test_a_rolled_back_write_leaves_the_count(officer, enterprise_a):
    record(officer, enterprise_a)
    with transaction.atomic():
        record(officer, enterprise_a)
        assert exact_count(Hazard.objects.all()) == 2  # the writer sees its own rows
        transaction.set_rollback(True)
    assert exact_count(Hazard.objects.all()) == counted() == 1


def test_only_the_whole_table_reads_the_tally(officer, township_a_user, enterprise_a, enterprise_b):
    record(officer, enterprise_a)
    record(officer, enterprise_b)
    # The district's unfiltered ledger: the tally. A township's scope, a filter, a slice, distinct: counted.
    assert read_off_the_tally(selectors.hazard_list(user=officer)) == (2, True)
    assert read_off_the_tally(selectors.hazard_list(user=township_a_user)) == (1, False)
    assert read_off_the_tally(Hazard.objects.filter(enterprise=enterprise_b)) == (1, False)
    assert read_off_the_tally(Hazard.objects.all()[:1]) == (1, False)
    assert read_off_the_tally(Hazard.objects.none()) == (0, False)
    assert read_off_the_tally(Hazard.objects.values("state").distinct()) == (1, False)


def test_a_load_with_triggers_off_is_counted_again_by_rebuild(officer, enterprise_a):
    record(officer, enterprise_a)
    load_with_triggers_off([build(enterprise_a, officer, f"L-{i}") for i in range(3)])
    assert exact_count(Hazard.objects.all()) == 1  # the triggers did not see the load
    tallies_rebuild()
    assert exact_count(Hazard.objects.all()) == counted() == 4
    assert RowTally.objects.filter(table="hazards_hazard").count() == 1


def test_folding_keeps_the_sum_in_one_row(officer, enterprise_a):
    for _ in range(2):
        record(officer, enterprise_a)
    bulk_insert(Hazard, [build(enterprise_a, officer, f"C-{i}") for i in range(2)])
    Hazard.objects.filter(number="C-1").delete()
    rows = RowTally.objects.filter(table="hazards_hazard").count()
    assert rows >= 4  # two saves, one COPY, one DELETE (and the count taken when the triggers came)
    # Every tallied table is folded: all its rows but one go.
    everything = RowTally.objects.count()
    tables = RowTally.objects.values("table").distinct().count()
    assert tallies_compact() == everything - tables
    assert list(RowTally.objects.filter(table="hazards_hazard").values_list("rows", flat=True)) == [3]
    assert exact_count(Hazard.objects.all()) == counted() == 3


def test_truncate_empties_the_tally(officer, enterprise_a):
    record(officer, enterprise_a)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred FK checks
        cursor.execute("TRUNCATE hazards_hazard CASCADE")
    assert exact_count(Hazard.objects.all()) == 0


def test_the_nightly_job_folds_the_tallies(officer, enterprise_a, settings):
    record(officer, enterprise_a)
    record(officer, enterprise_a)
    assert "core.tasks.compact_row_tallies" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    compact_row_tallies.delay()  # eager in tests: runs here, in this transaction
    assert RowTally.objects.filter(table="hazards_hazard").count() == 1
    assert exact_count(Hazard.objects.all()) == 2
