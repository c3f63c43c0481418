"""The annual work summary's PDF, as the report job prints it, against WeasyPrint alone on the same
finished HTML; and a worker's memory over many builds.

Runs in a process of its own (`python -m bench.pdf`, JSON in on stdin, JSON out on stdout) so the
resident memory it reports is one worker's, not the benchmark's. The report it builds is rolled back.
"""

import gc
import json
import os
import sys
import time


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_parts_mb() -> tuple[float, float]:
    """The resident size's own memory (anonymous) and its mapped files (the fonts core.pdf keeps open,
    shared with the page cache and the other workers), in MB."""
    sizes = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("RssAnon:", "RssFile:")):
                key, kb, _unit = line.split()
                sizes[key] = int(kb) / 1024
    return sizes.get("RssAnon:", 0.0), sizes.get("RssFile:", 0.0)


def _floor_runs(html: str, floor: list, floor_fonts_kept: list, font_config):
    """One run of the floor: WeasyPrint alone on the finished HTML, as write_pdf() does it (fonts loaded for
    the document); and one with the fonts loaded once, as the report job now typesets (core.pdf), so what
    is left of the ratio is the job's own work (content, HTML, charts), not the fonts."""
    from weasyprint import HTML

    from core.memory import release_memory

    started = time.perf_counter()
    document = HTML(string=html).render()  # what write_pdf() does, keeping the page count
    document.write_pdf()
    floor.append(time.perf_counter() - started)
    started = time.perf_counter()
    HTML(string=html).render(font_config=font_config()).write_pdf()
    floor_fonts_kept.append(time.perf_counter() - started)
    release_memory()  # as the report job does after each PDF (core.memory)
    return document


def measure(*, year: int, builds: int, floor_reps: int) -> dict:
    from django.db import transaction

    from core.pdf import font_config
    from reports.pdf import DRAFT_WATERMARK, content_html, content_pdf
    from reports.periods import Period
    from reports.scopes import WHOLE_DISTRICT
    from reports.services_report_files import report_for_command
    from reports.summaries import report_content

    out: dict = {}
    with transaction.atomic():
        started = time.perf_counter()
        report, _ = report_for_command(kind="annual", stats_scope=WHOLE_DISTRICT, period=Period(year, "year"))
        out["build_seconds"] = time.perf_counter() - started
        builds_s, rss, anon, files = [], [], [], []
        for _ in range(builds):
            # The report job's own steps (reports.tasks_summaries._run): content from the rows, HTML, PDF.
            started = time.perf_counter()
            pdf = content_pdf(report_content(report), watermark=DRAFT_WATERMARK)
            builds_s.append(time.perf_counter() - started)
            rss.append(rss_mb())
            anon_mb, file_mb = rss_parts_mb()
            anon.append(anon_mb)
            files.append(file_mb)
        # The ratio: a build and a floor run in turn, after the memory series (the floor loads its fonts per
        # document, which would swell the series). In turn, because on a shared host the speed drifts
        # within minutes and both sides must see the same host.
        html = content_html(report_content(report), watermark=DRAFT_WATERMARK)
        app: list[float] = []
        floor: list[float] = []
        floor_fonts_kept: list[float] = []
        for _ in range(floor_reps):
            started = time.perf_counter()
            content_pdf(report_content(report), watermark=DRAFT_WATERMARK)
            app.append(time.perf_counter() - started)
            document = _floor_runs(html, floor, floor_fonts_kept, font_config)
        gc.collect()
        transaction.set_rollback(True)
    out.update(
        app=app,
        builds=builds_s,
        floor=floor,
        floor_fonts_kept=floor_fonts_kept,
        rss=rss,
        rss_anon=anon,
        rss_file=files,
        pdf_bytes=len(pdf),
        pages=len(document.pages),
    )
    return out


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_office.settings")
    django.setup()
    job = json.load(sys.stdin)
    json.dump(measure(**job), sys.stdout)
