"""Benchmark: the hazard ledger import (`import_ledger hazards`) against its floor, openpyxl's read-only
parse of the same file. Called by the benchmark runner:

    from bench.imports import measure_hazard_import
    measure_hazard_import(rows=100_000, reps=3)

or on its own: `DATABASE_URL=… python -m bench.imports 100000 3` (prints the dicts as JSON lines).

The workbook is built here, once, in a temporary file. Each repetition runs in a fresh process
(`python -m bench.imports child FILE ROWS`), as a Celery worker runs an upload: it creates the district's
towns, an officer and the enterprises the file names inside one transaction, imports the file, and rolls
everything back, so the configured database keeps no row of it. Its peak memory is the child's VmHWM
(/proc/self/status): the high-water mark of that process alone, Django and the enterprises included.
getrusage(RUSAGE_CHILDREN) is not used: it is the worst of every child the runner ever waited for.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# One enterprise per 20 rows: a district's ledger names a few thousand units, each many times.
ROWS_PER_ENTERPRISE = 20
MIN_ENTERPRISES = 10
# The bench's enterprises use codes no real registration has: 91330102 + 9 digits from here on.
CODE_BASE = 970_000_000
TOWNS = 16
CHILD_TIMEOUT = 1800


def enterprise_count(rows: int) -> int:
    return max(MIN_ENTERPRISES, rows // ROWS_PER_ENTERPRISE)


def bench_code(i: int) -> str:
    from accounts.validators import uscc_check_char  # noqa: PLC0415 (needs Django set up by the caller)

    body = f"91330102{CODE_BASE + i:09d}"
    return body + uscc_check_char(body)


def build_ledger(path: Path, rows: int, *, today: dt.date) -> None:
    """A hazard ledger of `rows` rows over enterprise_count(rows) enterprises, every column filled as
    an old district ledger has it: half keep an old number, a tenth are open, one in 25 is major."""
    from openpyxl import Workbook  # noqa: PLC0415

    from hazards.importers import HAZARD_EXTRA_HEADERS, HAZARD_HEADERS  # noqa: PLC0415

    headers = [*HAZARD_HEADERS, *HAZARD_EXTRA_HEADERS]
    codes = [bench_code(i) for i in range(enterprise_count(rows))]
    states = ["已销号"] * 6 + ["待整改", "整改中", "待复查", "整改中"]
    sources = ["企业自查", "专家查隐患", "线上巡查", "群众举报", "其他"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for i in range(rows):
        found = today - dt.timedelta(days=1 + i % 360)
        state = states[i % len(states)]
        major = i % 25 == 0
        listed = major and i % 50 == 0
        row = {
            "隐患编号": f"BENCH-OLD-{i:07d}" if i % 2 else None,
            "发现日期": found,
            "统一社会信用代码": codes[i % len(codes)],
            "隐患来源": sources[i % 5],
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
        ws.append([row.get(h) for h in headers])
    wb.save(path)


def openpyxl_floor(path: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) for openpyxl to parse every cell of the file in read-only mode: the floor."""
    from openpyxl import load_workbook  # noqa: PLC0415

    start, cpu = time.perf_counter(), time.process_time()
    wb = load_workbook(path, read_only=True, data_only=True)
    for _row in wb.worksheets[0].iter_rows(values_only=True):
        pass
    wb.close()
    return time.perf_counter() - start, time.process_time() - cpu


def measure_hazard_import(rows: int, reps: int) -> list[dict]:
    """[{name, rows, seconds: [import …], floor_seconds: [openpyxl parse …], peak_mb, …}], one dict.

    Runs on the configured database (DATABASE_URL) and leaves nothing behind.
    """
    from django.utils import timezone  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        path = Path(folder) / "hazards.xlsx"
        build_ledger(path, rows, today=timezone.localdate())
        seconds, cpu, floors, floor_cpu, peaks, phases = [], [], [], [], [], []
        for _rep in range(reps):
            floor = openpyxl_floor(path)
            floors.append(round(floor[0], 3))
            floor_cpu.append(round(floor[1], 3))
            child = _run_child(path, rows)
            seconds.append(child["seconds"])
            cpu.append(child["cpu_seconds"])
            peaks.append(child["peak_mb"])
            phases.append(child["phases"])
        return [
            {
                "name": f"import_ledger hazards ({rows:,} rows)",
                "rows": rows,
                "seconds": seconds,
                "floor_seconds": floors,
                # CPU of the importing process and of the parse: steadier than wall time on a busy
                # machine, but blind to the database server's share of the import.
                "cpu_seconds": cpu,
                "floor_cpu_seconds": floor_cpu,
                "floor": "openpyxl read-only parse of the same file",
                "peak_mb": max(peaks),
                "peak_mb_each": peaks,
                "memory": "VmHWM of the importing process (fresh, Django loaded)",
                "phases": phases,
                "file_kb": path.stat().st_size // 1024,
                "ratio": round(statistics.median(seconds) / statistics.median(floors), 2),
            }
        ]


