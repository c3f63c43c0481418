"""The fonts every printed document (WeasyPrint) is typeset with, loaded once per worker thread.

Without a `font_config` WeasyPrint builds a FontConfiguration for each document: fontconfig loads its
configuration and the system fonts again and Pango opens the Noto CJK faces again. That is a good part
of a document's time, and fontconfig does not give all of it back: a worker grew about 0.25 MB a
document for it alone (issue 15). So each thread keeps one and passes it to every document it prints.
One a thread, because Pango's font maps are not meant to be shared between threads; one a process,
because a forked worker child must not use the fonts its parent opened.

The fonts stay mapped for the worker's life: ~90 MB of resident size, but file pages shared with the
page cache and the other workers, not memory of the process's own.
"""

from __future__ import annotations

import os
import threading

from weasyprint.text.fonts import FontConfiguration

_local = threading.local()


def font_config() -> FontConfiguration:
    """This thread's fonts, for `HTML(...).write_pdf(font_config=font_config())`."""
    if getattr(_local, "pid", None) != os.getpid():
        _local.config = FontConfiguration()
        _local.pid = os.getpid()
    return _local.config
