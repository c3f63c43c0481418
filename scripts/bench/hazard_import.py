"""Benchmark: a 10,000-row hazard ledger import (and its export) on the configured database; prints timings.

Run: DATABASE_URL=postgres://… .venv/bin/python manage.py shell < scripts/bench/hazard_import.py
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
from accounts.models import Enterprise, OrgUnit, Sector, User
from accounts.validators import uscc_check_char
from core.imports import get_importer
from hazards import selectors
from hazards.excel import hazard_export
from hazards.importers import HAZARD_EXTRA_HEADERS, HAZARD_HEADERS
from hazards.models import Hazard, HazardEvent

N = 10_000
ENTERPRISES = 800
HEADERS = [*HAZARD_HEADERS, *HAZARD_EXTRA_HEADERS]
today = timezone.localdate()


def code(i):
    f = f"91330102{i:09d}"
    return f + uscc_check_char(f)


def ledger(enterprises, prefix=""):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    states = ["已销号"] * 6 + ["待整改", "整改中", "待复查", "整改中"]
    for i in range(N):
        found = today - dt.timedelta(days=1 + i % 360)
        state = states[i % len(states)]
        major = i % 25 == 0
        listed = major and i % 50 == 0
        row = {
            "隐患编号": f"{prefix}OLD-{i:06d}" if i % 2 else None,  # half keep the old number, half get one
            "发现日期": found,
            "统一社会信用代码": enterprises[i % len(enterprises)].uscc,
            "隐患来源": ["企业自查", "专家查隐患", "线上巡查", "群众举报", "其他"][i % 5],
            "隐患等级": "重大" if major else "一般",
            "隐患描述": f"基准隐患{i}：配电箱未可靠接地，线路老化",
            "整改期限": found + dt.timedelta(days=30),
            "整改措施": "更换配电箱，重新敷设线路",
            "整改责任人": "张三",
            "整改状态": state,
            "销号日期": min(found + dt.timedelta(days=20), today) if state == "已销号" else None,
            "挂牌督办级别": "区级" if listed else "无",
            "挂牌日期": found if listed else None,
            "整改资金（万元）": 12.5 if major else None,
            "应急预案": "现场处置方案" if major else None,
            "隐患类别": "用电安全",
        }
        ws.append([row.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


with transaction.atomic():
    # Hazard numbers run per district and are unique in the installation (one district each), so the
    # bench works inside the existing district when there is one, e.g. on a database with the demo.
    root = OrgUnit.objects.filter(kind=OrgKind.DISTRICT, parent=None).order_by("pk").first()
    root = root or OrgUnit.objects.create(name="基准区", kind=OrgKind.DISTRICT)
    towns = [OrgUnit.objects.create(name=f"基准街道{t}", kind=OrgKind.STREET, parent=root) for t in range(16)]
    user = User.objects.create(username="bench_officer", role=Role.OFFICER, org_unit=root)
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(uscc=code(800000 + i), name=f"基准企业{i}", jurisdiction=towns[i % 16])
            for i in range(ENTERPRISES)
        ]
    )
    sectors = list(Sector.objects.filter(is_active=True)[:2])
    Enterprise.sectors.through.objects.bulk_create(
        [Enterprise.sectors.through(enterprise_id=e.pk, sector_id=s.pk) for e in enterprises for s in sectors]
    )
    t0 = time.perf_counter()
    content = ledger(enterprises)
    print(f"{'write the 10,000-row xlsx':40s} {time.perf_counter() - t0:6.2f}s  {len(content) // 1024} KB")

    importer = get_importer("hazards")
    for label, kwargs in [
        ("dry run (check + write + rollback)", {"dry_run": True}),
        ("import, 10,000 new", {}),
    ]:
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            r = importer.run(user=user, file=content, **kwargs)
            seconds = time.perf_counter() - t0
        print(
            f"{label:40s} {seconds:6.2f}s  created={r.created} errors={len(r.errors)} "
            f"queries={len(q.captured_queries)}"
        )
    with CaptureQueriesContext(connection) as q:
        t0 = time.perf_counter()
        r = importer.run(user=user, file=content)
        print(
            f"{'re-import (every old number refused)':40s} {time.perf_counter() - t0:6.2f}s  "
            f"errors={len(r.errors)} queries={len(q.captured_queries)}"
        )
    mine = Hazard.objects.filter(enterprise__in=enterprises)
    print(
        "hazards:",
        mine.count(),
        "events:",
        HazardEvent.objects.filter(hazard__in=mine).count(),
        "history:",
        Hazard.history.filter(enterprise_id__in=[e.pk for e in enterprises]).count(),
    )
    with CaptureQueriesContext(connection) as q:
        t0 = time.perf_counter()
        out = hazard_export(selectors.hazard_list(user=user).filter(enterprise__in=enterprises))
        print(
            f"{'export 10,000':40s} {time.perf_counter() - t0:6.2f}s  {len(out) // 1024} KB "
            f"queries={len(q.captured_queries)}"
        )
    transaction.set_rollback(True)
print("rolled back; left behind:", Hazard.objects.filter(description__startswith="基准隐患").count())
