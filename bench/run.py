#!/usr/bin/env python
"""The performance benchmark: every hot path against its floor, in one run, on this machine.

    python bench/run.py [--size small|city] [--reps N] [--seconds S] [--no-doc] [--load]

On the configured DATABASE_URL (Postgres). When the database holds no data set of that size yet (or with
--load) it loads one first with `manage.py seed_scale --size … --reset`. Then, each path several times,
median and p95 against its floor measured in the same run:

- the annual roll-up of every metric for the district's last full year, against hand-written SQL that
  computes the same figures in one pass per table (bench/rollup.py);
- the leaders' dashboard, the hazard ledger (filtered page 1, unfiltered page 1, a deep page), the
  inspection list and the case list, served by gunicorn over HTTP under concurrent load from a second
  process (bench/load.py), against a bare Django view on the same server (bench/urls.py), with the
  queries each page runs;
- the hazard list API's requests per second against the bare view's, in alternating slices;
- importing a hazard ledger against openpyxl's read-only parse of the same file, and the import's peak
  memory (bench/imports.py);
- the annual summary's PDF against WeasyPrint alone on the same HTML, and a worker's memory over many
  builds (bench/pdf.py).

The table is printed and written into docs/performance.md (between the size's markers) with the
machine, the date, the sizes and the command; --no-doc only prints. Nothing it measures is left
behind: imports and reports are rolled back, sessions deleted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_office.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import imports as bench_imports  # noqa: E402
from bench import rollup as bench_rollup  # noqa: E402

SIZES = {
    # reps: repetitions of the in-process paths; seconds: load per page; clients: concurrent connections.
    "small": {
        "reps": 5,
        "seconds": 4.0,
        "clients": 4,
        "import_rows": 5_000,
        "pdf_builds": 10,
        "pdf_floor": 3,
    },
    "city": {
        "reps": 7,
        "seconds": 20.0,
        "clients": 4,
        "import_rows": 100_000,
        "pdf_builds": 50,
        "pdf_floor": 5,
    },
}
# As the README runs gunicorn: sync workers, 2 × cores + 1 of them. Threads (gthread) are an option to
# compare: two requests in one process take turns holding the GIL, and each of a page's dozen queries
# hands it back and waits for it again, so under load a threaded worker adds latency a process does not.
GUNICORN_WORKERS = 2 * (os.cpu_count() or 1) + 1
GUNICORN_THREADS = 1
DOC = ROOT / "docs" / "performance.md"


@dataclass
class Row:
    name: str
    size: str
    unit: str  # "ms", "s", "req/s"
    values: list[float]
    floor: list[float] = field(default_factory=list)
    goal: str = ""
    ok: bool | None = None
    queries: int | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.values, 95)

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor) if self.floor else float("nan")

    @property
    def ratio(self) -> float:
        if not self.floor:
            return float("nan")
        if self.unit == "req/s":  # more is better: the share of the floor's throughput
            return self.median / self.floor_median
        return self.median / self.floor_median


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def timed(func, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        func()
        out.append(time.perf_counter() - started)
    return out


def say(text: str) -> None:
    print(text, flush=True)


# --- data --------------------------------------------------------------------------------------------


def scale_loaded(size: str) -> bool:
    """The database holds a seed_scale data set of at least this size."""
    from accounts.models import Enterprise

    if not get_user_model().objects.filter(username="scale_officer").exists():
        return False
    wanted = {"small": 500, "city": 40_000}[size]
    return Enterprise.objects.count() >= wanted


def load(size: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "seed_scale", "--size", size, "--reset"],
        check=True,
        cwd=ROOT,
    )
    return time.perf_counter() - started


def data_sizes() -> dict[str, int]:
    tables = {
        "units": "accounts_orgunit",
        "enterprises": "accounts_enterprise",
        "inspection_records": "inspections_inspectionrecord",
        "hazards": "hazards_hazard",
        "hazard_events": "hazards_hazardevent",
        "hazard_history": "hazards_historicalhazard",
        "cases": "enforcement_case",
        "penalties": "enforcement_penalty",
        "accidents": "hazards_accident",
        "activities": "campaigns_activity",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            out[name] = cursor.fetchone()[0]
    return out


# --- pages over HTTP ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_class(threads: int) -> str:
    return "gthread" if threads > 1 else "sync"


class Server:
    """gunicorn as production runs it (DEBUG off), with the bench URLs added."""

    def __init__(self, log: Path, *, workers: int, threads: int) -> None:
        self.port = free_port()
        self.log_path = log
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            PYTHONPATH=str(ROOT),
            DEBUG="false",
            TESTING="1",  # plain static files storage: no collectstatic needed for a benchmark
            SECRET_KEY=settings.SECRET_KEY,  # the sessions made here must stay valid there
            ALLOWED_HOSTS="127.0.0.1",
            SESSION_COOKIE_SECURE="false",
            SECURE_SSL_REDIRECT="false",
            AXES_ENABLED="false",
        )
        if "DATABASE_URL" not in env:
            env["DATABASE_URL"] = database_url()
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "safety_office.wsgi",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers), "--threads", str(threads),
                "--worker-class", worker_class(threads), "--timeout", "120", "--keep-alive", "30",
            ],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login/", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in 60 s")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def session_for(username: str) -> tuple[Client, str]:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def load_run(server: Server, path: str, cookie: str, *, clients: int, seconds: float) -> dict:
    job = {
        "host": "127.0.0.1",
        "port": server.port,
        "path": path,
        "cookie": cookie,
        "clients": clients,
        "seconds": seconds,
        "warmup": 0,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        input=json.dumps(job), capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(done.stdout)


def page_targets() -> list[tuple[str, str, str]]:
    """(name, user, path) of the pages the issue names, with parameters that fit this data set."""
    from django.db.models import Count

    from core.lists import PAGE_SIZE
    from hazards.models import Hazard

    # The township with the most hazards: the heaviest filtered ledger a township's officer opens.
    township_id = (
        Hazard.objects.order_by().values("township").annotate(n=Count("pk")).order_by("-n").first() or {}
    ).get("township", "")
    total = Hazard.objects.count()
    deep = max(1, int(total / PAGE_SIZE * 0.8))
    return [
        ("bare Django view (floor)", "scale_officer", "/bench/bare/"),
        ("leaders' dashboard /reports/", "scale_leader", "/reports/"),
        (
            "hazard ledger, township + closed, page 1",
            "scale_officer",
            f"/hazards/?township={township_id}&state=closed",
        ),
        ("hazard ledger, all, page 1", "scale_officer", "/hazards/"),
        (f"hazard ledger, all, page {deep:,}", "scale_officer", f"/hazards/?page={deep}"),
        ("inspection list", "scale_officer", "/inspections/"),
        ("case list", "scale_officer", "/enforcement/"),
        ("hazard list API", "scale_officer", "/api/v1/hazards/"),
    ]


def count_queries(client: Client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    return response.status_code, len(captured)


def warm_dashboard() -> float:
    """The roll-ups the dashboard's default view reads, as the nightly job leaves them: measured warm."""
    from demo.statistics import compute_default_view
    from reports.models import Rollup
    from reports.periods import Period, today
    from reports.scopes import scope_units

    # All of them: the district's year and months (the trend) and every township's and department's year
    # (the ranking). With only the district's year stored, the ranking shows 125 "—" and reads nothing.
    year = Period.containing("year", today())
    wanted = 1 + len(year.months()) + scope_units().count()
    stored = Rollup.objects.filter(
        period_key__in=[year.key, *(month.key for month in year.months())], stale=False
    ).count()
    if stored >= wanted:
        return 0.0
    started = time.perf_counter()
    compute_default_view()
    return time.perf_counter() - started


