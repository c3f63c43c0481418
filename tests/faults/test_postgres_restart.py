"""Postgres restarting under a running app: while it is down every page answers at once with the 503
page ("数据库暂时不可用", the API with a JSON 503), never a traceback nor a hang; when it is back the
same app process answers 200 again, without a restart (CONN_HEALTH_CHECKS drops the dead connection).

The app is a real gunicorn process on a THROWAWAY Postgres cluster started by the test (initdb and
pg_ctl, as scripts/test's start_throwaway_postgres does), holding a copy of the test database."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .conftest import BASE_DIR, free_port, wait_until

pytestmark = pytest.mark.slow


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("initdb 未找到：需要 Debian 的 postgresql 软件包（scripts/test 会安装）")
        pytest.skip("initdb 未找到（apt-get install postgresql）")
    return found[-1].parent


class ThrowawayPostgres:
    """A Postgres cluster of the test's own, in a temporary folder, on a free port."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="safety-faults-pg."))
        self.data = self.root / "data"
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._as_pg(
            "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )

    def _as_pg(self, tool: str, *args) -> None:
        command = [str(self.bin / tool), *map(str, args)]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_pg("pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-w", "-o", options, "start")

    def stop(self) -> None:
        """A fast shutdown, as a restart by the operator or the container's orchestrator does."""
        self._as_pg("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_pg("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def throwaway_postgres():
    cluster = ThrowawayPostgres()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.remove()


def copy_test_database(cluster: ThrowawayPostgres, name: str) -> None:
    """The test database, as it is now (users, sessions, code tables), into the throwaway cluster."""
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    source = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres"]
    target = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]
    subprocess.run([cluster.bin / "createdb", *target, name], check=True, env=env, timeout=60)
    dump = subprocess.run(
        [cluster.bin / "pg_dump", *source, "--no-owner", "--no-privileges", s["NAME"]],
        check=True, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        [cluster.bin / "psql", *target, "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
        input=dump.stdout, check=True, env=env, capture_output=True, timeout=120,
    )  # fmt: skip


class App:
    """The app as production runs it (gunicorn, DEBUG off) on `database_url`."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.port = free_port()
        self.log_path = log_dir / "gunicorn.log"
        self._log = self.log_path.open("wb")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("CELERY_") and key not in ("DEBUG", "DATABASE_URL")
        }
        env.update(
            DATABASE_URL=database_url,
            DEBUG="false",
            TESTING="1",  # plain static files storage: no collectstatic needed
            SECRET_KEY=settings.SECRET_KEY,  # the test's sessions must stay valid
            ALLOWED_HOSTS="127.0.0.1",
            SESSION_COOKIE_SECURE="false",
            SECURE_SSL_REDIRECT="false",
            CONN_MAX_AGE="60",
            DATABASE_CONNECT_TIMEOUT="3",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "safety_office.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--timeout", "60"],
            cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def get(self, path: str, session: str, timeout: float = 15) -> tuple[int, str, dict]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Cookie": f"sessionid={session}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)

    def wait_ready(self) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(self.log_path.read_text(errors="replace"))
            try:
                return self.get("/login/", "", timeout=2)[0] == 200
            except OSError:
                return False

        wait_until(answers, 60, "gunicorn to answer", interval=0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.mark.django_db(transaction=True)
def test_while_postgres_restarts_pages_answer_503_and_then_recover_without_an_app_restart(
    throwaway_postgres, tmp_path, client, officer
):
    client.force_login(officer)
    session = client.cookies["sessionid"].value
    copy_test_database(throwaway_postgres, "safety_office")
    app = App(throwaway_postgres.url("safety_office"), tmp_path)
    try:
        app.wait_ready()
        status, html, _ = app.get("/", session)
        assert status == 200, app.log_path.read_text(errors="replace")
        assert "区安全生产工作台账" in html

        throwaway_postgres.stop()
        for path in ("/", "/hazards/", "/accounts/enterprises/"):
            started = time.monotonic()
            status, html, headers = app.get(path, session)
            assert time.monotonic() - started < 5, path  # an answer, not a hang
            assert status == 503, (path, html[:500])
            assert "数据库暂时不可用" in html
            assert "Traceback" not in html and "OperationalError" not in html
            assert headers.get("Retry-After")
        status, body, headers = app.get("/api/v1/enterprises/", session)
        assert status == 503 and headers["Content-Type"].startswith("application/json")
        assert json.loads(body) == {"detail": "数据库暂时不可用，请稍后重试。"}

        throwaway_postgres.start()
        status, html, _ = app.get("/", session)
        assert status == 200, app.log_path.read_text(errors="replace")
        assert app.get("/hazards/", session)[0] == 200
        assert app.process.poll() is None  # the same process, never restarted
    finally:
        app.stop()
