"""The backup the README prescribes restores: pg_dump -Fc of a database with a small district and a few
records (the test database, committed by a transactional test), pg_restore into a new database, the
same row counts in the main tables and the same migration history. Runs once; drops what it made."""

import os
import shutil
import subprocess
import uuid
from glob import glob

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from psycopg import sql

from hazards.services import hazard_create
from inspections.models import InspectionKind
from inspections.services import action_create
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = [
    "accounts_orgunit",
    "accounts_user",
    "accounts_enterprise",
    "accounts_enterprise_sectors",
    "accounts_sector",
    "inspections_inspectionaction",
    "inspections_inspectionrecord",
    "hazards_hazard",
    "django_migrations",
]


def pg_tool(name: str) -> str:
    """The client matching the newest server binaries installed (Debian puts them outside PATH)."""
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    path = found[-1] if found else shutil.which(name)
    if not path:
        pytest.fail(f"{name} not found: install Debian's postgresql-client")
    return path


def counts(conninfo: dict) -> dict[str, int]:
    with psycopg.connect(**conninfo) as conn:
        return {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
            for t in TABLES
        }


def test_pg_dump_and_pg_restore_round_trip(officer, township_a_user, enterprise_a, enterprise_b, tmp_path):
    action_create(
        user=officer,
        date=timezone.localdate(),
        organizer=officer.org_unit,
        kind=InspectionKind.objects.get(code="supervision"),
        members=[officer],
        enterprises=[enterprise_a, enterprise_b],
    )
    hazard_create(user=officer, data=hazard_data(enterprise_a))
    hazard_create(user=officer, data=hazard_data(enterprise_b))

    source = dict(connection.get_connection_params())
    source.pop("cursor_factory", None)
    source.pop("context", None)
    source.pop("prepare_threshold", None)
    before = counts(source)
    assert before["hazards_hazard"] == 2 and before["inspections_inspectionrecord"] == 2

    pg_env = {
        **os.environ,
        "PGHOST": source.get("host") or "",
        "PGPORT": str(source.get("port") or 5432),
        "PGUSER": source.get("user") or "",
        "PGPASSWORD": source.get("password") or "",
    }
    dump = tmp_path / "safety.dump"
    subprocess.run(
        [pg_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), source["dbname"]],
        env=pg_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    target = f"restore_check_{uuid.uuid4().hex[:8]}"
    admin = {**source, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    try:
        subprocess.run(
            [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", target, str(dump)],
            env=pg_env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert counts({**source, "dbname": target}) == before

    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
