"""WeasyPrint imported without ``ctypes.util.find_library``'s compiler runs (``analysis.publish.weasy``): no
process started, the same native libraries loaded as by WeasyPrint's own import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from analysis.core.config import PROJECT_ROOT

#: In a fresh interpreter: import WeasyPrint one way, then print the processes started meanwhile and the
#: files of the native libraries it loaded (from the process's memory map).
_SCRIPT = """
import json, subprocess, sys
started = []
class Counted(subprocess.Popen):
    def __init__(self, args, *a, **k):
        started.append(args if isinstance(args, str) else list(map(str, args))[:1])
        super().__init__(args, *a, **k)
subprocess.Popen = Counted
if sys.argv[1] == "ours":
    from analysis.publish.weasy import weasyprint
else:
    import weasyprint
libs = sorted({line.split()[-1] for line in open("/proc/self/maps")
               if any(k in line for k in ("gobject", "pango", "harfbuzz", "fontconfig"))})
print(json.dumps({"started": started, "libs": libs, "version": weasyprint.__version__}))
"""


def _import(way: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, way], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the library search is skipped on Linux only"
)
def test_weasyprint_is_imported_without_starting_a_process_and_loads_the_same_libraries():
    ours, theirs = _import("ours"), _import("weasyprint")
    assert ours["started"] == []
    assert ours["libs"] == theirs["libs"]
    for library in ("gobject", "pango", "harfbuzz", "fontconfig"):
        assert any(library in path for path in ours["libs"]), (library, ours["libs"])
    assert ours["version"] == theirs["version"]


def test_the_library_search_is_restored_after_the_import():
    import ctypes.util

    from analysis.publish import weasy

    assert ctypes.util.find_library is not weasy._not_found
    assert weasy.import_weasyprint() is weasy.weasyprint  # already imported: the same module
