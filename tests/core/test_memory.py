"""A PDF worker's memory stays flat (issue 15): the collection and glibc's trim after each document
(core.memory), the fonts loaded once a thread (core.pdf), and no font features in the printed templates."""

import ctypes
import gc
import re
import threading
from pathlib import Path

import pytest

from core import memory
from core import pdf as core_pdf

ROOT = Path(__file__).resolve().parents[2]


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_release_memory_collects_cycles_and_trims_the_c_heap(monkeypatch):
    trims = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda pad: trims.append(pad) or 1)
    gc.disable()  # only release_memory may collect the cycle
    try:
        Cycle()
        memory.release_memory()
    finally:
        gc.enable()
    assert not [o for o in gc.get_objects() if type(o) is Cycle]
    assert trims == [0]


def test_release_memory_without_glibc_only_collects(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", None)
    gc.disable()
    try:
        Cycle()
        memory.release_memory()
    finally:
        gc.enable()
    assert not [o for o in gc.get_objects() if type(o) is Cycle]


def test_malloc_trim_is_looked_up_only_where_it_exists(monkeypatch):
    class NoTrim:  # musl, macOS: a C library without malloc_trim
        pass

    monkeypatch.setattr(ctypes, "CDLL", lambda name: NoTrim())
    assert memory._find_malloc_trim() is None

    def no_library(name):
        raise OSError("no C library to load")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert memory._find_malloc_trim() is None


def test_malloc_trim_is_found_and_callable_on_glibc():
    if not Path("/proc/self/maps").exists() or "libc.so.6" not in Path("/proc/self/maps").read_text():
        pytest.skip("not a glibc system")
    trim = memory._find_malloc_trim()
    assert trim is not None
    assert trim(0) in (0, 1)


def test_the_fonts_are_loaded_once_a_thread_and_again_in_a_forked_child():
    mine = core_pdf.font_config()
    assert core_pdf.font_config() is mine

    other = []
    thread = threading.Thread(target=lambda: other.append(core_pdf.font_config()))
    thread.start()
    thread.join()
    assert other[0] is not mine

    core_pdf._local.pid = -1  # as a Celery worker child sees its parent's fonts after fork()
    child = core_pdf.font_config()
    assert child is not mine
    assert core_pdf.font_config() is child


def printed_templates() -> list[Path]:
    """The templates WeasyPrint typesets: those named …pdf…, and those extending one of them."""
    # A template's name is its path under <app>/templates/.
    templates = {
        Path(*p.relative_to(ROOT).parts[2:]).as_posix(): p for p in ROOT.glob("*/templates/**/*.html")
    }
    printed = {name for name in templates if "pdf" in name}
    for name, path in templates.items():
        extends = re.search(r'{%\s*extends\s+"([^"]+)"', path.read_text(encoding="utf-8"))
        if extends and extends.group(1) in printed:
            printed.add(name)
    return sorted(templates[name] for name in printed)


def test_no_printed_template_asks_for_font_features():
    # WeasyPrint 70 leaks each Pango layout that carries a font feature (font-variant-*,
    # font-feature-settings): ~1 MB a 125-township summary in a long-lived worker. The Noto CJK SC
    # faces have no tnum anyway. The web pages' CSS (static/) is not typeset by WeasyPrint.
    templates = printed_templates()
    names = {p.name for p in templates}
    assert {"base.html", "summary.html", "record_pdf.html", "_pdf_base.html", "rectify_order.html"} <= names
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in templates
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"font-variant|font-feature-settings", line) and "No font-variant" not in line
    ]
    assert offenders == []
