"""Benchmark: a 3000-row enterprise import and export on the configured database; prints timings.

The import runs as the importer alone (as `manage.py import_ledger` does) and as the background job
the upload page starts (core.tasks.run_import_job, with its progress writes).

Run: DATABASE_URL=postgres://… .venv/bin/python manage.py shell < scripts/bench/enterprise_import.py
Everything it creates is rolled back at the end, and the job's stored upload deleted.
"""

import io
import time

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from accounts import selectors
from accounts.choices import OrgKind, Role
from accounts.excel import enterprise_export
from accounts.importers import ENTERPRISE_HEADERS
from accounts.models import Enterprise, OrgUnit, User
from accounts.validators import uscc_check_char
from core.excel import read_sheet
from core.imports import get_importer
from core.models import ImportJob
from core.tasks import run_import_job

N = 3000


def code(i):
    f = f"91330102{i:09d}"
    return f + uscc_check_char(f)


with transaction.atomic():
    root = OrgUnit.objects.create(name="基准区", kind=OrgKind.DISTRICT)
    towns = [OrgUnit.objects.create(name=f"基准街道{t}", kind=OrgKind.STREET, parent=root) for t in range(16)]
    for t in towns:
        for c in range(5):
            OrgUnit.objects.create(name=f"{t.name}社区{c}", kind=OrgKind.COMMUNITY, parent=t)
    OrgUnit.objects.create(name="基准应急局", kind=OrgKind.DEPARTMENT, parent=root)
    user = User.objects.create(username="bench_officer", role=Role.OFFICER)

    def sheet(name_suffix=""):
        wb = Workbook()
        ws = wb.active
        ws.append(ENTERPRISE_HEADERS)
        for i in range(N):
            t = towns[i % 16]
            ws.append(
                [
                    code(900000 + i),
                    f"基准企业{i}{name_suffix}",
                    "工贸、机械" if i % 2 else "建筑施工",
                    f"{t.name}/{t.name}社区{i % 5}" if i % 3 else t.name,
                    "基准应急局",
                    "红黄橙蓝"[i % 4],
                    "规上",
                    f"基准路{i}号",
                    "张三",
                    13800000000 + i,
                    120.1 + i / 1e5,
                    30.2,
                ]
            )
        b = io.BytesIO()
        wb.save(b)
        return b.getvalue()

    first, renamed = sheet(), sheet("（改）")
    importer = get_importer("enterprises")
    for label, content, kwargs in [
        ("dry run (validate + write + rollback)", first, {"dry_run": True}),
        ("import, 3000 new", first, {}),
        ("re-import, 3000 unchanged", first, {}),
        ("re-import, 3000 changed", renamed, {}),
    ]:
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            r = importer.run(user=user, file=content, **kwargs)
            dt = time.perf_counter() - t0
        print(
            f"{label:40s} {dt:6.2f}s  created={r.created} updated={r.updated} errors={len(r.errors)} queries={len(q.captured_queries)}"
        )
    job = ImportJob(kind="enterprises", user=user, filename="bench.xlsx")
    job.file.save("bench.xlsx", ContentFile(first), save=False)
    job.save()
    try:
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            run_import_job(job.pk)
            dt = time.perf_counter() - t0
        job.refresh_from_db()
        print(
            f"{'background job, 3000 unchanged':40s} {dt:6.2f}s  status={job.status} "
            f"created={job.created_rows} updated={job.updated_rows} errors={len(job.errors)} "
            f"queries={len(q.captured_queries)}"
        )
    finally:
        job.file.delete(save=False)

    t0 = time.perf_counter()
    read_sheet(first)
    print(f"{'read_sheet only':40s} {time.perf_counter() - t0:6.2f}s")
    with CaptureQueriesContext(connection) as q:
        t0 = time.perf_counter()
        out = enterprise_export(
            queryset=selectors.enterprise_list(user=user).filter(name__startswith="基准企业")
        )
        print(
            f"{'export 3000':40s} {time.perf_counter() - t0:6.2f}s  {len(out) // 1024} KB queries={len(q.captured_queries)}"
        )
    print("enterprises now:", Enterprise.objects.filter(name__startswith="基准企业").count())
    transaction.set_rollback(True)
print("rolled back; left behind:", Enterprise.objects.filter(name__startswith="基准企业").count())
