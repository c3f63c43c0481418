"""The benchmark's small size, as a smoke test: it loads its data, measures every path and prints every
row. No timing is asserted here: the figures live in docs/performance.md (`python bench/run.py`)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from hazards.models import Hazard

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = [
    "annual roll-up, all metrics, district",
    "bare Django view (floor)",
    "leaders' dashboard /reports/",
    "hazard ledger, township + closed, page 1",
    "hazard ledger, all, page 1",
    "hazard ledger, all, page",
    "inspection list",
    "case list",
    "hazard list API",
    "hazard list API, requests/s",
    "hazard ledger import, 300 rows",
    "annual summary PDF",
    "PDF worker memory over 3 builds",
]


def test_the_small_benchmark_runs_every_path_and_prints_its_row(tmp_path):
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    # The subprocesses see what this test commits: the test database, flushed after the test.
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["SECRET_KEY"] = settings.SECRET_KEY
    env["TESTING"] = "1"
    done = subprocess.run(
        [
            sys.executable, "bench/run.py", "--size", "small", "--no-doc",
            "--reps", "2", "--seconds", "1", "--clients", "2", "--import-rows", "300", "--pdf-builds", "3",
        ],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    for name in ROWS:
        assert any(line.startswith(f"| {name}") for line in table), f"no row {name!r} in:\n" + "\n".join(
            table
        )
    assert Hazard.objects.exists(), "the benchmark loads its own data set"
    assert "nan" not in "\n".join(table)
    assert not (settings.BASE_DIR / "docs" / "performance.md").read_text().count("--import-rows 300")
