"""Execute a parameterised notebook inside this Python process (no kernel): the engine shared by
``python -m analysis run`` (:mod:`analysis.publish.runner`) and ``python -m analysis scorecards``
(:mod:`analysis.publish.scorecards`).

The notebook stays the source of truth: it is read with papermill's own loader and parameterised with
papermill's own ``parameterize_notebook`` (the same ``injected-parameters`` cell the papermill CLI adds);
its code cells run one after the other in one IPython ``InteractiveShell`` per process, and every display,
result, stream and error is captured into the cell's outputs in nbformat form, as a kernel would report
them. The shell's namespace is cleared before each notebook, so nothing of an earlier notebook is visible.

What in-process execution gives up against a kernel per notebook: process-wide state that a notebook
changes (pandas options, matplotlib rcParams, environment variables, the working directory) stays for the
next notebook in the same process, and a notebook that crashes the interpreter takes the process down.
The shell does not take over ``sys.modules["__main__"]`` (which would break multiprocessing and Dask in
the same process); it redirects ``sys.stdout``/``sys.stderr`` while a cell runs, so run one notebook at a
time per process (a lock enforces it).
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import sys
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from analysis.core.errors import AnalysisError

#: Module name of the notebook's namespace. IPython would otherwise install its namespace as
#: ``sys.modules["__main__"]``, which breaks ``multiprocessing`` (spawn) and Dask in the same process.
NOTEBOOK_MODULE = "__kjb_notebook__"

#: The notebook's ``language_info`` as IPython's kernel (ipykernel) reports it to papermill, which writes
#: it into the executed notebook; nbconvert picks the code highlighting from it (``ipython3``).
LANGUAGE_INFO = {
    "name": "python",
    "version": sys.version.split()[0],
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


class CellFailed(AnalysisError):
    """A cell of the notebook raised; names the cell (0-based ``cell_index`` in the executed notebook,
    ``exec_count`` its ``In [n]``), its first line and the error. ``notebook`` (set by the engines) is the
    executed notebook up to the failing cell, with the error in its outputs."""

    def __init__(self, cell_index: int, source: str, ename: str, evalue: str, exec_count: int | None = None):
        self.cell_index, self.source, self.ename, self.evalue = cell_index, source, ename, evalue
        self.exec_count = exec_count
        self.notebook = None
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:80]
        super().__init__(f"cell {cell_index + 1} `{first}` raised {ename}: {evalue}")


class _Outputs:
    """Collects a cell's outputs in nbformat form, in the order they happen (streams merged)."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        if self.items and self.items[-1]["output_type"] == "stream" and self.items[-1]["name"] == name:
            self.items[-1]["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def display(self, data: dict, metadata: dict | None) -> None:
        self.items.append(
            {"output_type": "display_data", "data": dict(data), "metadata": dict(metadata or {})}
        )

    def result(self, count: int, data: dict, metadata: dict | None) -> None:
        self.items.append(
            {
                "output_type": "execute_result",
                "execution_count": count,
                "data": dict(data),
                "metadata": dict(metadata or {}),
            }
        )

    def error(self, ename: str, evalue: str, tb: list[str]) -> None:
        self.items.append({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": list(tb)})


class _StreamWriter(io.TextIOBase):
    def __init__(self, outputs: Callable[[], _Outputs], name: str) -> None:
        self._outputs, self._name = outputs, name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._outputs().stream(self._name, text)
        return len(text)


@cache
def _shell_classes():
    """The shell classes, built on first use (IPython is imported only by processes that execute)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class CapturingPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            self.shell.kjb_outputs.display(data, metadata)

        def clear_output(self, wait=False):
            self.shell.kjb_outputs.items.clear()

    class CapturingDisplayHook(DisplayHook):
        def quiet(self):  # the history is off: look at the cell being run for a trailing ';'
            return self.semicolon_at_end_of_expression(self.shell.kjb_cell_source)

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.kjb_outputs.result(self.shell.execution_count, format_dict, md_dict)

        def finish_displayhook(self):
            self._is_active = False

    class NotebookShell(InteractiveShell):
        """An InteractiveShell whose outputs go into notebook cells instead of the terminal."""

        display_pub_class = CapturingPublisher
        displayhook_class = CapturingDisplayHook

        def __init__(self, **kwargs):
            self.kjb_outputs = _Outputs()
            self.kjb_cell_source = ""
            super().__init__(**kwargs)

        def _showtraceback(self, etype, evalue, stb):
            self.kjb_outputs.error(getattr(etype, "__name__", str(etype)), str(evalue), stb)

    return NotebookShell


_SHELL_LOCK = threading.Lock()


@cache
def notebook_shell():
    """The process's one shell (no history file, colours off so tracebacks stay readable in a file)."""
    import types

    from traitlets.config import Config

    cfg = Config()
    cfg.HistoryManager.enabled = False
    cfg.InteractiveShell.colors = "nocolor"
    return _shell_classes().instance(config=cfg, user_module=types.ModuleType(NOTEBOOK_MODULE))


@cache
def _read_source_notebook(path: str, mtime_ns: int, size: int):
    from papermill.iorw import load_notebook_node

    return load_notebook_node(path)


def parameterized_notebook(notebook: Path, parameters: dict[str, Any]):
    """The notebook with an ``injected-parameters`` cell after its ``parameters`` cell, as papermill makes
    it (papermill's own loading and parameterising functions; the source is read once per process)."""
    from papermill.parameterize import parameterize_notebook

    st = Path(notebook).stat()
    nb = copy.deepcopy(_read_source_notebook(str(Path(notebook).resolve()), st.st_mtime_ns, st.st_size))
    return parameterize_notebook(nb, parameters, kernel_name="python3", language="python")


@contextlib.contextmanager
def _working_directory(path: Path | None):
    if path is None:
        yield
        return
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def execute_in_process(notebook: Path, parameters: dict[str, Any], cwd: Path | None = None):
    """Run the notebook's code cells in this process's :func:`notebook_shell`; returns the executed notebook.

    Raises :class:`CellFailed` (with ``.notebook``: the notebook up to the failing cell) when a cell
    raises. The shell's namespace is cleared first, so nothing of an earlier notebook is visible.
    ``cwd``: the working directory while the cells run (as papermill's ``cwd``; it changes the whole
    process's working directory for that time, so pass it only in a worker process of your own).
    """
    import nbformat

    nb = parameterized_notebook(notebook, parameters)
    nb.metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)
    with _SHELL_LOCK, _working_directory(cwd):
        shell = notebook_shell()
        shell.reset(new_session=False)
        shell.kjb_outputs = _Outputs()
        count = 0
        stdout, stderr = (
            _StreamWriter(lambda: shell.kjb_outputs, "stdout"),
            _StreamWriter(lambda: shell.kjb_outputs, "stderr"),
        )
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            shell.execution_count = count
            shell.kjb_outputs = _Outputs()
            shell.kjb_cell_source = cell.source
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                result = shell.run_cell(cell.source, store_history=False, silent=False)
            cell.execution_count = count
            cell.outputs = [nbformat.from_dict(o) for o in shell.kjb_outputs.items]
            if not result.success:
                error = result.error_in_exec or result.error_before_exec
                exc = CellFailed(index, cell.source, type(error).__name__, str(error), exec_count=count)
                exc.notebook = nb
                raise exc
    return nb
