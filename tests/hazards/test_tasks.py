"""Background work: the nightly overdue task (scheduled, idempotent, notifying) and a ledger import run by
a real Celery worker over Redis, the way production runs it."""

import datetime as dt
import io
import os
import time
import uuid

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import Notification
from accounts.selectors import notifications_for
from core.models import ImportJob
from hazards.choices import EventKind, HazardLevel
from hazards.importers import HAZARD_HEADERS
from hazards.models import Hazard
from hazards.services import hazard_create
from hazards.tasks import mark_overdue_hazards
from tests.faults.conftest import _forget_global_pools
from tests.hazards.conftest import hazard_data

TODAY = timezone.localdate


def make_overdue(hazard: Hazard, days_late: int = 3) -> None:
    """Move a hazard's dates into the past, as if its deadline had passed while the flag is still clear."""
    deadline = TODAY() - dt.timedelta(days=days_late)
    Hazard.objects.filter(pk=hazard.pk).update(
        found_on=deadline - dt.timedelta(days=10), deadline=deadline, is_overdue=False, overdue_since=None
    )


# ---------------------------------------------------------------- the nightly overdue task


def test_overdue_task_is_scheduled_nightly_at_one_in_shanghai():
    entry = settings.CELERY_BEAT_SCHEDULE["hazards-mark-overdue"]
    assert entry["task"] == mark_overdue_hazards.name == "hazards.tasks.mark_overdue_hazards"
    assert entry["schedule"] == crontab(hour=1, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_overdue_task_notifies_the_unit_and_the_office_once(
    officer, township_a_user, township_b_user, enterprise_a, enterprise_b
):
    general = hazard_create(user=officer, data=hazard_data(enterprise_a))
    major = hazard_create(user=officer, data=hazard_data(enterprise_a, level=HazardLevel.MAJOR))
    on_time = hazard_create(user=officer, data=hazard_data(enterprise_b))
    make_overdue(general)
    make_overdue(major)

    first = mark_overdue_hazards.delay().get()
    second = mark_overdue_hazards.delay().get()

    assert (first, second) == (2, 0)
    assert set(Hazard.objects.filter(is_overdue=True)) == {general, major}
    assert not Hazard.objects.get(pk=on_time.pk).is_overdue
    assert Hazard.objects.get(pk=general.pk).overdue_since == TODAY() - dt.timedelta(days=2)
    assert general.events.filter(kind=EventKind.OVERDUE).count() == 1  # not two
    overdue = Notification.objects.filter(kind="hazard_overdue")
    assert overdue.count() == 3  # two for township A, one for the office; none added by run 2

    unit_titles = set(overdue.filter(org_unit=township_a_user.org_unit).values_list("title", flat=True))
    assert unit_titles == {
        f"隐患逾期未整改：{general.number} 东城机械厂",
        f"隐患逾期未整改：{major.number} 东城机械厂",
    }
    assert not notifications_for(user=township_b_user).filter(kind="hazard_overdue").exists()
    office = notifications_for(user=officer).filter(kind="hazard_overdue").get()
    assert office.title == f"【重大】隐患逾期未整改：{major.number} 东城机械厂"
    assert office.url == reverse("hazards:hazard_detail", args=[major.pk])


# ---------------------------------------------------------------- a real worker over Redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def _require_redis() -> None:
    if REDIS_URL:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("TEST_REDIS_URL 未设置：CI 中必须用真实的 Redis 运行 Celery 测试（见 scripts/test）")
    pytest.skip("TEST_REDIS_URL 未设置（./scripts/test 会设置）")


@pytest.fixture
def celery_app():
    """The project's Celery app sent to Redis instead of running inline, on a queue of this test's own
    (another checkout's worker on the same Redis must not take our job). Restored afterwards."""
    _require_redis()
    from celery import signals

    from safety_office.celery import app

    queue = f"test-import-{uuid.uuid4().hex[:12]}"
    changes = {
        "broker_url": REDIS_URL,
        "result_backend": None,
        "task_always_eager": False,
        "task_default_queue": queue,
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf[key] for key in changes}
    # Celery caches the broker connections (even an inline .delay() opens a producer pool on the
    # default broker), the queues and the router when first used: set them aside, restore them after.
    pools = _swap_pools(app, None, None)
    app.conf.update(changes)
    _forget_routing(app)

    def close_db(**kwargs) -> None:
        # The worker thread's connection must not outlive the test (the test database is dropped at the end).
        connections.close_all()

    signals.task_postrun.connect(close_db, weak=False)
    try:
        yield app, queue
    finally:
        signals.task_postrun.disconnect(close_db)
        _delete_queue(queue)
        # Forget our pools in kombu's process-wide registry (keyed by the broker URL, still ours here):
        # the next test publishing to this Redis must get fresh ones, not "Acquire on closed pool".
        _forget_global_pools(app)
        app.conf.update(saved)
        _forget_routing(app)
        ours, _producers = _swap_pools(app, *pools)
        if ours is not None:
            ours.force_close_all()


def _delete_queue(queue: str) -> None:
    """Leave nothing of ours in a developer's Redis: the queue and kombu's bindings for it."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


def _forget_routing(app) -> None:
    for name in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(name, None)


def _swap_pools(app, connections_pool, producer_pool) -> tuple:
    old = (app._pool, app.amqp._producer_pool)
    app._pool, app.amqp._producer_pool = connections_pool, producer_pool
    return old


def _ledger(enterprise, rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HAZARD_HEADERS)
    found = TODAY() - dt.timedelta(days=5)
    for i in range(rows):
        values = {
            "发现日期": found,
            "统一社会信用代码": enterprise.uscc,
            "隐患来源": "企业自查",
            "隐患等级": "一般",
            "隐患描述": f"配电箱未接地 {i}",
            "整改期限": found + dt.timedelta(days=30),
            "整改状态": "待整改",
        }
        ws.append([values.get(h) for h in HAZARD_HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _wait_for(job_id: int, client, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    url = reverse("core:import_job_status", args=[job_id])
    while time.monotonic() < deadline:
        status = client.get(url).json()
        if status["finished"]:
            return status
        time.sleep(0.2)
    raise AssertionError(f"import job {job_id} did not finish in {seconds}s: {status}")


@pytest.mark.django_db(transaction=True)
def test_upload_is_imported_by_a_real_celery_worker(
    celery_app, sectors, client, township_a_user, enterprise_a
):
    from celery.contrib.testing.worker import start_worker

    app, queue = celery_app
    client.force_login(township_a_user)
    upload = SimpleUploadedFile("台账.xlsx", _ledger(enterprise_a, 1200))

    with start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=30):
        response = client.post(reverse("core:import_upload", args=["hazards"]), {"file": upload})
        job = ImportJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("core:import_job", args=[job.pk])
        status = _wait_for(job.pk, client)

    assert status["status"] == "done", ImportJob.objects.get().errors
    assert (status["created"], status["total"], status["done"], status["percent"]) == (1200, 1200, 1200, 100)
    assert Hazard.objects.filter(created_by=township_a_user).count() == 1200
    html = client.get(response["Location"]).content.decode()
    assert "导入完成：新增 1200 条" in html
