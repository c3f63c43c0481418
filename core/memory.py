"""Give a long-lived worker's memory back after a big piece of work (a PDF, an import).

`gc.collect()` frees what Python still holds in reference cycles (WeasyPrint's boxes and fonts). The
C heap keeps the pages it got for them, though: glibc hands freed memory back to the system only from
the top of the heap, and a document's tens of megabytes of font data leave holes that later
allocations pin, so a report worker's resident size kept stepping up (issue 15). `malloc_trim(0)`
returns every free page; it exists only in glibc, so elsewhere (musl, macOS) only the collection runs.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable


def _find_malloc_trim() -> Callable[[int], int] | None:
    try:
        process = ctypes.CDLL(None)  # the C library the interpreter already runs on
    except (OSError, TypeError):
        return None
    trim = getattr(process, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_malloc_trim = _find_malloc_trim()


def release_memory() -> None:
    """Collect Python's cycles, then give the C heap's free pages back to the system (glibc only)."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
