"""Pages run their queries without parallel workers; the roll-ups get them back for their passes."""

import dataclasses

import pytest
from django.db import connection, transaction

from core.parallel import BATCH_WORKERS, parallel_workers
from reports import registry
from reports.periods import Period
from reports.rollups import rollup_compute
from reports.scopes import WHOLE_DISTRICT

pytestmark = pytest.mark.django_db


def workers() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return int(cursor.fetchone()[0])


def test_a_connection_starts_without_parallel_workers():
    assert workers() == 0


@pytest.mark.django_db(transaction=True)
def test_the_batch_gets_them_and_gives_them_back():
    assert not connection.in_atomic_block  # autocommit, as a Celery task runs
    with parallel_workers():
        assert workers() == BATCH_WORKERS
    assert workers() == 0


def test_in_a_transaction_too():
    with transaction.atomic():
        with parallel_workers(3):
            assert workers() == 3
        assert workers() == 0


def test_a_failed_transaction_puts_them_back_with_its_rollback():
    with pytest.raises(ZeroDivisionError), transaction.atomic(), parallel_workers(3):
        assert workers() == 3
        1 / 0  # noqa: B018
    assert workers() == 0


def test_the_roll_up_computes_with_them(monkeypatch, district):
    seen = []
    metric = next(m for m in registry.all_metrics() if m.batch is not None)

    def spy(**kwargs):
        seen.append(workers())
        return metric.batch.figures(**kwargs)

    spied = dataclasses.replace(metric, batch=dataclasses.replace(metric.batch, figures=spy))
    monkeypatch.setattr(registry, "all_metrics", lambda: [spied])
    rollup = rollup_compute(period=Period(2025, "year"), stats_scope=WHOLE_DISTRICT)
    assert list(rollup.figures) == [metric.key]
    assert seen == [BATCH_WORKERS]
    assert workers() == 0