def measure_pages(size: str, conf: dict, workdir: Path) -> list[Row]:
    warmed = warm_dashboard()
    if warmed:
        say(f"  computed the dashboard's roll-ups first ({warmed:.1f} s)")
    targets = page_targets()
    sessions = {user: session_for(user) for user in {user for _, user, _ in targets}}
    queries = {}
    for name, user, path in targets:
        if path.startswith("/bench/"):
            continue
        status, n = count_queries(sessions[user][0], path)
        if status != 200:
            raise RuntimeError(f"{path} as {user}: HTTP {status}")
        queries[name] = n
    rows: list[Row] = []
    server = Server(workdir / "gunicorn.log", workers=conf["workers"], threads=conf["threads"])
    try:
        runs = {}
        for name, user, path in targets:
            cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[user][1]}"
            load_run(server, path, cookie, clients=conf["clients"], seconds=min(2.0, conf["seconds"]))  # warm
            runs[name] = (
                path,
                load_run(server, path, cookie, clients=conf["clients"], seconds=conf["seconds"]),
            )
            result = runs[name][1]
            say(
                f"  {name}: {len(result['latencies'])} requests, median "
                f"{statistics.median(result['latencies']) * 1000:.1f} ms, errors {result['error_count']}"
            )
            if result["error_count"]:
                raise RuntimeError(f"{path}: {result['errors']}")
        throughput = compare_throughput(server, targets, sessions, conf)
    finally:
        server.stop()
        for _client, key in sessions.values():
            Session.objects.filter(session_key=key).delete()
    bare = [s * 1000 for s in runs["bare Django view (floor)"][1]["latencies"]]
    for name, (_path, result) in runs.items():
        ms = [s * 1000 for s in result["latencies"]]
        if name.startswith("bare"):
            rows.append(Row(name, size, "ms", ms, note=f"{len(ms) / result['wall']:.0f} req/s"))
            continue
        row = Row(name, size, "ms", ms, bare, goal="p95 ≤ 150 ms", queries=queries.get(name))
        row.ok = row.p95 <= 150
        row.note = f"{len(ms) / result['wall']:.0f} req/s"
        rows.append(row)
        if name == "hazard list API":
            rps, bare_rps = throughput
            api = Row("hazard list API, requests/s", size, "req/s", [rps], [bare_rps], goal="≥ 30% of bare")
            api.ok = rps / bare_rps >= 0.30
            api.note = f"alternating with the bare view, {ROUNDS} rounds"
            rows.append(api)
    return rows