def _run_child(path: Path, rows: int, profile: str | None = None) -> dict:
    command = [sys.executable, "-m", "bench.imports", "child", str(path), str(rows)]
    if profile:
        command.append(profile)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "safety_office.settings")
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False
    )
    if done.returncode:
        raise RuntimeError(f"bench.imports child failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the child process


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    import resource  # noqa: PLC0415 (not Linux)

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _child(path: str, rows: int, profile: str | None) -> dict:
    import django  # noqa: PLC0415

    django.setup()
    from django.db import transaction  # noqa: PLC0415

    from accounts.choices import OrgKind, Role  # noqa: PLC0415
    from accounts.models import Enterprise, OrgUnit, Sector, User  # noqa: PLC0415
    from core.imports import get_importer  # noqa: PLC0415

    phases: dict[str, float] = {}
    last = [time.perf_counter(), None]

    def progress(stage: str, done: int, total: int) -> None:
        # The time of each stage, from the progress reports every import gives its job page.
        now = time.perf_counter()
        if stage != last[1]:
            if last[1] is not None:
                phases[last[1]] = phases.get(last[1], 0) + now - last[0]
            else:
                phases["reading"] = now - last[0]
            last[0], last[1] = now, stage

    with transaction.atomic():
        root = OrgUnit.objects.filter(kind=OrgKind.DISTRICT, parent=None).order_by("pk").first()
        root = root or OrgUnit.objects.create(name="基准区", kind=OrgKind.DISTRICT)
        towns = [
            OrgUnit.objects.create(name=f"基准街道{t}", kind=OrgKind.STREET, parent=root)
            for t in range(TOWNS)
        ]
        user = User.objects.create(username="bench_import_officer", role=Role.OFFICER, org_unit=root)
        enterprises = Enterprise.objects.bulk_create(
            [
                Enterprise(uscc=bench_code(i), name=f"基准企业{i}", jurisdiction=towns[i % TOWNS])
                for i in range(enterprise_count(rows))
            ]
        )
        sectors = list(Sector.objects.filter(is_active=True)[:2])
        Enterprise.sectors.through.objects.bulk_create(
            [
                Enterprise.sectors.through(enterprise_id=e.pk, sector_id=s.pk)
                for e in enterprises
                for s in sectors
            ]
        )
        del enterprises
        rss_before = _rss_mb()
        importer = get_importer("hazards")
        profiler = None
        if profile:
            import cProfile  # noqa: PLC0415

            profiler = cProfile.Profile()
            profiler.enable()
        start = last[0] = time.perf_counter()
        cpu = time.process_time()
        result = importer.run(user=user, file=path, progress=progress)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        if last[1] is not None:
            phases[last[1]] = phases.get(last[1], 0) + time.perf_counter() - last[0]
        if not result.ok or result.created != rows:
            raise SystemExit(
                f"import failed: created={result.created} errors={[str(e) for e in result.errors[:5]]}"
            )
        transaction.set_rollback(True)
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "phases": {k: round(v, 3) for k, v in phases.items()},
        "rss_before_mb": rss_before,
        "peak_mb": _peak_mb(),
        "created": result.created,
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_office.settings")
    if argv[:1] == ["child"]:
        print(json.dumps(_child(argv[1], int(argv[2]), argv[3] if len(argv) > 3 else None)), flush=True)
        return
    import django  # noqa: PLC0415

    django.setup()
    rows = int(argv[0]) if argv else 100_000
    reps = int(argv[1]) if len(argv) > 1 else 3
    for line in measure_hazard_import(rows, reps):
        print(json.dumps(line, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
