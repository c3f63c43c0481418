"""Read hostile files with read_sheet in a fresh process and print what each cost, one JSON line each.

    python -m tests.hostile.measure FILE.xlsx [FILE.xlsx …]

Peak RSS is the process's high-water mark (VmHWM): after each file it is the worst so far, so to see
one file's own figure, give it alone. The process loads Django first, as a Celery worker has.
VmHWM belongs to this process's memory alone; getrusage's ru_maxrss is not used because Linux keeps
it across exec, so a child of a big pytest process would start with its parent's figure.
"""

import json
import os
import resource
import sys
import time

import django


def peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # not Linux


def main(paths: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_office.settings")
    django.setup()
    from core.excel import LedgerFileError, read_sheet  # noqa: PLC0415 (after django.setup())

    for path in paths:
        before = resource.getrusage(resource.RUSAGE_SELF)
        peak_before = peak_mb()
        start = time.perf_counter()
        try:
            outcome = {"rows": len(read_sheet(path)[1]), "message": None}
        except LedgerFileError as exc:
            outcome = {"rows": None, "message": exc.message}
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        outcome.update(
            file=os.path.basename(path),
            size_kb=round(os.path.getsize(path) / 1024, 1),
            seconds=round(time.perf_counter() - start, 2),
            cpu_seconds=round(cpu, 2),
            peak_before_mb=peak_before,
            peak_mb=peak_mb(),
        )
        print(json.dumps(outcome, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
