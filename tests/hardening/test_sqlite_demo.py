"""The SQLite demo does not answer "database is locked" when two writes meet: transactions start
IMMEDIATE (the write lock is taken at BEGIN, so a second writer waits instead of failing on its first
write after a read) and wait up to `timeout` seconds. The suite itself runs on Postgres, so this runs in
a subprocess on a throwaway SQLite file."""

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = r"""
import threading, time
import django
django.setup()
from django.db import connection, transaction
from accounts.choices import OrgKind
from accounts.models import NumberSequence, OrgUnit
from accounts.services import number_next

print(connection.settings_dict["OPTIONS"])
# Only the tables this needs (a full migrate takes longer than the test).
with connection.schema_editor() as editor:
    for model in (OrgUnit, NumberSequence):
        editor.create_model(model)
[unit] = OrgUnit.objects.bulk_create([OrgUnit(name="示范区", kind=OrgKind.DISTRICT)])  # no history row
errors, numbers = [], []

def work():
    try:
        for _ in range(15):
            with transaction.atomic():
                n = number_next(series="ZF", org_unit=unit, year=2026)  # a read, then a write
                time.sleep(0.005)  # hold the transaction so the other thread meets it
                numbers.append(n)
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=work) for _ in range(3)]
[t.start() for t in threads]
[t.join() for t in threads]
print("errors", errors)
assert not errors, errors
assert sorted(numbers) == list(range(1, 46)), sorted(numbers)
print("ok")
"""


def test_concurrent_writes_on_the_sqlite_demo_wait_instead_of_failing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TESTING",)}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="safety_office.settings",
        TESTING="false",
    )

    def run(args, **kw):
        return subprocess.run(
            args, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300, **kw
        )

    result = run([sys.executable, "-c", SCRIPT])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout
    assert result.stdout.strip().endswith("ok")
