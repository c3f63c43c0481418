"""The tests refuse to run anywhere but on Postgres: without DATABASE_URL the settings fall back to the
demo's SQLite, and a green run there would prove nothing about locks, constraints or the import jobs'
second connection. The refusal comes before any test is collected or any database made."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pytest_without_database_url_stops_at_once_and_says_what_to_do():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTEST_ADDOPTS"}}

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/core"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 4, output
    assert "测试只在 Postgres 上运行" in output
    assert "./scripts/test" in output and "DATABASE_URL" in output
    assert "The tests run on Postgres only" in output
    assert "sqlite3" in output
    assert "test_excel.py" not in output  # stopped before collecting anything
