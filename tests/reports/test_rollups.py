"""Roll-ups with Celery: stored figures equal the registry's, computing twice changes nothing, a record
entered late for a closed period marks it stale and the sweep recomputes it, the nightly fan-out, the
retry on a database error, 重新计算, and a year built by a real Celery worker over Redis.

The registry is narrowed to one probe metric (hazards found, by the scope's filter) so these tests
exercise the roll-up machinery, not the metric definitions (tested in test_metrics_*.py)."""

import datetime as dt
import io
import logging
from unittest import mock

import pytest
from celery import signals as celery_signals
from celery.contrib.testing.worker import start_worker
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connections, transaction

from core.imports import get_importer
from hazards.importers import HAZARD_HEADERS
from hazards.models import Hazard
from reports import registry, services, signals, tasks
from reports.models import Rollup
from reports.periods import Period, current_periods, today
from reports.registry import Metric
from reports.scopes import WHOLE_DISTRICT, StatsScope, rollup_scopes
from reports.selectors import rollup_figures, rollup_get, rollups_for
from safety_office.celery import app
from tests.factories import xlsx
from tests.faults.conftest import broker, require_redis, wait_until
from tests.hazards.conftest import record

LAST_YEAR = today().year - 1


def _found(w) -> int:
    return Hazard.objects.filter(w.scope.q(Hazard), found_on__range=(w.start, w.end)).count()


@pytest.fixture
def probe(monkeypatch):
    """The registry with only the probe metric, restored afterwards."""
    monkeypatch.setattr(registry, "_metrics", {})
    monkeypatch.setattr(registry, "_providers", {})
    registry.register(
        Metric("hazards.probe_found", "发现隐患（测试）", "个", "测试用：发现日期在期内的隐患", _found)
    )
    return "hazards.probe_found"


def found(officer, enterprise, day: dt.date) -> Hazard:
    return record(officer, enterprise, found_on=day, deadline=day + dt.timedelta(days=15))


def value(period: Period, scope: StatsScope = WHOLE_DISTRICT, key: str = "hazards.probe_found"):
    return Rollup.objects.get(period_key=period.key, scope_code=scope.code).figures[key]


# ---------------------------------------------------------------- compute and store


@pytest.mark.django_db
def test_compute_stores_the_registry_figures_with_the_year_before(
    probe, district, officer, enterprise_a, enterprise_b
):
    march = Period(LAST_YEAR, "month", 3)
    found(officer, enterprise_a, dt.date(LAST_YEAR, 3, 5))
    found(officer, enterprise_b, dt.date(LAST_YEAR, 3, 20))
    found(officer, enterprise_a, dt.date(LAST_YEAR - 1, 3, 9))  # the year before
    found(officer, enterprise_a, dt.date(LAST_YEAR, 4, 1))  # not March

    township_a = StatsScope(district.township_a)
    stored = services.rollup_compute(period=march, stats_scope=WHOLE_DISTRICT)
    services.rollup_compute(period=march, stats_scope=township_a)

    assert stored.figures == registry.figures_to_stored(registry.compute(march, WHOLE_DISTRICT))
    assert value(march) == {"value": 2, "previous": 1}
    assert value(march, township_a) == {"value": 1, "previous": 1}
    assert (stored.period_kind, stored.period_start, stored.period_end) == (
        "month",
        dt.date(LAST_YEAR, 3, 1),
        dt.date(LAST_YEAR, 3, 31),
    )
    assert stored.settled and not stored.stale and stored.computed_at is not None
    # The dashboard's reads: the row, and its figures as Figure objects.
    assert rollup_get(march, township_a).scope_unit == district.township_a
    figures = rollup_figures(rollup_get(march, WHOLE_DISTRICT))
    assert (figures[probe].value, figures[probe].previous, figures[probe].change_pct) == (2, 1, 100)
    assert rollup_get(Period(LAST_YEAR, "month", 5), WHOLE_DISTRICT) is None
    assert rollup_figures(None) == {}