ROUNDS = 4


def compare_throughput(server: Server, targets, sessions, conf: dict) -> tuple[float, float]:
    """Requests per second of the hazard API and of the bare view, measured in alternating slices so that
    both see the same host: on a shared machine the speed drifts within minutes, and the bare view's own
    run (the first of the pages) came minutes before the API's."""
    paths = {name: (path, user) for name, user, path in targets}
    counts = {"api": [0, 0.0], "bare": [0, 0.0]}
    seconds = max(0.5, conf["seconds"] / ROUNDS)
    for _ in range(ROUNDS):
        for key, name in (("bare", "bare Django view (floor)"), ("api", "hazard list API")):
            path, user = paths[name]
            cookie = f"{settings.SESSION_COOKIE_NAME}={sessions[user][1]}"
            result = load_run(server, path, cookie, clients=conf["clients"], seconds=seconds)
            counts[key][0] += len(result["latencies"])
            counts[key][1] += result["wall"]
    return counts["api"][0] / counts["api"][1], counts["bare"][0] / counts["bare"][1]


# --- the rest ----------------------------------------------------------------------------------------


def measure_rollup(size: str, year: int, reps: int) -> Row:
    result = bench_rollup.measure_rollup(year=year, reps=reps)
    row = Row(
        f"annual roll-up, all metrics, district {year}",
        size,
        "s",
        result["app"],
        result["floor"],
        goal="≤ 1.5× floor",
        note=result.get("note", ""),
    )
    row.ok = row.ratio <= 1.5
    return row


