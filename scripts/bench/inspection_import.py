"""Benchmark: a 2000-row inspection ledger import on the configured database; prints rows/s and queries.

Run: DATABASE_URL=postgres://… .venv/bin/python manage.py shell < scripts/bench/inspection_import.py
Everything it creates is rolled back at the end.
"""

import datetime as dt
import io
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from accounts.choices import OrgKind, Role
from accounts.models import Enterprise, OrgUnit, User
from accounts.validators import uscc_check_char
from core.imports import get_importer
from inspections.importers import HEADERS
from inspections.models import InspectionAction, InspectionRecord

N = 2000
DAY = timezone.localdate() - dt.timedelta(days=30)


def code(i):
    f = f"91330102{i:09d}"
    return f + uscc_check_char(f)


with transaction.atomic():
    root = OrgUnit.objects.create(name="基准区", kind=OrgKind.DISTRICT)
    towns = [OrgUnit.objects.create(name=f"基准街道{t}", kind=OrgKind.STREET, parent=root) for t in range(16)]
    dept = OrgUnit.objects.create(name="基准应急局", kind=OrgKind.DEPARTMENT, parent=root)
    officer = User.objects.create(username="bench_officer", role=Role.OFFICER, org_unit=dept)
    User.objects.bulk_create(
        [
            User(
                username=f"bench_insp{i}",
                name=f"基准检查员{i}",
                role=Role.DEPARTMENT,
                org_unit=dept,
                enforcement_cert_no=f"BENCH{i}",
                enforcement_cert_expiry=DAY + dt.timedelta(days=365),
            )
            for i in range(20)
        ]
    )
    Enterprise.objects.bulk_create(
        [Enterprise(uscc=code(800000 + i), name=f"基准企业{i}", jurisdiction=towns[i % 16]) for i in range(N)]
    )

    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for i in range(N):
        group = i // 3  # three enterprises per action; every tenth action left for the system to number
        ws.append(
            [
                "" if group % 10 == 0 else f"基准检〔{DAY.year}〕{group}号",
                DAY - dt.timedelta(days=group % 60),
                code(800000 + i),
                "专项检查" if group % 2 else "日常检查",
                "基准应急局",
                f"基准检查员{group % 20}、基准检查员{(group + 1) % 20}、外聘专家{group % 5}",
                "是" if group % 7 == 0 else "否",
                "陈区长" if group % 7 == 0 else "",
                "危化品专项整治" if group % 3 == 0 else "",
                f"第{i}行",
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    content = buffer.getvalue()

    importer = get_importer("inspections")
    for label, kwargs in [
        ("dry run (check + write + rollback)", {"dry_run": True}),
        (f"import, {N} rows", {}),
        ("re-import (blank-number rows count again)", {}),
    ]:
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            r = importer.run(user=officer, file=content, **kwargs)
            seconds = time.perf_counter() - t0
        print(
            f"{label:40s} {seconds:6.2f}s {N / seconds:7.0f} rows/s  created={r.created} "
            f"updated={r.updated} errors={len(r.errors)} queries={len(q.captured_queries)}"
        )
        for error in r.errors[:5]:
            print("   ", error)
    mine = InspectionAction.objects.filter(organizer=dept)
    print("actions:", mine.count(), "records:", InspectionRecord.objects.filter(action__in=mine).count())
    transaction.set_rollback(True)
print("rolled back; left behind:", InspectionAction.objects.filter(organizer__name="基准应急局").count())