@pytest.mark.django_db
def test_the_current_period_is_stored_unsettled(probe, district):
    month = current_periods()[0]
    assert not services.rollup_compute(period=month, stats_scope=WHOLE_DISTRICT).settled


@pytest.mark.django_db
def test_computing_twice_keeps_one_row_with_the_same_figures(probe, district, officer, enterprise_a):
    quarter = Period(LAST_YEAR, "quarter", 2)
    found(officer, enterprise_a, dt.date(LAST_YEAR, 5, 5))
    first = services.rollup_compute(period=quarter, stats_scope=WHOLE_DISTRICT)
    second = tasks.rollup_compute_task.delay(quarter.key, "district").get()

    assert second is True
    assert Rollup.objects.count() == 1
    again = Rollup.objects.get()
    assert again.pk == first.pk and again.figures == first.figures == {probe: {"value": 1, "previous": 0}}
    assert again.computed_at >= first.computed_at


@pytest.mark.django_db
def test_rollups_for_reads_every_pair_in_one_query(probe, district, django_assert_num_queries):
    months = [Period(LAST_YEAR, "month", m) for m in (1, 2, 3)]
    scopes = [WHOLE_DISTRICT, StatsScope(district.township_a), StatsScope(district.township_b)]
    for period in months[:2]:
        for scope in scopes:
            services.rollup_compute(period=period, stats_scope=scope)

    with django_assert_num_queries(1):
        found_pairs = rollups_for(months, scopes)

    assert set(found_pairs) == {(p.key, s.code) for p in months[:2] for s in scopes}


# ---------------------------------------------------------------- late records


