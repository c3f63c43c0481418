"""Faults of the real services the app leans on: Redis down or hung, a Celery worker killed in the
middle of an import, Postgres restarting. Everything here runs against real servers: the test Redis
(TEST_REDIS_URL, set by ./scripts/test), the test Postgres, and a throwaway Postgres cluster.

Helpers: `broker(url)` points the project's Celery app at a Redis (a live one or a port nothing listens
on) on a queue of the test's own; `CeleryWorker` runs `celery worker --pool=solo` as a subprocess on
the test database, so it can be SIGKILLed like a real one.
"""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from core import imports
from core.imports import register_importer
from core.models import ImportJob
from hazards.importers import HAZARD_HEADERS
from tests.core.probe import PROBE, ProbeImporter
from tests.factories import xlsx, xlsx_upload

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
BASE_DIR = Path(settings.BASE_DIR)


def require_redis() -> str:
    if REDIS_URL:
        return REDIS_URL
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("TEST_REDIS_URL 未设置：CI 中必须用真实的 Redis 运行这些测试（见 scripts/test）")
    pytest.skip("TEST_REDIS_URL 未设置（./scripts/test 会设置）")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL on a port nothing listens on: Redis is down."""
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def hung_redis_url():
    """A Redis URL whose server accepts connections and never answers (a hung Redis, a full network)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()


@contextmanager
def broker(url: str):
    """The project's Celery app publishing to `url` (not inline) on a queue of its own; yields the queue.

    Celery caches its connection pools, queues and router when first used: they are set aside and
    restored afterwards, so the rest of the suite runs inline as before.
    """
    from safety_office.celery import app

    queue = f"test-faults-{uuid.uuid4().hex[:12]}"
    changes = {
        "broker_url": url,
        "result_backend": None,
        "task_always_eager": False,
        "task_default_queue": queue,
        "task_default_exchange": queue,  # else the first queue's name sticks as the exchange
        "task_default_routing_key": queue,
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf[key] for key in changes}
    pools = (app._pool, app.amqp._producer_pool)
    app._pool, app.amqp._producer_pool = None, None
    app.conf.update(changes)
    _forget_routing(app)
    _forget_global_pools(app)
    try:
        yield queue
    finally:
        _drop_pools(app)
        app.conf.update(saved)
        _forget_routing(app)
        app._pool, app.amqp._producer_pool = pools
        if url == REDIS_URL:
            _delete_queue(url, queue)


def _drop_pools(app) -> None:
    """Close our connections, and forget them in kombu's global pools (keyed by URL), so that the next
    `broker()` on the same URL starts afresh."""
    if app._pool is not None:
        app._pool.force_close_all()
    _forget_global_pools(app)


def _forget_global_pools(app) -> None:
    """kombu keeps one producer and one connection pool per broker URL for the whole process: a test
    that closed its pool without forgetting it would hand the next one a closed pool."""
    from kombu import pools as kombu_pools

    key = app.connection_for_write()
    for group in (kombu_pools.producers, kombu_pools.connections):
        with suppress(KeyError):
            del group[key]


def _forget_routing(app) -> None:
    # send_task_message too: it keeps the queues and the exchange it was first made with.
    for name in ("queues", "default_queue", "default_exchange", "router", "send_task_message"):
        app.amqp.__dict__.pop(name, None)


def _delete_queue(url: str, queue: str) -> None:
    """Leave nothing of ours in a developer's Redis: the queue and kombu's bindings for it."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


def worker_database_url() -> str:
    """The test database (test_<name>) as a URL, for processes started by a test."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


# The thresholds of the import job heartbeat, small enough for a test, for a worker process and for
# this one (the `settings` fixture) alike.
HEARTBEAT_SECONDS = 0.5
STALE_SECONDS = 2.0


class CeleryWorker:
    """`celery -A safety_office worker --pool=solo` on the test database and `queue`, as production runs
    it (a process of its own, acks_late), with tiny heartbeat and visibility timeouts so that a message
    whose worker died is handed out again within the test."""

    def __init__(self, redis_url: str, queue: str, log_dir: Path) -> None:
        self.name = f"faults-{uuid.uuid4().hex[:8]}"
        self.redis_url, self.queue = redis_url, queue
        self.log_path = log_dir / f"{self.name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_VISIBILITY_TIMEOUT": "1",
            "IMPORT_JOB_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "IMPORT_JOB_STALE_SECONDS": str(STALE_SECONDS),
            "TESTING": "1",
        }
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "safety_office",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                queue,
                "-n",
                f"{self.name}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker did not start:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, the open transaction dies with the connection."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


@pytest.fixture
def celery_worker_factory(tmp_path):
    """Start workers with `start(redis_url, queue)`; every one is stopped at the end of the test."""
    started: list[CeleryWorker] = []

    def start(url: str, queue: str) -> CeleryWorker:
        worker = CeleryWorker(url, queue, tmp_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        _delete_queue(worker.redis_url, worker.queue)  # the worker declared it again
    connections.close_all()


def hazard_ledger(enterprise, rows: int):
    """An upload of the hazard ledger with `rows` good rows for `enterprise`."""
    found = timezone.localdate() - dt.timedelta(days=5)
    values = {
        "发现日期": found,
        "统一社会信用代码": enterprise.uscc,
        "隐患来源": "企业自查",
        "隐患等级": "一般",
        "整改期限": found + dt.timedelta(days=30),
        "整改状态": "待整改",
    }
    content = xlsx(HAZARD_HEADERS, [{**values, "隐患描述": f"配电箱未接地 {i}"} for i in range(rows)])
    return xlsx_upload(content, name="隐患台账.xlsx")


def wait_until(predicate, seconds: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def make_job(user, *, status, heartbeat_ago: float | None, attempts: int, rows=("甲", "乙")) -> ImportJob:
    """A job of the probe kind (tests/core/probe.py) in the given state, queued a minute ago; a running
    one last beat `heartbeat_ago` seconds ago."""
    job = ImportJob(kind=PROBE, user=user, filename="名单.xlsx", status=status, attempts=attempts)
    job.file.save("名单.xlsx", xlsx_upload(xlsx(["名称"], [[r] for r in rows])), save=False)
    now = timezone.now()
    if heartbeat_ago is not None:
        job.started = job.heartbeat = now - dt.timedelta(seconds=heartbeat_ago)
    job.queued = now - dt.timedelta(seconds=60)
    job.save()
    return job


@pytest.fixture
def probe():
    ProbeImporter.seen = []
    register_importer(PROBE, ProbeImporter())
    yield ProbeImporter
    imports._registry.pop(PROBE, None)