def measure_import(size: str, rows: int, reps: int) -> Row:
    result = bench_imports.measure_hazard_import(rows=rows, reps=reps)[0]
    # The rolled-back rows stay behind as dead tuples until a vacuum: index-only scans (the ledger's counts)
    # would then visit the heap, and the next run's pages would be measured on a dirtier table.
    with connection.cursor() as cursor:
        for table in (
            "hazards_hazard",
            "hazards_hazard_sectors",
            "hazards_hazardevent",
            "hazards_historicalhazard",
            "hazards_historicalhazard_sectors",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    row = Row(
        f"hazard ledger import, {rows:,} rows",
        size,
        "s",
        result["seconds"],
        result["floor_seconds"],
        goal="≤ 2× parse, ≤ 300 MB",
        note=f"peak {result['peak_mb']:.0f} MB",
    )
    row.ok = row.ratio <= 2 and result["peak_mb"] <= 300
    return row


def measure_pdf(size: str, year: int, builds: int, floor_reps: int) -> list[Row]:
    job = {"year": year, "builds": builds, "floor_reps": floor_reps}
    # A worker as production runs it: with DEBUG on, Django would keep the last 9,000 queries' SQL and
    # the memory row would measure that log, not the PDFs.
    env = dict(os.environ, DEBUG="false", TESTING="1", SECRET_KEY=settings.SECRET_KEY)
    env.setdefault("DATABASE_URL", database_url())
    done = subprocess.run(
        [sys.executable, "-m", "bench.pdf"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    result = json.loads(done.stdout)
    pdf = Row(
        f"annual summary PDF ({result['pages']} pages)",
        size,
        "s",
        result["app"],
        result["floor"],
        goal="≤ 1.3× WeasyPrint",
        note=f"report built in {result['build_seconds']:.1f} s",
    )
    pdf.ok = pdf.ratio <= 1.3
    rss = result["rss"]
    # Flat: once fonts and caches are loaded (the first builds) the worker stops growing. Resident size swings
    # by a font cache's worth between collections, so the medians of the first and the last ten builds after
    # the first two are compared, not two single builds.
    window = max(1, min(10, (len(rss) - 2) // 2))
    early = statistics.median(rss[2 : 2 + window]) if len(rss) > 2 else rss[0]
    late = statistics.median(rss[-window:])
    growth = late - early
    memory = Row(
        f"PDF worker memory over {builds} builds",
        size,
        "MB",
        rss,
        goal="flat (≤ 20 MB growth)",
        note=f"first {rss[0]:.0f}, max {max(rss):.0f}, last {rss[-1]:.0f} MB; median of the last {window} − of builds 3–{2 + window}: {growth:+.0f} MB",
    )
    memory.ok = growth <= 20
    return [pdf, memory]


# --- output ------------------------------------------------------------------------------------------


def fmt(value: float, unit: str) -> str:
    if value != value:  # nan
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.1f} req/s"


def table(rows: list[Row]) -> str:
    lines = [
        "| path | median | p95 | floor (median) | ratio | goal | met | queries | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = (
            "—"
            if row.ratio != row.ratio
            else (f"{row.ratio:.0%}" if row.unit == "req/s" else f"{row.ratio:.2f}×")
        )
        met = {True: "yes", False: "**no**", None: ""}[row.ok]
        queries = "" if row.queries is None else str(row.queries)
        lines.append(
            f"| {row.name} | {fmt(row.median, row.unit)} | {fmt(row.p95, row.unit)} | "
            f"{fmt(row.floor_median, row.unit)} | {ratio} | {row.goal} | {met} | {queries} | {row.note} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, {platform.platform()}, Python {platform.python_version()}, PostgreSQL {pg}"


def write_doc(size: str, block: str) -> None:
    start, end = f"<!-- bench:{size} -->", f"<!-- /bench:{size} -->"
    text = DOC.read_text() if DOC.exists() else "# 性能 / Performance\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    replacement = f"{start}\n{block}\n{end}"
    if pattern.search(text):
        text = pattern.sub(lambda _m: replacement, text)
    else:
        text = text.rstrip() + f"\n\n{replacement}\n"
    DOC.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--reps", type=int, help="repetitions of each in-process path")
    parser.add_argument("--seconds", type=float, help="load per page, in seconds")
    parser.add_argument("--clients", type=int, help="concurrent connections of the load")
    parser.add_argument("--workers", type=int, help=f"gunicorn workers (default {GUNICORN_WORKERS})")
    parser.add_argument("--threads", type=int, help="threads per gunicorn worker (default 1: sync workers)")
    parser.add_argument("--import-rows", type=int)
    parser.add_argument("--pdf-builds", type=int)
    parser.add_argument("--load", action="store_true", help="(re)load the data set first")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--only", help="comma-separated parts: rollup,pages,import,pdf")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        parser.error("the benchmark runs on Postgres: set DATABASE_URL=postgres://…")
    conf = dict(SIZES[args.size], workers=GUNICORN_WORKERS, threads=GUNICORN_THREADS)
    for key in ("reps", "seconds", "clients", "workers", "threads", "import_rows", "pdf_builds"):
        if getattr(args, key) is not None:
            conf[key] = getattr(args, key)
    parts = set((args.only or "rollup,pages,import,pdf").split(","))
    command = "python bench/run.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    workdir = ROOT / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)

    loaded_in = None
    if args.load or not scale_loaded(args.size):
        say(f"loading the {args.size} data set (seed_scale) …")
        loaded_in = load(args.size)
    sizes = data_sizes()
    say("data: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    year = dt.date.today().year - 1  # the last full year, with the year before it for 同比

    rows: list[Row] = []
    started = time.perf_counter()
    if "rollup" in parts:
        say("annual roll-up …")
        rows.append(measure_rollup(args.size, year, conf["reps"]))
    if "pages" in parts:
        say(f"pages under load ({conf['clients']} connections, {conf['seconds']:.0f} s each) …")
        rows += measure_pages(args.size, conf, workdir)
    if "import" in parts:
        say(f"import of {conf['import_rows']:,} rows …")
        rows.append(measure_import(args.size, conf["import_rows"], max(1, min(conf["reps"], 3))))
    if "pdf" in parts:
        say(f"annual PDF, {conf['pdf_builds']} builds …")
        rows += measure_pdf(args.size, year, conf["pdf_builds"], conf["pdf_floor"])
    took = time.perf_counter() - started

    header = [
        f"**{args.size}** — {dt.date.today():%Y-%m-%d}, `{command.strip()}` ({took / 60:.1f} min"
        + (f"; loading the data took {loaded_in / 60:.1f} min" if loaded_in else "")
        + ")",
        "",
        f"Machine: {machine()}.",
        "",
        "Data: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sizes.items()) + ".",
        "",
        f"Pages: gunicorn {conf['workers']} {worker_class(conf['threads'])} workers"
        + (f" × {conf['threads']} threads" if conf["threads"] > 1 else "")
        + ", DEBUG off; load from a "
        f"second process, {conf['clients']} connections, {conf['seconds']:.0f} s per page after a warm-up; "
        "queries counted in-process for one request.",
    ]
    block = "\n".join(header) + "\n\n" + table(rows)
    say("")
    say(block)
    if not args.no_doc:
        write_doc(args.size, block)
        say(f"\nwritten to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