@pytest.mark.django_db
def test_a_late_record_marks_its_closed_periods_stale_and_the_sweep_recomputes(
    probe, district, officer, enterprise_a, django_capture_on_commit_callbacks
):
    march, q1 = Period(LAST_YEAR, "month", 3), Period(LAST_YEAR, "quarter", 1)
    april, march_before = Period(LAST_YEAR, "month", 4), Period(LAST_YEAR - 1, "month", 3)
    march_after = Period(LAST_YEAR + 1, "month", 3)  # compares with March last year (同比)
    with django_capture_on_commit_callbacks(execute=True):  # committed before the roll-ups exist
        found(officer, enterprise_a, dt.date(LAST_YEAR, 3, 5))
    for period in (march, q1, april, march_before, march_after):
        services.rollup_compute(period=period, stats_scope=WHOLE_DISTRICT)
    assert value(march)["value"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        found(officer, enterprise_a, dt.date(LAST_YEAR, 3, 28))  # entered in December for March

    stale = set(Rollup.objects.filter(stale=True).values_list("period_key", flat=True))
    # April too: the hazard is still open, so it may count in April's overdue figure; not the March before.
    assert stale == {march.key, q1.key, april.key, march_after.key}
    assert value(march)["value"] == 1  # still the stored figure until recomputed

    assert tasks.rollups_recompute_stale.delay().get() == 4
    assert value(march) == {"value": 2, "previous": 0}
    assert value(q1)["value"] == 2
    assert value(march_after)["previous"] == 2
    assert not Rollup.objects.filter(stale=True).exists()
    assert Rollup.objects.get(period_key=march.key).settled
    assert tasks.rollups_recompute_stale.delay().get() == 0  # nothing left to do


@pytest.mark.django_db
def test_moving_a_record_to_another_period_marks_both(
    probe, district, officer, enterprise_a, django_capture_on_commit_callbacks
):
    march, may = Period(LAST_YEAR, "month", 3), Period(LAST_YEAR, "month", 5)
    with django_capture_on_commit_callbacks(execute=True):
        hazard = found(officer, enterprise_a, dt.date(LAST_YEAR, 3, 5))
    Hazard.objects.filter(pk=hazard.pk).update(closed_on=dt.date(LAST_YEAR, 3, 10))
    for period in (march, may, Period(LAST_YEAR, "month", 8)):
        services.rollup_compute(period=period, stats_scope=WHOLE_DISTRICT)

    hazard = Hazard.objects.get(pk=hazard.pk)
    hazard.found_on, hazard.closed_on = dt.date(LAST_YEAR, 5, 2), dt.date(LAST_YEAR, 5, 9)
    hazard.deadline = dt.date(LAST_YEAR, 5, 17)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        hazard.save()

    assert set(Rollup.objects.filter(stale=True).values_list("period_key", flat=True)) == {march.key, may.key}
    tasks.rollups_recompute_stale.delay().get()
    assert (value(march)["value"], value(may)["value"]) == (0, 1)


@pytest.mark.django_db
def test_many_records_in_one_transaction_mark_once_after_the_commit(
    probe, district, officer, enterprise_a, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    march = Period(LAST_YEAR, "month", 3)
    services.rollup_compute(period=march, stats_scope=WHOLE_DISTRICT)

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for day in range(1, 21):
            found(officer, enterprise_a, dt.date(LAST_YEAR, 3, day))
        assert not Rollup.objects.filter(stale=True).exists()  # nothing is marked before the commit

    ours = [c for c in callbacks if isinstance(c, signals._Pending)]
    assert len(ours) == 1
    with django_assert_max_num_queries(1):  # one UPDATE for twenty records
        ours[0]()
    assert Rollup.objects.get().stale


@pytest.mark.django_db
def test_a_rolled_back_transaction_marks_nothing(
    probe, district, officer, enterprise_a, django_capture_on_commit_callbacks
):
    march = Period(LAST_YEAR, "month", 3)
    services.rollup_compute(period=march, stats_scope=WHOLE_DISTRICT)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            found(officer, enterprise_a, dt.date(LAST_YEAR, 3, 2))
            raise RuntimeError("rolled back")
        found(officer, enterprise_a, dt.date(LAST_YEAR, 9, 2))  # another period, committed

    assert not Rollup.objects.get().stale


@pytest.mark.django_db
def test_a_ledger_imported_in_bulk_for_a_closed_period_is_caught_by_the_nightly_sweep(
    probe, district, officer, enterprise_a, django_capture_on_commit_callbacks
):
    march = Period(LAST_YEAR, "month", 3)
    services.rollup_compute(period=march, stats_scope=WHOLE_DISTRICT)
    day = dt.date(LAST_YEAR, 3, 12)
    row = {
        "发现日期": day,
        "统一社会信用代码": enterprise_a.uscc,
        "隐患来源": "企业自查",
        "隐患等级": "一般",
        "隐患描述": "消防通道堵塞",
        "整改期限": day + dt.timedelta(days=15),
        "整改状态": "已销号",
        "销号日期": day + dt.timedelta(days=10),
    }
    content = xlsx(HAZARD_HEADERS, [{h: row.get(h) for h in HAZARD_HEADERS}])
    with django_capture_on_commit_callbacks(execute=True):
        result = get_importer("hazards").run(user=officer, file=io.BytesIO(content))
    assert result.ok and result.created == 1, result.errors
    assert not Rollup.objects.get().stale  # bulk_create sends no signal

    tasks.rollup_nightly.delay().get()
    assert Rollup.objects.get(period_key=march.key).stale
    tasks.rollups_recompute_stale.delay().get()
    assert value(march)["value"] == 1


# ---------------------------------------------------------------- the nightly fan-out and the year


@pytest.mark.django_db
def test_nightly_refreshes_the_current_periods_and_settles_the_ended_ones_once(probe, district):
    scopes = {s.code for s in rollup_scopes()}
    assert len(scopes) == 5  # the district, two townships, two departments
    current = current_periods()
    ended = [p.previous() for p in current]

    assert tasks.rollup_nightly.delay().get() == 8 * 5
    stored = set(Rollup.objects.values_list("period_key", "scope_code"))
    assert stored == {(p.key, code) for p in current + ended for code in scopes}
    assert all(r.settled for r in Rollup.objects.filter(period_key__in=[p.key for p in ended]))
    assert not any(r.settled for r in Rollup.objects.filter(period_key__in=[p.key for p in current]))

    settled_at = dict(Rollup.objects.filter(settled=True).values_list("pk", "computed_at"))
    assert tasks.rollup_nightly.delay().get() == 4 * 5  # the settled ones are not computed again
    assert dict(Rollup.objects.filter(settled=True).values_list("pk", "computed_at")) == settled_at
    assert Rollup.objects.count() == 8 * 5


@pytest.mark.django_db
def test_nightly_fans_out_one_small_task_per_period_and_scope(probe, district):
    with mock.patch.object(tasks.rollup_compute_task, "delay") as delay:
        tasks.rollup_nightly()
    expected = {(p.key, s.code) for p in current_periods() for s in rollup_scopes()}
    expected |= {(p.previous().key, s.code) for p in current_periods() for s in rollup_scopes()}
    assert {c.args for c in delay.call_args_list} == expected
    assert delay.call_count == len(expected)


@pytest.mark.django_db
def test_rollup_build_sync_builds_a_whole_year(probe, district, officer, enterprise_a, capsys):
    found(officer, enterprise_a, dt.date(LAST_YEAR, 11, 5))
    call_command("rollup_build", "--year", str(LAST_YEAR), "--sync")

    assert Rollup.objects.count() == 19 * 5
    assert value(Period(LAST_YEAR, "month", 11))["value"] == 1
    assert value(Period(LAST_YEAR, "month", 11), StatsScope(district.township_b))["value"] == 0
    assert value(Period(LAST_YEAR, "year"))["value"] == 1
    assert "完成：95 个统计快照" in capsys.readouterr().out


def test_the_roll_ups_are_scheduled_at_half_past_two_and_every_ten_minutes():
    nightly = settings.CELERY_BEAT_SCHEDULE["reports-rollup-nightly"]
    sweep = settings.CELERY_BEAT_SCHEDULE["reports-recompute-stale"]
    assert nightly["task"] == tasks.rollup_nightly.name == "reports.tasks.rollup_nightly"
    assert nightly["schedule"] == crontab(hour=2, minute=30)
    assert sweep["task"] == tasks.rollups_recompute_stale.name
    assert sweep["schedule"] == 600.0


# ---------------------------------------------------------------- retries


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_is_retried(probe, district, error):
    real = tasks.rollup_compute
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise error("server closed the connection unexpectedly")
        return real(**kwargs)

    # Run as a worker would, the retry included (inline: the retry's countdown is not waited for).
    with mock.patch.object(tasks, "rollup_compute", flaky):
        result = tasks.rollup_compute_task.apply(args=(f"{LAST_YEAR}-Q3", "district"), throw=False)

    assert result.get() is True
    assert len(calls) == 2
    assert value(Period(LAST_YEAR, "quarter", 3)) == {"value": 0, "previous": 0}


@pytest.mark.django_db
def test_a_failing_database_asks_for_a_later_retry(probe, district):
    broken = mock.Mock(side_effect=OperationalError("the database system is starting up"))
    with mock.patch.object(tasks, "rollup_compute", broken), pytest.raises(Retry) as retry:
        tasks.rollup_compute_task.delay(f"{LAST_YEAR}-Q3", "district")
    assert isinstance(retry.value.exc, OperationalError)
    assert retry.value.when == 15  # with a countdown (backoff, no jitter that could draw 0), not at once
    assert tasks.rollup_compute_task.max_retries == 5


@pytest.mark.django_db
def test_other_errors_are_not_retried_and_leave_the_row_stale(probe, district, monkeypatch):
    period = Period(LAST_YEAR, "month", 6)
    services.rollup_compute(period=period, stats_scope=WHOLE_DISTRICT)
    Rollup.objects.update(stale=True)
    broken = mock.Mock(side_effect=ZeroDivisionError)
    monkeypatch.setattr(registry, "compute", broken)

    with pytest.raises(ZeroDivisionError):
        tasks.rollup_compute_task.delay(period.key, "district").get()

    assert broken.call_count == 1
    assert Rollup.objects.get().stale  # the next sweep tries again


@pytest.mark.django_db
def test_a_task_for_a_unit_deleted_since_is_skipped(probe, district):
    assert tasks.rollup_compute_task.delay(f"{LAST_YEAR}-M01", "999999").get() is False
    assert not Rollup.objects.exists()


# ---------------------------------------------------------------- 重新计算


@pytest.mark.django_db
def test_an_officer_asks_for_a_recompute_which_runs_after_the_commit(
    probe, district, officer, enterprise_a, django_capture_on_commit_callbacks, caplog
):
    march = Period(LAST_YEAR, "month", 3)
    services.rollup_compute(period=march, stats_scope=WHOLE_DISTRICT)
    found(officer, enterprise_a, dt.date(LAST_YEAR, 3, 3))
    Rollup.objects.update(stale=False)

    with caplog.at_level(logging.INFO, logger="safety.audit"):
        with django_capture_on_commit_callbacks() as callbacks:
            services.rollup_request_recompute(period=march, stats_scope=WHOLE_DISTRICT, user=officer)
            assert Rollup.objects.get().stale  # the page says 待重新计算 at once
        assert value(march)["value"] == 0  # not computed inside the request
        for callback in callbacks:
            callback()

    assert value(march)["value"] == 1 and not Rollup.objects.get().stale
    audit = [r.audit for r in caplog.records if getattr(r, "audit", None)]
    assert {"event": "rollup_recompute", "user": "officer", "period": march.key, "scope": "district"} in audit


@pytest.mark.django_db
def test_only_the_office_may_ask_for_a_recompute(probe, district, leader, township_a_user, admin_user):
    march = Period(LAST_YEAR, "month", 3)
    for user in (leader, township_a_user):
        with pytest.raises(PermissionDenied):
            services.rollup_request_recompute(
                period=march, stats_scope=StatsScope(district.township_a), user=user
            )
    services.rollup_request_recompute(period=march, stats_scope=WHOLE_DISTRICT, user=admin_user)


# ---------------------------------------------------------------- a real worker over Redis


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_a_year_from_the_command(probe, district, officer, enterprise_a, enterprise_b):
    redis_url = require_redis()
    found(officer, enterprise_a, dt.date(LAST_YEAR, 2, 3))
    found(officer, enterprise_b, dt.date(LAST_YEAR, 8, 9))
    found(officer, enterprise_b, dt.date(LAST_YEAR - 1, 8, 1))

    def close_db(**kwargs) -> None:  # the worker thread's connection must not outlive the test
        connections.close_all()

    celery_signals.task_postrun.connect(close_db, weak=False)
    try:
        with (
            broker(redis_url) as queue,
            start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=30),
        ):
            call_command("rollup_build", "--year", str(LAST_YEAR))
            wait_until(lambda: Rollup.objects.count() == 19 * 5, 120, "95 roll-ups")
    finally:
        celery_signals.task_postrun.disconnect(close_db)

    for period in tasks.year_periods(LAST_YEAR):
        for scope in rollup_scopes():
            expected = registry.figures_to_stored(registry.compute(period, scope))
            assert value(period, scope) == expected["hazards.probe_found"], (period, scope)
    assert value(Period(LAST_YEAR, "year")) == {"value": 2, "previous": 1}
    assert value(Period(LAST_YEAR, "half", 2), StatsScope(district.township_b)) == {"value": 1, "previous": 1}
    assert Rollup.objects.filter(settled=True).count() == 95
