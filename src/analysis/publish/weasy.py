"""WeasyPrint, imported without running a compiler: ``from analysis.publish.weasy import weasyprint``.

On import, WeasyPrint loads GObject, Pango, HarfBuzz, fontconfig and PangoFT2 with ``cffi``, trying several
names for each library, Windows' and macOS' before Linux's sonames (``libgobject-2.0-0``,
``gobject-2.0-0``, ``gobject-2.0``, then ``libgobject-2.0.so.0``, ...). ``cffi`` hands every name that is
not a file name to ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then ``gcc`` (with
``collect2`` and ``ld``), then ``ld``, for each name that fails (WeasyPrint's issue #1125). Measured here:
54 processes (215 ``execve`` calls, counting each place ``ld`` is looked for on the PATH) and 0.3–0.4 s
of CPU (``docs/performance.md``) in every process that imports WeasyPrint: the fork server of a period run,
the scorecards' workers, ``python -m analysis export``.

On Linux ``find_library`` never returns a path: only a soname (``libgobject-2.0.so.0``) from the linker
cache, or read from the file that ``gcc``/``ld`` found, which ``dlopen`` then looks for as it looks for the
sonames WeasyPrint tries after those names. So on Linux WeasyPrint is imported here with ``find_library``
answering "not found" at once, and loads the same libraries by their sonames (the same files, tested);
elsewhere it is imported as it is.
"""

from __future__ import annotations

import sys


def _not_found(name: str) -> None:
    """``ctypes.util.find_library`` while WeasyPrint is imported: no library is looked for."""
    return None


def import_weasyprint():
    """The ``weasyprint`` module, imported now if it is not yet (on Linux without ``find_library``'s
    compiler runs: see the module's text)."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint

        return weasyprint
    import ctypes.util

    searched = ctypes.util.find_library
    ctypes.util.find_library = _not_found
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = searched
    return weasyprint


weasyprint = import_weasyprint()
